"""Forms of the pick pages. They only parse what was typed or scanned; the services check the rules
(quantities, numbers, locks) and their messages are shown next to the line."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from picking.models import Pick, SourceDocument

ACTIVE = "active"  # the status filter "not completed" (open or in progress)


class PickFilterForm(forms.Form):
    location = forms.ChoiceField(label=_("Location"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), (ACTIVE, _("Not completed")), *Pick.Status.choices],
    )
    assigned_to = forms.ChoiceField(label=_("Assigned to"), required=False)
    document_no = forms.CharField(label=_("Source document no."), required=False, max_length=30)
    source_document = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, location_codes: list[str], usernames: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"].choices = [("", _("All locations")), *[(c, c) for c in location_codes]]  # type: ignore[attr-defined]
        self.fields["assigned_to"].choices = [  # type: ignore[attr-defined]
            ("me", _("My picks")),
            ("all", _("Everyone")),
            ("none", _("Not assigned")),
            *[(u, u) for u in usernames],
        ]


class PostedPickFilterForm(forms.Form):
    pick_no = forms.CharField(label=_("Pick no."), required=False, max_length=30)
    source_document = forms.IntegerField(required=False, widget=forms.HiddenInput)


class PickLineForm(forms.Form):
    """Qty. to Handle and, on lines whose numbers may change, the serial or lot number (typed or scanned);
    on a warehouse pick's place line, the shipping bin. Absent fields are left unchanged."""

    qty_to_handle = forms.CharField(label=_("Qty. to Handle"), required=False, max_length=30)
    serial_no = forms.CharField(label=_("Serial No."), required=False, max_length=50)
    lot_no = forms.CharField(label=_("Lot No."), required=False, max_length=50)
    bin = forms.CharField(label=_("Bin"), required=False, max_length=20)

    def changes(self, data: Any) -> dict[str, Any]:
        """The fields present in the POST (cleaned), as keyword arguments of `pick_line_update`."""
        result: dict[str, Any] = {}
        if "qty_to_handle" in data:
            # a decimal comma (2,5) is read as 2.5
            # (too long to be a field value: read as typed, the service says what is wrong with it)
            typed = self.cleaned_data.get("qty_to_handle", str(data["qty_to_handle"]))
            result["qty_to_handle"] = typed.strip().replace(",", ".")
        for name in ("serial_no", "lot_no"):
            # an empty number field changes nothing (a scan field starts empty)
            if self.cleaned_data.get(name, "").strip():
                result[name] = self.cleaned_data[name].strip()
        if self.cleaned_data.get("bin", "").strip():
            result["bin_code"] = self.cleaned_data["bin"].strip()
        return result


class QuantityForm(forms.Form):
    """Split Line (quantity required) and Assign Serial Nos./Lot No. (empty: the outstanding quantity)."""

    quantity = forms.CharField(label=_("Quantity"), required=False, max_length=30)


class ScanForm(forms.Form):
    code = forms.CharField(label=_("Scan or type a code"), max_length=500)
    quantity = forms.CharField(label=_("Quantity"), required=False, max_length=30)
    line_id = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def clean_code(self) -> str:
        code: str = self.cleaned_data["code"].strip()
        if not code:
            raise forms.ValidationError(_("Scan or type a code."))
        return code


class PickAssignForm(forms.Form):
    assigned_to = forms.ChoiceField(label=_("Assign to"), required=False)

    def __init__(self, *args: Any, usernames: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].choices = [("", _("Nobody")), *[(u, u) for u in usernames]]  # type: ignore[attr-defined]


class PickBatchCreateForm(forms.Form):
    location = forms.ChoiceField(label=_("Location"))
    document_type = forms.ChoiceField(
        label=_("Source document type"),
        required=False,
        choices=[("", _("All types")), *SourceDocument.Type.choices],
    )
    no_from = forms.CharField(label=_("Document no. from"), required=False, max_length=30)
    no_to = forms.CharField(label=_("Document no. to"), required=False, max_length=30)
    assigned_to = forms.ChoiceField(label=_("Assign the picks to"), required=False)

    def __init__(self, *args: Any, location_codes: list[str], usernames: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"].choices = [(c, c) for c in location_codes]  # type: ignore[attr-defined]
        nobody = ("", _("Nobody (workers take them with Next pick)"))
        self.fields["assigned_to"].choices = [nobody, *[(u, u) for u in usernames]]  # type: ignore[attr-defined]
