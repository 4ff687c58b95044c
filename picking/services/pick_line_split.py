"""Split Line: part of a line's outstanding quantity goes to a new line with the same bin and numbers
(for example to take it from another bin, or to give it other numbers)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from core.exceptions import ErrorCode, InvalidInput, TrackingLocked
from core.permissions import require_perm
from picking import rules
from picking.models import PickLine
from picking.services.activity import pick_lines_values_concerned, record_pick_change
from picking.services.pick_common import (
    check_line_open,
    describe,
    lock_line_for_change,
    numbers_text,
    parse_quantity,
    split_off,
)
from picking.services.pick_pairs import pairs_follow
from warehouse.rules import require_whole_units


def pick_line_split(*, pick_line_id: int, quantity: Any, user: Any) -> PickLine:
    """Split Line: a new line takes `quantity` of the outstanding quantity (same bin and numbers)."""
    require_perm(user, "picking.change_pickline", _("You are not allowed to handle pick lines."))
    split_qty = parse_quantity(quantity, "quantity")
    with transaction.atomic():
        pick, line = lock_line_for_change(pick_line_id=pick_line_id, user=user)
        check_line_open(line)
        if line.tracking_locked:
            raise TrackingLocked(
                _(
                    "%(line)s picks numbers prescribed by the source document (%(numbers)s): only Qty. to "
                    "Handle can be changed, the line cannot be split."
                )
                % {"line": describe(line), "numbers": numbers_text(line)}
            )
        require_whole_units(
            split_qty, item=line.item, field="quantity", prefix=_("%(line)s: ") % {"line": describe(line)}
        )
        problem = rules.split_problem(
            quantity=line.quantity, qty_handled=line.qty_handled, split_qty=split_qty
        )
        if problem:
            raise InvalidInput(
                _("%(line)s: %(problem)s") % {"line": describe(line), "problem": problem},
                code=ErrorCode.INVALID_SPLIT,
                errors=[{"field": "quantity", "code": ErrorCode.INVALID_SPLIT, "detail": problem}],
            )
        concerned, lines_before = pick_lines_values_concerned(pick.pk, [line.pk])
        new = split_off(line, split_qty)
        pairs_follow(pick=pick, take_line_ids=[line.pk], made_from={new.pk: line.pk})
        record_pick_change(
            user=user, pick=pick, operation="pick_line_split", lines_before=lines_before, concerned=concerned
        )
        new.pick = pick
        return new
