"""The ledger posting primitive: stock out of bins and into bins.

Used by inventory adjustments and by pick posting. Each call locks what it needs (bin content, then open
receipts; lock order in docs/architecture.md), checks EVERY movement and reports every problem at once,
then writes item ledger entries, warehouse entries and bin content with a number of queries that does not
depend on the number of movements. A refused call writes nothing.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.db import insert_rows, is_postgresql, keys_subquery, update_rows
from core.exceptions import ErrorCode
from core.language import day
from core.quantities import ZERO, quantity_text
from tracking.rules import Problem, Requirement, is_expired, requirement, stock_key, tracking_problems
from warehouse.exceptions import InboundRefused, OutboundRefused
from warehouse.locks import BinRow, lock_bin_content_rows, lock_open_receipts
from warehouse.models import (
    Bin,
    BinContent,
    Item,
    ItemLedgerEntry,
    LotNoInformation,
    SerialNoInformation,
    WarehouseEntry,
)


@dataclass(frozen=True)
class OutboundMovement:
    """Take `quantity` (> 0) of an item with these numbers out of a bin. `ref` is the caller's line."""

    ref: object
    location_id: int
    bin_id: int
    item_id: int
    quantity: Decimal
    lot_no: str = ""
    serial_no: str = ""


@dataclass(frozen=True)
class InboundMovement:
    """Put `quantity` (> 0) of an item with these numbers into a bin. `ref` is the caller's line."""

    ref: object
    location_id: int
    bin_id: int
    item_id: int
    quantity: Decimal
    lot_no: str = ""
    serial_no: str = ""
    expiration_date: datetime.date | None = None


def _user_id(user: Any) -> int | None:
    if user is not None and getattr(user, "is_authenticated", False):
        return int(user.pk)
    return None


_Movement = TypeVar("_Movement", OutboundMovement, InboundMovement)

# The entries' document no., or a function giving it, called once every movement is checked: a document
# takes its number only when it will be written (numbers are taken in their own transaction, a refusal
# would leave a gap).
DocumentNo = str | Callable[[], str]


def _load(
    movements: Sequence[OutboundMovement | InboundMovement],
) -> tuple[dict[int, Item], dict[int, Bin], dict[int, Requirement]]:
    """The movements' items (with tracking codes), bins and each item's tracking requirement."""
    item_ids = {m.item_id for m in movements}
    bin_ids = {m.bin_id for m in movements}
    items = {i.pk: i for i in Item.objects.select_related("tracking_code").filter(pk__in=item_ids)}
    bins = {b.pk: b for b in Bin.objects.filter(pk__in=bin_ids)}
    reqs = {i.pk: requirement(i.tracking_code) for i in items.values()}
    return items, bins, reqs


def _lot_infos(keys: set[tuple[int, str]]) -> QuerySet[LotNoInformation]:
    """Lot information cards of these (item id, lot no.) pairs (a query set, one query when read)."""
    return LotNoInformation.objects.filter(pk__in=keys_subquery(LotNoInformation, ["item", "lot_no"], keys))


def _serial_infos(keys: set[tuple[int, str]]) -> QuerySet[SerialNoInformation]:
    """Serial information cards of these (item id, serial no.) pairs (a query set, one query when read)."""
    return SerialNoInformation.objects.filter(
        pk__in=keys_subquery(SerialNoInformation, ["item", "serial_no"], keys)
    )


def _blocked_numbers(
    lot_keys: set[tuple[int, str]], serial_keys: set[tuple[int, str]]
) -> tuple[set[tuple[int, str]], set[tuple[int, str]]]:
    lots: set[tuple[int, str]] = set()
    serials: set[tuple[int, str]] = set()
    if lot_keys:
        lots = set(_lot_infos(lot_keys).filter(blocked=True).values_list("item_id", "lot_no"))
    if serial_keys:
        serials = set(_serial_infos(serial_keys).filter(blocked=True).values_list("item_id", "serial_no"))
    return lots, serials


def _problem(m: OutboundMovement | InboundMovement, code: str, detail: str) -> dict[str, Any]:
    return {"line": m.ref, "code": code, "detail": detail}


@dataclass(frozen=True)
class EntrySource:
    """The source of one movement's entries when a posting ships lines of several source documents."""

    entry_type: str
    source_document_type: str
    source_document_no: str
    source_line_no: int | None


