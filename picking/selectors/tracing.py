"""Item tracing: where an item's lot or serial number came from and where it went, as a tree.

One read per kind of record, whatever the number of documents (a fixed number of queries, asserted in
tests/test_tracing_query_counts.py and measured by `make bench`, scenario `tracing`):

1. the item ledger entries of the number (receipts, adjustments, and the outbound entries of posted picks
   and posted shipments, each applied to the exact receipt it took from: `applies_to_entry`);
2. its warehouse entries (the bin of each receipt, movements between bins);
3. open pick lines carrying it; 4. registered pick lines; 5. posted pick lines; 6. posted shipment lines
   (their bins);
7. the source documents of all of them (the partners).

The tree is then built in memory. **Forward** (where it went): each receipt with what was taken from it
(adjustments, posted picks and posted shipments, each with its source document and partner), then
movements between bins, registered picks and open picks, each with its source document. **Backward**
(where it came from): each source document with what shipped or is on its way to it (posted picks, posted
shipments, registered picks, open picks), each shipment with the receipts it was taken from; then removals
by adjustment with their receipts and movements.

Only the locations the user may see are read (`warehouse.scoping`): other locations' records never appear.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import F, Q
from django.utils.translation import gettext as _

from core.exceptions import ErrorCode, InvalidInput, NotFoundError
from core.quantities import ZERO, format_quantity
from picking.models import PickLine, PostedPickLine, PostedShipmentLine, RegisteredPickLine, SourceDocument
from warehouse.models import Item, ItemLedgerEntry, WarehouseEntry
from warehouse.scoping import at_locations, get_visible_location, visible_location_ids

FORWARD = "forward"
BACKWARD = "backward"
DIRECTIONS = (FORWARD, BACKWARD)

KINDS = (
    "receipt",
    "adjustment",
    "movement",
    "pick",
    "registered_pick",
    "posted_pick",
    "posted_shipment",
    "source_document",
)


@dataclass
class TraceNode:
    kind: str
    id: int
    no: str
    date: datetime.date | None
    quantity: Decimal
    location: str = ""
    bin: str | None = None
    partner: str | None = None
    children: list[TraceNode] = field(default_factory=list)

    def count(self) -> int:
        return 1 + sum(child.count() for child in self.children)


@dataclass
class Trace:
    item: Item
    lot_no: str
    serial_no: str
    direction: str
    nodes: list[TraceNode]

    @property
    def node_count(self) -> int:
        return sum(node.count() for node in self.nodes)


@dataclass
class _Doc:
    id: int
    type: str
    no: str
    partner: str
    location: str


def trace_params(
    *, item_no: str, lot_no: str = "", serial_no: str = "", direction: str = FORWARD
) -> tuple[Item, str, str, str]:
    """Check the tracing input: an item, a lot or a serial number (or both), a direction. InvalidInput
    (400) names each bad field; an unknown item is NotFoundError."""
    errors = []
    if not item_no:
        errors.append({"field": "item", "code": ErrorCode.REQUIRED, "detail": _("Give the item no.")})
    if not lot_no and not serial_no:
        errors.append(
            {
                "field": "lot_no",
                "code": ErrorCode.REQUIRED,
                "detail": _("Give the lot no. or the serial no. to trace."),
            }
        )
    if direction not in DIRECTIONS:
        errors.append(
            {
                "field": "direction",
                "code": ErrorCode.INVALID_CHOICE,
                "detail": _("Direction is forward (where it went) or backward (where it came from)."),
            }
        )
    if errors:
        raise InvalidInput(errors[0]["detail"], errors=errors)
    item = Item.objects.filter(no=item_no).first()
    if item is None:
        raise NotFoundError(
            _("There is no item %(item)s. Check the number.") % {"item": item_no}, field="item"
        )
    return item, lot_no, serial_no, direction


def item_trace(
    *,
    user: Any,
    item_no: str,
    lot_no: str = "",
    serial_no: str = "",
    direction: str = FORWARD,
    location_code: str = "",
) -> Trace:
    """The trace of an item's lot or serial number at the locations `user` sees (or at `location_code`).

    NotFoundError when the item is unknown, the location is not one of the user's, or nothing of the
    number was ever at the user's locations."""
    item, lot_no, serial_no, direction = trace_params(
        item_no=item_no, lot_no=lot_no, serial_no=serial_no, direction=direction
    )
    if location_code:
        location_ids: set[int] | None = {get_visible_location(user, code=location_code).pk}
    else:
        location_ids = visible_location_ids(user)
    reads = _read(item=item, lot_no=lot_no, serial_no=serial_no, location_ids=location_ids)
    if reads.empty:
        number = serial_no or lot_no
        raise NotFoundError(
            _("No trace of %(number)s of item %(item)s at your locations. Check the number.")
            % {"number": number, "item": item.no},
            field="serial_no" if serial_no else "lot_no",
        )
    nodes = reads.forward() if direction == FORWARD else reads.backward()
    return Trace(item=item, lot_no=lot_no, serial_no=serial_no, direction=direction, nodes=nodes)


