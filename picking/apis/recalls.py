"""REST API of item tracing and recalls (docs/api.md, "Item tracing and recalls"; docs/recalls.md).

- `GET /tracing/?item=&lot_no=&serial_no=&direction=forward|backward&location=` the tree; `&format=csv`
  the same as rows (`picking.selectors.tracing.trace_rows`).
- `GET, POST /recalls/`, `GET /recalls/{id}/`, `POST /recalls/{id}/close/`.

Everything is read at the locations you are a warehouse employee of (404 for others); opening and closing
recalls is for supervisors and the integration role.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from django.db.models import QuerySet
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import idempotent, valid_input
from core.exceptions import ErrorCode, InvalidInput
from core.fields import CodeField, QuantityField
from core.openapi import IDEMPOTENCY_KEY, PROBLEM
from core.permissions import ModelPermsForMethod, require_perms
from picking.models import Recall
from picking.selectors.recalls import RecallReport, recall_list, recall_report
from picking.selectors.tracing import CSV_HEADER, DIRECTIONS, KINDS, Trace, TraceNode, item_trace, trace_rows
from picking.services.recalls import MAX_NUMBERS, MAX_REASON, recall_close, recall_open

# --- Tracing ---------------------------------------------------------------------------------------------


class CsvRenderer(BaseRenderer):
    """`?format=csv`: the trace's rows; a refusal stays a problem document (JSON)."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        if isinstance(data, dict) and "rows" in data:
            out = io.StringIO()
            writer = csv.writer(out)
            writer.writerow(data["header"])
            writer.writerows(data["rows"])
            return out.getvalue().encode("utf-8")
        return json.dumps(data).encode("utf-8")


def node_data(node: TraceNode) -> dict[str, Any]:
    return {
        "kind": node.kind,
        "id": node.id,
        "no": node.no,
        "date": node.date.isoformat() if node.date else None,
        "quantity": QuantityField().to_representation(node.quantity),
        "location": node.location,
        "bin": node.bin,
        "partner": node.partner,
        "children": [node_data(child) for child in node.children],
    }


def trace_data(trace: Trace) -> dict[str, Any]:
    return {
        "item": trace.item.no,
        "lot_no": trace.lot_no,
        "serial_no": trace.serial_no,
        "direction": trace.direction,
        "node_count": trace.node_count,
        "nodes": [node_data(node) for node in trace.nodes],
    }


TraceNodeOutput = inline_serializer(
    "TraceNode",
    {
        "kind": serializers.ChoiceField(choices=KINDS),
        "id": serializers.IntegerField(),
        "no": serializers.CharField(),
        "date": serializers.DateField(allow_null=True),
        "quantity": QuantityField(),
        "location": serializers.CharField(),
        "bin": serializers.CharField(allow_null=True),
        "partner": serializers.CharField(allow_null=True),
        "children": serializers.ListField(
            child=serializers.DictField(), help_text="Trace nodes of the same shape, nested."
        ),
    },
)
TraceOutput = inline_serializer(
    "Trace",
    {
        "item": serializers.CharField(),
        "lot_no": serializers.CharField(),
        "serial_no": serializers.CharField(),
        "direction": serializers.ChoiceField(choices=DIRECTIONS),
        "node_count": serializers.IntegerField(),
        "nodes": serializers.ListField(child=TraceNodeOutput),
    },
)


