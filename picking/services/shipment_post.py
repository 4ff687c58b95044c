"""Posting warehouse shipments: Qty. to Ship of each line leaves the location, all or nothing, in ONE
transaction, rows locked in the fixed order.

What ships, per line:
- at a location that requires pick: exactly the numbers registered for the line (its picked stock, oldest
  first), from the shipping bin they were placed in;
- without picks: from the line's bin, the numbers the source line prescribes (its item tracking lines),
  the rest proposed like case 1 (earliest expiration first at a FEFO location, else first received) by the
  same planner as picks (`picking.planning`).

Lock order (docs/architecture.md): the `PSH` number series, the shipment, its lines, their picked stock,
the source lines, then (without picks, for planning) the items' bin content in the lines' bins, then bin
content and open receipts inside `warehouse.services.inventory_post_outbound`.

Every line is checked (Qty. to Ship within what is picked, numbers complete, in the bin, not blocked, not
expired under strict posting, enough stock, new serial numbers never used) and a refusal lists every
line's problem; nothing is written then. Otherwise, with a number of queries that does not grow with lines
or serial numbers: item ledger entries applied to the exact receipts, warehouse entries out of the bin
and bin content (`inventory_post_outbound`); the picked stock's `qty_shipped`; the source lines'
`qty_shipped` and item tracking lines (prescribed lines' `qty_handled`, other numbers written back with
origin `pick`); the shipment lines; the documents' and shipment's status; the posted shipment.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.activity import Action
from core.db import bulk_insert, update_rows
from core.events import EventType, event_emit
from core.exceptions import Conflict, ErrorCode, NotFoundError
from core.permissions import require_perm
from core.quantities import ZERO, format_quantity
from picking import rules
from picking.availability import available_stock
from picking.exceptions import ShipmentPostRefused
from picking.locks import lock_picked_stock, lock_shipment_lines, lock_shipments, lock_source_lines
from picking.models import (
    PickedStock,
    PostedShipment,
    PostedShipmentLine,
    SourceDocument,
    SourceLine,
    WarehouseShipment,
    WarehouseShipmentLine,
)
from picking.planning import Budget, Demand, plan_demand
from picking.selectors.shipments import get_visible_shipment
from picking.services.activity import record_shipment_change, shipment_lines_snapshot
from picking.services.document_numbers import POSTED_SHIPMENT_SERIES, take_document_no
from picking.services.pick_create import prescribed_outstanding
from picking.services.pick_post import ENTRY_TYPES, update_documents_status
from picking.services.recall_checks import recall_errors, recalled_detail
from picking.services.shipment_common import refresh_shipment_status
from picking.services.tracking_write_back import Chosen, NumbersKey, chosen_add, tracking_lines_write_back
from tracking.rules import Requirement, requirement
from warehouse.exceptions import OutboundRefused
from warehouse.locks import lock_bin_contents
from warehouse.models import BinContent, EntryType, Item, Location
from warehouse.services.posting import EntrySource, OutboundMovement, inventory_post_outbound

logger = logging.getLogger(__name__)

DOCUMENT_TYPE = "posted_shipment"
_INCOMPLETE_CODES = {ErrorCode.SERIAL_MISSING, ErrorCode.LOT_MISSING}

__all__ = ["ShipmentPostRefused", "warehouse_shipment_post"]


@dataclass(frozen=True)
class _Ship:
    """Part of a shipment line's Qty. to Ship: from a bin, with these numbers."""

    line: WarehouseShipmentLine
    bin_id: int
    quantity: Decimal
    lot_no: str
    serial_no: str
    expiration_date: datetime.date | None
    item_tracking_line_id: int | None
    picked_stock_id: int | None = None


def warehouse_shipment_post(*, shipment_id: int, user: Any) -> PostedShipment:
    """Post Qty. to Ship of every line of the shipment (needs `picking.post_warehouseshipment`); all or
    nothing. Conflict `nothing_to_ship` when no line has a Qty. to Ship; ShipmentPostRefused (409, per-line
    `errors`) when any line cannot be shipped."""
    require_perm(
        user,
        "picking.post_warehouseshipment",
        _("You are not allowed to post warehouse shipments. Ask a supervisor."),
    )
    visible = get_visible_shipment(shipment_id=shipment_id, user=user)
    if not WarehouseShipmentLine.objects.filter(shipment_id=shipment_id, qty_to_ship__gt=0).exists():
        raise _nothing_to_ship(visible)
    with transaction.atomic():
        posted_no = take_document_no(POSTED_SHIPMENT_SERIES)  # the series first in the lock order
        if not lock_shipments(where=Q(pk=shipment_id)):
            raise NotFoundError(
                _("Shipment %(no)s was deleted meanwhile; nothing was posted.") % {"no": visible.no}
            )
        lines = lock_shipment_lines(where=Q(shipment_id=shipment_id))
        to_ship = [line for line in lines if line.qty_to_ship > 0]
        if not to_ship:
            raise _nothing_to_ship(visible)
        lines_before = shipment_lines_snapshot(lines)
        posted = _post_locked(shipment=visible, to_ship=to_ship, posted_no=posted_no, user=user)
        record_shipment_change(
            user=user,
            shipment=visible,
            operation="warehouse_shipment_post",
            action=Action.POSTED,
            lines_before=lines_before,
            shipment_after={"posted_shipment": posted.no},
        )
        # A posted shipment never changes: rendered right after the commit, off this transaction.
        event_emit(event_type=EventType.WAREHOUSE_SHIPMENT_POSTED, subject=posted, render_later=True)
        shipment_no = visible.no
        transaction.on_commit(
            lambda: logger.info("shipment %s posted as %s by %s", shipment_no, posted.no, user)
        )
    return posted


