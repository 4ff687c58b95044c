"""Changes from the ERP to a document whose lines are on warehouse shipments and warehouse picks: a line
never goes below what is shipped plus what its open shipment line holds, a line on a shipment is not
deleted, a document on a shipment is not cancelled, a cancelled document is never shipped; a quantity
raised while the line is on an open shipment ships its rest on a later shipment. Each refusal writes
nothing."""

from __future__ import annotations

from typing import Any

import pytest

from core.models import Event
from picking.models import SourceDocument, SourceLine, WarehouseShipment, WarehouseShipmentLine
from picking.services.pick_delete import pick_delete
from picking.services.pick_line_update import pick_line_set_qty_to_handle
from picking.services.pick_register import pick_register
from picking.services.shipment_create import warehouse_shipment_create
from picking.services.shipment_lines import warehouse_shipment_delete
from tests.clients import api_client_for, ok, problem, refused
from tests.world import World, order, post_shipment, shipment_line, warehouse_pick_for

pytestmark = pytest.mark.django_db

URL = "/api/v1/source-documents/"


@pytest.fixture
def erp(world: World) -> Any:
    return api_client_for(world.admin)


@pytest.fixture
def whse(world: World) -> Any:
    location = world.add_warehouse()
    world.receive(world.plain, world.bin("W1", location), {"quantity": 20})
    return location


def _document(erp: Any, no: str = "SO-WCHG", quantity: int = 5) -> dict[str, Any]:
    body = order(no, {"line_no": 10000, "item": "PLAIN", "quantity": quantity}, location="WHSE")
    return ok(erp.post(URL, body, format="json"), 201)


def _shipment(erp: Any, *document_ids: int) -> dict[str, Any]:
    body = {"location": "WHSE", "source_documents": list(document_ids)}
    return ok(erp.post("/api/v1/warehouse-shipments/", body, format="json"), 201)


def _line(doc: dict[str, Any]) -> SourceLine:
    return SourceLine.objects.get(document_id=doc["id"], line_no=10000)


def _changes() -> int:
    return Event.objects.filter(type="source_document.changed").count()


def test_a_line_on_a_shipment_and_a_pick_keeps_what_they_hold(world: World, erp: Any, whse: Any) -> None:
    # given an order of 5 on a shipment, 3 of them registered by a warehouse pick
    doc = _document(erp)
    shipment = WarehouseShipment.objects.get(pk=_shipment(erp, doc["id"])["id"])
    pick = warehouse_pick_for(world, shipment)
    take = pick.lines.get(action="take")
    pick_line_set_qty_to_handle(pick_line_id=take.pk, qty_to_handle="3", user=world.worker)
    pick_register(pick_id=pick.pk, user=world.worker)
    line_url = f"{URL}{doc['id']}/lines/10000/"
    before = (_line(doc).quantity, _changes())
    # then the ERP cannot lower the line below the shipment's 5, delete the line or cancel the document
    body = problem(erp.patch(line_url, {"quantity": 4}, format="json"), 409, "quantity_below_committed")
    assert "5 on warehouse shipments" in body["detail"] and body["errors"][0]["field"] == "quantity"
    body = problem(erp.delete(line_url), 409, "line_committed")
    assert "5 on warehouse shipments" in body["errors"][0]["detail"]
    assert "5 on warehouse shipments" in body["detail"]
    problem(erp.post(f"{URL}{doc['id']}/cancel/"), 409, "line_committed")
    assert (_line(doc).quantity, _changes()) == before
    assert SourceDocument.objects.get(pk=doc["id"]).status == "open"
    # when 3 are shipped, the line still cannot go below 3 shipped + 2 on the shipment
    post_shipment(world, shipment)
    body = problem(erp.patch(line_url, {"quantity": 4}, format="json"), 409, "quantity_below_committed")
    assert "3 shipped, 2 on warehouse shipments" in body["detail"]
    # and once the pick and the shipment are deleted, only the shipped 3 hold it
    pick_delete(pick_id=pick.pk, user=world.supervisor)
    warehouse_shipment_delete(shipment_id=shipment.pk, user=world.supervisor)
    assert ok(erp.patch(line_url, {"quantity": 3}, format="json"))["quantity"] == "3"
    assert SourceDocument.objects.get(pk=doc["id"]).status == "shipped"
    ok(erp.patch(line_url, {"quantity": 4}, format="json"))  # raised again: one more to ship
    assert SourceDocument.objects.get(pk=doc["id"]).status == "partially_shipped"


def test_a_raised_quantity_ships_on_a_later_shipment(world: World, erp: Any, whse: Any) -> None:
    # given an order of 5 on an open shipment
    doc = _document(erp)
    shipment = WarehouseShipment.objects.get(pk=_shipment(erp, doc["id"])["id"])
    # when the ERP raises the line to 7 and adds a line
    ok(erp.patch(f"{URL}{doc['id']}/lines/10000/", {"quantity": 7}, format="json"))
    ok(
        erp.post(
            f"{URL}{doc['id']}/lines/", {"line_no": 20000, "item": "PLAIN", "quantity": 1}, format="json"
        ),
        201,
    )
    # then a new shipment gathers the added line only: the raised line stays on its open shipment line
    second = _shipment(erp, doc["id"])
    assert [(ln["source_line_no"], ln["quantity"]) for ln in second["lines"]] == [(20000, "1")]
    problem(
        erp.post(
            "/api/v1/warehouse-shipments/",
            {"location": "WHSE", "source_documents": [doc["id"]]},
            format="json",
        ),
        409,
        "nothing_to_ship",
    )
    assert shipment_line(shipment).quantity == 5
    # and once that shipment line is shipped in full, the raised 2 go on a new shipment
    from tests.world import register

    register(world, warehouse_pick_for(world, shipment))
    post_shipment(world, shipment)
    third = _shipment(erp, doc["id"])
    assert [(ln["source_line_no"], ln["quantity"]) for ln in third["lines"]] == [(10000, "2")]
    line = _line(doc)
    assert (line.qty_shipped, line.qty_on_shipments) == (5, 2)


def test_a_cancelled_document_is_never_shipped(world: World, erp: Any, whse: Any) -> None:
    doc = _document(erp, no="SO-WCAN")
    ok(erp.post(f"{URL}{doc['id']}/cancel/"))
    body = problem(
        erp.post(
            "/api/v1/warehouse-shipments/",
            {"location": "WHSE", "source_documents": [doc["id"]]},
            format="json",
        ),
        409,
        "document_cancelled",
    )
    assert "SO-WCAN" in body["detail"] and body["errors"][0]["field"] == "source_documents[0]"
    # by filter it is not gathered either
    error = refused(
        lambda: warehouse_shipment_create(location_code="WHSE", no_from="SO-WCAN", user=world.supervisor),
        "nothing_to_ship",
    )
    assert "WHSE" in error.detail
    assert not WarehouseShipmentLine.objects.exists() and _line(doc).qty_on_shipments == 0
