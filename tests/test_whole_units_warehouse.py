"""Items counted in whole units on warehouse picks and warehouse shipments: a fraction of Qty. to Handle (on
the take or the place line of a pair, by scan or split) and of Qty. to Ship is refused with the field
named, over the API and on the pages, and changes nothing."""

from __future__ import annotations

import pytest

from picking.models import PickLine, WarehouseShipmentLine
from tests.clients import api_client_for, browser_for, problem
from tests.world import World, document, register, shipment_for, shipment_line, warehouse_pick_for
from warehouse.models import Item, Location

pytestmark = pytest.mark.django_db


@pytest.fixture
def whole(world: World) -> World:
    """PLAIN counted in whole units, 10 in W1 at WHSE (shipment and pick) and 10 in W1 at SHIPONLY."""
    Item.objects.filter(pk=world.plain.pk).update(whole_units=True)
    world.plain.refresh_from_db()
    world.receive(world.plain, world.bin("W1", world.add_warehouse()), {"quantity": 10})
    ship_only = world.add_warehouse("SHIPONLY", require_pick=False)
    world.receive(world.plain, world.bin("W1", ship_only), {"quantity": 10})
    return world


def _to_handle(pick_id: int) -> list[tuple[str, str]]:
    return [
        (action, str(qty))
        for action, qty in PickLine.objects.filter(pick_id=pick_id)
        .order_by("line_no")
        .values_list("action", "qty_to_handle")
    ]


def test_fractions_on_warehouse_pick_lines_are_refused(whole: World) -> None:
    world = whole
    doc = document(world, (world.plain, 4), location=Location.objects.get(code="WHSE"))
    pick = warehouse_pick_for(world, shipment_for(world, doc))
    take = PickLine.objects.get(pick=pick, action="take")
    place = PickLine.objects.get(pick=pick, action="place")
    api = api_client_for(world.worker)
    before = _to_handle(pick.pk)
    # Qty. to Handle on the take line and on the place line, Split Line, and a scan of the item with 0.5
    for line in (take, place):
        body = problem(
            api.patch(f"/api/v1/picks/{pick.pk}/lines/{line.pk}/", {"qty_to_handle": "0.5"}, format="json"),
            400,
            "fraction_not_allowed",
        )
        assert body["errors"][0]["field"] == "qty_to_handle"
    body = problem(
        api_client_for(world.supervisor).post(
            f"/api/v1/picks/{pick.pk}/lines/{take.pk}/split/", {"quantity": "1.5"}, format="json"
        ),
        400,
        "fraction_not_allowed",
    )
    assert body["errors"][0]["field"] == "quantity"
    body = problem(
        api.post(f"/api/v1/picks/{pick.pk}/scan/", {"code": "PLAIN", "quantity": "0.5"}, format="json"),
        400,
        "fraction_not_allowed",
    )
    # and on the pick page, the pair's card refuses it too
    page = browser_for(world.worker).post(f"/picks/{pick.pk}/lines/{place.pk}/", {"qty_to_handle": "2.5"})
    assert page.status_code == 400 and "whole units" in page.content.decode()
    assert _to_handle(pick.pk) == before
    assert PickLine.objects.filter(pick=pick).count() == 2


@pytest.mark.parametrize("code", ["WHSE", "SHIPONLY"])
def test_fractions_of_qty_to_ship_are_refused(whole: World, code: str) -> None:
    world = whole
    doc = document(world, (world.plain, 4), location=Location.objects.get(code=code))
    shipment = shipment_for(world, doc)
    if code == "WHSE":
        register(world, warehouse_pick_for(world, shipment))
    line = shipment_line(shipment)
    before = line.qty_to_ship
    assert before == 4
    url = f"/api/v1/warehouse-shipments/{shipment.pk}/lines/{line.pk}/"
    body = problem(
        api_client_for(world.supervisor).patch(url, {"qty_to_ship": "1.5"}, format="json"),
        400,
        "fraction_not_allowed",
    )
    assert body["errors"][0]["field"] == "qty_to_ship" and "whole units" in body["detail"]
    page = browser_for(world.supervisor).post(
        f"/warehouse-shipments/{shipment.pk}/lines/{line.pk}/", {"qty_to_ship": "0.5"}
    )
    assert page.status_code == 400 and "whole units" in page.content.decode()
    assert WarehouseShipmentLine.objects.get(pk=line.pk).qty_to_ship == before
