"""Row locks of the warehouse app: the only `select_for_update` calls on stock.

Each function locks a whole set of rows in ONE query, `order_by("pk")`, `of=("self",)`, so two postings
lock common rows in the same order and cannot deadlock. Lock order (docs/architecture.md): number series,
picks, pick lines, source lines, BIN CONTENT, then OPEN RECEIPTS (item ledger entries).
"""

from __future__ import annotations

from collections.abc import Iterable

from core.db import keys_subquery
from warehouse.models import BinContent, ItemLedgerEntry

# (bin_id, item_id, lot_no, serial_no): the stock key of a bin content row.
BinKey = tuple[int, int, str, str]
# (location_id, item_id, lot_no, serial_no): the stock key of a receipt entry.
ReceiptKey = tuple[int, int, str, str]


def lock_bin_contents(keys: Iterable[BinKey]) -> dict[BinKey, BinContent]:
    """Lock the bin content rows of `keys` (those that exist) and return them by key."""
    wanted = sorted(set(keys))
    if not wanted:
        return {}
    rows = (
        BinContent.objects.select_for_update(of=("self",))
        .filter(pk__in=keys_subquery(BinContent, ["bin", "item", "lot_no", "serial_no"], wanted))
        .order_by("pk")
    )
    return {(r.bin_id, r.item_id, r.lot_no, r.serial_no): r for r in rows}


def lock_open_receipts(keys: Iterable[ReceiptKey]) -> dict[ReceiptKey, list[ItemLedgerEntry]]:
    """Lock the open receipt entries of `keys`; per key, oldest first (FIFO by pk)."""
    wanted = sorted(set(keys))
    if not wanted:
        return {}
    rows = (
        ItemLedgerEntry.objects.select_for_update(of=("self",))
        .filter(
            pk__in=keys_subquery(ItemLedgerEntry, ["location", "item", "lot_no", "serial_no"], wanted),
            open=True,
        )
        .order_by("pk")
    )
    result: dict[ReceiptKey, list[ItemLedgerEntry]] = {}
    for row in rows:
        result.setdefault((row.location_id, row.item_id, row.lot_no, row.serial_no), []).append(row)
    return result
