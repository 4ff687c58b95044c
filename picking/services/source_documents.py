"""Source documents and their item tracking lines: create (one or in bulk), replace, assign, select.

Every service validates everything first and reports ALL problems at once
(`errors=[{"field": "lines[0].tracking[1].serial_no", "code", "detail"}]`), then writes in bulk: the number
of SQL queries does not grow with the number of lines or tracking lines.

Rules (DESIGN.md, "Item tracking code" and "The four outbound cases"):
- a serial or lot number is only accepted for an item that tracks that kind;
- a serial number has quantity 1 and appears once per document (per item);
- the tracked quantity of a line never exceeds the line's quantity;
- numbers of a warehouse-tracked kind (specific tracking implies it) must be in stock at the document's
  location (in the line's bin when it has one), available (not on another open pick), not blocked and,
  under strict expiration posting, not expired; the expiration date is taken from stock;
- while an open pick line exists for a source line, its item tracking lines are locked.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Sum

from core.db import bulk_insert, keys_subquery, update_rows
from core.exceptions import (
    Conflict,
    DomainError,
    DuplicateDocument,
    InsufficientQuantity,
    InvalidInput,
    NotFoundError,
    SerialNotAvailable,
    TrackingLocked,
)
from core.quantities import format_quantity as _fmt
from picking.locks import lock_source_lines
from picking.models import ItemTrackingLine, PickLine, SourceDocument, SourceLine
from tracking.models import ItemTrackingCode
from warehouse.models import Bin, Item, ItemLedgerEntry, Location

ZERO = Decimal(0)
ONE = Decimal(1)
MAX_QUANTITY = Decimal("9999999999999")  # 18 digits, 5 decimals
NUMBER_MAX_LENGTH = 50

Error = dict[str, Any]

# Error codes that mean "conflicts with the current stock" (409) rather than "invalid input" (400).
STOCK_CODES = {
    "serial_not_available",
    "serial_blocked",
    "serial_expired",
    "lot_not_available",
    "lot_blocked",
    "lot_expired",
    "insufficient_quantity",
    "serial_already_used",
}


# --- Parsed input ------------------------------------------------------------------------------


@dataclass
class TrackingInput:
    serial_no: str
    lot_no: str
    quantity: Decimal
    field: str
    expiration_date: datetime.date | None = None


@dataclass
class LineInput:
    line_no: int
    item_no: str
    quantity: Decimal
    bin_code: str
    tracking: list[TrackingInput]
    field: str
    item: Item | None = None
    bin: Bin | None = None


@dataclass
class DocumentInput:
    type: str
    no: str
    location_code: str
    partner: str
    shipment_date: datetime.date | None
    lines: list[LineInput]
    location: Location | None = None

    @property
    def ref(self) -> str:
        return f"{self.type} {self.no}"


@dataclass
class StockRow:
    """One row of available stock at a location (bin content minus open picks)."""

    item_id: int
    bin_id: int | None
    bin_code: str
    lot_no: str
    serial_no: str
    expiration_date: datetime.date | None
    quantity: Decimal
    available: Decimal
    blocked: bool
    expired: bool


@dataclass
class ImportResult:
    created: list[SourceDocument] = field(default_factory=list)
    errors: list[Error] = field(default_factory=list)


def _err(field_name: str, code: str, detail: str) -> Error:
    return {"field": field_name, "code": code, "detail": detail}


def _text(
    raw: dict[str, Any], key: str, path: str, errors: list[Error], *, required: bool, max_length: int
) -> str:
    name = f"{path}.{key}" if path else key
    value = raw.get(key)
    if value is None or value == "":
        if required:
            errors.append(_err(name, "required", f"{key} is required."))
        return ""
    if not isinstance(value, str | int) or isinstance(value, bool):
        errors.append(_err(name, "invalid", f"{key} must be text."))
        return ""
    text = str(value).strip()
    if len(text) > max_length:
        errors.append(_err(name, "max_length", f"{key} is longer than {max_length} characters."))
        return ""
    if required and not text:
        errors.append(_err(name, "required", f"{key} is required."))
    return text


def _quantity(value: Any, name: str, errors: list[Error]) -> Decimal | None:
    if value is None or value == "":
        errors.append(_err(name, "required", "quantity is required."))
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        errors.append(_err(name, "invalid", 'quantity must be a number, for example 12 or "2.5".'))
        return None
    try:
        quantity = Decimal(str(value))
    except InvalidOperation:
        errors.append(
            _err(name, "invalid", f"quantity '{value}' is not a number, for example 12 or \"2.5\".")
        )
        return None
    if not quantity.is_finite():
        errors.append(_err(name, "invalid", 'quantity must be a number, for example 12 or "2.5".'))
        return None
    if quantity <= 0:
        errors.append(_err(name, "quantity_not_positive", "quantity must be greater than 0."))
        return None
    if quantity > MAX_QUANTITY:
        errors.append(_err(name, "invalid", "quantity is too large."))
        return None
    exponent = quantity.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -5:
        errors.append(_err(name, "invalid", "quantity has more than 5 decimals."))
        return None
    return quantity


def parse_tracking(raw_list: Any, path: str, errors: list[Error]) -> list[TrackingInput]:
    if raw_list is None:
        return []
    if not isinstance(raw_list, list):
        errors.append(_err(path, "invalid", "tracking must be a list of {serial_no, lot_no, quantity}."))
        return []
    entries: list[TrackingInput] = []
    for index, raw in enumerate(raw_list):
        name = f"{path}[{index}]"
        if not isinstance(raw, dict):
            errors.append(
                _err(name, "invalid", "Each tracking entry must be an object {serial_no, lot_no, quantity}.")
            )
            continue
        before = len(errors)
        serial_no = _text(raw, "serial_no", name, errors, required=False, max_length=NUMBER_MAX_LENGTH)
        lot_no = _text(raw, "lot_no", name, errors, required=False, max_length=NUMBER_MAX_LENGTH)
        quantity = _quantity(raw.get("quantity", "1" if serial_no else None), f"{name}.quantity", errors)
        if not serial_no and not lot_no and len(errors) == before:
            errors.append(
                _err(
                    name, "number_required", "Give a serial_no or a lot_no (or both) for each tracking entry."
                )
            )
        if serial_no and quantity is not None and quantity != ONE:
            errors.append(
                _err(
                    f"{name}.quantity",
                    "serial_quantity_not_one",
                    f"Serial number {serial_no} identifies one unit: its quantity must be 1, not "
                    f"{_fmt(quantity)}.",
                )
            )
        if len(errors) == before and quantity is not None:
            entries.append(TrackingInput(serial_no=serial_no, lot_no=lot_no, quantity=quantity, field=name))
    return entries


def parse_document(raw: Any) -> tuple[DocumentInput | None, list[Error]]:
    """Shape-check one source document of the API (natural keys, decimal strings, ISO dates)."""
    errors: list[Error] = []
    if not isinstance(raw, dict):
        return None, [_err("", "invalid", "A source document must be a JSON object.")]
    doc_type = _text(raw, "type", "", errors, required=True, max_length=30)
    if doc_type and doc_type not in SourceDocument.Type.values:
        errors.append(
            _err("type", "invalid_choice", f"type must be one of {', '.join(SourceDocument.Type.values)}.")
        )
    no = _text(raw, "no", "", errors, required=True, max_length=30)
    location_code = _text(raw, "location", "", errors, required=True, max_length=10)
    partner = _text(raw, "partner", "", errors, required=False, max_length=100)
    shipment_date: datetime.date | None = None
    raw_date = raw.get("shipment_date")
    if raw_date not in (None, ""):
        try:
            shipment_date = datetime.date.fromisoformat(str(raw_date))
        except ValueError:
            errors.append(_err("shipment_date", "invalid", "shipment_date must be a date like 2027-03-31."))
    raw_lines = raw.get("lines")
    lines: list[LineInput] = []
    if not isinstance(raw_lines, list) or not raw_lines:
        errors.append(_err("lines", "required", "A source document needs at least one line."))
        raw_lines = []
    seen_line_nos: set[int] = set()
    for index, raw_line in enumerate(raw_lines):
        path = f"lines[{index}]"
        if not isinstance(raw_line, dict):
            errors.append(
                _err(path, "invalid", "Each line must be an object {line_no, item, quantity, ...}.")
            )
            continue
        before = len(errors)
        line_no_raw = raw_line.get("line_no")
        line_no = 0
        if isinstance(line_no_raw, bool) or line_no_raw in (None, ""):
            errors.append(
                _err(f"{path}.line_no", "required", "line_no is required (a positive whole number).")
            )
        else:
            try:
                line_no = int(str(line_no_raw))
            except ValueError:
                line_no = 0
            if line_no <= 0 or line_no > 2_147_483_647:
                errors.append(_err(f"{path}.line_no", "invalid", "line_no must be a positive whole number."))
            elif line_no in seen_line_nos:
                errors.append(
                    _err(
                        f"{path}.line_no",
                        "duplicate_line_no",
                        f"line_no {line_no} appears twice in the document.",
                    )
                )
            seen_line_nos.add(line_no)
        item_no = _text(raw_line, "item", path, errors, required=True, max_length=20)
        quantity = _quantity(raw_line.get("quantity"), f"{path}.quantity", errors)
        bin_code = _text(raw_line, "bin", path, errors, required=False, max_length=20)
        tracking = parse_tracking(raw_line.get("tracking"), f"{path}.tracking", errors)
        if len(errors) == before and quantity is not None:
            lines.append(
                LineInput(
                    line_no=line_no,
                    item_no=item_no,
                    quantity=quantity,
                    bin_code=bin_code,
                    tracking=tracking,
                    field=path,
                )
            )
    if errors:
        return None, errors
    return (
        DocumentInput(
            type=doc_type,
            no=no,
            location_code=location_code,
            partner=partner,
            shipment_date=shipment_date,
            lines=lines,
        ),
        [],
    )


# --- Stock -------------------------------------------------------------------------------------


def stock_rows(*, location_id: int, item_ids: Iterable[int]) -> list[StockRow]:
    """Available stock of the items at the location (picking.availability: bin content minus open picks).

    One call, a constant number of queries, whatever the number of items and rows.
    """
    from picking.availability import available_stock

    ids = sorted(set(item_ids))
    if not ids:
        return []
    stock = available_stock(item_ids=ids, location_id=location_id)
    return [
        StockRow(
            item_id=row.stock.item_id,
            bin_id=row.stock.bin_id,
            bin_code=row.stock.bin_code,
            lot_no=row.stock.lot_no,
            serial_no=row.stock.serial_no,
            expiration_date=row.stock.expiration_date,
            quantity=row.stock.quantity,
            available=row.available,
            blocked=row.stock.blocked,
            expired=row.stock.expired,
        )
        for row in stock.rows
    ]


def _usable(row: StockRow, code: ItemTrackingCode) -> bool:
    return not row.blocked and not (row.expired and code.strict_expiration_posting)


def warehouse_tracked(code: ItemTrackingCode | None, kind: str) -> bool:
    if code is None:
        return False
    if kind == "serial":
        return code.sn_warehouse_tracking or code.sn_specific_tracking
    return code.lot_warehouse_tracking or code.lot_specific_tracking


def tracks_kind(code: ItemTrackingCode | None, kind: str) -> bool:
    if code is None:
        return False
    return code.tracks_serial if kind == "serial" else code.tracks_lot


# --- Rule checks (shared by create, replace, select) -------------------------------------------


@dataclass
class _LineContext:
    """What the checks need to know about one source line."""

    item: Item
    quantity: Decimal
    bin_id: int | None
    bin_code: str
    line_field: str
    tracking: list[TrackingInput]
    line_label: str


def check_lines(
    *,
    lines: Sequence[_LineContext],
    location: Location,
    stock: Sequence[StockRow],
    used_serials: dict[tuple[int, str], str] | None = None,
    used_serial_nos: set[tuple[int, str]] | None = None,
) -> list[Error]:
    """Check the tracking of `lines` of one document against the rules; fill expiration and lot from stock.

    `used_serials`: serial numbers already on other lines of the document ((item_id, serial_no) -> line).
    `used_serial_nos`: (item_id, serial_no) that already appear in the item ledger (for new numbers of
    outbound-only tracking, which must never have been used for the item before).
    """
    errors: list[Error] = []
    seen_serials: dict[tuple[int, str], str] = dict(used_serials or {})
    by_serial: dict[tuple[int, str], list[StockRow]] = defaultdict(list)
    by_lot: dict[tuple[int, str], list[StockRow]] = defaultdict(list)
    for row in stock:
        if row.serial_no:
            by_serial[(row.item_id, row.serial_no)].append(row)
        if row.lot_no:
            by_lot[(row.item_id, row.lot_no)].append(row)
    # Lot quantities requested per (item, lot, bin) over the whole document, first entry for the message.
    lot_requests: dict[tuple[int, str, int | None], tuple[Decimal, list[TrackingInput], _LineContext]] = {}

    for line in lines:
        item = line.item
        code = item.tracking_code
        tracked = ZERO
        seen_on_line: set[tuple[str, str]] = set()
        for entry in line.tracking:
            tracked += entry.quantity
            if (entry.serial_no, entry.lot_no) in seen_on_line:
                errors.append(
                    _err(
                        entry.field,
                        "duplicate_number",
                        f"{_number_label(entry)} is given twice on {line.line_label}. Give each number once, "
                        "with its total quantity.",
                    )
                )
                continue
            seen_on_line.add((entry.serial_no, entry.lot_no))
            entry_ok = True
            if entry.serial_no and not tracks_kind(code, "serial"):
                errors.append(
                    _err(
                        f"{entry.field}.serial_no",
                        "serial_not_tracked",
                        f"Item {item.no} does not track serial numbers: remove serial_no {entry.serial_no}.",
                    )
                )
                entry_ok = False
            if entry.lot_no and not tracks_kind(code, "lot"):
                errors.append(
                    _err(
                        f"{entry.field}.lot_no",
                        "lot_not_tracked",
                        f"Item {item.no} does not track lot numbers: remove lot_no {entry.lot_no}.",
                    )
                )
                entry_ok = False
            if entry.serial_no:
                key = (item.pk, entry.serial_no)
                if key in seen_serials:
                    errors.append(
                        _err(
                            f"{entry.field}.serial_no",
                            "duplicate_serial",
                            f"Serial number {entry.serial_no} of item {item.no} is already on "
                            f"{seen_serials[key]} of this document. A serial number ships once: remove one.",
                        )
                    )
                    entry_ok = False
                else:
                    seen_serials[key] = line.line_label
            if not entry_ok or code is None:
                continue
            if entry.serial_no and warehouse_tracked(code, "serial"):
                errors.extend(_check_serial_in_stock(entry, line, location, code, by_serial))
            elif (
                entry.serial_no
                and used_serial_nos is not None
                and (item.pk, entry.serial_no) in used_serial_nos
            ):
                errors.append(
                    _err(
                        f"{entry.field}.serial_no",
                        "serial_already_used",
                        f"Serial number {entry.serial_no} was already used for item {item.no}. "
                        "Give a new serial number.",
                    )
                )
            serial_checked = bool(entry.serial_no) and warehouse_tracked(code, "serial")
            if entry.lot_no and not serial_checked and warehouse_tracked(code, "lot"):
                lot_key = (item.pk, entry.lot_no, line.bin_id)
                previous = lot_requests.get(lot_key)
                if previous is None:
                    lot_requests[lot_key] = (entry.quantity, [entry], line)
                else:
                    lot_requests[lot_key] = (previous[0] + entry.quantity, [*previous[1], entry], previous[2])
        if tracked > line.quantity:
            errors.append(
                _err(
                    f"{line.line_field}.tracking" if line.line_field else "tracking",
                    "tracking_exceeds_quantity",
                    f"The tracked quantity {_fmt(tracked)} is more than the quantity {_fmt(line.quantity)} "
                    "of "
                    f"{line.line_label}. Lower the numbers' quantities or raise the line's quantity.",
                )
            )

    for (item_id, lot_no, bin_id), (requested, entries, line) in lot_requests.items():
        rows = [r for r in by_lot.get((item_id, lot_no), []) if bin_id is None or r.bin_id == bin_id]
        errors.extend(_check_lot_in_stock(entries, line, location, requested, rows))
    return errors


def _number_label(entry: TrackingInput) -> str:
    if entry.serial_no and entry.lot_no:
        return f"Serial number {entry.serial_no} (lot {entry.lot_no})"
    if entry.serial_no:
        return f"Serial number {entry.serial_no}"
    return f"Lot {entry.lot_no}"


def _where(location: Location, line: _LineContext) -> str:
    return f"bin {line.bin_code} at location {location.code}" if line.bin_id else f"location {location.code}"


def _check_serial_in_stock(
    entry: TrackingInput,
    line: _LineContext,
    location: Location,
    code: ItemTrackingCode,
    by_serial: dict[tuple[int, str], list[StockRow]],
) -> list[Error]:
    item = line.item
    name = f"{entry.field}.serial_no"
    rows = [
        r
        for r in by_serial.get((item.pk, entry.serial_no), [])
        if r.quantity > 0 and (line.bin_id is None or r.bin_id == line.bin_id)
    ]
    if not rows:
        return [
            _err(
                name,
                "serial_not_available",
                f"Serial number {entry.serial_no} of item {item.no} is not in stock at "
                f"{_where(location, line)}. "
                "Check the number, or choose one that is in stock.",
            )
        ]
    row = rows[0]
    if row.blocked:
        return [
            _err(
                name,
                "serial_blocked",
                f"Serial number {entry.serial_no} of item {item.no} is blocked. Choose another number, or "
                "ask "
                "a supervisor to unblock it.",
            )
        ]
    if row.expired and code.strict_expiration_posting:
        return [
            _err(
                name,
                "serial_expired",
                f"Serial number {entry.serial_no} of item {item.no} expired on {row.expiration_date} and "
                "may not "
                "be shipped. Choose another number.",
            )
        ]
    if row.available < 1:
        return [
            _err(
                name,
                "serial_not_available",
                f"Serial number {entry.serial_no} of item {item.no} is already on another open pick. Choose "
                "another number.",
            )
        ]
    if entry.lot_no and warehouse_tracked(code, "lot") and row.lot_no != entry.lot_no:
        return [
            _err(
                f"{entry.field}.lot_no",
                "lot_mismatch",
                f"Serial number {entry.serial_no} of item {item.no} is in lot {row.lot_no or '(none)'}, not "
                "in "
                f"lot {entry.lot_no}. Correct the lot number or leave it empty.",
            )
        ]
    if warehouse_tracked(code, "lot"):
        entry.lot_no = entry.lot_no or row.lot_no
    entry.expiration_date = row.expiration_date
    return []


def _check_lot_in_stock(
    entries: list[TrackingInput],
    line: _LineContext,
    location: Location,
    requested: Decimal,
    rows: list[StockRow],
) -> list[Error]:
    entry = entries[0]
    item = line.item
    code = item.tracking_code
    assert code is not None
    name = f"{entry.field}.lot_no"
    in_stock = [r for r in rows if r.quantity > 0]
    if not in_stock:
        return [
            _err(
                name,
                "lot_not_available",
                f"Lot {entry.lot_no} of item {item.no} is not in stock at {_where(location, line)}. Check "
                "the "
                "number, or choose a lot that is in stock.",
            )
        ]
    usable = [r for r in in_stock if _usable(r, code)]
    if not usable:
        blocked = all(r.blocked for r in in_stock)
        if blocked:
            return [
                _err(
                    name,
                    "lot_blocked",
                    f"Lot {entry.lot_no} of item {item.no} is blocked. Choose another lot, or ask a "
                    "supervisor to "
                    "unblock it.",
                )
            ]
        return [
            _err(
                name,
                "lot_expired",
                f"Lot {entry.lot_no} of item {item.no} has expired and may not be shipped. Choose another "
                "lot.",
            )
        ]
    available = sum((max(r.available, ZERO) for r in usable), ZERO)
    if requested > available:
        return [
            _err(
                f"{entry.field}.quantity",
                "insufficient_quantity",
                f"Only {_fmt(available)} of lot {entry.lot_no} of item {item.no} are available at "
                f"{_where(location, line)}, but {_fmt(requested)} are asked for. Lower the quantity or add "
                "another lot.",
            )
        ]
    dates = [r.expiration_date for r in usable if r.expiration_date is not None]
    expiration = min(dates) if dates else None
    for other in entries:
        other.expiration_date = expiration
    return []


def _raise_for(errors: list[Error], *, ref: str) -> None:
    """Raise one DomainError carrying every problem: 400 when any input is wrong, else 409 for stock."""
    if not errors:
        return
    count = len(errors)
    summary = (
        errors[0]["detail"] if count == 1 else f"{count} problems; see errors. First: {errors[0]['detail']}"
    )
    if all(e["code"] in STOCK_CODES for e in errors):
        serial = any(e["code"].startswith("serial") for e in errors)
        klass: type[DomainError] = SerialNotAvailable if serial else InsufficientQuantity
        raise klass(f"{ref}: {summary} Nothing was saved.", errors=errors)
    raise InvalidInput(f"{ref}: {summary} Nothing was saved.", errors=errors)


# --- Creating documents ------------------------------------------------------------------------


@dataclass
class _Refs:
    locations: dict[str, Location]
    items: dict[str, Item]
    bins: dict[tuple[int, str], Bin]
    existing: set[tuple[str, str]]


def _load_refs(docs: Sequence[DocumentInput], *, user: Any) -> _Refs:
    """Master data for all documents: four queries, whatever the number of documents and lines."""
    from warehouse.scoping import visible_locations

    location_codes = {d.location_code for d in docs}
    item_nos = {line.item_no for d in docs for line in d.lines}
    bin_codes = {line.bin_code for d in docs for line in d.lines if line.bin_code}
    # user None: a trusted system import (the management command), which may write at every location.
    scope = Location.objects.all() if user is None else visible_locations(user)
    locations = {loc.code: loc for loc in scope.filter(code__in=location_codes)}
    items = {item.no: item for item in Item.objects.filter(no__in=item_nos).select_related("tracking_code")}
    bins: dict[tuple[int, str], Bin] = {}
    if bin_codes and locations:
        for bin_ in Bin.objects.filter(location__in=locations.values(), code__in=bin_codes):
            bins[(bin_.location_id, bin_.code)] = bin_
    existing: set[tuple[str, str]] = set()
    numbers = {d.no for d in docs}
    if numbers:
        existing = set(SourceDocument.objects.filter(no__in=numbers).values_list("type", "no"))
    return _Refs(locations=locations, items=items, bins=bins, existing=existing)


def _resolve(doc: DocumentInput, refs: _Refs) -> list[Error]:
    errors: list[Error] = []
    location = refs.locations.get(doc.location_code)
    if location is None:
        errors.append(
            _err(
                "location",
                "unknown_location",
                f"There is no location {doc.location_code} that you work at. Check the location code.",
            )
        )
    doc.location = location
    for line in doc.lines:
        line.item = refs.items.get(line.item_no)
        if line.item is None:
            errors.append(
                _err(
                    f"{line.field}.item",
                    "unknown_item",
                    f"There is no item {line.item_no}. Check the item number.",
                )
            )
        if line.bin_code and location is not None:
            line.bin = refs.bins.get((location.pk, line.bin_code))
            if line.bin is None:
                errors.append(
                    _err(
                        f"{line.field}.bin",
                        "unknown_bin",
                        f"There is no bin {line.bin_code} at location {location.code}. Check the bin code.",
                    )
                )
    return errors


def _line_contexts(doc: DocumentInput) -> list[_LineContext]:
    contexts = []
    for line in doc.lines:
        assert line.item is not None
        contexts.append(
            _LineContext(
                item=line.item,
                quantity=line.quantity,
                bin_id=line.bin.pk if line.bin else None,
                bin_code=line.bin.code if line.bin else "",
                line_field=line.field,
                tracking=line.tracking,
                line_label=f"line {line.line_no}",
            )
        )
    return contexts


def _used_serial_nos(docs: Sequence[DocumentInput]) -> set[tuple[int, str]]:
    """(item, serial) pairs of outbound-only serials that already appear in the item ledger: one query."""
    pairs = {
        (line.item.pk, entry.serial_no)
        for d in docs
        for line in d.lines
        if line.item is not None
        and line.item.tracking_code is not None
        and not warehouse_tracked(line.item.tracking_code, "serial")
        for entry in line.tracking
        if entry.serial_no
    }
    if not pairs:
        return set()
    found = ItemLedgerEntry.objects.filter(
        item_id__in={p[0] for p in pairs}, serial_no__in={p[1] for p in pairs}
    ).values_list("item_id", "serial_no")
    return {pair for pair in found if pair in pairs}


def validate_documents(
    raws: Sequence[Any], *, user: Any
) -> tuple[list[DocumentInput], list[tuple[int, str, list[Error]]]]:
    """Parse and check documents; returns the good ones and (index, ref, errors) for the bad ones.

    Query count: master data (4), stock (one per location), ledger (1): not per document or line.
    """
    parsed: list[tuple[int, DocumentInput]] = []
    bad: list[tuple[int, str, list[Error]]] = []
    for index, raw in enumerate(raws):
        doc, errors = parse_document(raw)
        if doc is None:
            ref = f"{raw.get('type', '?')} {raw.get('no', '?')}" if isinstance(raw, dict) else f"#{index + 1}"
            bad.append((index, ref, errors))
        else:
            parsed.append((index, doc))
    if not parsed:
        return [], bad
    refs = _load_refs([d for _, d in parsed], user=user)
    resolved: list[tuple[int, DocumentInput]] = []
    seen_keys: set[tuple[str, str]] = set()
    for index, doc in parsed:
        errors = _resolve(doc, refs)
        key = (doc.type, doc.no)
        if key in refs.existing or key in seen_keys:
            errors.insert(
                0,
                _err(
                    "no",
                    "duplicate_document",
                    f"A {SourceDocument.Type(doc.type).label.lower()} {doc.no} already exists. Each (type, "
                    "no) "
                    "is sent once; use PUT on its lines to change the numbers.",
                ),
            )
        seen_keys.add(key)
        if errors:
            bad.append((index, doc.ref, errors))
        else:
            resolved.append((index, doc))

    # Stock: one query per location, for every item that has warehouse-tracked numbers to check.
    item_ids_by_location: dict[int, set[int]] = defaultdict(set)
    for _, doc in resolved:
        assert doc.location is not None
        for line in doc.lines:
            assert line.item is not None
            if line.tracking and (
                warehouse_tracked(line.item.tracking_code, "serial")
                or warehouse_tracked(line.item.tracking_code, "lot")
            ):
                item_ids_by_location[doc.location.pk].add(line.item.pk)
    stock_by_location = {
        location_id: stock_rows(location_id=location_id, item_ids=ids)
        for location_id, ids in item_ids_by_location.items()
    }
    used = _used_serial_nos([d for _, d in resolved])
    good: list[DocumentInput] = []
    for index, doc in resolved:
        assert doc.location is not None
        errors = check_lines(
            lines=_line_contexts(doc),
            location=doc.location,
            stock=stock_by_location.get(doc.location.pk, []),
            used_serial_nos=used,
        )
        if errors:
            bad.append((index, doc.ref, errors))
        else:
            good.append(doc)
    bad.sort(key=lambda b: b[0])
    return good, bad


def _write_documents(docs: Sequence[DocumentInput], *, user: Any) -> list[SourceDocument]:
    """Insert documents, lines and tracking lines: three INSERTs, whatever the number of lines."""
    created_by = user if getattr(user, "is_authenticated", False) else None
    documents = bulk_insert(
        [
            SourceDocument(
                type=d.type,
                no=d.no,
                location=d.location,
                partner=d.partner,
                shipment_date=d.shipment_date,
                created_by=created_by,
            )
            for d in docs
        ]
    )
    lines: list[SourceLine] = []
    for document, doc in zip(documents, docs, strict=True):
        for line in doc.lines:
            lines.append(
                SourceLine(
                    document=document,
                    line_no=line.line_no,
                    item=line.item,
                    quantity=line.quantity,
                    bin=line.bin,
                )
            )
    lines = bulk_insert(lines)
    tracking: list[ItemTrackingLine] = []
    inputs = [line for doc in docs for line in doc.lines]
    for source_line, line in zip(lines, inputs, strict=True):
        for entry in line.tracking:
            tracking.append(
                ItemTrackingLine(
                    source_line=source_line,
                    serial_no=entry.serial_no,
                    lot_no=entry.lot_no,
                    expiration_date=entry.expiration_date,
                    quantity=entry.quantity,
                    origin=ItemTrackingLine.Origin.SOURCE,
                )
            )
    bulk_insert(tracking)
    return documents


def source_document_create(*, data: Any, user: Any) -> SourceDocument:
    """Create one source document with its lines and prescribed numbers, all or nothing.

    Raises InvalidInput (400) listing every problem, DuplicateDocument (409) for a repeated (type, no),
    SerialNotAvailable / InsufficientQuantity (409) when prescribed numbers are not available.
    """
    good, bad = validate_documents([data], user=user)
    if bad:
        _, ref, errors = bad[0]
        if errors[0]["code"] == "duplicate_document":
            raise DuplicateDocument(errors[0]["detail"], errors=errors[:1])
        _raise_for(errors, ref=ref)
    try:
        with transaction.atomic():
            return _write_documents(good, user=user)[0]
    except IntegrityError as exc:
        doc = good[0]
        if SourceDocument.objects.filter(type=doc.type, no=doc.no).exists():
            raise DuplicateDocument(
                f"A {SourceDocument.Type(doc.type).label.lower()} {doc.no} already exists.",
                errors=[
                    _err("no", "duplicate_document", "This (type, no) was just created by another request.")
                ],
            ) from exc
        raise


def source_documents_import(*, documents: Sequence[Any], user: Any) -> ImportResult:
    """Create many documents (one chunk of an import); a bad document is reported and skipped.

    A fixed number of queries per chunk: validation as in `validate_documents`, then three bulk INSERTs.
    When a concurrent writer inserted one of the (type, no) meanwhile, the chunk is retried document by
    document so that only that document is reported.
    """
    good, bad = validate_documents(documents, user=user)
    result = ImportResult(
        errors=[{"ref": ref, "detail": _join(errors), "errors": errors} for _, ref, errors in bad]
    )
    if not good:
        return result
    try:
        with transaction.atomic():
            result.created = _write_documents(good, user=user)
    except IntegrityError:
        for doc in good:
            try:
                with transaction.atomic():
                    result.created.extend(_write_documents([doc], user=user))
            except IntegrityError:
                result.errors.append(
                    {
                        "ref": doc.ref,
                        "detail": f"{doc.ref} already exists (created meanwhile by another request).",
                        "errors": [_err("no", "duplicate_document", "This (type, no) already exists.")],
                    }
                )
    return result


def _join(errors: list[Error]) -> str:
    return "; ".join(f"{e['field']}: {e['detail']}" if e.get("field") else e["detail"] for e in errors)


# --- Item tracking lines of one source line ----------------------------------------------------


def open_picks_by_line(source_line_ids: Iterable[int]) -> dict[int, list[str]]:
    """Pick numbers with an open take line per source line (what locks its item tracking lines)."""
    picks: dict[int, list[str]] = defaultdict(list)
    rows = (
        PickLine.objects.filter(
            source_line_id__in=list(source_line_ids),
            action=PickLine.Action.TAKE,
            qty_handled__lt=F("quantity"),
        )
        .values_list("source_line_id", "pick__no")
        .distinct()
        .order_by("source_line_id", "pick__no")
    )
    for line_id, pick_no in rows:
        if pick_no not in picks[line_id]:
            picks[line_id].append(pick_no)
    return dict(picks)


def tracking_locked_reason(line: SourceLine, pick_nos: Sequence[str]) -> str:
    picks = ", ".join(pick_nos)
    label = "pick" if len(pick_nos) == 1 else "picks"
    return (
        f"Line {line.line_no} of {line.document} is on {label} {picks}: its item tracking lines are locked "
        "while the pick is open. Post the pick, or ask a supervisor to delete the pick lines for this line, "
        "then change the numbers."
    )


def _get_line(*, source_line_id: int, user: Any, lock: bool) -> SourceLine:
    """The source line (locked when `lock`) if its document is at a location the user may see, else 404."""
    from warehouse.scoping import visible_locations

    query = SourceLine.objects.filter(
        pk=source_line_id, document__location__in=visible_locations(user)
    ).select_related("document__location", "item__tracking_code", "bin")
    if lock:
        # Lock first, then read: the quantities checked are the ones no one else can change meanwhile.
        lock_source_lines([source_line_id])
    line = query.first()
    if line is None:
        raise NotFoundError("This source line does not exist, or is not at a location you work at.")
    return line


def _check_not_locked(line: SourceLine) -> None:
    picks = open_picks_by_line([line.pk]).get(line.pk)
    if picks:
        raise TrackingLocked(tracking_locked_reason(line, picks), picks=picks, line_no=line.line_no)


def _other_serials(line: SourceLine) -> dict[tuple[int, str], str]:
    rows = (
        ItemTrackingLine.objects.filter(source_line__document_id=line.document_id)
        .exclude(source_line_id=line.pk)
        .exclude(serial_no="")
        .values_list("source_line__item_id", "serial_no", "source_line__line_no")
    )
    return {(item_id, serial_no): f"line {line_no}" for item_id, serial_no, line_no in rows}


def _context(line: SourceLine, tracking: list[TrackingInput], field_name: str = "") -> _LineContext:
    return _LineContext(
        item=line.item,
        quantity=line.quantity,
        bin_id=line.bin_id,
        bin_code=line.bin.code if line.bin else "",
        line_field=field_name,
        tracking=tracking,
        line_label=f"line {line.line_no}",
    )


def _store_tracking(line: SourceLine, tracking: list[TrackingInput]) -> list[ItemTrackingLine]:
    """Make the line's `source` tracking lines equal to `tracking`, keeping what was already shipped."""
    existing = {
        (t.serial_no, t.lot_no): t for t in line.tracking_lines.filter(origin=ItemTrackingLine.Origin.SOURCE)
    }
    wanted = {(e.serial_no, e.lot_no): e for e in tracking}
    errors: list[Error] = []
    for key, current in existing.items():
        if current.qty_handled > 0:
            new = wanted.get(key)
            if new is None or new.quantity < current.qty_handled:
                label = f"serial number {key[0]}" if key[0] else f"lot {key[1]}"
                errors.append(
                    _err(
                        "tracking",
                        "tracking_already_shipped",
                        f"{_fmt(current.qty_handled)} of {label} were already shipped on line "
                        f"{line.line_no}: keep "
                        f"it with a quantity of at least {_fmt(current.qty_handled)}.",
                    )
                )
    if errors:
        raise Conflict(errors[0]["detail"], code="tracking_already_shipped", errors=errors)
    to_delete = [t.pk for key, t in existing.items() if key not in wanted]
    to_update: list[ItemTrackingLine] = []
    to_create: list[ItemTrackingLine] = []
    for key, entry in wanted.items():
        kept = existing.get(key)
        if kept is not None:
            kept.quantity = entry.quantity
            kept.expiration_date = entry.expiration_date
            to_update.append(kept)
        else:
            to_create.append(
                ItemTrackingLine(
                    source_line=line,
                    serial_no=entry.serial_no,
                    lot_no=entry.lot_no,
                    expiration_date=entry.expiration_date,
                    quantity=entry.quantity,
                    origin=ItemTrackingLine.Origin.SOURCE,
                )
            )
    # Set-based writes: one statement each, whatever the number of numbers.
    if to_delete:
        doomed = ItemTrackingLine.objects.filter(
            pk__in=keys_subquery(ItemTrackingLine, ["id"], [[pk] for pk in to_delete])
        )
        doomed._raw_delete(doomed.db)
    if to_update:
        update_rows(
            ItemTrackingLine,
            [(t.pk, t.quantity, t.expiration_date) for t in to_update],
            set_fields=["quantity", "expiration_date"],
        )
    if to_create:
        bulk_insert(to_create)
    return list(line.tracking_lines.all())


