"""Changing a pick line: its Qty. to Handle, its serial or lot number, its bin (the line's form on the pick
page, `PATCH /picks/{id}/lines/{line}/`, and every scan).

Rules (docs/domain.md, "The four outbound cases"): on a `tracking_locked` line (numbers prescribed by the
source document, case 4) only Qty. to Handle changes; numbers are checked against the line's bin
(`picking.services.pick_line_numbers`); a serial number set on a line of more than one unit splits off a
one-unit line carrying it. The service owns its transaction and locks pick, line, then the bin content.
"""

from __future__ import annotations

import enum
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.exceptions import Conflict, ErrorCode, InvalidInput, TrackingLocked
from core.permissions import require_perm
from core.quantities import ONE
from picking import rules
from picking.models import Pick, PickLine
from picking.services.activity import pick_lines_values_concerned, record_pick_change
from picking.services.pick_common import (
    check_line_open,
    describe,
    integrity_conflict,
    lock_line_for_change,
    numbers_text,
    parse_quantity,
    split_off,
)
from picking.services.pick_line_numbers import check_numbers, lock_stock_in_bin, lot_of_serial
from picking.services.pick_pairs import pairs_follow
from tracking.rules import requirement
from warehouse.models import Bin
from warehouse.rules import require_whole_units


class _Unset(enum.Enum):
    UNSET = "unset"


UNSET = _Unset.UNSET  # "not given": the field keeps its value


def pick_line_update(
    *,
    pick_line_id: int,
    user: Any,
    serial_no: str | _Unset = UNSET,
    lot_no: str | _Unset = UNSET,
    bin_code: str | _Unset = UNSET,
    qty_to_handle: Any = UNSET,
) -> PickLine:
    """Change a line: Qty. to Handle, its numbers, its bin.

    - On a `tracking_locked` line (numbers prescribed by the source document) only Qty. to Handle
      changes: anything else raises TrackingLocked.
    - A number of a warehouse-tracked kind must be available in the line's bin; an outbound-only serial
      number must be new (never used for the item). SerialNotAvailable otherwise.
    - A serial number set on a line of quantity > 1 splits off a one-unit line carrying it; that new
      line is returned.
    """
    require_perm(user, "picking.change_pickline", _("You are not allowed to handle pick lines."))
    with transaction.atomic():
        pick, line = lock_line_for_change(pick_line_id=pick_line_id, user=user)
        if line.action == PickLine.Action.PLACE:
            return _update_place_line(
                pick, line, serial_no=serial_no, lot_no=lot_no, bin_code=bin_code, qty_to_handle=qty_to_handle
            )
        check_line_open(line)
        concerned, lines_before = pick_lines_values_concerned(pick.pk, [line.pk])
        changes = _requested_changes(line, pick, serial_no=serial_no, lot_no=lot_no, bin_code=bin_code)
        _refuse_on_locked_line(line, changes)
        if changes.get("serial_no") and line.qty_handled > 0:
            raise Conflict(
                _("%(line)s is partly handled: split off the rest first, then set its serial number.")
                % {"line": describe(line)},
                code=ErrorCode.LINE_PARTLY_HANDLED,
            )
        result = _change_numbers(line, changes) if changes else line
        if not isinstance(qty_to_handle, _Unset):
            set_qty_to_handle(result, qty_to_handle)
            result.save(update_fields=["qty_to_handle"])
        record_pick_change(
            user=user, pick=pick, operation="pick_line_update", lines_before=lines_before, concerned=concerned
        )
        result.pick = pick
        made = {result.pk: line.pk} if result.pk != line.pk else None
        pairs_follow(pick=pick, take_line_ids=[line.pk, result.pk], made_from=made)
        return result


def pick_line_set_qty_to_handle(*, pick_line_id: int, qty_to_handle: Any, user: Any) -> PickLine:
    """Set Qty. to Handle (0 to the outstanding quantity; 0 or 1 on a serial line).

    Allowed on tracking_locked lines too."""
    return pick_line_update(pick_line_id=pick_line_id, qty_to_handle=qty_to_handle, user=user)


