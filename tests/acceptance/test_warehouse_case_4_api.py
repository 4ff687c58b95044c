"""Case 4 at a location that requires shipment and pick, through the API: numbers prescribed by the source
document.

The warehouse pick is created with one locked pair per prescribed number and bin: on BOTH lines of a pair
only Qty. to Handle changes (a number, a take bin or a place bin: 409 `tracking_locked`), and setting it on
the place line sets it on the pair. Part is registered and shipped; the prescribed tracking lines count
what shipped, nothing of origin `pick` is written.
"""

from __future__ import annotations

import pytest

from tests.acceptance.warehouse_cases import (
    api_create_shipment,
    api_create_warehouse_pick,
    pair_view,
    pairs,
    then_wh_case_4_registered,
    then_wh_case_4_shipped,
    wh_case_4_given,
)
from tests.clients import api_client_for, ok

pytestmark = pytest.mark.django_db


def test_case_4_prescribed_pairs_are_locked_except_qty_to_handle() -> None:
    # given lot L1 in W1 (2) and W2 (3), lot L2, serials X1, X2; an order prescribing L1 x 4 and X2
    given = wh_case_4_given()
    supervisor, worker = api_client_for(given.world.supervisor), api_client_for(given.world.worker)
    shipment = api_create_shipment(supervisor, given.doc)
    pick = api_create_warehouse_pick(supervisor, shipment)
    # then one locked pair per prescribed number and bin
    assert pair_view(pick) == [
        ("W1", "SHIP", "L1", "", "2", True),
        ("W2", "SHIP", "L1", "", "2", True),
        ("W1", "SHIP", "", "X2", "1", True),
    ]
    url = f"/api/v1/picks/{pick['id']}/"
    (w1_take, w1_place), (w2_take, w2_place), (x2_take, x2_place) = pairs(pick)

    # when the worker tries to change numbers or bins on either line of a pair, split or assign: refused
    for line, body in (
        (w1_take, {"lot_no": "L2"}),
        (w2_take, {"bin": "W1"}),
        (w1_place, {"bin": "SHIP2"}),
        (x2_take, {"serial_no": "X1"}),
    ):
        refused = ok(worker.patch(f"{url}lines/{line['id']}/", body, format="json"), 409)
        assert refused["code"] == "tracking_locked" and "prescribed" in refused["detail"]
    assert ok(worker.post(f"{url}lines/{w1_take['id']}/split/", {"quantity": 1}, format="json"), 409)[
        "code"
    ] == ("tracking_locked")
    refused = ok(worker.patch(f"{url}lines/{x2_place['id']}/", {"serial_no": "X1"}, format="json"), 400)
    assert refused["code"] == "field_read_only"
    assert pair_view(ok(worker.get(url))) == pair_view(pick)

    # when the worker sets Qty. to Handle on both kinds of line: W1 fully, 1 of W2 (on its place line), X2
    ok(worker.patch(f"{url}lines/{w1_take['id']}/", {"qty_to_handle": "2"}, format="json"))
    pick = ok(worker.patch(f"{url}lines/{w2_place['id']}/", {"qty_to_handle": "1"}, format="json"))
    ok(worker.patch(f"{url}lines/{x2_place['id']}/", {"qty_to_handle": "1"}, format="json"))
    assert [(t["qty_to_handle"], p["qty_to_handle"]) for t, p in pairs(pick)] == [
        ("2", "2"),
        ("1", "1"),
        ("0", "0"),
    ]
    # and registers
    ok(worker.post(f"{url}register/"), 201)
    then_wh_case_4_registered(given)
    pick = ok(worker.get(url))
    assert pick["status"] == "in_progress"
    assert [(t["qty_handled"], t["qty_outstanding"], p["qty_handled"]) for t, p in pairs(pick)] == [
        ("2", "0", "2"),
        ("1", "1", "1"),
        ("1", "0", "1"),
    ]

    # when the supervisor posts what is picked
    shipment = ok(supervisor.get(f"/api/v1/warehouse-shipments/{shipment['id']}/"))
    assert shipment["status"] == "partially_picked"
    assert [(ln["qty_picked"], ln["qty_to_ship"]) for ln in shipment["lines"]] == [("3", "3"), ("1", "1")]
    ok(supervisor.post(f"/api/v1/warehouse-shipments/{shipment['id']}/post/"), 201)
    # then the ledgers, number by number
    then_wh_case_4_shipped(given)
    shipment = ok(supervisor.get(f"/api/v1/warehouse-shipments/{shipment['id']}/"))
    assert shipment["status"] == "partially_shipped"
    assert [(ln["qty_shipped"], ln["qty_outstanding"], ln["qty_on_picks"]) for ln in shipment["lines"]] == [
        ("3", "1", "1"),
        ("1", "0", "0"),
    ]