class TracingApi(APIView):
    """Where an item's lot or serial number came from (backward) and where it went (forward)."""

    permission_classes = [require_perms("warehouse.view_itemledgerentry")]
    renderer_classes = [JSONRenderer, CsvRenderer]

    @extend_schema(
        parameters=[
            OpenApiParameter("item", str, required=True, description="Item no."),
            OpenApiParameter("lot_no", str, description="Lot no. (give it, the serial no., or both)."),
            OpenApiParameter("serial_no", str, description="Serial no."),
            OpenApiParameter("direction", str, enum=list(DIRECTIONS), description="Default: forward."),
            OpenApiParameter("location", str, description="Only this location (one of yours)."),
            OpenApiParameter("format", str, enum=["json", "csv"], description="csv: the nodes as rows."),
        ],
        responses={
            (200, "application/json"): TraceOutput,
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="The nodes as CSV rows."),
            400: PROBLEM,
            404: PROBLEM,
        },
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        trace = item_trace(
            user=request.user,
            item_no=params.get("item", "").strip(),
            lot_no=params.get("lot_no", "").strip(),
            serial_no=params.get("serial_no", "").strip(),
            direction=params.get("direction", "").strip() or "forward",
            location_code=params.get("location", "").strip(),
        )
        if (
            getattr(request, "accepted_renderer", None) is not None
            and request.accepted_renderer.format == "csv"
        ):
            number = trace.serial_no or trace.lot_no
            filename = f"trace-{trace.item.no}-{number}-{trace.direction}.csv"
            return Response(
                {"header": CSV_HEADER, "rows": trace_rows(trace)},
                headers={"Content-Disposition": f'attachment; filename="{_safe(filename)}"'},
            )
        return Response(trace_data(trace))


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)


# --- Recalls ---------------------------------------------------------------------------------------------


class RecallNumberSerializer(serializers.Serializer[Any]):
    lot_no = serializers.CharField()
    serial_no = serializers.CharField()
    blocked_by_recall = serializers.BooleanField(
        help_text="The recall blocked it (closing it unblocks it); false: it was blocked before."
    )


class RecallSerializer(serializers.ModelSerializer[Recall]):
    item: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="no", read_only=True)
    opened_by: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    closed_by: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    numbers = RecallNumberSerializer(many=True, read_only=True)

    class Meta:
        model = Recall
        fields = [
            "id",
            "no",
            "status",
            "item",
            "reason",
            "numbers",
            "opened_at",
            "opened_by",
            "closed_at",
            "closed_by",
        ]
        read_only_fields = fields


class HeldLineSerializer(serializers.Serializer[Any]):
    pick_id = serializers.IntegerField()
    pick_no = serializers.CharField()
    line_id = serializers.IntegerField()
    line_no = serializers.IntegerField()
    location = serializers.CharField()
    bin = serializers.CharField(allow_null=True)
    lot_no = serializers.CharField()
    serial_no = serializers.CharField()
    quantity = QuantityField(help_text="Outstanding on the line.")
    source_document = serializers.CharField()
    partner = serializers.CharField()


class ShippedSerializer(serializers.Serializer[Any]):
    partner = serializers.CharField()
    source_document = serializers.CharField(help_text="The source document's no.")
    source_document_id = serializers.IntegerField(allow_null=True)
    source_document_type = serializers.CharField()
    document_no = serializers.CharField(help_text="The posted pick or posted shipment.")
    location = serializers.CharField()
    quantity = QuantityField()
    posted_at = serializers.DateField()


class InStockSerializer(serializers.Serializer[Any]):
    location = serializers.CharField()
    bin = serializers.CharField()
    lot_no = serializers.CharField()
    serial_no = serializers.CharField()
    quantity = QuantityField()


class RecallReportSerializer(serializers.Serializer[Any]):
    """A recall with what it lists (at your locations)."""

    blocked_pick_lines = HeldLineSerializer(many=True)
    shipped_to = ShippedSerializer(many=True)
    in_stock = InStockSerializer(many=True)


def report_data(report: RecallReport) -> dict[str, Any]:
    data = dict(RecallSerializer(report.recall).data)
    data["lot_nos"] = report.lot_nos
    data["serial_nos"] = report.serial_nos
    data.update(RecallReportSerializer(report).data)
    return data


