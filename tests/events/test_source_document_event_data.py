"""The data of source document events is rendered from plain rows; it must equal the API's serializer."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from picking.event_data import source_documents_data, source_documents_data_serialized
from picking.models import SourceDocument, SourceLine
from tests.world import document

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
    assert [d["no"] for d in source_documents_data(documents)] == ["SO-EVENT-2", "SO-EVENT-1"]
