"""Row locks of the warehouse app: the only `select_for_update` calls on stock.

Each function locks a whole set of rows in ONE query, `order_by("pk")`, `of=("self",)`, so two postings
lock common rows in the same order and cannot deadlock. Lock order (docs/architecture.md): number series,
picks, pick lines, source lines, BIN CONTENT, then OPEN RECEIPTS (item ledger entries).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet

from core.db import keys_subquery, union_all
from warehouse.models import BinContent, ItemLedgerEntry

# (bin_id, item_id, lot_no, serial_no): the stock key of a bin content row.
BinKey = tuple[int, int, str, str]
# (location_id, item_id, lot_no, serial_no): the stock key of a receipt entry.
ReceiptKey = tuple[int, int, str, str]


def _bin_contents_for_update(wanted: list[BinKey]) -> QuerySet[BinContent]:
    """The bin content rows of the keys `wanted`, locked (in pk order) when the query runs."""
    return (
        BinContent.objects.select_for_update(of=("self",))
        .filter(pk__in=keys_subquery(BinContent, ["bin", "item", "lot_no", "serial_no"], wanted))
        .order_by("pk")
    )


def lock_bin_contents(keys: Iterable[BinKey]) -> dict[BinKey, BinContent]:
    """Lock the bin content rows of `keys` (those that exist) and return them by key."""
    wanted = sorted(set(keys))
    if not wanted:
        return {}
    rows = _bin_contents_for_update(wanted)
    return {(r.bin_id, r.item_id, r.lot_no, r.serial_no): r for r in rows}


def lock_bin_contents_of(rows: QuerySet[BinContent]) -> list[int]:
    """Lock the bin content rows `rows` selects (in pk order, ONE query, read as ids only): the stock a
    new pick is planned from, locked by the filter that selects it instead of by its keys."""
    return list(rows.select_for_update(of=("self",)).order_by("pk").values_list("pk", flat=True))


@dataclass(slots=True)
class BinRow:
    """A locked bin content row, without a model instance (postings lock tens of thousands)."""

    pk: int
    bin_id: int
    item_id: int
    lot_no: str
    serial_no: str
    expiration_date: date | None
    quantity: Decimal


@dataclass(slots=True)
class ReceiptRow:
    """A locked open receipt (item ledger entry), without a model instance."""

    pk: int
    remaining_quantity: Decimal
    open: bool


def lock_bin_content_rows(keys: Iterable[BinKey]) -> dict[BinKey, BinRow]:
    """`lock_bin_contents`, read as plain rows (the same lock, the same order)."""
    wanted = sorted(set(keys))
    if not wanted:
        return {}
    rows = _bin_contents_for_update(wanted).values_list(
        "pk", "bin_id", "item_id", "lot_no", "serial_no", "expiration_date", "quantity"
    )
    return {(r[1], r[2], r[3], r[4]): BinRow(*r) for r in rows}


def lock_open_receipts(keys: Iterable[ReceiptKey]) -> dict[ReceiptKey, list[ReceiptRow]]:
    """Lock the open receipt entries of `keys`; per key, oldest first (FIFO by pk), as plain rows.

    Keys with a serial number are looked up by (item, serial no.) through the unique index of serial
    numbers in stock (`ile_serial_in_stock_once`): the planner knows each finds at most one row, whatever
    its statistics say. Matched on all four columns instead, a table filled just before (a big receipt,
    statistics not yet refreshed) let PostgreSQL pick the index on (item, lot no.) and walk every entry of
    the item once per serial number: seconds for a posting of 5 000 serial numbers. The location and lot
    of the rows found are checked here (a serial number in stock elsewhere is not one of the keys).
    """
    wanted = sorted(set(keys))
    if not wanted:
        return {}
    rows = open_receipts_for_update(wanted).values_list(
        "pk", "location_id", "item_id", "lot_no", "serial_no", "remaining_quantity", "open"
    )
    keys = set(wanted)
    result: dict[ReceiptKey, list[ReceiptRow]] = {}
    for pk, location_id, item_id, lot_no, serial_no, remaining, is_open in rows:
        key = (location_id, item_id, lot_no, serial_no)
        if key in keys:  # a serial number in stock at another location (or lot) is not one of these
            result.setdefault(key, []).append(ReceiptRow(pk, remaining, is_open))
    return result


def open_receipts_for_update(wanted: list[ReceiptKey]) -> QuerySet[ItemLedgerEntry]:
    """The open receipt entries of the keys `wanted`, locked (in pk order) when the query runs."""
    serials = sorted({(item, serial) for _location, item, _lot, serial in wanted if serial})
    others = [key for key in wanted if not key[3]]
    parts = []
    if serials:
        # By (item, serial no.) only: any further column lets the planner weigh other indexes on (item, ...),
        # which walk every entry of the item per serial number when it guesses wrong.
        parts.append(keys_subquery(ItemLedgerEntry, ["item", "serial_no"], serials, where=OPEN_SERIALS))
    if others:
        parts.append(keys_subquery(ItemLedgerEntry, ["location", "item", "lot_no", "serial_no"], others))
    return (
        ItemLedgerEntry.objects.select_for_update(of=("self",))
        .filter(pk__in=union_all(parts), open=True)
        .order_by("pk")
    )


# The predicate of the unique index `ile_serial_in_stock_once`: a lookup by (item, serial no.) uses it.
OPEN_SERIALS = '"open" AND NOT ("serial_no" = \'\')'
