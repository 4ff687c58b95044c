"""Case 2 at a location that requires shipment and pick, through the pages: new numbers assigned on the
warehouse pick.

The stock carries no numbers. Registering before the numbers are there is refused, with the reason on
each pair's card, and nothing moves. On the pair cards the worker assigns serial numbers from the item's
series (the pair becomes one-unit pairs) and a new lot number; a forged Assign on a place line is refused.
Registering moves the units to the shipping bin; posting the shipment ships the assigned numbers.
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
    then_wh_case_2_registered,
    then_wh_case_2_shipped,
    wh_case_2_given,
)
from tests.clients import browser_for
from tests.world import bin_content

pytestmark = pytest.mark.django_db


def test_case_2_new_numbers_ship_through_the_shipping_bin_on_the_pages() -> None:
    # given 5 of SN-OUT in W1 and 10 of LOT-OUT in W2, without numbers; an order for 3 and 4
    given = wh_case_2_given()
    world = given.world
    supervisor, worker = browser_for(world.supervisor), browser_for(world.worker)
    shipment, _page = page_create_shipment(supervisor, given.doc)
    pick, page = page_create_warehouse_pick(supervisor, shipment)
    # then the pairs carry no numbers yet, and their cards offer Assign
    assert page_pairs(pick) == [("W1", "SHIP", "", "", 3, 0, False), ("W2", "SHIP", "", "", 4, 0, False)]
    serial_take, lot_take = take_line(pick, item=world.sn_out), take_line(pick, item=world.lot_out)
    page = text(worker.get(f"/picks/{pick.pk}/"))
    assert "Assign Serial Nos." in pair_card(page, serial_take) and "Assign Lot No." in pair_card(
        page, lot_take
    )
    assert "Needs a serial number before registering." in pair_card(page, serial_take)

    # when the worker registers before assigning the numbers
    follow(worker, worker.post(f"/picks/{pick.pk}/autofill-qty-to-handle/"))
    refused = worker.post(f"/picks/{pick.pk}/register/")
    # then it is refused with each pair's problem on its card, and nothing moved
    assert refused.status_code == 409
    page = text(refused)
    for take in (serial_take, lot_take):
        assert 'data-testid="line-error"' in pair_card(page, take)
    assert bin_content(world.sn_out) == [("W1", "", "", 5)]

    # when the worker assigns serial numbers on the serial pair and a lot number on the lot pair
    page = follow(worker, worker.post(f"/picks/{pick.pk}/lines/{serial_take.pk}/assign-serial-nos/"))
    assert "New serial numbers were assigned." in page
    follow(worker, worker.post(f"/picks/{pick.pk}/lines/{lot_take.pk}/assign-lot-no/"))
    # then three one-unit pairs SO-0001 to SO-0003, and the lot pair with LO-2026-001 (still to handle)
    assert sorted(page_pairs(pick)) == [
        ("W1", "SHIP", "", "SO-0001", 1, 1, False),
        ("W1", "SHIP", "", "SO-0002", 1, 1, False),
        ("W1", "SHIP", "", "SO-0003", 1, 1, False),
        ("W2", "SHIP", "LO-2026-001", "", 4, 4, False),
    ]
    # and Assign on a place line, forged, is refused next to its pair: the place line follows its take line
    assert lot_take.pair is not None
    refused = worker.post(f"/picks/{pick.pk}/lines/{lot_take.pair.pk}/assign-lot-no/")
    assert refused.status_code == 409
    assert 'data-testid="line-error"' in pair_card(text(refused), lot_take)

    # when the worker registers
    confirm, page = page_register(worker, pick)
    assert "These 4 pairs move their goods" in confirm and "serial SO-0003" in confirm
    then_wh_case_2_registered(given)

    # when the supervisor posts the shipment
    confirm, page = page_post_shipment(supervisor, shipment)
    assert "1 \u00d7 serial SO-0001 in SHIP" in confirm and "4 \u00d7 lot LO-2026-001 in SHIP" in confirm
    # then the assigned numbers shipped, number by number
    then_wh_case_2_shipped(given)
    assert 'data-testid="shipment-status">Shipped<' in page
