"""Pure rules for pick lines: no database, each with a unit test (picking/tests/picks/test_rules.py).

How a pick line gets its numbers (DESIGN.md, "How a pick line gets its numbers"), per kind (serial, lot):

| the item tracks that kind with              | prescribed | pick lines at creation              | case |
| ------------------------------------------- | ---------- | ----------------------------------- | ---- |
| warehouse or outbound tracking              | yes        | the prescribed numbers, locked      | 4    |
| warehouse tracking, location picks by FEFO  | no         | proposed, earliest expiration first | 1    |
| warehouse tracking, not specific            | no         | proposed, first received first      | 1    |
| specific tracking, location not FEFO        | no         | blank: the worker selects           | 3    |
| outbound tracking only                      | no         | blank: the worker assigns new ones  | 2    |

An item may track both kinds. Stock rows carry the numbers of the warehouse-tracked kinds together, so a
non-prescribed line either names a whole stock row (when at least one carried kind is proposed) or leaves
the carried numbers blank (when every carried kind is for the worker to select).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from core.quantities import format_quantity

ZERO = Decimal(0)
ONE = Decimal(1)


class TrackingFlags(Protocol):
    """The fields of an item tracking code the rules read (tracking.models.ItemTrackingCode has them)."""

    sn_specific_tracking: bool
    sn_warehouse_tracking: bool
    sn_outbound_tracking: bool
    lot_specific_tracking: bool
    lot_warehouse_tracking: bool
    lot_outbound_tracking: bool
    use_expiration_dates: bool
    strict_expiration_posting: bool


class NumberSource(enum.StrEnum):
    """Where a non-prescribed kind's number comes from on a new pick line."""

    NONE = "none"  # the item does not track this kind
    PROPOSED = "proposed"  # case 1: filled in from stock, changeable
    SELECT = "select"  # case 3: blank, the worker selects an existing number from the bin
    ASSIGN = "assign"  # case 2: blank, the worker assigns a new number (series) or types one


def tracks_serial(code: TrackingFlags | None) -> bool:
    return bool(
        code and (code.sn_specific_tracking or code.sn_warehouse_tracking or code.sn_outbound_tracking)
    )


def tracks_lot(code: TrackingFlags | None) -> bool:
    return bool(
        code and (code.lot_specific_tracking or code.lot_warehouse_tracking or code.lot_outbound_tracking)
    )


def serial_in_stock(code: TrackingFlags | None) -> bool:
    """Stock in bins carries serial numbers (specific tracking implies warehouse tracking)."""
    return bool(code and (code.sn_warehouse_tracking or code.sn_specific_tracking))


def lot_in_stock(code: TrackingFlags | None) -> bool:
    return bool(code and (code.lot_warehouse_tracking or code.lot_specific_tracking))


def serial_source(code: TrackingFlags | None, *, fefo: bool) -> NumberSource:
    if not tracks_serial(code):
        return NumberSource.NONE
    assert code is not None
    if not serial_in_stock(code):
        return NumberSource.ASSIGN
    if code.sn_specific_tracking and not fefo:
        return NumberSource.SELECT
    return NumberSource.PROPOSED


def lot_source(code: TrackingFlags | None, *, fefo: bool) -> NumberSource:
    if not tracks_lot(code):
        return NumberSource.NONE
    assert code is not None
    if not lot_in_stock(code):
        return NumberSource.ASSIGN
    if code.lot_specific_tracking and not fefo:
        return NumberSource.SELECT
    return NumberSource.PROPOSED


def proposes_numbers(code: TrackingFlags | None, *, fefo: bool) -> bool:
    """A new, non-prescribed line names a whole stock row (case 1) rather than leaving numbers blank."""
    return NumberSource.PROPOSED in (serial_source(code, fefo=fefo), lot_source(code, fefo=fefo))


def pick_case(code: TrackingFlags | None, *, fefo: bool, prescribed: bool) -> int:
    """The outbound case (1 to 4) of a line, or 0 for an item without tracking."""
    if not (tracks_serial(code) or tracks_lot(code)):
        return 0
    if prescribed:
        return 4
    if proposes_numbers(code, fefo=fefo):
        return 1
    if serial_in_stock(code) or lot_in_stock(code):
        return 3
    return 2


def carried_numbers(code: TrackingFlags | None, *, lot_no: str, serial_no: str) -> tuple[str, str]:
    """The (lot_no, serial_no) that stock carries for these numbers: a kind not in stock is ""."""
    return (lot_no if lot_in_stock(code) else "", serial_no if serial_in_stock(code) else "")


def missing_numbers(code: TrackingFlags | None, *, lot_no: str, serial_no: str) -> list[str]:
    """The kinds a handled line still lacks: posting needs every tracked kind's number."""
    missing = []
    if tracks_serial(code) and not serial_no:
        missing.append("serial")
    if tracks_lot(code) and not lot_no:
        missing.append("lot")
    return missing


# --- Changing a line ------------------------------------------------------------------------

EDITABLE_ON_LOCKED_LINE = frozenset({"qty_to_handle"})
LINE_FIELDS = frozenset({"qty_to_handle", "serial_no", "lot_no", "bin"})


def fields_refused_on_locked_line(changed: Iterable[str]) -> list[str]:
    """On a tracking_locked line (numbers prescribed by the source document) only Qty. to Handle changes."""
    return sorted(set(changed) - EDITABLE_ON_LOCKED_LINE)


def qty_to_handle_problem(
    *, value: Decimal, quantity: Decimal, qty_handled: Decimal, serial_no: str
) -> str | None:
    """Why `value` cannot be the line's Qty. to Handle, or None when it can."""
    outstanding = quantity - qty_handled
    if value < ZERO:
        return "Qty. to Handle cannot be negative. Enter 0 or more."
    if serial_no and value not in (ZERO, ONE):
        return f"Serial number {serial_no} is one unit: Qty. to Handle is 0 or 1."
    if value > outstanding:
        return (
            f"Qty. to Handle {fmt_qty(value)} is more than the {fmt_qty(outstanding)} still outstanding on "
            f"this line. Enter at most {fmt_qty(outstanding)}."
        )
    return None


def split_problem(*, quantity: Decimal, qty_handled: Decimal, split_qty: Decimal) -> str | None:
    """Why a line cannot give `split_qty` of its outstanding quantity to a new line."""
    outstanding = quantity - qty_handled
    if split_qty <= ZERO:
        return "Enter a quantity above 0 to split off."
    if split_qty >= outstanding:
        return (
            f"Split off less than the {fmt_qty(outstanding)} outstanding on the line, so that both lines "
            "keep a quantity."
        )
    return None


@dataclass(frozen=True)
class SplitQuantities:
    """A line (quantity, qty_handled, qty_to_handle) giving `split_qty` of its outstanding to a new line."""

    kept_quantity: Decimal
    kept_qty_to_handle: Decimal
    new_quantity: Decimal
    new_qty_to_handle: Decimal


def split_quantities(
    *, quantity: Decimal, qty_handled: Decimal, qty_to_handle: Decimal, split_qty: Decimal
) -> SplitQuantities:
    """The new line takes `split_qty`; Qty. to Handle stays on the old line as far as it still fits."""
    kept_quantity = quantity - split_qty
    kept_to_handle = min(qty_to_handle, kept_quantity - qty_handled)
    moved_to_handle = min(qty_to_handle - kept_to_handle, split_qty)
    return SplitQuantities(kept_quantity, kept_to_handle, split_qty, moved_to_handle)


def fmt_qty(value: Decimal) -> str:
    """A quantity as a worker reads it: 3, 2.5."""
    return format_quantity(value) or "0"