def _numbers(lot_no: str, serial_no: str, prefix: str = "") -> Q:
    q = Q()
    if lot_no:
        q &= Q(**{f"{prefix}lot_no": lot_no})
    if serial_no:
        q &= Q(**{f"{prefix}serial_no": serial_no})
    return q


def _rows(rows: Any) -> list[dict[str, Any]]:
    return list(rows)


def _read(*, item: Item, lot_no: str, serial_no: str, location_ids: set[int] | None) -> _Reads:
    numbers = Q(item_id=item.pk) & _numbers(lot_no, serial_no)
    entries = _rows(
        ItemLedgerEntry.objects.filter(numbers, at_locations(location_ids, "location_id"))
        .order_by("pk")
        .values(
            "pk",
            "entry_type",
            "document_type",
            "document_no",
            "posting_date",
            "quantity",
            "applies_to_entry_id",
            "source_document_type",
            "source_document_no",
            location_code=F("location__code"),
        )
    )
    warehouse_entries = _rows(
        WarehouseEntry.objects.filter(numbers, at_locations(location_ids, "location_id"))
        .order_by("pk")
        .values(
            "pk",
            "entry_type",
            "document_type",
            "document_no",
            "posting_date",
            "quantity",
            "item_ledger_entry_id",
            bin_code=F("bin__code"),
            location_code=F("location__code"),
        )
    )
    open_lines = _rows(
        PickLine.objects.filter(
            numbers,
            at_locations(location_ids, "pick__location_id"),
            action=PickLine.Action.TAKE,
            qty_handled__lt=F("quantity"),
        )
        .order_by("pk")
        .values(
            "pick_id",
            "quantity",
            "qty_handled",
            pick_no=F("pick__no"),
            created_at=F("pick__created_at"),
            bin_code=F("bin__code"),
            document_id=F("source_line__document_id"),
            location_code=F("pick__location__code"),
        )
    )
    registered = _rows(
        RegisteredPickLine.objects.filter(numbers, at_locations(location_ids, "registered_pick__location_id"))
        .order_by("pk")
        .values(
            "registered_pick_id",
            "action",
            "quantity",
            no=F("registered_pick__no"),
            posting_date=F("registered_pick__posting_date"),
            bin_code=F("bin__code"),
            document_id=F("source_line__document_id"),
            location_code=F("registered_pick__location__code"),
        )
    )
    posted_picks = _rows(
        PostedPickLine.objects.filter(numbers, at_locations(location_ids, "posted_pick__location_id"))
        .order_by("pk")
        .values("posted_pick_id", no=F("posted_pick__no"), bin_code=F("bin__code"))
    )
    posted_shipments = _rows(
        PostedShipmentLine.objects.filter(numbers, at_locations(location_ids, "posted_shipment__location_id"))
        .order_by("pk")
        .values(
            "posted_shipment_id", "source_document_id", no=F("posted_shipment__no"), bin_code=F("bin__code")
        )
    )
    doc_ids = {row["document_id"] for row in open_lines + registered}
    doc_keys = {
        (e["source_document_type"], e["source_document_no"]) for e in entries if e["source_document_no"]
    }
    docs: list[_Doc] = []
    if doc_ids or doc_keys:
        docs = [
            _Doc(d["pk"], d["type"], d["no"], d["partner"], d["location__code"])
            for d in SourceDocument.objects.filter(
                Q(pk__in=doc_ids) | Q(no__in={no for _type, no in doc_keys})
            ).values("pk", "type", "no", "partner", "location__code")
        ]
    return _Reads(entries, warehouse_entries, open_lines, registered, posted_picks, posted_shipments, docs)


