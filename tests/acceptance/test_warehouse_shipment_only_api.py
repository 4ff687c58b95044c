"""Shipment only (the location requires shipment, not pick), through the API: posting the shipment ships
straight from the bins its lines name.

The shipment lines ship from the source line's bin or the shipment bin; at such a location their bin may
be changed. Qty. to Ship starts at the whole quantity; a first posting ships part of it (the prescribed
serial number, the rest proposed like case 1, by FEFO), a second posting the rest. No pick is needed or
made (creating one is refused with `location_needs_no_pick`).
"""

from __future__ import annotations

import pytest

from tests.acceptance.warehouse_cases import (
    api_create_shipment,
    shipment_only_given,
    then_shipment_only_shipped,
)
from tests.clients import api_client_for, ok, problem
from tests.world import bin_content, ledger, source_line, tracking, warehouse_entries

pytestmark = pytest.mark.django_db


def test_shipment_only_ships_from_the_lines_bins_in_two_postings() -> None:
    # given lots LATE and EARLY in W1, serials X1 to X3 in W2; an order for 6 of the lot and 2 serials (X3)
    given = shipment_only_given()
    world, doc = given.world, given.doc
    supervisor = api_client_for(world.supervisor)

    # when the supervisor creates the shipment
    shipment = api_create_shipment(supervisor, doc)
    url = f"/api/v1/warehouse-shipments/{shipment['id']}/"
    lot_line, serial_line = shipment["lines"]
    # then each line ships its whole quantity from the shipment bin (the order names no bin)
    assert [(ln["bin"], ln["quantity"], ln["qty_to_ship"]) for ln in shipment["lines"]] == [
        ("SHIP", "6", "6"),
        ("SHIP", "2", "2"),
    ]
    # and no pick is made at a location that requires none
    problem(supervisor.post(f"{url}create-pick/"), 409, "location_needs_no_pick")

    # when the supervisor names the bins the goods are in and ships 4 of the lot now
    ok(supervisor.patch(f"{url}lines/{lot_line['id']}/", {"bin": "W1", "qty_to_ship": "4"}, format="json"))
    shipment = ok(supervisor.patch(f"{url}lines/{serial_line['id']}/", {"bin": "W2"}, format="json"))
    assert [(ln["bin"], ln["qty_to_ship"]) for ln in shipment["lines"]] == [("W1", "4"), ("W2", "2")]
    posted = ok(supervisor.post(f"{url}post/"), 201)
    assert [(ln["bin"], ln["lot_no"], ln["serial_no"], ln["quantity"]) for ln in posted["lines"]] == [
        ("W1", "EARLY", "", "3"),
        ("W1", "LATE", "", "1"),
        ("W2", "", "X3", "1"),
        ("W2", "", "X1", "1"),
    ]
    # then the ledgers, number by number
    then_shipment_only_shipped(given)
    shipment = ok(supervisor.get(url))
    assert shipment["status"] == "partially_shipped"
    assert [(ln["qty_shipped"], ln["qty_outstanding"], ln["qty_to_ship"]) for ln in shipment["lines"]] == [
        ("4", "2", "0"),
        ("2", "0", "0"),
    ]

    # when the rest is shipped later
    ok(supervisor.patch(f"{url}lines/{lot_line['id']}/", {"qty_to_ship": "2"}, format="json"))
    ok(supervisor.post(f"{url}post/"), 201)
    # then 2 more of LATE left W1; the order and the shipment are shipped
    assert ledger(world.lot_wh)[4:] == [("sale", "LATE", "", -2, given.lot_receipts[("LATE", "")])]
    assert warehouse_entries(world.lot_wh)[4:] == [("sale", "W1", "LATE", "", -2)]
    assert bin_content(world.lot_wh) == [("W1", "EARLY", "", 0), ("W1", "LATE", "", 2)]
    assert tracking(source_line(doc, 10000)) == [("EARLY", "", 3, 3, "pick"), ("LATE", "", 3, 3, "pick")]
    assert ok(supervisor.get(url))["status"] == "shipped"
    assert ok(supervisor.get(f"/api/v1/source-documents/{doc.pk}/"))["status"] == "shipped"
