"""The activity log: who created, changed, posted, registered or deleted which document or line, when, with
what before and after (core.models.ActivityEntry).

Services call `activity_record` once, inside their transaction, with every row they changed: one INSERT
whatever the number of rows, so the log exists exactly when the change does and costs a fixed number of
queries. The entries keep the numbers and values they describe, so they outlive the objects.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from core.db import bulk_insert
from core.models import ActivityEntry
from core.quantities import format_quantity

Action = ActivityEntry.Action


@dataclass(frozen=True)
class Change:
    """One changed object: what it is, which document it belongs to, its values before and after
    (None: it did not exist before / no longer exists)."""

    object_type: str
    object_id: int | None
    object_repr: str
    document_type: str
    document_id: int
    document_no: str
    location_id: int | None
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None


def snapshot(obj: Any, fields: Sequence[str]) -> dict[str, Any]:
    """The values of `fields` of `obj`, as the log keeps them (quantities and dates as text)."""
    return {name: loggable(getattr(obj, name)) for name in fields}


def loggable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format_quantity(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def activity_record(*, user: Any, action: str, operation: str, changes: Iterable[Change]) -> None:
    """Log the changes a user made (one INSERT). Call it inside the service's transaction."""
    authenticated = bool(getattr(user, "is_authenticated", False))
    user_id = user.pk if authenticated else None
    username = user.get_username() if authenticated else ""
    bulk_insert(
        [
            ActivityEntry(
                user_id=user_id,
                username=username,
                action=action,
                operation=operation,
                object_type=c.object_type,
                object_id=c.object_id,
                object_repr=c.object_repr[:200],
                document_type=c.document_type,
                document_id=c.document_id,
                document_no=c.document_no,
                location_id=c.location_id,
                before=c.before,
                after=c.after,
            )
            for c in changes
        ],
    )
