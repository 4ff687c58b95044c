"""What events about picking objects carry in `data`: the object as the API returns it (the same
serializers as `picking/apis/`), plus its source document's `source_document_type` and `source_document_no`.

Warehouse shipments, warehouse picks, registered picks and posted shipments may gather lines of several
source documents: their data lists them all in `source_documents` (`[{id, type, no}]`, by type and number),
and `source_document_type` / `source_document_no` name the document when there is exactly one (else null).
A warehouse pick's data also names its shipments (`warehouse_shipments`: `[{id, no}]`).

Services emit events (`core.events.event_emit`) but may not import API modules; `PickingConfig.ready`
registers these renderers with `core.events.event_data_renderer_add` instead. Each read is unscoped (the
event is for the ERP, not for the user who made the change) and takes a fixed number of queries.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import JSONField
from django.db.models.expressions import RawSQL

from core.events import event_data_renderer_add
from picking.apis.picks import (
    PickSerializer,
    PickSummarySerializer,
    PostedPickSerializer,
    RegisteredPickSerializer,
)
from picking.apis.picks import pick_data as pick_answer
from picking.apis.picks import posted_pick_data as posted_pick_answer
from picking.apis.picks import registered_pick_data as registered_pick_answer
from picking.apis.recalls import report_data
from picking.apis.rows import pick_line_rows_json, source_document_rows
from picking.apis.source_documents import SourceDocumentSerializer
from picking.apis.warehouse_shipments import PostedShipmentSerializer, WarehouseShipmentSerializer
from picking.apis.warehouse_shipments import posted_shipment_data as posted_shipment_answer
from picking.models import (
    Pick,
    PickLine,
    PostedPick,
    PostedShipment,
    PostedShipmentLine,
    Recall,
    RegisteredPick,
    RegisteredPickLine,
    SourceDocument,
    SourceLine,
    WarehouseShipment,
)
from picking.selectors.picks import pick_lines_load, pick_with_lines, posted_pick_with_lines
from picking.selectors.recalls import recall_report_unscoped
from picking.selectors.shipments import (
    posted_shipment_with_lines,
    registered_pick_with_lines,
    shipment_with_lines,
)
from picking.selectors.source_documents import source_documents_with_lines


def _with_document(data: dict[str, Any], document: SourceDocument | None) -> dict[str, Any]:
    data["source_document_type"] = document.type if document else None
    data["source_document_no"] = document.no if document else None
    return data


def source_document_data(document: SourceDocument) -> dict[str, Any]:
    return source_documents_data([document])[0]


def source_documents_data(documents: Sequence[SourceDocument]) -> list[dict[str, Any]]:
    """Each document as the API answers it (`picking.apis.rows.source_document_rows`: plain rows, three
    queries, no model instance or serializer per line or number), in the order given. The shape is
    `SourceDocumentSerializer`'s, field for field (tests/events check they agree)."""
    pks = [d.pk for d in documents]
    rows = source_document_rows(SourceDocument.objects.filter(pk__in=pks))
    result = []
    for pk in pks:
        data = rows[pk]
        data["source_document_type"] = data["type"]
        data["source_document_no"] = data["no"]
        result.append(data)
    return result


def source_documents_data_serialized(documents: Sequence[SourceDocument]) -> list[dict[str, Any]]:
    """The same through `SourceDocumentSerializer` (what `source_documents_data` must equal)."""
    fresh = source_documents_with_lines(pks=[d.pk for d in documents])
    return [_with_document(dict(SourceDocumentSerializer(d).data), d) for d in fresh]


def _with_documents(data: dict[str, Any], source_line_ids: Any) -> dict[str, Any]:
    """`source_documents` of the source lines (a subquery or ids; one query), and the one document's type
    and no. as `source_document_type` / `source_document_no` when there is exactly one."""
    documents = list(
        SourceDocument.objects.filter(
            pk__in=SourceLine.objects.filter(pk__in=source_line_ids).values("document_id")
        )
        .order_by("type", "no")
        .values("id", "type", "no")
    )
    data["source_documents"] = documents
    data["source_document_type"] = documents[0]["type"] if len(documents) == 1 else None
    data["source_document_no"] = documents[0]["no"] if len(documents) == 1 else None
    return data


def pick_data(pick: Pick) -> dict[str, Any]:
    plain = pick_with_lines(pick_id=pick.pk, with_lines=False)
    if plain.type != Pick.Type.WAREHOUSE_PICK:  # lines read as plain rows (picking.apis.picks.pick_data)
        return _with_document(pick_answer(plain), plain.source_document)
    fresh = pick_lines_load(plain)  # a warehouse pick's take/place pairs, as the API answers them
    data = dict(PickSerializer(fresh).data)
    lines = PickLine.objects.filter(pick_id=fresh.pk)
    data["warehouse_shipments"] = list(
        WarehouseShipment.objects.filter(pk__in=lines.values("shipment_line__shipment_id"))
        .order_by("pk")
        .values("id", "no")
    )
    return _with_documents(data, lines.values("source_line_id"))