def _nothing_to_ship(shipment: WarehouseShipment) -> Conflict:
    return Conflict(
        _(
            "Nothing to post on shipment %(no)s: no line has a Qty. to Ship. Register the warehouse pick "
            "first (or, without picks, set Qty. to Ship on the lines to ship)."
        )
        % {"no": shipment.no},
        code=ErrorCode.NOTHING_TO_SHIP,
    )


def _post_locked(
    *, shipment: WarehouseShipment, to_ship: list[WarehouseShipmentLine], posted_no: str, user: Any
) -> PostedShipment:
    location = shipment.location
    line_ids = [line.pk for line in to_ship]
    picked = lock_picked_stock(where=Q(shipment_line_id__in=line_ids)) if location.require_pick else []
    source_lines = {
        sl.pk: sl for sl in lock_source_lines(where=Q(pk__in=[ln.source_line_id for ln in to_ship]))
    }
    documents = {
        d.pk: d
        for d in SourceDocument.objects.filter(pk__in={sl.document_id for sl in source_lines.values()})
    }
    items = {
        i.pk: i
        for i in Item.objects.select_related("tracking_code").filter(pk__in={ln.item_id for ln in to_ship})
    }
    if location.require_pick:
        ships, errors = _from_picked_stock(to_ship, picked, items)
    else:
        ships, errors = _from_bins(location, to_ship, source_lines, items)
    posting_date = timezone.localdate()
    errors += _ship(
        location=location,
        ships=ships,
        source_lines=source_lines,
        documents=documents,
        posted_no=posted_no,
        posting_date=posting_date,
        user=user,
        reported={(e["line"], e["code"]) for e in errors},
    )
    by_line_no = {line.line_no: line for line in to_ship}
    errors = recall_errors(
        errors,
        ((s.line.line_no, s.line.item_id, s.lot_no, s.serial_no) for s in ships),
        line_error=lambda line_no, hold: {
            **_line_error(by_line_no[line_no], ErrorCode.RECALLED, recalled_detail(line_no, hold)),
            "recall": hold.recall_no,
        },
    )
    if errors:
        errors.sort(key=lambda e: e["line"])
        raise _refusal(errors, shipment)
    posted = PostedShipment.objects.create(
        no=posted_no,
        shipment_no=shipment.no,
        shipment=shipment,
        location=location,
        posting_date=posting_date,
        posted_by=user if getattr(user, "is_authenticated", False) else None,
    )
    _write(posted=posted, ships=ships, to_ship=to_ship, source_lines=source_lines)
    update_documents_status(documents=Q(pk__in=list(documents)))
    refresh_shipment_status(shipments=Q(pk=shipment.pk))
    return posted


# --- What ships ----------------------------------------------------------------------------------------


def _line_error(line: WarehouseShipmentLine, code: ErrorCode, detail: str) -> dict[str, Any]:
    return {"line": line.line_no, "shipment_line_id": line.pk, "code": code, "detail": detail}


def _from_picked_stock(
    to_ship: list[WarehouseShipmentLine], picked: list[PickedStock], items: dict[int, Item]
) -> tuple[list[_Ship], list[dict[str, Any]]]:
    """A location that requires pick: each line's Qty. to Ship from its picked stock, oldest first."""
    by_pk = {line.pk: line for line in to_ship}
    left = {line.pk: line.qty_to_ship for line in to_ship}
    ships = []
    for row in picked:
        want, have = left.get(row.shipment_line_id, ZERO), row.quantity - row.qty_shipped
        if want <= 0 or have <= 0:
            continue
        take = min(want, have)
        left[row.shipment_line_id] -= take
        ships.append(
            _Ship(
                by_pk[row.shipment_line_id],
                row.bin_id,
                take,
                row.lot_no,
                row.serial_no,
                row.expiration_date,
                row.item_tracking_line_id,
                row.pk,
            )
        )
    errors = [
        _line_error(
            line,
            ErrorCode.QTY_TO_SHIP_EXCEEDS_PICKED,
            _(
                "Line %(line_no)s (item %(item)s): Qty. to Ship is %(to_ship)s, but only %(picked)s are "
                "picked and waiting in the shipping bin. Lower Qty. to Ship or register the pick first."
            )
            % {
                "line_no": line.line_no,
                "item": items[line.item_id].no,
                "to_ship": format_quantity(line.qty_to_ship),
                "picked": format_quantity(line.qty_to_ship - left[line.pk]),
            },
        )
        for line in to_ship
        if left[line.pk] > 0
    ]
    return ships, errors


