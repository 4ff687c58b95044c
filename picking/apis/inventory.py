"""REST API for inventory (docs/api.md, "Endpoints"; docs/inventory.md): adjustments, availability, the item
ledger, movements between bins and the warehouse entries.

Availability is stock minus what open picks reserve (picking.availability); everything is scoped to the
locations you are a warehouse employee of (404 for others).
"""

from __future__ import annotations

from functools import partial
from typing import Any
from urllib.parse import urlencode

from django.db.models import Prefetch, QuerySet
from django.urls import path, reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.fields import SkipField, empty
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import idempotent, lines_created, valid_input
from core.exceptions import ErrorCode, InvalidInput, NotFoundError
from core.fields import CodeField, QuantityField
from core.openapi import IDEMPOTENCY_KEY, PREFER_MINIMAL, PROBLEM
from core.pagination import Pagination
from core.permissions import ModelPermsForMethod, require_perms
from picking.apis.rows import ledger_entry_rows
from picking.availability import AvailableRow, availability_rows
from picking.services.movements import movement_create
from warehouse.models import Bin, Item, ItemLedgerEntry, WarehouseEntry
from warehouse.scoping import get_visible_location, visible_location_ids
from warehouse.services import inventory_adjust_ids


class ItemLedgerEntrySerializer(serializers.ModelSerializer[ItemLedgerEntry]):
    item: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="no", read_only=True)
    location: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    bin = serializers.SerializerMethodField()
    quantity = QuantityField(read_only=True)
    remaining_quantity = QuantityField(read_only=True)
    applies_to_entry: serializers.PrimaryKeyRelatedField[Any] = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True
    )

    class Meta:
        model = ItemLedgerEntry
        fields = [
            "id",
            "entry_type",
            "document_type",
            "document_no",
            "posting_date",
            "item",
            "location",
            "bin",
            "serial_no",
            "lot_no",
            "expiration_date",
            "quantity",
            "remaining_quantity",
            "open",
            "applies_to_entry",
            "source_document_type",
            "source_document_no",
            "source_line_no",
            "created_at",
        ]
        read_only_fields = fields

    def get_bin(self, entry: ItemLedgerEntry) -> str | None:
        """Code of the bin its warehouse entry moved (from the prefetched warehouse entries)."""
        for we in entry.warehouse_entries.all():
            return we.bin.code
        return None


class AdjustmentEntrySerializer(serializers.Serializer[Any]):
    quantity = QuantityField(help_text="Positive: receive into the bin; negative: remove from it.")
    serial_no = CodeField(max_length=50, required=False, allow_blank=True, default="")
    lot_no = CodeField(max_length=50, required=False, allow_blank=True, default="")
    expiration_date = serializers.DateField(required=False, allow_null=True, default=None)


class AdjustmentHeaderSerializer(serializers.Serializer[Any]):
    """What an adjustment names besides its entries."""

    location = CodeField(max_length=10, help_text="Location code.")
    bin = CodeField(max_length=20, help_text="Bin code at the location.")
    item = CodeField(max_length=20, help_text="Item no.")


class AdjustmentInputSerializer(AdjustmentHeaderSerializer):
    entries = AdjustmentEntrySerializer(many=True, allow_empty=False)


def _plain_number(value: Any) -> bool:
    """A serial or lot number `CodeField(max_length=50, allow_blank=True)` takes as it is: a string of at
    most 50 printable ASCII characters (none is a control, formatting or separator character, a NUL or a
    surrogate) without surrounding spaces."""
    return (
        type(value) is str
        and len(value) <= 50
        and value.isascii()
        and value.isprintable()
        and (value == value.strip())
    )


def _valid_entries(raw: Any) -> list[dict[str, Any]] | None:
    """The validated entries of an adjustment, as `AdjustmentEntrySerializer(many=True)` gives them, or None
    when one is not valid (the serializer then says why). A receipt of thousands of serial numbers repeats
    its quantity and expiration date: each distinct value goes through its DRF field once, and a plain
    number is taken as the field would take it, without a DRF field per value (0.8 s for 5 000 entries)."""
    if not isinstance(raw, list) or not raw:
        return None
    fields = AdjustmentEntrySerializer().fields
    names = list(fields)
    memo: dict[tuple[str, type, Any], Any] = {}
    entries = []
    try:
        for entry in raw:
            if type(entry) is not dict:
                return None
            values = {}
            for name in names:
                value = entry.get(name, empty)
                if name in ("serial_no", "lot_no") and _plain_number(value):
                    values[name] = value
                    continue
                if name in ("serial_no", "lot_no"):
                    values[name] = fields[name].run_validation(value)
                    continue
                key = (name, type(value), value)
                if key not in memo:
                    memo[key] = fields[name].run_validation(value)
                values[name] = memo[key]
            entries.append(values)
    except (serializers.ValidationError, SkipField, TypeError):
        return None
    return entries


