"""Pages of warehouse shipments (docs/warehouse-shipments.md): the list (select shipments for a wave
pick), a shipment with its lines (Qty. to Ship; the bin at a location without picks), its open picks,
Post (its confirmation lists what ships) and Delete (its confirmation says what goes back, or why it is
refused), and Create Warehouse Pick for one shipment or several, optionally assigned.

Every POST calls one service and redirects with a message; a refusal shows the shipment page again with
the service's message at the top and next to the line concerned (status 400 or 409), and nothing changed.
Creating shipments from source documents is in picking.views.shipment_create.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from core.exceptions import DomainError, ErrorCode, InvalidInput, NotFoundError
from core.quantities import format_quantity
from picking.forms.shipments import ShipmentFilterForm, ShipmentLineForm
from picking.models import PickedStock, PostedShipment, WarehouseShipment, WarehouseShipmentLine
from picking.selectors.shipments import open_picks, shipment_detail, shipment_list
from picking.services.shipment_lines import (
    warehouse_shipment_delete,
    warehouse_shipment_line_delete,
    warehouse_shipment_line_update,
)
from picking.services.shipment_post import warehouse_shipment_post
from picking.services.warehouse_pick_create import warehouse_pick_create
from picking.views.pick_page import pick_url
from picking.views.picks import employees
from picking.views.refusals import problem_next_to_rows, refused_page
from warehouse.models import Bin
from warehouse.scoping import visible_locations

VIEW = "picking.view_warehouseshipment"
CHANGE = "picking.change_warehouseshipment"
DELETE = "picking.delete_warehouseshipment"
POST = "picking.post_warehouseshipment"
CREATE_PICK = "picking.add_pick"


def shipment_url(pk: int, line_id: int | None = None) -> str:
    url = reverse("picking:shipment-detail", args=[pk])
    return f"{url}#shipment-line-{line_id}" if line_id else url


def _shipment_or_404(user: Any, pk: int) -> WarehouseShipment:
    try:
        return shipment_detail(shipment_id=pk, user=user)
    except NotFoundError as exc:
        raise Http404(exc.detail) from exc


def _line_of_shipment(shipment: WarehouseShipment, line_id: int) -> WarehouseShipmentLine:
    """The line must belong to the shipment in the URL."""
    line = next((ln for ln in shipment.lines.all() if ln.pk == line_id), None)
    if line is None:
        raise Http404(_("Shipment %(no)s has no line #%(line)s.") % {"no": shipment.no, "line": line_id})
    return line


# --- The list ------------------------------------------------------------------------------------------


@login_required
@permission_required(VIEW, raise_exception=True)
def shipment_list_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    locations = list(visible_locations(user).filter(require_shipment=True).order_by("code"))
    form = ShipmentFilterForm(request.GET or None, location_codes=[loc.code for loc in locations])
    filters: dict[str, Any] = {}
    number = ""
    if form.is_valid():
        data = form.cleaned_data
        filters = {
            "location": data["location"] or None,
            "status": data["status"] or None,
            "source_document": data["source_document"],
        }
        number = data["no"].strip()
    shipments = shipment_list(user=user, **filters).prefetch_related(None)
    if form.is_bound and not form.is_valid():
        shipments = shipments.none()  # the errors are shown at the filters
    if number:
        shipments = shipments.filter(no__icontains=number)
    shipments = shipments.annotate(line_count=Count("lines"))
    page = Paginator(shipments, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    can_pick = user.has_perm(CREATE_PICK)
    return render(
        request,
        "picking/shipments/list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "rows": _with_documents(list(page)),
            "can_pick": can_pick,
            "assignees": employees([loc.pk for loc in locations]) if can_pick else [],
        },
    )


def _with_documents(shipments: list[WarehouseShipment]) -> list[dict[str, Any]]:
    """Each shipment with the numbers of the source documents it gathers (one query)."""
    rows = (
        WarehouseShipmentLine.objects.filter(shipment_id__in=[s.pk for s in shipments])
        .values_list("shipment_id", "source_line__document__no")
        .distinct()
        .order_by("shipment_id", "source_line__document__no")
    )
    result: dict[int, list[str]] = defaultdict(list)
    for shipment_id, document_no in rows:
        result[shipment_id].append(document_no)
    return [{"shipment": s, "documents": result.get(s.pk, [])} for s in shipments]


# --- The shipment page -----------------------------------------------------------------------------


@dataclass
class ShipmentLineView:
    """What the shipment page shows for one line: the line, the goods registered for it that wait in a
    shipping bin, and a refused change's message and values."""

    line: WarehouseShipmentLine
    waiting: list[dict[str, Any]] = field(default_factory=list)  # {"stock": PickedStock, "quantity": left}
    errors: list[str] = field(default_factory=list)
    values: dict[str, str] = field(default_factory=dict)

    @property
    def qty_waiting(self) -> Decimal:
        """Registered and not shipped: in the shipping bin, for this line."""
        return self.line.qty_picked - self.line.qty_shipped

    @property
    def qty_to_ship_value(self) -> str:
        if "qty_to_ship" in self.values:
            return self.values["qty_to_ship"]
        return format_quantity(self.line.qty_to_ship)

    @property
    def bin_value(self) -> str:
        return self.values.get("bin", self.line.bin.code if self.line.bin else "")


