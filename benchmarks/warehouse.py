"""Warehouse shipment benchmarks: registering a warehouse pick and posting its shipment, each against its
database baseline (the same rows written the fastest way: `benchmarks.baseline`).

A shape is (lines, serial numbers per line); each line's serial numbers are prescribed by the order (case
4), so a shape of 1 000 x 10 registers and ships 10 000 serial numbers. Per document (untimed): the order
is created, gathered on a shipment at the location BENCHWH (shipment and pick), picked (a warehouse pick
of one pair per serial number) and Qty. to Handle set; then `register warehouse` times
`picking.services.pick_register.pick_register` and `ship warehouse` times
`picking.services.shipment_post.warehouse_shipment_post`. The baselines write, with mirror items:

- register: warehouse entries out and in, bin content (from-rows decremented, to-rows inserted), picked
  stock, the registered pick and its lines, the shipment lines, the pick lines (one UPDATE by pick), the
  pick's and shipment's status, the series;
- ship: item ledger entries and warehouse entries, the posted shipment and its lines, the receipts, bin
  content, picked stock, item tracking lines, shipment lines and source lines, the statuses, the series.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from benchmarks import baseline, data
from benchmarks.harness import FAILED, OK, Measurement, Result, baseline_once, log, measure_once
from benchmarks.sql import Part, Row, Rows, Statement, Update, next_ids, row_count, table, write
from core.quantities import ONE, ZERO
from picking.models import (
    ItemTrackingLine,
    Pick,
    PickedStock,
    PickLine,
    PostedShipment,
    PostedShipmentLine,
    RegisteredPick,
    RegisteredPickLine,
    SourceDocument,
    SourceLine,
    WarehouseShipment,
    WarehouseShipmentLine,
)
from warehouse.models import (
    Bin,
    BinContent,
    EntryType,
    ItemLedgerEntry,
    Location,
    WarehouseEmployee,
    WarehouseEntry,
)

if TYPE_CHECKING:
    from benchmarks.scenarios import Suite

WH_LOCATION = "BENCHWH"
STORAGE_BINS = ("WB01", "WB02", "WB03", "WB04")
SHIP_BIN = "WSHIP"
OPERATIONS = ("register", "ship")


@dataclass
class Warehouse:
    master: data.Master  # the master data with this location and its storage bins
    ship: Bin


def create_warehouse(master: data.Master) -> Warehouse:
    """BENCHWH (shipment and pick): four storage bins and the shipment bin; the supervisor works there."""
    location, _ = Location.objects.get_or_create(
        code=WH_LOCATION, defaults={"name": "Benchmark distribution centre", "require_pick": True}
    )
    bins = [Bin.objects.get_or_create(location=location, code=code)[0] for code in STORAGE_BINS]
    ship, _ = Bin.objects.get_or_create(
        location=location, code=SHIP_BIN, defaults={"kind": Bin.Kind.SHIPPING}
    )
    Location.objects.filter(pk=location.pk).update(require_shipment=True, shipment_bin=ship)
    location.refresh_from_db()
    WarehouseEmployee.objects.get_or_create(user=master.supervisor, location=location)
    return Warehouse(master=replace(master, location=location, bins=bins), ship=ship)


def run_warehouse(suite: Suite) -> None:
    """Every selected warehouse shape of the suite's config, smallest first."""
    if not suite.config.warehouse:
        return
    wh = create_warehouse(suite.master)
    for lines, per_line in sorted(suite.config.warehouse, key=lambda shape: shape[0] * shape[1]):
        _run_shape(suite, wh, lines, per_line)


def _result(op: str, lines: int, per_line: int) -> Result:
    return Result(
        scenario=f"{op} warehouse",
        operation=op,
        variant="warehouse",
        lines=lines,
        serials=lines * per_line,
        serials_per_line=per_line,
    )