def _adjustment_input(data: Any) -> dict[str, Any]:
    """`valid_input(AdjustmentInputSerializer, data)`: the same values, or the same 400; the entries through
    `_valid_entries`."""
    entries = _valid_entries(data.get("entries")) if isinstance(data, dict) else None
    if entries is not None:
        header = AdjustmentHeaderSerializer(data=data)
        if header.is_valid():
            return {**header.validated_data, "entries": entries}
    return valid_input(AdjustmentInputSerializer, data)


AdjustmentOutput = inline_serializer(
    "AdjustmentResult",
    {
        "document_no": serializers.CharField(),
        "entries": ItemLedgerEntrySerializer(
            many=True,
            required=False,
            help_text="Every entry written; left out when the request said `Prefer: return=minimal`.",
        ),
        "entry_count": serializers.IntegerField(
            required=False,
            help_text="Only with `Prefer: return=minimal`: the number of entries written, instead of them.",
        ),
    },
)


def _ledger() -> QuerySet[ItemLedgerEntry]:
    return ItemLedgerEntry.objects.select_related("item", "location").prefetch_related(
        Prefetch("warehouse_entries", queryset=WarehouseEntry.objects.select_related("bin").order_by("pk"))
    )


class AdjustmentApi(APIView):
    """Receive stock with numbers into a bin (positive quantities) or remove given numbers (negative)."""

    permission_classes = [ModelPermsForMethod]
    perm_model = "warehouse.itemledgerentry"

    @extend_schema(
        request=AdjustmentInputSerializer,
        parameters=[IDEMPOTENCY_KEY, PREFER_MINIMAL],
        responses={201: AdjustmentOutput, 400: PROBLEM, 404: PROBLEM, 409: PROBLEM, 422: PROBLEM},
    )
    def post(self, request: Request) -> Response:
        def create() -> Response:
            values = _adjustment_input(request.data)
            adjusted = inventory_adjust_ids(
                location_code=values["location"],
                bin_code=values["bin"],
                item_no=values["item"],
                entries=[dict(e) for e in values["entries"]],
                user=request.user,
            )
            document_no, entry_ids = adjusted.document_no, adjusted.entry_ids
            # The entries from plain rows (picking.apis.rows): thousands of serial numbers in one receipt.
            ledger = reverse("api-item-ledger-entry-list") + "?" + urlencode({"document_no": document_no})
            return lines_created(
                request,
                {"document_no": document_no},
                location=ledger,
                key="entries",
                count_key="entry_count",
                rows=partial(ledger_entry_rows, entry_ids=entry_ids),
                count=partial(len, entry_ids),
            )

        return idempotent(request, create)


# One `picking.availability.AvailableRow`: its stock row's fields, and what open picks hold of it.
class AvailabilityRowSerializer(serializers.Serializer[Any]):
    location = serializers.CharField(source="stock.location_code")
    bin = serializers.CharField(source="stock.bin_code")
    item = serializers.CharField(source="stock.item_no")
    lot_no = serializers.CharField(source="stock.lot_no")
    serial_no = serializers.CharField(source="stock.serial_no")
    expiration_date = serializers.DateField(source="stock.expiration_date", allow_null=True)
    quantity = QuantityField(source="stock.quantity")
    qty_on_picks = QuantityField()
    available = QuantityField()
    blocked = serializers.BooleanField(source="stock.blocked")
    expired = serializers.BooleanField(source="stock.expired")


