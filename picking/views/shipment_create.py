"""Create Warehouse Shipment, for supervisors: "Get Source Documents" with filters (location, document
type, no. range, partner, shipment date) and a preview of the source lines the shipment would gather;
and "Create Warehouse Shipment" on a source document's page (its location requires shipment).

The preview is the `shipment_candidates` selector; creating is one call of `warehouse_shipment_create`,
which checks everything again (a refusal is shown at the filters, nothing is created)."""

from __future__ import annotations

from itertools import groupby
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from core.exceptions import DomainError, PermissionDeniedError
from picking.forms.shipments import ShipmentCreateForm
from picking.models import SourceLine, WarehouseShipment
from picking.selectors.shipments import ShipmentFilter, shipment_candidates
from picking.selectors.source_documents import source_document_get
from picking.services.shipment_create import warehouse_shipment_create
from picking.views.refusals import refused_page
from picking.views.shipments import shipment_url
from warehouse.scoping import visible_locations

ADD = "picking.add_warehouseshipment"
FILTERS = ("document_type", "no_from", "no_to", "partner", "shipment_date_to")
PREVIEW_LIMIT = 200  # source lines shown in the preview (the count says how many match)


def _created(request: HttpRequest, shipment: WarehouseShipment) -> HttpResponse:
    count = shipment.lines.count()
    messages.success(
        request,
        ngettext(
            "Shipment %(no)s was created with %(count)s line(s).",
            "Shipment %(no)s was created with %(count)s line(s).",
            count,
        )
        % {"no": shipment.no, "count": count},
    )
    return redirect(shipment_url(shipment.pk))


@login_required
@permission_required(ADD, raise_exception=True)
def shipment_create_view(request: HttpRequest) -> HttpResponse:
    """The filters; with `preview` (the Preview button, or a link) the matching source lines; POST without
    it: create the shipment."""
    locations = {
        loc.code: loc
        for loc in visible_locations(request.user).filter(require_shipment=True).order_by("code")
    }
    bound = request.method == "POST" or "preview" in request.GET
    data = request.POST if request.method == "POST" else request.GET
    form = ShipmentCreateForm(data if bound else None, location_codes=list(locations))
    status = 200
    candidates: list[SourceLine] | None = None
    if bound and not form.is_valid():
        status = 400
    elif bound:
        filters = form.cleaned_data
        if request.method == "POST" and "preview" not in request.POST:
            try:
                shipment = warehouse_shipment_create(
                    location_code=filters["location"],
                    user=request.user,
                    **{name: filters[name] for name in FILTERS},
                )
            except PermissionDeniedError as exc:
                raise PermissionDenied(exc.detail) from exc
            except DomainError as exc:
                status = 409 if exc.status == 409 else 400
                named = [e["field"] for e in exc.errors if e.get("field") in form.fields]
                for name in named or [None]:
                    form.add_error(name, exc.detail)
            else:
                return _created(request, shipment)
        candidates = shipment_candidates(
            location_id=locations[filters["location"]].pk,
            filters=ShipmentFilter(**{name: filters[name] for name in FILTERS}),
        )
    return render(
        request,
        "picking/shipments/create.html",
        {
            "form": form,
            "no_location": not locations,
            "candidates": _by_document(candidates[:PREVIEW_LIMIT]) if candidates is not None else None,
            "candidate_count": len(candidates) if candidates is not None else 0,
            "candidate_documents": len({line.document_id for line in candidates or []}),
            "preview_limit": PREVIEW_LIMIT,
        },
        status=status,
    )


def _by_document(lines: list[SourceLine]) -> list[tuple[Any, list[SourceLine]]]:
    return [(document, list(group)) for document, group in groupby(lines, key=lambda line: line.document)]


@login_required
@permission_required(ADD, raise_exception=True)
@require_POST
def shipment_create_from_document_view(request: HttpRequest, document_pk: int) -> HttpResponse:
    """ "Create Warehouse Shipment" on the source document page: a shipment with its open lines."""
    try:
        document = source_document_get(user=request.user, pk=document_pk)
        shipment = warehouse_shipment_create(
            location_code=document.location.code, source_document_ids=[document.pk], user=request.user
        )
    except DomainError as exc:
        back = reverse("picking:source-document-detail", args=[document_pk])
        return refused_page(request, exc, lambda _status: redirect(back))
    return _created(request, shipment)


urlpatterns = [
    path("warehouse-shipments/create/", shipment_create_view, name="shipment-create"),
    path(
        "source-documents/<int:document_pk>/create-shipment/",
        shipment_create_from_document_view,
        name="shipment-create-from-document",
    ),
]