def _pick_origin_quantity(line: SourceLine) -> Decimal:
    total = line.tracking_lines.filter(origin=ItemTrackingLine.Origin.PICK).aggregate(q=Sum("quantity"))["q"]
    return total or ZERO


def _validate_line_tracking(
    line: SourceLine, tracking: list[TrackingInput], *, field_name: str
) -> list[Error]:
    """Check a line's complete new prescribed tracking against the rules (stock in one query)."""
    code = line.item.tracking_code
    needs_stock = any(
        (e.serial_no and warehouse_tracked(code, "serial")) or (e.lot_no and warehouse_tracked(code, "lot"))
        for e in tracking
    )
    stock = stock_rows(location_id=line.document.location_id, item_ids=[line.item_id]) if needs_stock else []
    # Numbers already on this line stay valid even though they count as "on a pick" nowhere; for the
    # line's own numbers nothing is reserved, so the plain available quantity applies.
    context = _context(line, tracking, field_name)
    context.quantity = line.quantity - _pick_origin_quantity(line)
    used: set[tuple[int, str]] | None = None
    new_serials = [e for e in tracking if e.serial_no and not warehouse_tracked(code, "serial")]
    if new_serials:
        existing_serials = set(line.tracking_lines.exclude(serial_no="").values_list("serial_no", flat=True))
        candidates = [e for e in new_serials if e.serial_no not in existing_serials]
        used = set(
            ItemLedgerEntry.objects.filter(
                item_id=line.item_id, serial_no__in=[e.serial_no for e in candidates]
            ).values_list("item_id", "serial_no")
        )
    errors = check_lines(
        lines=[context],
        location=line.document.location,
        stock=stock,
        used_serials=_other_serials(line),
        used_serial_nos=used,
    )
    return errors


