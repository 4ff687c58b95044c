"""Case 3 at a location that requires shipment and pick, through the pages: the worker selects the numbers.

The pairs come without numbers (specific tracking). On the serial pair's card the worker opens Select (the
numbers in the take bin), taps X1 (a one-unit pair is split off, its place line following), then scans X3;
on the lot pair the worker selects lot L1 and types the quantity. Registering moves exactly those numbers
to the shipping bin; posting ships them.
"""

from __future__ import annotations

import pytest

from picking.tests.picks_pages.pages import follow, text
from tests.acceptance.warehouse_cases import (
    page_create_shipment,
    page_create_warehouse_pick,
    page_pairs,
    page_post_shipment,
    page_register,
    pair_card,
    take_line,
    then_wh_case_3_registered,
    then_wh_case_3_shipped,
    wh_case_3_given,
)
from tests.clients import browser_for

pytestmark = pytest.mark.django_db


def test_case_3_selected_numbers_ship_through_the_shipping_bin_on_the_pages() -> None:
    # given X1 to X3 in W1, lots L1 (late) and L2 (early) in W2; an order for 2 serials and 3 of a lot
    given = wh_case_3_given()
    world = given.world
    supervisor, worker = browser_for(world.supervisor), browser_for(world.worker)
    shipment, _page = page_create_shipment(supervisor, given.doc)
    pick, _page = page_create_warehouse_pick(supervisor, shipment)
    assert page_pairs(pick) == [("W1", "SHIP", "", "", 2, 0, False), ("W2", "SHIP", "", "", 3, 0, False)]
    serial_take, lot_take = take_line(pick, item=world.sn_spec), take_line(pick, item=world.lot_spec)
    page = text(worker.get(f"/picks/{pick.pk}/"))
    assert f"/lines/{serial_take.pk}/select/" in pair_card(page, serial_take)

    # when the worker opens Select on the serial pair: the numbers in its take bin
    select = text(worker.get(f"/picks/{pick.pk}/lines/{serial_take.pk}/select/"))
    assert all(f"Serial {n}" in select for n in ("X1", "X2", "X3"))
    # and taps X1, then scans X3
    page = follow(
        worker, worker.post(f"/picks/{pick.pk}/lines/{serial_take.pk}/select/", {"serial_no": "X1"})
    )
    assert "X1 selected" in page
    follow(worker, worker.post(f"/picks/{pick.pk}/scan/", {"code": "X3"}))
    # and selects lot L1 on the lot pair and types 3
    follow(worker, worker.post(f"/picks/{pick.pk}/lines/{lot_take.pk}/select/", {"lot_no": "L1"}))
    follow(worker, worker.post(f"/picks/{pick.pk}/lines/{lot_take.pk}/", {"qty_to_handle": "3"}))
    # then one-unit pairs for X1 and X3, the lot pair with L1, each to handle
    assert sorted(page_pairs(pick)) == [
        ("W1", "SHIP", "", "X1", 1, 1, False),
        ("W1", "SHIP", "", "X3", 1, 1, False),
        ("W2", "SHIP", "L1", "", 3, 3, False),
    ]

    # when the worker registers, and the supervisor posts the shipment
    confirm, _page = page_register(worker, pick)
    assert "These 3 pairs move their goods" in confirm
    then_wh_case_3_registered(given)
    page_post_shipment(supervisor, shipment)
    # then exactly the selected numbers shipped, number by number
    then_wh_case_3_shipped(given)
