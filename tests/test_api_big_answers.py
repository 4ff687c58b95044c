"""Big answers are built from plain rows (`picking.apis.rows`), and say exactly what the DRF serializers
say: the same keys in the same order, the same values and formatting, for picks (inventory and warehouse),
posted picks, registered picks, posted shipments and the ledger entries of an adjustment. Their query
count does not grow with the lines (docs/api.md, "Big answers")."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from picking.apis.inventory import ItemLedgerEntrySerializer, _ledger
from picking.apis.picks import (
    PickCreatedSerializer,
    PickSerializer,
    PostedPickSerializer,
    RegisteredPickSerializer,
    pick_data,
    posted_pick_data,
    registered_pick_data,
)
from picking.apis.rows import ledger_entry_rows
from picking.apis.warehouse_shipments import PostedShipmentSerializer, posted_shipment_data
from picking.selectors.picks import pick_detail, posted_pick_detail
from picking.selectors.shipments import posted_shipment_detail, registered_pick_detail
from picking.services.pick_qty_to_handle import pick_autofill_qty_to_handle
from tests.world import (
    build_world,
    make_pick,
    post_shipment,
    register,
    serials,
    ship,
    shipment_for,
    warehouse_pick_for,
)
from tests.world import document as source_document

pytestmark = pytest.mark.django_db


def same(fast: Any, drf: Any) -> None:
    """Equal, with keys in the same order at every level (the JSON text is the same)."""
    assert fast == drf
    if isinstance(drf, dict):
        assert list(fast) == list(drf)
        for key in drf:
            same(fast[key], drf[key])
    elif isinstance(drf, list):
        for a, b in zip(fast, drf, strict=True):
            same(a, b)


def test_pick_and_posted_pick_answers_match_the_serializers() -> None:
    # given a pick of serial numbers in two bins and of a lot with an expiration date
    world = build_world()
    world.receive(world.sn_wh, "A1", *serials(3, "SA", None))
    world.receive(world.sn_wh, "B1", *serials(2, "SB", None))
    world.receive(world.lot_wh, "A1", {"quantity": 4, "lot_no": "L1", "expiration_date": "2027-01-31"})
    pick = make_pick(world, (world.sn_wh, 5), (world.lot_wh, 3))
    user = world.supervisor
    pick_autofill_qty_to_handle(pick_id=pick.pk, user=user)

    # then the pick's answer is the serializers' answer, with and without not_picked
    drf = dict(PickSerializer(pick_detail(pick_id=pick.pk, user=user)).data)
    header = pick_detail(pick_id=pick.pk, user=user, with_lines=False)
    assert len(drf["lines"]) == 6
    same(pick_data(header), drf)
    created = PickCreatedSerializer(pick_detail(pick_id=pick.pk, user=user), context={"not_picked": []})
    same(pick_data(header, not_picked=[]), dict(created.data))

    # and so is the posted pick's
    posted = ship(world, pick)
    drf_posted = dict(PostedPickSerializer(posted_pick_detail(posted_pick_id=posted.pk, user=user)).data)
    assert len(drf_posted["lines"]) == 6
    same(
        posted_pick_data(posted_pick_detail(posted_pick_id=posted.pk, user=user, with_lines=False)),
        drf_posted,
    )


def test_registered_pick_and_posted_shipment_answers_match_the_serializers() -> None:
    world = build_world()
    warehouse = world.add_warehouse()
    world.receive(world.sn_wh, world.bin("W1", warehouse), *serials(4, "SW", None))
    doc = source_document(world, (world.sn_wh, 4), location=warehouse)
    shipment = shipment_for(world, doc)
    pick = warehouse_pick_for(world, shipment)
    drf_pick = dict(PickSerializer(pick_detail(pick_id=pick.pk, user=world.supervisor)).data)
    same(pick_data(pick_detail(pick_id=pick.pk, user=world.supervisor, with_lines=False)), drf_pick)

    registered = register(world, pick)
    found = registered_pick_detail(registered_pick_id=registered.pk, user=world.supervisor)
    drf = dict(RegisteredPickSerializer(found).data)
    assert len(drf["lines"]) == 8
    header = registered_pick_detail(registered_pick_id=registered.pk, user=world.supervisor, with_lines=False)
    same(registered_pick_data(header), drf)

    posted = post_shipment(world, shipment)
    found_posted = posted_shipment_detail(posted_shipment_id=posted.pk, user=world.supervisor)
    drf_posted = dict(PostedShipmentSerializer(found_posted).data)
    assert len(drf_posted["lines"]) == 4
    header_posted = posted_shipment_detail(
        posted_shipment_id=posted.pk, user=world.supervisor, with_lines=False
    )
    same(posted_shipment_data(header_posted), drf_posted)


def test_adjustment_answer_matches_the_ledger_serializer() -> None:
    world = build_world()
    written = world.receive(
        world.lot_wh, "A1", {"quantity": 2, "lot_no": "L7", "expiration_date": "2027-03-31"}
    ) + world.receive(world.sn_wh, "B1", *serials(3, "SX", None))
    ids = [e.pk for e in written]
    drf = list(ItemLedgerEntrySerializer(_ledger().filter(pk__in=ids).order_by("pk"), many=True).data)
    same(ledger_entry_rows(entry_ids=ids), [dict(row) for row in drf])


def _post_flow_queries(world: Any, client: APIClient, count: int, tag: str) -> dict[str, int]:
    """Queries of the adjustment, pick creation, autofill and posting requests for `count` serials."""
    item = world.add_item(f"BIG-{tag}", "SNWH")
    body = {
        "location": "MAIN",
        "bin": "A1",
        "item": item.no,
        "entries": [{"quantity": "1", "serial_no": f"{tag}-{i:04d}"} for i in range(count)],
    }
    queries: dict[str, int] = {}
    with CaptureQueriesContext(connection) as adjust:
        assert client.post("/api/v1/inventory/adjustments/", body, format="json").status_code == 201
    queries["adjust"] = len(adjust.captured_queries)
    doc = source_document(world, (item, count), no=f"SO-{tag}")
    with CaptureQueriesContext(connection) as create:
        response = client.post("/api/v1/picks/", {"source_document": doc.pk}, format="json")
    assert response.status_code == 201, response.content
    assert len(response.json()["lines"]) == count
    queries["create"] = len(create.captured_queries)
    pick_id = response.json()["id"]
    with CaptureQueriesContext(connection) as autofill:
        response = client.post(f"/api/v1/picks/{pick_id}/autofill-qty-to-handle/")
    assert response.status_code == 200 and len(response.json()["lines"]) == count
    queries["autofill"] = len(autofill.captured_queries)
    with CaptureQueriesContext(connection) as post:
        response = client.post(f"/api/v1/picks/{pick_id}/post/")
    assert response.status_code == 201 and len(response.json()["lines"]) == count
    queries["post"] = len(post.captured_queries)
    return queries


def test_big_answers_take_the_same_number_of_queries_for_3_and_60_serial_numbers() -> None:
    world = build_world()
    client = APIClient()
    client.force_authenticate(world.admin)
    _post_flow_queries(world, client, 2, "W")  # warm caches (content types, permissions)
    small = _post_flow_queries(world, client, 3, "S")
    large = _post_flow_queries(world, client, 60, "L")
    assert small == large
