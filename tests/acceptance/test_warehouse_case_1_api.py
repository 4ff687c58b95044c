"""Case 1 at a location that requires shipment and pick, through the API: numbers flow through.

A supervisor gets the order onto a warehouse shipment and creates the warehouse pick: each take line
(numbers proposed by FEFO, exactly as on an inventory pick) has its place line into the shipment bin. A
worker changes a proposed serial number on a take line (its place line follows) and places one pair in
another shipping bin, then registers: the goods move to the shipping bins, nothing leaves the location.
Posting the shipment ships exactly the registered numbers from where they were placed.
"""

from __future__ import annotations

import pytest

from tests.acceptance.warehouse_cases import (
    api_create_shipment,
    api_create_warehouse_pick,
    pair_view,
    pairs,
    then_wh_case_1_registered,
    then_wh_case_1_shipped,
    wh_case_1_given,
)
from tests.clients import api_client_for, ok

pytestmark = pytest.mark.django_db


def test_case_1_numbers_flow_through_the_shipping_bin() -> None:
    # given 5 of LATE in W1, 2 of EARLY in W2, S1 to S3 in W1; an order for 4 of the lot and 2 serials
    given = wh_case_1_given()
    supervisor, worker = api_client_for(given.world.supervisor), api_client_for(given.world.worker)

    # when the supervisor gets the order onto a shipment and creates its warehouse pick
    shipment = api_create_shipment(supervisor, given.doc)
    assert [
        (ln["source_line_no"], ln["item"], ln["bin"], ln["quantity"], ln["qty_to_ship"])
        for ln in shipment["lines"]
    ] == [
        (10000, "LOT-WH", "SHIP", "4", "0"),
        (20000, "SN-WH", "SHIP", "2", "0"),
    ]
    pick = api_create_warehouse_pick(supervisor, shipment)
    # then take/place pairs: EARLY first (FEFO), then LATE; S1, S2; each placed in SHIP
    assert pick["type"] == "warehouse_pick" and pick["not_picked"] == []
    assert pair_view(pick) == [
        ("W2", "SHIP", "EARLY", "", "2", False),
        ("W1", "SHIP", "LATE", "", "2", False),
        ("W1", "SHIP", "", "S1", "1", False),
        ("W1", "SHIP", "", "S2", "1", False),
    ]
    assert ok(supervisor.get(f"/api/v1/warehouse-shipments/{shipment['id']}/"))["status"] == "released"
    url = f"/api/v1/picks/{pick['id']}/"
    (_early_take, early_place), _late, _s1, (s2_take, _s2_place) = pairs(pick)

    # when the worker takes S3 instead of S2, and places the EARLY lot in SHIP2
    pick = ok(worker.patch(f"{url}lines/{s2_take['id']}/", {"serial_no": "S3"}, format="json"))
    pick = ok(worker.patch(f"{url}lines/{early_place['id']}/", {"bin": "SHIP2"}, format="json"))
    # then the place line of S2's pair carries S3 too, and EARLY goes to SHIP2
    assert pair_view(pick)[0][:2] == ("W2", "SHIP2") and pair_view(pick)[3][3] == "S3"

    # when the worker sets Qty. to Handle on everything and registers the pick
    ok(worker.post(f"{url}autofill-qty-to-handle/"))
    registered = ok(worker.post(f"{url}register/"), 201)
    assert registered["pick_no"] == pick["no"] and len(registered["lines"]) == 8
    assert [
        (ln["action"], ln["bin"], ln["lot_no"], ln["serial_no"], ln["quantity"])
        for ln in registered["lines"][:2]
    ] == [
        ("take", "W2", "EARLY", "", "2"),
        ("place", "SHIP2", "EARLY", "", "2"),
    ]
    # then the goods wait in the shipping bins; the shipment is picked and ready to ship
    then_wh_case_1_registered(given)
    shipment = ok(supervisor.get(f"/api/v1/warehouse-shipments/{shipment['id']}/"))
    assert shipment["status"] == "picked"
    assert [(ln["qty_picked"], ln["qty_to_ship"], ln["qty_shipped"]) for ln in shipment["lines"]] == [
        ("4", "4", "0"),
        ("2", "2", "0"),
    ]
    assert ok(worker.get(url))["status"] == "completed"
    entries = ok(supervisor.get("/api/v1/inventory/warehouse-entries/", {"item": "LOT-WH", "bin": "SHIP2"}))
    assert [(e["entry_type"], e["lot_no"], e["quantity"]) for e in entries["results"]] == [
        ("movement", "EARLY", "2")
    ]

    # when the supervisor posts the shipment
    posted = ok(supervisor.post(f"/api/v1/warehouse-shipments/{shipment['id']}/post/"), 201)
    assert posted["shipment_no"] == shipment["no"]
    assert [(ln["bin"], ln["lot_no"], ln["serial_no"], ln["quantity"]) for ln in posted["lines"]] == [
        ("SHIP2", "EARLY", "", "2"),
        ("SHIP", "LATE", "", "2"),
        ("SHIP", "", "S1", "1"),
        ("SHIP", "", "S3", "1"),
    ]
    # then the ledgers, number by number: the goods are gone from the shipping bins
    then_wh_case_1_shipped(given)
    assert ok(supervisor.get(f"/api/v1/warehouse-shipments/{shipment['id']}/"))["status"] == "shipped"
    history = ok(supervisor.get("/api/v1/posted-shipments/", {"source_document": given.doc.pk}))
    assert [p["no"] for p in history["results"]] == [posted["no"]]
    registered_list = ok(supervisor.get("/api/v1/registered-picks/", {"shipment": shipment["id"]}))
    assert [r["no"] for r in registered_list["results"]] == [registered["no"]]
