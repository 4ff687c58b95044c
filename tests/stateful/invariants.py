"""The invariants of docs/domain.md, checked against the whole database (small worlds only): the stateful
test checks them after every step, and any test may call `check_invariants()`.

Inventory picks count on their source lines (`qty_on_picks`); warehouse shipments count on theirs
(`qty_on_shipments`) and warehouse picks on the shipment lines (`qty_on_picks` there). Goods leave the
location through posted picks and posted shipments; registered goods wait in shipping bins."""

from __future__ import annotations

from collections import Counter, defaultdict
from decimal import Decimal

from django.db.models import F, Sum

from picking.models import (
    ItemTrackingLine,
    Pick,
    PickedStock,
    PickLine,
    PostedPickLine,
    PostedShipmentLine,
    RegisteredPickLine,
    SourceLine,
    WarehouseShipmentLine,
)
from warehouse.models import Bin, BinContent, ItemLedgerEntry, WarehouseEntry

Prescribed = dict[tuple[int, str, str], Decimal]  # (source line id, serial_no, lot_no) -> quantity


def check_invariants(prescribed: Prescribed) -> None:
    bin_content_is_the_sum_of_warehouse_entries()
    serials_once_in_stock_and_on_open_lines()
    source_lines_never_over_committed()
    prescribed_numbers_survive(prescribed)
    ledger_equals_posted_lines()
    shipment_lines_add_up()
    pairs_follow_their_take_lines()
    shipping_bins_hold_registered_minus_shipped()
    no_unit_shipped_twice()


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
    for pick_line in (
        PickLine.objects.filter(action=PickLine.Action.TAKE)
        .only("source_line_id", "quantity", "qty_handled", "qty_to_handle", "pick__type")
        .select_related("pick")
    ):
        assert 0 <= pick_line.qty_to_handle <= pick_line.quantity - pick_line.qty_handled, pick_line
        if pick_line.pick.type == Pick.Type.INVENTORY_PICK:
            outstanding[pick_line.source_line_id] += pick_line.quantity - pick_line.qty_handled
    on_shipments: dict[int, Decimal] = defaultdict(Decimal)
    for shipment_line in WarehouseShipmentLine.objects.only("source_line_id", "quantity", "qty_shipped"):
        on_shipments[shipment_line.source_line_id] += shipment_line.quantity - shipment_line.qty_shipped
    tracked = {
        r["source_line_id"]: r["total"]
        for r in ItemTrackingLine.objects.filter(origin=ItemTrackingLine.Origin.SOURCE)
        .values("source_line_id")
        .annotate(total=Sum("quantity"))
    }
    for line in SourceLine.objects.all():
        assert line.qty_on_picks == outstanding.get(line.pk, 0), (line, line.qty_on_picks, outstanding)
        assert line.qty_on_shipments == on_shipments.get(line.pk, 0), (line, line.qty_on_shipments)
        assert line.qty_shipped + line.qty_on_picks + line.qty_on_shipments <= line.quantity, line
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
    per_line: Counter[int] = Counter()
    for model in (PostedPickLine, PostedShipmentLine):
        for r in model.objects.values("item_id", "lot_no", "serial_no").annotate(total=Sum("quantity")):
            posted[(r["item_id"], r["lot_no"], r["serial_no"])] += r["total"]
        for r in model.objects.values("source_line_id").annotate(total=Sum("quantity")):
            per_line[r["source_line_id"]] += r["total"]
    assert +shipped == +posted, (shipped, posted)
    for line in SourceLine.objects.all():
        assert line.qty_shipped == per_line.get(line.pk, 0), line
    handled = {
        r["source_line_id"]: r["total"]
        for r in PickLine.objects.filter(action=PickLine.Action.TAKE, pick__type=Pick.Type.INVENTORY_PICK)
        .values("source_line_id")
        .annotate(total=Sum("qty_handled"))
    }
    for line_id, total in handled.items():
        assert total <= per_line.get(line_id, 0), (line_id, total)


