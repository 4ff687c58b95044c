"""The Stock page (availability per bin, lot and serial number), URL name `warehouse:availability`.

It lives in the picking layer because it shows what open picks reserve (picking.availability).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from picking.availability import availability_rows
from warehouse.models import Bin, Item
from warehouse.scoping import visible_location_ids, visible_locations

PAGE_SIZE = 100


@login_required
@permission_required("warehouse.view_bincontent", raise_exception=True)
def availability(request: HttpRequest) -> HttpResponse:
    """Stock at the locations you work at: quantity, quantity on open picks, available, expiration,
    blocked and expired flags; filters item, location, bin, lot and serial number."""
    params = {
        name: request.GET.get(name, "").strip() for name in ("item", "location", "bin", "lot_no", "serial_no")
    }
    locations = list(visible_locations(request.user).order_by("code"))
    errors: dict[str, str] = {}
    filters: dict[str, Any] = {"location_ids": visible_location_ids(request.user)}
    location = None
    if params["location"]:
        location = next((loc for loc in locations if loc.code == params["location"]), None)
        if location is None:
            errors["location"] = _("There is no location %(location)s where you work.") % {
                "location": params["location"]
            }
        else:
            filters["location_id"] = location.pk
    if params["bin"]:
        if location is None:
            errors["bin"] = _("Choose the location of the bin first.")
        else:
            bin_ = Bin.objects.filter(location=location, code=params["bin"]).first()
            if bin_ is None:
                errors["bin"] = _("There is no bin %(bin)s at %(location)s.") % {
                    "bin": params["bin"],
                    "location": location.code,
                }
            else:
                filters["bin_id"] = bin_.pk
    if params["item"]:
        item = Item.objects.filter(no=params["item"]).first()
        if item is None:
            errors["item"] = _("There is no item %(item)s. Check the number.") % {"item": params["item"]}
        else:
            filters["item_id"] = item.pk
    for name in ("lot_no", "serial_no"):
        if params[name]:
            filters[name] = params[name]
    rows: Any = [] if errors else availability_rows(**filters, on_date=timezone.localdate())
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode({k: v for k, v in params.items() if v})
    return render(
        request,
        "warehouse/stock.html",
        {
            "params": params,
            "locations": locations,
            "errors": errors,
            "page": page,
            "rows": page.object_list,
            "total": page.paginator.count,
            "query": query,
            "today": timezone.localdate(),
        },
    )


urlpatterns = [
    path("stock/", availability, name="availability"),
]
