"""Which locations a user may see and act at.

Superusers and the `integration` role see every location; workers and supervisors only the locations
where they are warehouse employees. Anything at another location is answered as not found (404).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from core.exceptions import NotFoundError
from core.roles import sees_all_locations
from warehouse.models import Location


def visible_locations(user: Any) -> QuerySet[Location]:
    if user is None or not getattr(user, "is_authenticated", False):
        return Location.objects.none()
    if sees_all_locations(user):
        return Location.objects.all()
    return Location.objects.filter(employees__user_id=user.pk).distinct()


def get_visible_location(user: Any, *, code: str | None = None, pk: int | None = None) -> Location:
    """The location by code or pk, if the user may see it; NotFoundError otherwise."""
    if code is None and pk is None:
        raise NotFoundError(_("Say which location: give its code."))
    locations = visible_locations(user)
    if code is not None:
        locations = locations.filter(code=code)
    if pk is not None:
        locations = locations.filter(pk=pk)
    location = locations.first()
    if location is None:
        what = code if code is not None else f"#{pk}"
        raise NotFoundError(
            _("There is no location %(location)s, or you are not a warehouse employee there.")
            % {"location": what},
            location=what,
        )
    return location


def visible_location_ids(user: Any) -> set[int] | None:
    """Ids of the visible locations, or None when the user sees all (no filter needed)."""
    if user is not None and getattr(user, "is_authenticated", False) and sees_all_locations(user):
        return None
    return set(visible_locations(user).values_list("pk", flat=True))


def at_locations(location_ids: set[int] | None, path: str) -> Q:
    """The filter keeping the rows whose location (at the lookup `path`, e.g. `pick__location_id`) is one of
    `location_ids`, as `visible_location_ids` answers them (None: every location, no filter)."""
    return Q() if location_ids is None else Q(**{f"{path}__in": location_ids})
