"""The baseline: the same rows written the fastest way the database offers, in one transaction.

PostgreSQL: psycopg 3 `COPY ... FROM STDIN` for every inserted table, and one set-based
`UPDATE ... FROM unnest(...)` per updated table (or one `UPDATE ... WHERE pick_id = ...` where a single
predicate covers the rows). SQLite has no COPY: `executemany` of plain `INSERT`s and `UPDATE`s is its
fastest path from Python, and is its baseline.

What is timed is only the database work and the commit: the row tuples are built beforehand (ids taken
from the tables' sequences), and rows the operation needs to exist (the source document a pick is created
from, the stock and the pick a posting ships) are written untimed before. The baseline writes to its own
"mirror" items, so it never touches the stock or the documents the real scenario measures.
Reads (pick page, availability) have a read baseline: the one SQL query that returns the same rows.
"""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from benchmarks.data import LOT_SIZE, Master
from benchmarks.sql import (
    Part,
    Row,
    Rows,
    Statement,
    Update,
    db,
    fetch,
    is_postgresql,
    next_ids,
    row_count,
    table,
    write,
)
from core.quantities import ONE, ZERO
from picking.models import (
    ItemTrackingLine,
    Pick,
    PickLine,
    PostedPick,
    PostedPickLine,
    SourceDocument,
    SourceLine,
)
from tracking.models import NoSeries
from warehouse.models import (
    Bin,
    BinContent,
    EntryType,
    Item,
    ItemLedgerEntry,
    Location,
    LotNoInformation,
    SerialNoInformation,
    WarehouseEntry,
)


def describe() -> str:
    if is_postgresql():
        return "psycopg 3 COPY + set-based UPDATE ... FROM unnest(...), one transaction"
    return "SQLite: executemany INSERT/UPDATE (no COPY), one transaction"


# --- The documents of a family, mirrored ------------------------------------------------------------