def _run_shape(suite: Suite, wh: Warehouse, lines: int, per_line: int) -> None:
    cfg = suite.config
    wanted = [op for op in OPERATIONS if cfg.selected(f"{op} warehouse")]
    if not wanted:
        return
    log(f"{suite.elapsed()} setting up warehouse {lines} lines x {per_line}")
    # Each run needs its own document picked and ready (the set-up of 10 000 serial numbers takes longer
    # than what is measured): at most `warehouse_runs` measured runs, and outside the time budget.
    total = cfg.warmup + min(cfg.runs, cfg.warehouse_runs)
    prefix = f"WH{lines}x{per_line}"
    master = wh.master
    try:
        items = data.create_items(prefix, lines, master.serial_code)
        mirror = data.create_items(f"B{prefix}", lines, master.serial_code)
        data.receive(master, data.serial_stock(master, items, runs=total, per_run=per_line), label=prefix)
        picks = [_prepared(master, items, per_line, run, prefix) for run in range(total)]
    except Exception as exc:
        traceback.print_exc()
        for op in wanted:
            suite.report(replace(_result(op, lines, per_line), status=FAILED, detail=f"set-up: {exc}"))
        return
    from picking.services.pick_register import pick_register
    from picking.services.shipment_post import warehouse_shipment_post

    shape = baseline.Shape(kind="serial", items=mirror, per_line=per_line, prefix=f"B{prefix}")
    measured = {op: Measurement() for op in OPERATIONS}
    calls: dict[str, Callable[[int], object]] = {
        "register": lambda r: pick_register(pick_id=picks[r][0], user=master.supervisor),
        "ship": lambda r: warehouse_shipment_post(shipment_id=picks[r][1], user=master.supervisor),
    }
    baselines: dict[str, Callable[[int], tuple[float, int]]] = {
        "register": lambda r: register_baseline(wh, shape, r),
        "ship": lambda r: ship_baseline(wh, shape, r),
    }
    failed: dict[str, str] = {}
    for r in range(total):
        record = r >= cfg.warmup
        for op in OPERATIONS:  # register before ship: a shipment ships what its pick registered
            if op in failed:
                continue
            try:
                elapsed, queries = measure_once(partial(calls[op], r))
                seconds, rows = baseline_once(partial(baselines[op], r))
            except Exception as exc:
                traceback.print_exc()
                failed[op] = f"{type(exc).__name__}: {exc}"
                continue
            if record:
                m = measured[op]
                m.times.append(elapsed)
                m.queries.append(queries)
                m.baseline_times.append(seconds)
                m.baseline_rows = rows
    for op in wanted:
        if op in failed:
            suite.report(replace(_result(op, lines, per_line), status=FAILED, detail=failed[op]))
        else:
            suite.report(
                replace(_result(op, lines, per_line).fill(measured[op], baseline.describe()), status=OK)
            )


def _prepared(master: data.Master, items: list[Any], per_line: int, run: int, prefix: str) -> tuple[int, int]:
    """An order of `run`'s serial numbers on a shipment with its warehouse pick, Qty. to Handle set:
    (pick id, shipment id)."""
    from picking.services.pick_qty_to_handle import pick_autofill_qty_to_handle
    from picking.services.shipment_create import warehouse_shipment_create
    from picking.services.source_document_create import source_document_create
    from picking.services.warehouse_pick_create import warehouse_pick_create

    body = data.serial_document(f"SO-{prefix}-{run}", items, per_line=per_line, run=run)
    body["location"] = WH_LOCATION
    document = source_document_create(data=body, user=master.erp)
    shipment = warehouse_shipment_create(
        location_code=WH_LOCATION, source_document_ids=[document.pk], user=master.supervisor
    )
    result = warehouse_pick_create(shipment_ids=[shipment.pk], user=master.supervisor)
    if result.pick is None or result.not_picked:
        raise RuntimeError(f"the warehouse pick did not cover the order: {result.not_picked[:3]}")
    pick_autofill_qty_to_handle(pick_id=result.pick.pk, user=master.supervisor)
    return result.pick.pk, shipment.pk


# --- Baselines -----------------------------------------------------------------------------------------


@dataclass
class _Shipment:
    shipment_id: int
    line_ids: list[int]
    parts: list[Part]


