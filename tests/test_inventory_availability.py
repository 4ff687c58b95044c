"""Availability: stock minus open pick lines (named and unassigned reservations), in constant queries."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from picking.availability import AvailableRow, AvailableStock, available_stock
from picking.models import Pick, PickLine
from picking.planning import Budget
from tests.factories import SourceDocumentFactory, SourceLineFactory
from warehouse.models import LotNoInformation
from warehouse.tests.helpers import Warehouse, make_warehouse, receive, serials

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2027, 1, 15)


_picks = iter(range(1, 10_000))


def row(stock: AvailableStock, bin_id: int, item_id: int, lot_no: str, serial_no: str) -> AvailableRow:
    (found,) = [r for r in stock.rows if r.key == (bin_id, item_id, lot_no, serial_no)]
    return found


def bin_available(stock: AvailableStock, bin_id: int, item_id: int) -> Decimal:
    """What a new pick may take of the item in the bin: the planner's budget (picking.planning)."""
    return Budget.of(stock).bin_left.get((bin_id, item_id), Decimal(0))


def pick_line(
    wh: Warehouse, item: Any, quantity: Any, *, qty_handled: Any = 0, bin: Any = None, **numbers: Any
) -> PickLine:
    document: Any = SourceDocumentFactory(location=wh.location)
    source_line: Any = SourceLineFactory(document=document, item=item, quantity=Decimal(quantity))
    pick = Pick.objects.create(no=f"TST{next(_picks):05d}", location=wh.location, source_document=document)
    return PickLine.objects.create(
        pick=pick,
        line_no=10000,
        source_line=source_line,
        item=item,
        bin=bin or wh.a01,
        quantity=Decimal(quantity),
        qty_handled=Decimal(qty_handled),
        **numbers,
    )


def test_named_reservations_reduce_their_row(wh: Warehouse) -> None:
    receive(wh, wh.lot_item, [{"quantity": 10, "lot_no": "L1", "expiration_date": "2027-06-01"}])
    receive(wh, wh.lot_item, [{"quantity": 4, "lot_no": "L2", "expiration_date": "2027-07-01"}])
    pick_line(wh, wh.lot_item, 3, lot_no="L1")
    pick_line(wh, wh.lot_item, 5, qty_handled=4, lot_no="L1")  # 1 outstanding
    pick_line(wh, wh.lot_item, 2, qty_handled=2, lot_no="L2")  # fully handled: reserves nothing
    stock = available_stock(item_ids=[wh.lot_item.pk], location_id=wh.location.pk, on_date=TODAY)
    l1 = row(stock, wh.a01.pk, wh.lot_item.pk, "L1", "")
    l2 = row(stock, wh.a01.pk, wh.lot_item.pk, "L2", "")
    assert l1 is not None and l2 is not None
    assert (l1.stock.quantity, l1.qty_on_picks, l1.available) == (10, 4, 6)
    assert (l2.qty_on_picks, l2.available) == (0, 4)
    assert bin_available(stock, wh.a01.pk, wh.lot_item.pk) == 10


def test_a_line_without_its_serial_reserves_some_units_of_the_bin(wh: Warehouse) -> None:
    # case 3: the worker selects the serial later; until then the line holds units of the bin
    receive(wh, wh.serial_item, serials(3))
    pick_line(wh, wh.serial_item, 2)
    line = pick_line(wh, wh.serial_item, 1, serial_no="S00000")
    stock = available_stock(item_ids=[wh.serial_item.pk], location_id=wh.location.pk, on_date=TODAY)
    assert stock.unassigned_on_picks == {(wh.a01.pk, wh.serial_item.pk): Decimal(2)}
    assert row(stock, wh.a01.pk, wh.serial_item.pk, "", "S00000").available == 0
    assert bin_available(stock, wh.a01.pk, wh.serial_item.pk) == 0
    # excluding a line gives its reservation back
    again = available_stock(
        item_ids=[wh.serial_item.pk],
        location_id=wh.location.pk,
        on_date=TODAY,
        exclude_pick_line_ids=[line.pk],
    )
    assert bin_available(again, wh.a01.pk, wh.serial_item.pk) == 1


def test_items_whose_stock_carries_no_numbers_reserve_the_plain_row(wh: Warehouse) -> None:
    # case 2: a line with a new serial reserves stock without numbers
    receive(wh, wh.new_serial_item, [{"quantity": 5}])
    pick_line(wh, wh.new_serial_item, 1, serial_no="SN-0001")
    pick_line(wh, wh.new_serial_item, 2)
    stock = available_stock(item_ids=[wh.new_serial_item.pk], location_id=wh.location.pk, on_date=TODAY)
    (row,) = stock.rows
    assert (row.qty_on_picks, row.available) == (3, 2)
    assert stock.unassigned_on_picks == {}


def test_blocked_and_strictly_expired_rows_are_not_available(wh: Warehouse) -> None:
    receive(wh, wh.lot_item, [{"quantity": 5, "lot_no": "OLD", "expiration_date": "2027-01-01"}])
    receive(wh, wh.lot_item, [{"quantity": 6, "lot_no": "BLK", "expiration_date": "2027-08-01"}])
    receive(wh, wh.lot_item, [{"quantity": 7, "lot_no": "OK", "expiration_date": "2027-08-01"}])
    LotNoInformation.objects.filter(lot_no="BLK").update(blocked=True)
    stock = available_stock(item_ids=[wh.lot_item.pk], location_id=wh.location.pk, on_date=TODAY)
    flags = {r.stock.lot_no: (r.stock.blocked, r.stock.expired) for r in stock.rows}
    assert flags == {"OLD": (False, True), "BLK": (True, False), "OK": (False, False)}
    assert bin_available(stock, wh.a01.pk, wh.lot_item.pk) == 7


def test_picks_at_other_locations_do_not_count(wh: Warehouse) -> None:
    other = make_warehouse("EAST")
    receive(wh, wh.untracked_item, [{"quantity": 5}])
    receive(other, other.untracked_item, [{"quantity": 5}])
    pick_line(other, other.untracked_item, 5, bin=other.a01)
    stock = available_stock(item_ids=[wh.untracked_item.pk], location_id=wh.location.pk, on_date=TODAY)
    assert [r.available for r in stock.rows] == [5]


def test_queries_do_not_grow_with_rows_or_pick_lines(wh: Warehouse) -> None:
    receive(wh, wh.serial_item, serials(5, prefix="A"))
    receive(wh, wh.lot_item, [{"quantity": 9, "lot_no": "L1", "expiration_date": "2027-06-01"}])
    pick_line(wh, wh.serial_item, 1, serial_no="A00000")
    ids = [wh.serial_item.pk, wh.lot_item.pk]
    with CaptureQueriesContext(connection) as few:
        available_stock(item_ids=ids, location_id=wh.location.pk)
    receive(wh, wh.serial_item, serials(300, prefix="B"))
    for i in range(30):
        pick_line(wh, wh.serial_item, 1, serial_no=f"B{i:05d}")
        pick_line(wh, wh.lot_item, 1, lot_no="L1")
    with CaptureQueriesContext(connection) as many:
        stock = available_stock(item_ids=ids, location_id=wh.location.pk)
    assert len(few.captured_queries) == len(many.captured_queries) == 2
    assert row(stock, wh.a01.pk, wh.lot_item.pk, "L1", "").qty_on_picks == 30