_COMMON_ROW_FIELDS = [
    "entry_type",
    "document_type",
    "document_no",
    "posting_date",
    "item",
    "location",
    "created_by",
    "created_at",
]
_SOURCE_FIELDS = ["source_document_type", "source_document_no", "source_line_no"]
_LEDGER_ROW_FIELDS = [
    *_COMMON_ROW_FIELDS,
    "serial_no",
    "lot_no",
    "quantity",
    "remaining_quantity",
    "open",
    "applies_to_entry",
    "expiration_date",
    *_SOURCE_FIELDS,
]
_WAREHOUSE_ROW_FIELDS = [
    *_COMMON_ROW_FIELDS,
    "bin",
    "lot_no",
    "serial_no",
    "expiration_date",
    "quantity",
    "item_ledger_entry",
]


@dataclass(frozen=True)
class _Document:
    """What every entry of one posting carries: the document, its date, the user and the source (per
    movement `ref` in `sources` when given)."""

    entry_type: str
    document_type: str
    document_no: str
    posting_date: datetime.date
    user_id: int | None
    source_document_type: str
    source_document_no: str
    source_line_nos: dict[Any, int]
    sources: Mapping[Any, EntrySource] = field(default_factory=dict)
    created_at: datetime.datetime = field(default_factory=timezone.now)

    def _common_row(
        self, m: OutboundMovement | InboundMovement, source: EntrySource | None
    ) -> tuple[Any, ...]:
        """The values of `_COMMON_ROW_FIELDS` of an entry of `m` (`source`: its entry in `sources`)."""
        return (
            source.entry_type if source else self.entry_type,
            self.document_type,
            self.document_no,
            self.posting_date,
            m.item_id,
            m.location_id,
            self.user_id,
            self.created_at,
        )

    def _source_row(
        self, m: OutboundMovement | InboundMovement, source: EntrySource | None
    ) -> tuple[Any, ...]:
        """The values of `_SOURCE_FIELDS` of a ledger entry of `m` (`source`: its entry in `sources`)."""
        if source:
            return (source.source_document_type, source.source_document_no, source.source_line_no)
        return (self.source_document_type, self.source_document_no, self.source_line_nos.get(m.ref))

    def ledger_row(
        self,
        m: OutboundMovement | InboundMovement,
        expiration_date: datetime.date | None,
        quantity: Decimal,
        applies_to_entry_id: int | None,
    ) -> tuple[Any, ...]:
        """A closed outbound entry as a tuple in the order of `_LEDGER_ROW_FIELDS` (quantity at [10])."""
        source = self.sources.get(m.ref)
        return (
            *self._common_row(m, source),
            m.serial_no,
            m.lot_no,
            quantity,
            ZERO,
            False,
            applies_to_entry_id,
            expiration_date,
            *self._source_row(m, source),
        )

    def receipt_row(self, m: InboundMovement, expiration_date: datetime.date | None) -> tuple[Any, ...]:
        """An open receipt (remaining = quantity) as a tuple in the order of `_LEDGER_ROW_FIELDS`."""
        source = self.sources.get(m.ref)
        return (
            *self._common_row(m, source),
            m.serial_no,
            m.lot_no,
            m.quantity,
            m.quantity,
            True,
            None,
            expiration_date,
            *self._source_row(m, source),
        )

    def warehouse_row(
        self,
        m: OutboundMovement | InboundMovement,
        row: BinRow | None = None,
        *,
        quantity: Decimal,
        item_ledger_entry_id: int,
        expiration_date: datetime.date | None = None,
    ) -> tuple[Any, ...]:
        """A warehouse entry as a tuple in the order of `_WAREHOUSE_ROW_FIELDS`: the numbers and expiration
        date of the bin content `row` taken from, or (no `row`: received) the movement's numbers and
        `expiration_date`."""
        source = self.sources.get(m.ref)
        if row is not None:
            lot_no, serial_no, expiration_date = row.lot_no, row.serial_no, row.expiration_date
        else:
            lot_no, serial_no = m.lot_no, m.serial_no
        return (
            *self._common_row(m, source),
            m.bin_id,
            lot_no,
            serial_no,
            expiration_date,
            quantity,
            item_ledger_entry_id,
        )


def _ledger_entries(ids: Sequence[int], rows: Sequence[Sequence[Any]]) -> list[ItemLedgerEntry]:
    """The item ledger entries just written from `rows` (in the order of `_LEDGER_ROW_FIELDS`) under these
    ids, as instances read back from the database (`Model.from_db`, as a query set builds them: about a
    third of the cost of `Model(**fields)`)."""
    names = ["id", *_LEDGER_ROW_FIELDS]
    fields = ItemLedgerEntry._meta.concrete_fields
    order = [names.index(f.name) for f in fields]
    attnames = [f.attname for f in fields]
    from_db, alias = ItemLedgerEntry.from_db, connection.alias
    return [
        from_db(alias, attnames, [values[i] for i in order])
        for values in ((pk, *row) for pk, row in zip(ids, rows, strict=True))
    ]


