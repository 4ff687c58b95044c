"""REST API of the warehouse app (docs/inventory.md, "API"): items, locations, bins, lot and serial
information. Location-bound objects at locations you are not a warehouse employee of answer 404.
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
from warehouse.models import Bin, Item, Location, LotNoInformation, SerialNoInformation
from warehouse.scoping import get_visible_location, visible_locations
from warehouse.services import (
    bin_create,
    bin_update,
    get_bin,
    item_create,
    item_update,
    location_create,
    location_update,
    lot_info_set,
    serial_info_set,
)
from warehouse.services.master_data import ITEM_FIELDS


def _created(data: Any, url: str) -> Response:
    return Response(data, status=status.HTTP_201_CREATED, headers={"Location": url})


# --- Items --------------------------------------------------------------------------------------


class ItemSerializer(serializers.ModelSerializer[Item]):
    tracking_code: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    serial_nos: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    lot_nos: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )

    class Meta:
        model = Item
        fields = ["no", *ITEM_FIELDS]


class ItemInputSerializer(serializers.Serializer[Any]):
    no = CodeField(in_path=True, max_length=20)
    description = serializers.CharField(max_length=100, required=False, allow_blank=True)
    base_unit_of_measure = serializers.CharField(max_length=10, required=False)
    tracking_code = CodeField(max_length=20, required=False, allow_blank=True, allow_null=True)
    serial_nos = CodeField(max_length=20, required=False, allow_blank=True, allow_null=True)
    lot_nos = CodeField(max_length=20, required=False, allow_blank=True, allow_null=True)
    gtin = serializers.CharField(
        max_length=14,
        required=False,
        allow_blank=True,
        help_text="GTIN-8, -12, -13 or -14 with a valid check digit; unique; empty: none.",
    )
    whole_units = serializers.BooleanField(
        required=False, help_text="Counted in whole units: fractional quantities are refused everywhere."
    )


class ItemPatchSerializer(ItemInputSerializer):
    """Every field but `no` (400 `field_read_only`)."""

    no = None  # type: ignore[assignment]


def _items() -> QuerySet[Item]:
    return Item.objects.select_related("tracking_code", "serial_nos", "lot_nos").order_by("no")


def _item(no: str) -> Item:
    item = _items().filter(no=no).first()
    if item is None:
        raise NotFoundError(_("There is no item %(item)s.") % {"item": no})
    return item


class ItemListCreateApi(ListAPIView[Item]):
    """Items with their tracking code and number series (`?search=` part of the no. or description)."""

    permission_classes = [ModelPermsForMethod]
    perm_model = "warehouse.item"
    serializer_class = ItemSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Item]:
        items = _items()
        search = self.request.query_params.get("search", "")
        if search:
            items = items.filter(no__icontains=search) | items.filter(description__icontains=search)
        return items

    @extend_schema(request=ItemInputSerializer, responses={201: ItemSerializer, 400: PROBLEM, 409: PROBLEM})
    def post(self, request: Request) -> Response:
        def create() -> Response:
            data = ItemInputSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            item = item_create(**data.validated_data)
            return _created(ItemSerializer(_item(item.no)).data, reverse("api-item-detail", args=[item.no]))

        return idempotent(request, create)


class ItemDetailApi(APIView):
    permission_classes = [ModelPermsForMethod]
    perm_model = "warehouse.item"

    @extend_schema(responses={200: ItemSerializer, 404: PROBLEM})
    def get(self, request: Request, no: str) -> Response:
        return Response(ItemSerializer(_item(no)).data)

    @extend_schema(
        request=ItemPatchSerializer, responses={200: ItemSerializer, 400: PROBLEM, 404: PROBLEM, 409: PROBLEM}
    )
    def patch(self, request: Request, no: str) -> Response:
        item = _item(no)
        refuse_read_only_fields(
            request.data, writable=ItemPatchSerializer().fields, known=ItemSerializer.Meta.fields
        )
        data = ItemPatchSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        item_update(item=item, **data.validated_data)
        return Response(ItemSerializer(_item(no)).data)


# --- Locations and bins ---------------------------------------------------------------------------


class LocationSerializer(serializers.ModelSerializer[Location]):
    shipment_bin: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )

    class Meta:
        model = Location
        fields = [
            "code",
            "name",
            "require_pick",
            "require_shipment",
            "bin_mandatory",
            "pick_according_to_fefo",
            "shipment_bin",
        ]


class LocationInputSerializer(serializers.Serializer[Any]):
    code = CodeField(in_path=True, max_length=10)
    name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    require_pick = serializers.BooleanField(required=False)
    require_shipment = serializers.BooleanField(required=False)
    bin_mandatory = serializers.BooleanField(required=False)
    pick_according_to_fefo = serializers.BooleanField(required=False)
    shipment_bin = CodeField(max_length=20, required=False, allow_blank=True, allow_null=True)


class LocationPatchSerializer(LocationInputSerializer):
    """Every field but `code` (400 `field_read_only`)."""

    code = None  # type: ignore[assignment]


class LocationListCreateApi(ListAPIView[Location]):
    """Locations you work at (all of them for the integration role)."""

    permission_classes = [ModelPermsForMethod]
    perm_model = "warehouse.location"
    serializer_class = LocationSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Location]:
        return visible_locations(self.request.user).select_related("shipment_bin").order_by("code")

    @extend_schema(
        request=LocationInputSerializer, responses={201: LocationSerializer, 400: PROBLEM, 409: PROBLEM}
    )
    def post(self, request: Request) -> Response:
        def create() -> Response:
            data = LocationInputSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            location = location_create(user=request.user, **data.validated_data)
            return _created(
                LocationSerializer(location).data, reverse("api-location-detail", args=[location.code])
            )

        return idempotent(request, create)


class LocationDetailApi(APIView):
    permission_classes = [ModelPermsForMethod]
    perm_model = "warehouse.location"

    @extend_schema(responses={200: LocationSerializer, 404: PROBLEM})
    def get(self, request: Request, code: str) -> Response:
        return Response(LocationSerializer(get_visible_location(request.user, code=code)).data)

    @extend_schema(
        request=LocationPatchSerializer,
        responses={200: LocationSerializer, 400: PROBLEM, 404: PROBLEM, 409: PROBLEM},
    )
    def patch(self, request: Request, code: str) -> Response:
        location = get_visible_location(request.user, code=code)
        refuse_read_only_fields(
            request.data, writable=LocationPatchSerializer().fields, known=LocationSerializer.Meta.fields
        )
        data = LocationPatchSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        location = location_update(location=location, **data.validated_data)
        return Response(LocationSerializer(location).data)


class BinSerializer(serializers.ModelSerializer[Bin]):
    class Meta:
        model = Bin
        fields = ["code", "description", "blocked", "kind"]


KIND_HELP = (
    "`storage` (picks take from it) or `shipping` (goods wait there to be shipped; never picked from)."
)


class BinInputSerializer(serializers.Serializer[Any]):
    code = CodeField(in_path=True, max_length=20)
    description = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    blocked = serializers.BooleanField(required=False, default=False)
    kind = serializers.ChoiceField(
        choices=Bin.Kind.choices, required=False, default=Bin.Kind.STORAGE, help_text=KIND_HELP
    )


class BinPatchSerializer(serializers.Serializer[Any]):
    description = serializers.CharField(max_length=100, required=False, allow_blank=True)
    blocked = serializers.BooleanField(required=False)
    kind = serializers.ChoiceField(choices=Bin.Kind.choices, required=False, help_text=KIND_HELP)


class BinListCreateApi(ListAPIView[Bin]):
    """The bins of a location."""

    permission_classes = [ModelPermsForMethod]
    perm_model = "warehouse.bin"
    serializer_class = BinSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Bin]:
        location = get_visible_location(self.request.user, code=self.kwargs["code"])
        return Bin.objects.filter(location=location).order_by("code")

    @extend_schema(
        request=BinInputSerializer, responses={201: BinSerializer, 400: PROBLEM, 404: PROBLEM, 409: PROBLEM}
    )
    def post(self, request: Request, code: str) -> Response:
        location = get_visible_location(request.user, code=code)

        def create() -> Response:
            data = BinInputSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            bin_ = bin_create(location=location, **data.validated_data)
            return _created(
                BinSerializer(bin_).data, reverse("api-bin-detail", args=[location.code, bin_.code])
            )

        return idempotent(request, create)


class BinDetailApi(APIView):
    permission_classes = [ModelPermsForMethod]
    perm_model = "warehouse.bin"

    @extend_schema(responses={200: BinSerializer, 404: PROBLEM})
    def get(self, request: Request, code: str, bin_code: str) -> Response:
        return Response(BinSerializer(get_bin(user=request.user, location_code=code, bin_code=bin_code)).data)

    @extend_schema(
        request=BinPatchSerializer, responses={200: BinSerializer, 400: PROBLEM, 404: PROBLEM, 409: PROBLEM}
    )
    def patch(self, request: Request, code: str, bin_code: str) -> Response:
        bin_ = get_bin(user=request.user, location_code=code, bin_code=bin_code)
        refuse_read_only_fields(
            request.data, writable=BinPatchSerializer().fields, known=BinSerializer.Meta.fields
        )
        data = BinPatchSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        return Response(BinSerializer(bin_update(bin=bin_, **data.validated_data)).data)


# --- Lot and serial information --------------------------------------------------------------------


class LotInfoSerializer(serializers.ModelSerializer[LotNoInformation]):
    item: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="no", read_only=True)

    class Meta:
        model = LotNoInformation
        fields = ["item", "lot_no", "blocked", "description", "certificate", "expiration_date"]


class SerialInfoSerializer(serializers.ModelSerializer[SerialNoInformation]):
    item: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="no", read_only=True)

    class Meta:
        model = SerialNoInformation
        fields = ["item", "serial_no", "blocked", "description", "certificate", "expiration_date"]


class InfoPatchSerializer(serializers.Serializer[Any]):
    blocked = serializers.BooleanField(required=False)
    description = serializers.CharField(max_length=100, required=False, allow_blank=True)
    certificate = serializers.CharField(max_length=100, required=False, allow_blank=True)
    expiration_date = serializers.DateField(required=False, allow_null=True)


class LotInfoDetailApi(APIView):
    """A lot's information card; PATCH on a lot that has none yet creates it."""

    permission_classes = [ModelPermsForMethod]
    perm_model = "warehouse.lotnoinformation"

    @extend_schema(responses={200: LotInfoSerializer, 404: PROBLEM})
    def get(self, request: Request, no: str, lot_no: str) -> Response:
        info = LotNoInformation.objects.filter(item=_item(no), lot_no=lot_no).select_related("item").first()
        if info is None:
            raise NotFoundError(_("Item %(item)s has no lot %(lot)s.") % {"item": no, "lot": lot_no})
        return Response(LotInfoSerializer(info).data)

    @extend_schema(
        request=InfoPatchSerializer, responses={200: LotInfoSerializer, 400: PROBLEM, 404: PROBLEM}
    )
    def patch(self, request: Request, no: str, lot_no: str) -> Response:
        item = _item(no)
        refuse_read_only_fields(
            request.data, writable=InfoPatchSerializer().fields, known=LotInfoSerializer.Meta.fields
        )
        data = InfoPatchSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        return Response(LotInfoSerializer(lot_info_set(item=item, lot_no=lot_no, **data.validated_data)).data)