@dataclass
class Shape:
    """A document family's shape: one line per (mirror) item, `per_line` units each.

    kind "serial": `per_line` serial numbers prescribed per line, one pick line per serial number.
    kind "lot": `per_line` units, no numbers prescribed; the pick takes lots of LOT_SIZE units.
    """

    kind: str
    items: list[Item]
    per_line: int
    prefix: str

    @property
    def takes_per_line(self) -> int:
        """Pick lines per source line."""
        return self.per_line if self.kind == "serial" else -(-self.per_line // LOT_SIZE)

    def take_quantity(self, j: int) -> Decimal:
        if self.kind == "serial":
            return ONE
        return Decimal(min(LOT_SIZE, self.per_line - j * LOT_SIZE))

    def serial(self, tag: str, i: int, j: int) -> str:
        return f"{tag}-{i}-{j}" if self.kind == "serial" else ""

    def lot(self, tag: str, i: int, j: int) -> str:
        return f"{tag}-{i}-L{j}" if self.kind == "lot" else ""


@dataclass
class _Doc:
    document_id: int
    no: str
    line_ids: list[int]
    tracking_ids: list[list[int]]  # per line (serial kind)


def _document(master: Master, shape: Shape, tag: str, *, qty_on_picks: bool) -> tuple[_Doc, list[Part]]:
    lines = len(shape.items)
    per_line_tracking = shape.per_line if shape.kind == "serial" else 0
    doc_id = next_ids(SourceDocument, 1)[0]
    line_ids = next_ids(SourceLine, lines)
    flat_tracking = next_ids(ItemTrackingLine, lines * per_line_tracking)
    tracking_ids = [flat_tracking[i * per_line_tracking : (i + 1) * per_line_tracking] for i in range(lines)]
    quantity = Decimal(shape.per_line)
    document = SourceDocument(
        id=doc_id,
        type=SourceDocument.Type.SALES_ORDER,
        no=tag,
        location_id=master.location.pk,
        partner="Benchmark customer",
        shipment_date=datetime.date(2026, 12, 1),
        status=SourceDocument.Status.OPEN,
        created_by_id=master.erp.pk,
    )
    source_lines = [
        Row(
            id=line_ids[i],
            document_id=doc_id,
            line_no=(i + 1) * 10000,
            item_id=item.pk,
            quantity=quantity,
            qty_on_picks=quantity if qty_on_picks else ZERO,
        )
        for i, item in enumerate(shape.items)
    ]
    tracking = [
        Row(
            id=tracking_ids[i][k],
            source_line_id=line_ids[i],
            serial_no=shape.serial(tag, i, k),
            quantity=ONE,
            origin=ItemTrackingLine.Origin.SOURCE,
        )
        for i in range(lines)
        for k in range(per_line_tracking)
    ]
    parts: list[Part] = [
        Rows.of(SourceDocument, [document]),
        Rows.of_dicts(SourceLine, source_lines),
        Rows.of_dicts(ItemTrackingLine, tracking),
    ]
    return _Doc(doc_id, tag, line_ids, tracking_ids), parts


def _series_update(master: Master, no: str) -> Statement:
    return Statement(
        f"UPDATE {table(NoSeries)} SET last_no_used = %s WHERE id = %s", [no, master.baseline_series.pk]
    )


@dataclass
class _Pick:
    pick_id: int
    no: str
    line_ids: list[int]
    lines: list[Row]


def _pick(
    master: Master, shape: Shape, doc: _Doc, tag: str, *, qty_to_handle: bool
) -> tuple[_Pick, list[Part]]:
    per = shape.takes_per_line
    pick_id = next_ids(Pick, 1)[0]
    line_ids = next_ids(PickLine, len(shape.items) * per)
    bins: list[Bin] = master.bins
    pick = Pick(
        id=pick_id,
        no=f"P{tag}",
        type=Pick.Type.INVENTORY_PICK,
        location_id=master.location.pk,
        source_document_id=doc.document_id,
        status=Pick.Status.OPEN,
        created_by_id=master.supervisor.pk,
    )
    lines = []
    for i, item in enumerate(shape.items):
        for j in range(per):
            n = i * per + j
            quantity = shape.take_quantity(j)
            lines.append(
                Row(
                    id=line_ids[n],
                    pick_id=pick_id,
                    line_no=(n + 1) * 10000,
                    action=PickLine.Action.TAKE,
                    source_line_id=doc.line_ids[i],
                    item_id=item.pk,
                    bin_id=bins[n % len(bins)].pk,
                    quantity=quantity,
                    qty_to_handle=quantity if qty_to_handle else ZERO,
                    serial_no=shape.serial(doc.no, i, j),
                    lot_no=shape.lot(doc.no, i, j),
                    tracking_locked=shape.kind == "serial",
                    item_tracking_line_id=doc.tracking_ids[i][j] if shape.kind == "serial" else None,
                )
            )
    return _Pick(pick_id, pick.no, line_ids, lines), [Rows.of(Pick, [pick]), Rows.of_dicts(PickLine, lines)]


def ingest(master: Master, shape: Shape, run: int) -> tuple[float, int]:
    """Source document, lines and item tracking lines. Returns (seconds, rows written)."""
    _, parts = _document(master, shape, f"{shape.prefix}-I{run}", qty_on_picks=False)
    return write(parts), row_count(parts)


def create(master: Master, shape: Shape, run: int) -> tuple[float, int]:
    """Pick and pick lines, source lines' qty_on_picks, the pick number."""
    seconds, rows, _ = create_with_pick(master, shape, run)
    return seconds, rows


def create_with_pick(master: Master, shape: Shape, run: int) -> tuple[float, int, int]:
    """`create`, and the id of the pick it wrote (for `autofill`): (seconds, rows written, pick id)."""
    tag = f"{shape.prefix}-C{run}"
    doc, doc_parts = _document(master, shape, tag, qty_on_picks=False)
    write(doc_parts)
    pick, pick_parts = _pick(master, shape, doc, tag, qty_to_handle=False)
    on_picks = Decimal(shape.per_line)
    parts: list[Part] = [
        *pick_parts,
        Update(SourceLine, doc.line_ids, add_values={"qty_on_picks": [on_picks] * len(doc.line_ids)}),
        _series_update(master, pick.no),
    ]
    return write(parts), row_count(parts), pick.pick_id


def post(master: Master, shape: Shape, run: int) -> tuple[float, int]:
    """Ledger and warehouse entries, posted pick and lines; receipts, bin content, pick lines, item
    tracking lines, source lines, pick and document status, the posted pick number."""
    tag = f"{shape.prefix}-P{run}"
    doc, doc_parts = _document(master, shape, tag, qty_on_picks=True)
    write(doc_parts)
    pick, pick_parts = _pick(master, shape, doc, tag, qty_to_handle=True)
    write(pick_parts)
    # Stock the pick takes: one open receipt and one bin content row per pick line.
    today = timezone.localdate()
    receipt_ids = next_ids(ItemLedgerEntry, len(pick.lines))
    content_ids = next_ids(BinContent, len(pick.lines))
    receipts = [
        Row(
            id=receipt_ids[n],
            entry_type=EntryType.POSITIVE_ADJUSTMENT,
            document_type="adjustment",
            document_no=f"R{tag}",
            posting_date=today,
            item_id=line.item_id,
            location_id=master.location.pk,
            serial_no=line.serial_no,
            lot_no=line.lot_no,
            quantity=line.quantity,
            remaining_quantity=line.quantity,
            open=True,
            created_by_id=master.supervisor.pk,
        )
        for n, line in enumerate(pick.lines)
    ]
    contents = [
        Row(
            id=content_ids[n],
            location_id=master.location.pk,
            bin_id=line.bin_id or master.bins[0].pk,
            item_id=line.item_id,
            lot_no=line.lot_no,
            serial_no=line.serial_no,
            quantity=line.quantity,
        )
        for n, line in enumerate(pick.lines)
    ]
    write([Rows.of_dicts(ItemLedgerEntry, receipts), Rows.of_dicts(BinContent, contents)])

    posted_id = next_ids(PostedPick, 1)[0]
    entry_ids = next_ids(ItemLedgerEntry, len(pick.lines))
    warehouse_ids = next_ids(WarehouseEntry, len(pick.lines))
    posted_line_ids = next_ids(PostedPickLine, len(pick.lines))
    line_index = {line_id: i for i, line_id in enumerate(doc.line_ids)}
    posted = PostedPick(
        id=posted_id,
        no=f"PP{tag}",
        pick_no=pick.no,
        pick_id=pick.pick_id,
        type=Pick.Type.INVENTORY_PICK,
        location_id=master.location.pk,
        source_document_id=doc.document_id,
        posting_date=today,
        posted_by_id=master.supervisor.pk,
    )
    entries = [
        Row(
            id=entry_ids[n],
            entry_type=EntryType.SALE,
            document_type="pick",
            document_no=pick.no,
            posting_date=today,
            item_id=line.item_id,
            location_id=master.location.pk,
            serial_no=line.serial_no,
            lot_no=line.lot_no,
            quantity=-line.quantity,
            remaining_quantity=ZERO,
            open=False,
            applies_to_entry_id=receipt_ids[n],
            source_document_type=SourceDocument.Type.SALES_ORDER,
            source_document_no=doc.no,
            source_line_no=(line_index[line.source_line_id] + 1) * 10000,
            created_by_id=master.supervisor.pk,
        )
        for n, line in enumerate(pick.lines)
    ]
    warehouse_entries = [
        Row(
            id=warehouse_ids[n],
            entry_type=EntryType.SALE,
            document_type="pick",
            document_no=pick.no,
            posting_date=today,
            item_id=line.item_id,
            location_id=master.location.pk,
            bin_id=line.bin_id or master.bins[0].pk,
            serial_no=line.serial_no,
            lot_no=line.lot_no,
            quantity=-line.quantity,
            item_ledger_entry_id=entry_ids[n],
            created_by_id=master.supervisor.pk,
        )
        for n, line in enumerate(pick.lines)
    ]
    posted_lines = [
        Row(
            id=posted_line_ids[n],
            posted_pick_id=posted_id,
            line_no=(n + 1) * 10000,
            pick_line_no=line.line_no,
            action=PickLine.Action.TAKE,
            source_line_id=line.source_line_id,
            item_id=line.item_id,
            bin_id=line.bin_id or master.bins[0].pk,
            quantity=line.quantity,
            serial_no=line.serial_no,
            lot_no=line.lot_no,
        )
        for n, line in enumerate(pick.lines)
    ]
    shipped = Decimal(shape.per_line)
    count = len(pick.lines)
    flat_tracking = [t for ids in doc.tracking_ids for t in ids]
    pick_lines = table(PickLine)
    parts: list[Part] = [
        Rows.of(PostedPick, [posted]),
        Rows.of_dicts(ItemLedgerEntry, entries),
        Rows.of_dicts(WarehouseEntry, warehouse_entries),
        Rows.of_dicts(PostedPickLine, posted_lines),
        Update(
            ItemLedgerEntry,
            receipt_ids,
            set_values={"remaining_quantity": [ZERO] * count, "open": [False] * count},
        ),
        Update(BinContent, content_ids, add_values={"quantity": [-line.quantity for line in pick.lines]}),
        Statement(
            f"UPDATE {pick_lines} SET qty_handled = qty_handled + qty_to_handle, qty_to_handle = 0 "
            "WHERE pick_id = %s AND qty_to_handle > 0",
            [pick.pick_id],
        ),
        Update(ItemTrackingLine, flat_tracking, add_values={"qty_handled": [ONE] * len(flat_tracking)}),
        Update(
            SourceLine,
            doc.line_ids,
            add_values={
                "qty_shipped": [shipped] * len(doc.line_ids),
                "qty_on_picks": [-shipped] * len(doc.line_ids),
            },
        ),
        Statement(f"UPDATE {table(Pick)} SET status = %s WHERE id = %s", ["completed", pick.pick_id]),
        Statement(
            f"UPDATE {table(SourceDocument)} SET status = %s WHERE id = %s", ["shipped", doc.document_id]
        ),
        _series_update(master, posted.no),
    ]
    seconds = write(parts)
    # Statement rows: the pick lines updated by one predicate, plus three one-row updates.
    return seconds, row_count(parts) + count + 3


# --- Reads and the one-statement update ----------------------------------------------------------


def render(pick_id: int, *, page_size: int = 25) -> tuple[float, int]:
    """The pick page's first screen: the pick with its location and document, and its first `page_size`
    lines in walking order (bin, then line no.) with item and bin."""
    start = time.perf_counter()
    header = fetch(
        f"SELECT p.id, p.no, p.status, p.type, l.code, d.type, d.no, d.partner "
        f"FROM {table(Pick)} p JOIN {table(Location)} l ON l.id = p.location_id "
        f"LEFT JOIN {table(SourceDocument)} d ON d.id = p.source_document_id WHERE p.id = %s",
        [pick_id],
    )
    lines = fetch(
        "SELECT pl.id, pl.line_no, pl.action, i.no, i.description, b.code, pl.quantity, pl.qty_handled, "
        "pl.qty_to_handle, pl.serial_no, pl.lot_no, pl.expiration_date, pl.tracking_locked, sl.line_no "
        f"FROM {table(PickLine)} pl JOIN {table(Item)} i ON i.id = pl.item_id "
        f"LEFT JOIN {table(Bin)} b ON b.id = pl.bin_id "
        f"JOIN {table(SourceLine)} sl ON sl.id = pl.source_line_id "
        "WHERE pl.pick_id = %s ORDER BY b.code, pl.line_no LIMIT %s",
        [pick_id, page_size],
    )
    return time.perf_counter() - start, len(header) + len(lines)


def scan(pick_id: int, code: str) -> tuple[float, int]:
    """One UPDATE: the open line carrying the scanned number gets Qty. to Handle 1 (same value again)."""
    start = time.perf_counter()
    with transaction.atomic(), db().cursor() as cursor:
        cursor.execute(
            f"UPDATE {table(PickLine)} SET qty_to_handle = 1 "
            "WHERE pick_id = %s AND (serial_no = %s OR lot_no = %s) AND qty_handled < quantity",
            [pick_id, code, code],
        )
        rows = int(cursor.rowcount)
    return time.perf_counter() - start, rows


def autofill(pick_id: int) -> tuple[float, int]:
    """One UPDATE: every line's Qty. to Handle becomes its outstanding quantity (same values again)."""
    start = time.perf_counter()
    with transaction.atomic(), db().cursor() as cursor:
        cursor.execute(
            f"UPDATE {table(PickLine)} SET qty_to_handle = quantity - qty_handled WHERE pick_id = %s",
            [pick_id],
        )
        rows = int(cursor.rowcount)
    return time.perf_counter() - start, rows


def availability(item_id: int, location_id: int, *, page_size: int | None) -> tuple[float, int]:
    """Stock rows of the item at the location with the quantity on open picks and the blocked flags, in
    one query (all rows, or the first page and the total count)."""
    bc, pl = table(BinContent), table(PickLine)
    sql = (
        "SELECT l.code, b.code, i.no, bc.lot_no, bc.serial_no, bc.expiration_date, bc.quantity, "
        "COALESCE(r.qty, 0), b.blocked, "
        f"EXISTS (SELECT 1 FROM {table(SerialNoInformation)} s WHERE s.item_id = bc.item_id "
        "AND s.serial_no = bc.serial_no AND s.blocked), "
        f"EXISTS (SELECT 1 FROM {table(LotNoInformation)} x WHERE x.item_id = bc.item_id "
        "AND x.lot_no = bc.lot_no AND x.blocked) "
        f"FROM {bc} bc JOIN {table(Bin)} b ON b.id = bc.bin_id "
        f"JOIN {table(Location)} l ON l.id = bc.location_id "
        f"JOIN {table(Item)} i ON i.id = bc.item_id "
        "LEFT JOIN (SELECT bin_id, item_id, lot_no, serial_no, SUM(quantity - qty_handled) AS qty "
        f"FROM {pl} WHERE action = 'take' AND qty_handled < quantity AND item_id = %s "
        "GROUP BY bin_id, item_id, lot_no, serial_no) r "
        "ON r.bin_id = bc.bin_id AND r.item_id = bc.item_id AND r.lot_no = bc.lot_no "
        "AND r.serial_no = bc.serial_no "
        "WHERE bc.item_id = %s AND bc.location_id = %s AND bc.quantity > 0 "
        "ORDER BY l.code, b.code, i.no, bc.expiration_date, bc.lot_no, bc.serial_no, bc.id"
    )
    params: list[Any] = [item_id, item_id, location_id]
    start = time.perf_counter()
    if page_size is None:
        rows = fetch(sql, params)
    else:
        fetch(
            f"SELECT COUNT(*) FROM {bc} WHERE item_id = %s AND location_id = %s AND quantity > 0",
            [item_id, location_id],
        )
        rows = fetch(f"{sql} LIMIT %s", [*params, page_size])
    return time.perf_counter() - start, len(rows)
