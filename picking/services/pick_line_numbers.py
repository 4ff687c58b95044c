"""Which numbers a pick line may carry in a bin: the checks made whenever a line's numbers or bin change.

A number of a kind stock carries (warehouse tracking) must be in the line's bin, usable (not blocked, not
expired under strict expiration posting) and not held by another open pick line; a serial number of a
kind stock does not carry (outbound tracking only) must be new: never used for the item before. A line
without numbers of a carried kind only needs enough units in the bin. Used by the line services of
inventory picks and by the take lines of warehouse picks; call with the bin content locked
(`lock_stock_in_bin`), inside the caller's transaction.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import NoReturn

from django.db.models import F
from django.utils.translation import gettext as _

from core.exceptions import Conflict, ErrorCode, InvalidInput, SerialNotAvailable
from core.quantities import ZERO, format_quantity
from picking import rules
from picking.availability import AvailableRow
from picking.models import PickedStock, PickLine
from picking.planning import Budget
from picking.selectors.pick_lines import line_availability
from tracking.rules import Requirement, requirement, stock_key
from warehouse.locks import lock_bin_contents
from warehouse.models import Bin, BinContent, ItemLedgerEntry
from warehouse.selectors import StockRow


def lock_stock_in_bin(line: PickLine, *, bin_id: int) -> None:
    """Lock the bin content rows of the line's item in the bin, so two workers cannot choose the same
    units."""
    keys = BinContent.objects.filter(bin_id=bin_id, item_id=line.item_id).values_list(
        "bin_id", "item_id", "lot_no", "serial_no"
    )
    lock_bin_contents(list(keys))


def check_numbers(
    line: PickLine, *, bin_id: int, lot_no: str, serial_no: str, quantity: Decimal
) -> datetime.date | None:
    """Refuse numbers the line may not carry for `quantity` units in `bin_id`; return the expiration date
    they come with from stock (None when stock carries none)."""
    req = requirement(line.item.tracking_code)
    _check_kinds_tracked(line, req, lot_no=lot_no, serial_no=serial_no)
    if serial_no:
        _check_serial_free(line, req, serial_no=serial_no)
    return _check_in_bin(line, req, bin_id=bin_id, lot_no=lot_no, serial_no=serial_no, quantity=quantity)


def lot_of_serial(line: PickLine, *, bin_id: int, serial_no: str, lot_no: str) -> str:
    """The lot a serial number is stored with in the bin (when stock carries lots), else `lot_no`."""
    if not requirement(line.item.tracking_code).lot.warehouse:
        return lot_no
    lots = list(
        BinContent.objects.filter(
            bin_id=bin_id, item_id=line.item_id, serial_no=serial_no, quantity__gt=0
        ).values_list("lot_no", flat=True)
    )
    if lots and lot_no and lots[0] != lot_no:
        raise InvalidInput(
            f"Serial number {serial_no} of item {line.item.no} is in lot {lots[0]}, not in lot {lot_no}. "
            "Clear the lot number, or scan a serial number of this lot.",
            code=ErrorCode.LOT_MISMATCH,
            errors=[
                {
                    "field": "lot_no",
                    "code": ErrorCode.LOT_MISMATCH,
                    "detail": _("Serial number in lot %(lot_no)s.") % {"lot_no": lots[0]},
                }
            ],
        )
    return lots[0] if lots else lot_no


# --- The steps of check_numbers ----------------------------------------------------------------------


def _check_kinds_tracked(line: PickLine, req: Requirement, *, lot_no: str, serial_no: str) -> None:
    item_no = line.item.no
    if serial_no and not req.serial.tracked:
        raise InvalidInput(
            f"Item {item_no} is not tracked by serial number: leave the serial number empty.",
            errors=[
                {
                    "field": "serial_no",
                    "code": ErrorCode.SERIAL_NOT_TRACKED,
                    "detail": "Not tracked by serial no.",
                }
            ],
        )
    if lot_no and not req.lot.tracked:
        raise InvalidInput(
            f"Item {item_no} is not tracked by lot number: leave the lot number empty.",
            errors=[
                {"field": "lot_no", "code": ErrorCode.LOT_NOT_TRACKED, "detail": "Not tracked by lot no."}
            ],
        )


def _check_serial_free(line: PickLine, req: Requirement, *, serial_no: str) -> None:
    """The serial number is on no other open pick line; a new one (not carried by stock) was never used."""
    item_no = line.item.no
    other_pick = _serial_on_other_line(line, serial_no)
    if other_pick:
        raise SerialNotAvailable(
            f"Serial number {serial_no} of item {item_no} is already on pick {other_pick}. "
            "Choose or scan another one.",
            errors=[
                {"field": "serial_no", "code": ErrorCode.SERIAL_NOT_AVAILABLE, "detail": "On another pick."}
            ],
        )
    if not req.serial.warehouse and _serial_used(line.item_id, serial_no):
        raise SerialNotAvailable(
            f"Serial number {serial_no} was already used for item {item_no}; a new serial number must "
            "never have been used before. Assign one from the number series or type another.",
            errors=[{"field": "serial_no", "code": ErrorCode.SERIAL_USED_BEFORE, "detail": "Used before."}],
        )


def _serial_used(item_id: int, serial_no: str) -> bool:
    """The serial number was used for the item before: in the ledger, or registered on a warehouse
    shipment line and not shipped yet."""
    return (
        ItemLedgerEntry.objects.filter(item_id=item_id, serial_no=serial_no).exists()
        or PickedStock.objects.filter(
            item_id=item_id, serial_no=serial_no, qty_shipped__lt=F("quantity")
        ).exists()
    )


def _serial_on_other_line(line: PickLine, serial_no: str) -> str | None:
    """The number of the pick whose open line (other than `line`) carries the serial number."""
    other = (
        PickLine.objects.filter(
            item_id=line.item_id,
            serial_no=serial_no,
            action=PickLine.Action.TAKE,
            qty_handled__lt=F("quantity"),
        )
        .exclude(pk=line.pk)
        .select_related("pick")
        .first()
    )
    return other.pick.no if other else None


def _check_in_bin(
    line: PickLine, req: Requirement, *, bin_id: int, lot_no: str, serial_no: str, quantity: Decimal
) -> datetime.date | None:
    """Enough of the numbers (or, without carried numbers, of the item) is available in the bin."""
    lot_key, serial_key = stock_key(req, lot_no, serial_no)
    stock = line_availability(line, bin_id=bin_id)
    bin_code = Bin.objects.filter(pk=bin_id).values_list("code", flat=True).first() or ""
    budget = Budget.of(stock)
    bin_left = budget.bin_left.get((bin_id, line.item_id), ZERO)
    if not rules.carries_numbers(req) or not (lot_key or serial_key):
        if bin_left < quantity:
            raise Conflict(
                f"Bin {bin_code} has only {format_quantity(bin_left)} of item {line.item.no} available, but "
                f"the line needs {format_quantity(quantity)}. Choose another bin or split the line.",
                code=ErrorCode.INSUFFICIENT_QUANTITY,
                errors=[
                    {
                        "field": "bin",
                        "code": ErrorCode.INSUFFICIENT_QUANTITY,
                        "detail": "Not enough in this bin.",
                    }
                ],
            )
        return None
    matching = [
        r
        for r in stock.rows
        if r.stock.item_id == line.item_id
        and (not lot_key or r.stock.lot_no == lot_key)
        and (not serial_key or r.stock.serial_no == serial_key)
    ]
    available = min(sum((budget.row_left.get(r.key, ZERO) for r in matching), ZERO), bin_left)
    _check_number_usable(
        line,
        matching,
        label=f"serial number {serial_no}" if serial_key else f"lot {lot_no}",
        is_serial=bool(serial_key),
        bin_code=bin_code,
        available=available,
        quantity=quantity,
    )
    return matching[0].stock.expiration_date


def _check_number_usable(
    line: PickLine,
    matching: list[AvailableRow],
    *,
    label: str,
    is_serial: bool,
    bin_code: str,
    available: Decimal,
    quantity: Decimal,
) -> None:
    """The number (`label`) is in the bin, usable, and available for `quantity`. A serial number is refused
    with SerialNotAvailable (`serial_not_available`), a lot with Conflict `lot_not_available`; a blocked or
    expired number with its own code, a lot with too little available with `insufficient_quantity` (the
    codes the source document checks and posting give)."""
    field_name = "serial_no" if is_serial else "lot_no"
    exc_class = SerialNotAvailable if is_serial else Conflict

    def refuse(detail: str, short: str, code: ErrorCode | None = None) -> NoReturn:
        code = code or (ErrorCode.SERIAL_NOT_AVAILABLE if is_serial else ErrorCode.LOT_NOT_AVAILABLE)
        raise exc_class(detail, code=code, errors=[{"field": field_name, "code": code, "detail": short}])

    item_no = line.item.no
    capitalised = f"{label[:1].upper()}{label[1:]}"
    if not matching:
        refuse(
            f"{capitalised} of item {item_no} is not in bin {bin_code}. Scan the label again, or choose one "
            "of the numbers available in the bin.",
            f"Not in bin {bin_code}.",
        )
    unusable = [r for r in matching if not r.usable]
    if unusable and len(unusable) == len(matching):
        first = unusable[0].stock
        why = "blocked" if first.blocked else f"expired on {first.expiration_date}"
        refuse(
            f"{capitalised} of item {item_no} is {why} and cannot be picked. Choose another one.",
            why.capitalize() + ".",
            _unusable_code(first, is_serial=is_serial),
        )
    if available < quantity:
        refuse(
            f"Only {format_quantity(available)} of {label} of item {item_no} is available in bin {bin_code} "
            "(the rest is on other open picks), but the line needs "
            f"{format_quantity(quantity)}. Split the line or choose another number.",
            "Not enough available.",
            None if is_serial else ErrorCode.INSUFFICIENT_QUANTITY,
        )


def _unusable_code(row: StockRow, *, is_serial: bool) -> ErrorCode:
    """The code of a stock row that may not be picked: its bin or its number blocked, or expired."""
    if row.bin_blocked:
        return ErrorCode.BIN_BLOCKED
    if row.blocked:
        return ErrorCode.SERIAL_BLOCKED if is_serial else ErrorCode.LOT_BLOCKED
    return ErrorCode.EXPIRED