def item_tracking_lines_replace(*, source_line_id: int, tracking: Any, user: Any) -> list[ItemTrackingLine]:
    """Replace the numbers a source line prescribes (`[{serial_no?, lot_no?, quantity}]`).

    Refused with `tracking_locked` while an open pick line exists for the source line.
    """
    parse_errors: list[Error] = []
    entries = parse_tracking(tracking, "tracking", parse_errors)
    if parse_errors:
        _raise_for(parse_errors, ref="Item tracking lines")
    with transaction.atomic():
        line = _get_line(source_line_id=source_line_id, user=user, lock=True)
        _check_not_locked(line)
        errors = _validate_line_tracking(line, entries, field_name="")
        _raise_for(errors, ref=f"Line {line.line_no}")
        return _store_tracking(line, entries)


def _current_entries(line: SourceLine) -> list[TrackingInput]:
    return [
        TrackingInput(
            serial_no=t.serial_no,
            lot_no=t.lot_no,
            quantity=t.quantity,
            field=f"tracking[{index}]",
            expiration_date=t.expiration_date,
        )
        for index, t in enumerate(line.tracking_lines.filter(origin=ItemTrackingLine.Origin.SOURCE))
    ]


def _undefined_quantity(line: SourceLine) -> Decimal:
    tracked = line.tracking_lines.aggregate(q=Sum("quantity"))["q"] or ZERO
    return line.quantity - tracked