def _refusal(
    cls: type[OutboundRefused] | type[InboundRefused], errors: list[dict[str, Any]], what: str
) -> Any:
    """`what`: what would have happened, translated ("taken out", "received", "moved")."""
    lines = {str(e.get("line")) for e in errors}
    first = errors[0]["detail"]
    more = (
        " "
        + ngettext(
            "(%(count)s more problem listed below)", "(%(count)s more problems listed below)", len(errors) - 1
        )
        % {"count": len(errors) - 1}
        if len(errors) > 1
        else ""
    )
    problems = ngettext(
        "Nothing was %(what)s: %(count)s line has problems.",
        "Nothing was %(what)s: %(count)s lines have problems.",
        len(lines),
    ) % {"what": what, "count": len(lines)}
    return cls(
        f"{problems} {first}{more}",
        code=errors[0]["code"],
        errors=errors,
    )


def _tracking_problems_of(
    m: OutboundMovement | InboundMovement, req: Requirement, *, inbound: bool, clean: set[tuple[Any, ...]]
) -> list[Problem]:
    """`tracking_problems` of the movement's numbers and quantity on their own. What it finds for one entry
    depends on whether a serial and a lot number are given and on the quantity, never on the numbers
    themselves (they are only quoted in a problem's text): a combination found clean (`clean`, per call
    of `_check_each`) is not checked again."""
    key = (m.item_id, not m.serial_no, not m.lot_no, m.quantity)
    if key in clean:
        return []
    problems = tracking_problems(req, [(m.serial_no, m.lot_no, m.quantity)], require_numbers=not inbound)
    if not problems:
        clean.add(key)
    return problems


def _static_problems(
    m: OutboundMovement | InboundMovement,
    items: dict[int, Item],
    bins: dict[int, Bin],
    *,
    inbound: bool,
    reqs: Mapping[int, Requirement] | None = None,
    clean: set[tuple[Any, ...]] | None = None,
) -> list[dict[str, Any]]:
    """The problems of one movement on its own: its item, its bin, its numbers. `reqs`: the items'
    requirements when already worked out; `clean`: see `_tracking_problems_of`. The messages are only
    translated for a problem found (thousands of movements usually have none)."""
    item = items.get(m.item_id)
    if item is None:
        return [_problem(m, ErrorCode.NOT_FOUND, _("Item #%(id)s does not exist.") % {"id": m.item_id})]
    errors: list[dict[str, Any]] = []
    bin_ = bins.get(m.bin_id)
    if bin_ is None or bin_.location_id != m.location_id:
        errors.append(
            _problem(
                m, ErrorCode.BIN_NOT_FOUND, _("Bin #%(id)s is not a bin of this location.") % {"id": m.bin_id}
            )
        )
    elif bin_.blocked:
        errors.append(
            _problem(
                m,
                ErrorCode.BIN_BLOCKED,
                _("Bin %(bin)s is blocked: choose another bin or ask a supervisor to unblock it.")
                % {"bin": bin_.code},
            )
        )
    req = reqs[m.item_id] if reqs is not None else requirement(item.tracking_code)
    problems = _tracking_problems_of(m, req, inbound=inbound, clean=clean if clean is not None else set())
    for p in problems:
        errors.append(
            _problem(m, p.code, _("Item %(item)s: %(problem)s") % {"item": item.no, "problem": p.detail})
        )
    if inbound:
        # Lot numbers, then serial numbers: one the stock carries is required, one it does not is refused.
        if req.lot.warehouse and not m.lot_no:
            errors.append(
                _problem(
                    m,
                    ErrorCode.LOT_MISSING,
                    _("Item %(item)s: stock of this item carries lot numbers; enter one.")
                    % {"item": item.no},
                )
            )
        if req.lot.tracked and not req.lot.warehouse and m.lot_no:
            errors.append(
                _problem(
                    m,
                    ErrorCode.LOT_NOT_STOCKED,
                    _(
                        "Item %(item)s: stock of this item carries no lot numbers (lot warehouse tracking is "
                        "off); leave the lot number empty. Lot numbers are assigned when shipping."
                    )
                    % {"item": item.no},
                )
            )
        if req.serial.warehouse and not m.serial_no:
            errors.append(
                _problem(
                    m,
                    ErrorCode.SERIAL_MISSING,
                    _("Item %(item)s: stock of this item carries serial numbers; enter one.")
                    % {"item": item.no},
                )
            )
        if req.serial.tracked and not req.serial.warehouse and m.serial_no:
            errors.append(
                _problem(
                    m,
                    ErrorCode.SERIAL_NOT_STOCKED,
                    _(
                        "Item %(item)s: stock of this item carries no serial numbers (serial warehouse "
                        "tracking is off); leave the serial number empty. Serial numbers are assigned when "
                        "shipping."
                    )
                    % {"item": item.no},
                )
            )
    return errors


