"""API: items, locations, bins, lot and serial information; location scoping (404 elsewhere)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.clients import api_client_for, problem
from tests.world import World
from tracking.services import item_tracking_code_create, no_series_create
from warehouse.models import BinContent

pytestmark = pytest.mark.django_db


def test_items_by_natural_keys(erp_api: Any) -> None:
    item_tracking_code_create(code="SNSPEC", sn_specific_tracking=True, sn_warehouse_tracking=True)
    no_series_create(code="SN", starting_no="SN-0001")
    data = {"no": "1000", "description": "Bicycle", "tracking_code": "SNSPEC", "serial_nos": "SN"}
    response = erp_api.post("/api/v1/items/", data, format="json")
    assert response.status_code == 201 and response["Location"] == "/api/v1/items/1000/"
    assert response.json() == {
        "no": "1000",
        "description": "Bicycle",
        "base_unit_of_measure": "PCS",
        "tracking_code": "SNSPEC",
        "serial_nos": "SN",
        "lot_nos": None,
        "gtin": "",
        "whole_units": False,
    }
    response = erp_api.patch(
        "/api/v1/items/1000/", {"serial_nos": None, "description": "Bike"}, format="json"
    )
    assert response.json()["serial_nos"] is None and response.json()["description"] == "Bike"
    assert erp_api.get("/api/v1/items/?search=bik").json()["count"] == 1


def test_item_bad_input(erp_api: Any) -> None:
    body = problem(
        erp_api.post(
            "/api/v1/items/", {"no": "1", "tracking_code": "NOPE", "lot_nos": "NOPE"}, format="json"
        ),
        400,
        "not_found",
    )
    assert {e["field"] for e in body["errors"]} == {"tracking_code", "lot_nos"}
    problem(erp_api.post("/api/v1/items/", {"description": "no number"}, format="json"), 400, "invalid")
    erp_api.post("/api/v1/items/", {"no": "1"}, format="json")
    problem(erp_api.post("/api/v1/items/", {"no": "1"}, format="json"), 409, "already_exists")
    problem(erp_api.patch("/api/v1/items/1/", {"no": "2"}, format="json"), 400, "field_read_only")
    problem(erp_api.get("/api/v1/items/NOPE/"), 404, "not_found")


def test_item_tracking_code_change_that_contradicts_stock(erp_api: Any, wh: World) -> None:
    wh.receive(wh.lot_strict, "A1", {"quantity": 1, "lot_no": "L1", "expiration_date": "2027-01-01"})
    body = problem(
        erp_api.patch(f"/api/v1/items/{wh.lot_strict.no}/", {"tracking_code": "SNOUT"}, format="json"),
        409,
        "tracking_code_in_use",
    )
    assert body["errors"][0]["code"] == "stock_carries_numbers"


def test_locations_and_bins(erp_api: Any) -> None:
    response = erp_api.post("/api/v1/locations/", {"code": "WH1", "name": "Main"}, format="json")
    assert response.status_code == 201 and response["Location"] == "/api/v1/locations/WH1/"
    assert response.json()["require_pick"] is True and response.json()["shipment_bin"] is None
    response = erp_api.post(
        "/api/v1/locations/WH1/bins/", {"code": "SHIP", "kind": "shipping"}, format="json"
    )
    assert response.status_code == 201 and response["Location"] == "/api/v1/locations/WH1/bins/SHIP/"
    response = erp_api.patch(
        "/api/v1/locations/WH1/", {"require_shipment": True, "shipment_bin": "SHIP"}, format="json"
    )
    assert response.json()["require_shipment"] is True and response.json()["shipment_bin"] == "SHIP"
    assert [b["code"] for b in erp_api.get("/api/v1/locations/WH1/bins/").json()["results"]] == ["SHIP"]
    response = erp_api.patch("/api/v1/locations/WH1/bins/SHIP/", {"blocked": True}, format="json")
    assert response.json() == {"code": "SHIP", "description": "", "blocked": True, "kind": "shipping"}


def test_shipment_bins_are_shipping_bins(erp_api: Any) -> None:
    # given a location with a storage bin A and a shipping bin SHIP, and stock in A
    erp_api.post("/api/v1/locations/", {"code": "WH1"}, format="json")
    assert (
        erp_api.post("/api/v1/locations/WH1/bins/", {"code": "A"}, format="json").json()["kind"] == "storage"
    )
    erp_api.post("/api/v1/locations/WH1/bins/", {"code": "SHIP", "kind": "shipping"}, format="json")
    erp_api.post("/api/v1/items/", {"no": "P1"}, format="json")
    erp_api.post(
        "/api/v1/inventory/adjustments/",
        {"location": "WH1", "bin": "A", "item": "P1", "entries": [{"quantity": 3}]},
        format="json",
    )
    # when the location is to ship through a storage bin: refused, nothing changes
    body = problem(
        erp_api.patch(
            "/api/v1/locations/WH1/", {"require_shipment": True, "shipment_bin": "A"}, format="json"
        ),
        400,
        "bin_not_shipping",
    )
    assert body["errors"][0]["field"] == "shipment_bin"
    assert erp_api.get("/api/v1/locations/WH1/").json()["require_shipment"] is False
    # shipment only (no pick) is a mode of its own now
    response = erp_api.patch(
        "/api/v1/locations/WH1/",
        {"require_shipment": True, "require_pick": False, "shipment_bin": "SHIP"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    # the shipment bin stays a shipping bin; a bin holding stock keeps its kind; unknown kinds are refused
    problem(
        erp_api.patch("/api/v1/locations/WH1/bins/SHIP/", {"kind": "storage"}, format="json"),
        409,
        "bin_not_shipping",
    )
    problem(
        erp_api.patch("/api/v1/locations/WH1/bins/A/", {"kind": "shipping"}, format="json"),
        409,
        "bin_not_empty",
    )
    body = problem(
        erp_api.patch("/api/v1/locations/WH1/bins/A/", {"kind": "dock"}, format="json"), 400, "invalid"
    )
    assert (body["errors"][0]["field"], body["errors"][0]["code"]) == ("kind", "invalid_choice")
    assert erp_api.get("/api/v1/locations/WH1/bins/A/").json()["kind"] == "storage"
    # an empty bin may change its kind
    erp_api.post("/api/v1/locations/WH1/bins/", {"code": "B"}, format="json")
    assert erp_api.patch("/api/v1/locations/WH1/bins/B/", {"kind": "shipping"}, format="json").json()[
        "kind"
    ] == ("shipping")


def test_location_bad_input(erp_api: Any) -> None:
    erp_api.post("/api/v1/locations/", {"code": "WH1"}, format="json")
    problem(erp_api.post("/api/v1/locations/", {"code": "WH1"}, format="json"), 409, "already_exists")
    body = problem(
        erp_api.patch("/api/v1/locations/WH1/", {"require_shipment": True}, format="json"),
        400,
        "shipment_bin_required",
    )
    assert body["errors"][0]["field"] == "shipment_bin"
    body = problem(
        erp_api.patch("/api/v1/locations/WH1/", {"shipment_bin": "NOPE"}, format="json"), 400, "not_found"
    )
    assert body["errors"][0]["field"] == "shipment_bin"
    problem(erp_api.post("/api/v1/locations/", {"code": "TOO-LONG-CODE"}, format="json"), 400, "invalid")
    erp_api.post("/api/v1/locations/WH1/bins/", {"code": "A"}, format="json")
    problem(erp_api.post("/api/v1/locations/WH1/bins/", {"code": "A"}, format="json"), 409, "already_exists")
    problem(erp_api.post("/api/v1/locations/NOPE/bins/", {"code": "A"}, format="json"), 404, "not_found")
    problem(erp_api.get("/api/v1/locations/WH1/bins/NOPE/"), 404, "not_found")


def test_workers_see_only_their_locations(wh: World) -> None:
    api = api_client_for(wh.worker)  # works at MAIN
    assert [loc["code"] for loc in api.get("/api/v1/locations/").json()["results"]] == ["MAIN"]
    problem(api.get("/api/v1/locations/EAST/"), 404, "not_found")
    problem(api.get("/api/v1/locations/EAST/bins/"), 404, "not_found")
    problem(api.get("/api/v1/locations/EAST/bins/E1/"), 404, "not_found")
    assert api.get("/api/v1/locations/MAIN/bins/A1/").status_code == 200


def test_supervisors_change_only_their_locations_and_own_what_they_create(wh: World) -> None:
    supervisor = wh.add_user("boss", "supervisor", wh.location)
    api = api_client_for(supervisor)
    problem(api.patch("/api/v1/locations/EAST/", {"name": "x"}, format="json"), 404, "not_found")
    assert api.post("/api/v1/locations/", {"code": "NEW"}, format="json").status_code == 201
    assert api.get("/api/v1/locations/NEW/").status_code == 200


def test_lot_and_serial_information_patch_creates(erp_api: Any, wh: World) -> None:
    wh.receive(wh.lot_strict, "A1", {"quantity": 2, "lot_no": "L1", "expiration_date": "2027-01-01"})
    url = f"/api/v1/items/{wh.lot_strict.no}/lots/L1/"
    assert erp_api.get(url).json()["expiration_date"] == "2027-01-01"
    response = erp_api.patch(url, {"blocked": True, "expiration_date": "2027-02-01"}, format="json")
    assert response.status_code == 200 and response.json()["blocked"] is True
    # the stock of that lot expires on the new date too
    assert str(BinContent.objects.get(lot_no="L1").expiration_date) == "2027-02-01"
    # a number without a card: GET is 404, PATCH creates it
    new = f"/api/v1/items/{wh.lot_strict.no}/lots/L-NEW/"
    problem(erp_api.get(new), 404, "not_found")
    response = erp_api.patch(new, {"description": "Recalled", "blocked": True}, format="json")
    assert response.status_code == 200 and response.json()["lot_no"] == "L-NEW"
    serial = f"/api/v1/items/{wh.sn_spec.no}/serials/S1/"
    response = erp_api.patch(serial, {"certificate": "CERT-1"}, format="json")
    assert response.json()["certificate"] == "CERT-1" and erp_api.get(serial).status_code == 200


def test_lot_information_bad_input(erp_api: Any, wh: World) -> None:
    body = problem(
        erp_api.patch(
            f"/api/v1/items/{wh.plain.no}/lots/L1/", {"expiration_date": "2027-01-01"}, format="json"
        ),
        400,
        "expiration_not_used",
    )
    assert body["errors"][0]["field"] == "expiration_date"
    problem(
        erp_api.patch(
            f"/api/v1/items/{wh.lot_strict.no}/lots/L1/", {"expiration_date": "soon"}, format="json"
        ),
        400,
        "invalid",
    )
    problem(erp_api.patch("/api/v1/items/NOPE/lots/L1/", {"blocked": True}, format="json"), 404, "not_found")
