"""Registering warehouse picks: the goods of every pair with a Qty. to Handle move from the storage bin to
the shipping bin, all or nothing, in ONE transaction, rows locked in the fixed order.

Lock order (docs/architecture.md): the `RWP` number series (the registered pick's number), the pick, its
lines, the shipments its lines pick for and their lines, then the bin content (inside
`warehouse.services.bin_moves.inventory_move`).

A registration handles only pairs whose Qty. to Handle is above 0. It checks EVERY such pair and refuses
with one error listing each line's problem (numbers missing, no bin, not a shipping bin to place in,
numbers not in the bin any more, blocked or expired); nothing is written then. Otherwise it writes, with a
number of queries that does not grow with lines or serial numbers:

- warehouse entries out of the storage bin and into the shipping bin with the same numbers, and the bin
  content (`inventory_move`); no item ledger entry: the goods are still at the location;
- the picked stock of each shipment line with its numbers (what posting the shipment ships), the
  shipment lines' `qty_picked` (and `qty_to_ship` = picked and not shipped), their `qty_on_picks`;
- the registered pick and its lines, the pick lines' `qty_handled`, the pick's and shipments' status.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F, Q, QuerySet, Value, Window
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone
from django.utils.translation import gettext as _

from core.activity import Action
from core.db import insert_select, update_rows
from core.events import EventType, event_emit
from core.exceptions import Conflict, ErrorCode
from core.permissions import require_perm
from core.quantities import ZERO
from picking.exceptions import PickRegisterRefused
from picking.locks import LockedLine, lock_pick, lock_pick_line_rows
from picking.models import (
    Pick,
    PickedStock,
    PickLine,
    RegisteredPick,
    RegisteredPickLine,
    WarehouseShipmentLine,
)
from picking.selectors.picks import get_visible_pick
from picking.services.activity import pick_lines_handled
from picking.services.document_numbers import REGISTERED_PICK_SERIES, take_document_no
from picking.services.pick_delete import pick_delete_rest_locked
from picking.services.pick_post import handled_line_errors, ledger_line_errors, pick_refusal
from picking.services.recall_checks import pick_line_recall_error, recall_errors
from picking.services.shipment_common import lines_of_pick, lock_shipments_with_lines, refresh_shipment_status
from tracking.rules import Requirement, requirement, stock_key
from warehouse.exceptions import OutboundRefused
from warehouse.models import Bin, Item
from warehouse.services.bin_moves import BinMove, inventory_move

logger = logging.getLogger(__name__)

DOCUMENT_TYPE = "registered_pick"
_REGISTER = "picking.register_pick"

__all__ = ["PickRegisterRefused", "pick_register", "pick_register_and_delete_rest"]


def pick_register(*, pick_id: int, user: Any) -> RegisteredPick:
    """Register the pairs with Qty. to Handle > 0 of a warehouse pick; all or nothing."""
    require_perm(user, _REGISTER, _("You are not allowed to register picks. Ask a supervisor."))
    registered = _register(pick_id=pick_id, user=user, delete_rest=False)
    assert registered is not None
    return registered


def pick_register_and_delete_rest(*, pick_id: int, user: Any) -> RegisteredPick | None:
    """Supervisors, the recommended procedure for unavailable items: register what was handled, then
    delete the rest of the pick (its outstanding quantity returns to the shipment lines; the source
    document's item tracking lines stay as they are), in one transaction. Returns the registered pick, or
    None when nothing had a Qty. to Handle (then the rest is only deleted)."""
    require_perm(user, _REGISTER, _("You are not allowed to register picks. Ask a supervisor."))
    require_perm(user, "picking.delete_pick", _("Deleting picks is for supervisors. Ask a supervisor."))
    return _register(pick_id=pick_id, user=user, delete_rest=True)


def _register(*, pick_id: int, user: Any, delete_rest: bool) -> RegisteredPick | None:
    visible = get_visible_pick(pick_id=pick_id, user=user)
    if visible.type != Pick.Type.WAREHOUSE_PICK:
        raise Conflict(
            _("Pick %(pick)s is an inventory pick: post it (posting ships the goods).")
            % {"pick": visible.no},
            code=ErrorCode.POST_INSTEAD,
        )
    anything = PickLine.objects.filter(pick_id=pick_id, qty_to_handle__gt=0).exists()
    with transaction.atomic():
        # The number first (the series is first in the lock order); none when only the rest is deleted.
        registered_no = take_document_no(REGISTERED_PICK_SERIES) if anything or not delete_rest else ""
        pick = lock_pick(pick_id=pick_id)
        if pick is None:
            raise Conflict(
                _("Pick %(pick)s was deleted meanwhile; nothing was registered.") % {"pick": visible.no},
                code=ErrorCode.PICK_DELETED,
            )
        pick.location = visible.location
        operation = "pick_register_and_delete_rest" if delete_rest else "pick_register"
        registered = (
            _register_locked(pick=pick, user=user, registered_no=registered_no, operation=operation)
            if registered_no
            else None
        )
        if registered is not None:
            # A registered pick never changes: rendered right after the commit, off this transaction.
            event_emit(event_type=EventType.PICK_REGISTERED, subject=registered, render_later=True)
        if registered is None and not delete_rest:
            raise Conflict(
                _(
                    "Nothing to register on pick %(pick)s: no line has a Qty. to Handle. Set Qty. to Handle "
                    "on the lines you picked (or use Autofill Qty. to Handle), then register."
                )
                % {"pick": pick.no},
                code=ErrorCode.NOTHING_TO_HANDLE,
            )
        if delete_rest:
            pick_delete_rest_locked(pick=pick, user=user, operation="pick_register_and_delete_rest")
        pick_no, registered_pick_no = pick.no, registered.no if registered else ""
        transaction.on_commit(
            lambda: logger.info(
                "pick %s registered as %s by %s", pick_no, registered_pick_no or "(nothing)", user
            )
        )
    return registered


def _register_locked(*, pick: Pick, user: Any, registered_no: str, operation: str) -> RegisteredPick | None:
    """With the number taken and the pick locked: lock, check, write, log (`operation`). None when nothing
    to handle."""
    lines = lock_pick_line_rows(pick_id=pick.pk)
    takes = [line for line in lines if line.action == PickLine.Action.TAKE and line.qty_to_handle > 0]
    if not takes:
        return None
    places = {line.pk: line for line in lines if line.action == PickLine.Action.PLACE}
    shipments, shipment_lines = lock_shipments_with_lines(lines=lines_of_pick(pick.pk))
    items = {
        i.pk: i
        for i in Item.objects.select_related("tracking_code").filter(pk__in={ln.item_id for ln in takes})
    }
    bins = {b.pk: b for b in Bin.objects.filter(pk__in={p.bin_id for p in places.values() if p.bin_id})}
    errors = handled_line_errors(takes, items, verb="registered") + _place_errors(takes, places, bins, items)
    posting_date = timezone.localdate()
    requirements = {pk: requirement(item.tracking_code) for pk, item in items.items()}
    moves = [
        _move(pick, take, places[take.pair_id], requirements[take.item_id])
        for take in takes
        if take.bin_id and take.pair_id in places and places[take.pair_id].bin_id
    ]
    try:
        inventory_move(
            moves=moves,
            document_type=DOCUMENT_TYPE,
            document_no=registered_no,
            posting_date=posting_date,
            user=user,
            refuse_unusable=True,
        )
    except OutboundRefused as exc:
        reported = {(e["line"], e["code"]) for e in errors}
        errors += ledger_line_errors(exc.errors, {take.line_no: take for take in takes}, reported)
    errors = recall_errors(
        errors,
        ((t.line_no, t.item_id, t.lot_no, t.serial_no) for t in takes),
        line_error=pick_line_recall_error({t.line_no: t for t in takes}),
    )
    if errors:
        errors.sort(key=lambda e: (e.get("line") is None, e.get("line") or 0))
        raise pick_refusal(errors, pick, cls=PickRegisterRefused, verb="registered")
    # The bins are written; everything below is derived from the pick lines in SQL.
    registered = RegisteredPick.objects.create(
        no=registered_no,
        pick_no=pick.no,
        pick=pick,
        location_id=pick.location_id,
        posting_date=posting_date,
        registered_by=user if getattr(user, "is_authenticated", False) else None,
    )
    # Every line of the pick is locked and read: whether it is complete once the handled ones are.
    done = all(line.qty_handled + line.qty_to_handle >= line.quantity for line in lines)
    pick.status = Pick.Status.COMPLETED if done else Pick.Status.IN_PROGRESS

    handled = _write_from_pick_lines(
        pick=pick, registered_pick_id=registered.pk, takes=takes, shipment_lines=shipment_lines
    )
    pick_lines_handled(
        user=user,
        pick=pick,
        operation=operation,
        action=Action.REGISTERED,
        handled=handled,
        pick_after={"registered_pick": registered.no, "status": pick.status},
    )
    refresh_shipment_status(shipments=Q(pk__in=[s.pk for s in shipments]))
    Pick.objects.filter(pk=pick.pk).update(status=pick.status)
    return registered


def _move(pick: Pick, take: LockedLine, place: LockedLine, req: Requirement) -> BinMove:
    """The pair's goods from the take line's bin to the place line's, by the numbers the stock carries (new
    numbers assigned on the pick are kept on the picked stock, not in the bins)."""
    lot_key, serial_key = stock_key(req, take.lot_no, take.serial_no)
    assert take.bin_id is not None and place.bin_id is not None
    return BinMove(
        ref=take.line_no,
        location_id=pick.location_id,
        item_id=take.item_id,
        from_bin_id=take.bin_id,
        to_bin_id=place.bin_id,
        quantity=take.qty_to_handle,
        lot_no=lot_key,
        serial_no=serial_key,
    )


def _place_errors(
    takes: list[LockedLine], places: dict[int, LockedLine], bins: dict[int, Bin], items: dict[int, Item]
) -> list[dict[str, Any]]:
    """Each pair's place line names a shipping bin."""
    errors = []
    for take in takes:
        place = places.get(take.pair_id) if take.pair_id else None
        place_bin = bins.get(place.bin_id) if place is not None and place.bin_id else None
        if place_bin is not None and place_bin.is_shipping:
            continue
        code = ErrorCode.BIN_REQUIRED if place_bin is None else ErrorCode.BIN_NOT_SHIPPING
        detail = (
            _("Line %(line_no)s (item %(item)s): its place line has no bin; choose the shipping bin.")
            if place_bin is None
            else _("Line %(line_no)s (item %(item)s): bin %(bin)s of its place line is not a shipping bin.")
        ) % {
            "line_no": take.line_no,
            "item": items[take.item_id].no,
            "bin": place_bin.code if place_bin else "",
        }
        errors.append({"line": take.line_no, "pick_line_id": take.pk, "code": code, "detail": detail})
    return errors