def _check_each(
    movements: list[_Movement],
    items: dict[int, Item],
    bins: dict[int, Bin],
    *,
    inbound: bool,
    more_problems: Callable[[_Movement], list[dict[str, Any]]] | None = None,
    verb: str = "",
) -> tuple[list[dict[str, Any]], list[_Movement]]:
    """Check each movement on its own and against the others (a serial number once per call).

    Returns every problem found and the movements without any, in the order given. `verb` says what
    happens to the stock in the duplicate-serial message, translated (default: received / taken).
    """
    errors: list[dict[str, Any]] = []
    valid: list[_Movement] = []
    seen_serials: dict[tuple[int, str], object] = {}
    verb = verb or (_("received") if inbound else _("taken"))
    reqs = {pk: requirement(item.tracking_code) for pk, item in items.items()}
    clean: set[tuple[Any, ...]] = set()
    for m in movements:
        problems = _static_problems(m, items, bins, inbound=inbound, reqs=reqs, clean=clean)
        if m.serial_no:
            serial_key = (m.item_id, m.serial_no)
            if serial_key in seen_serials:
                problems.append(
                    _problem(
                        m,
                        ErrorCode.DUPLICATE_SERIAL,
                        _("Serial number %(serial_no)s is %(verb)s twice (also on line %(line)s).")
                        % {"serial_no": m.serial_no, "verb": verb, "line": seen_serials[serial_key]},
                    )
                )
            else:
                seen_serials[serial_key] = m.ref
        if more_problems is not None:
            problems.extend(more_problems(m))
        errors.extend(problems)
        if not problems:
            valid.append(m)
    return errors, valid


def _new_number_problems(m: OutboundMovement, req: Requirement | None) -> list[dict[str, Any]]:
    """A number the item's stock does not carry would be new: refused where new numbers are not allowed."""
    if req is None:
        return []
    return [
        _problem(m, ErrorCode.NEW_NUMBER_NOT_ALLOWED, message % {"number": number})
        for kind, number, message in (
            (
                req.lot,
                m.lot_no,
                _("Lot number %(number)s is not in stock, and new numbers are not allowed here."),
            ),
            (
                req.serial,
                m.serial_no,
                _("Serial number %(number)s is not in stock, and new numbers are not allowed here."),
            ),
        )
        if number and not kind.warehouse
    ]


