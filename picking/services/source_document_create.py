"""Creating source documents: one from the API (all or nothing), or many from an import (bad ones skipped).

The steps, each for all documents at once so that the number of SQL queries does not grow with documents,
lines or numbers: read the input (`source_document_input`), resolve the natural keys against master data
(5 queries), check the numbers against the item and the stock (`tracking_checks`; stock once per location,
the item ledger once), then insert documents, lines and item tracking lines (3 INSERTs). The background job
that feeds an import chunk by chunk is `picking.services.source_document_import`.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.activity import Action, activity_record
from core.db import JSONText, bulk_insert, insert_rows, keys_condition, keys_subquery
from core.events import EventType, events_emit
from core.exceptions import DuplicateDocument, ErrorCode
from core.formats import date_text, datetime_text, memo
from core.quantities import ZERO, format_quantity
from core.renderers import EncodedAnswer, encoded_answer
from picking.availability import AvailableRow, available_stock, serials_plainly_available
from picking.models import ItemTrackingLine, SourceDocument, SourceLine
from picking.services.activity import document_change
from picking.services.source_document_input import (
    DocumentInput,
    Error,
    LineInput,
    field_error,
    field_path,
    parse_document,
)
from picking.services.tracking_checks import LineContext, check_lines, plain_candidate, raise_for
from tracking.rules import requirement
from warehouse.models import Bin, Item, ItemLedgerEntry, Location
from warehouse.rules import whole_units_problem
from warehouse.selectors import NumberScope

BadDocument = tuple[int, str, list[Error]]  # (index in the input, "<type> <no>", errors)


@dataclass
class ImportResult:
    created: list[SourceDocument] = field(default_factory=list)
    errors: list[Error] = field(default_factory=list)


@dataclass
class _Refs:
    """Master data named by the documents, and the (type, no) that exist already."""

    locations: dict[str, Location]
    items: dict[str, Item]
    bins: dict[tuple[int, str], Bin]
    existing: set[tuple[str, str]]


@dataclass(frozen=True)
class DocumentCreated:
    """A new document, and the document as the API answers it (`answer`, its JSON text made once), which
    its `source_document.created` event carries plus `source_document_type` / `source_document_no`."""

    document: SourceDocument
    answer: EncodedAnswer


def source_document_create(*, data: Any, user: Any) -> SourceDocument:
    """Create one source document with its lines and prescribed numbers, all or nothing.

    Raises InvalidInput (400) listing every problem, DuplicateDocument (409) for a repeated (type, no),
    SerialNotAvailable / InsufficientQuantity (409) when prescribed numbers are not available.
    """
    return source_document_create_with_data(data=data, user=user).document


def source_document_create_with_data(*, data: Any, user: Any) -> DocumentCreated:
    """`source_document_create`, also returning the document's event data, so that the API answers what
    the event carries instead of reading and formatting the 10 000 numbers of a big document again."""
    good, bad = validate_documents([data], user=user)
    if bad:
        _index, ref, errors = bad[0]
        if errors[0]["code"] == ErrorCode.DUPLICATE_DOCUMENT:
            raise DuplicateDocument(errors[0]["detail"], errors=errors[:1])
        raise_for(errors, ref=ref)
    try:
        with transaction.atomic():
            (created,) = _write_documents(good, user=user)
            return created
    except IntegrityError as exc:
        doc = good[0]
        if SourceDocument.objects.filter(type=doc.type, no=doc.no).exists():
            raise DuplicateDocument(
                _already_exists(doc.type, doc.no),
                errors=[
                    field_error(
                        "no",
                        ErrorCode.DUPLICATE_DOCUMENT,
                        _("This (type, no) was just created by another request."),
                    )
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
            result.created = [created.document for created in _write_documents(good, user=user)]
    except IntegrityError:
        for doc in good:
            try:
                with transaction.atomic():
                    result.created.extend(created.document for created in _write_documents([doc], user=user))
            except IntegrityError:
                result.errors.append(
                    {
                        "ref": doc.ref,
                        "detail": _("%(ref)s already exists (created meanwhile by another request).")
                        % {"ref": doc.ref},
                        "errors": [
                            field_error(
                                "no", ErrorCode.DUPLICATE_DOCUMENT, _("This (type, no) already exists.")
                            )
                        ],
                    }
                )
    return result


def validate_documents(raws: Sequence[Any], *, user: Any) -> tuple[list[DocumentInput], list[BadDocument]]:
    """Parse and check documents; returns the good ones and (index, ref, errors) for the bad ones.

    Query count: master data (5), stock (two per location), ledger (1): not per document or line.
    """
    parsed, bad = _parse_all(raws)
    if not parsed:
        return [], bad
    resolved, unresolved = _resolve_all(parsed, user=user)
    bad.extend(unresolved)
    stock_by_location = _stock_by_location([doc for _, doc in resolved])
    used = _used_serial_nos([doc for _, doc in resolved])
    good: list[DocumentInput] = []
    for index, doc in resolved:
        assert doc.location is not None
        stock = stock_by_location.get(doc.location.pk, _LocationStock())
        errors = check_lines(
            lines=_line_contexts(doc),
            location=doc.location,
            stock=stock.rows,
            plain_serials=stock.plain_serials,
            used_serial_nos=used,
        )
        if errors:
            bad.append((index, doc.ref, errors))
        else:
            good.append(doc)
    bad.sort(key=lambda b: b[0])
    return good, bad


def _parse_all(raws: Sequence[Any]) -> tuple[list[tuple[int, DocumentInput]], list[BadDocument]]:
    parsed: list[tuple[int, DocumentInput]] = []
    bad: list[BadDocument] = []
    for index, raw in enumerate(raws):
        doc, errors = parse_document(raw)
        if doc is None:
            ref = f"{raw.get('type', '?')} {raw.get('no', '?')}" if isinstance(raw, dict) else f"#{index + 1}"
            bad.append((index, ref, errors))
        else:
            parsed.append((index, doc))
    return parsed, bad


def _resolve_all(
    parsed: list[tuple[int, DocumentInput]], *, user: Any
) -> tuple[list[tuple[int, DocumentInput]], list[BadDocument]]:
    """Look up locations, items and bins; refuse unknown ones and (type, no) sent before."""
    refs = _load_refs([d for _, d in parsed], user=user)
    resolved: list[tuple[int, DocumentInput]] = []
    bad: list[BadDocument] = []
    seen_keys: set[tuple[str, str]] = set()
    for index, doc in parsed:
        errors = _resolve(doc, refs)
        key = (doc.type, doc.no)
        if key in refs.existing or key in seen_keys:
            errors.insert(
                0,
                field_error(
                    "no",
                    ErrorCode.DUPLICATE_DOCUMENT,
                    _("%(exists)s Each (type, no) is sent once; use PUT on its lines to change the numbers.")
                    % {"exists": _already_exists(doc.type, doc.no)},
                ),
            )
        seen_keys.add(key)
        if errors:
            bad.append((index, doc.ref, errors))
        else:
            resolved.append((index, doc))
    return resolved, bad


def _load_refs(docs: Sequence[DocumentInput], *, user: Any) -> _Refs:
    """Master data for all documents: at most five queries, whatever the number of documents and lines."""
    from warehouse.scoping import visible_locations

    location_codes = {d.location_code for d in docs}
    item_nos = {line.item_no for d in docs for line in d.lines}
    bin_codes = {line.bin_code for d in docs for line in d.lines if line.bin_code}
    # user None: a trusted system import (the management command), which may write at every location.
    scope = Location.objects.all() if user is None else visible_locations(user)
    locations = {loc.code: loc for loc in scope.filter(code__in=location_codes)}
    items = _items(item_nos)
    bins: dict[tuple[int, str], Bin] = {}
    if bin_codes and locations:
        for bin_ in Bin.objects.filter(location__in=locations.values(), code__in=bin_codes):
            bins[(bin_.location_id, bin_.code)] = bin_
    existing: set[tuple[str, str]] = set()
    numbers = {d.no for d in docs}
    if numbers:
        existing = set(SourceDocument.objects.filter(no__in=numbers).values_list("type", "no"))
    return _Refs(locations=locations, items=items, bins=bins, existing=existing)


def _items(item_nos: set[str]) -> dict[str, Item]:
    """The items by number, each with its tracking code: two queries. The numbers are sent as one array (a
    document of 1 000 items is not an `IN` of 1 000 parameters), and each tracking code is built once and
    shared by its items (`prefetch_related`), not once per item as `select_related` would (1 000 items, a
    handful of codes): 8 ms instead of 12 for 1 000 items."""
    keys = keys_condition(Item, ["no"], [(no,) for no in item_nos])
    return {item.no: item for item in Item.objects.filter(keys).prefetch_related("tracking_code")}


def _already_exists(document_type: str, no: str) -> str:
    """ "A sales order SO-1 already exists." in the words of the document's type."""
    if document_type == SourceDocument.Type.PURCHASE_RETURN_ORDER:
        return _("A purchase return order %(no)s already exists.") % {"no": no}
    if document_type == SourceDocument.Type.OUTBOUND_TRANSFER:
        return _("An outbound transfer %(no)s already exists.") % {"no": no}
    return _("A sales order %(no)s already exists.") % {"no": no}


