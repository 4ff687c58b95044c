"""REST API for warehouse shipments and posted shipments (docs/api.md, "Endpoints";
docs/warehouse-shipments.md). Registering warehouse picks is in picking.apis.picks.

Views parse input, call one service or selector, and render. Services check everything (visibility,
permissions, location modes, quantities) and raise DomainErrors, which core.api renders as problem
details. Permissions: reading needs `view_warehouseshipment`; creating, changing and deleting
`add_` / `change_` / `delete_warehouseshipment` (supervisors, ERPs); creating a pick `add_pick`; posting
`post_warehouseshipment`.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.db.models import QuerySet
from django.urls import path, reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import idempotent, lines_created, valid_input
from core.exceptions import ErrorCode, InvalidInput, NotFoundError
from core.fields import QuantityField
from core.openapi import IDEMPOTENCY_KEY, PREFER_MINIMAL, PROBLEM
from core.permissions import ModelPermsForMethod, require_perms
from picking.apis.picks import LINE_COUNT_HELP, LINES_HELP, PickCreatedAnswerSerializer, pick_response
from picking.apis.rows import posted_shipment_line_rows
from picking.models import (
    PostedShipment,
    PostedShipmentLine,
    SourceDocument,
    WarehouseShipment,
    WarehouseShipmentLine,
)
from picking.selectors.shipments import (
    posted_shipment_detail,
    posted_shipment_list,
    shipment_detail,
    shipment_list,
)
from picking.services.shipment_create import warehouse_shipment_create
from picking.services.shipment_lines import (
    UNSET,
    warehouse_shipment_delete,
    warehouse_shipment_line_delete,
    warehouse_shipment_line_update,
)
from picking.services.shipment_post import warehouse_shipment_post
from picking.services.warehouse_pick_create import warehouse_pick_create

# --- Output -------------------------------------------------------------------------------------


class WarehouseShipmentLineSerializer(serializers.ModelSerializer[WarehouseShipmentLine]):
    source_document = serializers.IntegerField(source="source_line.document_id", read_only=True)
    source_document_no = serializers.CharField(source="source_line.document.no", read_only=True)
    source_line_no = serializers.IntegerField(source="source_line.line_no", read_only=True)
    item: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="no", read_only=True)
    bin: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    quantity = QuantityField(read_only=True)
    qty_picked = QuantityField(read_only=True)
    qty_on_picks = QuantityField(read_only=True)
    qty_shipped = QuantityField(read_only=True)
    qty_outstanding = QuantityField(read_only=True)
    qty_to_ship = QuantityField(read_only=True)

    class Meta:
        model = WarehouseShipmentLine
        fields = [
            "id",
            "line_no",
            "source_document",
            "source_document_no",
            "source_line_no",
            "item",
            "bin",
            "quantity",
            "qty_picked",
            "qty_on_picks",
            "qty_shipped",
            "qty_outstanding",
            "qty_to_ship",
        ]
        read_only_fields = fields


class WarehouseShipmentSerializer(serializers.ModelSerializer[WarehouseShipment]):
    location: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    created_by: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    lines = WarehouseShipmentLineSerializer(many=True, read_only=True)

    class Meta:
        model = WarehouseShipment
        fields = ["id", "no", "location", "status", "created_at", "created_by", "lines"]
        read_only_fields = fields


class PostedShipmentLineSerializer(serializers.ModelSerializer[PostedShipmentLine]):
    source_document_no = serializers.CharField(source="source_document.no", read_only=True)
    source_line_no = serializers.IntegerField(source="source_line.line_no", read_only=True)
    item: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="no", read_only=True)
    bin: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="code", read_only=True)
    quantity = QuantityField(read_only=True)

    class Meta:
        model = PostedShipmentLine
        fields = [
            "line_no",
            "shipment_line_no",
            "source_document",
            "source_document_no",
            "source_line_no",
            "item",
            "bin",
            "quantity",
            "serial_no",
            "lot_no",
            "expiration_date",
        ]
        read_only_fields = fields


class PostedShipmentHeaderSerializer(serializers.ModelSerializer[PostedShipment]):
    location: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    posted_by: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = PostedShipment
        fields = [
            "id",
            "no",
            "shipment_no",
            "location",
            "posting_date",
            "posted_at",
            "posted_by",
        ]
        read_only_fields = fields


class PostedShipmentSerializer(PostedShipmentHeaderSerializer):
    lines = PostedShipmentLineSerializer(many=True, read_only=True)

    class Meta(PostedShipmentHeaderSerializer.Meta):
        fields = [*PostedShipmentHeaderSerializer.Meta.fields, "lines"]
        read_only_fields = fields


class PostedShipmentAnswerSerializer(PostedShipmentHeaderSerializer):
    """What posting a shipment answers (schema only): the posted shipment with every line, or their number."""

    lines = PostedShipmentLineSerializer(many=True, required=False, help_text=LINES_HELP)
    line_count = serializers.IntegerField(required=False, help_text=LINE_COUNT_HELP)

    class Meta(PostedShipmentHeaderSerializer.Meta):
        fields = [*PostedShipmentHeaderSerializer.Meta.fields, "lines", "line_count"]


def posted_shipment_data(posted: PostedShipment) -> dict[str, Any]:
    """What `PostedShipmentSerializer` answers, the lines from plain rows (`picking.apis.rows`)."""
    data = dict(PostedShipmentHeaderSerializer(posted).data)
    data["lines"] = posted_shipment_line_rows(posted_shipment_id=posted.pk)
    return data


# --- Input --------------------------------------------------------------------------------------


class ShipmentCreateInputSerializer(serializers.Serializer[Any]):
    location = serializers.CharField(max_length=10, help_text="Location code.")
    source_documents = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        allow_empty=False,
        max_length=1000,
        help_text="Source document ids; without them, every released document matching the filters.",
    )
    document_type = serializers.ChoiceField(choices=SourceDocument.Type.choices, required=False)
    no_from = serializers.CharField(max_length=30, required=False, allow_blank=True)
    no_to = serializers.CharField(max_length=30, required=False, allow_blank=True)
    partner = serializers.CharField(max_length=100, required=False, allow_blank=True)
    shipment_date_to = serializers.DateField(required=False, allow_null=True)


class ShipmentLineUpdateInputSerializer(serializers.Serializer[Any]):
    qty_to_ship = QuantityField(required=False)
    bin = serializers.CharField(
        required=False, max_length=20, help_text="Bin code (only at a location that requires no pick)."
    )


_LINE_FIELDS = {"qty_to_ship", "bin"}


def _shipment_response(shipment_id: int, user: Any, status_code: int = 200) -> Response:
    shipment = shipment_detail(shipment_id=shipment_id, user=user)
    headers = {}
    if status_code == status.HTTP_201_CREATED:
        headers["Location"] = reverse("api-warehouse-shipment-detail", args=[shipment.pk])
    return Response(WarehouseShipmentSerializer(shipment).data, status=status_code, headers=headers)


def _check_line_of_shipment(pk: int, line_id: int) -> None:
    """404 unless the line belongs to the shipment (visibility is checked by the service)."""
    if not WarehouseShipmentLine.objects.filter(pk=line_id, shipment_id=pk).exists():
        raise NotFoundError(
            _("Warehouse shipment #%(pk)s has no line #%(line)s.") % {"pk": pk, "line": line_id}
        )


# --- Shipments ----------------------------------------------------------------------------------


class WarehouseShipmentListCreateApi(ListAPIView[WarehouseShipment]):
    """List warehouse shipments at your locations, or create one from released source documents."""

    permission_classes = [ModelPermsForMethod]
    perm_model = "picking.warehouseshipment"
    serializer_class = WarehouseShipmentSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[WarehouseShipment]:
        params = self.request.query_params
        return shipment_list(
            user=self.request.user,
            location=params.get("location") or None,
            status=params.get("status") or None,
            source_document=params.get("source_document") or None,
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("location", str, description="Location code."),
            OpenApiParameter("status", str, enum=WarehouseShipment.Status.values),
            OpenApiParameter("source_document", int, description="Source document id."),
        ]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=ShipmentCreateInputSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={
            201: WarehouseShipmentSerializer,
            400: PROBLEM,
            403: PROBLEM,
            404: PROBLEM,
            409: PROBLEM,
            422: PROBLEM,
        },
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        def create() -> Response:
            data = valid_input(ShipmentCreateInputSerializer, request.data)
            shipment = warehouse_shipment_create(
                location_code=data["location"],
                user=request.user,
                source_document_ids=data.get("source_documents"),
                document_type=data.get("document_type") or None,
                no_from=data.get("no_from") or None,
                no_to=data.get("no_to") or None,
                partner=data.get("partner") or None,
                shipment_date_to=data.get("shipment_date_to"),
            )
            return _shipment_response(shipment.pk, request.user, status.HTTP_201_CREATED)

        return idempotent(request, create)


class WarehouseShipmentDetailApi(APIView):
    """One warehouse shipment with its lines; DELETE (supervisors) deletes it."""

    permission_classes = [ModelPermsForMethod]
    perm_model = "picking.warehouseshipment"

    @extend_schema(responses={200: WarehouseShipmentSerializer, 404: PROBLEM})
    def get(self, request: Request, pk: int) -> Response:
        return _shipment_response(pk, request.user)

    @extend_schema(responses={204: None, 403: PROBLEM, 404: PROBLEM, 409: PROBLEM})
    def delete(self, request: Request, pk: int) -> Response:
        warehouse_shipment_delete(shipment_id=pk, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class WarehouseShipmentLineApi(APIView):
    """PATCH: Qty. to Ship (and the bin at a location that requires no pick); DELETE (supervisors): the
    line's source line is free again."""

    permission_classes = [ModelPermsForMethod]
    perm_model = "picking.warehouseshipment"

    @extend_schema(
        request=ShipmentLineUpdateInputSerializer,
        responses={200: WarehouseShipmentSerializer, 400: PROBLEM, 403: PROBLEM, 404: PROBLEM, 409: PROBLEM},
    )
    def patch(self, request: Request, pk: int, line_id: int) -> Response:
        _check_line_of_shipment(pk, line_id)
        fixed = sorted(set(request.data) - _LINE_FIELDS) if isinstance(request.data, dict) else []
        if fixed:
            raise InvalidInput(
                _("Only qty_to_ship and bin can be changed on a shipment line, not %(fields)s.")
                % {"fields": ", ".join(fixed)},
                code=ErrorCode.FIELD_READ_ONLY,
                errors=[
                    {"field": name, "code": ErrorCode.FIELD_READ_ONLY, "detail": _("Cannot be changed.")}
                    for name in fixed
                ],
            )
        data = valid_input(ShipmentLineUpdateInputSerializer, request.data)
        warehouse_shipment_line_update(
            shipment_line_id=line_id,
            user=request.user,
            qty_to_ship=data.get("qty_to_ship", UNSET),
            bin_code=data.get("bin", UNSET),
        )
        return _shipment_response(pk, request.user)

    @extend_schema(responses={204: None, 403: PROBLEM, 404: PROBLEM, 409: PROBLEM})
    def delete(self, request: Request, pk: int, line_id: int) -> Response:
        _check_line_of_shipment(pk, line_id)
        warehouse_shipment_line_delete(shipment_line_id=line_id, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class WarehouseShipmentCreatePickApi(APIView):
    """Create Warehouse Pick for the shipment: 201 the warehouse pick with `not_picked`."""

    permission_classes = [require_perms("picking.add_pick")]

    @extend_schema(
        request=None,
        parameters=[IDEMPOTENCY_KEY, PREFER_MINIMAL],
        responses={201: PickCreatedAnswerSerializer, 403: PROBLEM, 404: PROBLEM, 409: PROBLEM, 422: PROBLEM},
    )
    def post(self, request: Request, pk: int) -> Response:
        def create() -> Response:
            result = warehouse_pick_create(shipment_ids=[pk], user=request.user)
            assert result.pick is not None
            return pick_response(
                result.pick.pk,
                request.user,
                status.HTTP_201_CREATED,
                request=request,
                not_picked=result.not_picked,
            )

        return idempotent(request, create)


class WarehouseShipmentPostApi(APIView):
    """Post Qty. to Ship of every line: 201 the posted shipment; 409 with per-line errors, nothing posted."""

    permission_classes = [require_perms("picking.post_warehouseshipment")]

    @extend_schema(
        request=None,
        parameters=[PREFER_MINIMAL],
        responses={201: PostedShipmentAnswerSerializer, 403: PROBLEM, 404: PROBLEM, 409: PROBLEM},
    )
    def post(self, request: Request, pk: int) -> Response:
        posted = warehouse_shipment_post(shipment_id=pk, user=request.user)
        detail = posted_shipment_detail(posted_shipment_id=posted.pk, user=request.user, with_lines=False)
        return lines_created(
            request,
            dict(PostedShipmentHeaderSerializer(detail).data),
            location=reverse("api-posted-shipment-detail", args=[posted.pk]),
            rows=partial(posted_shipment_line_rows, posted_shipment_id=detail.pk),
            count=PostedShipmentLine.objects.filter(posted_shipment_id=detail.pk).count,
        )


# --- Posted shipments ---------------------------------------------------------------------------


class PostedShipmentListApi(ListAPIView[PostedShipment]):
    permission_classes = [require_perms("picking.view_postedshipment")]
    serializer_class = PostedShipmentSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[PostedShipment]:
        params = self.request.query_params
        return posted_shipment_list(
            user=self.request.user,
            source_document=params.get("source_document") or None,
            shipment_no=params.get("shipment_no") or None,
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("source_document", int, description="Source document id."),
            OpenApiParameter("shipment_no", str, description="Number of the warehouse shipment posted."),
        ]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class PostedShipmentDetailApi(APIView):
    permission_classes = [require_perms("picking.view_postedshipment")]

    @extend_schema(responses={200: PostedShipmentSerializer, 404: PROBLEM})
    def get(self, request: Request, pk: int) -> Response:
        posted = posted_shipment_detail(posted_shipment_id=pk, user=request.user, with_lines=False)
        return Response(posted_shipment_data(posted))


urlpatterns = [
    path(
        "warehouse-shipments/", WarehouseShipmentListCreateApi.as_view(), name="api-warehouse-shipment-list"
    ),
    path(
        "warehouse-shipments/<int:pk>/",
        WarehouseShipmentDetailApi.as_view(),
        name="api-warehouse-shipment-detail",
    ),
    path(
        "warehouse-shipments/<int:pk>/lines/<int:line_id>/",
        WarehouseShipmentLineApi.as_view(),
        name="api-warehouse-shipment-line",
    ),
    path(
        "warehouse-shipments/<int:pk>/create-pick/",
        WarehouseShipmentCreatePickApi.as_view(),
        name="api-warehouse-shipment-create-pick",
    ),
    path(
        "warehouse-shipments/<int:pk>/post/",
        WarehouseShipmentPostApi.as_view(),
        name="api-warehouse-shipment-post",
    ),
    path("posted-shipments/", PostedShipmentListApi.as_view(), name="api-posted-shipment-list"),
    path("posted-shipments/<int:pk>/", PostedShipmentDetailApi.as_view(), name="api-posted-shipment-detail"),
]