class _Reads:
    """What `_read` read, indexed for building the trees."""

    def __init__(
        self,
        entries: list[dict[str, Any]],
        warehouse_entries: list[dict[str, Any]],
        open_lines: list[dict[str, Any]],
        registered: list[dict[str, Any]],
        posted_picks: list[dict[str, Any]],
        posted_shipments: list[dict[str, Any]],
        docs: list[_Doc],
    ) -> None:
        self.empty = not (entries or warehouse_entries or open_lines or registered)
        self.entries = entries
        self.docs_by_id = {d.id: d for d in docs}
        self.docs_by_key = {(d.type, d.no): d for d in docs}
        self.receipt_bins: dict[int, set[str]] = defaultdict(set)
        movements: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for we in warehouse_entries:
            if we["item_ledger_entry_id"]:
                self.receipt_bins[we["item_ledger_entry_id"]].add(we["bin_code"])
            if we["document_type"] == "movement":
                movements[we["document_no"]].append(we)
        self.movements = movements
        self.open_lines = open_lines
        self.registered = registered
        self.posting_ids: dict[tuple[str, str], int] = {}
        self.posting_bins: dict[tuple[str, str], set[str]] = defaultdict(set)
        for row in posted_picks:
            self.posting_ids["posted_pick", row["no"]] = row["posted_pick_id"]
            self.posting_bins["posted_pick", row["no"]].add(row["bin_code"])
        for row in posted_shipments:
            self.posting_ids["posted_shipment", row["no"]] = row["posted_shipment_id"]
            self.posting_bins["posted_shipment", row["no"]].add(row["bin_code"])

    # --- nodes ---------------------------------------------------------------------------------------

    def _doc_node(self, doc: _Doc | None, quantity: Decimal, date: datetime.date | None) -> list[TraceNode]:
        if doc is None:
            return []
        return [
            TraceNode(
                "source_document",
                doc.id,
                doc.no,
                date,
                quantity,
                location=doc.location,
                partner=doc.partner,
            )
        ]

    def _receipt(self, entry: dict[str, Any], quantity: Decimal | None = None) -> TraceNode:
        return TraceNode(
            "receipt",
            entry["pk"],
            entry["document_no"],
            entry["posting_date"],
            entry["quantity"] if quantity is None else quantity,
            location=entry["location_code"],
            bin=_bins(self.receipt_bins.get(entry["pk"], set())),
        )

    def _outbound_groups(self) -> list[tuple[tuple[Any, ...], list[dict[str, Any]]]]:
        """Outbound entries grouped by (receipt, document type, document no., source document)."""
        groups: dict[tuple[Any, ...], list[dict[str, Any]]] = defaultdict(list)
        for e in self.entries:
            if e["quantity"] < 0:
                key = (
                    e["applies_to_entry_id"],
                    e["document_type"],
                    e["document_no"],
                    e["source_document_type"],
                    e["source_document_no"],
                )
                groups[key].append(e)
        return list(groups.items())

    def _outbound_node(self, key: tuple[Any, ...], rows: list[dict[str, Any]]) -> TraceNode:
        _receipt_id, document_type, document_no, doc_type, doc_no = key
        quantity = -sum((r["quantity"] for r in rows), ZERO)
        first = rows[0]
        if document_type in ("posted_pick", "posted_shipment"):
            doc = self.docs_by_key.get((doc_type, doc_no))
            return TraceNode(
                document_type,
                self.posting_ids.get((document_type, document_no), first["pk"]),
                document_no,
                first["posting_date"],
                quantity,
                location=first["location_code"],
                bin=_bins(self.posting_bins.get((document_type, document_no), set())),
                partner=doc.partner if doc else None,
            )
        bins = {b for r in rows for b in self.receipt_bins.get(r["pk"], set())}
        return TraceNode(
            "adjustment",
            first["pk"],
            document_no,
            first["posting_date"],
            -quantity,
            location=first["location_code"],
            bin=_bins(bins),
        )

    def _movement_nodes(self) -> list[TraceNode]:
        nodes = []
        for document_no, rows in self.movements.items():
            out = {r["bin_code"] for r in rows if r["quantity"] < 0}
            into = {r["bin_code"] for r in rows if r["quantity"] > 0}
            nodes.append(
                TraceNode(
                    "movement",
                    rows[0]["pk"],
                    document_no,
                    rows[0]["posting_date"],
                    sum((r["quantity"] for r in rows if r["quantity"] > 0), ZERO),
                    location=rows[0]["location_code"],
                    bin=f"{_bins(out)} → {_bins(into)}",
                )
            )
        return nodes

    def _registered_nodes(self) -> list[tuple[int, TraceNode]]:
        """(document id, node) per registered pick and source document."""
        groups: dict[tuple[int, int], list[dict[str, Any]]] = defaultdict(list)
        for row in self.registered:
            groups[row["registered_pick_id"], row["document_id"]].append(row)
        nodes = []
        for (registered_id, document_id), rows in groups.items():
            takes = [r for r in rows if r["action"] == PickLine.Action.TAKE]
            places = [r for r in rows if r["action"] == PickLine.Action.PLACE]
            doc = self.docs_by_id.get(document_id)
            node = TraceNode(
                "registered_pick",
                registered_id,
                rows[0]["no"],
                rows[0]["posting_date"],
                sum((r["quantity"] for r in takes), ZERO),
                location=rows[0]["location_code"],
                bin=f"{_bins({r['bin_code'] for r in takes})} → {_bins({r['bin_code'] for r in places})}",
                partner=doc.partner if doc else None,
            )
            nodes.append((document_id, node))
        return nodes

    def _pick_nodes(self) -> list[tuple[int, TraceNode]]:
        """(document id, node) per open pick."""
        groups: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for row in self.open_lines:
            groups[row["pick_id"]].append(row)
        nodes = []
        for pick_id, rows in groups.items():
            doc = self.docs_by_id.get(rows[0]["document_id"])
            node = TraceNode(
                "pick",
                pick_id,
                rows[0]["pick_no"],
                rows[0]["created_at"].date() if rows[0]["created_at"] else None,
                sum((r["quantity"] - r["qty_handled"] for r in rows), ZERO),
                location=rows[0]["location_code"],
                bin=_bins({r["bin_code"] for r in rows if r["bin_code"]}),
                partner=doc.partner if doc else None,
            )
            nodes.append((rows[0]["document_id"], node))
        return nodes

    # --- trees ---------------------------------------------------------------------------------------

    def forward(self) -> list[TraceNode]:
        receipts = {e["pk"]: self._receipt(e) for e in self.entries if e["quantity"] > 0}
        loose: list[TraceNode] = []
        for key, rows in self._outbound_groups():
            node = self._outbound_node(key, rows)
            if node.kind != "adjustment":
                node.children = self._doc_node(
                    self.docs_by_key.get((key[3], key[4])), node.quantity, node.date
                )
            parent = receipts.get(key[0])
            (parent.children if parent is not None else loose).append(node)
        nodes = list(receipts.values()) + loose + self._movement_nodes()
        for document_id, node in self._registered_nodes() + self._pick_nodes():
            node.children = self._doc_node(self.docs_by_id.get(document_id), node.quantity, node.date)
            nodes.append(node)
        return nodes

    def backward(self) -> list[TraceNode]:
        entries = {e["pk"]: e for e in self.entries}
        by_doc: dict[int, list[TraceNode]] = defaultdict(list)
        shipments: dict[tuple[str, str, int], TraceNode] = {}
        removals: list[TraceNode] = []
        for key, rows in self._outbound_groups():
            receipt_id, document_type, document_no, doc_type, doc_no = key
            node = self._outbound_node(key, rows)
            receipt = entries.get(receipt_id)
            origin = [self._receipt(receipt, node.quantity)] if receipt is not None else []
            if node.kind == "adjustment":
                node.children = origin
                removals.append(node)
                continue
            doc = self.docs_by_key.get((doc_type, doc_no))
            doc_id = doc.id if doc else 0
            existing = shipments.get((document_type, document_no, doc_id))
            if existing is None:
                shipments[document_type, document_no, doc_id] = node
                node.children = origin
                by_doc[doc_id].append(node)
            else:  # the same posting took from several receipts
                existing.quantity += node.quantity
                existing.children += origin
        for document_id, node in self._registered_nodes() + self._pick_nodes():
            by_doc[document_id].append(node)
        nodes = []
        for doc_id, children in by_doc.items():
            doc = self.docs_by_id.get(doc_id)
            shipped = sum(
                (c.quantity for c in children if c.kind in ("posted_pick", "posted_shipment")), ZERO
            )
            on_way = sum((c.quantity for c in children if c.kind == "pick"), ZERO)
            if doc is None:
                nodes += children
                continue
            dates = [c.date for c in children if c.date]
            nodes.append(
                TraceNode(
                    "source_document",
                    doc.id,
                    doc.no,
                    max(dates) if dates else None,
                    shipped + on_way,
                    location=doc.location,
                    partner=doc.partner,
                    children=children,
                )
            )
        return nodes + removals + self._movement_nodes()


def _bins(codes: set[str]) -> str | None:
    return ", ".join(sorted(codes)) if codes else None


# --- CSV --------------------------------------------------------------------------------------------

CSV_HEADER = [
    "level",
    "kind",
    "id",
    "no",
    "date",
    "quantity",
    "location",
    "bin",
    "partner",
    "parent_kind",
    "parent_no",
]


def trace_rows(trace: Trace) -> list[list[str]]:
    """The tree as rows (depth first), each with its level and its parent: what `?format=csv` gives."""
    rows: list[list[str]] = []

    def walk(nodes: list[TraceNode], level: int, parent: TraceNode | None) -> None:
        for node in nodes:
            rows.append(
                [
                    str(level),
                    node.kind,
                    str(node.id),
                    node.no,
                    node.date.isoformat() if node.date else "",
                    format_quantity(node.quantity),
                    node.location,
                    node.bin or "",
                    node.partner or "",
                    parent.kind if parent else "",
                    parent.no if parent else "",
                ]
            )
            walk(node.children, level + 1, node)

    walk(trace.nodes, 0, None)
    return rows