def _resolve(doc: DocumentInput, refs: _Refs) -> list[Error]:
    errors: list[Error] = []
    location = refs.locations.get(doc.location_code)
    if location is None:
        errors.append(
            field_error(
                "location",
                ErrorCode.NOT_FOUND,
                _("There is no location %(location)s that you work at. Check the location code.")
                % {"location": doc.location_code},
            )
        )
    doc.location = location
    for line in doc.lines:
        line.item = refs.items.get(line.item_no)
        fraction = (
            whole_units_problem(
                quantity=line.quantity, whole_units=line.item.whole_units, item_no=line.item.no
            )
            if line.item is not None
            else None
        )
        if fraction:
            errors.append(field_error(f"{line.field}.quantity", ErrorCode.FRACTION_NOT_ALLOWED, fraction))
        if line.item is None:
            errors.append(
                field_error(
                    field_path(line.field, "item"),
                    ErrorCode.NOT_FOUND,
                    _("There is no item %(item)s. Check the item number.") % {"item": line.item_no},
                )
            )
        if line.bin_code and location is not None:
            line.bin = refs.bins.get((location.pk, line.bin_code))
            if line.bin is None:
                errors.append(
                    field_error(
                        field_path(line.field, "bin"),
                        ErrorCode.NOT_FOUND,
                        _("There is no bin %(bin)s at location %(location)s. Check the bin code.")
                        % {"bin": line.bin_code, "location": location.code},
                    )
                )
    return errors


