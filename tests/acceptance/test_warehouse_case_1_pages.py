"""Case 1 at a location that requires shipment and pick, through the pages: numbers flow through.

The supervisor creates the shipment from the source document page and the warehouse pick from the
shipment page, assigned to the worker. The worker sees one card per pair ("take from W2 -> place in
SHIP"), takes S3 instead of the proposed S2, places the EARLY lot in the other shipping bin, scans every
pair and registers (the confirmation lists what moves where). The goods wait in the shipping bins; the
supervisor posts the shipment (the confirmation lists the numbers waiting) and they are gone.
"""

from __future__ import annotations

import pytest

from picking.models import RegisteredPick, WarehouseShipment
from picking.tests.picks_pages.pages import follow, text
from tests.acceptance.warehouse_cases import (
    page_create_shipment,
    page_create_warehouse_pick,
    page_pairs,
    page_post_shipment,
    page_register,
    pair_card,
    route,
    take_line,
    then_wh_case_1_registered,
    then_wh_case_1_shipped,
    wh_case_1_given,
)
from tests.clients import browser_for

pytestmark = pytest.mark.django_db


def test_case_1_numbers_flow_through_the_shipping_bin_on_the_pages() -> None:
    # given 5 of LATE in W1, 2 of EARLY in W2, S1 to S3 in W1; an order for 4 of the lot and 2 serials
    given = wh_case_1_given()
    supervisor, worker = browser_for(given.world.supervisor), browser_for(given.world.worker)

    # when the supervisor creates the shipment from the source document page
    shipment, page = page_create_shipment(supervisor, given.doc)
    # then it has a line per source line, with nothing to ship until the goods are picked
    assert f"Shipment {shipment.no} was created with 2 line(s)." in page
    assert [
        (ln.line_no, ln.item.no, ln.bin and ln.bin.code, ln.quantity, ln.qty_to_ship)
        for ln in shipment.lines.all()
    ] == [
        (10000, "LOT-WH", "SHIP", 4, 0),
        (20000, "SN-WH", "SHIP", 2, 0),
    ]
    assert 'data-testid="shipment-status">Open<' in page and 'data-testid="create-pick"' in page

    # when the supervisor creates its warehouse pick for the worker
    pick, page = page_create_warehouse_pick(supervisor, shipment, assigned_to=given.world.worker.username)
    assert f"Warehouse pick {pick.no} was created with 4 pair(s)." in page
    # then one card per pair, numbers proposed by FEFO, each placed in SHIP
    assert page_pairs(pick) == [
        ("W2", "SHIP", "EARLY", "", 2, 0, False),
        ("W1", "SHIP", "LATE", "", 2, 0, False),
        ("W1", "SHIP", "", "S1", 1, 0, False),
        ("W1", "SHIP", "", "S2", 1, 0, False),
    ]
    page = text(worker.get(f"/picks/{pick.pk}/"))
    early, s2 = take_line(pick, lot_no="EARLY"), take_line(pick, serial_no="S2")
    assert route(pair_card(page, early)) == "Take from W2 → place in SHIP"
    assert page.count("<article") == 4  # pairs, not lines
    assert "0 of 6 picked" in page  # units counted once per pair
    assert 'data-testid="register-link"' in page and "/post/" not in page
    assert f'href="/warehouse-shipments/{shipment.pk}/"' in page  # the pick names its shipment

    # when the worker takes S3 instead of S2 on the pair's card, and places the EARLY lot in SHIP2
    page = follow(worker, worker.post(f"/picks/{pick.pk}/lines/{s2.pk}/", {"serial_no": "S3"}))
    card = pair_card(page, s2)
    assert "S3" in card and 'name="bin"' in card  # the place bin can change: two shipping bins
    assert early.pair is not None
    page = follow(worker, worker.post(f"/picks/{pick.pk}/lines/{early.pair.pk}/", {"bin": "SHIP2"}))
    assert f"Line {early.line_no}: the goods are placed in bin SHIP2" in page
    assert route(pair_card(page, early)) == "Take from W2 → place in SHIP2"

    # when the worker scans the serial numbers and the lots with their quantities
    for code, quantity in (("S1", ""), ("S3", ""), ("EARLY", "2"), ("LATE", "2")):
        follow(worker, worker.post(f"/picks/{pick.pk}/scan/", {"code": code, "quantity": quantity}))
    # then each pair is to handle, its place line following its take line
    assert page_pairs(pick) == [
        ("W2", "SHIP2", "EARLY", "", 2, 2, False),
        ("W1", "SHIP", "LATE", "", 2, 2, False),
        ("W1", "SHIP", "", "S1", 1, 1, False),
        ("W1", "SHIP", "", "S3", 1, 1, False),
    ]

    # when the worker registers: the confirmation lists what moves where
    confirm, page = page_register(worker, pick)
    assert "These 4 pairs move their goods to the shipping bins now" in confirm
    assert "take from W2 → place in SHIP2" in confirm and "serial S3" in confirm
    registered = RegisteredPick.objects.get(pick_no=pick.no)
    link = f'<a href="/registered-picks/{registered.pk}/">{registered.no}</a>'
    assert f"Registered as {link}: 4 pairs moved to the shipping bin." in page
    assert 'data-testid="pick-status">Completed<' in page
    # then the goods wait in the shipping bins, nothing has left the location
    then_wh_case_1_registered(given)
    page = text(supervisor.get(f"/warehouse-shipments/{shipment.pk}/"))
    assert 'data-testid="shipment-status">Picked<' in page
    assert [(ln.qty_picked, ln.qty_to_ship) for ln in shipment.lines.all()] == [(4, 4), (2, 2)]
    assert "2 \u00d7 lot EARLY in SHIP2; 2 \u00d7 lot LATE in SHIP" in page  # waiting to ship

    # when the supervisor posts the shipment: the confirmation lists the lines and the numbers waiting
    confirm, page = page_post_shipment(supervisor, shipment)
    assert "Line 10000: <strong>4</strong> \u00d7 LOT-WH from bin SHIP" in confirm
    assert "1 \u00d7 serial S1 in SHIP; 1 \u00d7 serial S3 in SHIP" in confirm
    posted = shipment.postings.get()
    link = f'<a href="/posted-shipments/{posted.pk}/">{posted.no}</a>'
    assert f"Posted as {link}: the goods of 2 lines left the location." in page
    assert 'data-testid="shipment-status">Shipped<' in page
    # then the ledgers, number by number: the goods are gone from the shipping bins
    then_wh_case_1_shipped(given)
    assert WarehouseShipment.objects.get(pk=shipment.pk).status == "shipped"

    # and the records: the registered pick and the posted shipment, listed and in detail
    assert registered.no in text(worker.get(f"/registered-picks/?shipment={shipment.pk}"))
    detail = text(worker.get(f"/registered-picks/{registered.pk}/"))
    assert detail.count(">Take<") == 4 and detail.count(">Place<") == 4 and "SHIP2" in detail
    assert posted.no in text(worker.get(f"/posted-shipments/?source_document={given.doc.pk}"))
    detail = text(worker.get(f"/posted-shipments/{posted.pk}/"))
    assert "EARLY" in detail and "S3" in detail and given.doc.no in detail
