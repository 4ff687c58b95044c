"""Case 2 at a location that requires shipment and pick, through the API: new numbers assigned while
shipping.

The stock carries no numbers. On the warehouse pick the worker assigns serial numbers from the item's
series (the take line becomes one-unit pairs, each place line following its take line) and a new lot
number; registering moves the units to the shipping bin (the bins carry no numbers); posting the shipment
ships the assigned numbers and writes them back to the source lines.
"""

from __future__ import annotations

import pytest

from tests.acceptance.warehouse_cases import (
    api_create_shipment,
    api_create_warehouse_pick,
    pair_view,
    pairs,
    then_wh_case_2_registered,
    then_wh_case_2_shipped,
    wh_case_2_given,
)
from tests.clients import api_client_for, ok

pytestmark = pytest.mark.django_db


def test_case_2_new_numbers_ship_through_the_shipping_bin() -> None:
    # given 5 of SN-OUT in W1 and 10 of LOT-OUT in W2, without numbers; an order for 3 and 4
    given = wh_case_2_given()
    supervisor, worker = api_client_for(given.world.supervisor), api_client_for(given.world.worker)
    shipment = api_create_shipment(supervisor, given.doc)
    pick = api_create_warehouse_pick(supervisor, shipment)
    # then the pairs carry no numbers yet
    assert pair_view(pick) == [("W1", "SHIP", "", "", "3", False), ("W2", "SHIP", "", "", "4", False)]
    url = f"/api/v1/picks/{pick['id']}/"
    (serial_take, _), (lot_take, lot_place) = pairs(pick)

    # when registering before the numbers are there: refused, nothing moves
    ok(worker.post(f"{url}autofill-qty-to-handle/"))
    refused = ok(worker.post(f"{url}register/"), 409)
    assert refused["code"] == "tracking_incomplete" and len(refused["errors"]) == 2

    # when the worker assigns serial numbers on the take line and a lot number on the place line's pair
    pick = ok(worker.post(f"{url}lines/{serial_take['id']}/assign-serial-nos/", {}, format="json"))
    pick = ok(worker.post(f"{url}lines/{lot_take['id']}/assign-lot-no/", {}, format="json"))
    # then three one-unit pairs with SO-0001 to SO-0003, and the lot pair with LO-2026-001
    assert sorted(pair_view(pick)) == [
        ("W1", "SHIP", "", "SO-0001", "1", False),
        ("W1", "SHIP", "", "SO-0002", "1", False),
        ("W1", "SHIP", "", "SO-0003", "1", False),
        ("W2", "SHIP", "LO-2026-001", "", "4", False),
    ]
    # and assigning on a place line is refused: it follows its take line
    refused = ok(worker.post(f"{url}lines/{lot_place['id']}/assign-lot-no/", {}, format="json"), 409)
    assert refused["code"] == "not_a_take_line"

    # when the worker registers
    ok(worker.post(f"{url}autofill-qty-to-handle/"))
    ok(worker.post(f"{url}register/"), 201)
    then_wh_case_2_registered(given)

    # when the supervisor posts the shipment
    posted = ok(supervisor.post(f"/api/v1/warehouse-shipments/{shipment['id']}/post/"), 201)
    assert sorted((ln["lot_no"], ln["serial_no"], ln["quantity"]) for ln in posted["lines"]) == [
        ("", "SO-0001", "1"),
        ("", "SO-0002", "1"),
        ("", "SO-0003", "1"),
        ("LO-2026-001", "", "4"),
    ]
    then_wh_case_2_shipped(given)