def pick_data_in_database(pick: Pick) -> RawSQL | None:
    """`pick_data` of an inventory pick as an expression PostgreSQL evaluates in the UPDATE that writes the
    event (`core.events._render_deferred`): the header rendered here, its lines as JSON built by the
    database (`picking.apis.rows.pick_line_rows_json`), the two joined as text and cast to json once. The
    same data, one query less, and the lines of a pick of 10 000 serial numbers neither read into Python,
    nor encoded to JSON, nor sent over the connection. None for a warehouse pick (`pick_data` renders it).
    """
    if pick.type == Pick.Type.WAREHOUSE_PICK:
        return None
    plain = pick_with_lines(pick_id=pick.pk, with_lines=False)
    header = _with_document(dict(PickSummarySerializer(plain).data), plain.source_document)
    header_json = json.dumps(header, cls=DjangoJSONEncoder)  # "{...}": "lines" goes before its "}"
    opening = header_json[:-1] + (', "lines": ' if header else '"lines": ')
    lines_sql, params = pick_line_rows_json(pick_id=plain.pk)
    return RawSQL(f"(%s || ({lines_sql}) || '}}')::json", [opening, *params], output_field=JSONField())


def shipment_data(shipment: WarehouseShipment) -> dict[str, Any]:
    fresh = shipment_with_lines(shipment_id=shipment.pk)
    data = dict(WarehouseShipmentSerializer(fresh).data)
    return _with_documents(data, [line.source_line_id for line in fresh.lines.all()])


def registered_pick_data(registered: RegisteredPick) -> dict[str, Any]:
    """A registered pick as the API answers it, its lines from plain rows
    (`picking.apis.picks.registered_pick_data`: no model instance or serializer per line)."""
    fresh = registered_pick_with_lines(registered_pick_id=registered.pk, with_lines=False)
    lines = RegisteredPickLine.objects.filter(registered_pick_id=fresh.pk).values("source_line_id")
    return _with_documents(registered_pick_answer(fresh), lines)


def posted_shipment_data(posted: PostedShipment) -> dict[str, Any]:
    """A posted shipment as the API answers it, its lines from plain rows
    (`picking.apis.warehouse_shipments.posted_shipment_data`)."""
    fresh = posted_shipment_with_lines(posted_shipment_id=posted.pk, with_lines=False)
    lines = PostedShipmentLine.objects.filter(posted_shipment_id=fresh.pk).values("source_line_id")
    return _with_documents(posted_shipment_answer(fresh), lines)


def registered_pick_data_serialized(registered: RegisteredPick) -> dict[str, Any]:
    """`registered_pick_data` through `RegisteredPickSerializer` (what it must equal; tests/events)."""
    fresh = registered_pick_with_lines(registered_pick_id=registered.pk)
    data = dict(RegisteredPickSerializer(fresh).data)
    return _with_documents(data, [line.source_line_id for line in fresh.lines.all()])


def posted_shipment_data_serialized(posted: PostedShipment) -> dict[str, Any]:
    """`posted_shipment_data` through `PostedShipmentSerializer` (what it must equal; tests/events)."""
    fresh = posted_shipment_with_lines(posted_shipment_id=posted.pk)
    data = dict(PostedShipmentSerializer(fresh).data)
    return _with_documents(data, [line.source_line_id for line in fresh.lines.all()])


def posted_pick_data(posted: PostedPick) -> dict[str, Any]:
    fresh = posted_pick_with_lines(posted_pick_id=posted.pk, with_lines=False)
    return _with_document(posted_pick_answer(fresh), fresh.source_document)


def pick_data_serialized(pick: Pick) -> dict[str, Any]:
    """`pick_data` through `PickSerializer` (what `pick_data` must equal; tests/events check it)."""
    fresh = pick_with_lines(pick_id=pick.pk)
    if fresh.type == Pick.Type.WAREHOUSE_PICK:
        return pick_data(pick)
    return _with_document(dict(PickSerializer(fresh).data), fresh.source_document)


def posted_pick_data_serialized(posted: PostedPick) -> dict[str, Any]:
    """`posted_pick_data` through `PostedPickSerializer` (what `posted_pick_data` must equal)."""
    fresh = posted_pick_with_lines(posted_pick_id=posted.pk)
    return _with_document(dict(PostedPickSerializer(fresh).data), fresh.source_document)


def recall_data(recall: Recall) -> dict[str, Any]:
    """A recall as `GET /recalls/{id}/` answers it, at every location (the ERP sees all of them); a recall
    has no source document of its own."""
    return _with_document(report_data(recall_report_unscoped(recall_id=recall.pk)), None)


def register() -> None:
    event_data_renderer_add(SourceDocument, source_document_data, source_documents_data)
    event_data_renderer_add(Pick, pick_data, render_in_database=pick_data_in_database)
    event_data_renderer_add(PostedPick, posted_pick_data)
    event_data_renderer_add(Recall, recall_data)
    event_data_renderer_add(WarehouseShipment, shipment_data)
    event_data_renderer_add(RegisteredPick, registered_pick_data)
    event_data_renderer_add(PostedShipment, posted_shipment_data)