def set_qty_to_handle(line: PickLine, value: Any) -> None:
    """Check `value` against the line (picking.rules.qty_to_handle_problem) and set it (not saved)."""
    qty = parse_quantity(value, "qty_to_handle")
    require_whole_units(
        qty, item=line.item, field="qty_to_handle", prefix=_("%(line)s: ") % {"line": describe(line)}
    )
    problem = rules.qty_to_handle_problem(
        value=qty, quantity=line.quantity, qty_handled=line.qty_handled, serial_no=line.serial_no
    )
    if problem:
        code = (
            ErrorCode.QTY_TO_HANDLE_EXCEEDS_OUTSTANDING
            if qty > line.quantity - line.qty_handled
            else ErrorCode.INVALID_QUANTITY
        )
        raise InvalidInput(
            _("%(line)s: %(problem)s") % {"line": describe(line), "problem": problem},
            code=code,
            errors=[{"field": "qty_to_handle", "code": code, "detail": problem}],
        )
    line.qty_to_handle = qty


# --- The steps of pick_line_update ---------------------------------------------------------------


def _requested_changes(
    line: PickLine, pick: Pick, *, serial_no: str | _Unset, lot_no: str | _Unset, bin_code: str | _Unset
) -> dict[str, Any]:
    """The fields that really change: `serial_no`, `lot_no` (stripped text), `bin` (a Bin of the pick's
    location, not blocked)."""
    changes: dict[str, Any] = {}
    if not isinstance(serial_no, _Unset) and (serial_no or "").strip() != line.serial_no:
        changes["serial_no"] = (serial_no or "").strip()
    if not isinstance(lot_no, _Unset) and (lot_no or "").strip() != line.lot_no:
        changes["lot_no"] = (lot_no or "").strip()
    if not isinstance(bin_code, _Unset):
        code_text = (bin_code or "").strip()
        if code_text != (line.bin.code if line.bin else ""):
            changes["bin"] = _bin_to_take_from(pick, code_text)
    return changes


def _bin_to_take_from(pick: Pick, code: str) -> Bin:
    new_bin = _bin_of_pick(pick, code)
    if new_bin.is_shipping:
        raise Conflict(
            _(
                "Bin %(bin)s is a shipping bin: its stock is committed to shipments and picks never take "
                "from it. Choose a storage bin."
            )
            % {"bin": new_bin.code},
            code=ErrorCode.BIN_IS_SHIPPING,
            errors=[{"field": "bin", "code": ErrorCode.BIN_IS_SHIPPING, "detail": _("A shipping bin.")}],
        )
    return new_bin


def _bin_to_place_in(pick: Pick, code: str) -> Bin:
    new_bin = _bin_of_pick(pick, code)
    if not new_bin.is_shipping:
        raise Conflict(
            _(
                "Bin %(bin)s is a storage bin: a place line puts the goods into a shipping bin. Choose a "
                "shipping bin."
            )
            % {"bin": new_bin.code},
            code=ErrorCode.BIN_NOT_SHIPPING,
            errors=[{"field": "bin", "code": ErrorCode.BIN_NOT_SHIPPING, "detail": _("Not a shipping bin.")}],
        )
    return new_bin


def _bin_of_pick(pick: Pick, code: str) -> Bin:
    """A bin of the pick's location that is not blocked."""
    new_bin = Bin.objects.filter(location_id=pick.location_id, code=code).first()
    if new_bin is None:
        raise InvalidInput(
            _("There is no bin %(bin)s at location %(location)s.")
            % {"bin": code, "location": pick.location.code},
            errors=[{"field": "bin", "code": ErrorCode.NOT_FOUND, "detail": _("Unknown bin.")}],
        )
    if new_bin.blocked:
        raise Conflict(
            _("Bin %(bin)s is blocked: choose another bin.") % {"bin": new_bin.code},
            code=ErrorCode.BIN_BLOCKED,
            errors=[{"field": "bin", "code": ErrorCode.BIN_BLOCKED, "detail": _("Blocked.")}],
        )
    return new_bin