def _from_bins(
    location: Location,
    to_ship: list[WarehouseShipmentLine],
    source_lines: dict[int, SourceLine],
    items: dict[int, Item],
) -> tuple[list[_Ship], list[dict[str, Any]]]:
    """A location without picks: each line's Qty. to Ship from its bin, prescribed numbers first, the rest
    proposed like case 1, planned on the locked stock of those bins."""
    errors = [
        _line_error(
            line,
            ErrorCode.BIN_REQUIRED,
            _("Line %(line_no)s (item %(item)s) has no bin to ship from: choose one.")
            % {"line_no": line.line_no, "item": items[line.item_id].no},
        )
        for line in to_ship
        if line.bin_id is None
    ]
    lines = [line for line in to_ship if line.bin_id is not None]
    keys = BinContent.objects.filter(
        bin_id__in={line.bin_id for line in lines}, item_id__in=list(items), quantity__gt=0
    ).values_list("bin_id", "item_id", "lot_no", "serial_no")
    lock_bin_contents(list(keys))
    stock = available_stock(item_ids=sorted(items), location_id=location.pk, on_date=timezone.localdate())
    budget = Budget.of(stock, fefo=location.pick_according_to_fefo, include_shipping=True)
    bin_codes = {row.stock.bin_id: row.stock.bin_code for row in stock.rows}
    prescribed = prescribed_outstanding(
        source_lines=SourceLine.objects.filter(pk__in=[line.source_line_id for line in lines])
    )
    requirements = {pk: requirement(item.tracking_code) for pk, item in items.items()}
    ships: list[_Ship] = []
    for line in lines:
        req = requirements[line.item_id]
        demand = Demand(
            line_no=line.line_no,
            item_id=line.item_id,
            item_no=items[line.item_id].no,
            requirement=req,
            quantity=line.qty_to_ship,
            bin_id=line.bin_id,
            bin_code=bin_codes.get(line.bin_id or 0, ""),
            prescribed=prescribed.get(line.source_line_id, ()),
        )
        plan = plan_demand(demand, budget, location_code=location.code, propose=True)
        errors += [_line_error(line, ErrorCode.INSUFFICIENT_QUANTITY, n.reason) for n in plan.not_picked]
        planned = [
            _Ship(
                line, p.bin_id, p.quantity, p.lot_no, p.serial_no, p.expiration_date, p.item_tracking_line_id
            )
            for p in plan.lines
        ]
        errors += _incomplete(line, planned, req, items[line.item_id])
        ships += planned
    return ships, errors


def _incomplete(
    line: WarehouseShipmentLine, ships: list[_Ship], req: Requirement, item: Item
) -> list[dict[str, Any]]:
    """Numbers the stock does not carry must come from the source line (shipping without picks has no
    worker to assign them)."""
    missing = sorted(
        {kind for s in ships for kind in rules.missing_numbers(req, lot_no=s.lot_no, serial_no=s.serial_no)}
    )
    if not missing:
        return []
    if missing == ["lot"]:
        what = _("lot numbers")
    elif missing == ["serial"]:
        what = _("serial numbers")
    else:
        what = _("lot numbers and serial numbers")
    return [
        _line_error(
            line,
            ErrorCode.TRACKING_INCOMPLETE,
            _(
                "Line %(line_no)s (item %(item)s) needs %(what)s to ship: give them on the source document's "
                "item tracking lines (Assign or Select), then post."
            )
            % {"line_no": line.line_no, "item": item.no, "what": what},
        )
    ]


