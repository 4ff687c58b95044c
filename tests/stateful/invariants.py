"""The invariants of docs/domain.md, checked against the whole database (small worlds only): the stateful
test checks them after every step, and any test may call `check_invariants()`."""

from __future__ import annotations

from collections import Counter, defaultdict
from decimal import Decimal

from django.db.models import F, Sum

from picking.models import ItemTrackingLine, PickLine, PostedPickLine, SourceLine
from warehouse.models import BinContent, ItemLedgerEntry, WarehouseEntry

Prescribed = dict[tuple[int, str, str], Decimal]  # (source line id, serial_no, lot_no) -> quantity


def check_invariants(prescribed: Prescribed) -> None:
    bin_content_is_the_sum_of_warehouse_entries()
    serials_once_in_stock_and_on_open_lines()
    source_lines_never_over_committed()
    prescribed_numbers_survive(prescribed)
    ledger_equals_posted_lines()


def bin_content_is_the_sum_of_warehouse_entries() -> None:
    entries = {
        (r["bin_id"], r["item_id"], r["lot_no"], r["serial_no"]): r["total"]
        for r in WarehouseEntry.objects.values("bin_id", "item_id", "lot_no", "serial_no").annotate(
            total=Sum("quantity")
        )
    }
    content = {(r.bin_id, r.item_id, r.lot_no, r.serial_no): r.quantity for r in BinContent.objects.all()}
    assert all(q >= 0 for q in content.values()), content
    nonzero = {k: q for k, q in entries.items() if q != 0}
    assert {k: q for k, q in content.items() if q != 0} == nonzero, (content, entries)


def serials_once_in_stock_and_on_open_lines() -> None:
    in_stock = Counter(
        ItemLedgerEntry.objects.filter(open=True, remaining_quantity__gt=0)
        .exclude(serial_no="")
        .values_list("item_id", "serial_no")
    )
    assert all(n == 1 for n in in_stock.values()), in_stock
    in_bins = Counter(
        BinContent.objects.filter(quantity__gt=0).exclude(serial_no="").values_list("item_id", "serial_no")
    )
    assert all(n == 1 for n in in_bins.values()), in_bins
    on_lines = Counter(
        PickLine.objects.filter(action=PickLine.Action.TAKE, qty_handled__lt=F("quantity"))
        .exclude(serial_no="")
        .values_list("item_id", "serial_no")
    )
    assert all(n == 1 for n in on_lines.values()), on_lines


def source_lines_never_over_committed() -> None:
    outstanding: dict[int, Decimal] = defaultdict(Decimal)
    for pick_line in PickLine.objects.filter(action=PickLine.Action.TAKE).only(
        "source_line_id", "quantity", "qty_handled", "qty_to_handle"
    ):
        assert 0 <= pick_line.qty_to_handle <= pick_line.quantity - pick_line.qty_handled, pick_line
        outstanding[pick_line.source_line_id] += pick_line.quantity - pick_line.qty_handled
    tracked = {
        r["source_line_id"]: r["total"]
        for r in ItemTrackingLine.objects.filter(origin=ItemTrackingLine.Origin.SOURCE)
        .values("source_line_id")
        .annotate(total=Sum("quantity"))
    }
    for line in SourceLine.objects.all():
        assert line.qty_on_picks == outstanding.get(line.pk, 0), (line, line.qty_on_picks, outstanding)
        assert line.qty_shipped + line.qty_on_picks <= line.quantity, line
        assert tracked.get(line.pk, 0) <= line.quantity, line


def prescribed_numbers_survive(prescribed: Prescribed) -> None:
    now = {
        (t.source_line_id, t.serial_no, t.lot_no): t.quantity
        for t in ItemTrackingLine.objects.filter(origin=ItemTrackingLine.Origin.SOURCE)
    }
    assert now == prescribed, (now, prescribed)


def ledger_equals_posted_lines() -> None:
    shipped: Counter[tuple[int, str, str]] = Counter()
    for r in (
        ItemLedgerEntry.objects.filter(quantity__lt=0)
        .values("item_id", "lot_no", "serial_no")
        .annotate(total=Sum("quantity"))
    ):
        shipped[(r["item_id"], r["lot_no"], r["serial_no"])] -= r["total"]
    posted: Counter[tuple[int, str, str]] = Counter()
    for r in PostedPickLine.objects.values("item_id", "lot_no", "serial_no").annotate(total=Sum("quantity")):
        posted[(r["item_id"], r["lot_no"], r["serial_no"])] += r["total"]
    assert +shipped == +posted, (shipped, posted)
    per_line: Counter[int] = Counter()
    for r in PostedPickLine.objects.values("source_line_id").annotate(total=Sum("quantity")):
        per_line[r["source_line_id"]] = r["total"]
    for line in SourceLine.objects.all():
        assert line.qty_shipped == per_line.get(line.pk, 0), line
    handled = {
        r["source_line_id"]: r["total"]
        for r in PickLine.objects.filter(action=PickLine.Action.TAKE)
        .values("source_line_id")
        .annotate(total=Sum("qty_handled"))
    }
    for line_id, total in handled.items():
        assert total <= per_line.get(line_id, 0), (line_id, total)