def _filters(request: Request) -> dict[str, Any]:
    """Resolve the natural-key filters; unknown or invisible location -> 404, unknown item -> 404."""
    params = request.query_params
    filters: dict[str, Any] = {"location_ids": visible_location_ids(request.user)}
    if params.get("location"):
        filters["location_id"] = get_visible_location(request.user, code=params["location"]).pk
    if params.get("bin"):
        if "location_id" not in filters:
            raise InvalidInput(
                _(
                    "A bin code is only unique within a location: give the location too "
                    "(?location=...&bin=...)."
                ),
                errors=[{"field": "location", "code": ErrorCode.REQUIRED, "detail": _("Needed with bin.")}],
            )
        bin_ = Bin.objects.filter(location_id=filters["location_id"], code=params["bin"]).first()
        if bin_ is None:
            raise NotFoundError(
                _("There is no bin %(bin)s at location %(location)s.")
                % {"bin": params["bin"], "location": params["location"]}
            )
        filters["bin_id"] = bin_.pk
    if params.get("item"):
        item = Item.objects.filter(no=params["item"]).first()
        if item is None:
            raise NotFoundError(_("There is no item %(item)s.") % {"item": params["item"]})
        filters["item_id"] = item.pk
    for name in ("lot_no", "serial_no"):
        if params.get(name):
            filters[name] = params[name]
    return filters


FILTERS = [
    OpenApiParameter("item", str, description="Item no."),
    OpenApiParameter("location", str, description="Location code."),
    OpenApiParameter("bin", str, description="Bin code (with location)."),
    OpenApiParameter("lot_no", str),
    OpenApiParameter("serial_no", str),
]


class AvailabilityApi(APIView):
    """Stock per location, bin, item, lot and serial: quantity, quantity on open picks, available."""

    permission_classes = [ModelPermsForMethod]
    perm_model = "warehouse.bincontent"

    @extend_schema(
        parameters=FILTERS,
        responses={
            200: inline_serializer(
                "PaginatedAvailabilityRowList",
                fields={
                    "count": serializers.IntegerField(),
                    "next": serializers.URLField(allow_null=True),
                    "previous": serializers.URLField(allow_null=True),
                    "results": AvailabilityRowSerializer(many=True),
                },
            ),
            400: PROBLEM,
            404: PROBLEM,
        },
    )
    def get(self, request: Request) -> Response:
        rows = availability_rows(**_filters(request))
        paginator = Pagination()
        page: list[AvailableRow] | None = paginator.paginate_queryset(rows, request, view=self)  # type: ignore[arg-type]
        return paginator.get_paginated_response(AvailabilityRowSerializer(page, many=True).data)


class ItemLedgerEntryListApi(ListAPIView[ItemLedgerEntry]):
    """The item ledger at your locations, newest last (`?item=&lot_no=&serial_no=&document_no=&location=`)."""

    permission_classes = [ModelPermsForMethod]
    perm_model = "warehouse.itemledgerentry"
    serializer_class = ItemLedgerEntrySerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[ItemLedgerEntry]:
        params = self.request.query_params
        entries = _ledger().order_by("pk")
        ids = visible_location_ids(self.request.user)
        if ids is not None:
            entries = entries.filter(location_id__in=ids)
        if params.get("location"):
            entries = entries.filter(
                location=get_visible_location(self.request.user, code=params["location"])
            )
        if params.get("item"):
            entries = entries.filter(item__no=params["item"])
        for name in ("lot_no", "serial_no", "document_no", "entry_type"):
            if params.get(name):
                entries = entries.filter(**{name: params[name]})
        return entries

    @extend_schema(
        parameters=[
            OpenApiParameter("item", str, description="Item no."),
            OpenApiParameter("location", str, description="Location code."),
            OpenApiParameter("lot_no", str),
            OpenApiParameter("serial_no", str),
            OpenApiParameter("document_no", str),
            OpenApiParameter("entry_type", str),
        ]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


# --- Movements and the warehouse entries ---------------------------------------------------------


class WarehouseEntrySerializer(serializers.ModelSerializer[WarehouseEntry]):
    item: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="no", read_only=True)
    location: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    bin: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="code", read_only=True)
    quantity = QuantityField(read_only=True)
    item_ledger_entry: serializers.PrimaryKeyRelatedField[Any] = serializers.PrimaryKeyRelatedField(
        read_only=True
    )

    class Meta:
        model = WarehouseEntry
        fields = [
            "id",
            "entry_type",
            "document_type",
            "document_no",
            "posting_date",
            "item",
            "location",
            "bin",
            "serial_no",
            "lot_no",
            "expiration_date",
            "quantity",
            "item_ledger_entry",
            "created_at",
        ]
        read_only_fields = fields


