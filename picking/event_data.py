"""What events about picking objects carry in `data`: the object as the API returns it (the same
serializers as `picking/apis/`), plus its source document's `source_document_type` and `source_document_no`.

Services emit events (`core.events.event_emit`) but may not import API modules; `PickingConfig.ready`
registers these renderers with `core.events.event_data_renderer_add` instead. Each read is unscoped (the
event is for the ERP, not for the user who made the change) and takes a fixed number of queries.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from rest_framework import serializers

from core.events import event_data_renderer_add
from core.quantities import ZERO, format_quantity
from picking.apis.picks import PickSerializer, PickSummarySerializer, PostedPickSerializer
from picking.apis.source_documents import SourceDocumentSerializer
from picking.models import (
    ItemTrackingLine,
    Pick,
    PickLine,
    PostedPick,
    PostedPickLine,
    SourceDocument,
    SourceLine,
)
from picking.selectors.picks import pick_with_lines, posted_pick_with_lines
from picking.selectors.source_documents import source_documents_with_lines


def _with_document(data: dict[str, Any], document: SourceDocument | None) -> dict[str, Any]:
    data["source_document_type"] = document.type if document else None
    data["source_document_no"] = document.no if document else None
    return data


def source_document_data(document: SourceDocument) -> dict[str, Any]:
    return source_documents_data([document])[0]


def source_documents_data(documents: Sequence[SourceDocument]) -> list[dict[str, Any]]:
    """`SourceDocumentSerializer`'s data of each document, read as plain rows (three queries): an import
    or a document of 10 000 prescribed numbers builds no model instance and no serializer per row. The
    shape is the serializer's, field for field (tests/events check they agree)."""
    pks = [d.pk for d in documents]
    date_field, datetime_field = serializers.DateField(), serializers.DateTimeField()
    headers = {
        row["id"]: row
        for row in SourceDocument.objects.filter(pk__in=pks).values(
            "id", "type", "no", "location__code", "partner", "shipment_date", "status", "created_at"
        )
    }
    tracking: dict[int, list[dict[str, Any]]] = defaultdict(list)
    tracked: dict[int, Decimal] = defaultdict(lambda: ZERO)
    rows = (
        ItemTrackingLine.objects.filter(source_line__document_id__in=pks)
        .order_by("pk")
        .values_list(
            "source_line_id", "serial_no", "lot_no", "expiration_date", "quantity", "qty_handled", "origin"
        )
    )
    for line_id, serial_no, lot_no, expiration, quantity, handled, origin in rows:
        tracking[line_id].append(
            {
                "serial_no": serial_no,
                "lot_no": lot_no,
                "expiration_date": date_field.to_representation(expiration) if expiration else None,
                "quantity": format_quantity(quantity),
                "qty_handled": format_quantity(handled),
                "origin": origin,
            }
        )
        tracked[line_id] += quantity
    lines: dict[int, list[dict[str, Any]]] = defaultdict(list)
    line_rows = (
        SourceLine.objects.filter(document_id__in=pks)
        .order_by("document_id", "line_no")
        .values_list(
            "pk",
            "document_id",
            "line_no",
            "item__no",
            "quantity",
            "bin__code",
            "qty_shipped",
            "qty_on_picks",
            "qty_on_shipments",
        )
    )
    for pk, document_id, line_no, item_no, quantity, bin_code, shipped, on_picks, on_shipments in line_rows:
        lines[document_id].append(
            {
                "line_no": line_no,
                "item": item_no,
                "quantity": format_quantity(quantity),
                "bin": bin_code,
                "qty_shipped": format_quantity(shipped),
                "qty_on_picks": format_quantity(on_picks),
                "qty_on_shipments": format_quantity(on_shipments),
                "qty_outstanding": format_quantity(quantity - shipped),
                "qty_tracked": format_quantity(tracked.get(pk, quantity * 0)),
                "tracking": tracking.get(pk, []),
            }
        )
    result = []
    for pk in pks:
        h = headers[pk]
        shipment_date = h["shipment_date"]
        result.append(
            {
                "id": pk,
                "type": h["type"],
                "no": h["no"],
                "location": h["location__code"],
                "partner": h["partner"],
                "shipment_date": date_field.to_representation(shipment_date) if shipment_date else None,
                "status": h["status"],
                "created_at": datetime_field.to_representation(h["created_at"]),
                "lines": lines.get(pk, []),
                "source_document_type": h["type"],
                "source_document_no": h["no"],
            }
        )
    return result


