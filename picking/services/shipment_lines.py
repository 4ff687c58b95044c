"""Changing and deleting warehouse shipments: a line's Qty. to Ship (and, at a location without picks, its
bin); deleting a shipment or a line (supervisors).

Deleting gives the outstanding quantity back to the source lines (`qty_on_shipments`). It is refused while
registered quantity waits in a shipping bin unshipped (`shipment_has_picked_stock`: post the shipment, or
move the goods back with a movement first) and while an open warehouse pick picks for the line
(`shipment_on_pick`: delete those pick lines first). Lock order: the shipment, its lines, the source
lines.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from core.activity import Action
from core.db import update_rows
from core.exceptions import Conflict, ErrorCode, InvalidInput, NotFoundError
from core.permissions import require_perm
from core.quantities import format_quantity
from picking.locks import lock_shipment_lines, lock_shipments, lock_source_lines
from picking.models import SourceLine, WarehouseShipment, WarehouseShipmentLine
from picking.selectors.shipments import get_visible_shipment, get_visible_shipment_line
from picking.services.activity import record_shipment_change, shipment_lines_snapshot, shipment_lines_values
from picking.services.pick_common import parse_quantity
from picking.services.shipment_common import refresh_shipment_status
from warehouse.models import Bin
from warehouse.rules import require_whole_units


class _Unset(enum.Enum):
    UNSET = "unset"


UNSET = _Unset.UNSET  # "not given": the field keeps its value

_CHANGE = "picking.change_warehouseshipment"
_DELETE = "picking.delete_warehouseshipment"


def warehouse_shipment_line_update(
    *, shipment_line_id: int, user: Any, qty_to_ship: Any = UNSET, bin_code: str | _Unset = UNSET
) -> WarehouseShipmentLine:
    """Set a line's Qty. to Ship: 0 up to what is picked and not shipped (a location that requires pick)
    or up to what is not shipped; and, at a location without picks, the bin it ships from."""
    require_perm(user, _CHANGE, _("Changing warehouse shipments is for supervisors. Ask a supervisor."))
    visible = get_visible_shipment_line(shipment_line_id=shipment_line_id, user=user)
    location = visible.shipment.location
    with transaction.atomic():
        if not lock_shipments(where=Q(pk=visible.shipment_id)):
            raise NotFoundError(_("The shipment was deleted meanwhile."))
        locked = lock_shipment_lines(where=Q(pk=shipment_line_id))
        if not locked:
            raise NotFoundError(_("The shipment line was deleted meanwhile."))
        line = locked[0]
        line.shipment, line.item = visible.shipment, visible.item
        lines_before = shipment_lines_values(line.shipment_id)
        fields = []
        if not isinstance(bin_code, _Unset):
            line.bin = _ship_from_bin(line, (bin_code or "").strip(), require_pick=location.require_pick)
            fields.append("bin")
        if not isinstance(qty_to_ship, _Unset):
            line.qty_to_ship = _checked_qty_to_ship(line, qty_to_ship, require_pick=location.require_pick)
            fields.append("qty_to_ship")
        if fields:
            line.save(update_fields=fields)
            record_shipment_change(
                user=user,
                shipment=visible.shipment,
                operation="warehouse_shipment_line_update",
                lines_before=lines_before,
            )
        return line


def _checked_qty_to_ship(line: WarehouseShipmentLine, value: Any, *, require_pick: bool) -> Decimal:
    qty = parse_quantity(value, "qty_to_ship")
    what = _("Line %(line_no)s (item %(item)s)") % {"line_no": line.line_no, "item": line.item.no}
    require_whole_units(qty, item=line.item, field="qty_to_ship", prefix=f"{what}: ")
    if qty < 0:
        detail = _("%(line)s: Qty. to Ship cannot be negative. Enter 0 or more.") % {"line": what}
        raise _qty_error(ErrorCode.INVALID_QUANTITY, detail)
    if require_pick and qty > line.qty_picked - line.qty_shipped:
        detail = _(
            "%(line)s: only %(picked)s are picked and not shipped yet, so Qty. to Ship can be at most "
            "%(picked)s. Register the warehouse pick first."
        ) % {"line": what, "picked": format_quantity(line.qty_picked - line.qty_shipped)}
        raise _qty_error(ErrorCode.QTY_TO_SHIP_EXCEEDS_PICKED, detail)
    if qty > line.quantity - line.qty_shipped:
        detail = _(
            "%(line)s: only %(outstanding)s are not shipped yet; Qty. to Ship can be at most that."
        ) % {
            "line": what,
            "outstanding": format_quantity(line.quantity - line.qty_shipped),
        }
        raise _qty_error(ErrorCode.QTY_TO_SHIP_EXCEEDS_OUTSTANDING, detail)
    return qty


def _qty_error(code: ErrorCode, detail: str) -> InvalidInput:
    return InvalidInput(detail, code=code, errors=[{"field": "qty_to_ship", "code": code, "detail": detail}])


def _ship_from_bin(line: WarehouseShipmentLine, code: str, *, require_pick: bool) -> Bin:
    """The bin a line ships from: changeable only where the location requires no pick (with picks, the
    goods are shipped from where the pick placed them)."""
    if require_pick:
        raise InvalidInput(
            _(
                "Location %(location)s picks for its shipments: the goods ship from where the warehouse "
                "pick placed them, so the line's bin cannot be changed here. Change the place line's bin on "
                "the pick."
            )
            % {"location": line.shipment.location.code},
            code=ErrorCode.FIELD_READ_ONLY,
            errors=[
                {"field": "bin", "code": ErrorCode.FIELD_READ_ONLY, "detail": _("Set by the warehouse pick.")}
            ],
        )
    new_bin = Bin.objects.filter(location_id=line.shipment.location_id, code=code).first()
    if new_bin is None:
        raise InvalidInput(
            _("There is no bin %(bin)s at location %(location)s.")
            % {"bin": code, "location": line.shipment.location.code},
            errors=[{"field": "bin", "code": ErrorCode.NOT_FOUND, "detail": _("Unknown bin.")}],
        )
    if new_bin.blocked:
        raise Conflict(
            _("Bin %(bin)s is blocked: choose another bin.") % {"bin": new_bin.code},
            code=ErrorCode.BIN_BLOCKED,
            errors=[{"field": "bin", "code": ErrorCode.BIN_BLOCKED, "detail": _("Blocked.")}],
        )
    return new_bin


# --- Deleting --------------------------------------------------------------------------------------------


def warehouse_shipment_delete(*, shipment_id: int, user: Any) -> None:
    """Delete a shipment (supervisors): its source lines are free for another shipment."""
    require_perm(user, _DELETE, _("Deleting warehouse shipments is for supervisors. Ask a supervisor."))
    shipment = get_visible_shipment(shipment_id=shipment_id, user=user)
    with transaction.atomic():
        if not lock_shipments(where=Q(pk=shipment.pk)):
            raise NotFoundError(_("Shipment %(no)s was deleted meanwhile.") % {"no": shipment.no})
        lines = lock_shipment_lines(where=Q(shipment_id=shipment.pk))
        lines_before = shipment_lines_snapshot(lines)
        _delete_lines_locked(shipment, lines)
        record_shipment_change(
            user=user,
            shipment=shipment,
            operation="warehouse_shipment_delete",
            action=Action.DELETED,
            lines_before=lines_before,
            shipment_before={"status": shipment.status},
            lines_gone=True,
        )
        shipment.delete()


def warehouse_shipment_line_delete(*, shipment_line_id: int, user: Any) -> None:
    """Delete one shipment line (supervisors): its source line is free for another shipment. A shipment
    left without lines is deleted."""
    require_perm(user, _DELETE, _("Deleting warehouse shipments is for supervisors. Ask a supervisor."))
    visible = get_visible_shipment_line(shipment_line_id=shipment_line_id, user=user)
    shipment = visible.shipment
    with transaction.atomic():
        if not lock_shipments(where=Q(pk=shipment.pk)):
            raise NotFoundError(_("Shipment %(no)s was deleted meanwhile.") % {"no": shipment.no})
        lines = lock_shipment_lines(where=Q(shipment_id=shipment.pk))
        line = next((candidate for candidate in lines if candidate.pk == shipment_line_id), None)
        if line is None:
            raise NotFoundError(_("The shipment line was deleted meanwhile."))
        line.item = visible.item
        lines_before = shipment_lines_snapshot(lines)
        _delete_lines_locked(shipment, [line])
        gone = len(lines) == 1
        record_shipment_change(
            user=user,
            shipment=shipment,
            operation="warehouse_shipment_line_delete",
            action=Action.DELETED,
            lines_before=lines_before,
            shipment_before={"status": shipment.status} if gone else None,
            lines_gone=gone,
        )
        if gone:
            shipment.delete()
        else:
            refresh_shipment_status(shipments=Q(pk=shipment.pk))


def _delete_lines_locked(shipment: WarehouseShipment, lines: Sequence[WarehouseShipmentLine]) -> None:
    """With the shipment and its lines locked: refuse while picked stock waits unshipped or an open pick
    picks for a line (every problem at once); otherwise give the outstanding quantity back to the source
    lines and delete the lines."""
    errors: list[dict[str, Any]] = []
    items = dict(
        WarehouseShipmentLine.objects.filter(pk__in=[line.pk for line in lines]).values_list("pk", "item__no")
    )
    for line in lines:
        item = items.get(line.pk, "")
        if line.qty_picked > line.qty_shipped:
            errors.append(
                {
                    "line": line.line_no,
                    "shipment_line_id": line.pk,
                    "code": ErrorCode.SHIPMENT_HAS_PICKED_STOCK,
                    "detail": _(
                        "Line %(line_no)s (item %(item)s): %(qty)s are picked and wait in the shipping bin. "
                        "Post the shipment, or move the goods back with a movement first."
                    )
                    % {
                        "line_no": line.line_no,
                        "item": item,
                        "qty": format_quantity(line.qty_picked - line.qty_shipped),
                    },
                }
            )
        if line.qty_on_picks > 0:
            errors.append(
                {
                    "line": line.line_no,
                    "shipment_line_id": line.pk,
                    "code": ErrorCode.SHIPMENT_ON_PICK,
                    "detail": _(
                        "Line %(line_no)s (item %(item)s): %(qty)s are on an open warehouse pick. Delete "
                        "those pick lines first."
                    )
                    % {"line_no": line.line_no, "item": item, "qty": format_quantity(line.qty_on_picks)},
                }
            )
    if errors:
        codes = {e["code"] for e in errors}
        raise Conflict(
            _("Shipment %(no)s was not changed: %(detail)s")
            % {"no": shipment.no, "detail": errors[0]["detail"]},
            code=errors[0]["code"] if len(codes) == 1 else ErrorCode.SHIPMENT_HAS_PICKED_STOCK,
            errors=errors,
        )
    returned = [
        (line.source_line_id, -(line.quantity - line.qty_shipped))
        for line in lines
        if line.qty_shipped < line.quantity
    ]
    if returned:
        lock_source_lines(where=Q(pk__in=[source_line_id for source_line_id, _qty in returned]))
        update_rows(SourceLine, returned, add_fields=["qty_on_shipments"])
    WarehouseShipmentLine.objects.filter(pk__in=[line.pk for line in lines]).delete()


__all__ = [
    "UNSET",
    "warehouse_shipment_delete",
    "warehouse_shipment_line_delete",
    "warehouse_shipment_line_update",
]