def inventory_post_outbound(
    *,
    movements: Sequence[OutboundMovement],
    entry_type: str,
    document_type: str,
    document_no: DocumentNo,
    posting_date: datetime.date,
    user: Any = None,
    source_document_type: str = "",
    source_document_no: str = "",
    source_line_nos: dict[Any, int] | None = None,
    new_numbers_allowed: bool = True,
    refuse_expired: bool = True,
    sources: Mapping[Any, EntrySource] | None = None,
    returning: bool = True,
    written_ids: list[int] | None = None,
) -> list[ItemLedgerEntry]:
    """Take stock out of bins: lock, check every movement, write in bulk (or raise OutboundRefused).

    `returning=False`: the entries are written from plain tuples and not returned (a posting of 30 000
    serial numbers builds no model instance for them). `written_ids`: the ids of the entries written are
    appended to it.

    Call inside the caller's `transaction.atomic()`. `source_line_nos` maps a movement's `ref` to the
    source line no. written on its entries; `sources` maps it to its own entry type and source document
    (a posting of lines of several documents). `refuse_expired=False` lets an adjustment remove expired
    stock.
    """
    movements = list(movements)
    if not movements:
        return []
    with transaction.atomic():
        items, bins, reqs = _load(movements)
        errors, valid = _check_each(
            movements,
            items,
            bins,
            inbound=False,
            more_problems=None
            if new_numbers_allowed
            else lambda m: _new_number_problems(m, reqs.get(m.item_id)),
        )

        # Each movement's bin content key and receipt key, computed once (the loops below read them often).
        bin_keys: dict[int, tuple[int, int, str, str]] = {}
        receipt_keys: dict[int, tuple[int, int, str, str]] = {}
        for m in valid:
            lot_key, serial_key = stock_key(reqs[m.item_id], m.lot_no, m.serial_no)
            bin_keys[id(m)] = (m.bin_id, m.item_id, lot_key, serial_key)
            receipt_keys[id(m)] = (m.location_id, m.item_id, lot_key, serial_key)

        def bin_key(m: OutboundMovement) -> tuple[int, int, str, str]:
            return bin_keys[id(m)]

        def receipt_key(m: OutboundMovement) -> tuple[int, int, str, str]:
            return receipt_keys[id(m)]

        bin_rows = lock_bin_content_rows(bin_keys.values())
        receipts = lock_open_receipts(receipt_keys.values())
        blocked_lots, blocked_serials = _blocked_numbers(
            {(m.item_id, m.lot_no) for m in valid if m.lot_no},
            {(m.item_id, m.serial_no) for m in valid if m.serial_no},
        )
        new_serials = {
            (m.item_id, m.serial_no) for m in valid if m.serial_no and not reqs[m.item_id].serial.warehouse
        }
        used_serials: set[tuple[int, str]] = set()
        if new_serials:
            used_serials = set(
                ItemLedgerEntry.objects.filter(
                    pk__in=keys_subquery(ItemLedgerEntry, ["item", "serial_no"], new_serials)
                ).values_list("item_id", "serial_no")
            )

        needed_bin: dict[tuple[int, int, str, str], Decimal] = defaultdict(lambda: ZERO)
        needed_receipts: dict[tuple[int, int, str, str], Decimal] = defaultdict(lambda: ZERO)
        for m in valid:
            needed_bin[bin_key(m)] += m.quantity
            needed_receipts[receipt_key(m)] += m.quantity
        open_by_key = {key: sum((r.remaining_quantity for r in rows), ZERO) for key, rows in receipts.items()}
        for m in valid:
            item, bin_, req = items[m.item_id], bins[m.bin_id], reqs[m.item_id]
            key = bin_key(m)
            row = bin_rows.get(key)
            have = row.quantity if row is not None else ZERO

            def what(key: tuple[int, int, str, str] = key, item: Item = item) -> str:
                """ "item X lot L serial S", worded only for a refusal (two translations per movement
                otherwise: 10 000 for a posting of 5 000 serial numbers)."""
                numbers = " ".join(
                    p
                    for p in (
                        _("lot %(lot)s") % {"lot": key[2]} if key[2] else "",
                        _("serial %(serial)s") % {"serial": key[3]} if key[3] else "",
                    )
                    if p
                )
                return _("item %(item)s") % {"item": item.no} + (f" {numbers}" if numbers else "")

            def err(code: str, detail: str, m: OutboundMovement = m) -> None:
                errors.append(_problem(m, code, detail))

            if key[3] and have <= 0:
                err(
                    ErrorCode.SERIAL_NOT_AVAILABLE,
                    _("Serial number %(serial_no)s of item %(item)s is not in bin %(bin)s.")
                    % {"serial_no": key[3], "item": item.no, "bin": bin_.code},
                )
            elif needed_bin[key] > have:
                err(
                    ErrorCode.INSUFFICIENT_QUANTITY,
                    _("Bin %(bin)s holds %(have)s of %(what)s, but %(needed)s are to be taken out.")
                    % {
                        "bin": bin_.code,
                        "have": quantity_text(have),
                        "what": what(),
                        "needed": quantity_text(needed_bin[key]),
                    },
                )
            else:
                open_qty = open_by_key.get(receipt_key(m), ZERO)
                if needed_receipts[receipt_key(m)] > open_qty:
                    err(
                        ErrorCode.INSUFFICIENT_QUANTITY,
                        _("The item ledger holds only %(quantity)s of %(what)s at this location.")
                        % {"quantity": quantity_text(open_qty), "what": what()},
                    )
            if m.lot_no and (m.item_id, m.lot_no) in blocked_lots:
                err(
                    ErrorCode.LOT_BLOCKED,
                    _("Lot %(lot_no)s of item %(item)s is blocked and cannot be taken out.")
                    % {"lot_no": m.lot_no, "item": item.no},
                )
            if m.serial_no and (m.item_id, m.serial_no) in blocked_serials:
                err(
                    ErrorCode.SERIAL_BLOCKED,
                    _("Serial number %(serial_no)s of item %(item)s is blocked.")
                    % {"serial_no": m.serial_no, "item": item.no},
                )
            if (m.item_id, m.serial_no) in used_serials:
                err(
                    ErrorCode.SERIAL_USED_BEFORE,
                    _(
                        "Serial number %(serial_no)s was already used for item %(item)s; a new serial number "
                        "must never have been used before. Assign another one."
                    )
                    % {"serial_no": m.serial_no, "item": item.no},
                )
            if (
                refuse_expired
                and row is not None
                and is_expired(req, row.expiration_date, posting_date, strict_only=True)
            ):
                err(
                    ErrorCode.EXPIRED,
                    _("%(what)s expired on %(date)s; expired stock cannot be shipped.")
                    % {"what": what()[:1].upper() + what()[1:], "date": day(row.expiration_date)},
                )
        if errors:
            raise _refusal(OutboundRefused, errors, _("taken out"))

        # Write: outbound entries applied FIFO to the exact receipts.
        remaining = {r.pk: r.remaining_quantity for rows in receipts.values() for r in rows}
        document = _Document(
            entry_type,
            document_type,
            document_no() if callable(document_no) else document_no,
            posting_date,
            _user_id(user),
            source_document_type,
            source_document_no,
            source_line_nos or {},
            sources or {},
        )
        ledger_rows: list[tuple[Any, ...]] = []
        bins_of_entries: list[tuple[OutboundMovement, BinRow]] = []
        cursor: dict[tuple[int, int, str, str], int] = defaultdict(int)  # first receipt with quantity left
        for m in valid:
            row = bin_rows[bin_key(m)]
            left = m.quantity
            rkey = receipt_key(m)
            open_receipts = receipts[rkey]
            while left > 0:
                receipt = open_receipts[cursor[rkey]]
                take = min(left, remaining[receipt.pk])
                if take <= 0:
                    cursor[rkey] += 1
                    continue
                remaining[receipt.pk] -= take
                left -= take
                ledger_rows.append(document.ledger_row(m, row.expiration_date, -take, receipt.pk))
                bins_of_entries.append((m, row))
        ids = insert_rows(ItemLedgerEntry, _LEDGER_ROW_FIELDS, ledger_rows)
        insert_rows(
            WarehouseEntry,
            _WAREHOUSE_ROW_FIELDS,
            [
                document.warehouse_row(m, row, quantity=ledger[10], item_ledger_entry_id=pk)
                for pk, ledger, (m, row) in zip(ids, ledger_rows, bins_of_entries, strict=True)
            ],
            returning_ids=False,
        )
        entries = _ledger_entries(ids, ledger_rows) if returning else []
        if written_ids is not None:
            written_ids += ids
        del ledger_rows, bins_of_entries
        changed = [r for rows in receipts.values() for r in rows if remaining[r.pk] != r.remaining_quantity]
        update_rows(
            ItemLedgerEntry,
            [(r.pk, remaining[r.pk], remaining[r.pk] > 0) for r in changed],
            set_fields=["remaining_quantity", "open"],
        )
        update_rows(
            BinContent,
            [(bin_rows[key].pk, -quantity) for key, quantity in needed_bin.items()],
            add_fields=["quantity"],
        )
        for r in changed:
            r.remaining_quantity = remaining[r.pk]
            r.open = remaining[r.pk] > 0
        for key, quantity in needed_bin.items():
            bin_rows[key].quantity -= quantity
    return entries


