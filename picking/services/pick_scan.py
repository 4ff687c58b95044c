"""Reading a scan on a pick: find the open line a scanned serial or lot number belongs on and update it.

The pick page's scan box calls `pick_scan`; every change goes through `pick_line_update`, so a scan is
checked exactly like a number typed on the line (bin, availability, locked lines). A scan is read in this
order (the first that fits wins):

1. an open line already carrying the number: a serial line gets Qty. to Handle 1, a lot line one more unit
   (or the quantity given), the first line of that lot with room first. Locked lines too, since only
   Qty. to Handle changes;
2. the number is in stock in the bin of an open, unlocked line of the item: the number goes on that line
   (a line still without a number of that kind first, then one whose proposed number may change); a
   serial on a line of several units splits off a one-unit line;
3. a new number for an item whose stock carries none of that kind (case 2): on the first open line
   lacking one (refused as ambiguous when several items of the pick take new numbers of that kind);
4. otherwise InvalidInput `scan_no_match`, and nothing changes.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from core.exceptions import ErrorCode, InvalidInput
from core.quantities import ONE, format_quantity
from picking.models import PickLine
from picking.selectors.picks import pick_detail
from picking.services.pick_line_update import pick_line_update
from tracking.rules import requirement
from warehouse.models import BinContent


class ScanKind(enum.StrEnum):
    """What a scan did. Today every accepted scan updates one line; reading GS1 codes, bin codes and
    asking which line when several fit add their kinds here (e.g. "choose_line")."""

    LINE_UPDATED = "line_updated"


@dataclass(frozen=True)
class ScanResult:
    kind: ScanKind
    message: str  # what the worker is told
    code: str  # what was scanned
    line: PickLine | None = None  # the line changed (a new one-unit line when a serial was split off)
    lines: tuple[PickLine, ...] = ()  # the lines to choose from, for kinds that ask
    serial_no: str = ""  # the number read from the scan, by kind
    lot_no: str = ""
    quantity: Decimal | None = None  # the quantity read from the scan or given with it


def pick_scan(*, pick_id: int, code: str, quantity: Any = None, user: Any) -> ScanResult:
    """Put a scanned serial or lot number `code` on the open line of the pick it belongs on (see the
    module's docstring for the order); `quantity` is how many units of a lot were scanned (empty: 1).

    NotFoundError for a pick the user cannot see; InvalidInput `scan_no_match` when no line can take the
    number, `scan_ambiguous` when a new number could go to lines of several items; the refusals of
    `pick_line_update` otherwise. Nothing changes when refused.
    """
    pick = pick_detail(pick_id=pick_id, user=user)
    step = _scan_quantity(quantity)
    lines = [
        ln for ln in pick.lines.all() if ln.action == PickLine.Action.TAKE and ln.qty_handled < ln.quantity
    ]
    changeable = [ln for ln in lines if not ln.tracking_locked]
    result = (
        _on_line_carrying(code, lines, step=step, user=user)
        or _in_bin_of_line(code, changeable, step=step, user=user)
        or _as_new_number(code, changeable, step=step, user=user)
    )
    if result is None:
        raise InvalidInput(
            f"No open line of pick {pick.no} can take {code}: it is not on the pick and not in the bins of "
            "its lines. Check the label and scan again, or choose the number on the line.",
            code=ErrorCode.SCAN_NO_MATCH,
            errors=[
                {"field": "code", "code": ErrorCode.SCAN_NO_MATCH, "detail": "No line takes this number."}
            ],
        )
    return result


def _scan_quantity(value: Any) -> Decimal:
    text = "" if value is None else str(value).strip()
    try:
        quantity = Decimal(text) if text else ONE
    except ArithmeticError:
        quantity = Decimal("NaN")
    if not quantity.is_finite():
        raise InvalidInput(
            f"'{text}' is not a quantity. Enter a number above 0, or leave it empty for 1.",
            errors=[{"field": "quantity", "code": ErrorCode.INVALID, "detail": "Enter a number above 0."}],
        )
    if quantity <= 0:
        raise InvalidInput(
            _(
                "The quantity must be greater than 0 (got %(quantity)s). Enter a number above 0, or leave it "
                "empty for 1."
            )
            % {"quantity": format_quantity(quantity)},
            code=ErrorCode.QUANTITY_NOT_POSITIVE,
            errors=[
                {
                    "field": "quantity",
                    "code": ErrorCode.QUANTITY_NOT_POSITIVE,
                    "detail": "Enter a number above 0.",
                }
            ],
        )
    return quantity


def _on_line_carrying(code: str, lines: Sequence[PickLine], *, step: Decimal, user: Any) -> ScanResult | None:
    """Step 1: a line already carrying the number gets Qty. to Handle (serial: 1; lot: one step more)."""
    for ln in lines:
        if ln.serial_no == code:
            line = pick_line_update(pick_line_id=ln.pk, qty_to_handle="1", user=user)
            message = f"Serial number {code}: line {line.line_no}, Qty. to Handle 1."
            return _updated(code, line, message, serial_no=code, quantity=ONE)
    lot_lines = [ln for ln in lines if ln.lot_no == code and not ln.serial_no]
    if not lot_lines:
        return None
    target = next((ln for ln in lot_lines if ln.qty_to_handle < ln.qty_outstanding), lot_lines[0])
    line = pick_line_update(pick_line_id=target.pk, qty_to_handle=str(target.qty_to_handle + step), user=user)
    message = f"Lot {code}: line {line.line_no}, Qty. to Handle {format_quantity(line.qty_to_handle)}."
    return _updated(code, line, message, lot_no=code, quantity=step)


def _in_bin_of_line(
    code: str, changeable: Sequence[PickLine], *, step: Decimal, user: Any
) -> ScanResult | None:
    """Step 2: the number is in stock in the bin of a changeable line of its item: it goes on that line."""
    for item_id, bin_id, serial_no in _stock_carrying(code, changeable):
        kind = "serial_no" if serial_no == code else "lot_no"
        candidates = [ln for ln in changeable if ln.item_id == item_id and ln.bin_id == bin_id]
        # a line still without a number of that kind first, then one whose proposed number may change
        candidates.sort(key=lambda ln: (bool(getattr(ln, kind)), ln.line_no))
        if candidates:
            return _put_number(code, candidates[0], kind, step=step, user=user, new=False)
    return None


def _stock_carrying(code: str, lines: Sequence[PickLine]) -> list[tuple[int, int, str]]:
    """(item, bin, serial_no) of the stock rows carrying `code` as serial or lot number, for the items
    of `lines` in their bins (one query)."""
    bins = {ln.bin_id for ln in lines if ln.bin_id is not None}
    return list(
        BinContent.objects.filter(
            Q(serial_no=code) | Q(lot_no=code),
            item_id__in={ln.item_id for ln in lines},
            bin_id__in=bins,
            quantity__gt=0,
        )
        .order_by("pk")
        .values_list("item_id", "bin_id", "serial_no")
    )


def _as_new_number(
    code: str, changeable: Sequence[PickLine], *, step: Decimal, user: Any
) -> ScanResult | None:
    """Step 3: a new number for an item whose stock carries none of that kind (serial first, then lot)."""
    for kind in ("serial_no", "lot_no"):
        new_number_lines = [ln for ln in changeable if _takes_new_number(ln, kind) and not getattr(ln, kind)]
        if len({ln.item_id for ln in new_number_lines}) > 1:
            raise InvalidInput(
                f"Several items of this pick take new {kind.replace('_no', '')} numbers, so {code} cannot be "
                "placed by scanning alone. Type it into the line it belongs to.",
                code=ErrorCode.SCAN_AMBIGUOUS,
            )
        if new_number_lines:
            return _put_number(code, new_number_lines[0], kind, step=step, user=user, new=True)
    return None


def _takes_new_number(line: PickLine, kind: str) -> bool:
    """The line's item tracks this kind of number, and its stock carries none (outbound tracking only)."""
    req = requirement(line.item.tracking_code)
    return (req.serial if kind == "serial_no" else req.lot).outbound_only


def _put_number(code: str, target: PickLine, kind: str, *, step: Decimal, user: Any, new: bool) -> ScanResult:
    """Put the number on the line: a serial number with Qty. to Handle 1, a lot with `step` units (at
    most the outstanding quantity)."""
    if kind == "serial_no":
        line = pick_line_update(pick_line_id=target.pk, serial_no=code, qty_to_handle="1", user=user)
        what = "New serial number" if new else "Serial number"
        message = f"{what} {code} is on line {line.line_no}, Qty. to Handle 1."
        return _updated(code, line, message, serial_no=code, quantity=ONE)
    qty = min(step, target.qty_outstanding)
    line = pick_line_update(pick_line_id=target.pk, lot_no=code, qty_to_handle=str(qty), user=user)
    what = "New lot" if new else "Lot"
    message = (
        f"{what} {code} is on line {line.line_no}, Qty. to Handle {format_quantity(line.qty_to_handle)}."
    )
    return _updated(code, line, message, lot_no=code, quantity=qty)


def _updated(
    code: str, line: PickLine, message: str, *, serial_no: str = "", lot_no: str = "", quantity: Decimal
) -> ScanResult:
    return ScanResult(
        kind=ScanKind.LINE_UPDATED,
        message=message,
        code=code,
        line=line,
        serial_no=serial_no,
        lot_no=lot_no,
        quantity=quantity,
    )
