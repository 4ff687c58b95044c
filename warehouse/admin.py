"""Django admin for warehouse master data (search and filters). Ledgers and bin content are read-only:
stock changes only through inventory adjustments and pick posting, never by editing rows."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext as _

from core.exceptions import DomainError, ErrorCode
from tracking.admin import raise_as_form_errors
from warehouse.models import (
    Bin,
    BinContent,
    Item,
    ItemLedgerEntry,
    Location,
    LotNoInformation,
    SerialNoInformation,
    WarehouseEmployee,
    WarehouseEntry,
)
from warehouse.rules import gtin_forms, gtin_problem
from warehouse.services.master_data import (
    ITEM_FIELDS,
    bin_kind_change_check,
    item_tracking_change_check,
    location_check,
)


class ItemForm(forms.ModelForm):
    class Meta:
        model = Item
        fields = ["no", *ITEM_FIELDS]

    def clean_gtin(self) -> str:
        gtin = (self.cleaned_data.get("gtin") or "").strip()
        problem = gtin_problem(gtin) if gtin else None
        if problem:
            raise forms.ValidationError(problem, code=ErrorCode.GTIN_INVALID)
        if gtin and Item.objects.filter(gtin__in=gtin_forms(gtin)).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(
                _("GTIN %(gtin)s is already the GTIN of another item.") % {"gtin": gtin}
            )
        return gtin

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.instance.pk:
            current = Item.objects.select_related("tracking_code").get(pk=self.instance.pk)
            new_code = data.get("tracking_code")
            if new_code != current.tracking_code:
                try:
                    item_tracking_change_check(current, new_code)
                except DomainError as error:
                    raise_as_form_errors(self, error)
        return data


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin):
    form = ItemForm
    list_display = ["no", *ITEM_FIELDS]
    list_filter = ["tracking_code", "base_unit_of_measure", "whole_units"]
    search_fields = ["no", "description", "gtin"]
    list_select_related = ["tracking_code", "serial_nos", "lot_nos"]


class BinForm(forms.ModelForm):
    """A bin's kind changes only while it is empty, and a shipment bin stays a shipping bin (the service's
    check)."""

    class Meta:
        model = Bin
        fields = ["location", "code", "description", "blocked", "kind"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            self.instance.pk
            and data.get("kind")
            and data["kind"] != Bin.objects.get(pk=self.instance.pk).kind
        ):
            try:
                bin_kind_change_check(self.instance, data["kind"])
            except DomainError as error:
                raise_as_form_errors(self, error)
        return data


class BinInline(admin.TabularInline):
    model = Bin
    form = BinForm
    extra = 0
    fields = ["code", "description", "blocked", "kind"]


class LocationForm(forms.ModelForm):
    """A location that requires shipments names a shipping bin as its shipment bin (the service's check)."""

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

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        location = Location(
            require_shipment=bool(data.get("require_shipment")), shipment_bin=data.get("shipment_bin")
        )
        try:
            location_check(location)
        except DomainError as error:
            raise_as_form_errors(self, error)
        return data


class WarehouseEmployeeInline(admin.TabularInline):
    model = WarehouseEmployee
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    form = LocationForm
    list_display = [
        "code",
        "name",
        "require_pick",
        "require_shipment",
        "bin_mandatory",
        "pick_according_to_fefo",
        "shipment_bin",
    ]
    list_filter = ["require_pick", "require_shipment", "bin_mandatory", "pick_according_to_fefo"]
    search_fields = ["code", "name"]
    inlines = [BinInline, WarehouseEmployeeInline]

    def get_form(
        self, request: HttpRequest, obj: Location | None = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        if "shipment_bin" in form.base_fields:
            field = form.base_fields["shipment_bin"]
            field.queryset = (  # type: ignore[attr-defined]
                Bin.objects.filter(location=obj, kind=Bin.Kind.SHIPPING) if obj else Bin.objects.none()
            )
        return form


@admin.register(Bin)
class BinAdmin(admin.ModelAdmin):
    form = BinForm
    list_display = ["code", "location", "kind", "description", "blocked"]
    list_filter = ["location", "kind", "blocked"]
    search_fields = ["code", "description", "location__code"]


@admin.register(WarehouseEmployee)
class WarehouseEmployeeAdmin(admin.ModelAdmin):
    list_display = ["user", "location", "default"]
    list_filter = ["location", "default"]
    search_fields = ["user__username", "location__code"]


@admin.register(LotNoInformation)
class LotNoInformationAdmin(admin.ModelAdmin):
    list_display = ["item", "lot_no", "expiration_date", "blocked", "description", "certificate"]
    list_filter = ["blocked", "item__tracking_code", ("expiration_date", admin.DateFieldListFilter)]
    search_fields = ["lot_no", "item__no", "description", "certificate"]
    list_select_related = ["item"]
    autocomplete_fields = ["item"]


@admin.register(SerialNoInformation)
class SerialNoInformationAdmin(admin.ModelAdmin):
    list_display = ["item", "serial_no", "expiration_date", "blocked", "description", "certificate"]
    list_filter = ["blocked", "item__tracking_code", ("expiration_date", admin.DateFieldListFilter)]
    search_fields = ["serial_no", "item__no", "description", "certificate"]
    list_select_related = ["item"]
    autocomplete_fields = ["item"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Ledgers: visible, searchable, never edited by hand."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ItemLedgerEntry)
class ItemLedgerEntryAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "posting_date",
        "entry_type",
        "document_no",
        "item",
        "location",
        "lot_no",
        "serial_no",
        "expiration_date",
        "quantity",
        "remaining_quantity",
        "open",
        "applies_to_entry",
    ]
    list_filter = [
        "entry_type",
        "open",
        "location",
        "document_type",
        ("posting_date", admin.DateFieldListFilter),
    ]
    search_fields = ["document_no", "item__no", "lot_no", "serial_no", "source_document_no"]
    list_select_related = ["item", "location"]


@admin.register(WarehouseEntry)
class WarehouseEntryAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "posting_date",
        "entry_type",
        "document_no",
        "item",
        "location",
        "bin",
        "lot_no",
        "serial_no",
        "quantity",
        "item_ledger_entry",
    ]
    list_filter = ["entry_type", "location", ("posting_date", admin.DateFieldListFilter)]
    search_fields = ["document_no", "item__no", "lot_no", "serial_no", "bin__code"]
    list_select_related = ["item", "location", "bin"]


@admin.register(BinContent)
class BinContentAdmin(ReadOnlyAdmin):
    list_display = ["location", "bin", "item", "lot_no", "serial_no", "expiration_date", "quantity"]
    list_filter = ["location", "bin__blocked", ("expiration_date", admin.DateFieldListFilter)]
    search_fields = ["item__no", "lot_no", "serial_no", "bin__code"]
    list_select_related = ["location", "bin", "item"]