def inventory_post_inbound(
    *,
    movements: Sequence[InboundMovement],
    entry_type: str,
    document_type: str,
    document_no: DocumentNo,
    posting_date: datetime.date,
    user: Any = None,
    source_document_type: str = "",
    source_document_no: str = "",
    source_line_nos: dict[Any, int] | None = None,
    returning: bool = True,
    written_ids: list[int] | None = None,
) -> list[ItemLedgerEntry]:
    """Receive stock into bins: check every movement, then write receipts (open, remaining = quantity),
    warehouse entries, bin content (created or incremented) and missing lot/serial information, in bulk.
    `returning` and `written_ids` as for `inventory_post_outbound`.

    Numbers of a kind the item's stock does not carry (no warehouse tracking) are refused. The expiration
    date of a number already known comes from its information card when not given.
    """
    movements = list(movements)
    if not movements:
        return []
    with transaction.atomic():
        items, bins, reqs = _load(movements)
        errors, valid = _check_each(movements, items, bins, inbound=True)

        lot_keys = {(m.item_id, m.lot_no) for m in valid if m.lot_no}
        serial_keys = {(m.item_id, m.serial_no) for m in valid if m.serial_no}
        lot_infos: dict[tuple[int, str], LotNoInformation] = {}
        serial_infos: dict[tuple[int, str], SerialNoInformation] = {}
        if lot_keys:
            lot_infos = {(i.item_id, i.lot_no): i for i in _lot_infos(lot_keys)}
        if serial_keys:
            serial_infos = {(i.item_id, i.serial_no): i for i in _serial_infos(serial_keys)}
        in_stock: set[tuple[int, str]] = set()
        if serial_keys:
            in_stock = set(
                ItemLedgerEntry.objects.filter(
                    pk__in=keys_subquery(ItemLedgerEntry, ["item", "serial_no"], serial_keys), open=True
                ).values_list("item_id", "serial_no")
            )

        expiration: dict[int, datetime.date | None] = {}
        lot_dates: dict[tuple[int, str], tuple[datetime.date | None, object]] = {}
        for index, m in enumerate(valid):
            item, req = items[m.item_id], reqs[m.item_id]

            def err(code: str, detail: str, m: InboundMovement = m) -> None:
                errors.append(_problem(m, code, detail))

            lot_info = lot_infos.get((m.item_id, m.lot_no)) if m.lot_no else None
            serial_info = serial_infos.get((m.item_id, m.serial_no)) if m.serial_no else None
            known = (serial_info.expiration_date if serial_info else None) or (
                lot_info.expiration_date if lot_info else None
            )
            date = m.expiration_date or known
            if m.expiration_date and not req.use_expiration_dates:
                err(
                    ErrorCode.EXPIRATION_NOT_USED,
                    _("Item %(item)s does not use expiration dates: leave the expiration date empty.")
                    % {"item": item.no},
                )
            elif req.require_expiration_date_entry and (m.lot_no or m.serial_no) and not date:
                err(
                    ErrorCode.EXPIRATION_DATE_REQUIRED,
                    _("Item %(item)s needs an expiration date for each number received: enter it.")
                    % {"item": item.no},
                )
            by_serial = serial_info is not None and serial_info.expiration_date is not None
            if m.expiration_date and known and m.expiration_date != known:
                mismatch = (
                    _(
                        "Serial number %(number)s of item %(item)s expires on %(known)s, not %(date)s. Use "
                        "%(known)s or leave it empty."
                    )
                    if by_serial
                    else _(
                        "Lot %(number)s of item %(item)s expires on %(known)s, not %(date)s. Use %(known)s "
                        "or leave it empty."
                    )
                )
                err(
                    ErrorCode.EXPIRATION_DATE_MISMATCH,
                    mismatch
                    % {
                        "number": m.serial_no if by_serial else m.lot_no,
                        "item": item.no,
                        "known": day(known),
                        "date": day(m.expiration_date),
                    },
                )
            if m.lot_no and not (serial_info and serial_info.expiration_date):
                earlier = lot_dates.get((m.item_id, m.lot_no))
                if earlier is not None and date and earlier[0] and earlier[0] != date:
                    err(
                        ErrorCode.EXPIRATION_DATE_MISMATCH,
                        _(
                            "Lot %(lot_no)s is received with two expiration dates (%(earlier)s on line "
                            "%(line)s, %(date)s here). A lot has one expiration date."
                        )
                        % {
                            "lot_no": m.lot_no,
                            "earlier": day(earlier[0]),
                            "line": earlier[1],
                            "date": day(date),
                        },
                    )
                elif earlier is None or not earlier[0]:
                    lot_dates[(m.item_id, m.lot_no)] = (date, m.ref)
            if m.serial_no and (m.item_id, m.serial_no) in in_stock:
                err(
                    ErrorCode.SERIAL_ALREADY_IN_STOCK,
                    _(
                        "Serial number %(serial_no)s of item %(item)s is already in stock; a serial number "
                        "identifies one unit. Check the number."
                    )
                    % {"serial_no": m.serial_no, "item": item.no},
                )
            if lot_info is not None and lot_info.blocked:
                err(
                    ErrorCode.LOT_BLOCKED,
                    _("Lot %(lot_no)s of item %(item)s is blocked.") % {"lot_no": m.lot_no, "item": item.no},
                )
            if serial_info is not None and serial_info.blocked:
                err(
                    ErrorCode.SERIAL_BLOCKED,
                    _("Serial number %(serial_no)s of item %(item)s is blocked.")
                    % {"serial_no": m.serial_no, "item": item.no},
                )
            expiration[index] = date
        if errors:
            raise _refusal(InboundRefused, errors, _("received"))

        document = _Document(
            entry_type,
            document_type,
            document_no() if callable(document_no) else document_no,
            posting_date,
            _user_id(user),
            source_document_type,
            source_document_no,
            source_line_nos or {},
        )
        rows = [document.receipt_row(m, expiration[index]) for index, m in enumerate(valid)]
        try:
            with transaction.atomic():
                ids = insert_rows(ItemLedgerEntry, _LEDGER_ROW_FIELDS, rows)
                insert_rows(
                    WarehouseEntry,
                    _WAREHOUSE_ROW_FIELDS,
                    [
                        document.warehouse_row(
                            m, quantity=m.quantity, item_ledger_entry_id=pk, expiration_date=expiration[index]
                        )
                        for index, (m, pk) in enumerate(zip(valid, ids, strict=True))
                    ],
                    returning_ids=False,
                )
                contents: dict[tuple[int, int, str, str], list[Any]] = {}
                for index, m in enumerate(valid):
                    key = (m.bin_id, m.item_id, m.lot_no, m.serial_no)
                    if key in contents:
                        contents[key][6] += m.quantity
                    else:
                        contents[key] = [
                            m.location_id,
                            m.bin_id,
                            m.item_id,
                            m.lot_no,
                            m.serial_no,
                            expiration[index],
                            m.quantity,
                        ]
                bin_contents_add(list(contents.values()))
                new_lots = {
                    (m.item_id, m.lot_no): expiration[i]
                    for i, m in enumerate(valid)
                    if m.lot_no and (m.item_id, m.lot_no) not in lot_infos
                }
                new_serials = {
                    (m.item_id, m.serial_no): expiration[i]
                    for i, m in enumerate(valid)
                    if m.serial_no and (m.item_id, m.serial_no) not in serial_infos
                }
                insert_rows(
                    LotNoInformation,
                    ["item", "lot_no", "expiration_date", "description", "certificate", "blocked"],
                    [(k[0], k[1], d, "", "", False) for k, d in new_lots.items()],
                    returning_ids=False,
                    on_conflict="ON CONFLICT (item_id, lot_no) DO NOTHING",
                )
                insert_rows(
                    SerialNoInformation,
                    ["item", "serial_no", "expiration_date", "description", "certificate", "blocked"],
                    [(k[0], k[1], d, "", "", False) for k, d in new_serials.items()],
                    returning_ids=False,
                    on_conflict="ON CONFLICT (item_id, serial_no) DO NOTHING",
                )
                _fill_missing_info_dates(lot_infos, serial_infos, valid, expiration)
        except IntegrityError as exc:
            # Only a concurrent receipt of the same serial number gets here (checked above otherwise).
            raise InboundRefused(
                _(
                    "Nothing was received: a serial number was received by someone else at the same moment. "
                    "Check the numbers and try again."
                ),
                code=ErrorCode.SERIAL_ALREADY_IN_STOCK,
            ) from exc
    if written_ids is not None:
        written_ids += ids
    return _ledger_entries(ids, rows) if returning else []