def _ship(
    *,
    location: Location,
    ships: list[_Ship],
    source_lines: dict[int, SourceLine],
    documents: dict[int, SourceDocument],
    posted_no: str,
    posting_date: datetime.date,
    user: Any,
    reported: set[tuple[Any, Any]],
) -> list[dict[str, Any]]:
    """Ship through the ledger primitive (which locks bin content and receipts and checks every movement);
    the problems it refuses with, per shipment line, except those already `reported`."""
    sources = {}
    for s in ships:
        source_line = source_lines[s.line.source_line_id]
        document = documents[source_line.document_id]
        sources[s.line.line_no] = EntrySource(
            ENTRY_TYPES.get(SourceDocument.Type(document.type), EntryType.SALE),
            document.type,
            document.no,
            source_line.line_no,
        )
    try:
        inventory_post_outbound(
            movements=[
                OutboundMovement(
                    ref=s.line.line_no,
                    location_id=location.pk,
                    bin_id=s.bin_id,
                    item_id=s.line.item_id,
                    quantity=s.quantity,
                    lot_no=s.lot_no,
                    serial_no=s.serial_no,
                )
                for s in ships
            ],
            entry_type=EntryType.SALE,
            document_type=DOCUMENT_TYPE,
            document_no=posted_no,
            posting_date=posting_date,
            user=user,
            sources=sources,
        )
    except OutboundRefused as exc:
        by_line_no = {s.line.line_no: s.line for s in ships}
        errors = []
        for error in exc.errors:
            code = ErrorCode.TRACKING_INCOMPLETE if error.get("code") in _INCOMPLETE_CODES else error["code"]
            line = by_line_no[error["line"]]
            if (line.line_no, code) in reported:
                continue
            reported.add((line.line_no, code))
            errors.append(
                _line_error(
                    line,
                    code,
                    _("Line %(line_no)s: %(problem)s")
                    % {"line_no": line.line_no, "problem": error["detail"]},
                )
            )
        return errors
    return []


def _refusal(errors: list[dict[str, Any]], shipment: WarehouseShipment) -> ShipmentPostRefused:
    lines = sorted({e["line"] for e in errors})
    values = {"no": shipment.no, "count": len(lines), "first": errors[0]["detail"], "more": len(errors) - 1}
    if len(errors) > 1:
        message = ngettext(
            "Shipment %(no)s was not posted; nothing was changed. %(count)s line(s) have problems: %(first)s "
            "(%(more)s more problem(s) listed per line)",
            "Shipment %(no)s was not posted; nothing was changed. %(count)s line(s) have problems: %(first)s "
            "(%(more)s more problem(s) listed per line)",
            len(errors) - 1,
        )
    else:
        message = ngettext(
            "Shipment %(no)s was not posted; nothing was changed. %(count)s line(s) have problems: %(first)s",
            "Shipment %(no)s was not posted; nothing was changed. %(count)s line(s) have problems: %(first)s",
            len(lines),
        )
    return ShipmentPostRefused(
        message % values,
        code=errors[0]["code"] if len({e["code"] for e in errors}) == 1 else ShipmentPostRefused.code,
        errors=errors,
    )


# --- Writing -------------------------------------------------------------------------------------------


def _write(
    *,
    posted: PostedShipment,
    ships: list[_Ship],
    to_ship: list[WarehouseShipmentLine],
    source_lines: dict[int, SourceLine],
) -> None:
    """Posted shipment lines (one INSERT), picked stock, item tracking lines, shipment lines and source
    lines (a fixed number of UPDATEs and INSERTs)."""
    bulk_insert(
        [
            PostedShipmentLine(
                posted_shipment=posted,
                line_no=index + 1,
                shipment_line_no=s.line.line_no,
                source_document_id=source_lines[s.line.source_line_id].document_id,
                source_line_id=s.line.source_line_id,
                item_id=s.line.item_id,
                bin_id=s.bin_id,
                quantity=s.quantity,
                serial_no=s.serial_no,
                lot_no=s.lot_no,
                expiration_date=s.expiration_date,
                item_tracking_line_id=s.item_tracking_line_id,
            )
            for index, s in enumerate(ships)
        ]
    )
    shipped_from_picked: dict[int, Decimal] = defaultdict(lambda: ZERO)
    prescribed: dict[int, Decimal] = defaultdict(lambda: ZERO)
    chosen: dict[NumbersKey, Chosen] = {}
    for s in ships:
        if s.picked_stock_id:
            shipped_from_picked[s.picked_stock_id] += s.quantity
        if s.item_tracking_line_id:
            prescribed[s.item_tracking_line_id] += s.quantity
        elif s.lot_no or s.serial_no:
            chosen_add(chosen, (s.line.source_line_id, s.lot_no, s.serial_no), s.quantity, s.expiration_date)
    update_rows(PickedStock, list(shipped_from_picked.items()), add_fields=["qty_shipped"])
    tracking_lines_write_back(prescribed=prescribed, chosen=chosen)
    update_rows(
        WarehouseShipmentLine,
        [(line.pk, ZERO, line.qty_to_ship) for line in to_ship],
        set_fields=["qty_to_ship"],
        add_fields=["qty_shipped"],
    )
    shipped: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for line in to_ship:
        shipped[line.source_line_id] += line.qty_to_ship
    update_rows(
        SourceLine,
        [(pk, qty, -qty) for pk, qty in shipped.items()],
        add_fields=["qty_shipped", "qty_on_shipments"],
    )
