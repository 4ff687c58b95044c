"""The warehouse flow's events: shipment created, warehouse pick created and deleted, pick registered,
shipment posted; each an outbox row written with the change (none when it rolls back), its data the object
as the API returns it, listing every number registered or shipped."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from core.events import events_sequence
from core.models import Event
from picking.services.pick_delete import pick_delete, pick_line_delete
from picking.services.pick_qty_to_handle import pick_autofill_qty_to_handle
from picking.services.pick_register import pick_register, pick_register_and_delete_rest
from picking.services.shipment_post import warehouse_shipment_post
from tests.clients import api_client_for, ok, refused
from tests.world import (
    World,
    document,
    post_shipment,
    register,
    serials,
    shipment_for,
    warehouse_pick_for,
)

pytestmark = pytest.mark.django_db


def events(event_type: str) -> list[dict[str, Any]]:
    events_sequence()  # renders the events emitted with render_later
    return list(Event.objects.filter(type=event_type).order_by("pk").values_list("data", flat=True))


def _serials_in(data: dict[str, Any], **where: str) -> list[str]:
    return sorted(
        line["serial_no"]
        for line in data["lines"]
        if all(line.get(key) == value for key, value in where.items())
    )


def _flow(world: World, count: int = 3) -> tuple[Any, Any, Any]:
    whse = world.add_warehouse()
    world.receive(world.sn_wh, world.bin("W1", whse), *serials(count, expiration=None))
    doc = document(world, (world.sn_wh, count), no="SO-WEV", location=whse)
    shipment = shipment_for(world, doc)
    return whse, doc, shipment


def test_each_step_of_the_warehouse_flow_is_one_event_with_the_object_as_the_api_returns_it(
    world: World,
) -> None:
    _whse, doc, shipment = _flow(world)
    api = api_client_for(world.admin)
    documents = [{"id": doc.pk, "type": "sales_order", "no": "SO-WEV"}]
    one_document = {
        "source_documents": documents,
        "source_document_type": "sales_order",
        "source_document_no": "SO-WEV",
    }

    # a shipment: warehouse_shipment.created with its lines, as GET /warehouse-shipments/{id}/ shows it
    (created,) = events("warehouse_shipment.created")
    assert created == {**ok(api.get(f"/api/v1/warehouse-shipments/{shipment.pk}/")), **one_document}

    # a warehouse pick: pick.created with its take/place pairs and the shipments it picks for
    pick = warehouse_pick_for(world, shipment)
    (pick_created,) = events("pick.created")
    assert pick_created == {
        **ok(api.get(f"/api/v1/picks/{pick.pk}/")),
        **one_document,
        "warehouse_shipments": [{"id": shipment.pk, "no": shipment.no}],
    }
    assert pick_created["type"] == "warehouse_pick"
    assert _serials_in(pick_created, action="take") == _serials_in(pick_created, action="place")
    assert _serials_in(pick_created, action="take") == ["S00000", "S00001", "S00002"]

    # registering: pick.registered lists every number moved, out of W1 and into SHIP
    registered = register(world, pick)
    (reg,) = events("pick.registered")
    assert reg == {**ok(api.get(f"/api/v1/registered-picks/{registered.pk}/")), **one_document}
    assert _serials_in(reg, action="take", bin="W1") == ["S00000", "S00001", "S00002"]
    assert _serials_in(reg, action="place", bin="SHIP") == ["S00000", "S00001", "S00002"]

    # posting: warehouse_shipment.posted lists every number shipped
    posted = post_shipment(world, shipment)
    (shipped,) = events("warehouse_shipment.posted")
    assert shipped == {**ok(api.get(f"/api/v1/posted-shipments/{posted.pk}/")), **one_document}
    assert _serials_in(shipped, bin="SHIP") == ["S00000", "S00001", "S00002"]
    # and nothing else was said about the pick (it is completed, not deleted)
    assert events("pick.deleted") == []


def test_a_shipment_of_several_documents_names_them_all(world: World) -> None:
    whse = world.add_warehouse()
    world.receive(world.plain, world.bin("W1", whse), {"quantity": 5})
    docs = [document(world, (world.plain, 1), no=no, location=whse) for no in ("SO-B", "SO-A")]
    shipment_for(world, *docs)
    (created,) = events("warehouse_shipment.created")
    assert [d["no"] for d in created["source_documents"]] == ["SO-A", "SO-B"]
    assert created["source_document_no"] is None and created["source_document_type"] is None


def test_deleting_a_warehouse_pick_or_its_last_pair_is_pick_deleted(world: World) -> None:
    _whse, _doc, shipment = _flow(world, count=1)
    pick = warehouse_pick_for(world, shipment)
    pick_delete(pick_id=pick.pk, user=world.supervisor)
    (deleted,) = events("pick.deleted")
    assert deleted["no"] == pick.no and deleted["type"] == "warehouse_pick"
    assert {line["action"] for line in deleted["lines"]} == {"take", "place"}
    assert deleted["warehouse_shipments"] == [{"id": shipment.pk, "no": shipment.no}]
    # the last pair of a pick deleted: the pick goes, and says so
    again = warehouse_pick_for(world, shipment)
    take = again.lines.get(action="take")
    pick_line_delete(pick_line_id=take.pk, user=world.supervisor)
    assert [d["no"] for d in events("pick.deleted")] == [pick.no, again.no]


def test_register_and_delete_rest_is_registered_then_deleted(world: World) -> None:
    _whse, _doc, shipment = _flow(world, count=2)
    pick = warehouse_pick_for(world, shipment)
    take = pick.lines.filter(action="take").order_by("line_no").first()
    assert take is not None
    api_client_for(world.supervisor).patch(
        f"/api/v1/picks/{pick.pk}/lines/{take.pk}/", {"qty_to_handle": "1"}, format="json"
    )
    pick_register_and_delete_rest(pick_id=pick.pk, user=world.supervisor)
    (reg,) = events("pick.registered")
    assert _serials_in(reg, action="take") == [take.serial_no]
    assert events("pick.deleted") == []  # the pick keeps its handled pair: completed, not gone


def test_nothing_is_emitted_when_the_change_rolls_back(world: World) -> None:
    _whse, _doc, shipment = _flow(world, count=2)
    before = Event.objects.count()
    # a refused registration (nothing to handle) and a refused posting (nothing to ship) write nothing
    pick = warehouse_pick_for(world, shipment)
    after_pick = Event.objects.count()
    assert after_pick == before + 1
    refused(lambda: pick_register(pick_id=pick.pk, user=world.supervisor), "nothing_to_handle")
    refused(
        lambda: warehouse_shipment_post(shipment_id=shipment.pk, user=world.supervisor), "nothing_to_ship"
    )
    assert Event.objects.count() == after_pick
    # a registration and a posting inside a transaction that rolls back leave no event behind
    pick_autofill_qty_to_handle(pick_id=pick.pk, user=world.supervisor)
    with pytest.raises(RuntimeError), transaction.atomic():
        pick_register(pick_id=pick.pk, user=world.supervisor)
        warehouse_shipment_post(shipment_id=shipment.pk, user=world.supervisor)
        assert Event.objects.filter(type__in=["pick.registered", "warehouse_shipment.posted"]).count() == 2
        raise RuntimeError("rolled back")
    assert Event.objects.count() == after_pick
    assert not Event.objects.filter(type__in=["pick.registered", "warehouse_shipment.posted"]).exists()
