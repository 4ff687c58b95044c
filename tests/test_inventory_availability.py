"""Availability: stock minus open pick lines (named and unassigned reservations), in constant queries."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from picking.availability import AvailableRow, AvailableStock, available_stock
from picking.models import PickLine
from picking.planning import Budget
from tests.world import TODAY, World, document, put_on_pick, serials, source_line
from warehouse.models import Bin, LotNoInformation
from warehouse.selectors import NumberScope

pytestmark = pytest.mark.django_db


def row(stock: AvailableStock, bin_id: int, item_id: int, lot_no: str, serial_no: str) -> AvailableRow:
    (found,) = [r for r in stock.rows if r.key == (bin_id, item_id, lot_no, serial_no)]
    return found


def bin_available(stock: AvailableStock, bin_id: int, item_id: int) -> Decimal:
    """What a new pick may take of the item in the bin: the planner's budget (picking.planning)."""
    return Budget.of(stock).bin_left.get((bin_id, item_id), Decimal(0))


def pick_line(
    wh: World, item: Any, quantity: Any, *, qty_handled: Any = 0, bin: Bin | None = None, **numbers: str
) -> PickLine:
    """An open pick line of `quantity` of the item (its own source document) in `bin` (default A1)."""
    bin = bin or wh.a1
    doc = document(wh, (item, quantity), location=bin.location)
    return put_on_pick(source_line(doc), quantity=quantity, qty_handled=qty_handled, bin=bin, **numbers)


def test_named_reservations_reduce_their_row(wh: World) -> None:
    wh.receive(wh.lot_strict, "A1", {"quantity": 10, "lot_no": "L1", "expiration_date": "2027-06-01"})
    wh.receive(wh.lot_strict, "A1", {"quantity": 4, "lot_no": "L2", "expiration_date": "2027-07-01"})
    pick_line(wh, wh.lot_strict, 3, lot_no="L1")
    pick_line(wh, wh.lot_strict, 5, qty_handled=4, lot_no="L1")  # 1 outstanding
    pick_line(wh, wh.lot_strict, 2, qty_handled=2, lot_no="L2")  # fully handled: reserves nothing
    stock = available_stock(item_ids=[wh.lot_strict.pk], location_id=wh.location.pk, on_date=TODAY)
    l1 = row(stock, wh.a1.pk, wh.lot_strict.pk, "L1", "")
    l2 = row(stock, wh.a1.pk, wh.lot_strict.pk, "L2", "")
    assert l1 is not None and l2 is not None
    assert (l1.stock.quantity, l1.qty_on_picks, l1.available) == (10, 4, 6)
    assert (l2.qty_on_picks, l2.available) == (0, 4)
    assert bin_available(stock, wh.a1.pk, wh.lot_strict.pk) == 10


def test_a_line_without_its_serial_reserves_some_units_of_the_bin(wh: World) -> None:
    # case 3: the worker selects the serial later; until then the line holds units of the bin
    wh.receive(wh.sn_spec, "A1", *serials(3))
    pick_line(wh, wh.sn_spec, 2)
    line = pick_line(wh, wh.sn_spec, 1, serial_no="S00000")
    stock = available_stock(item_ids=[wh.sn_spec.pk], location_id=wh.location.pk, on_date=TODAY)
    assert stock.unassigned_on_picks == {(wh.a1.pk, wh.sn_spec.pk): Decimal(2)}
    assert row(stock, wh.a1.pk, wh.sn_spec.pk, "", "S00000").available == 0
    assert bin_available(stock, wh.a1.pk, wh.sn_spec.pk) == 0
    # excluding a line gives its reservation back
    again = available_stock(
        item_ids=[wh.sn_spec.pk],
        location_id=wh.location.pk,
        on_date=TODAY,
        exclude_pick_line_ids=[line.pk],
    )
    assert bin_available(again, wh.a1.pk, wh.sn_spec.pk) == 1


def test_items_whose_stock_carries_no_numbers_reserve_the_plain_row(wh: World) -> None:
    # case 2: a line with a new serial reserves stock without numbers
    wh.receive(wh.sn_out, "A1", {"quantity": 5})
    pick_line(wh, wh.sn_out, 1, serial_no="SN-0001")
    pick_line(wh, wh.sn_out, 2)
    stock = available_stock(item_ids=[wh.sn_out.pk], location_id=wh.location.pk, on_date=TODAY)
    (row,) = stock.rows
    assert (row.qty_on_picks, row.available) == (3, 2)
    assert stock.unassigned_on_picks == {}


