"""The warehouse shipment endpoints refuse every bad input with a 4xx problem and a code, and change
nothing; the OpenAPI schema has every new endpoint."""

from __future__ import annotations

from typing import Any

import pytest

from picking.models import Pick, PickLine, RegisteredPick, WarehouseShipment, WarehouseShipmentLine
from tests.acceptance.warehouse_cases import api_create_shipment, api_create_warehouse_pick, pairs
from tests.clients import api_client_for, ok, problem
from tests.world import World, document
from warehouse.models import BinContent, WarehouseEntry

pytestmark = pytest.mark.django_db

SHIPMENTS = "/api/v1/warehouse-shipments/"


def snapshot() -> tuple[Any, ...]:
    """Everything a refused request must leave as it was."""
    return (
        list(WarehouseShipment.objects.order_by("pk").values_list("pk", "status")),
        list(
            WarehouseShipmentLine.objects.order_by("pk").values_list(
                "pk", "bin_id", "qty_picked", "qty_on_picks", "qty_shipped", "qty_to_ship"
            )
        ),
        list(
            PickLine.objects.order_by("pk").values_list(
                "pk", "bin_id", "serial_no", "lot_no", "quantity", "qty_to_handle"
            )
        ),
        Pick.objects.count(),
        RegisteredPick.objects.count(),
        WarehouseEntry.objects.count(),
        list(BinContent.objects.order_by("pk").values_list("pk", "quantity")),
    )


@pytest.fixture
def setup(world: World) -> dict[str, Any]:
    """WHSE with a shipment and its warehouse pick (a locked prescribed pair and a free one); a shipment-only
    location; a pick-only location's order; clients."""
    whse = world.add_warehouse()
    world.add_warehouse("SHIPONLY", require_pick=False)
    w1 = world.bin("W1", whse)
    world.receive(world.lot_spec, w1, {"quantity": 5, "lot_no": "L1"})
    world.receive(world.plain, w1, {"quantity": 10})
    doc = document(world, (world.lot_spec, 2, {"tracking": [("", "L1", 2)]}), (world.plain, 3), location=whse)
    supervisor = api_client_for(world.supervisor)
    shipment = api_create_shipment(supervisor, doc)
    pick = api_create_warehouse_pick(supervisor, shipment)
    return {
        "world": world,
        "supervisor": supervisor,
        "worker": api_client_for(world.worker),
        "outsider": api_client_for(world.outsider),
        "shipment": shipment,
        "pick": pick,
        "main_doc": document(world, (world.plain, 1)),
    }