def _assign_allowed(line: SourceLine, kind: str) -> None:
    code = line.item.tracking_code
    label = "serial numbers" if kind == "serial" else "lot numbers"
    if not tracks_kind(code, kind):
        raise InvalidInput(
            f"Item {line.item.no} does not track {label}: there is nothing to assign.",
            code=f"{kind}_not_tracked",
        )
    if warehouse_tracked(code, kind):
        raise InvalidInput(
            f"Item {line.item.no} carries its {label} in stock: new numbers cannot be assigned. Use Select "
            "Entries to choose numbers that are in stock.",
            code="assign_not_allowed",
        )
    series = line.item.serial_nos_id if kind == "serial" else line.item.lot_nos_id
    if series is None:
        raise InvalidInput(
            f"Item {line.item.no} has no number series for {label}. Ask a supervisor to set one on the item, "
            "or type the numbers.",
            code="no_series_missing",
        )


def _assign_quantity(line: SourceLine, quantity: Any, *, whole: bool) -> Decimal:
    errors: list[Error] = []
    undefined = _undefined_quantity(line)
    if quantity is None or quantity == "":
        value: Decimal | None = undefined
    else:
        value = _quantity(quantity, "quantity", errors)
    if errors or value is None:
        raise InvalidInput(errors[0]["detail"] if errors else "quantity is required.", errors=errors)
    if value <= 0 or value > undefined:
        raise InvalidInput(
            f"Only {_fmt(undefined)} of line {line.line_no} are without numbers; choose a quantity between 1 "
            f"and {_fmt(undefined)}.",
            code="quantity_exceeds_undefined",
            errors=[_err("quantity", "quantity_exceeds_undefined", f"At most {_fmt(undefined)}.")],
        )
    if whole and value != value.to_integral_value():
        raise InvalidInput(
            "Serial numbers are assigned per unit: give a whole quantity.",
            code="invalid",
            errors=[_err("quantity", "invalid", "Give a whole number.")],
        )
    return value


