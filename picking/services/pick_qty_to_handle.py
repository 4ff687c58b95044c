"""Autofill Qty. to Handle and Delete Qty. to Handle: every line of a pick at once, in one UPDATE (the
place lines of a warehouse pick get what their take lines get), logged by the database right before it
(`record_pick_lines_update`: no line read into Python)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F, Value
from django.utils.translation import gettext as _

from core.permissions import require_perm
from core.quantities import ZERO
from picking.locks import lock_pick_line_ids
from picking.models import Pick, PickLine
from picking.services.activity import quantity_of, record_pick_lines_update
from picking.services.pick_common import lock_pick_for_change


def pick_autofill_qty_to_handle(*, pick_id: int, user: Any) -> Pick:
    """Autofill Qty. to Handle: every open line's Qty. to Handle becomes its outstanding quantity."""
    require_perm(user, "picking.change_pickline", _("You are not allowed to handle pick lines."))
    with transaction.atomic():
        pick = lock_pick_for_change(pick_id=pick_id, user=user)
        lock_pick_line_ids(pick_id=pick.pk)  # the lines change in one UPDATE: no need to read them
        lines = PickLine.objects.filter(pick_id=pick.pk)
        # every line: a warehouse pick's place lines have their take lines' quantities
        outstanding = quantity_of(F("quantity") - F("qty_handled"))
        record_pick_lines_update(
            user=user,
            pick=pick,
            operation="pick_autofill_qty_to_handle",
            lines=lines,
            changes={"qty_to_handle": outstanding},
        )
        lines.update(qty_to_handle=F("quantity") - F("qty_handled"))
        return pick


def pick_delete_qty_to_handle(*, pick_id: int, user: Any) -> Pick:
    """Delete Qty. to Handle: every line's Qty. to Handle becomes 0."""
    require_perm(user, "picking.change_pickline", _("You are not allowed to handle pick lines."))
    with transaction.atomic():
        pick = lock_pick_for_change(pick_id=pick_id, user=user)
        lock_pick_line_ids(pick_id=pick.pk)  # the lines change in one UPDATE: no need to read them
        lines = PickLine.objects.filter(pick_id=pick.pk)
        record_pick_lines_update(
            user=user,
            pick=pick,
            operation="pick_delete_qty_to_handle",
            lines=lines,
            changes={"qty_to_handle": quantity_of(Value(ZERO))},
        )
        lines.update(qty_to_handle=ZERO)
        return pick