class RecallDetailSerializer(RecallSerializer):
    """The schema of one recall with what it lists (rendered by `report_data`)."""

    lot_nos = serializers.ListField(child=serializers.CharField())
    serial_nos = serializers.ListField(child=serializers.CharField())
    blocked_pick_lines = HeldLineSerializer(many=True)
    shipped_to = ShippedSerializer(many=True)
    in_stock = InStockSerializer(many=True)

    class Meta(RecallSerializer.Meta):
        fields = [
            *RecallSerializer.Meta.fields,
            "lot_nos",
            "serial_nos",
            "blocked_pick_lines",
            "shipped_to",
            "in_stock",
        ]
        read_only_fields = fields


RecallDetailOutput = RecallDetailSerializer


class RecallInputSerializer(serializers.Serializer[Any]):
    item = CodeField(max_length=20, help_text="Item no.")
    lot_nos = serializers.ListField(
        child=CodeField(max_length=50), required=False, default=list, max_length=MAX_NUMBERS
    )
    serial_nos = serializers.ListField(
        child=CodeField(max_length=50), required=False, default=list, max_length=MAX_NUMBERS
    )
    reason = serializers.CharField(max_length=MAX_REASON, help_text="Shown to every worker on held lines.")


class RecallListCreateApi(ListAPIView[Recall]):
    """Recalls that concern your locations; POST (supervisors, ERPs) opens one."""

    permission_classes = [ModelPermsForMethod]
    perm_model = "picking.recall"
    serializer_class = RecallSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Recall]:
        params = self.request.query_params
        wanted = params.get("status", "")
        if wanted and wanted not in Recall.Status.values:
            raise InvalidInput(
                _("Status is open or closed."),
                errors=[{"field": "status", "code": ErrorCode.INVALID_CHOICE, "detail": _("open or closed")}],
            )
        return recall_list(user=self.request.user, status=wanted, item_no=params.get("item", ""))

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=Recall.Status.values),
            OpenApiParameter("item", str, description="Item no."),
        ],
        responses={200: RecallSerializer(many=True), 400: PROBLEM},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=RecallInputSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={
            201: RecallDetailOutput,
            400: PROBLEM,
            403: PROBLEM,
            404: PROBLEM,
            409: PROBLEM,
            422: PROBLEM,
        },
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        def create() -> Response:
            values = valid_input(RecallInputSerializer, request.data)
            recall = recall_open(
                item_no=values["item"],
                lot_nos=values["lot_nos"],
                serial_nos=values["serial_nos"],
                reason=values["reason"],
                user=request.user,
            )
            report = recall_report(recall_id=recall.pk, user=request.user)
            return Response(
                report_data(report),
                status=status.HTTP_201_CREATED,
                headers={"Location": f"{request.path}{recall.pk}/"},
            )

        return idempotent(request, create)


class RecallDetailApi(APIView):
    """One recall: its numbers, the open pick lines it holds, who received the numbers, the stock left."""

    permission_classes = [require_perms("picking.view_recall")]

    @extend_schema(responses={200: RecallDetailOutput, 404: PROBLEM})
    def get(self, request: Request, pk: int) -> Response:
        return Response(report_data(recall_report(recall_id=pk, user=request.user)))


class RecallCloseApi(APIView):
    """Close a recall: unblock what it blocked (numbers blocked before it stay blocked)."""

    permission_classes = [require_perms("picking.close_recall")]

    @extend_schema(
        request=None, responses={200: RecallDetailOutput, 403: PROBLEM, 404: PROBLEM, 409: PROBLEM}
    )
    def post(self, request: Request, pk: int) -> Response:
        recall_close(recall_id=pk, user=request.user)
        return Response(report_data(recall_report(recall_id=pk, user=request.user)))


urlpatterns = [
    path("tracing/", TracingApi.as_view(), name="api-tracing"),
    path("recalls/", RecallListCreateApi.as_view(), name="api-recall-list"),
    path("recalls/<int:pk>/", RecallDetailApi.as_view(), name="api-recall-detail"),
    path("recalls/<int:pk>/close/", RecallCloseApi.as_view(), name="api-recall-close"),
]