class SerialInfoDetailApi(APIView):
    """A serial number's information card; PATCH on a serial number that has none yet creates it."""

    permission_classes = [ModelPermsForMethod]
    perm_model = "warehouse.serialnoinformation"

    @extend_schema(responses={200: SerialInfoSerializer, 404: PROBLEM})
    def get(self, request: Request, no: str, serial_no: str) -> Response:
        info = (
            SerialNoInformation.objects.filter(item=_item(no), serial_no=serial_no)
            .select_related("item")
            .first()
        )
        if info is None:
            raise NotFoundError(
                _("Item %(item)s has no serial number %(serial)s.") % {"item": no, "serial": serial_no}
            )
        return Response(SerialInfoSerializer(info).data)

    @extend_schema(
        request=InfoPatchSerializer, responses={200: SerialInfoSerializer, 400: PROBLEM, 404: PROBLEM}
    )
    def patch(self, request: Request, no: str, serial_no: str) -> Response:
        item = _item(no)
        refuse_read_only_fields(
            request.data, writable=InfoPatchSerializer().fields, known=SerialInfoSerializer.Meta.fields
        )
        data = InfoPatchSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        info = serial_info_set(item=item, serial_no=serial_no, **data.validated_data)
        return Response(SerialInfoSerializer(info).data)


urlpatterns = [
    path("items/", ItemListCreateApi.as_view(), name="api-item-list"),
    path("items/<str:no>/", ItemDetailApi.as_view(), name="api-item-detail"),
    path("items/<str:no>/lots/<str:lot_no>/", LotInfoDetailApi.as_view(), name="api-lot-info-detail"),
    path(
        "items/<str:no>/serials/<str:serial_no>/",
        SerialInfoDetailApi.as_view(),
        name="api-serial-info-detail",
    ),
    path("locations/", LocationListCreateApi.as_view(), name="api-location-list"),
    path("locations/<str:code>/", LocationDetailApi.as_view(), name="api-location-detail"),
    path("locations/<str:code>/bins/", BinListCreateApi.as_view(), name="api-bin-list"),
    path("locations/<str:code>/bins/<str:bin_code>/", BinDetailApi.as_view(), name="api-bin-detail"),
]