def item_tracking_assign_serial_nos(
    *, source_line_id: int, quantity: Any = None, user: Any
) -> list[ItemTrackingLine]:
    """Assign `quantity` new serial numbers from the item's series (outbound-only serial tracking)."""
    from tracking.services import no_series_take

    line = _get_line(source_line_id=source_line_id, user=user, lock=False)
    _assign_allowed(line, "serial")
    _check_not_locked(line)
    count = int(_assign_quantity(line, quantity, whole=True))
    with transaction.atomic():
        # Lock order: the number series first, then the source line.
        assert line.item.serial_nos is not None
        numbers = no_series_take(code=line.item.serial_nos.code, count=count)
        line = _get_line(source_line_id=source_line_id, user=user, lock=True)
        _check_not_locked(line)
        _assign_quantity(line, count, whole=True)
        entries = _current_entries(line)
        lot_no = ""
        entries.extend(
            TrackingInput(serial_no=n, lot_no=lot_no, quantity=ONE, field=f"new[{i}]")
            for i, n in enumerate(numbers)
        )
        _raise_for(_validate_line_tracking(line, entries, field_name=""), ref=f"Line {line.line_no}")
        return _store_tracking(line, entries)


def item_tracking_assign_lot_no(
    *, source_line_id: int, quantity: Any = None, user: Any
) -> list[ItemTrackingLine]:
    """Assign one new lot number from the item's series to `quantity` (default: the undefined quantity)."""
    from tracking.services import no_series_take

    line = _get_line(source_line_id=source_line_id, user=user, lock=False)
    _assign_allowed(line, "lot")
    _check_not_locked(line)
    value = _assign_quantity(line, quantity, whole=False)
    with transaction.atomic():
        assert line.item.lot_nos is not None
        (number,) = no_series_take(code=line.item.lot_nos.code, count=1)
        line = _get_line(source_line_id=source_line_id, user=user, lock=True)
        _check_not_locked(line)
        _assign_quantity(line, value, whole=False)
        entries = _current_entries(line)
        entries.append(TrackingInput(serial_no="", lot_no=number, quantity=value, field="new"))
        _raise_for(_validate_line_tracking(line, entries, field_name=""), ref=f"Line {line.line_no}")
        return _store_tracking(line, entries)