def test_blocked_and_strictly_expired_rows_are_not_available(wh: World) -> None:
    wh.receive(wh.lot_strict, "A1", {"quantity": 5, "lot_no": "OLD", "expiration_date": "2027-01-01"})
    wh.receive(wh.lot_strict, "A1", {"quantity": 6, "lot_no": "BLK", "expiration_date": "2027-08-01"})
    wh.receive(wh.lot_strict, "A1", {"quantity": 7, "lot_no": "OK", "expiration_date": "2027-08-01"})
    LotNoInformation.objects.filter(lot_no="BLK").update(blocked=True)
    stock = available_stock(item_ids=[wh.lot_strict.pk], location_id=wh.location.pk, on_date=TODAY)
    flags = {r.stock.lot_no: (r.stock.blocked, r.stock.expired) for r in stock.rows}
    assert flags == {"OLD": (False, True), "BLK": (True, False), "OK": (False, False)}
    assert bin_available(stock, wh.a1.pk, wh.lot_strict.pk) == 7


def test_picks_at_other_locations_do_not_count(wh: World) -> None:
    # given PLAIN in stock at MAIN and at EAST, and a pick of all of it at EAST
    wh.receive(wh.plain, "A1", {"quantity": 5})
    wh.receive(wh.plain, wh.e1, {"quantity": 5})
    pick_line(wh, wh.plain, 5, bin=wh.e1)
    stock = available_stock(item_ids=[wh.plain.pk], location_id=wh.location.pk, on_date=TODAY)
    assert [r.available for r in stock.rows] == [5]


def test_queries_do_not_grow_with_rows_or_pick_lines(wh: World) -> None:
    wh.receive(wh.sn_spec, "A1", *serials(5, prefix="A"))
    wh.receive(wh.lot_strict, "A1", {"quantity": 9, "lot_no": "L1", "expiration_date": "2027-06-01"})
    pick_line(wh, wh.sn_spec, 1, serial_no="A00000")
    ids = [wh.sn_spec.pk, wh.lot_strict.pk]
    with CaptureQueriesContext(connection) as few:
        available_stock(item_ids=ids, location_id=wh.location.pk)
    wh.receive(wh.sn_spec, "A1", *serials(300, prefix="B"))
    for i in range(30):
        pick_line(wh, wh.sn_spec, 1, serial_no=f"B{i:05d}")
        pick_line(wh, wh.lot_strict, 1, lot_no="L1")
    with CaptureQueriesContext(connection) as many:
        stock = available_stock(item_ids=ids, location_id=wh.location.pk)
    assert len(few.captured_queries) == len(many.captured_queries) == 2
    assert row(stock, wh.a1.pk, wh.lot_strict.pk, "L1", "").qty_on_picks == 30


def test_the_availability_api_counts_and_pages_in_sql_in_constant_queries(erp_api: Any, wh: World) -> None:
    wh.receive(wh.sn_spec, "A1", *serials(3, prefix="A"))
    pick_line(wh, wh.sn_spec, 1, serial_no="A00001")
    url = f"/api/v1/inventory/availability/?item={wh.sn_spec.no}&location=MAIN&page_size=2"
    with CaptureQueriesContext(connection) as few:
        body = erp_api.get(url).json()
    assert body["count"] == 3 and len(body["results"]) == 2
    wh.receive(wh.sn_spec, "A1", *serials(120, prefix="B"))
    for i in range(10):
        pick_line(wh, wh.sn_spec, 1, serial_no=f"B{i:05d}")
    with CaptureQueriesContext(connection) as many:
        body = erp_api.get(url + "&page=2").json()
    assert len(few.captured_queries) == len(many.captured_queries)
    # the page is the third and fourth row in stock order, with what open picks hold of them
    assert body["count"] == 123
    assert [(r["serial_no"], r["qty_on_picks"]) for r in body["results"]] == [
        ("A00002", "0"),
        ("B00000", "1"),
    ]
    # the stock rows are read one page at a time (LIMIT), and counted in SQL
    stock_reads = [q["sql"] for q in many.captured_queries if 'FROM "warehouse_bincontent"' in q["sql"]]
    assert stock_reads and all("LIMIT" in sql or "COUNT(" in sql for sql in stock_reads)


def test_a_number_scope_reads_only_the_rows_of_the_wanted_numbers(wh: World) -> None:
    wh.receive(wh.sn_spec, "A1", *serials(50, prefix="A"))
    wh.receive(wh.plain, "A1", {"quantity": 7})
    pick_line(wh, wh.sn_spec, 1, serial_no="A00003")
    scope = NumberScope(serials=frozenset({(wh.sn_spec.pk, "A00003"), (wh.sn_spec.pk, "A00010")}))
    with CaptureQueriesContext(connection) as queries:
        stock = available_stock(item_ids=None, location_id=wh.location.pk, numbers=scope)
    assert len(queries.captured_queries) == 2
    assert sorted((r.stock.serial_no, r.available) for r in stock.rows) == [("A00003", 0), ("A00010", 1)]
    whole = NumberScope(items=frozenset({wh.plain.pk}))
    assert [
        r.stock.quantity for r in available_stock(item_ids=None, location_id=None, numbers=whole).rows
    ] == [7]
