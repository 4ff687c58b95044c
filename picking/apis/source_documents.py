"""REST API for source documents (docs/source-documents.md, "REST API"): create (idempotent), list, read,
replace a line's item tracking lines, and bulk import as a background job.

Views only parse, call one service or selector, and render. The services check everything and raise
DomainErrors, which core.api renders as problem details.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import path, reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import idempotent, refuse_read_only_fields, valid_input
from core.apis import JobSerializer
from core.exceptions import ErrorCode, InvalidInput
from core.fields import CodeField, QuantityField
from core.openapi import IDEMPOTENCY_KEY, PROBLEM
from core.parsers import loads
from core.permissions import ModelPermsForMethod, require_perms
from picking.apis.rows import source_document_rows
from picking.models import ItemTrackingLine, SourceDocument, SourceLine
from picking.selectors.source_documents import (
    source_document_get,
    source_document_list,
    source_document_not_found,
    source_document_visible,
    source_line_get,
)
from picking.services.item_tracking_lines import item_tracking_lines_replace
from picking.services.source_document_change import (
    source_document_cancel,
    source_line_add,
    source_line_delete,
)
from picking.services.source_document_create import source_document_create_with_data
from picking.services.source_document_import import source_document_import_start
from picking.services.source_lines import source_line_set_quantity

# --- Output ------------------------------------------------------------------------------------


class ItemTrackingLineSerializer(serializers.ModelSerializer[ItemTrackingLine]):
    quantity = QuantityField(read_only=True)
    qty_handled = QuantityField(read_only=True)

    class Meta:
        model = ItemTrackingLine
        fields = ["serial_no", "lot_no", "expiration_date", "quantity", "qty_handled", "origin"]
        read_only_fields = fields


class SourceLineSerializer(serializers.ModelSerializer[SourceLine]):
    item: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="no", read_only=True)
    bin: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    quantity = QuantityField(read_only=True)
    qty_shipped = QuantityField(read_only=True)
    qty_on_picks = QuantityField(read_only=True)
    qty_on_shipments = QuantityField(read_only=True)
    qty_outstanding = QuantityField(read_only=True)
    qty_tracked = serializers.SerializerMethodField()
    tracking = ItemTrackingLineSerializer(source="tracking_lines", many=True, read_only=True)

    class Meta:
        model = SourceLine
        fields = [
            "line_no",
            "item",
            "quantity",
            "bin",
            "qty_shipped",
            "qty_on_picks",
            "qty_on_shipments",
            "qty_outstanding",
            "qty_tracked",
            "tracking",
        ]
        read_only_fields = fields

    def get_qty_tracked(self, line: SourceLine) -> str:
        """Quantity with serial or lot numbers (from the prefetched tracking lines)."""
        total = sum((t.quantity for t in line.tracking_lines.all()), line.quantity * 0)
        return QuantityField().to_representation(total)


class SourceDocumentSerializer(serializers.ModelSerializer[SourceDocument]):
    location: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    lines = SourceLineSerializer(many=True, read_only=True)

    class Meta:
        model = SourceDocument
        fields = ["id", "type", "no", "location", "partner", "shipment_date", "status", "created_at", "lines"]
        read_only_fields = fields


# --- Input (for the schema; the services check the input themselves and report every problem) ----


class TrackingInputSerializer(serializers.Serializer[Any]):
    serial_no = CodeField(required=False, allow_blank=True, max_length=50)
    lot_no = CodeField(required=False, allow_blank=True, max_length=50)
    quantity = QuantityField()


class SourceLineInputSerializer(serializers.Serializer[Any]):
    line_no = serializers.IntegerField(min_value=1)
    item = serializers.CharField(help_text="Item no.")
    quantity = QuantityField()
    bin = serializers.CharField(required=False, allow_blank=True, help_text="Bin code at the location.")
    tracking = TrackingInputSerializer(many=True, required=False)


class SourceDocumentInputSerializer(serializers.Serializer[Any]):
    type = serializers.ChoiceField(choices=SourceDocument.Type.choices)
    no = serializers.CharField(max_length=30)
    location = serializers.CharField(help_text="Location code.")
    partner = serializers.CharField(required=False, allow_blank=True, max_length=100)
    shipment_date = serializers.DateField(required=False, allow_null=True)
    lines = SourceLineInputSerializer(many=True)


class TrackingReplaceSerializer(serializers.Serializer[Any]):
    tracking = TrackingInputSerializer(many=True)


LIST_PARAMETERS = [
    OpenApiParameter("type", str, enum=SourceDocument.Type.values, description="Document type."),
    OpenApiParameter("no", str, description="Document number (exact)."),
    OpenApiParameter("location", str, description="Location code."),
    OpenApiParameter("status", str, enum=SourceDocument.Status.values),
    OpenApiParameter("search", str, description="Part of the document number or the partner."),
]


def _document_response(document_id: int, user: Any, status_code: int = 200) -> Response:
    """The document as `SourceDocumentSerializer` renders it, read as plain rows (three queries, no model
    instance per line or number: the answer to a document of 10 000 serial numbers costs like its rows)."""
    data = source_document_rows(source_document_visible(user=user, pk=document_id)).get(document_id)
    if data is None:
        raise source_document_not_found()
    headers = {}
    if status_code == status.HTTP_201_CREATED:
        headers["Location"] = reverse("api-source-document-detail", args=[document_id])
    return Response(data, status=status_code, headers=headers)


class SourceDocumentListCreateApi(ListAPIView[SourceDocument]):
    """List source documents at your locations, or create one (ERP integrations, supervisors)."""

    permission_classes = [ModelPermsForMethod]
    perm_model = "picking.sourcedocument"
    serializer_class = SourceDocumentSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[SourceDocument]:
        params = self.request.query_params
        return source_document_list(
            user=self.request.user,
            type=params.get("type", ""),
            no=params.get("no", ""),
            location=params.get("location", ""),
            status=params.get("status", ""),
            search=params.get("search", ""),
            with_lines=True,
        )

    @extend_schema(parameters=LIST_PARAMETERS)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=SourceDocumentInputSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: SourceDocumentSerializer, 400: PROBLEM, 409: PROBLEM, 422: PROBLEM},
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        def create() -> Response:
            created = source_document_create_with_data(data=request.data, user=request.user)
            # The document as this API answers it, its JSON text made once with its event's data.
            return Response(
                created.answer,
                status=status.HTTP_201_CREATED,
                headers={"Location": reverse("api-source-document-detail", args=[created.document.pk])},
            )

        return idempotent(request, create)


class SourceDocumentDetailApi(APIView):
    """One source document with its lines and item tracking lines."""

    permission_classes = [ModelPermsForMethod]
    perm_model = "picking.sourcedocument"

    @extend_schema(responses={200: SourceDocumentSerializer, 404: PROBLEM})
    def get(self, request: Request, pk: int) -> Response:
        return _document_response(pk, request.user)


class SourceLineTrackingApi(APIView):
    """Replace the serial and lot numbers a source line prescribes (409 `tracking_locked` on a pick)."""

    permission_classes = [ModelPermsForMethod]
    perm_model = "picking.itemtrackingline"

    @extend_schema(
        request=TrackingReplaceSerializer,
        responses={200: SourceLineSerializer, 400: PROBLEM, 404: PROBLEM, 409: PROBLEM},
    )
    def put(self, request: Request, pk: int, line_no: int) -> Response:
        line = source_line_get(user=request.user, document_id=pk, line_no=line_no)
        body = request.data
        if not isinstance(body, dict) or not isinstance(body.get("tracking"), list):
            raise InvalidInput(
                _(
                    'Send {"tracking": [{"serial_no", "lot_no", "quantity"}, ...]}; an empty list removes '
                    "every "
                    "number of the line."
                ),
                errors=[
                    {"field": "tracking", "code": ErrorCode.REQUIRED, "detail": _("A list is required.")}
                ],
            )
        item_tracking_lines_replace(source_line_id=line.pk, tracking=body["tracking"], user=request.user)
        document = source_document_get(user=request.user, pk=pk)
        fresh = next(x for x in document.lines.all() if x.line_no == line_no)
        return Response(SourceLineSerializer(fresh).data)


# --- Changes from the ERP: line quantity, add and delete lines, cancel ---------------------------------


class SourceLineQuantityInputSerializer(serializers.Serializer[Any]):
    quantity = QuantityField()


def _line_response(document_id: int, line_no: int, user: Any, status_code: int = 200) -> Response:
    document = source_document_get(user=user, pk=document_id)
    line = next(x for x in document.lines.all() if x.line_no == line_no)
    headers = {}
    if status_code == status.HTTP_201_CREATED:
        headers["Location"] = reverse("api-source-line", args=[document_id, line_no])
    return Response(SourceLineSerializer(line).data, status=status_code, headers=headers)


class SourceLineAddApi(APIView):
    """Add a line to a document (same shape as in a new document): 201 the line; 409 `already_exists` for
    a line_no the document has, `document_cancelled` for a cancelled document."""

    permission_classes = [require_perms("picking.change_sourcedocument")]

    @extend_schema(
        request=SourceLineInputSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: SourceLineSerializer, 400: PROBLEM, 404: PROBLEM, 409: PROBLEM, 422: PROBLEM},
    )
    def post(self, request: Request, pk: int) -> Response:
        def create() -> Response:
            line = source_line_add(document_id=pk, data=request.data, user=request.user)
            return _line_response(pk, line.line_no, request.user, status.HTTP_201_CREATED)

        return idempotent(request, create)


class SourceLineApi(APIView):
    """PATCH a line's quantity (409 `quantity_below_committed` below shipped + on picks and shipments);
    DELETE a line with nothing committed (409 `line_committed` otherwise)."""

    permission_classes = [require_perms("picking.change_sourcedocument")]

    @extend_schema(
        request=SourceLineQuantityInputSerializer,
        responses={200: SourceLineSerializer, 400: PROBLEM, 404: PROBLEM, 409: PROBLEM},
    )
    def patch(self, request: Request, pk: int, line_no: int) -> Response:
        refuse_read_only_fields(
            request.data, writable=["quantity"], known=[*SourceLineSerializer.Meta.fields, "line_no"]
        )
        data = valid_input(SourceLineQuantityInputSerializer, request.data)
        line = source_line_get(user=request.user, document_id=pk, line_no=line_no)
        source_line_set_quantity(source_line_id=line.pk, quantity=data["quantity"], user=request.user)
        return _line_response(pk, line_no, request.user)

    @extend_schema(responses={204: None, 404: PROBLEM, 409: PROBLEM})
    def delete(self, request: Request, pk: int, line_no: int) -> Response:
        source_line_delete(document_id=pk, line_no=line_no, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SourceDocumentCancelApi(APIView):
    """Cancel a document with nothing shipped or committed (409 `line_committed` otherwise); a cancelled
    document is never picked. Repeating it answers the cancelled document again."""

    permission_classes = [require_perms("picking.change_sourcedocument")]

    @extend_schema(
        request=None,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: SourceDocumentSerializer, 404: PROBLEM, 409: PROBLEM, 422: PROBLEM},
    )
    def post(self, request: Request, pk: int) -> Response:
        def cancel() -> Response:
            source_document_cancel(document_id=pk, user=request.user)
            return _document_response(pk, request.user)

        return idempotent(request, cancel)


IMPORT_MAX_BYTES = 100 * 1024 * 1024


def _read_import_body(request: Request) -> Any:
    """The JSON body of an import, read from the stream, with the API's limits (core.parsers).

    Imports are large on purpose ("thousands at once"): they are not held to the 2.5 MB limit that
    Django sets for ordinary request bodies (DATA_UPLOAD_MAX_MEMORY_SIZE), but to IMPORT_MAX_BYTES (the
    view's `max_body_bytes`: core.middleware answers 413 `body_too_large` beyond it).
    """
    if "json" not in (request.content_type or ""):
        raise InvalidInput(
            _("Send the import as JSON (Content-Type: application/json)."), code=ErrorCode.PARSE_ERROR
        )
    raw = request._request.read(IMPORT_MAX_BYTES + 1)
    return loads(raw) if raw else None


class SourceDocumentImportApi(APIView):
    """Import many source documents at once as a background job; follow `Location` for its progress."""

    permission_classes = [ModelPermsForMethod]
    perm_model = "picking.sourcedocument"
    max_body_bytes = IMPORT_MAX_BYTES  # core.middleware answers 413 beyond it

    @extend_schema(
        request=SourceDocumentInputSerializer(many=True),
        responses={
            202: inline_serializer(
                "SourceDocumentImportAccepted", fields={"job": JobSerializer(), "url": serializers.URLField()}
            ),
            400: PROBLEM,
        },
    )
    def post(self, request: Request) -> Response:
        job = source_document_import_start(documents=_read_import_body(request), user=request.user)
        job.refresh_from_db()
        location = reverse("api-job-detail", args=[job.pk])
        return Response(
            {"job": JobSerializer(job).data, "url": request.build_absolute_uri(location)},
            status=status.HTTP_202_ACCEPTED,
            headers={"Location": location},
        )


urlpatterns = [
    path("source-documents/", SourceDocumentListCreateApi.as_view(), name="api-source-document-list"),
    path("source-documents/import/", SourceDocumentImportApi.as_view(), name="api-source-document-import"),
    path("source-documents/<int:pk>/", SourceDocumentDetailApi.as_view(), name="api-source-document-detail"),
    path("source-documents/<int:pk>/lines/", SourceLineAddApi.as_view(), name="api-source-line-add"),
    path("source-documents/<int:pk>/lines/<int:line_no>/", SourceLineApi.as_view(), name="api-source-line"),
    path(
        "source-documents/<int:pk>/cancel/",
        SourceDocumentCancelApi.as_view(),
        name="api-source-document-cancel",
    ),
    path(
        "source-documents/<int:pk>/lines/<int:line_no>/tracking/",
        SourceLineTrackingApi.as_view(),
        name="api-source-line-tracking",
    ),
]
