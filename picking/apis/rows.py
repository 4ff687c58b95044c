"""The lines of big answers serialised from plain rows (`values_list`), without model instances.

A source document, pick, posted pick or adjustment of thousands of serial numbers answers every line
(the contract says so); building a model instance per line, per related object and per DRF field cost
more than the work itself (docs/performance.md, "Round two"). These functions answer exactly what the DRF
serializers of `picking/apis/` answer for the same rows (same keys, same order, same formatting; a test
compares them), in one query each, from tuples.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from django.db import connection, models
from django.db.models import QuerySet

from core.formats import date_text, datetime_text, memo
from core.quantities import ZERO, format_quantity
from picking.models import (
    ItemTrackingLine,
    PickLine,
    PostedPickLine,
    PostedShipmentLine,
    RegisteredPickLine,
    SourceDocument,
    SourceLine,
)
from warehouse.models import ItemLedgerEntry, WarehouseEntry


def _quantity(value: Decimal | None) -> str | None:
    return None if value is None else format_quantity(value)


Column = tuple[str, str, Callable[[Any], Any] | None]  # (answer key, values_list path, converter)


def _rows(queryset: QuerySet[Any], columns: Sequence[Column]) -> list[dict[str, Any]]:
    keys = [key for key, _path, _convert in columns]
    converters = [
        (i, memo(convert)) for i, (_key, _path, convert) in enumerate(columns) if convert is not None
    ]
    out = []
    for row in queryset.values_list(*[path for _key, path, _convert in columns]):
        values = list(row)
        for i, convert in converters:
            values[i] = convert(values[i])
        out.append(dict(zip(keys, values, strict=True)))
    return out


# --- Pick lines (PickLineSerializer) ---------------------------------------------------------------

_PICK_LINE: list[Column] = [
    ("id", "id", None),
    ("line_no", "line_no", None),
    ("action", "action", None),
    ("item", "item__no", None),
    ("bin", "bin__code", None),
    ("quantity", "quantity", None),
    ("qty_handled", "qty_handled", None),
    ("qty_outstanding", "quantity", None),  # quantity - qty_handled, below
    ("qty_to_handle", "qty_to_handle", None),
    ("serial_no", "serial_no", None),
    ("lot_no", "lot_no", None),
    ("expiration_date", "expiration_date", date_text),
    ("tracking_locked", "tracking_locked", None),
    ("source_line_no", "source_line__line_no", None),
    ("pair", "pair_id", None),
    ("shipment_line", "shipment_line_id", None),
]


def pick_line_rows(*, pick_id: int) -> list[dict[str, Any]]:
    """The pick's lines by line no., as `PickLineSerializer(many=True)` answers them."""
    rows = _rows(PickLine.objects.filter(pick_id=pick_id).order_by("line_no"), _PICK_LINE)
    text = memo(format_quantity)
    for row in rows:
        quantity, handled = row["quantity"], row["qty_handled"]
        row["quantity"] = text(quantity)
        row["qty_handled"] = text(handled)
        row["qty_outstanding"] = text(quantity - handled)
        row["qty_to_handle"] = text(row["qty_to_handle"])
    return rows


# `pick_line_rows` built by PostgreSQL: one JSON array, the same keys and the same text for every value
# (`trim_scale(...)::text` is `format_quantity` of a numeric(18, 5); dates as ISO 8601, like DRF's). JSON
# text, not jsonb: a jsonb object per row costs twice as much, and so does merging jsonb values.
_PICK_LINES_JSON = """
SELECT COALESCE(json_agg(line ORDER BY line.line_no), '[]'::json)::text FROM (
    SELECT pl.id AS id, pl.line_no AS line_no, pl.action AS action, item.no AS item, bin.code AS bin,
        trim_scale(pl.quantity)::text AS quantity, trim_scale(pl.qty_handled)::text AS qty_handled,
        trim_scale(pl.quantity - pl.qty_handled)::text AS qty_outstanding,
        trim_scale(pl.qty_to_handle)::text AS qty_to_handle, pl.serial_no AS serial_no, pl.lot_no AS lot_no,
        to_char(pl.expiration_date, 'YYYY-MM-DD') AS expiration_date, pl.tracking_locked AS tracking_locked,
        sl.line_no AS source_line_no, pl.pair_id AS pair, pl.shipment_line_id AS shipment_line
    FROM {pick_line} pl
    JOIN {item} item ON item.id = pl.item_id
    LEFT JOIN {bin} bin ON bin.id = pl.bin_id
    JOIN {source_line} sl ON sl.id = pl.source_line_id
    WHERE pl.pick_id = %s
) line
"""


