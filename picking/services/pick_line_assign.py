"""Assign Serial Nos. / Assign Lot No. (case 2): new numbers from the item's number series for a line whose
item's stock carries no numbers of that kind (outbound tracking only).

The number series is locked first (it is first in the lock order), then the pick and the line. A serial
line of quantity n becomes n one-unit lines; a lot number goes on the quantity asked for, the rest of the
line is split off.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.db import bulk_insert
from core.exceptions import Conflict, ErrorCode, InvalidInput, SerialNotAvailable, TrackingLocked
from core.permissions import require_perm
from core.quantities import ONE, ZERO, format_quantity
from picking.models import Pick, PickLine
from picking.selectors.picks import get_visible_pick_line
from picking.services.activity import pick_lines_values_concerned, record_pick_change
from picking.services.pick_common import (
    check_line_open,
    describe,
    integrity_conflict,
    lock_line_for_change,
    new_line_like,
    next_line_nos,
    parse_quantity,
    split_off,
)
from picking.services.pick_pairs import pairs_follow
from tracking.rules import requirement
from tracking.services import no_series_take
from warehouse.models import ItemLedgerEntry
from warehouse.rules import require_whole_units


def pick_line_assign_serial_nos(*, pick_line_id: int, quantity: Any = None, user: Any) -> Pick:
    """Case 2: new serial numbers from the item's series; a line of quantity n becomes n one-unit lines."""
    preview, count_qty = _preview(pick_line_id=pick_line_id, kind="serial", quantity=quantity, user=user)
    if count_qty != count_qty.to_integral_value():
        raise InvalidInput(
            _("Serial numbers are assigned for whole units: enter a whole number."),
            code=ErrorCode.INVALID_QUANTITY,
        )
    series = preview.item.serial_nos
    if series is None:
        raise Conflict(
            _(
                "Item %(item)s has no serial number series: type the serial numbers, or ask a supervisor to "
                "give the item a series."
            )
            % {"item": preview.item.no},
            code=ErrorCode.NO_SERIES_MISSING,
        )
    with transaction.atomic():
        numbers = no_series_take(code=series.code, count=int(count_qty))  # the series first in the lock order
        pick, line = lock_line_for_change(pick_line_id=pick_line_id, user=user)
        check_line_open(line)
        check_assign_allowed(line, "serial")
        if assign_quantity(line, count_qty) != count_qty:
            raise Conflict(
                _("The line changed meanwhile. Reload and try again."), code=ErrorCode.CONCURRENT_CHANGE
            )
        _refuse_numbers_used_before(line, numbers, series_code=series.code)
        concerned, lines_before = pick_lines_values_concerned(pick.pk, [line.pk])
        new_lines = _give_serial_numbers(line, numbers)
        pairs_follow(pick=pick, take_line_ids=[line.pk], made_from={n.pk: line.pk for n in new_lines})
        record_pick_change(
            user=user,
            pick=pick,
            operation="pick_line_assign_serial_nos",
            lines_before=lines_before,
            concerned=concerned,
        )
        return pick


def pick_line_assign_lot_no(*, pick_line_id: int, quantity: Any = None, user: Any) -> Pick:
    """Case 2: a new lot number from the item's series for `quantity` of the line (the rest is split off)."""
    preview, qty = _preview(pick_line_id=pick_line_id, kind="lot", quantity=quantity, user=user)
    series = preview.item.lot_nos
    if series is None:
        raise Conflict(
            _(
                "Item %(item)s has no lot number series: type the lot number, or ask a supervisor to give "
                "the "
                "item a series."
            )
            % {"item": preview.item.no},
            code=ErrorCode.NO_SERIES_MISSING,
        )
    with transaction.atomic():
        lot = no_series_take(code=series.code)[0]
        pick, line = lock_line_for_change(pick_line_id=pick_line_id, user=user)
        check_line_open(line)
        check_assign_allowed(line, "lot")
        outstanding = assign_quantity(line, None)
        concerned, lines_before = pick_lines_values_concerned(pick.pk, [line.pk])
        made: dict[int, int] = {}
        if qty < outstanding:
            made[split_off(line, outstanding - qty).pk] = line.pk
        line.lot_no = lot
        line.save(update_fields=["lot_no"])
        pairs_follow(pick=pick, take_line_ids=[line.pk], made_from=made)
        record_pick_change(
            user=user,
            pick=pick,
            operation="pick_line_assign_lot_no",
            lines_before=lines_before,
            concerned=concerned,
        )
        return pick


def _preview(*, pick_line_id: int, kind: str, quantity: Any, user: Any) -> tuple[PickLine, Decimal]:
    """Before taking numbers from a series (which is locked first): the line as it is now, checked, and
    the quantity to assign numbers for."""
    require_perm(user, "picking.change_pickline", _("You are not allowed to handle pick lines."))
    preview = get_visible_pick_line(pick_line_id=pick_line_id, user=user)
    check_line_open(preview)
    check_assign_allowed(preview, kind)
    return preview, assign_quantity(preview, quantity)