def shipment_lines_add_up() -> None:
    """Each shipment line: on picks = its open warehouse take lines; picked = what registrations put in
    its picked stock (registered take lines); shipped within picked (with picks); Qty. to Ship within
    what is picked and not shipped."""
    on_picks: dict[int, Decimal] = defaultdict(Decimal)
    for take in PickLine.objects.filter(action=PickLine.Action.TAKE, shipment_line__isnull=False):
        on_picks[take.shipment_line_id or 0] += take.quantity - take.qty_handled
    registered = {
        r["shipment_line_id"]: r["total"]
        for r in RegisteredPickLine.objects.filter(action=PickLine.Action.TAKE, shipment_line__isnull=False)
        .values("shipment_line_id")
        .annotate(total=Sum("quantity"))
    }
    stock = {
        r["shipment_line_id"]: (r["picked"], r["shipped"])
        for r in PickedStock.objects.values("shipment_line_id").annotate(
            picked=Sum("quantity"), shipped=Sum("qty_shipped")
        )
    }
    for line in WarehouseShipmentLine.objects.select_related("shipment__location"):
        assert line.qty_on_picks == on_picks.get(line.pk, 0), (line, line.qty_on_picks)
        assert line.qty_picked == registered.get(line.pk, 0), (line, line.qty_picked)
        assert line.qty_picked + line.qty_on_picks <= line.quantity, line
        if line.shipment.location.require_pick:
            assert stock.get(line.pk, (0, 0)) == (line.qty_picked, line.qty_shipped), (
                line,
                stock.get(line.pk),
            )
            assert line.qty_shipped <= line.qty_picked, line
            assert 0 <= line.qty_to_ship <= line.qty_picked - line.qty_shipped, line


def pairs_follow_their_take_lines() -> None:
    fields = ("quantity", "qty_handled", "qty_to_handle", "serial_no", "lot_no", "tracking_locked")
    for place in PickLine.objects.filter(action=PickLine.Action.PLACE).select_related("pair"):
        take = place.pair
        assert take is not None and take.pair_id == place.pk, place
        assert [getattr(place, f) for f in fields] == [getattr(take, f) for f in fields], (place, take)


def shipping_bins_hold_registered_minus_shipped() -> None:
    """What waits in shipping bins (per bin and item) is exactly what was registered and not shipped."""
    shipping = Bin.objects.filter(kind=Bin.Kind.SHIPPING)
    content = {
        (r["bin_id"], r["item_id"]): r["total"]
        for r in BinContent.objects.filter(bin__in=shipping)
        .values("bin_id", "item_id")
        .annotate(total=Sum("quantity"))
        if r["total"]
    }
    waiting = {
        (r["bin_id"], r["item_id"]): r["total"]
        for r in PickedStock.objects.values("bin_id", "item_id").annotate(
            total=Sum(F("quantity") - F("qty_shipped"))
        )
        if r["total"]
    }
    assert content == waiting, (content, waiting)


def no_unit_shipped_twice() -> None:
    """A serial number leaves the location at most once (each is received once in these worlds), and no
    picked stock ships more than was registered."""
    shipped: Counter[tuple[int, str]] = Counter()
    for r in (
        ItemLedgerEntry.objects.filter(quantity__lt=0)
        .exclude(serial_no="")
        .values("item_id", "serial_no")
        .annotate(total=Sum("quantity"))
    ):
        shipped[(r["item_id"], r["serial_no"])] = -r["total"]
    assert all(n <= 1 for n in shipped.values()), shipped
    assert not PickedStock.objects.filter(qty_shipped__gt=F("quantity")).exists()
    waiting = Counter(
        PickedStock.objects.filter(qty_shipped__lt=F("quantity"))
        .exclude(serial_no="")
        .values_list("item_id", "serial_no")
    )
    assert all(n == 1 for n in waiting.values()), waiting