def pick_line_rows_json(*, pick_id: int) -> tuple[str, list[Any]]:
    """PostgreSQL only: the SQL (and its parameters) of a subquery whose one value is the JSON text of
    `pick_line_rows`, built by the database. Writing the lines of a pick of 10 000 serial numbers into an
    event this way moves no row through Python and no JSON over the connection (docs/performance.md,
    "Pick creation (round four)"); a test compares the two."""
    tables = {
        "pick_line": PickLine._meta.db_table,
        "item": PickLine._meta.get_field("item").related_model._meta.db_table,  # type: ignore[union-attr]
        "bin": PickLine._meta.get_field("bin").related_model._meta.db_table,  # type: ignore[union-attr]
        "source_line": SourceLine._meta.db_table,
    }
    quoted = {key: connection.ops.quote_name(name) for key, name in tables.items()}
    return _PICK_LINES_JSON.format(**quoted), [pick_id]


def _lines_by_line_no(
    model: type[models.Model], columns: Sequence[Column], **document: int
) -> list[dict[str, Any]]:
    """The lines of one posted or registered document (`document`: its foreign key and pk), by line no."""
    return _rows(model._default_manager.filter(**document).order_by("line_no"), columns)


# The columns every posted or registered line answers in this order: what moved, where, with which numbers.
_ITEM_BIN_QUANTITY_TRACKING: list[Column] = [
    ("item", "item__no", None),
    ("bin", "bin__code", None),
    ("quantity", "quantity", _quantity),
    ("serial_no", "serial_no", None),
    ("lot_no", "lot_no", None),
    ("expiration_date", "expiration_date", date_text),
]


# --- Posted pick lines (PostedPickLineSerializer) ----------------------------------------------------

_POSTED_PICK_LINE: list[Column] = [
    ("line_no", "line_no", None),
    ("pick_line_no", "pick_line_no", None),
    *_ITEM_BIN_QUANTITY_TRACKING,
    ("source_line_no", "source_line__line_no", None),
]


def posted_pick_line_rows(*, posted_pick_id: int) -> list[dict[str, Any]]:
    """The posted pick's lines by line no., as `PostedPickLineSerializer(many=True)` answers them."""
    return _lines_by_line_no(PostedPickLine, _POSTED_PICK_LINE, posted_pick_id=posted_pick_id)


# --- Registered pick lines (RegisteredPickLineSerializer) ----------------------------------------------

_REGISTERED_PICK_LINE: list[Column] = [
    ("line_no", "line_no", None),
    ("pick_line_no", "pick_line_no", None),
    ("action", "action", None),
    *_ITEM_BIN_QUANTITY_TRACKING,
    ("shipment_line", "shipment_line_id", None),
    ("shipment_no", "shipment_no", None),
    ("source_line_no", "source_line__line_no", None),
]


def registered_pick_line_rows(*, registered_pick_id: int) -> list[dict[str, Any]]:
    """The registered pick's lines by line no., as `RegisteredPickLineSerializer(many=True)` answers them."""
    return _lines_by_line_no(RegisteredPickLine, _REGISTERED_PICK_LINE, registered_pick_id=registered_pick_id)


# --- Posted shipment lines (PostedShipmentLineSerializer) ------------------------------------------------

_POSTED_SHIPMENT_LINE: list[Column] = [
    ("line_no", "line_no", None),
    ("shipment_line_no", "shipment_line_no", None),
    ("source_document", "source_document_id", None),
    ("source_document_no", "source_document__no", None),
    ("source_line_no", "source_line__line_no", None),
    *_ITEM_BIN_QUANTITY_TRACKING,
]


def posted_shipment_line_rows(*, posted_shipment_id: int) -> list[dict[str, Any]]:
    """The posted shipment's lines by line no., as `PostedShipmentLineSerializer(many=True)` answers them."""
    return _lines_by_line_no(PostedShipmentLine, _POSTED_SHIPMENT_LINE, posted_shipment_id=posted_shipment_id)


# --- Item ledger entries (ItemLedgerEntrySerializer) ---------------------------------------------------


def _ledger_columns(bin_path: str) -> list[Column]:
    return [
        ("id", "id", None),
        ("entry_type", "entry_type", None),
        ("document_type", "document_type", None),
        ("document_no", "document_no", None),
        ("posting_date", "posting_date", date_text),
        ("item", "item__no", None),
        ("location", "location__code", None),
        ("bin", bin_path, None),
        ("serial_no", "serial_no", None),
        ("lot_no", "lot_no", None),
        ("expiration_date", "expiration_date", date_text),
        ("quantity", "quantity", _quantity),
        ("remaining_quantity", "remaining_quantity", _quantity),
        ("open", "open", None),
        ("applies_to_entry", "applies_to_entry_id", None),
        ("source_document_type", "source_document_type", None),
        ("source_document_no", "source_document_no", None),
        ("source_line_no", "source_line_no", None),
        ("created_at", "created_at", datetime_text),
    ]


