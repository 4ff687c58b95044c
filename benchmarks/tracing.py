"""Item tracing benchmark: tracing one lot shipped on many documents (`picking.selectors.tracing.item_trace`),
forward and backward, with the number of queries (which does not grow with the documents).

The data is written directly in bulk (untimed): at the location BENCHTR, one receipt of lot TRACE-LOT of
`documents` units into bin T1, then per document a sales order with its partner, a posted pick with one
line and the outbound item ledger entry applied to the receipt, as `pick_post` leaves them. Shapes: the
config's `tracing` (100 and 10 000 documents in the full run, 100 and 1 000 with `--quick`).
`shipped_lot` is also the given of tests/test_tracing_query_counts.py.
"""

from __future__ import annotations

import datetime
import traceback
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model

from benchmarks.harness import FAILED, Measurement, Result, log, measure_once
from core.quantities import ONE
from picking.models import PostedPick, PostedPickLine, SourceDocument, SourceLine
from picking.selectors.tracing import item_trace
from tracking.models import ItemTrackingCode
from warehouse.models import Bin, EntryType, Item, ItemLedgerEntry, Location, WarehouseEntry

if TYPE_CHECKING:
    from benchmarks.scenarios import Suite

LOT = "TRACE-LOT"
BATCH = 2000


@dataclass
class ShippedLot:
    item_no: str
    lot_no: str
    documents: int
    user: Any


def shipped_lot(documents: int, *, prefix: str = "TR") -> ShippedLot:
    """One lot received once and shipped one unit per document on `documents` documents (bulk writes)."""
    today = datetime.date(2027, 1, 15)
    code, _ = ItemTrackingCode.objects.get_or_create(
        code=f"{prefix}LOT", defaults={"lot_warehouse_tracking": True}
    )
    location, _ = Location.objects.get_or_create(code=f"{prefix}LOC"[:10], defaults={"name": "Tracing"})
    bin_, _ = Bin.objects.get_or_create(location=location, code="T1")
    item = Item.objects.create(no=f"{prefix}{documents}", tracking_code=code)
    user = get_user_model().objects.create(username=f"{prefix.lower()}-admin-{documents}", is_superuser=True)
    receipt = ItemLedgerEntry.objects.create(
        entry_type=EntryType.POSITIVE_ADJUSTMENT,
        document_type="adjustment",
        document_no=f"{prefix}ADJ{documents}",
        posting_date=today,
        item=item,
        location=location,
        lot_no=LOT,
        quantity=Decimal(documents),
        remaining_quantity=Decimal(0),
        open=False,
    )
    WarehouseEntry.objects.create(
        entry_type=EntryType.POSITIVE_ADJUSTMENT,
        document_type="adjustment",
        document_no=receipt.document_no,
        posting_date=today,
        item=item,
        location=location,
        bin=bin_,
        lot_no=LOT,
        quantity=Decimal(documents),
        item_ledger_entry=receipt,
    )
    nos = [f"{prefix}{documents}-{i:05d}" for i in range(documents)]
    docs = SourceDocument.objects.bulk_create(
        [
            SourceDocument(
                type=SourceDocument.Type.SALES_ORDER,
                no=no,
                location=location,
                partner=f"Customer {i % 500:03d}",
                status=SourceDocument.Status.SHIPPED,
            )
            for i, no in enumerate(nos)
        ],
        batch_size=BATCH,
    )
    lines = SourceLine.objects.bulk_create(
        [SourceLine(document=d, line_no=10000, item=item, quantity=ONE, qty_shipped=ONE) for d in docs],
        batch_size=BATCH,
    )
    posted = PostedPick.objects.bulk_create(
        [
            PostedPick(
                no=f"P{no}", pick_no=f"I{no}", location=location, source_document=d, posting_date=today
            )
            for no, d in zip(nos, docs, strict=True)
        ],
        batch_size=BATCH,
    )
    PostedPickLine.objects.bulk_create(
        [
            PostedPickLine(
                posted_pick=p,
                line_no=1,
                pick_line_no=10000,
                source_line=sl,
                item=item,
                bin=bin_,
                quantity=ONE,
                lot_no=LOT,
            )
            for p, sl in zip(posted, lines, strict=True)
        ],
        batch_size=BATCH,
    )
    entries = ItemLedgerEntry.objects.bulk_create(
        [
            ItemLedgerEntry(
                entry_type=EntryType.SALE,
                document_type="posted_pick",
                document_no=p.no,
                posting_date=today,
                item=item,
                location=location,
                lot_no=LOT,
                quantity=-ONE,
                applies_to_entry=receipt,
                source_document_type=d.type,
                source_document_no=d.no,
                source_line_no=10000,
            )
            for p, d in zip(posted, docs, strict=True)
        ],
        batch_size=BATCH,
    )
    WarehouseEntry.objects.bulk_create(
        [
            WarehouseEntry(
                entry_type=EntryType.SALE,
                document_type="posted_pick",
                document_no=e.document_no,
                posting_date=today,
                item=item,
                location=location,
                bin=bin_,
                lot_no=LOT,
                quantity=-ONE,
                item_ledger_entry=e,
            )
            for e in entries
        ],
        batch_size=BATCH,
    )
    return ShippedLot(item.no, LOT, documents, user)


def run_tracing(suite: Suite) -> None:
    """`trace forward` and `trace backward` of a lot shipped on each of the config's `tracing` documents."""
    wanted = [d for d in ("forward", "backward") if suite.config.selected(f"trace {d}")]
    if not wanted:
        return
    for documents in suite.config.tracing:
        log(f"{suite.elapsed()} setting up tracing: one lot on {documents} documents")
        try:
            lot = shipped_lot(documents, prefix="BT")
        except Exception as exc:
            traceback.print_exc()
            for direction in wanted:
                suite.report(replace(_result(direction, documents), status=FAILED, detail=f"set-up: {exc}"))
            continue
        for direction in wanted:
            m = Measurement()
            try:
                for run in range(suite.config.warmup + suite.config.runs):
                    seconds, queries = measure_once(partial(_trace, lot, direction))
                    if run >= suite.config.warmup:
                        m.times.append(seconds)
                        m.queries.append(queries)
            except Exception as exc:
                traceback.print_exc()
                suite.report(replace(_result(direction, documents), status=FAILED, detail=str(exc)))
                continue
            suite.report(_result(direction, documents).fill(m, ""))


def _trace(lot: ShippedLot, direction: str) -> None:
    item_trace(user=lot.user, item_no=lot.item_no, lot_no=lot.lot_no, direction=direction)


def _result(direction: str, documents: int) -> Result:
    return Result(
        scenario=f"trace {direction}",
        operation="trace",
        variant="tracing",
        lines=documents,
        serials=0,
        serials_per_line=0,
    )