def _shipment(wh: Warehouse, doc: Any, shape: baseline.Shape, tag: str, *, picked: bool) -> _Shipment:
    shipment_id = next_ids(WarehouseShipment, 1)[0]
    line_ids = next_ids(WarehouseShipmentLine, len(shape.items))
    quantity = Decimal(shape.per_line)
    rows = [
        Row(
            id=line_ids[i],
            shipment_id=shipment_id,
            line_no=(i + 1) * 10000,
            source_line_id=doc.line_ids[i],
            item_id=item.pk,
            bin_id=wh.ship.pk,
            quantity=quantity,
            qty_picked=quantity if picked else ZERO,
            qty_on_picks=ZERO if picked else quantity,
            qty_to_ship=quantity if picked else ZERO,
        )
        for i, item in enumerate(shape.items)
    ]
    shipment = WarehouseShipment(
        id=shipment_id, no=f"S{tag}", location_id=wh.master.location.pk, created_by_id=wh.master.supervisor.pk
    )
    return _Shipment(
        shipment_id,
        line_ids,
        [Rows.of(WarehouseShipment, [shipment]), Rows.of_dicts(WarehouseShipmentLine, rows)],
    )


def _on_shipment(wh: Warehouse, doc: Any, shape: baseline.Shape, tag: str) -> tuple[_Shipment, list[Part]]:
    """The document gathered on a new shipment (not picked): the shipment and what gathering writes (the
    shipment and its lines, the source lines' quantity on shipments)."""
    shipment = _shipment(wh, doc, shape, tag, picked=False)
    quantity = Decimal(shape.per_line)
    on_shipments = [quantity] * len(doc.line_ids)
    return shipment, [
        *shipment.parts,
        Update(SourceLine, doc.line_ids, set_values={"qty_on_shipments": on_shipments}),
    ]


def _serials(shape: baseline.Shape, doc: Any) -> list[tuple[int, int, str, int]]:
    """(line index, item id, serial no., item tracking line id) of every serial number of the document."""
    return [
        (i, item.pk, shape.serial(doc.no, i, j), doc.tracking_ids[i][j])
        for i, item in enumerate(shape.items)
        for j in range(shape.per_line)
    ]


@dataclass
class _PickPairs:
    """A warehouse pick of one take/place pair per serial number of a document on its shipment, and the
    stock in the storage bins it takes from."""

    shipment: _Shipment
    pick_id: int
    takes: list[Row]
    places: list[Row]
    content_ids: list[int]
    before: list[Part]  # the document on its shipment, and the stock
    pick: list[Part]  # the pick and its lines
    picked: list[Part]  # what creating the pick writes besides: shipment lines' quantity on picks, series


def _pick_pairs(wh: Warehouse, shape: baseline.Shape, tag: str, *, qty_to_handle: bool) -> _PickPairs:
    master, location_id = wh.master, wh.master.location.pk
    doc, doc_parts = baseline._document(master, shape, tag, qty_on_picks=False)
    shipment, gathered = _on_shipment(wh, doc, shape, tag)
    serials = _serials(shape, doc)
    count = len(serials)
    pick_id = next_ids(Pick, 1)[0]
    line_ids_all = next_ids(PickLine, 2 * count)  # one call: on SQLite the ids come from MAX(id)
    take_ids, place_ids = line_ids_all[:count], line_ids_all[count:]
    content_ids = next_ids(BinContent, count)
    bins = master.bins
    pick = Pick(id=pick_id, no=f"P{tag}", type=Pick.Type.WAREHOUSE_PICK, location_id=location_id)
    common = {
        "pick_id": pick_id,
        "quantity": ONE,
        "qty_to_handle": ONE if qty_to_handle else ZERO,
        "tracking_locked": True,
    }
    takes = [
        Row(
            id=take_ids[n],
            line_no=(n + 1) * 10000,
            action=PickLine.Action.TAKE,
            source_line_id=doc.line_ids[i],
            shipment_line_id=shipment.line_ids[i],
            item_id=item_id,
            bin_id=bins[n % len(bins)].pk,
            serial_no=serial,
            item_tracking_line_id=itl,
            **common,
        )
        for n, (i, item_id, serial, itl) in enumerate(serials)
    ]
    places = [
        Row(
            {
                **take,
                "id": place_ids[n],
                "line_no": take["line_no"] + 1,
                "action": PickLine.Action.PLACE,
                "bin_id": wh.ship.pk,
                "pair_id": take_ids[n],
            }
        )
        for n, take in enumerate(takes)
    ]
    contents = [
        Row(
            id=content_ids[n],
            location_id=location_id,
            bin_id=t.bin_id,
            item_id=t.item_id,
            serial_no=t.serial_no,
            quantity=ONE,
        )
        for n, t in enumerate(takes)
    ]
    quantity = Decimal(shape.per_line)
    before: list[Part] = [*doc_parts, *gathered, Rows.of_dicts(BinContent, contents)]
    pick_parts: list[Part] = [
        Rows.of(Pick, [pick]),
        Rows.of_dicts(PickLine, places),  # the place lines first: the take lines point at them
        Rows.of_dicts(PickLine, [Row({**t, "pair_id": place_ids[n]}) for n, t in enumerate(takes)]),
    ]
    picked: list[Part] = [
        # (the shipment lines are written with it already: the same value again, the same write)
        Update(
            WarehouseShipmentLine,
            shipment.line_ids,
            set_values={"qty_on_picks": [quantity] * len(shipment.line_ids)},
        ),
        baseline._series_update(master, f"P{tag}"),
    ]
    return _PickPairs(shipment, pick_id, takes, places, content_ids, before, pick_parts, picked)


