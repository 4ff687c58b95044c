"""Reads about one pick line: the stock its numbers may come from (case 3, "Select"), in a constant number
of queries."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone

from core.quantities import ZERO
from picking.availability import AvailableStock, available_stock
from picking.models import PickLine
from picking.planning import Budget, ordered_rows
from picking.selectors.picks import get_visible_pick_line


def line_availability(line: PickLine, *, bin_id: int) -> AvailableStock:
    """The item's stock in `bin_id` at the line's location, minus open picks other than the line itself."""
    return available_stock(
        item_ids=[line.item_id],
        location_id=line.pick.location_id,
        bin_id=bin_id,
        on_date=timezone.localdate(),
        exclude_pick_line_ids=[line.pk],
    )


@dataclass(frozen=True)
class AvailableNumber:
    lot_no: str
    serial_no: str
    expiration_date: datetime.date | None
    quantity: Decimal  # available in the bin for this line


def pick_line_available_tracking(*, pick_line_id: int, user: Any) -> list[AvailableNumber]:
    """Case 3: the numbers available in the line's bin (not blocked, not expired under strict posting,
    not on other open pick lines), with quantity and expiration date; earliest expiration first."""
    line = get_visible_pick_line(pick_line_id=pick_line_id, user=user)
    if line.action == PickLine.Action.PLACE and line.pair_id:  # a pair's numbers are its take line's
        line = get_visible_pick_line(pick_line_id=line.pair_id, user=user)
    if line.bin_id is None:
        return []
    stock = line_availability(line, bin_id=line.bin_id)
    budget = Budget.of(stock)
    bin_left = budget.bin_left.get((line.bin_id, line.item_id), ZERO)
    result = []
    for row in ordered_rows(stock.rows, fefo=True):
        left = min(budget.row_left.get(row.key, ZERO), bin_left)
        if row.stock.item_id != line.item_id or left <= 0 or not (row.stock.lot_no or row.stock.serial_no):
            continue
        result.append(AvailableNumber(row.stock.lot_no, row.stock.serial_no, row.stock.expiration_date, left))
    return result
