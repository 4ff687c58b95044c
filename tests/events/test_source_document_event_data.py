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