def shipment_baseline(wh: Warehouse, shape: baseline.Shape, run: int) -> tuple[float, int]:
    """The rows gathering a document on a new shipment writes (the document written untimed before)."""
    tag = f"{shape.prefix}-G{run}"
    doc, doc_parts = baseline._document(wh.master, shape, tag, qty_on_picks=False)
    write(doc_parts)
    _, gathered = _on_shipment(wh, doc, shape, tag)
    parts: list[Part] = [*gathered, baseline._series_update(wh.master, f"S{tag}")]
    return write(parts), row_count(parts)


def create_pick_baseline(wh: Warehouse, shape: baseline.Shape, run: int) -> tuple[float, int, int]:
    """The rows creating a warehouse pick writes, for a document of the shape on its shipment (written
    untimed before, with the stock): (seconds, rows, pick id)."""
    pairs = _pick_pairs(wh, shape, f"{shape.prefix}-W{run}", qty_to_handle=False)
    write(pairs.before)
    parts = [*pairs.pick, *pairs.picked]
    return write(parts), row_count(parts), pairs.pick_id


def register_baseline(wh: Warehouse, shape: baseline.Shape, run: int) -> tuple[float, int]:
    """The rows registering writes, for a document of the shape (written untimed before: the document,
    its shipment, the pick of one pair per serial number, the stock in the storage bins)."""
    master, location_id, user_id = wh.master, wh.master.location.pk, wh.master.supervisor.pk
    tag = f"{shape.prefix}-R{run}"
    pairs = _pick_pairs(wh, shape, tag, qty_to_handle=True)
    shipment, pick_id, takes, places, content_ids = (
        pairs.shipment,
        pairs.pick_id,
        pairs.takes,
        pairs.places,
        pairs.content_ids,
    )
    count = len(takes)
    write([*pairs.before, *pairs.pick])

    today = timezone.localdate()
    registered_id = next_ids(RegisteredPick, 1)[0]
    entry_ids = next_ids(WarehouseEntry, 2 * count)
    ship_ids = next_ids(BinContent, count)
    line_ids = next_ids(RegisteredPickLine, 2 * count)
    picked_ids = next_ids(PickedStock, count)
    entry = {
        "entry_type": EntryType.MOVEMENT,
        "document_type": "registered_pick",
        "document_no": f"R{tag}",
        "posting_date": today,
        "location_id": location_id,
        "created_by_id": user_id,
    }
    entries = []
    for n, t in enumerate(takes):
        for k, (bin_id, quantity) in enumerate(((t.bin_id, -ONE), (wh.ship.pk, ONE))):
            entries.append(
                Row(
                    id=entry_ids[2 * n + k],
                    item_id=t.item_id,
                    bin_id=bin_id,
                    serial_no=t.serial_no,
                    quantity=quantity,
                    **entry,
                )
            )
    registered_lines = [
        Row(
            id=line_ids[n],
            registered_pick_id=registered_id,
            line_no=n + 1,
            pick_line_no=line.line_no,
            action=line.action,
            source_line_id=line.source_line_id,
            shipment_line_id=line.shipment_line_id,
            shipment_no=f"S{tag}",
            item_id=line.item_id,
            bin_id=line.bin_id,
            quantity=ONE,
            serial_no=line.serial_no,
            item_tracking_line_id=line.item_tracking_line_id,
        )
        for n, line in enumerate(sorted(takes + places, key=lambda ln: ln["line_no"]))
    ]
    quantity = Decimal(shape.per_line)
    parts: list[Part] = [
        Rows.of(
            RegisteredPick,
            [
                RegisteredPick(
                    id=registered_id,
                    no=f"R{tag}",
                    pick_no=f"P{tag}",
                    pick_id=pick_id,
                    location_id=location_id,
                    posting_date=today,
                    registered_by_id=user_id,
                )
            ],
        ),
        Rows.of_dicts(RegisteredPickLine, registered_lines),
        Rows.of_dicts(WarehouseEntry, entries),
        Update(BinContent, content_ids, add_values={"quantity": [-ONE] * count}),
        Rows.of_dicts(
            BinContent,
            [
                Row(
                    id=ship_ids[n],
                    location_id=location_id,
                    bin_id=wh.ship.pk,
                    item_id=t.item_id,
                    serial_no=t.serial_no,
                    quantity=ONE,
                )
                for n, t in enumerate(takes)
            ],
        ),
        Rows.of_dicts(
            PickedStock,
            [
                Row(
                    id=picked_ids[n],
                    shipment_line_id=t.shipment_line_id,
                    item_id=t.item_id,
                    bin_id=wh.ship.pk,
                    serial_no=t.serial_no,
                    quantity=ONE,
                    item_tracking_line_id=t.item_tracking_line_id,
                )
                for n, t in enumerate(takes)
            ],
        ),
        Update(
            WarehouseShipmentLine,
            shipment.line_ids,
            set_values={"qty_to_ship": [quantity] * len(shipment.line_ids)},
            add_values={
                "qty_picked": [quantity] * len(shipment.line_ids),
                "qty_on_picks": [-quantity] * len(shipment.line_ids),
            },
        ),
        Statement(
            f"UPDATE {table(PickLine)} SET qty_handled = qty_handled + qty_to_handle, qty_to_handle = 0 "
            "WHERE pick_id = %s AND qty_to_handle > 0",
            [pick_id],
        ),
        Statement(f"UPDATE {table(Pick)} SET status = %s WHERE id = %s", ["completed", pick_id]),
        Statement(
            f"UPDATE {table(WarehouseShipment)} SET status = %s WHERE id = %s",
            ["picked", shipment.shipment_id],
        ),
        baseline._series_update(master, f"R{tag}"),
    ]
    return write(parts), row_count(parts) + 2 * count + 3


