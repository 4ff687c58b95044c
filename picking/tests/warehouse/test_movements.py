"""Movements between bins through the API (`POST /api/v1/inventory/movements/`) and the warehouse-entry
ledger (`GET /api/v1/inventory/warehouse-entries/`)."""

from __future__ import annotations

from typing import Any

import pytest

from picking.models import PickedStock, WarehouseShipment
from picking.services.shipment_lines import warehouse_shipment_delete
from tests.clients import api_client_for, ok, problem
from tests.world import (
    World,
    bin_content,
    document,
    register,
    shipment_for,
    shipment_line,
    warehouse_entries,
    warehouse_pick_for,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/inventory/movements/"


def body(from_bin: str, to_bin: str, *entries: dict[str, Any], item: str = "LOT-WH") -> dict[str, Any]:
    return {
        "location": "WHSE",
        "item": item,
        "from_bin": from_bin,
        "to_bin": to_bin,
        "entries": list(entries),
    }


def test_a_movement_moves_numbers_between_bins_and_the_ledger_shows_it(world: World) -> None:
    whse = world.add_warehouse()
    world.receive(
        world.lot_wh, world.bin("W1", whse), {"quantity": 5, "lot_no": "L1", "expiration_date": "2030-01-31"}
    )
    world.receive(world.sn_wh, world.bin("W1", whse), {"quantity": 1, "serial_no": "S1"})
    api = api_client_for(world.supervisor)
    # when 3 of L1 move to W2 and serial S1 to SHIP2
    moved = ok(api.post(URL, body("W1", "W2", {"lot_no": "L1", "quantity": 3}), format="json"), 201)
    ok(
        api.post(URL, body("W1", "SHIP2", {"serial_no": "S1", "quantity": 1}, item="SN-WH"), format="json"),
        201,
    )
    # then the warehouse entries out and in carry the numbers and the expiration date; the bins agree
    assert moved["document_no"].startswith("MOV")
    assert [
        (e["entry_type"], e["bin"], e["lot_no"], e["quantity"], e["expiration_date"])
        for e in moved["entries"]
    ] == [
        ("movement", "W1", "L1", "-3", "2030-01-31"),
        ("movement", "W2", "L1", "3", "2030-01-31"),
    ]
    assert bin_content(world.lot_wh) == [("W1", "L1", "", 2), ("W2", "L1", "", 3)]
    assert bin_content(world.sn_wh) == [("SHIP2", "", "S1", 1), ("W1", "", "S1", 0)]
    ledger_page = ok(api.get("/api/v1/inventory/warehouse-entries/", {"document_no": moved["document_no"]}))
    assert [e["id"] for e in ledger_page["results"]] == [e["id"] for e in moved["entries"]]
    # and the item ledger has no entry for it: the goods never left the location
    assert not ok(api.get("/api/v1/inventory/item-ledger-entries/", {"document_no": moved["document_no"]}))[
        "results"
    ]
    # and stock moved into a shipping bin is not available to picks
    rows = ok(api.get("/api/v1/inventory/availability/", {"item": "SN-WH", "location": "WHSE"}))["results"]
    assert [(r["bin"], r["quantity"], r["available"]) for r in rows] == [("SHIP2", "1", "0")]


def test_movements_are_refused_for_numbers_not_in_the_bin_or_on_open_picks(world: World) -> None:
    whse = world.add_warehouse()
    w1 = world.bin("W1", whse)
    world.receive(world.lot_wh, w1, {"quantity": 5, "lot_no": "L1", "expiration_date": "2030-01-31"})
    world.receive(world.sn_wh, w1, {"quantity": 1, "serial_no": "S1"}, {"quantity": 1, "serial_no": "S2"})
    # and an open warehouse pick holding 4 of L1 and S1
    warehouse_pick_for(
        world, shipment_for(world, document(world, (world.lot_wh, 4), (world.sn_wh, 1), location=whse))
    )
    api = api_client_for(world.supervisor)
    before = (bin_content(world.lot_wh), bin_content(world.sn_wh))

    # then every problem of a movement is reported at once, per entry, and nothing moves
    refused = problem(
        api.post(
            URL,
            body(
                "W1", "W2", {"lot_no": "L1", "quantity": 2}, {"lot_no": "L9", "quantity": 1}, {"quantity": 1}
            ),
            format="json",
        ),
        409,
        "on_open_pick",  # the first line's problem; every line's is listed
    )
    assert [(e["line"], e["code"]) for e in refused["errors"]] == [
        (0, "on_open_pick"),
        (1, "insufficient_quantity"),
        (2, "lot_missing"),
    ]
    problem(
        api.post(URL, body("W1", "W2", {"serial_no": "S1", "quantity": 1}, item="SN-WH"), format="json"),
        409,
        "on_open_pick",
    )
    problem(
        api.post(URL, body("W1", "W2", {"serial_no": "S9", "quantity": 1}, item="SN-WH"), format="json"),
        409,
        "serial_not_available",
    )
    problem(api.post(URL, body("W1", "W1", {"lot_no": "L1", "quantity": 1}), format="json"), 409, "same_bin")
    bad = problem(
        api.post(URL, body("W1", "NOPE", {"lot_no": "L1", "quantity": 1}), format="json"), 404, "not_found"
    )
    assert bad["errors"][0]["field"] == "to_bin"
    assert (
        problem(
            api.post(URL, body("W1", "W2", {"lot_no": "L1", "quantity": -1}), format="json"),
            400,
            "quantity_not_positive",
        )["errors"][0]["field"]
        == "entries[0].quantity"
    )
    problem(
        api.post(URL, body("W1", "W2", {"lot_no": "L1", "quantity": "many"}), format="json"), 400, "invalid"
    )
    problem(api.post(URL, {"location": "WHSE", "item": "LOT-WH"}, format="json"), 400, "invalid")
    problem(
        api.post(URL, body("W1", "W2", {"lot_no": "L1", "quantity": 1}, item="NOPE"), format="json"),
        404,
        "not_found",
    )
    problem(
        api.post(URL, {**body("W1", "W2", {"quantity": 1}), "location": "EAST"}, format="json"),
        404,
        "not_found",
    )
    problem(
        api_client_for(world.worker).post(
            URL, body("W1", "W2", {"lot_no": "L1", "quantity": 1}), format="json"
        ),
        403,
        "permission_denied",
    )
    problem(
        api.post(URL, body("W1", "W2", {"quantity": 1, "serial_no": "S2"}, item="PLAIN"), format="json"),
        409,
        "serial_not_tracked",
    )
    assert (bin_content(world.lot_wh), bin_content(world.sn_wh)) == before
    # what is not on a pick moves
    ok(api.post(URL, body("W1", "W2", {"lot_no": "L1", "quantity": 1}), format="json"), 201)


def test_moving_picked_goods_back_out_of_the_shipping_bin_undoes_their_registration(world: World) -> None:
    # given 3 of L1 registered for a shipment (in SHIP), and 2 more of L1 moved to SHIP by hand
    whse = world.add_warehouse()
    w1 = world.bin("W1", whse)
    world.receive(world.lot_wh, w1, {"quantity": 10, "lot_no": "L1", "expiration_date": "2030-01-31"})
    shipment = shipment_for(world, document(world, (world.lot_wh, 3), location=whse))
    register(world, warehouse_pick_for(world, shipment))
    api = api_client_for(world.supervisor)
    ok(api.post(URL, body("W1", "SHIP", {"lot_no": "L1", "quantity": 2}), format="json"), 201)
    problem(api.delete(f"/api/v1/warehouse-shipments/{shipment.pk}/"), 409, "shipment_has_picked_stock")

    # when 3 are moved back to W1: the 2 no shipment waits for first, then 1 of the registered ones
    ok(api.post(URL, body("SHIP", "W1", {"lot_no": "L1", "quantity": 3}), format="json"), 201)
    line = shipment_line(shipment)
    assert (line.qty_picked, line.qty_to_ship) == (2, 2)
    assert list(PickedStock.objects.values_list("quantity", flat=True)) == [2]
    assert WarehouseShipment.objects.get(pk=shipment.pk).status == "partially_picked"
    # when the rest is moved back, the shipment line holds nothing and may be deleted
    ok(api.post(URL, body("SHIP", "W1", {"lot_no": "L1", "quantity": 2}), format="json"), 201)
    assert not PickedStock.objects.exists() and shipment_line(shipment).qty_picked == 0
    assert bin_content(world.lot_wh) == [("SHIP", "L1", "", 0), ("W1", "L1", "", 10)]
    assert [e[1:] for e in warehouse_entries(world.lot_wh)[-2:]] == [
        ("SHIP", "L1", "", -2),
        ("W1", "L1", "", 2),
    ]
    warehouse_shipment_delete(shipment_id=shipment.pk, user=world.supervisor)
    assert not WarehouseShipment.objects.exists()
