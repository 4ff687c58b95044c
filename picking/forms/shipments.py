"""Forms of the warehouse shipment pages. They only parse what was typed; the services check the rules
(location modes, quantities, bins) and their messages are shown next to the field or line."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import LocalizedQuantityField
from picking.models import SourceDocument, WarehouseShipment


class ShipmentFilterForm(forms.Form):
    """The shipment list: by location, status, number."""

    no = forms.CharField(label=_("Shipment no."), required=False, max_length=30)
    location = forms.ChoiceField(label=_("Location"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *WarehouseShipment.Status.choices],
    )
    source_document = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, location_codes: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"].choices = [("", _("All locations")), *[(c, c) for c in location_codes]]  # type: ignore[attr-defined]


class ShipmentCreateForm(forms.Form):
    """ "Get Source Documents": which released source documents of a location a new shipment gathers."""

    location = forms.ChoiceField(label=_("Location"))
    document_type = forms.ChoiceField(
        label=_("Source document type"),
        required=False,
        choices=[("", _("All types")), *SourceDocument.Type.choices],
    )
    no_from = forms.CharField(label=_("Document no. from"), required=False, max_length=30)
    no_to = forms.CharField(label=_("Document no. to"), required=False, max_length=30)
    partner = forms.CharField(label=_("Partner"), required=False, max_length=100)
    shipment_date_to = forms.DateField(
        label=_("Shipment date up to"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter a date as YYYY-MM-DD.")},
    )

    def __init__(self, *args: Any, location_codes: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"].choices = [(c, c) for c in location_codes]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("no_from", "no_to", "partner"):
            data[name] = (data.get(name) or "").strip()
        if data.get("no_from") and data.get("no_to") and data["no_from"] > data["no_to"]:
            self.add_error("no_to", _("'to' comes before 'from': the range is empty."))
        return data


class ShipmentLineForm(forms.Form):
    """A shipment line's Qty. to Ship and (a location without picks) the bin it ships from. Absent fields
    are left unchanged."""

    qty_to_ship = LocalizedQuantityField(label=_("Qty. to Ship"), required=False, as_text=True)
    bin = forms.CharField(label=_("Ship from bin"), required=False, max_length=20)

    def changes(self, data: Any) -> dict[str, Any]:
        """The fields present in the POST, as keyword arguments of `warehouse_shipment_line_update`."""
        result: dict[str, Any] = {}
        if "qty_to_ship" in data:
            typed = self.cleaned_data.get("qty_to_ship", str(data["qty_to_ship"]))
            result["qty_to_ship"] = typed.strip().replace(",", ".")
        if "bin" in data:
            result["bin_code"] = self.cleaned_data.get("bin", str(data["bin"])).strip()
        return result


class RegisteredPickFilterForm(forms.Form):
    pick_no = forms.CharField(label=_("Pick no."), required=False, max_length=30)
    shipment = forms.IntegerField(required=False, widget=forms.HiddenInput)


class PostedShipmentFilterForm(forms.Form):
    shipment_no = forms.CharField(label=_("Shipment no."), required=False, max_length=30)
    source_document = forms.IntegerField(required=False, widget=forms.HiddenInput)