def _line_views(
    shipment: WarehouseShipment,
    *,
    problem: DomainError | None = None,
    line_id: int | None = None,
    values: dict[str, str] | None = None,
) -> list[ShipmentLineView]:
    views = [ShipmentLineView(line=line) for line in shipment.lines.all()]
    by_id = {v.line.pk: v for v in views}
    by_no = {v.line.line_no: v for v in views}
    for row in (
        PickedStock.objects.filter(shipment_line__shipment_id=shipment.pk, qty_shipped__lt=F("quantity"))
        .select_related("bin")
        .order_by("pk")
    ):
        by_id[row.shipment_line_id].waiting.append({"stock": row, "quantity": row.quantity - row.qty_shipped})
    if problem is not None:
        problem_next_to_rows(
            problem, by_id=by_id, by_no=by_no, id_key="shipment_line_id", row_id=line_id, values=values
        )
    return views


def render_shipment(
    request: HttpRequest,
    pk: int,
    *,
    problem: DomainError | None = None,
    line_id: int | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The shipment page (with a refused action's message next to its line when `problem` is given). A
    fixed number of queries, whatever the number of lines."""
    user = request.user
    shipment = _shipment_or_404(user, pk)
    location = shipment.location
    lines = _line_views(shipment, problem=problem, line_id=line_id, values=values)
    can_change = user.has_perm(CHANGE)
    can_pick = user.has_perm(CREATE_PICK) and location.require_pick
    return render(
        request,
        "picking/shipments/detail.html",
        {
            "shipment": shipment,
            "location": location,
            "lines": lines,
            "problem": problem,
            "picks": open_picks(shipment_ids=[shipment.pk]).get(shipment.pk, []),
            "postings": list(
                PostedShipment.objects.filter(shipment_id=shipment.pk).order_by("pk").values("pk", "no")
            ),
            "can_change": can_change,
            "can_delete": user.has_perm(DELETE),
            "can_post": user.has_perm(POST),
            "can_pick": can_pick,
            "to_pick": can_pick and any(v.line.qty_to_pick > 0 for v in lines),
            "to_ship_count": sum(1 for v in lines if v.line.qty_to_ship > 0),
            "any_outstanding": any(v.line.qty_outstanding > 0 for v in lines),
            "assignees": employees([location.pk]) if can_pick else [],
            "bins": (
                list(
                    Bin.objects.filter(location_id=location.pk, blocked=False)
                    .order_by("code")
                    .values_list("code", flat=True)
                )
                if can_change and not location.require_pick
                else []
            ),
        },
        status=status,
    )


def _refused(
    request: HttpRequest,
    pk: int,
    exc: DomainError,
    *,
    line_id: int | None = None,
    values: dict[str, str] | None = None,
) -> HttpResponse:
    """The shipment page again, with the service's message at the top and next to the line."""
    return refused_page(
        request,
        exc,
        lambda status: render_shipment(
            request, pk, problem=exc, line_id=line_id, values=values, status=status
        ),
    )


@login_required
@permission_required(VIEW, raise_exception=True)
def shipment_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    return render_shipment(request, pk)


@login_required
@permission_required(VIEW, raise_exception=True)
@require_POST
def shipment_line_update_view(request: HttpRequest, pk: int, line_id: int) -> HttpResponse:
    """Qty. to Ship and (a location without picks) the bin the line ships from."""
    line = _line_of_shipment(_shipment_or_404(request.user, pk), line_id)
    form = ShipmentLineForm(request.POST)
    form.is_valid()  # text fields; the service checks the values
    changes = form.changes(request.POST)
    values = {("bin" if k == "bin_code" else k): str(v) for k, v in changes.items()}
    if changes.get("qty_to_ship") == "":
        exc: DomainError = InvalidInput(
            _("Enter the Qty. to Ship: 0 up to what is picked and not shipped."),
            errors=[{"field": "qty_to_ship", "code": ErrorCode.REQUIRED, "detail": _("Enter a quantity.")}],
        )
        return _refused(request, pk, exc, line_id=line_id, values=values)
    if changes.get("bin_code") == (line.bin.code if line.bin else ""):
        changes.pop("bin_code")  # the same bin: nothing to change there
    if not changes:
        messages.info(request, _("Nothing was changed."))
        return redirect(shipment_url(pk, line_id))
    try:
        changed = warehouse_shipment_line_update(shipment_line_id=line_id, user=request.user, **changes)
    except DomainError as exc:
        return _refused(request, pk, exc, line_id=line_id, values=values)
    messages.success(
        request,
        _("Line %(line_no)s: Qty. to Ship %(qty)s from bin %(bin)s.")
        % {
            "line_no": changed.line_no,
            "qty": format_quantity(changed.qty_to_ship),
            "bin": changed.bin.code if changed.bin else "-",
        },
    )
    return redirect(shipment_url(pk, line_id))


# --- Post, delete (each with its confirmation) ----------------------------------------------------------


def _confirm(
    request: HttpRequest, pk: int, action: str, *, perm: str, refusal: str, line_id: int | None = None
) -> HttpResponse:
    """The confirmation page of `action` (post, delete, delete_line), for users with `perm`."""
    if not request.user.has_perm(perm):
        raise PermissionDenied(refusal)
    shipment = _shipment_or_404(request.user, pk)
    lines = _line_views(shipment)
    if line_id is not None:
        _line_of_shipment(shipment, line_id)
    concerned = [v for v in lines if line_id is None or v.line.pk == line_id]
    return render(
        request,
        "picking/shipments/confirm.html",
        {
            "shipment": shipment,
            "location": shipment.location,
            "action": action,
            "line": concerned[0].line if line_id is not None else None,
            "to_ship": [v for v in lines if v.line.qty_to_ship > 0],
            "concerned": concerned,
            "blocked": [v for v in concerned if v.qty_waiting > 0 or v.line.qty_on_picks > 0],
            "going_back": [v for v in concerned if v.line.qty_outstanding > 0],
        },
    )


def _done(request: HttpRequest, pk: int, call: Any, message: Any, url: Any) -> HttpResponse:
    """Run one service call: refused, the shipment page again; done, the message and a redirect."""
    try:
        result = call()
    except DomainError as exc:
        return _refused(request, pk, exc)
    messages.success(request, message(result))
    return redirect(url(result))


def _posted_message(posted: PostedShipment) -> str:
    count = posted.lines.order_by().values("shipment_line_no").distinct().count()
    text = ngettext(
        "Posted as {no}: the goods of {count} line left the location.",
        "Posted as {no}: the goods of {count} lines left the location.",
        count,
    )
    link = format_html(
        '<a href="{}">{}</a>', reverse("picking:posted-shipment-detail", args=[posted.pk]), posted.no
    )
    return format_html(text, no=link, count=count)


@login_required
@permission_required(VIEW, raise_exception=True)
def shipment_post_view(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: what ships, line by line (the confirmation). POST: post the shipment."""
    if request.method != "POST":
        return _confirm(
            request,
            pk,
            "post",
            perm=POST,
            refusal=_("You are not allowed to post warehouse shipments. Ask a supervisor."),
        )
    return _done(
        request,
        pk,
        lambda: warehouse_shipment_post(shipment_id=pk, user=request.user),
        _posted_message,
        lambda _posted: shipment_url(pk),
    )


@login_required
@permission_required(VIEW, raise_exception=True)
def shipment_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method != "POST":
        return _confirm(
            request,
            pk,
            "delete",
            perm=DELETE,
            refusal=_("Deleting warehouse shipments is for supervisors. Ask a supervisor."),
        )
    shipment = _shipment_or_404(request.user, pk)
    return _done(
        request,
        pk,
        lambda: warehouse_shipment_delete(shipment_id=pk, user=request.user),
        lambda _result: (
            _("Shipment %(no)s was deleted; its source document lines can be put on another shipment.")
            % {"no": shipment.no}
        ),
        lambda _result: reverse("picking:shipment-list"),
    )


@login_required
@permission_required(VIEW, raise_exception=True)
def shipment_line_delete_view(request: HttpRequest, pk: int, line_id: int) -> HttpResponse:
    if request.method != "POST":
        return _confirm(
            request,
            pk,
            "delete_line",
            perm=DELETE,
            refusal=_("Deleting warehouse shipments is for supervisors. Ask a supervisor."),
            line_id=line_id,
        )
    line = _line_of_shipment(_shipment_or_404(request.user, pk), line_id)

    def gone(_result: Any) -> str:
        if WarehouseShipment.objects.filter(pk=pk).exists():
            return shipment_url(pk)
        return reverse("picking:shipment-list")  # its last line: the shipment is gone too

    return _done(
        request,
        pk,
        lambda: warehouse_shipment_line_delete(shipment_line_id=line_id, user=request.user),
        lambda _result: (
            _("Line %(line_no)s was deleted; its source document line can be put on another shipment.")
            % {"line_no": line.line_no}
        ),
        gone,
    )


# --- Create Warehouse Pick (one shipment, or a wave of several) ------------------------------------------


@login_required
@permission_required(CREATE_PICK, raise_exception=True)
@require_POST
def warehouse_pick_create_view(request: HttpRequest) -> HttpResponse:
    """The shipment page's "Create Warehouse Pick", or the list's wave pick of the selected shipments."""
    try:
        ids = [int(value) for value in request.POST.getlist("shipments")]
    except ValueError:
        ids = []
    back = shipment_url(ids[0]) if len(ids) == 1 else reverse("picking:shipment-list")
    if not ids:
        messages.error(request, _("Select the shipments to pick for (tick them in the list)."))
        return redirect(back)
    try:
        result = warehouse_pick_create(
            shipment_ids=ids,
            user=request.user,
            assigned_to=request.POST.get("assigned_to", "").strip() or None,
        )
    except DomainError as exc:
        return refused_page(request, exc, lambda _status: redirect(back))
    pick = result.pick
    assert pick is not None
    messages.success(
        request,
        ngettext(
            "Warehouse pick %(no)s was created with %(pairs)s pair(s).",
            "Warehouse pick %(no)s was created with %(pairs)s pair(s).",
            result.lines_added,
        )
        % {"no": pick.no, "pairs": result.lines_added},
    )
    for n in result.not_picked:
        messages.warning(
            request,
            _("%(shipment)s line %(line_no)s, item %(item)s: %(qty)s could not be picked: %(reason)s")
            % {
                "shipment": n.shipment_no,
                "line_no": n.line_no,
                "item": n.item_no,
                "qty": format_quantity(n.quantity),
                "reason": n.reason,
            },
        )
    return redirect(pick_url(pick.pk))


urlpatterns = [
    path("warehouse-shipments/", shipment_list_view, name="shipment-list"),
    path("warehouse-shipments/<int:pk>/", shipment_detail_view, name="shipment-detail"),
    path("warehouse-shipments/<int:pk>/post/", shipment_post_view, name="shipment-post"),
    path("warehouse-shipments/<int:pk>/delete/", shipment_delete_view, name="shipment-delete"),
    path(
        "warehouse-shipments/<int:pk>/lines/<int:line_id>/",
        shipment_line_update_view,
        name="shipment-line-update",
    ),
    path(
        "warehouse-shipments/<int:pk>/lines/<int:line_id>/delete/",
        shipment_line_delete_view,
        name="shipment-line-delete",
    ),
    path("warehouse-picks/create/", warehouse_pick_create_view, name="warehouse-pick-create"),
]
