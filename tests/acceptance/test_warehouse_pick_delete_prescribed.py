"""Deleting a warehouse pick never loses the numbers prescribed by the source document.

A warehouse pick holding prescribed lots is partly registered, then the supervisor registers what was
handled and deletes the rest in one step: the source document's item tracking lines are exactly as
before, the rest is back on the shipment line, and a new warehouse pick recreates exactly the missing
pairs, locked. Deleting one pair of a pick deletes both its lines.
"""

from __future__ import annotations

import pytest

from picking.models import ItemTrackingLine, PickLine
from tests.acceptance.warehouse_cases import api_create_shipment, api_create_warehouse_pick, pair_view, pairs
from tests.clients import api_client_for, ok
from tests.world import bin_content, build_world, document, source_line

pytestmark = pytest.mark.django_db


def tracking_rows() -> list[tuple[int, str, str, object, object, str]]:
    return list(
        ItemTrackingLine.objects.order_by("pk").values_list(
            "pk", "lot_no", "serial_no", "quantity", "qty_handled", "origin"
        )
    )


def test_prescribed_lots_partly_registered_then_the_rest_deleted_are_recreated_exactly() -> None:
    # given an order at WHSE prescribing lot L1 x 5 (in W1 and W2) and lot L2 x 2, its shipment and pick
    world = build_world()
    whse = world.add_warehouse()
    world.receive(
        world.lot_spec,
        world.bin("W1", whse),
        {"quantity": 3, "lot_no": "L1"},
        {"quantity": 4, "lot_no": "L2"},
    )
    world.receive(world.lot_spec, world.bin("W2", whse), {"quantity": 6, "lot_no": "L1"})
    doc = document(world, (world.lot_spec, 7, {"tracking": [("", "L1", 5), ("", "L2", 2)]}), location=whse)
    supervisor, worker = api_client_for(world.supervisor), api_client_for(world.worker)
    shipment = api_create_shipment(supervisor, doc)
    pick = api_create_warehouse_pick(supervisor, shipment)
    assert pair_view(pick) == [
        ("W1", "SHIP", "L1", "", "3", True),
        ("W2", "SHIP", "L1", "", "2", True),
        ("W1", "SHIP", "L2", "", "2", True),
    ]
    url = f"/api/v1/picks/{pick['id']}/"
    (w1_l1, _), _w2_l1, (_, w1_l2_place) = pairs(pick)
    # and the worker handled 2 of L1 in W1 and 1 of L2 (on its place line)
    ok(worker.patch(f"{url}lines/{w1_l1['id']}/", {"qty_to_handle": "2"}, format="json"))
    ok(worker.patch(f"{url}lines/{w1_l2_place['id']}/", {"qty_to_handle": "1"}, format="json"))
    before = tracking_rows()
    assert [(lot, qty, handled) for _, lot, _, qty, handled, _ in before] == [("L1", 5, 0), ("L2", 2, 0)]

    # when a worker tries the supervisors' action: refused, nothing changed
    assert ok(worker.post(f"{url}register-and-delete-rest/"), 403)["code"] == "permission_denied"
    # when the supervisor registers what was handled and deletes the rest
    registered = ok(supervisor.post(f"{url}register-and-delete-rest/"), 201)
    assert sorted((ln["action"], ln["lot_no"], ln["quantity"]) for ln in registered["lines"]) == [
        ("place", "L1", "2"),
        ("place", "L2", "1"),
        ("take", "L1", "2"),
        ("take", "L2", "1"),
    ]

    # then the source tracking lines are exactly as they were (nothing is shipped yet)
    assert tracking_rows() == before
    # the handled pairs stay as the record of what was picked; the rest is gone
    assert sorted((ln.action, ln.lot_no, ln.quantity, ln.qty_handled) for ln in PickLine.objects.all()) == [
        ("place", "L1", 2, 2),
        ("place", "L2", 1, 1),
        ("take", "L1", 2, 2),
        ("take", "L2", 1, 1),
    ]
    assert ok(worker.get(url))["status"] == "completed"
    shipment = ok(supervisor.get(f"/api/v1/warehouse-shipments/{shipment['id']}/"))
    (line,) = shipment["lines"]
    assert (line["qty_picked"], line["qty_on_picks"], line["qty_to_ship"]) == ("3", "0", "3")
    assert ("SHIP", "L1", "", 2) in bin_content(world.lot_spec) and ("SHIP", "L2", "", 1) in bin_content(
        world.lot_spec
    )

    # when a new warehouse pick is created for the shipment
    again = api_create_warehouse_pick(supervisor, shipment)
    # then it holds exactly the prescribed numbers still missing, locked: 3 of L1, 1 of L2
    assert again["no"] != pick["no"] and again["not_picked"] == []
    assert sorted(pair_view(again)) == [
        ("W1", "SHIP", "L1", "", "1", True),
        ("W1", "SHIP", "L2", "", "1", True),
        ("W2", "SHIP", "L1", "", "2", True),
    ]
    assert tracking_rows() == before
    assert source_line(doc).qty_on_shipments == 7


def test_deleting_a_pair_returns_its_quantity_and_keeps_tracking() -> None:
    # given a warehouse pick with two prescribed pairs
    world = build_world()
    whse = world.add_warehouse()
    world.receive(
        world.lot_spec,
        world.bin("W1", whse),
        {"quantity": 5, "lot_no": "L1"},
        {"quantity": 5, "lot_no": "L2"},
    )
    doc = document(world, (world.lot_spec, 4, {"tracking": [("", "L1", 2), ("", "L2", 2)]}), location=whse)
    supervisor, worker = api_client_for(world.supervisor), api_client_for(world.worker)
    shipment = api_create_shipment(supervisor, doc)
    pick = api_create_warehouse_pick(supervisor, shipment)
    (l1_take, _), (_, l2_place) = pairs(pick)
    before = tracking_rows()
    line_url = f"/api/v1/picks/{pick['id']}/lines/{l2_place['id']}/"
    assert ok(worker.delete(line_url), 403)["code"] == "permission_denied"
    assert ok(api_client_for(world.outsider).delete(line_url), 404)["code"] == "not_found"
    # when the supervisor deletes the L2 pair through its place line
    assert supervisor.delete(line_url).status_code == 204
    # then both lines of the pair are gone, the quantity is back on the shipment line, tracking untouched
    remaining = ok(supervisor.get(f"/api/v1/picks/{pick['id']}/"))
    assert [(ln["action"], ln["lot_no"]) for ln in remaining["lines"]] == [("take", "L1"), ("place", "L1")]
    assert remaining["lines"][0]["id"] == l1_take["id"]
    assert tracking_rows() == before
    shipment = ok(supervisor.get(f"/api/v1/warehouse-shipments/{shipment['id']}/"))
    assert shipment["lines"][0]["qty_on_picks"] == "2"
    # and a new pick for the shipment recreates the deleted prescribed pair, locked
    again = api_create_warehouse_pick(supervisor, shipment)
    assert pair_view(again) == [("W1", "SHIP", "L2", "", "2", True)]
    # deleting the whole first pick gives its quantity back too
    assert supervisor.delete(f"/api/v1/picks/{pick['id']}/").status_code == 204
    shipment = ok(supervisor.get(f"/api/v1/warehouse-shipments/{shipment['id']}/"))
    assert (shipment["lines"][0]["qty_on_picks"], shipment["status"]) == ("2", "released")
    assert tracking_rows() == before
