"""The data of source document, pick and posted pick events is rendered from plain rows; it must equal
what the API's serializers render."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.core.serializers.json import DjangoJSONEncoder

from core.db import is_postgresql
from core.models import Event
from picking.event_data import (
    pick_data,
    pick_data_in_database,
    pick_data_serialized,
    posted_pick_data,
    posted_pick_data_serialized,
    source_document_data,
    source_documents_data,
    source_documents_data_serialized,
)
from picking.models import PickLine, SourceDocument, SourceLine
from tests.world import document, pick_from, ship

pytestmark = pytest.mark.django_db


def test_event_data_of_documents_equals_what_the_serializer_renders(stocked_world: Any) -> None:
    w = stocked_world
    first = document(
        w,
        (w.sn_spec, 2, {"tracking": [("SN-A", "", 1), ("SN-B", "", 1)]}),
        (w.lot_wh, "2.5", {"bin": w.a1, "tracking": [("", "LOT-1", "1.5")]}),
        (w.plain, 3),
        no="SO-EVENT-1",
    )
    shipment_date = datetime.date(2026, 12, 1)
    SourceDocument.objects.filter(pk=first.pk).update(partner="Cronus", shipment_date=shipment_date)
    SourceLine.objects.filter(document=first, line_no=30000).update(qty_shipped=1, qty_on_picks=1)
    second = document(w, (w.plain, 1), no="SO-EVENT-2")
    documents = [second, first]

    assert source_documents_data(documents) == source_documents_data_serialized(documents)
    # the same keys in the same order (the JSON of the event is the API's answer)
    assert json.dumps(source_documents_data(documents)) == json.dumps(
        source_documents_data_serialized(documents)
    )
    assert json.dumps(source_document_data(first)) == json.dumps(source_documents_data_serialized([first])[0])
    assert [d["no"] for d in source_documents_data(documents)] == ["SO-EVENT-2", "SO-EVENT-1"]


def test_event_data_of_picks_and_posted_picks_equals_what_the_serializers_render(stocked_world: Any) -> None:
    w = stocked_world
    doc = document(
        w,
        (w.sn_spec, 2, {"tracking": [("SN-001", "", 1), ("SN-002", "", 1)]}),
        (w.lot_spec, 3, {"tracking": [("", "L-A", 3)]}),
        (w.plain, 2),
        no="SO-EVENT-PICK",
    )
    pick = pick_from(w, doc)
    assert PickLine.objects.filter(pick=pick).count() >= 3
    assert pick_data(pick) == pick_data_serialized(pick)

    posted = ship(w, pick)
    assert pick_data(pick) == pick_data_serialized(pick)
    assert posted_pick_data(posted) == posted_pick_data_serialized(posted)
    assert len(posted_pick_data(posted)["lines"]) >= 3


@pytest.mark.skipif(not is_postgresql(), reason="the database renders the lines on PostgreSQL only")
def test_pick_data_rendered_by_the_database_equals_pick_data(stocked_world: Any) -> None:
    w = stocked_world
    doc = document(
        w,
        (w.sn_spec, 2, {"tracking": [("SN-001", "", 1), ("SN-002", "", 1)]}),
        (w.lot_spec, 3, {"tracking": [("", "L-A", 3)]}),
        (w.plain, 2),
        no="SO-EVENT-SQL",
    )
    pick = pick_from(w, doc)
    first = PickLine.objects.filter(pick=pick).order_by("line_no").first()
    assert first is not None
    PickLine.objects.filter(pk=first.pk).update(
        expiration_date=datetime.date(2027, 3, 9), qty_handled=0, qty_to_handle=first.quantity
    )

    def written(pick: Any) -> Any:
        event = Event.objects.create(type="pick.created", data={})
        Event.objects.filter(pk=event.pk).update(data=pick_data_in_database(pick))
        event.refresh_from_db()
        return event.data

    expected = json.loads(json.dumps(pick_data(pick), cls=DjangoJSONEncoder))
    assert expected["lines"][0]["expiration_date"] == "2027-03-09"
    assert written(pick) == expected
    ship(w, pick)  # handled quantities, a completed pick
    assert written(pick) == json.loads(json.dumps(pick_data(pick), cls=DjangoJSONEncoder))


def test_event_data_of_registered_picks_and_posted_shipments_equals_what_the_serializers_render(
    world: Any,
) -> None:
    """Two documents on one shipment (serial numbers prescribed, a lot with its expiration date, an
    untracked item): the data of the registered pick and of the posted shipment, read as plain rows,
    equals the serializers' rendering, key for key and in the same order."""
    from picking.event_data import (
        posted_shipment_data,
        posted_shipment_data_serialized,
        registered_pick_data,
        registered_pick_data_serialized,
    )
    from tests.world import post_shipment, register, shipment_for, warehouse_pick_for

    w = world
    whse = w.add_warehouse()
    w.receive(
        w.sn_wh,
        w.bin("W1", whse),
        {"serial_no": "SN-W1", "quantity": 1},
        {"serial_no": "SN-W2", "quantity": 1},
    )
    w.receive(
        w.lot_strict, w.bin("W1", whse), {"lot_no": "L-W", "quantity": "4", "expiration_date": "2031-01-31"}
    )
    w.receive(w.plain, w.bin("W2", whse), {"quantity": 5})
    first = document(
        w,
        (w.sn_wh, 2, {"tracking": [("SN-W1", "", 1), ("SN-W2", "", 1)]}),
        (w.lot_strict, "2.5"),
        no="SO-WEV-1",
        location=whse,
    )
    second = document(w, (w.plain, 3), no="SO-WEV-2", location=whse)
    shipment = shipment_for(w, first, second)
    registered = register(w, warehouse_pick_for(w, shipment))
    posted = post_shipment(w, shipment)

    for rows, serialized in (
        (registered_pick_data(registered), registered_pick_data_serialized(registered)),
        (posted_shipment_data(posted), posted_shipment_data_serialized(posted)),
    ):
        assert rows == serialized
        assert json.dumps(rows, cls=DjangoJSONEncoder) == json.dumps(serialized, cls=DjangoJSONEncoder)
        assert [d["no"] for d in rows["source_documents"]] == ["SO-WEV-1", "SO-WEV-2"]
        assert len(rows["lines"]) >= 4
