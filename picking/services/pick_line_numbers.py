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
            _(
                "Serial number %(serial)s of item %(item)s is in lot %(stock_lot)s, not in lot %(lot)s. "
                "Clear "
                "the lot number, or scan a serial number of this lot."
            )
            % {"serial": serial_no, "item": line.item.no, "stock_lot": lots[0], "lot": lot_no},
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
            _("Item %(item)s is not tracked by serial number: leave the serial number empty.")
            % {"item": item_no},
            errors=[
                {
                    "field": "serial_no",
                    "code": ErrorCode.SERIAL_NOT_TRACKED,
                    "detail": _("Not tracked by serial no."),
                }
            ],
        )
    if lot_no and not req.lot.tracked:
        raise InvalidInput(
            _("Item %(item)s is not tracked by lot number: leave the lot number empty.") % {"item": item_no},
            errors=[
                {"field": "lot_no", "code": ErrorCode.LOT_NOT_TRACKED, "detail": _("Not tracked by lot no.")}
            ],
        )


def _check_serial_free(line: PickLine, req: Requirement, *, serial_no: str) -> None:
    """The serial number is on no other open pick line; a new one (not carried by stock) was never used."""
    item_no = line.item.no
    other_pick = _serial_on_other_line(line, serial_no)
    if other_pick:
        raise SerialNotAvailable(
            _(
                "Serial number %(serial)s of item %(item)s is already on pick %(pick)s. Choose or scan "
                "another one."
            )
            % {"serial": serial_no, "item": item_no, "pick": other_pick},
            errors=[
                {
                    "field": "serial_no",
                    "code": ErrorCode.SERIAL_NOT_AVAILABLE,
                    "detail": _("On another pick."),
                }
            ],
        )
    if not req.serial.warehouse and _serial_used(line.item_id, serial_no):
        raise SerialNotAvailable(
            _(
                "Serial number %(serial)s was already used for item %(item)s; a new serial number must never "
                "have been used before. Assign one from the number series or type another."
            )
            % {"serial": serial_no, "item": item_no},
            errors=[
                {"field": "serial_no", "code": ErrorCode.SERIAL_USED_BEFORE, "detail": _("Used before.")}
            ],
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
                _(
                    "Bin %(bin)s has only %(available)s of item %(item)s available, but the line needs "
                    "%(quantity)s. Choose another bin or split the line."
                )
                % {
                    "bin": bin_code,
                    "available": format_quantity(bin_left),
                    "item": line.item.no,
                    "quantity": format_quantity(quantity),
                },
                code=ErrorCode.INSUFFICIENT_QUANTITY,
                errors=[
                    {
                        "field": "bin",
                        "code": ErrorCode.INSUFFICIENT_QUANTITY,
                        "detail": _("Not enough in this bin."),
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
        number=serial_no if serial_key else lot_no,
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
    number: str,
    is_serial: bool,
    bin_code: str,
    available: Decimal,
    quantity: Decimal,
) -> None:
    """The number (a serial number when `is_serial`, else a lot) is in the bin, usable, and available for
    `quantity`. A serial number is refused with SerialNotAvailable (`serial_not_available`), a lot with
    Conflict `lot_not_available`; a blocked or expired number with its own code, a lot with too little
    available with `insufficient_quantity` (the codes the source document checks and posting give)."""
    field_name = "serial_no" if is_serial else "lot_no"
    exc_class = SerialNotAvailable if is_serial else Conflict

    def refuse(detail: str, short: str, code: ErrorCode | None = None) -> NoReturn:
        code = code or (ErrorCode.SERIAL_NOT_AVAILABLE if is_serial else ErrorCode.LOT_NOT_AVAILABLE)
        raise exc_class(detail, code=code, errors=[{"field": field_name, "code": code, "detail": short}])

    values = {"number": number, "item": line.item.no, "bin": bin_code}
    if not matching:
        refuse(
            (
                _(
                    "Serial number %(number)s of item %(item)s is not in bin %(bin)s. Scan the label again, "
                    "or "
                    "choose one of the numbers available in the bin."
                )
                if is_serial
                else _(
                    "Lot %(number)s of item %(item)s is not in bin %(bin)s. Scan the label again, or choose "
                    "one "
                    "of the numbers available in the bin."
                )
            )
            % values,
            _("Not in bin %(bin)s.") % values,
        )
    unusable = [r for r in matching if not r.usable]
    if unusable and len(unusable) == len(matching):
        first = unusable[0].stock
        if first.blocked:
            detail = (
                _(
                    "Serial number %(number)s of item %(item)s is blocked and cannot be picked. Choose "
                    "another one."
                )
                if is_serial
                else _("Lot %(number)s of item %(item)s is blocked and cannot be picked. Choose another one.")
            ) % values
            short = _("Blocked.")
        else:
            date = {"date": first.expiration_date}
            detail = (
                _(
                    "Serial number %(number)s of item %(item)s is expired on %(date)s and cannot be picked. "
                    "Choose another one."
                )
                if is_serial
                else _(
                    "Lot %(number)s of item %(item)s is expired on %(date)s and cannot be picked. Choose "
                    "another one."
                )
            ) % {**values, **date}
            short = _("Expired on %(date)s.") % date
        refuse(detail, short, _unusable_code(first, is_serial=is_serial))
    if available < quantity:
        amounts = {"available": format_quantity(available), "quantity": format_quantity(quantity)}
        refuse(
            (
                _(
                    "Only %(available)s of serial number %(number)s of item %(item)s is available in bin "
                    "%(bin)s (the rest is on other open picks), but the line needs %(quantity)s. Split the "
                    "line or choose another number."
                )
                if is_serial
                else _(
                    "Only %(available)s of lot %(number)s of item %(item)s is available in bin %(bin)s (the "
                    "rest is on other open picks), but the line needs %(quantity)s. Split the line or choose "
                    "another number."
                )
            )
            % {**values, **amounts},
            _("Not enough available."),
            None if is_serial else ErrorCode.INSUFFICIENT_QUANTITY,
        )


def _unusable_code(row: StockRow, *, is_serial: bool) -> ErrorCode:
    """The code of a stock row that may not be picked: its bin or its number blocked, or expired."""
    if row.bin_blocked:
        return ErrorCode.BIN_BLOCKED
    if row.blocked:
        return ErrorCode.SERIAL_BLOCKED if is_serial else ErrorCode.LOT_BLOCKED
    return ErrorCode.EXPIRED