class MovementEntrySerializer(serializers.Serializer[Any]):
    quantity = QuantityField(help_text="Units to move (above 0).")
    serial_no = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    lot_no = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")


class MovementInputSerializer(serializers.Serializer[Any]):
    location = serializers.CharField(max_length=10, help_text="Location code.")
    item = serializers.CharField(max_length=20, help_text="Item no.")
    from_bin = serializers.CharField(max_length=20, help_text="Bin code the stock is in.")
    to_bin = serializers.CharField(max_length=20, help_text="Bin code to move it to.")
    entries = MovementEntrySerializer(many=True, allow_empty=False)


MovementOutput = inline_serializer(
    "MovementResult",
    {
        "document_no": serializers.CharField(),
        "entries": WarehouseEntrySerializer(many=True),
    },
)


def _warehouse_entries() -> QuerySet[WarehouseEntry]:
    return WarehouseEntry.objects.select_related("item", "location", "bin")


class MovementApi(APIView):
    """Move stock of an item from one bin to another of a location, with its numbers (warehouse entries out
    and in, bin content). Refused when the numbers are not in `from_bin` or are held by open picks."""

    permission_classes = [require_perms("warehouse.add_warehouseentry")]

    @extend_schema(
        request=MovementInputSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: MovementOutput, 400: PROBLEM, 403: PROBLEM, 404: PROBLEM, 409: PROBLEM, 422: PROBLEM},
    )
    def post(self, request: Request) -> Response:
        def create() -> Response:
            values = valid_input(MovementInputSerializer, request.data)
            result = movement_create(
                location_code=values["location"],
                item_no=values["item"],
                from_bin_code=values["from_bin"],
                to_bin_code=values["to_bin"],
                entries=[dict(e) for e in values["entries"]],
                user=request.user,
            )
            entries = _warehouse_entries().filter(pk__in=[e.pk for e in result.entries]).order_by("pk")
            url = reverse("api-warehouse-entry-list") + "?" + urlencode({"document_no": result.document_no})
            return Response(
                {
                    "document_no": result.document_no,
                    "entries": WarehouseEntrySerializer(entries, many=True).data,
                },
                status=status.HTTP_201_CREATED,
                headers={"Location": url},
            )

        return idempotent(request, create)


class WarehouseEntryListApi(ListAPIView[WarehouseEntry]):
    """The bin-level ledger at your locations, oldest first (`?item=&bin=&lot_no=&serial_no=&document_no=
    &location=`; a bin code is matched at every location you see unless `location` is given)."""

    permission_classes = [ModelPermsForMethod]
    perm_model = "warehouse.warehouseentry"
    serializer_class = WarehouseEntrySerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[WarehouseEntry]:
        params = self.request.query_params
        entries = _warehouse_entries().order_by("pk")
        ids = visible_location_ids(self.request.user)
        if ids is not None:
            entries = entries.filter(location_id__in=ids)
        if params.get("location"):
            entries = entries.filter(
                location=get_visible_location(self.request.user, code=params["location"])
            )
        if params.get("item"):
            entries = entries.filter(item__no=params["item"])
        if params.get("bin"):
            entries = entries.filter(bin__code=params["bin"])
        for name in ("lot_no", "serial_no", "document_no", "entry_type"):
            if params.get(name):
                entries = entries.filter(**{name: params[name]})
        return entries

    @extend_schema(
        parameters=[
            OpenApiParameter("item", str, description="Item no."),
            OpenApiParameter("location", str, description="Location code."),
            OpenApiParameter("bin", str, description="Bin code."),
            OpenApiParameter("lot_no", str),
            OpenApiParameter("serial_no", str),
            OpenApiParameter("document_no", str),
            OpenApiParameter("entry_type", str),
        ]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


urlpatterns = [
    path("inventory/adjustments/", AdjustmentApi.as_view(), name="api-inventory-adjustment"),
    path("inventory/availability/", AvailabilityApi.as_view(), name="api-inventory-availability"),
    path(
        "inventory/item-ledger-entries/", ItemLedgerEntryListApi.as_view(), name="api-item-ledger-entry-list"
    ),
    path("inventory/movements/", MovementApi.as_view(), name="api-inventory-movement"),
    path("inventory/warehouse-entries/", WarehouseEntryListApi.as_view(), name="api-warehouse-entry-list"),
]
