"""Assign Serial No. / Assign Lot No. on a source line: new numbers from the item's number series.

Only for a kind the item tracks on outbound without warehouse tracking (stock carries no such numbers:
case 2). The request is checked first without any lock, so that a refusal never uses up numbers; then, in
one transaction and in the lock order of docs/architecture.md, the numbers are taken from the series (the
series row lock comes first), the source line and its item tracking lines are locked, everything is checked
again as it is now, and only the new tracking lines are inserted.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from core.exceptions import Conflict, ErrorCode, InvalidInput, NotFoundError
from core.quantities import ONE, format_quantity
from picking.models import ItemTrackingLine, SourceLine
from picking.services.item_tracking_lines import (
    LockedLine,
    check_line_tracking,
    check_not_on_pick,
    lock_line_for_change,
    write_tracking_changes,
)
from picking.services.source_document_input import Error, TrackingInput, field_error, parse_quantity
from tracking.rules import requirement
from warehouse.rules import require_whole_units


def item_tracking_assign_serial_nos(
    *, source_line_id: int, quantity: Any = None, user: Any
) -> list[ItemTrackingLine]:
    """Assign `quantity` new serial numbers from the item's series (default: the undefined quantity)."""
    from tracking.services import no_series_take

    before = _read_line(source_line_id=source_line_id, user=user)
    series = _series(before.line, "serial")
    check_not_on_pick(before.line)
    count = int(_assign_quantity(before, quantity, whole=True))
    with transaction.atomic():
        numbers = no_series_take(code=series, count=count)  # lock order: the number series first
        locked = lock_line_for_change(source_line_id=source_line_id, user=user)
        _assign_quantity(locked, count, whole=True)
        new = [
            TrackingInput(serial_no=n, lot_no="", quantity=ONE, field=f"new[{i}]")
            for i, n in enumerate(numbers)
        ]
        check_line_tracking(locked, [*locked.entries(), *new])
        return write_tracking_changes(
            locked, insert=new, user=user, operation="item_tracking_assign_serial_nos"
        )


def item_tracking_assign_lot_no(
    *, source_line_id: int, quantity: Any = None, user: Any
) -> list[ItemTrackingLine]:
    """Assign one new lot number from the item's series to `quantity` (default: the undefined quantity)."""
    from tracking.services import no_series_take

    before = _read_line(source_line_id=source_line_id, user=user)
    series = _series(before.line, "lot")
    check_not_on_pick(before.line)
    value = _assign_quantity(before, quantity, whole=False)
    with transaction.atomic():
        (number,) = no_series_take(code=series, count=1)  # lock order: the number series first
        locked = lock_line_for_change(source_line_id=source_line_id, user=user)
        _assign_quantity(locked, value, whole=False)
        new = TrackingInput(serial_no="", lot_no=number, quantity=value, field="new")
        check_line_tracking(locked, [*locked.entries(), new])
        return write_tracking_changes(
            locked, insert=[new], user=user, operation="item_tracking_assign_lot_no"
        )


def _read_line(*, source_line_id: int, user: Any) -> LockedLine:
    """The line and its tracking lines as they are now, without a lock (for the checks before any number
    is taken); 404 at a location the user does not work at."""
    from warehouse.scoping import visible_locations

    line = (
        SourceLine.objects.filter(pk=source_line_id, document__location__in=visible_locations(user))
        .select_related(
            "document__location", "item__tracking_code", "item__serial_nos", "item__lot_nos", "bin"
        )
        .first()
    )
    if line is None:
        raise NotFoundError(_("This source line does not exist, or is not at a location you work at."))
    return LockedLine(line=line, rows=list(line.tracking_lines.order_by("pk")))


def _series(line: SourceLine, kind: str) -> str:
    """The code of the item's number series for `kind`, if new numbers of that kind may be assigned."""
    item = line.item
    req = requirement(item.tracking_code)
    kind_req = req.serial if kind == "serial" else req.lot
    serial = kind == "serial"
    if not kind_req.tracked:
        raise InvalidInput(
            (
                _("Item %(item)s does not track serial numbers: there is nothing to assign.")
                if serial
                else _("Item %(item)s does not track lot numbers: there is nothing to assign.")
            )
            % {"item": item.no},
            code=ErrorCode.SERIAL_NOT_TRACKED if kind == "serial" else ErrorCode.LOT_NOT_TRACKED,
        )
    if kind_req.warehouse:
        raise Conflict(
            (
                _(
                    "Item %(item)s carries its serial numbers in stock: new numbers cannot be assigned. Use "
                    "Select Entries to choose numbers that are in stock."
                )
                if serial
                else _(
                    "Item %(item)s carries its lot numbers in stock: new numbers cannot be assigned. Use "
                    "Select Entries to choose numbers that are in stock."
                )
            )
            % {"item": item.no},
            code=ErrorCode.ASSIGN_NOT_ALLOWED,
        )
    series = item.serial_nos if kind == "serial" else item.lot_nos
    if series is None:
        raise Conflict(
            (
                _(
                    "Item %(item)s has no number series for serial numbers. Ask a supervisor to set one on "
                    "the item, or type the numbers."
                )
                if serial
                else _(
                    "Item %(item)s has no number series for lot numbers. Ask a supervisor to set one on the "
                    "item, or type the numbers."
                )
            )
            % {"item": item.no},
            code=ErrorCode.NO_SERIES_MISSING,
        )
    return series.code


def _assign_quantity(locked: LockedLine, quantity: Any, *, whole: bool) -> Decimal:
    """The quantity to assign numbers to: given, or the whole undefined quantity; at most that."""
    errors: list[Error] = []
    undefined = locked.undefined_quantity
    value = undefined if quantity is None or quantity == "" else parse_quantity(quantity, "quantity", errors)
    if errors or value is None:
        raise InvalidInput(errors[0]["detail"] if errors else _("quantity is required."), errors=errors)
    line_no = locked.line.line_no
    require_whole_units(
        value, item=locked.line.item, field="quantity", prefix=_("Line %(line)s: ") % {"line": line_no}
    )
    if value <= 0 or value > undefined:
        raise InvalidInput(
            _(
                "Only %(undefined)s of line %(line)s are without numbers; choose a quantity between 1 and "
                "%(undefined)s."
            )
            % {"undefined": format_quantity(undefined), "line": line_no},
            code=ErrorCode.QUANTITY_EXCEEDS_UNDEFINED,
            errors=[
                field_error(
                    "quantity",
                    ErrorCode.QUANTITY_EXCEEDS_UNDEFINED,
                    _("At most %(quantity)s.") % {"quantity": format_quantity(undefined)},
                )
            ],
        )
    if whole and value != value.to_integral_value():
        raise InvalidInput(
            _("Serial numbers are assigned per unit: give a whole quantity."),
            code=ErrorCode.INVALID_QUANTITY,
            errors=[field_error("quantity", ErrorCode.INVALID_QUANTITY, _("Give a whole number."))],
        )
    return value