def _write_from_pick_lines(
    *,
    pick: Pick,
    registered_pick_id: int,
    takes: list[LockedLine],
    shipment_lines: list[WarehouseShipmentLine],
) -> QuerySet[PickLine]:
    """Registered pick lines and picked stock (INSERT ... SELECT from the pick lines) and the shipment lines
    (one UPDATE); the pick lines' own change is left to `pick_lines_handled`: the lines handled are
    returned."""
    handled = PickLine.objects.filter(pick_id=pick.pk, qty_to_handle__gt=0)
    _insert_registered_lines(handled, registered_pick_id=registered_pick_id)
    _insert_picked_stock(handled.filter(action=PickLine.Action.TAKE))
    picked: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for take in takes:
        if take.shipment_line_id:
            picked[take.shipment_line_id] += take.qty_to_handle
    by_pk = {line.pk: line for line in shipment_lines}
    update_rows(
        WarehouseShipmentLine,
        [
            (pk, by_pk[pk].qty_picked + qty - by_pk[pk].qty_shipped, qty, -qty)
            for pk, qty in picked.items()
            if pk in by_pk
        ],
        set_fields=["qty_to_ship"],
        add_fields=["qty_picked", "qty_on_picks"],
    )
    return handled


def _insert_registered_lines(handled: Any, *, registered_pick_id: int) -> None:
    """One registered pick line per handled pick line, take and place, numbered 1, 2, ... in line order."""
    rows = handled.order_by().values(
        "line_no",
        "action",
        "source_line_id",
        "shipment_line_id",
        "item_id",
        "bin_id",
        "qty_to_handle",
        "serial_no",
        "lot_no",
        "expiration_date",
        "item_tracking_line_id",
        registered=Value(registered_pick_id),
        shipment_no=Coalesce(F("shipment_line__shipment__no"), Value("")),
        row_no=Window(RowNumber(), order_by=F("line_no").asc()),
    )
    insert_select(
        RegisteredPickLine,
        rows,
        {
            "registered_pick": "registered",
            "line_no": "row_no",
            "pick_line_no": "line_no",
            "action": "action",
            "source_line": "source_line_id",
            "shipment_line": "shipment_line_id",
            "shipment_no": "shipment_no",
            "item": "item_id",
            "bin": "bin_id",
            "quantity": "qty_to_handle",
            "serial_no": "serial_no",
            "lot_no": "lot_no",
            "expiration_date": "expiration_date",
            "item_tracking_line": "item_tracking_line_id",
        },
    )


def _insert_picked_stock(handled_takes: Any) -> None:
    """The picked stock of each shipment line: the take line's numbers in its place line's bin, inserted
    in the order of the take lines (what "oldest first" lists and ships first within one registration)."""
    rows = handled_takes.order_by("pk").values(
        "shipment_line_id",
        "item_id",
        "serial_no",
        "lot_no",
        "expiration_date",
        "qty_to_handle",
        "item_tracking_line_id",
        place_bin=F("pair__bin_id"),
        nothing_shipped=Value(ZERO),
    )
    insert_select(
        PickedStock,
        rows,
        {
            "shipment_line": "shipment_line_id",
            "item": "item_id",
            "bin": "place_bin",
            "serial_no": "serial_no",
            "lot_no": "lot_no",
            "expiration_date": "expiration_date",
            "quantity": "qty_to_handle",
            "qty_shipped": "nothing_shipped",
            "item_tracking_line": "item_tracking_line_id",
        },
    )
