"""Pure rules for pick lines: no database, each with a unit test (picking/tests/picks/test_rules.py).

What a tracking code requires of each kind of number (serial, lot) is defined once, in
`tracking.rules.requirement` (`Requirement`, `KindRequirement`); the rules here say what that means for a
pick line. How a pick line gets its numbers (docs/domain.md, "How a pick line gets its numbers"), per kind:

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

from django.utils.translation import gettext as _

from core.quantities import ONE, ZERO, format_quantity
from tracking.rules import KindRequirement, Requirement


class NumberSource(enum.StrEnum):
    """Where a non-prescribed kind's number comes from on a new pick line."""

    NONE = "none"  # the item does not track this kind
    PROPOSED = "proposed"  # case 1: filled in from stock, changeable
    SELECT = "select"  # case 3: blank, the worker selects an existing number from the bin
    ASSIGN = "assign"  # case 2: blank, the worker assigns a new number (series) or types one


def number_source(kind: KindRequirement, *, fefo: bool) -> NumberSource:
    """Where a new, non-prescribed line's number of this kind comes from (`fefo`: the location picks
    according to FEFO)."""
    if not kind.tracked:
        return NumberSource.NONE
    if not kind.warehouse:
        return NumberSource.ASSIGN
    if kind.specific and not fefo:
        return NumberSource.SELECT
    return NumberSource.PROPOSED


def carries_numbers(req: Requirement) -> bool:
    """Stock carries numbers of at least one kind: a pick line's numbers must be in its bin."""
    return req.serial.warehouse or req.lot.warehouse


def proposes_numbers(req: Requirement, *, fefo: bool) -> bool:
    """A new, non-prescribed line names a whole stock row (case 1) rather than leaving numbers blank."""
    return NumberSource.PROPOSED in (number_source(req.serial, fefo=fefo), number_source(req.lot, fefo=fefo))


def pick_case(req: Requirement, *, fefo: bool, prescribed: bool) -> int:
    """The outbound case (1 to 4) of a line, or 0 for an item without tracking."""
    if not req.tracked:
        return 0
    if prescribed:
        return 4
    if proposes_numbers(req, fefo=fefo):
        return 1
    if carries_numbers(req):
        return 3
    return 2


def missing_numbers(req: Requirement, *, lot_no: str, serial_no: str) -> list[str]:
    """The kinds a handled line still lacks: posting needs every tracked kind's number."""
    missing = []
    if req.serial.required and not serial_no:
        missing.append("serial")
    if req.lot.required and not lot_no:
        missing.append("lot")
    return missing


# --- Changing a line ------------------------------------------------------------------------

EDITABLE_ON_LOCKED_LINE = frozenset({"qty_to_handle"})


def fields_refused_on_locked_line(changed: Iterable[str]) -> list[str]:
    """On a tracking_locked line (numbers prescribed by the source document) only Qty. to Handle changes."""
    return sorted(set(changed) - EDITABLE_ON_LOCKED_LINE)


def qty_to_handle_problem(
    *, value: Decimal, quantity: Decimal, qty_handled: Decimal, serial_no: str
) -> str | None:
    """Why `value` cannot be the line's Qty. to Handle, or None when it can."""
    outstanding = quantity - qty_handled
    if value < ZERO:
        return _("Qty. to Handle cannot be negative. Enter 0 or more.")
    if serial_no and value not in (ZERO, ONE):
        return _("Serial number %(serial)s is one unit: Qty. to Handle is 0 or 1.") % {"serial": serial_no}
    if value > outstanding:
        return _(
            "Qty. to Handle %(value)s is more than the %(outstanding)s still outstanding on this line. "
            "Enter at most %(outstanding)s."
        ) % {"value": format_quantity(value), "outstanding": format_quantity(outstanding)}
    return None


def split_problem(*, quantity: Decimal, qty_handled: Decimal, split_qty: Decimal) -> str | None:
    """Why a line cannot give `split_qty` of its outstanding quantity to a new line."""
    outstanding = quantity - qty_handled
    if split_qty <= ZERO:
        return _("Enter a quantity above 0 to split off.")
    if split_qty >= outstanding:
        return _(
            "Split off less than the %(outstanding)s outstanding on the line, so that both lines keep a "
            "quantity."
        ) % {"outstanding": format_quantity(outstanding)}
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