@dataclass
class _LocationStock:
    """What the stock checks of one location get: the stock rows of the numbers to check one by one, and
    the serial numbers found plainly available in SQL (`serials_plainly_available`), which need no row."""

    rows: list[AvailableRow] = field(default_factory=list)
    plain_serials: frozenset[tuple[int, str]] = frozenset()


def _stock_by_location(docs: Sequence[DocumentInput]) -> dict[int, _LocationStock]:
    """The stock to check the documents' numbers against, per location.

    The serial numbers of lines without a bin (the usual document) are first counted in SQL: when every
    one is plainly available (`serials_plainly_available`, one COUNT), no stock row is read for them.
    Otherwise, and for lots and the numbers of lines with a bin, the available stock of the wanted
    (item, number) pairs only (a join on them, however much else the items have in stock), unsorted (the
    checks look rows up by number): two queries per location."""
    serials: dict[int, set[tuple[int, str]]] = defaultdict(set)
    lots: dict[int, set[tuple[int, str]]] = defaultdict(set)
    candidates: dict[int, set[tuple[int, str]]] = defaultdict(set)
    for doc in docs:
        assert doc.location is not None
        location_id = doc.location.pk
        for line in doc.lines:
            assert line.item is not None
            req = requirement(line.item.tracking_code)
            if not (req.serial.warehouse or req.lot.warehouse) or not line.tracking:
                continue
            item_pk, has_bin = line.item.pk, line.bin is not None
            if not has_bin and req.serial.warehouse and not req.lot.warehouse:
                # The usual line: each serial number a plain candidate (`plain_candidate`), no lot to read.
                candidates[location_id].update([(item_pk, e.serial_no) for e in line.tracking if e.serial_no])
                continue
            for entry in line.tracking:
                # What `check_lines` looks up: a serial number the stock carries, else a lot it carries.
                if entry.serial_no and req.serial.warehouse:
                    pair = (item_pk, entry.serial_no)
                    if plain_candidate(entry, has_bin, req):
                        candidates[location_id].add(pair)
                    else:
                        serials[location_id].add(pair)
                elif entry.lot_no and req.lot.warehouse:
                    lots[location_id].add((item_pk, entry.lot_no))
    plain: dict[int, frozenset[tuple[int, str]]] = {}
    for location_id, pairs in candidates.items():
        if serials_plainly_available(location_id=location_id, serials=pairs):
            plain[location_id] = frozenset(pairs)
        else:
            serials[location_id] |= pairs
    return {
        location_id: _LocationStock(
            rows=available_stock(
                item_ids=None,
                location_id=location_id,
                numbers=NumberScope(
                    serials=frozenset(serials.get(location_id, ())), lots=frozenset(lots.get(location_id, ()))
                ),
                ordered=False,
            ).rows
            if location_id in serials or location_id in lots
            else [],
            plain_serials=plain.get(location_id, frozenset()),
        )
        for location_id in serials.keys() | lots.keys() | candidates.keys()
    }


