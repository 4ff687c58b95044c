"""What the warehouse shipment services share: the location's outbound mode, locking shipments with their
lines, the shipment lines' quantity on open picks, and the shipments' status.

Every helper runs inside the caller's transaction; locks follow the order of docs/architecture.md (number
series, pick, pick lines, WAREHOUSE SHIPMENTS, SHIPMENT LINES, picked stock, source lines, bin content,
open receipts).
"""

from __future__ import annotations

from django.db.models import Case, CharField, Exists, F, OuterRef, Q, Subquery, Value, When
from django.utils.translation import gettext as _

from core.exceptions import Conflict, ErrorCode
from picking.locks import lock_shipment_lines, lock_shipments
from picking.models import PickLine, WarehouseShipment, WarehouseShipmentLine
from picking.services.pick_common import open_take_quantity
from warehouse.models import Location

# --- The location's outbound mode (docs/warehouse-shipments.md, "Location modes") -------------------------


def check_location_ships_with_shipments(location: Location) -> None:
    """Warehouse shipments are made at a location that requires shipment."""
    if location.require_shipment:
        return
    if not location.require_pick:
        raise _needs_no_pick(location)
    raise _needs_no_shipment(location)


def check_location_picks_for_shipments(location: Location) -> None:
    """Warehouse picks are made at a location that requires shipment and pick."""
    if location.require_shipment and location.require_pick:
        return
    if location.require_shipment:
        raise Conflict(
            _(
                "Location %(location)s needs no picks: its shipments ship straight from the bins on their "
                "lines. Set Qty. to Ship and post the shipment."
            )
            % {"location": location.code},
            code=ErrorCode.LOCATION_NEEDS_NO_PICK,
        )
    if not location.require_pick:
        raise _needs_no_pick(location)
    raise _needs_no_shipment(location)


def _needs_no_shipment(location: Location) -> Conflict:
    return Conflict(
        _(
            "Location %(location)s ships through inventory picks, not warehouse shipments: create an "
            "inventory pick for the source document instead."
        )
        % {"location": location.code},
        code=ErrorCode.LOCATION_NEEDS_NO_SHIPMENT,
    )


def _needs_no_pick(location: Location) -> Conflict:
    return Conflict(
        _(
            "Location %(location)s requires neither picks nor shipments, so there is nothing to pick or ship "
            "there. Ask a supervisor to set how the location ships (require pick, require shipment)."
        )
        % {"location": location.code},
        code=ErrorCode.LOCATION_NEEDS_NO_PICK,
    )


# --- Locking ------------------------------------------------------------------------------------------


def lock_shipments_with_lines(*, lines: Q) -> tuple[list[WarehouseShipment], list[WarehouseShipmentLine]]:
    """Lock the shipments of the shipment lines matching `lines`, then every line of those shipments (pk
    order each), so that their derived quantities and status can be written."""
    shipments = lock_shipments(
        where=Q(pk__in=Subquery(WarehouseShipmentLine.objects.filter(lines).values("shipment_id")))
    )
    return shipments, lock_shipment_lines(where=Q(shipment_id__in=[s.pk for s in shipments]))


def lines_of_pick(pick_id: int) -> Q:
    """The shipment lines a warehouse pick's lines pick for (a subquery)."""
    return Q(pk__in=Subquery(PickLine.objects.filter(pick_id=pick_id).values("shipment_line_id")))


# --- Derived quantities and status ------------------------------------------------------------------------


def refresh_shipment_lines(*, lines: Q) -> None:
    """The shipment lines' qty_on_picks from their open take lines, then their shipments' status (two
    UPDATEs). Call with the shipments and lines locked."""
    WarehouseShipmentLine.objects.filter(lines).update(qty_on_picks=open_take_quantity("shipment_line_id"))
    refresh_shipment_status(
        shipments=Q(pk__in=Subquery(WarehouseShipmentLine.objects.filter(lines).values("shipment_id")))
    )


def refresh_shipment_status(*, shipments: Q) -> None:
    """The status of the shipments matching `shipments` from their lines, in one UPDATE:
    shipped (every line shipped), partially shipped, picked (every line picked), partially picked,
    released (an open warehouse pick line picks for it), else open."""
    lines = WarehouseShipmentLine.objects.filter(shipment_id=OuterRef("pk"))
    on_pick = PickLine.objects.filter(
        shipment_line__shipment_id=OuterRef("pk"), action=PickLine.Action.TAKE, qty_handled__lt=F("quantity")
    )
    status = WarehouseShipment.Status
    WarehouseShipment.objects.filter(shipments).update(
        status=Case(
            When(~Exists(lines), then=Value(status.OPEN.value)),
            When(~Exists(lines.filter(qty_shipped__lt=F("quantity"))), then=Value(status.SHIPPED.value)),
            When(Exists(lines.filter(qty_shipped__gt=0)), then=Value(status.PARTIALLY_SHIPPED.value)),
            When(~Exists(lines.filter(qty_picked__lt=F("quantity"))), then=Value(status.PICKED.value)),
            When(Exists(lines.filter(qty_picked__gt=0)), then=Value(status.PARTIALLY_PICKED.value)),
            When(Exists(on_pick), then=Value(status.RELEASED.value)),
            default=Value(status.OPEN.value),
            output_field=CharField(),
        )
    )