def source_documents_data_serialized(documents: Sequence[SourceDocument]) -> list[dict[str, Any]]:
    """The same through `SourceDocumentSerializer` (what `source_documents_data` must equal)."""
    fresh = source_documents_with_lines(pks=[d.pk for d in documents])
    return [_with_document(dict(SourceDocumentSerializer(d).data), d) for d in fresh]


def pick_data(pick: Pick) -> dict[str, Any]:
    """`PickSerializer`'s data: the pick through its summary serializer, its lines (thousands) read as
    plain rows (tests/events check both agree)."""
    fresh = Pick.objects.select_related("location", "source_document", "assigned_to").get(pk=pick.pk)
    data = dict(PickSummarySerializer(fresh).data)
    date_field = serializers.DateField()
    rows = (
        PickLine.objects.filter(pick_id=pick.pk)
        .order_by("line_no")
        .values_list(
            *("pk", "line_no", "action", "item__no", "bin__code", "quantity", "qty_handled", "qty_to_handle"),
            *("serial_no", "lot_no", "expiration_date", "tracking_locked", "source_line__line_no"),
            *("pair_id", "shipment_line_id"),
        )
    )
    data["lines"] = [
        {
            "id": pk,
            "line_no": line_no,
            "action": action,
            "item": item_no,
            "bin": bin_code,
            "quantity": format_quantity(quantity),
            "qty_handled": format_quantity(handled),
            "qty_outstanding": format_quantity(quantity - handled),
            "qty_to_handle": format_quantity(to_handle),
            "serial_no": serial_no,
            "lot_no": lot_no,
            "expiration_date": date_field.to_representation(expiration) if expiration else None,
            "tracking_locked": locked,
            "source_line_no": source_line_no,
            "pair": pair_id,
            "shipment_line": shipment_line_id,
        }
        for (
            pk,
            line_no,
            action,
            item_no,
            bin_code,
            quantity,
            handled,
            to_handle,
            serial_no,
            lot_no,
            expiration,
            locked,
            source_line_no,
            pair_id,
            shipment_line_id,
        ) in rows
    ]
    return _with_document(data, fresh.source_document)


def pick_data_serialized(pick: Pick) -> dict[str, Any]:
    """The same through `PickSerializer` (what `pick_data` must equal)."""
    fresh = pick_with_lines(pick_id=pick.pk)
    return _with_document(dict(PickSerializer(fresh).data), fresh.source_document)


class _PostedPickHeaderSerializer(PostedPickSerializer):
    class Meta(PostedPickSerializer.Meta):
        fields = [f for f in PostedPickSerializer.Meta.fields if f != "lines"]
        read_only_fields = fields


def posted_pick_data(posted: PostedPick) -> dict[str, Any]:
    """`PostedPickSerializer`'s data, its lines read as plain rows (tests/events check both agree)."""
    fresh = PostedPick.objects.select_related("location", "source_document", "posted_by").get(pk=posted.pk)
    data = dict(_PostedPickHeaderSerializer(fresh).data)
    date_field = serializers.DateField()
    rows = (
        PostedPickLine.objects.filter(posted_pick_id=posted.pk)
        .order_by("line_no")
        .values_list(
            *("line_no", "pick_line_no", "item__no", "bin__code", "quantity", "serial_no", "lot_no"),
            *("expiration_date", "source_line__line_no"),
        )
    )
    data["lines"] = [
        {
            "line_no": line_no,
            "pick_line_no": pick_line_no,
            "item": item_no,
            "bin": bin_code,
            "quantity": format_quantity(quantity),
            "serial_no": serial_no,
            "lot_no": lot_no,
            "expiration_date": date_field.to_representation(expiration) if expiration else None,
            "source_line_no": source_line_no,
        }
        for (
            line_no,
            pick_line_no,
            item_no,
            bin_code,
            quantity,
            serial_no,
            lot_no,
            expiration,
            source_line_no,
        ) in rows
    ]
    return _with_document(data, fresh.source_document)


def posted_pick_data_serialized(posted: PostedPick) -> dict[str, Any]:
    """The same through `PostedPickSerializer` (what `posted_pick_data` must equal)."""
    fresh = posted_pick_with_lines(posted_pick_id=posted.pk)
    return _with_document(dict(PostedPickSerializer(fresh).data), fresh.source_document)


def register() -> None:
    event_data_renderer_add(SourceDocument, source_document_data, source_documents_data)
    event_data_renderer_add(Pick, pick_data)
    event_data_renderer_add(PostedPick, posted_pick_data)
