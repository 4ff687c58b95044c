"""The records of warehouse shipping: registered picks (what each registration moved, take and place
lines) and posted shipments (what each posting shipped), as lists with filters and detail pages. Read
only; a fixed number of queries per page."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from core.exceptions import NotFoundError
from picking.forms.shipments import PostedShipmentFilterForm, RegisteredPickFilterForm
from picking.models import PickLine
from picking.selectors.shipments import (
    posted_shipment_detail,
    posted_shipment_list,
    registered_pick_detail,
    registered_pick_list,
)

VIEW_REGISTERED = "picking.view_registeredpick"
VIEW_POSTED = "picking.view_postedshipment"


def _page(request: HttpRequest, rows: QuerySet[Any]) -> tuple[Page[Any], str]:
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


@login_required
@permission_required(VIEW_REGISTERED, raise_exception=True)
def registered_pick_list_view(request: HttpRequest) -> HttpResponse:
    form = RegisteredPickFilterForm(request.GET or None)
    pick_no, shipment = None, None
    if form.is_valid():
        pick_no = form.cleaned_data["pick_no"].strip() or None
        shipment = form.cleaned_data["shipment"]
    registered = registered_pick_list(user=request.user, pick_no=pick_no, shipment=shipment)
    if form.is_bound and not form.is_valid():
        registered = registered.none()
    registered = registered.prefetch_related(None).annotate(
        pair_count=Count("lines", filter=Q(lines__action=PickLine.Action.TAKE))
    )
    page, query = _page(request, registered)
    return render(request, "picking/registered_picks/list.html", {"form": form, "page": page, "query": query})


@login_required
@permission_required(VIEW_REGISTERED, raise_exception=True)
def registered_pick_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        registered = registered_pick_detail(registered_pick_id=pk, user=request.user)
    except NotFoundError as exc:
        raise Http404(exc.detail) from exc
    return render(request, "picking/registered_picks/detail.html", {"registered": registered})


@login_required
@permission_required(VIEW_POSTED, raise_exception=True)
def posted_shipment_list_view(request: HttpRequest) -> HttpResponse:
    form = PostedShipmentFilterForm(request.GET or None)
    shipment_no, document = None, None
    if form.is_valid():
        shipment_no = form.cleaned_data["shipment_no"].strip() or None
        document = form.cleaned_data["source_document"]
    posted = posted_shipment_list(user=request.user, shipment_no=shipment_no, source_document=document)
    if form.is_bound and not form.is_valid():
        posted = posted.none()
    posted = posted.prefetch_related(None).annotate(line_count=Count("lines"))
    page, query = _page(request, posted)
    return render(request, "picking/posted_shipments/list.html", {"form": form, "page": page, "query": query})


@login_required
@permission_required(VIEW_POSTED, raise_exception=True)
def posted_shipment_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        posted = posted_shipment_detail(posted_shipment_id=pk, user=request.user)
    except NotFoundError as exc:
        raise Http404(exc.detail) from exc
    return render(request, "picking/posted_shipments/detail.html", {"posted": posted})


urlpatterns = [
    path("registered-picks/", registered_pick_list_view, name="registered-pick-list"),
    path("registered-picks/<int:pk>/", registered_pick_detail_view, name="registered-pick-detail"),
    path("posted-shipments/", posted_shipment_list_view, name="posted-shipment-list"),
    path("posted-shipments/<int:pk>/", posted_shipment_detail_view, name="posted-shipment-detail"),
]
