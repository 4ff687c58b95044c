"""Django admin for item tracking codes and number series (validated by the services' rules)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.exceptions import DomainError
from tracking.models import ItemTrackingCode, NoSeries
from tracking.services import TRACKING_CODE_FLAGS, item_tracking_code_validate, no_series_validate


def raise_as_form_errors(form: forms.ModelForm, error: DomainError) -> None:
    """Show a DomainError's field errors next to the fields, the rest at the top of the form."""
    placed = False
    for item in error.errors:
        field = item.get("field")
        if field and field in form.fields:
            form.add_error(field, item["detail"])
            placed = True
    if not placed:
        form.add_error(None, error.detail)


class ItemTrackingCodeForm(forms.ModelForm):
    class Meta:
        model = ItemTrackingCode
        fields = ["code", "description", *TRACKING_CODE_FLAGS]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        values = {name: bool(data.get(name)) for name in TRACKING_CODE_FLAGS}
        current = ItemTrackingCode.objects.filter(pk=self.instance.pk).first() if self.instance.pk else None
        try:
            item_tracking_code_validate(current=current, values=values)
        except DomainError as error:
            raise_as_form_errors(self, error)
        return data


@admin.register(ItemTrackingCode)
class ItemTrackingCodeAdmin(admin.ModelAdmin):
    form = ItemTrackingCodeForm
    list_display = [
        "code",
        "description",
        "sn_specific_tracking",
        "sn_warehouse_tracking",
        "sn_outbound_tracking",
        "lot_specific_tracking",
        "lot_warehouse_tracking",
        "lot_outbound_tracking",
        "use_expiration_dates",
        "strict_expiration_posting",
    ]
    list_filter = [
        "sn_specific_tracking",
        "sn_warehouse_tracking",
        "lot_specific_tracking",
        "lot_warehouse_tracking",
        "use_expiration_dates",
        "strict_expiration_posting",
    ]
    search_fields = ["code", "description"]
    fieldsets = [
        (None, {"fields": ["code", "description"]}),
        (
            _("Serial numbers"),
            {"fields": ["sn_specific_tracking", "sn_warehouse_tracking", "sn_outbound_tracking"]},
        ),
        (
            _("Lot numbers"),
            {"fields": ["lot_specific_tracking", "lot_warehouse_tracking", "lot_outbound_tracking"]},
        ),
        (
            _("Expiration"),
            {
                "fields": [
                    "use_expiration_dates",
                    "require_expiration_date_entry",
                    "strict_expiration_posting",
                ]
            },
        ),
    ]


class NoSeriesForm(forms.ModelForm):
    class Meta:
        model = NoSeries
        fields = ["code", "description", "starting_no", "ending_no", "increment", "last_no_used"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            no_series_validate(
                code=data.get("code") or "",
                starting_no=data.get("starting_no") or "",
                ending_no=data.get("ending_no") or "",
                increment=int(data.get("increment") or 0),
                last_no_used=data.get("last_no_used") or "",
            )
        except DomainError as error:
            raise_as_form_errors(self, error)
        return data


@admin.register(NoSeries)
class NoSeriesAdmin(admin.ModelAdmin):
    form = NoSeriesForm
    list_display = ["code", "description", "starting_no", "ending_no", "increment", "last_no_used"]
    search_fields = ["code", "description", "starting_no"]