def _line_contexts(doc: DocumentInput) -> list[LineContext]:
    contexts = []
    for line in doc.lines:
        assert line.item is not None
        contexts.append(
            LineContext(
                item=line.item,
                quantity=line.quantity,
                bin_id=line.bin.pk if line.bin else None,
                bin_code=line.bin.code if line.bin else "",
                line_field=line.field,
                tracking=line.tracking,
                line_no=line.line_no,
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
        and not requirement(line.item.tracking_code).serial.warehouse
        for entry in line.tracking
        if entry.serial_no
    }
    if not pairs:
        return set()
    found = ItemLedgerEntry.objects.filter(
        pk__in=keys_subquery(ItemLedgerEntry, ["item", "serial_no"], sorted(pairs))
    ).values_list("item_id", "serial_no")
    return set(found)


def _write_documents(docs: Sequence[DocumentInput], *, user: Any) -> list[DocumentCreated]:
    """Insert documents, lines and tracking lines (three INSERTs, whatever the number of lines) and their
    `source_document.created` events. Each document's answer is rendered from what was just written
    (`_created_answer`, not read back) and JSON-encoded once, for the API's answer and the event's data."""
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
    write_lines(
        [(document, line) for document, doc in zip(documents, docs, strict=True) for line in doc.lines]
    )
    answers = [
        encoded_answer(_created_answer(document, doc)) for document, doc in zip(documents, docs, strict=True)
    ]
    events_emit(
        event_type=EventType.SOURCE_DOCUMENT_CREATED,
        subjects=documents,
        payloads=[_event_text(answer, document) for answer, document in zip(answers, documents, strict=True)],
    )
    activity_record(
        user=user,
        action=Action.CREATED,
        operation="source_document_create",
        changes=[
            document_change(
                document,
                after={"lines": len(doc.lines), "tracking_lines": sum(len(ln.tracking) for ln in doc.lines)},
            )
            for document, doc in zip(documents, docs, strict=True)
        ],
    )
    return [
        DocumentCreated(document=document, answer=answer)
        for document, answer in zip(documents, answers, strict=True)
    ]


def _event_text(answer: EncodedAnswer, document: SourceDocument) -> JSONText:
    """The event's data as JSON text: the answer's text with `source_document_type` and
    `source_document_no` added at its end (the order `picking.event_data` renders them in)."""
    extra = json.dumps({"source_document_type": document.type, "source_document_no": document.no})
    return JSONText(f"{answer.json_text[:-1]},{extra[1:]}")


def _created_answer(document: SourceDocument, doc: DocumentInput) -> dict[str, Any]:
    """A document just written from `doc` as the API answers it (`picking.event_data.source_document_data`
    without its last two keys, which reads it back from the database; tests hold the two equal).

    Rendered from the checked input, whose values are what the rows hold (quantities of at most five
    decimals, the expiration dates and lots taken from stock), so that 10 000 numbers are not read again.
    """
    text = memo(format_quantity)
    zero = text(ZERO)
    source = ItemTrackingLine.Origin.SOURCE.value
    lines = []
    for line in sorted(doc.lines, key=lambda line: line.line_no):
        assert line.item is not None
        quantity = text(line.quantity)
        # The serializer's sum starts at the line's zero: "0" for a line without numbers.
        tracked = sum((e.quantity for e in line.tracking), line.quantity * 0)
        tracking = [
            {
                "serial_no": e.serial_no,
                "lot_no": e.lot_no,
                "expiration_date": None if e.expiration_date is None else date_text(e.expiration_date),
                "quantity": text(e.quantity),
                "qty_handled": zero,
                "origin": source,
            }
            for e in line.tracking
        ]
        lines.append(
            {
                "line_no": line.line_no,
                "item": line.item.no,
                "quantity": quantity,
                "bin": line.bin.code if line.bin is not None else None,
                "qty_shipped": zero,
                "qty_on_picks": zero,
                "qty_on_shipments": zero,
                "qty_outstanding": quantity,
                "qty_tracked": text(tracked),
                "tracking": tracking,
            }
        )
    assert doc.location is not None
    return {
        "id": document.pk,
        "type": document.type,
        "no": document.no,
        "location": doc.location.code,
        "partner": document.partner,
        "shipment_date": date_text(document.shipment_date),
        "status": document.status,
        "created_at": datetime_text(document.created_at),
        "lines": lines,
    }


def write_lines(lines: Sequence[tuple[SourceDocument, LineInput]]) -> list[int]:
    """Insert checked lines (with their prescribed numbers) into their documents: two INSERTs of plain rows
    (no model instance per line). Returns the lines' ids in the order of `lines`."""
    ids = insert_rows(
        SourceLine,
        ["document", "line_no", "item", "quantity", "bin", "qty_shipped", "qty_on_picks", "qty_on_shipments"],
        [
            (
                document.pk,
                line.line_no,
                line.item.pk if line.item is not None else None,
                line.quantity,
                line.bin.pk if line.bin is not None else None,
                ZERO,
                ZERO,
                ZERO,
            )
            for document, line in lines
        ],
    )
    # The prescribed numbers as plain rows (tens of thousands of them: no model instances).
    source = ItemTrackingLine.Origin.SOURCE.value
    insert_rows(
        ItemTrackingLine,
        ["source_line", "serial_no", "lot_no", "expiration_date", "quantity", "qty_handled", "origin"],
        [
            (line_id, e.serial_no, e.lot_no, e.expiration_date, e.quantity, ZERO, source)
            for line_id, (_document, line) in zip(ids, lines, strict=True)
            for e in line.tracking
        ],
        returning_ids=False,
    )
    return ids


def validate_added_lines(*, document: SourceDocument, lines: list[LineInput], user: Any) -> list[Error]:
    """Check lines to add to an existing document exactly as the lines of a new one: master data, numbers
    against the item and the stock. Returns every problem (empty: the lines may be written)."""
    doc = DocumentInput(
        type=document.type,
        no=document.no,
        location_code=document.location.code,
        partner=document.partner,
        shipment_date=document.shipment_date,
        lines=lines,
    )
    errors = _resolve(doc, _load_refs([doc], user=user))
    if errors:
        return errors
    assert doc.location is not None
    stock = _stock_by_location([doc]).get(doc.location.pk, _LocationStock())
    return check_lines(
        lines=_line_contexts(doc),
        location=doc.location,
        stock=stock.rows,
        plain_serials=stock.plain_serials,
        used_serial_nos=_used_serial_nos([doc]),
    )


def _join(errors: list[Error]) -> str:
    return "; ".join(f"{e['field']}: {e['detail']}" if e.get("field") else e["detail"] for e in errors)