def item_tracking_select_entries(
    *, source_line_id: int, selections: Any, user: Any
) -> list[ItemTrackingLine]:
    """Add numbers chosen from the available stock at the document's location to the line's tracking.

    A selected lot that is already on the line gets the selected quantity added.
    """
    parse_errors: list[Error] = []
    chosen = parse_tracking(selections, "selections", parse_errors)
    if parse_errors:
        _raise_for(parse_errors, ref="Select entries")
    if not chosen:
        raise InvalidInput("Select at least one number.", code="required")
    with transaction.atomic():
        line = _get_line(source_line_id=source_line_id, user=user, lock=True)
        _check_not_locked(line)
        code = line.item.tracking_code
        if not (warehouse_tracked(code, "serial") or warehouse_tracked(code, "lot")):
            raise InvalidInput(
                f"Item {line.item.no} carries no numbers in stock: there is nothing to select. Assign new "
                "numbers instead.",
                code="select_not_allowed",
            )
        entries = _current_entries(line)
        by_key = {(e.serial_no, e.lot_no): e for e in entries}
        for entry in chosen:
            current = by_key.get((entry.serial_no, entry.lot_no))
            if current is not None and not entry.serial_no:
                current.quantity += entry.quantity
            else:
                entries.append(entry)
                by_key[(entry.serial_no, entry.lot_no)] = entry
        _raise_for(_validate_line_tracking(line, entries, field_name=""), ref=f"Line {line.line_no}")
        return _store_tracking(line, entries)


