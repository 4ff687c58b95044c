"""Assigning a pick to a warehouse employee of its location (supervisors)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q

from core.exceptions import ErrorCode, InvalidInput
from core.permissions import require_perm
from picking.models import Pick
from picking.services.activity import record_pick_change
from picking.services.pick_common import lock_pick_for_change


def pick_assign(*, pick_id: int, assigned_to_username: str | None, user: Any) -> Pick:
    """Assign the pick to a warehouse employee of its location (empty: unassign)."""
    require_perm(user, "picking.change_pick", "Assigning picks is for supervisors. Ask a supervisor.")
    with transaction.atomic():
        pick = lock_pick_for_change(pick_id=pick_id, user=user)
        assignee = None
        if assigned_to_username:
            assignee = (
                get_user_model()
                .objects.filter(username=assigned_to_username, is_active=True)
                .filter(Q(warehouse_employees__location_id=pick.location_id) | Q(is_superuser=True))
                .first()
            )
            if assignee is None:
                raise InvalidInput(
                    f"{assigned_to_username} is not a warehouse employee at location {pick.location.code}: "
                    "choose someone who works there.",
                    errors=[
                        {
                            "field": "assigned_to",
                            "code": ErrorCode.NOT_AN_EMPLOYEE,
                            "detail": "Not an employee here.",
                        }
                    ],
                )
        before = {"assigned_to": pick.assigned_to.get_username() if pick.assigned_to else None}
        pick.assigned_to = assignee
        pick.save(update_fields=["assigned_to"])
        record_pick_change(
            user=user,
            pick=pick,
            operation="pick_assign",
            lines_before={},
            pick_before=before,
            pick_after={"assigned_to": assignee.get_username() if assignee else None},
            lines_gone=True,
        )
        return pick
