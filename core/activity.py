"""The activity log: who created, changed, posted, registered or deleted which document or line, when, with
what before and after (core.models.ActivityEntry).

Services call `activity_record` once, inside their transaction, with every row they changed: one INSERT
whatever the number of rows, so the log exists exactly when the change does and costs a fixed number of
queries. The entries keep the numbers and values they describe, so they outlive the objects.
`activity_record_created` logs rows a service has just inserted in bulk (thousands of new pick lines):
on PostgreSQL the database builds the entries from the rows themselves (`INSERT ... SELECT`), the same
entries `activity_record` would write, without reading the rows back into Python.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import F, Func, Q, QuerySet, Value
from django.db.models.functions import Cast, Concat, JSONObject, Left
from django.utils import timezone

from core.db import bulk_insert, insert_select, is_postgresql
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
    user_id, username = _authenticated(user)
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


def _authenticated(user: Any) -> tuple[int | None, str]:
    if getattr(user, "is_authenticated", False):
        return user.pk, user.get_username()
    return None, ""


def _loggable_expression(model: type[models.Model], name: str) -> Any:
    """The value of the field `name` as `loggable` keeps it, computed by PostgreSQL."""
    return _loggable_of(F(name), model._meta.get_field(name))


def activity_record_created(
    *,
    user: Any,
    action: str,
    operation: str,
    rows: QuerySet[Any],
    fields: Sequence[str],
    like: Change,
    repr_field: str,
) -> int:
    """Log rows just created, one entry per row of `rows` in pk order: `object_id` the row's pk,
    `object_repr` `like.object_repr` followed by the row's `repr_field`, `after` the row's `fields` as
    `snapshot` keeps them, `before` None; the type and document of every entry those of `like`.

    PostgreSQL: ONE `INSERT ... SELECT` builds the entries from the rows (json built by the database, no
    row read into Python). Elsewhere: one query reads the rows, `activity_record` writes the entries.
    Returns the number of entries.
    """
    return _record_rows(
        user=user,
        action=action,
        operation=operation,
        rows=rows,
        fields=fields,
        like=like,
        repr_field=repr_field,
        changes=None,
    )


def activity_record_update(
    *,
    user: Any,
    action: str,
    operation: str,
    rows: QuerySet[Any],
    fields: Sequence[str],
    changes: Mapping[str, Any],
    like: Change,
    repr_field: str,
) -> int:
    """Log an UPDATE about to set `changes` (field name -> expression with an `output_field`) on `rows`:
    call it right BEFORE that UPDATE, in the same transaction, with the rows locked. One entry per row
    whose values change, in pk order: `before` its `fields` now, `after` the same with `changes` applied,
    as `snapshot` keeps them; otherwise as `activity_record_created`. Returns the number of entries.
    """
    changed = Q()
    for name, expression in changes.items():
        changed |= ~Q(**{name: expression})
    return _record_rows(
        user=user,
        action=action,
        operation=operation,
        rows=rows.filter(changed),
        fields=fields,
        like=like,
        repr_field=repr_field,
        changes=changes,
    )


def _record_rows(
    *,
    user: Any,
    action: str,
    operation: str,
    rows: QuerySet[Any],
    fields: Sequence[str],
    like: Change,
    repr_field: str,
    changes: Mapping[str, Any] | None,
) -> int:
    """One entry per row of `rows`, by pk: created (`changes` None: `after` the row's values) or about to
    be updated (`before` the row's values, `after` them with `changes` applied)."""
    rows = rows.order_by("pk")
    if not is_postgresql():
        new = {f"new_{name}": expression for name, expression in (changes or {}).items()}
        entries = []
        for values in rows.annotate(**new).values("pk", *fields, *new):
            now = {name: loggable(values[name]) for name in fields}
            after = now
            if changes is not None:
                after = {
                    name: loggable(values[f"new_{name}"]) if name in changes else now[name] for name in fields
                }
            entries.append(
                Change(
                    object_type=like.object_type,
                    object_id=values["pk"],
                    object_repr=f"{like.object_repr}{values[repr_field]}",
                    document_type=like.document_type,
                    document_id=like.document_id,
                    document_no=like.document_no,
                    location_id=like.location_id,
                    before=None if changes is None else now,
                    after=after,
                )
            )
        activity_record(user=user, action=action, operation=operation, changes=entries)
        return len(entries)
    annotations = _entry_constants(user, action, operation, like)
    annotations["log_object_id"] = F("pk")
    annotations["log_object_repr"] = Left(
        Concat(Value(like.object_repr), Cast(F(repr_field), models.TextField())), 200
    )
    now_json = JSONObject(**{name: _loggable_expression(rows.model, name) for name in fields})
    if changes is None:
        annotations["log_after"] = now_json
    else:
        annotations["log_before"] = now_json
        annotations["log_after"] = JSONObject(
            **{
                name: _loggable_of(changes[name], changes[name].output_field)
                if name in changes
                else _loggable_expression(rows.model, name)
                for name in fields
            }
        )
    query = rows.annotate(**annotations).values(*annotations)
    return insert_select(ActivityEntry, query, {name.removeprefix("log_"): name for name in annotations})


def _entry_constants(user: Any, action: str, operation: str, like: Change) -> dict[str, Any]:
    """What every entry of one `INSERT ... SELECT` shares, as annotations `log_<column>`."""
    user_id, username = _authenticated(user)
    constants: dict[str, Any] = {
        "at": timezone.now(),
        "user_id": user_id,
        "username": username,
        "action": str(action),
        "operation": operation,
        "object_type": like.object_type,
        "document_type": like.document_type,
        "document_id": like.document_id,
        "document_no": like.document_no,
        "location_id": like.location_id,
    }
    return {
        f"log_{name}": Value(value)
        for name, value in constants.items()
        if value is not None  # NULL by omission: a NULL parameter would reach the column as text
    }


def _loggable_of(expression: Any, output_field: Any) -> Any:
    """A value as `loggable` keeps it, computed by PostgreSQL (`output_field` says what it is): a quantity
    as text without trailing zeros (`format_quantity`: `trim_scale`, never exponent notation), a date in
    ISO."""
    if isinstance(output_field, models.DecimalField):
        return Cast(Func(expression, function="TRIM_SCALE"), models.TextField())
    if isinstance(output_field, models.DateField) and not isinstance(output_field, models.DateTimeField):
        return Cast(expression, models.TextField())
    return expression