def ship_baseline(wh: Warehouse, shape: baseline.Shape, run: int) -> tuple[float, int]:
    """The rows posting a shipment writes, for a document of the shape (written untimed before: the
    document, the shipment with its picked stock in the shipping bin, the receipts)."""
    master, location_id, user_id = wh.master, wh.master.location.pk, wh.master.supervisor.pk
    tag = f"{shape.prefix}-S{run}"
    doc, doc_parts = baseline._document(master, shape, tag, qty_on_picks=False)
    shipment = _shipment(wh, doc, shape, tag, picked=True)
    serials = _serials(shape, doc)
    count = len(serials)
    today = timezone.localdate()
    receipt_ids = next_ids(ItemLedgerEntry, count)
    content_ids = next_ids(BinContent, count)
    picked_ids = next_ids(PickedStock, count)
    receipts = [
        Row(
            id=receipt_ids[n],
            entry_type=EntryType.POSITIVE_ADJUSTMENT,
            document_type="adjustment",
            document_no=f"R{tag}",
            posting_date=today,
            item_id=item_id,
            location_id=location_id,
            serial_no=serial,
            quantity=ONE,
            remaining_quantity=ONE,
            open=True,
            created_by_id=user_id,
        )
        for n, (_i, item_id, serial, _itl) in enumerate(serials)
    ]
    quantity = Decimal(shape.per_line)
    write(
        [
            *doc_parts,
            Update(SourceLine, doc.line_ids, set_values={"qty_on_shipments": [quantity] * len(doc.line_ids)}),
            *shipment.parts,
            Rows.of_dicts(ItemLedgerEntry, receipts),
            Rows.of_dicts(
                BinContent,
                [
                    Row(
                        id=content_ids[n],
                        location_id=location_id,
                        bin_id=wh.ship.pk,
                        item_id=item_id,
                        serial_no=serial,
                        quantity=ONE,
                    )
                    for n, (_i, item_id, serial, _itl) in enumerate(serials)
                ],
            ),
            Rows.of_dicts(
                PickedStock,
                [
                    Row(
                        id=picked_ids[n],
                        shipment_line_id=shipment.line_ids[i],
                        item_id=item_id,
                        bin_id=wh.ship.pk,
                        serial_no=serial,
                        quantity=ONE,
                        item_tracking_line_id=itl,
                    )
                    for n, (i, item_id, serial, itl) in enumerate(serials)
                ],
            ),
        ]
    )

    posted_id = next_ids(PostedShipment, 1)[0]
    entry_ids = next_ids(ItemLedgerEntry, count)
    warehouse_ids = next_ids(WarehouseEntry, count)
    line_ids = next_ids(PostedShipmentLine, count)
    common = {
        "posting_date": today,
        "location_id": location_id,
        "created_by_id": user_id,
        "entry_type": EntryType.SALE,
    }
    entries = [
        Row(
            id=entry_ids[n],
            document_type="posted_shipment",
            document_no=f"PS{tag}",
            item_id=item_id,
            serial_no=serial,
            quantity=-ONE,
            remaining_quantity=ZERO,
            open=False,
            applies_to_entry_id=receipt_ids[n],
            source_document_type=SourceDocument.Type.SALES_ORDER,
            source_document_no=doc.no,
            source_line_no=(i + 1) * 10000,
            **common,
        )
        for n, (i, item_id, serial, _itl) in enumerate(serials)
    ]
    warehouse_entries = [
        Row(
            id=warehouse_ids[n],
            document_type="posted_shipment",
            document_no=f"PS{tag}",
            item_id=item_id,
            bin_id=wh.ship.pk,
            serial_no=serial,
            quantity=-ONE,
            item_ledger_entry_id=entry_ids[n],
            **common,
        )
        for n, (_i, item_id, serial, _itl) in enumerate(serials)
    ]
    posted_lines = [
        Row(
            id=line_ids[n],
            posted_shipment_id=posted_id,
            line_no=n + 1,
            shipment_line_no=(i + 1) * 10000,
            source_document_id=doc.document_id,
            source_line_id=doc.line_ids[i],
            item_id=item_id,
            bin_id=wh.ship.pk,
            quantity=ONE,
            serial_no=serial,
            item_tracking_line_id=itl,
        )
        for n, (i, item_id, serial, itl) in enumerate(serials)
    ]
    lines = len(doc.line_ids)
    flat_tracking = [itl for *_rest, itl in serials]
    parts: list[Part] = [
        Rows.of(
            PostedShipment,
            [
                PostedShipment(
                    id=posted_id,
                    no=f"PS{tag}",
                    shipment_no=f"S{tag}",
                    shipment_id=shipment.shipment_id,
                    location_id=location_id,
                    posting_date=today,
                    posted_by_id=user_id,
                )
            ],
        ),
        Rows.of_dicts(ItemLedgerEntry, entries),
        Rows.of_dicts(WarehouseEntry, warehouse_entries),
        Rows.of_dicts(PostedShipmentLine, posted_lines),
        Update(
            ItemLedgerEntry,
            receipt_ids,
            set_values={"remaining_quantity": [ZERO] * count, "open": [False] * count},
        ),
        Update(BinContent, content_ids, add_values={"quantity": [-ONE] * count}),
        Update(PickedStock, picked_ids, add_values={"qty_shipped": [ONE] * count}),
        Update(ItemTrackingLine, flat_tracking, add_values={"qty_handled": [ONE] * count}),
        Update(
            WarehouseShipmentLine,
            shipment.line_ids,
            set_values={"qty_to_ship": [ZERO] * lines},
            add_values={"qty_shipped": [quantity] * lines},
        ),
        Update(
            SourceLine,
            doc.line_ids,
            add_values={"qty_shipped": [quantity] * lines, "qty_on_shipments": [-quantity] * lines},
        ),
        Statement(
            f"UPDATE {table(SourceDocument)} SET status = %s WHERE id = %s", ["shipped", doc.document_id]
        ),
        Statement(
            f"UPDATE {table(WarehouseShipment)} SET status = %s WHERE id = %s",
            ["shipped", shipment.shipment_id],
        ),
        baseline._series_update(master, f"PS{tag}"),
    ]
    return write(parts), row_count(parts) + 3