def _update_place_line(
    pick: Pick,
    line: PickLine,
    *,
    serial_no: str | _Unset,
    lot_no: str | _Unset,
    bin_code: str | _Unset,
    qty_to_handle: Any,
) -> PickLine:
    """The place line of a warehouse pick's pair: only its bin (another shipping bin) and Qty. to Handle
    (which is the pair's: set on the take line, which the place line follows) may change; on a locked pair
    only Qty. to Handle."""
    check_line_open(line, place_allowed=True)
    take = line.pair
    assert take is not None  # a place line always has its pair (a database check)
    refused = [
        name
        for name, value, current in (
            ("serial_no", serial_no, line.serial_no),
            ("lot_no", lot_no, line.lot_no),
        )
        if not isinstance(value, _Unset) and (value or "").strip() != current
    ]
    if refused:
        raise InvalidInput(
            _(
                "%(line)s is a place line: it carries the numbers of its take line (line %(take_line)s). "
                "Change the numbers on the take line."
            )
            % {"line": describe(line), "take_line": take.line_no},
            code=ErrorCode.FIELD_READ_ONLY,
            errors=[
                {"field": name, "code": ErrorCode.FIELD_READ_ONLY, "detail": _("Set on the take line.")}
                for name in refused
            ],
        )
    if not isinstance(bin_code, _Unset) and (bin_code or "").strip() != (line.bin.code if line.bin else ""):
        _refuse_on_locked_line(line, {"bin": None})
        line.bin = _bin_to_place_in(pick, (bin_code or "").strip())
        line.save(update_fields=["bin"])
    if not isinstance(qty_to_handle, _Unset):
        set_qty_to_handle(take, qty_to_handle)
        take.save(update_fields=["qty_to_handle"])
        pairs_follow(pick=pick, take_line_ids=[take.pk])
        line.qty_to_handle = take.qty_to_handle
    line.pick = pick
    return line


def _refuse_on_locked_line(line: PickLine, changes: dict[str, Any]) -> None:
    refused = rules.fields_refused_on_locked_line(changes)
    if line.tracking_locked and refused:
        raise TrackingLocked(
            _(
                "%(line)s picks numbers prescribed by the source document (%(numbers)s): only Qty. to Handle "
                "can be changed. To pick other numbers, a supervisor changes the source document's item "
                "tracking lines after deleting this pick line."
            )
            % {"line": describe(line), "numbers": numbers_text(line)},
            errors=[
                {"field": name, "code": ErrorCode.TRACKING_LOCKED, "detail": _("Locked.")} for name in refused
            ],
            fields=refused,
        )


def _change_numbers(line: PickLine, changes: dict[str, Any]) -> PickLine:
    """Give the line its new numbers and bin, checked against the (locked) stock of the bin. A serial
    number on a line of more than one unit goes to a new one-unit line, which is returned."""
    new_bin: Bin | None = changes.get("bin")
    target_bin_id = new_bin.pk if new_bin else line.bin_id
    if target_bin_id is None:
        raise InvalidInput(_("Choose a bin for the line first."), code=ErrorCode.BIN_REQUIRED)
    req = requirement(line.item.tracking_code)
    serial = changes.get("serial_no", line.serial_no)
    lot = changes.get("lot_no", line.lot_no)
    splits = bool(changes.get("serial_no")) and line.quantity - line.qty_handled > 1
    quantity = ONE if splits else line.quantity - line.qty_handled
    lock_stock_in_bin(line, bin_id=target_bin_id)
    if serial and req.serial.warehouse and not changes.get("lot_no"):
        # the serial number's own lot comes with it from the bin
        lot = lot_of_serial(line, bin_id=target_bin_id, serial_no=serial, lot_no=lot)
    expiration = check_numbers(line, bin_id=target_bin_id, lot_no=lot, serial_no=serial, quantity=quantity)
    if expiration is None and not rules.carries_numbers(req):
        # stock carries no numbers: a typed number keeps no expiration date, the line's own stays
        expiration = line.expiration_date if not (changes.get("lot_no") or changes.get("serial_no")) else None
    if splits:
        return split_off(
            line, ONE, serial_no=serial, lot_no=lot, bin_id=target_bin_id, expiration_date=expiration
        )
    line.serial_no, line.lot_no, line.bin_id, line.expiration_date = serial, lot, target_bin_id, expiration
    if line.serial_no and line.qty_to_handle > 1:
        line.qty_to_handle = ONE
    try:
        with transaction.atomic():
            line.save(update_fields=["serial_no", "lot_no", "bin", "expiration_date", "qty_to_handle"])
    except IntegrityError as exc:
        raise integrity_conflict(exc) from exc
    return line