def check_assign_allowed(line: PickLine, kind: str) -> None:
    """New numbers of `kind` ("serial" or "lot") may be assigned to the line: not locked, tracked, not
    carried by stock (then they are selected from the bin), and the line has none yet."""
    req = requirement(line.item.tracking_code)
    kind_req = req.serial if kind == "serial" else req.lot
    serial = kind == "serial"
    if line.tracking_locked:
        raise TrackingLocked(
            _("%(line)s picks numbers prescribed by the source document: only Qty. to Handle can be changed.")
            % {"line": describe(line)}
        )
    if not kind_req.tracked:
        raise InvalidInput(
            (
                _("Item %(item)s is not tracked by serial number: there is nothing to assign.")
                if serial
                else _("Item %(item)s is not tracked by lot number: there is nothing to assign.")
            )
            % {"item": line.item.no},
            code=ErrorCode.SERIAL_NOT_TRACKED if kind == "serial" else ErrorCode.LOT_NOT_TRACKED,
        )
    if kind_req.warehouse:
        raise Conflict(
            (
                _(
                    "Stock of item %(item)s carries its serial numbers: choose from the numbers available in "
                    "bin %(bin)s instead of assigning new ones."
                )
                if serial
                else _(
                    "Stock of item %(item)s carries its lot numbers: choose from the numbers available in "
                    "bin "
                    "%(bin)s instead of assigning new ones."
                )
            )
            % {"item": line.item.no, "bin": line.bin.code if line.bin else ""},
            code=ErrorCode.ASSIGN_NOT_ALLOWED,
        )
    current = line.serial_no if kind == "serial" else line.lot_no
    if current:
        raise Conflict(
            (
                _("%(line)s already has serial number %(number)s. Clear it first to assign serial numbers.")
                if serial
                else _("%(line)s already has lot number %(number)s. Clear it first to assign a lot number.")
            )
            % {"line": describe(line), "number": current},
            code=ErrorCode.NUMBER_ALREADY_SET,
        )


def assign_quantity(line: PickLine, quantity: Any) -> Decimal:
    """The quantity to assign numbers for: `quantity` (1 up to the outstanding), or all outstanding."""
    outstanding = line.quantity - line.qty_handled
    qty = outstanding if quantity is None or quantity == "" else parse_quantity(quantity, "quantity")
    require_whole_units(
        qty, item=line.item, field="quantity", prefix=_("%(line)s: ") % {"line": describe(line)}
    )
    if qty <= 0 or qty > outstanding:
        raise InvalidInput(
            _("%(line)s: assign numbers for 1 to %(outstanding)s units (got %(quantity)s).")
            % {
                "line": describe(line),
                "outstanding": format_quantity(outstanding),
                "quantity": format_quantity(qty),
            },
            code=ErrorCode.INVALID_QUANTITY,
            errors=[{"field": "quantity", "code": ErrorCode.INVALID_QUANTITY, "detail": _("Out of range.")}],
        )
    return qty


def _refuse_numbers_used_before(line: PickLine, numbers: list[str], *, series_code: str) -> None:
    """A new serial number must never have been used for the item (ledger or any pick line)."""
    used = set(
        ItemLedgerEntry.objects.filter(item_id=line.item_id, serial_no__in=numbers).values_list(
            "serial_no", flat=True
        )
    ) | set(
        PickLine.objects.filter(item_id=line.item_id, serial_no__in=numbers).values_list(
            "serial_no", flat=True
        )
    )
    if used:
        raise SerialNotAvailable(
            _(
                "Number series %(series)s handed out serial numbers already used for item %(item)s "
                "(%(numbers)s). Ask a supervisor to move the series past them."
            )
            % {"series": series_code, "item": line.item.no, "numbers": ", ".join(sorted(used)[:5])},
            numbers=sorted(used),
        )


def _give_serial_numbers(line: PickLine, numbers: list[str]) -> list[PickLine]:
    """One unit per number: the line keeps the first number when all of it gets numbers and nothing is
    handled yet; otherwise it shrinks and every number goes on a new line. Qty. to Handle goes with the
    units as far as it reaches."""
    count_qty = len(numbers) * ONE
    to_handle_left = line.qty_to_handle
    reuse_line = count_qty == line.quantity - line.qty_handled and line.qty_handled == 0
    new_numbers = numbers[1:] if reuse_line else numbers
    objs = []
    for line_no, number in zip(next_line_nos(line.pick_id, len(new_numbers)), new_numbers, strict=True):
        handle = ONE if to_handle_left >= ONE else ZERO
        to_handle_left -= handle
        objs.append(
            new_line_like(line, line_no=line_no, quantity=ONE, qty_to_handle=handle, serial_no=number)
        )
    if reuse_line:
        line.quantity = ONE
        line.serial_no = numbers[0]
        line.qty_to_handle = ONE if to_handle_left >= ONE else ZERO
    else:
        line.quantity -= count_qty
        line.qty_to_handle = min(to_handle_left, line.quantity - line.qty_handled)
    try:
        with transaction.atomic():
            line.save(update_fields=["quantity", "serial_no", "qty_to_handle"])
            bulk_insert(objs)
    except IntegrityError as exc:
        raise integrity_conflict(exc) from exc
    return objs