def test_shipment_endpoints_refuse_bad_input_and_change_nothing(setup: dict[str, Any]) -> None:
    api, worker, outsider = setup["supervisor"], setup["worker"], setup["outsider"]
    shipment, main_doc = setup["shipment"], setup["main_doc"]
    url = f"{SHIPMENTS}{shipment['id']}/"
    line = shipment["lines"][1]
    line_url = f"{url}lines/{line['id']}/"
    before = snapshot()
    cases: list[tuple[Any, int, str]] = [
        # creating: missing fields, unknown or invisible ids, wrong types, another location, wrong mode
        (lambda: api.post(SHIPMENTS, {}, format="json"), 400, "invalid"),
        (lambda: api.post(SHIPMENTS, {"location": "NOPE"}, format="json"), 404, "not_found"),
        (
            lambda: api.post(SHIPMENTS, {"location": "WHSE", "source_documents": [999999]}, format="json"),
            404,
            "not_found",
        ),
        (
            lambda: api.post(SHIPMENTS, {"location": "WHSE", "source_documents": ["x"]}, format="json"),
            400,
            "invalid",
        ),
        (
            lambda: api.post(SHIPMENTS, {"location": "WHSE", "source_documents": []}, format="json"),
            400,
            "invalid",
        ),
        (
            lambda: api.post(
                SHIPMENTS, {"location": "WHSE", "source_documents": [main_doc.pk]}, format="json"
            ),
            409,
            "other_location",
        ),
        (
            lambda: api.post(SHIPMENTS, {"location": "WHSE", "document_type": "x"}, format="json"),
            400,
            "invalid",
        ),
        (
            lambda: api.post(SHIPMENTS, {"location": "WHSE", "shipment_date_to": "soon"}, format="json"),
            400,
            "invalid",
        ),
        (
            lambda: api.post(SHIPMENTS, {"location": "WHSE", "no_from": "B", "no_to": "A"}, format="json"),
            400,
            "invalid",
        ),
        (lambda: api.post(SHIPMENTS, {"location": "WHSE"}, format="json"), 409, "nothing_to_ship"),
        (lambda: api.post(SHIPMENTS, {"location": "MAIN"}, format="json"), 409, "location_needs_no_shipment"),
        (lambda: api.post(SHIPMENTS, {"location": "SHIPONLY"}, format="json"), 409, "nothing_to_ship"),
        (lambda: worker.post(SHIPMENTS, {"location": "WHSE"}, format="json"), 403, "permission_denied"),
        (lambda: outsider.post(SHIPMENTS, {"location": "WHSE"}, format="json"), 404, "not_found"),
        # reading and changing: unknown ids, other locations, fields that cannot change, bad quantities
        (lambda: api.get(f"{SHIPMENTS}999999/"), 404, "not_found"),
        (lambda: outsider.get(url), 404, "not_found"),
        (lambda: api.patch(f"{url}lines/999999/", {"qty_to_ship": 1}, format="json"), 404, "not_found"),
        (lambda: api.patch(line_url, {"qty_to_ship": -1}, format="json"), 400, "invalid_quantity"),
        (lambda: api.patch(line_url, {"qty_to_ship": 1}, format="json"), 400, "qty_to_ship_exceeds_picked"),
        (lambda: api.patch(line_url, {"qty_to_ship": "lots"}, format="json"), 400, "invalid"),
        (lambda: api.patch(line_url, {"qty_to_ship": "1e99"}, format="json"), 400, "invalid"),
        (lambda: api.patch(line_url, {"quantity": 9}, format="json"), 400, "field_read_only"),
        (lambda: api.patch(line_url, {"bin": "W2"}, format="json"), 400, "field_read_only"),
        (lambda: worker.patch(line_url, {"qty_to_ship": 0}, format="json"), 403, "permission_denied"),
        # deleting, picking, posting in the wrong state
        (lambda: api.delete(url), 409, "shipment_on_pick"),
        (lambda: api.delete(line_url), 409, "shipment_on_pick"),
        (lambda: worker.delete(url), 403, "permission_denied"),
        (lambda: api.post(f"{url}create-pick/"), 409, "nothing_to_pick"),
        (lambda: api.post(f"{SHIPMENTS}999999/create-pick/"), 404, "not_found"),
        (lambda: api.post(f"{url}post/"), 409, "nothing_to_ship"),
        (lambda: worker.post(f"{url}post/"), 403, "permission_denied"),
        (lambda: api.get("/api/v1/posted-shipments/999999/"), 404, "not_found"),
        (lambda: api.get("/api/v1/registered-picks/999999/"), 404, "not_found"),
    ]
    for call, status, code in cases:
        body = problem(call(), status, code)
        assert body["detail"]
    assert snapshot() == before
    # lists answer empty for filters matching nothing (never an error)
    assert ok(api.get(SHIPMENTS, {"source_document": "x"}))["count"] == 0
    assert ok(api.get("/api/v1/posted-shipments/", {"source_document": "x"}))["count"] == 0
    assert ok(api.get("/api/v1/registered-picks/", {"shipment": "x"}))["count"] == 0