def bin_contents_add(rows: Sequence[Sequence[Any]]) -> None:
    """Add to bin content, creating the rows that do not exist yet, in ONE upsert: each row is (location,
    bin, item, lot_no, serial_no, expiration_date, quantity); a row's expiration date is kept unless the
    new one is given."""
    table = BinContent._meta.db_table
    insert_rows(
        BinContent,
        ["location", "bin", "item", "lot_no", "serial_no", "expiration_date", "quantity"],
        rows,
        returning_ids=False,
        on_conflict=(
            "ON CONFLICT (bin_id, item_id, lot_no, serial_no) DO UPDATE SET "
            f'quantity = "{table}".quantity + excluded.quantity, '
            f'expiration_date = COALESCE(excluded.expiration_date, "{table}".expiration_date)'
        ),
    )


def _fill_missing_info_dates(
    lot_infos: dict[tuple[int, str], LotNoInformation],
    serial_infos: dict[tuple[int, str], SerialNoInformation],
    valid: list[InboundMovement],
    expiration: dict[int, datetime.date | None],
) -> None:
    """Information cards without an expiration date take the one received (one update per kind)."""
    lot_rows: dict[int, datetime.date] = {}
    serial_rows: dict[int, datetime.date] = {}
    for index, m in enumerate(valid):
        date = expiration[index]
        if not date:
            continue
        lot = lot_infos.get((m.item_id, m.lot_no)) if m.lot_no else None
        if lot is not None and lot.expiration_date is None:
            lot_rows[lot.pk] = date
        serial = serial_infos.get((m.item_id, m.serial_no)) if m.serial_no else None
        if serial is not None and serial.expiration_date is None:
            serial_rows[serial.pk] = date
    update_rows(LotNoInformation, list(lot_rows.items()), set_fields=["expiration_date"])
    update_rows(SerialNoInformation, list(serial_rows.items()), set_fields=["expiration_date"])


__all__ = [
    "EntrySource",
    "InboundMovement",
    "OutboundMovement",
    "inventory_post_inbound",
    "inventory_post_outbound",
    "is_postgresql",
]
