"""Forms of the source document pages. They only parse; the services check the rules."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from picking.models import SourceDocument


class SourceDocumentFilterForm(forms.Form):
    q = forms.CharField(label=_("Search (number or partner)"), required=False, max_length=100)
    type = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("All types")), *SourceDocument.Type.choices]
    )
    location = forms.ChoiceField(label=_("Location"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses")), *SourceDocument.Status.choices]
    )

    def __init__(self, *args: Any, location_codes: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"].choices = [("", _("All locations")), *[(c, c) for c in location_codes]]  # type: ignore[attr-defined]


class QuantityForm(forms.Form):
    quantity = forms.DecimalField(
        label=_("Quantity"), min_value=Decimal("0.00001"), max_digits=18, decimal_places=5, required=False
    )


class TrackingLineAddForm(forms.Form):
    serial_no = forms.CharField(label=_("Serial No."), required=False, max_length=50)
    lot_no = forms.CharField(label=_("Lot No."), required=False, max_length=50)
    quantity = forms.DecimalField(
        label=_("Quantity"), min_value=Decimal("0.00001"), max_digits=18, decimal_places=5
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("serial_no") and not data.get("lot_no"):
            raise forms.ValidationError(_("Enter a serial number or a lot number (or both)."))
        return data


class SourceDocumentImportForm(forms.Form):
    file = forms.FileField(
        label=_("JSON file with a list of source documents"),
        help_text='[{"type": "sales_order", "no": "SO-1", "location": "MAIN", "lines": [...]}, ...]',
    )
