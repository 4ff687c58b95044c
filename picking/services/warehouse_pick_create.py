"""Create Warehouse Pick: one warehouse pick for one shipment or several (a wave pick).

The take lines are planned EXACTLY as for inventory picks: the same planner (`picking.planning`:
prescribed numbers first, locked (case 4); proposed by FEFO or first received (case 1); blank for the
worker to select (case 3) or assign (case 2)), against the same availability (`picking.availability`:
stock in storage bins minus open picks; shipping bins are never picked from). Each take line gets its
place line into the shipment line's bin (the location's shipment bin): `picking.services.pick_pairs`.

What a pick takes counts on the shipment lines (`qty_on_picks`); what cannot be covered is reported back
(`not_picked`) and stays on the shipment lines for a later pick.

Lock order (docs/architecture.md): the `WPI` number series, the shipments, their lines, the items' bin
content. Queries do not grow with lines or serial numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.activity import Action
from core.events import EventType, event_emit
from core.exceptions import Conflict, ErrorCode, InvalidInput, NotFoundError
from core.permissions import require_perm
from core.quantities import ZERO
from picking.models import Pick, SourceLine, WarehouseShipment, WarehouseShipmentLine
from picking.planning import Demand, NotPicked, PlannedLine, plan_demand
from picking.selectors.picks import visible_filter
from picking.services.activity import record_pick_lines_created
from picking.services.document_numbers import WAREHOUSE_PICK_SERIES, take_document_no
from picking.services.pick_assign import find_assignee
from picking.services.pick_common import LINE_NO_STEP, integrity_conflict
from picking.services.pick_create import (
    PickCreateResult,
    insert_take_lines,
    not_picked_dict,
    planning_stock,
    prescribed_outstanding,
)
from picking.services.pick_pairs import add_place_lines
from picking.services.shipment_common import (
    check_location_picks_for_shipments,
    lock_shipments_with_lines,
    refresh_shipment_lines,
)
from warehouse.models import Bin, Location


def warehouse_pick_create(
    *, shipment_ids: Sequence[int], user: Any, assigned_to: str | None = None
) -> PickCreateResult:
    """A new warehouse pick for the open quantity of these shipments (one location).

    Conflict `nothing_to_pick` (with `not_picked`) when no line can be made; `location_needs_no_pick` at a
    location whose shipments need no pick; `other_location` for shipments of several locations;
    NotFoundError for a shipment that does not exist or is not visible. `assigned_to`: the username of a
    warehouse employee of the location to assign the new pick to.
    """
    require_perm(user, "picking.add_pick", _("Creating picks is for supervisors. Ask a supervisor."))
    location, ids = _shipments_of_one_location(shipment_ids, user)
    assignee = find_assignee(username=assigned_to, location=location)
    with transaction.atomic():
        pick_no = take_document_no(WAREHOUSE_PICK_SERIES)  # the series first in the lock order
        shipments, lines = lock_shipments_with_lines(lines=Q(shipment_id__in=ids))
        if len(shipments) != len(ids):
            raise NotFoundError(_("A shipment was deleted meanwhile. Reload and try again."))
        order = {pk: index for index, pk in enumerate(ids)}
        open_lines = sorted(
            (line for line in lines if line.qty_to_pick > 0),
            key=lambda ln: (order[ln.shipment_id], ln.line_no),
        )
        numbers = {s.pk: s.no for s in shipments}
        if not open_lines:
            raise Conflict(
                ngettext(
                    "Nothing to pick on shipment(s) %(shipments)s: every line is picked or already on a "
                    "pick.",
                    "Nothing to pick on shipment(s) %(shipments)s: every line is picked or already on a "
                    "pick.",
                    len(ids),
                )
                % {"shipments": ", ".join(numbers[pk] for pk in ids)},
                code=ErrorCode.NOTHING_TO_PICK,
            )
        planned, not_picked = _plan(location, open_lines, numbers)
        if not planned:
            detail = "; ".join(
                _("%(shipment)s line %(line_no)s: %(reason)s")
                % {"shipment": n.shipment_no, "line_no": n.line_no, "reason": n.reason}
                for n in not_picked[:5]
            )
            raise Conflict(
                _("Nothing can be picked: %(detail)s") % {"detail": detail},
                code=ErrorCode.NOTHING_TO_PICK,
                not_picked=[not_picked_dict(n) for n in not_picked],
            )
        pick = _new_pick(location, pick_no=pick_no, user=user, assignee=assignee)
        _insert_pairs(pick, location, planned)
        refresh_shipment_lines(lines=Q(shipment_id__in=ids))
        # A new pick: its entries are built by the database from the rows inserted.
        record_pick_lines_created(
            user=user,
            pick=pick,
            operation="warehouse_pick_create",
            action=Action.CREATED,
            line_ids=None,
            pick_after={"shipments": [numbers[pk] for pk in ids], "lines_added": 2 * len(planned)},
        )
        # Rendered right after the commit, off this transaction: a pick can have thousands of lines.
        event_emit(event_type=EventType.PICK_CREATED, subject=pick, render_later=True)
    return PickCreateResult(pick=pick, not_picked=not_picked, created=True, lines_added=len(planned))


def _shipments_of_one_location(shipment_ids: Sequence[int], user: Any) -> tuple[Location, list[int]]:
    ids = list(dict.fromkeys(shipment_ids))
    if not ids:
        raise InvalidInput(
            _("Name at least one warehouse shipment to pick for."),
            errors=[{"field": "warehouse_shipments", "code": ErrorCode.REQUIRED, "detail": _("Required.")}],
        )
    shipments = {
        s.pk: s
        for s in WarehouseShipment.objects.filter(visible_filter(user), pk__in=ids).select_related("location")
    }
    missing = [pk for pk in ids if pk not in shipments]
    if missing:
        raise NotFoundError(
            _("There is no warehouse shipment %(ids)s, or it is not at a location you work at.")
            % {"ids": ", ".join(f"#{pk}" for pk in missing)}
        )
    locations = {s.location_id for s in shipments.values()}
    if len(locations) > 1:
        raise Conflict(
            _("These shipments are at several locations; a warehouse pick picks at one location."),
            code=ErrorCode.OTHER_LOCATION,
        )
    location = shipments[ids[0]].location
    check_location_picks_for_shipments(location)
    return location, ids


def _plan(
    location: Location, open_lines: list[WarehouseShipmentLine], shipment_nos: dict[int, str]
) -> tuple[list[tuple[WarehouseShipmentLine, PlannedLine]], list[NotPicked]]:
    """The take lines of each shipment line, planned against the stock available at the location, as for
    an inventory pick (from the source line's bin when it names a storage bin)."""
    stock = planning_stock(location, {ln.item_id for ln in open_lines})
    items, requirements, budget = stock.items, stock.requirements, stock.budget
    source_lines = SourceLine.objects.filter(pk__in=[ln.source_line_id for ln in open_lines])
    source_bins = {
        pk: (bin_id, code)
        for pk, bin_id, code, kind in source_lines.values_list("pk", "bin_id", "bin__code", "bin__kind")
        if bin_id is not None and kind == Bin.Kind.STORAGE
    }
    prescribed = prescribed_outstanding(source_lines=source_lines, picked_stock=True)
    planned: list[tuple[WarehouseShipmentLine, PlannedLine]] = []
    not_picked: list[NotPicked] = []
    for line in open_lines:
        bin_id, bin_code = source_bins.get(line.source_line_id, (None, None))
        demand = Demand(
            line_no=line.line_no,
            item_id=line.item_id,
            item_no=items[line.item_id].no,
            requirement=requirements[line.item_id],
            quantity=line.qty_to_pick,
            bin_id=bin_id,
            bin_code=bin_code,
            prescribed=prescribed.get(line.source_line_id, ()),
        )
        plan = plan_demand(demand, budget, location_code=location.code)
        planned.extend((line, planned_line) for planned_line in plan.lines)
        not_picked.extend(replace(n, shipment_no=shipment_nos[line.shipment_id]) for n in plan.not_picked)
    return planned, not_picked


def _new_pick(location: Location, *, pick_no: str, user: Any, assignee: Any) -> Pick:
    try:
        with transaction.atomic():
            return Pick.objects.create(
                no=pick_no,
                type=Pick.Type.WAREHOUSE_PICK,
                location=location,
                source_document=None,
                status=Pick.Status.OPEN,
                assigned_to=assignee,
                created_by=user if getattr(user, "is_authenticated", False) else None,
            )
    except IntegrityError as exc:
        raise integrity_conflict(exc) from exc


def _insert_pairs(
    pick: Pick, location: Location, planned: list[tuple[WarehouseShipmentLine, PlannedLine]]
) -> None:
    """The take lines (one INSERT), then a place line each into the shipment line's bin (one INSERT and
    one UPDATE linking the pairs)."""
    line_nos = [(i + 1) * LINE_NO_STEP for i in range(len(planned))]
    take_ids = insert_take_lines(pick, planned, line_nos, returning_ids=True)
    takes = [
        {
            "pk": pk,
            "line_no": line_no,
            "source_line_id": line.source_line_id,
            "item_id": line.item_id,
            "shipment_line_id": line.pk,
            "quantity": n.quantity,
            "qty_handled": ZERO,
            "qty_to_handle": ZERO,
            "serial_no": n.serial_no,
            "lot_no": n.lot_no,
            "expiration_date": n.expiration_date,
            "tracking_locked": n.tracking_locked,
            "item_tracking_line_id": n.item_tracking_line_id,
        }
        for pk, line_no, (line, n) in zip(take_ids, line_nos, planned, strict=True)
    ]
    add_place_lines(
        pick_id=pick.pk, takes=takes, bins=[line.bin_id or location.shipment_bin_id for line, _n in planned]
    )