def test_warehouse_pick_endpoints_refuse_bad_input_and_change_nothing(setup: dict[str, Any]) -> None:
    api, worker, outsider = setup["supervisor"], setup["worker"], setup["outsider"]
    pick, shipment = setup["pick"], setup["shipment"]
    url = f"/api/v1/picks/{pick['id']}/"
    (locked_take, locked_place), (take, place) = pairs(pick)
    before = snapshot()
    cases: list[tuple[Any, int, str]] = [
        (lambda: api.post("/api/v1/picks/", {}, format="json"), 400, "invalid"),
        (lambda: api.post("/api/v1/picks/", {"warehouse_shipments": []}, format="json"), 400, "invalid"),
        (lambda: api.post("/api/v1/picks/", {"warehouse_shipments": ["x"]}, format="json"), 400, "invalid"),
        (
            lambda: api.post(
                "/api/v1/picks/",
                {"warehouse_shipments": [shipment["id"]], "source_document": 1},
                format="json",
            ),
            400,
            "invalid",
        ),
        (
            lambda: api.post("/api/v1/picks/", {"warehouse_shipments": [999999]}, format="json"),
            404,
            "not_found",
        ),
        (
            lambda: outsider.post("/api/v1/picks/", {"warehouse_shipments": [shipment["id"]]}, format="json"),
            404,
            "not_found",
        ),
        (
            lambda: api.post("/api/v1/picks/", {"warehouse_shipments": [shipment["id"]]}, format="json"),
            409,
            "nothing_to_pick",
        ),
        # locked pairs: only Qty. to Handle, on both lines
        (
            lambda: worker.patch(f"{url}lines/{locked_take['id']}/", {"lot_no": "L2"}, format="json"),
            409,
            "tracking_locked",
        ),
        (
            lambda: worker.patch(f"{url}lines/{locked_place['id']}/", {"bin": "SHIP2"}, format="json"),
            409,
            "tracking_locked",
        ),
        (
            lambda: worker.post(f"{url}lines/{locked_take['id']}/split/", {"quantity": 1}, format="json"),
            409,
            "tracking_locked",
        ),
        # place lines: only bin (a shipping bin) and Qty. to Handle
        (
            lambda: worker.patch(f"{url}lines/{place['id']}/", {"serial_no": "X"}, format="json"),
            400,
            "field_read_only",
        ),
        (
            lambda: worker.patch(f"{url}lines/{place['id']}/", {"bin": "W2"}, format="json"),
            409,
            "bin_not_shipping",
        ),
        (lambda: worker.patch(f"{url}lines/{place['id']}/", {"bin": "NOPE"}, format="json"), 400, "invalid"),
        (
            lambda: worker.patch(f"{url}lines/{place['id']}/", {"qty_to_handle": 4}, format="json"),
            400,
            "qty_to_handle_exceeds_outstanding",
        ),
        (
            lambda: worker.patch(f"{url}lines/{place['id']}/", {"qty_to_handle": -1}, format="json"),
            400,
            "invalid_quantity",
        ),
        (
            lambda: worker.patch(f"{url}lines/{place['id']}/", {"qty_to_handle": "x"}, format="json"),
            400,
            "invalid",
        ),
        (
            lambda: worker.post(f"{url}lines/{place['id']}/split/", {"quantity": 1}, format="json"),
            409,
            "not_a_take_line",
        ),
        (
            lambda: worker.post(f"{url}lines/{place['id']}/assign-lot-no/", {}, format="json"),
            409,
            "not_a_take_line",
        ),
        # take lines never take from a shipping bin
        (
            lambda: worker.patch(f"{url}lines/{take['id']}/", {"bin": "SHIP"}, format="json"),
            409,
            "bin_is_shipping",
        ),
        # posting, registering, deleting in the wrong state or role
        (lambda: api.post(f"{url}post/"), 409, "register_instead"),
        (lambda: api.post(f"{url}post-and-delete-rest/"), 409, "register_instead"),
        (lambda: worker.post(f"{url}register/"), 409, "nothing_to_handle"),
        (lambda: worker.post(f"{url}register-and-delete-rest/"), 403, "permission_denied"),
        (lambda: outsider.post(f"{url}register/"), 404, "not_found"),
        (lambda: api.post("/api/v1/picks/999999/register/"), 404, "not_found"),
        (lambda: worker.delete(f"{url}lines/{place['id']}/"), 403, "permission_denied"),
    ]
    for call, status, code in cases:
        problem(call(), status, code)
    assert snapshot() == before
    # and an inventory pick is posted, not registered
    inventory = ok(api.post("/api/v1/picks/", {"source_document": setup["main_doc"].pk}, format="json"), 409)
    assert inventory["code"] == "nothing_to_pick"


def test_the_schema_documents_every_warehouse_endpoint(erp_api: Any) -> None:
    schema = erp_api.get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    for path, methods in {
        "/api/v1/warehouse-shipments/": {"get", "post"},
        "/api/v1/warehouse-shipments/{id}/": {"get", "delete"},
        "/api/v1/warehouse-shipments/{id}/lines/{line_id}/": {"patch", "delete"},
        "/api/v1/warehouse-shipments/{id}/create-pick/": {"post"},
        "/api/v1/warehouse-shipments/{id}/post/": {"post"},
        "/api/v1/picks/{id}/register/": {"post"},
        "/api/v1/picks/{id}/register-and-delete-rest/": {"post"},
        "/api/v1/registered-picks/": {"get"},
        "/api/v1/registered-picks/{id}/": {"get"},
        "/api/v1/posted-shipments/": {"get"},
        "/api/v1/posted-shipments/{id}/": {"get"},
        "/api/v1/inventory/movements/": {"post"},
        "/api/v1/inventory/warehouse-entries/": {"get"},
    }.items():
        assert path in paths, path
        assert methods <= set(paths[path]), (path, set(paths[path]))
