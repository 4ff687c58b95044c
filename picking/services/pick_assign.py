"""Assigning picks to warehouse employees: a supervisor assigns one (or when creating picks), a worker
takes the next one waiting ("Next pick")."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from core.exceptions import Conflict, ErrorCode, InvalidInput
from core.permissions import require_perm
from picking.locks import lock_next_waiting_pick
from picking.models import Pick
from picking.services.activity import record_pick_change
from picking.services.pick_common import lock_pick_for_change
from warehouse.models import Location
from warehouse.scoping import visible_location_ids


def pick_assign(*, pick_id: int, assigned_to_username: str | None, user: Any) -> Pick:
    """Assign the pick to a warehouse employee of its location (empty: unassign)."""
    require_perm(user, "picking.change_pick", _("Assigning picks is for supervisors. Ask a supervisor."))
    with transaction.atomic():
        pick = lock_pick_for_change(pick_id=pick_id, user=user)
        assignee = find_assignee(username=assigned_to_username, location=pick.location)
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


def find_assignee(*, username: str | None, location: Location) -> Any:
    """The active user `username` who works at `location` (or a superuser); None for no username.
    InvalidInput `not_an_employee` (field `assigned_to`) otherwise."""
    if not username:
        return None
    assignee = (
        get_user_model()
        .objects.filter(username=username, is_active=True)
        .filter(Q(warehouse_employees__location_id=location.pk) | Q(is_superuser=True))
        .first()
    )
    if assignee is None:
        raise InvalidInput(
            _(
                "%(user)s is not a warehouse employee at location %(location)s: choose someone who works "
                "there."
            )
            % {"user": username, "location": location.code},
            errors=[
                {
                    "field": "assigned_to",
                    "code": ErrorCode.NOT_AN_EMPLOYEE,
                    "detail": _("Not an employee here."),
                }
            ],
        )
    return assignee


def pick_take_next(*, user: Any, location_code: str | None = None) -> Pick:
    """The "Next pick" button: the oldest open pick nobody is assigned to, at the user's locations (or the one
    given), assigned to the user. Two workers pressing at the same moment get different picks (the row is
    locked with SKIP LOCKED on PostgreSQL). Conflict `no_pick_waiting` when there is none."""
    require_perm(user, "picking.change_pickline", _("Taking picks is for warehouse workers."))
    ids = visible_location_ids(user)
    locations = Location.objects.all() if ids is None else Location.objects.filter(pk__in=ids)
    if location_code:
        locations = locations.filter(code=location_code)
    location_ids = sorted(locations.values_list("pk", flat=True))
    with transaction.atomic():
        pick = lock_next_waiting_pick(location_ids=location_ids)
        if pick is None:
            raise Conflict(
                _(
                    "No pick is waiting for a worker at your locations. Ask a supervisor for work, or try "
                    "again later."
                ),
                code=ErrorCode.NO_PICK_WAITING,
            )
        pick.assigned_to = user
        pick.save(update_fields=["assigned_to"])
        record_pick_change(
            user=user,
            pick=pick,
            operation="pick_assign",
            lines_before={},
            pick_before={"assigned_to": None},
            pick_after={"assigned_to": user.get_username()},
            lines_gone=True,
        )
        return pick
