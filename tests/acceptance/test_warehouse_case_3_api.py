"""Case 3 at a location that requires shipment and pick, through the API: the worker selects the numbers.

The take lines come without numbers (specific tracking). The worker lists the numbers available in the
take line's bin, types a serial number on a two-unit line (a one-unit pair is split off, its place line
following) and selects a lot; registering moves exactly those numbers, posting ships them.
"""

from __future__ import annotations

import pytest

from tests.acceptance.warehouse_cases import (
    api_create_shipment,
    api_create_warehouse_pick,
    pair_view,
    pairs,
    then_wh_case_3_registered,
    then_wh_case_3_shipped,
    wh_case_3_given,
)
from tests.clients import api_client_for, ok

pytestmark = pytest.mark.django_db


def test_case_3_selected_numbers_ship_through_the_shipping_bin() -> None:
    # given X1 to X3 in W1, lots L1 (late) and L2 (early) in W2; an order for 2 serials and 3 of a lot
    given = wh_case_3_given()
    supervisor, worker = api_client_for(given.world.supervisor), api_client_for(given.world.worker)
    shipment = api_create_shipment(supervisor, given.doc)
    pick = api_create_warehouse_pick(supervisor, shipment)
    assert pair_view(pick) == [("W1", "SHIP", "", "", "2", False), ("W2", "SHIP", "", "", "3", False)]
    url = f"/api/v1/picks/{pick['id']}/"
    (serial_take, serial_place), (lot_take, _) = pairs(pick)

    # when the worker asks which numbers are in the bin (on the place line too: it answers for its pair)
    available = ok(worker.get(f"{url}lines/{serial_place['id']}/available-tracking/"))
    assert [n["serial_no"] for n in available] == ["X1", "X2", "X3"]
    # and types X1 and X3 on the serial pair, and lot L1 on the lot pair
    ok(worker.patch(f"{url}lines/{serial_take['id']}/", {"serial_no": "X1"}, format="json"))
    ok(worker.patch(f"{url}lines/{serial_take['id']}/", {"serial_no": "X3"}, format="json"))
    pick = ok(
        worker.patch(f"{url}lines/{lot_take['id']}/", {"lot_no": "L1", "qty_to_handle": "3"}, format="json")
    )
    # then the two-unit pair became two one-unit pairs, the lot pair carries L1 with Qty. to Handle 3
    assert sorted(pair_view(pick)) == [
        ("W1", "SHIP", "", "X1", "1", False),
        ("W1", "SHIP", "", "X3", "1", False),
        ("W2", "SHIP", "L1", "", "3", False),
    ]
    assert {(t["qty_to_handle"], p["qty_to_handle"]) for t, p in pairs(pick) if t["lot_no"]} == {("3", "3")}

    # when the worker registers everything, and the supervisor posts the shipment
    ok(worker.post(f"{url}autofill-qty-to-handle/"))
    ok(worker.post(f"{url}register/"), 201)
    then_wh_case_3_registered(given)
    ok(supervisor.post(f"/api/v1/warehouse-shipments/{shipment['id']}/post/"), 201)
    then_wh_case_3_shipped(given)