def source_line_set_quantity(*, source_line_id: int, quantity: Any, user: Any) -> SourceLine:
    """Change a source line's quantity; never below its tracked, shipped or picked quantity."""
    errors: list[Error] = []
    value = _quantity(quantity, "quantity", errors)
    if value is None:
        raise InvalidInput(errors[0]["detail"], errors=errors)
    with transaction.atomic():
        line = _get_line(source_line_id=source_line_id, user=user, lock=True)
        tracked = line.tracking_lines.aggregate(q=Sum("quantity"))["q"] or ZERO
        if value < tracked:
            raise Conflict(
                f"Line {line.line_no} has {_fmt(tracked)} with serial or lot numbers: its quantity cannot go "
                f"below {_fmt(tracked)}. Remove numbers first, then lower the quantity.",
                code="quantity_below_tracked",
                errors=[_err("quantity", "quantity_below_tracked", f"At least {_fmt(tracked)}.")],
            )
        picked = line.qty_shipped + line.qty_on_picks
        if value < picked:
            raise Conflict(
                f"{_fmt(line.qty_shipped)} of line {line.line_no} are shipped and {_fmt(line.qty_on_picks)} "
                "are "
                f"on picks: its quantity cannot go below {_fmt(picked)}.",
                code="quantity_below_picked",
                errors=[_err("quantity", "quantity_below_picked", f"At least {_fmt(picked)}.")],
            )
        SourceLine.objects.filter(pk=line.pk).update(quantity=value)
        line.quantity = value
        return line