def ledger_entry_rows(*, entry_ids: Sequence[int]) -> list[dict[str, Any]]:
    """These item ledger entries by id, as `ItemLedgerEntrySerializer(many=True)` answers them (`bin`: the
    bin of the entry's first warehouse entry). Two queries: the entries, and their warehouse entries' bins
    (a correlated subquery per entry would scan the warehouse entries once per entry)."""
    ids = list(entry_ids)
    bins: dict[int, str] = {}
    warehouse = WarehouseEntry.objects.filter(item_ledger_entry_id__in=ids).order_by("pk")
    for entry_id, bin_code in warehouse.values_list("item_ledger_entry_id", "bin__code"):
        bins.setdefault(entry_id, bin_code)
    columns = _ledger_columns("id")
    keys = [key for key, _path, _convert in columns]
    converters = [memo(convert) if convert is not None else None for _key, _path, convert in columns]
    converted = [(i, convert) for i, convert in enumerate(converters) if convert is not None]
    bin_index = keys.index("bin")
    rows = []
    entries = ItemLedgerEntry.objects.filter(pk__in=ids).order_by("pk")
    for row in entries.values_list(*[path for _key, path, _convert in columns]):
        values = list(row)
        for i, convert in converted:
            values[i] = convert(values[i])
        values[bin_index] = bins.get(values[0])
        rows.append(dict(zip(keys, values, strict=True)))
    return rows


# --- Source documents (SourceDocumentSerializer) -----------------------------------------------------


def source_document_rows(documents: QuerySet[SourceDocument]) -> dict[int, dict[str, Any]]:
    """The documents of `documents` (in its order, by id) as `SourceDocumentSerializer` answers them, with
    their lines by line no. and each line's item tracking lines by id. Three queries, whatever the number
    of lines and numbers: the answer to a document of 10 000 prescribed serial numbers builds no model
    instance and no serializer per row (docs/performance.md, "Ingest (round three)")."""
    headers = list(
        documents.values_list(
            "id", "type", "no", "location__code", "partner", "shipment_date", "status", "created_at"
        )
    )
    pks = [header[0] for header in headers]
    if not pks:
        return {}
    quantity_text = memo(format_quantity)
    tracking: dict[int, list[dict[str, Any]]] = defaultdict(list)
    tracked: dict[int, Decimal] = {}
    numbers = (
        ItemTrackingLine.objects.filter(source_line__document_id__in=pks)
        .order_by("pk")
        .values_list(
            "source_line_id", "serial_no", "lot_no", "expiration_date", "quantity", "qty_handled", "origin"
        )
    )
    for line_id, serial_no, lot_no, expiration, quantity, handled, origin in numbers:
        tracking[line_id].append(
            {
                "serial_no": serial_no,
                "lot_no": lot_no,
                "expiration_date": date_text(expiration),
                "quantity": quantity_text(quantity),
                "qty_handled": quantity_text(handled),
                "origin": origin,
            }
        )
        tracked[line_id] = tracked.get(line_id, ZERO) + quantity
    lines: dict[int, list[dict[str, Any]]] = defaultdict(list)
    line_rows = (
        SourceLine.objects.filter(document_id__in=pks)
        .order_by("document_id", "line_no")
        .values_list(
            "pk",
            "document_id",
            "line_no",
            "item__no",
            "quantity",
            "bin__code",
            "qty_shipped",
            "qty_on_picks",
            "qty_on_shipments",
        )
    )
    for pk, document_id, line_no, item_no, quantity, bin_code, shipped, on_picks, on_shipments in line_rows:
        lines[document_id].append(
            {
                "line_no": line_no,
                "item": item_no,
                "quantity": quantity_text(quantity),
                "bin": bin_code,
                "qty_shipped": quantity_text(shipped),
                "qty_on_picks": quantity_text(on_picks),
                "qty_on_shipments": quantity_text(on_shipments),
                "qty_outstanding": quantity_text(quantity - shipped),
                # the serializer's sum starts at `quantity * 0`: "0" for a line without numbers
                "qty_tracked": quantity_text(tracked.get(pk, quantity * 0)),
                "tracking": tracking.get(pk, []),
            }
        )
    return {
        pk: {
            "id": pk,
            "type": type_,
            "no": no,
            "location": location,
            "partner": partner,
            "shipment_date": date_text(shipment_date),
            "status": status,
            "created_at": datetime_text(created_at),
            "lines": lines.get(pk, []),
        }
        for pk, type_, no, location, partner, shipment_date, status, created_at in headers
    }
