"""REST API of the tracking app: item tracking codes and number series (docs/inventory.md, "API").

Views parse, call one service or selector, render. Services raise DomainErrors (problem details).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import path, reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import idempotent, refuse_read_only_fields
from core.exceptions import NotFoundError
from core.fields import CodeField
from core.openapi import PROBLEM
from core.permissions import ModelPermsForMethod
from tracking.models import ItemTrackingCode, NoSeries
from tracking.services import (
    TRACKING_CODE_FLAGS,
    item_tracking_code_create,
    item_tracking_code_update,
    no_series_create,
)


class TrackingCodeSerializer(serializers.ModelSerializer[ItemTrackingCode]):
    class Meta:
        model = ItemTrackingCode
        fields = ["code", "description", *TRACKING_CODE_FLAGS]


class TrackingCodeInputSerializer(serializers.Serializer[Any]):
    code = CodeField(in_path=True, max_length=20)
    description = serializers.CharField(max_length=100, required=False, allow_blank=True)
    sn_specific_tracking = serializers.BooleanField(required=False)
    sn_warehouse_tracking = serializers.BooleanField(required=False)
    sn_outbound_tracking = serializers.BooleanField(required=False)
    lot_specific_tracking = serializers.BooleanField(required=False)
    lot_warehouse_tracking = serializers.BooleanField(required=False)
    lot_outbound_tracking = serializers.BooleanField(required=False)
    use_expiration_dates = serializers.BooleanField(required=False)
    require_expiration_date_entry = serializers.BooleanField(required=False)
    strict_expiration_posting = serializers.BooleanField(required=False)


class TrackingCodePatchSerializer(TrackingCodeInputSerializer):
    """Every field but `code` (400 `field_read_only`)."""

    code = None  # type: ignore[assignment]


class NoSeriesSerializer(serializers.ModelSerializer[NoSeries]):
    class Meta:
        model = NoSeries
        fields = ["code", "description", "starting_no", "ending_no", "increment", "last_no_used"]


class NoSeriesInputSerializer(serializers.Serializer[Any]):
    code = CodeField(in_path=True, max_length=20)
    description = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    starting_no = CodeField(max_length=50)
    ending_no = CodeField(max_length=50, required=False, allow_blank=True, default="")
    increment = serializers.IntegerField(min_value=1, required=False, default=1)
    last_no_used = CodeField(max_length=50, required=False, allow_blank=True, default="")


def _created(data: Any, url: str) -> Response:
    return Response(data, status=status.HTTP_201_CREATED, headers={"Location": url})


class TrackingCodeListCreateApi(ListAPIView[ItemTrackingCode]):
    """Item tracking codes: how items' serial and lot numbers are tracked."""

    permission_classes = [ModelPermsForMethod]
    perm_model = "tracking.itemtrackingcode"
    serializer_class = TrackingCodeSerializer
    filter_backends: list[Any] = []
    queryset = ItemTrackingCode.objects.order_by("code")

    @extend_schema(
        request=TrackingCodeInputSerializer,
        responses={201: TrackingCodeSerializer, 400: PROBLEM, 409: PROBLEM},
    )
    def post(self, request: Request) -> Response:
        def create() -> Response:
            data = TrackingCodeInputSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            code = item_tracking_code_create(**data.validated_data)
            return _created(
                TrackingCodeSerializer(code).data, reverse("api-tracking-code-detail", args=[code.code])
            )

        return idempotent(request, create)


def _tracking_code(code: str) -> ItemTrackingCode:
    found = ItemTrackingCode.objects.filter(code=code).first()
    if found is None:
        raise NotFoundError(_("There is no item tracking code %(code)s.") % {"code": code})
    return found


class TrackingCodeDetailApi(APIView):
    permission_classes = [ModelPermsForMethod]
    perm_model = "tracking.itemtrackingcode"

    @extend_schema(responses={200: TrackingCodeSerializer, 404: PROBLEM})
    def get(self, request: Request, code: str) -> Response:
        return Response(TrackingCodeSerializer(_tracking_code(code)).data)

    @extend_schema(
        request=TrackingCodePatchSerializer,
        responses={200: TrackingCodeSerializer, 400: PROBLEM, 404: PROBLEM, 409: PROBLEM},
    )
    def patch(self, request: Request, code: str) -> Response:
        tracking_code = _tracking_code(code)
        refuse_read_only_fields(
            request.data,
            writable=TrackingCodePatchSerializer().fields,
            known=TrackingCodeSerializer.Meta.fields,
        )
        data = TrackingCodePatchSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        updated = item_tracking_code_update(tracking_code=tracking_code, **data.validated_data)
        return Response(TrackingCodeSerializer(updated).data)


class NoSeriesListCreateApi(ListAPIView[NoSeries]):
    """Number series: hand out `SN-0001`, `SN-0002`, ... (the last number used is kept by the service)."""

    permission_classes = [ModelPermsForMethod]
    perm_model = "tracking.noseries"
    serializer_class = NoSeriesSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[NoSeries]:
        return NoSeries.objects.order_by("code")

    @extend_schema(
        request=NoSeriesInputSerializer, responses={201: NoSeriesSerializer, 400: PROBLEM, 409: PROBLEM}
    )
    def post(self, request: Request) -> Response:
        def create() -> Response:
            data = NoSeriesInputSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            series = no_series_create(**data.validated_data)
            return _created(
                NoSeriesSerializer(series).data, reverse("api-no-series-detail", args=[series.code])
            )

        return idempotent(request, create)


class NoSeriesDetailApi(APIView):
    permission_classes = [ModelPermsForMethod]
    perm_model = "tracking.noseries"

    @extend_schema(responses={200: NoSeriesSerializer, 404: PROBLEM})
    def get(self, request: Request, code: str) -> Response:
        series = NoSeries.objects.filter(code=code).first()
        if series is None:
            raise NotFoundError(_("There is no number series %(code)s.") % {"code": code})
        return Response(NoSeriesSerializer(series).data)


urlpatterns = [
    path("tracking-codes/", TrackingCodeListCreateApi.as_view(), name="api-tracking-code-list"),
    path("tracking-codes/<str:code>/", TrackingCodeDetailApi.as_view(), name="api-tracking-code-detail"),
    path("no-series/", NoSeriesListCreateApi.as_view(), name="api-no-series-list"),
    path("no-series/<str:code>/", NoSeriesDetailApi.as_view(), name="api-no-series-detail"),
]
