"""Pages for supervisors: source documents, their lines, the Item Tracking Lines page, and the import.

Each POST calls one service; DomainErrors are shown as a message, with per-line problems next to the line.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.exceptions import DomainError, NotFoundError
from core.quantities import ZERO, format_quantity
from picking.forms.source_documents import (
    QuantityForm,
    SourceDocumentFilterForm,
    SourceDocumentImportForm,
    TrackingLineAddForm,
)
from picking.models import ItemTrackingLine, SourceLine
from picking.selectors.item_tracking_lines import TrackingOverview, item_tracking_overview
from picking.selectors.source_documents import source_document_get, source_document_list
from picking.services.item_tracking_assign import item_tracking_assign_lot_no, item_tracking_assign_serial_nos
from picking.services.item_tracking_lines import (
    item_tracking_line_add,
    item_tracking_line_delete,
    item_tracking_line_set_quantity,
    item_tracking_select_entries,
)
from picking.services.source_document_import import source_document_import_start
from picking.services.source_lines import source_line_set_quantity
from picking.views.picks import employees
from warehouse.scoping import visible_locations

VIEW_PERM = "picking.view_sourcedocument"
CHANGE_TRACKING_PERM = "picking.change_itemtrackingline"
IMPORT_PERM = "picking.add_sourcedocument"


@login_required
@permission_required(VIEW_PERM, raise_exception=True)
def source_document_list_view(request: HttpRequest) -> HttpResponse:
    codes = list(visible_locations(request.user).order_by("code").values_list("code", flat=True))
    form = SourceDocumentFilterForm(request.GET or None, location_codes=codes)
    filters: dict[str, Any] = {}
    if form.is_valid():
        data = form.cleaned_data
        filters = {
            "search": data["q"],
            "type": data["type"],
            "location": data["location"],
            "status": data["status"],
        }
    documents = source_document_list(user=request.user, **filters)
    page = Paginator(documents, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "picking/source_documents/list.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


def _not_found(exc: NotFoundError) -> Http404:
    return Http404(exc.detail)


@login_required
@permission_required(VIEW_PERM, raise_exception=True)
def source_document_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        document = source_document_get(user=request.user, pk=pk)
    except NotFoundError as exc:
        raise _not_found(exc) from exc
    lines = []
    for line in document.lines.all():
        tracked = sum((t.quantity for t in line.tracking_lines.all()), ZERO)
        lines.append({"line": line, "tracked": tracked, "undefined": line.quantity - tracked})
    assignees = employees([document.location_id]) if request.user.has_perm("picking.add_pick") else []
    return render(
        request,
        "picking/source_documents/detail.html",
        {"document": document, "lines": lines, "assignees": assignees},
    )


def _quantity_action(request: HttpRequest, line: SourceLine, action: str) -> dict[str, Any] | None:
    """Assign Serial No., Assign Lot No., or change the source line's quantity."""
    form = QuantityForm(request.POST)
    if not form.is_valid():
        return {"action": action, "form_errors": form.errors}
    quantity = form.cleaned_data["quantity"]
    user = request.user
    if action == "assign_serial":
        created = item_tracking_assign_serial_nos(source_line_id=line.pk, quantity=quantity, user=user)
        messages.success(
            request,
            ngettext(
                "Serial numbers assigned; the line has %(count)s tracking lines.",
                "Serial numbers assigned; the line has %(count)s tracking lines.",
                len(created),
            )
            % {"count": len(created)},
        )
    elif action == "assign_lot":
        item_tracking_assign_lot_no(source_line_id=line.pk, quantity=quantity, user=user)
        messages.success(request, _("A new lot number was assigned."))
    else:
        if quantity is None:
            return {"action": action, "form_errors": {"quantity": [_("Enter the new quantity.")]}}
        source_line_set_quantity(
            source_line_id=line.pk,
            quantity=quantity,
            expected_quantity=request.POST.get("seen_quantity"),
            user=user,
        )
        messages.success(
            request,
            _("The quantity of line %(line)s is now %(quantity)s.")
            % {"line": line.line_no, "quantity": format_quantity(quantity)},
        )
    return None


def _select_action(request: HttpRequest, line: SourceLine) -> None:
    selections = [
        {
            "serial_no": request.POST.get(f"sel_serial_{index}", ""),
            "lot_no": request.POST.get(f"sel_lot_{index}", ""),
            "quantity": request.POST.get(f"sel_qty_{index}", ""),
        }
        for index in request.POST.getlist("sel")
    ]
    item_tracking_select_entries(source_line_id=line.pk, selections=selections, user=request.user)
    messages.success(
        request,
        ngettext("%(count)s number(s) selected.", "%(count)s number(s) selected.", len(selections))
        % {"count": len(selections)},
    )


def _tracking_line_action(request: HttpRequest, line: SourceLine, action: str) -> None:
    """Change the quantity of one number, or delete it: only if it is still as the supervisor saw it."""
    try:
        tracking_line_id = int(request.POST.get("tracking_line", ""))
    except ValueError:
        tracking_line_id = 0
    seen = request.POST.get("seen_quantity")
    if action == "update":
        item_tracking_line_set_quantity(
            source_line_id=line.pk,
            tracking_line_id=tracking_line_id,
            quantity=request.POST.get("quantity", ""),
            expected_quantity=seen,
            user=request.user,
        )
        messages.success(request, _("Quantity changed."))
    else:
        item_tracking_line_delete(
            source_line_id=line.pk,
            tracking_line_id=tracking_line_id,
            expected_quantity=seen,
            user=request.user,
        )
        messages.success(request, _("The tracking line was deleted."))


def _tracking_action(request: HttpRequest, overview: TrackingOverview) -> dict[str, Any] | None:
    """Run the POSTed action: one service call, which locks the line and works on the lines as they are
    now. Returns form errors to show, or None on success."""
    line = overview.line
    action = request.POST.get("action", "")
    if action in ("assign_serial", "assign_lot", "line_quantity"):
        return _quantity_action(request, line, action)
    if action == "select":
        _select_action(request, line)
        return None
    if action == "add":
        add_form = TrackingLineAddForm(request.POST)
        if not add_form.is_valid():
            return {"action": action, "add_form": add_form}
        data = add_form.cleaned_data
        item_tracking_line_add(
            source_line_id=line.pk,
            serial_no=data["serial_no"],
            lot_no=data["lot_no"],
            quantity=data["quantity"],
            user=request.user,
        )
        messages.success(request, _("The number was added."))
        return None
    if action in ("update", "delete"):
        _tracking_line_action(request, line, action)
        return None
    messages.error(request, _("Unknown action. Use the buttons on the page."))
    return None


def _rows_with_errors(overview: TrackingOverview, problem: DomainError | None) -> dict[str, Any]:
    """Tracking lines with the problems of each next to it; the rest belong to the form that was used."""
    source_index = {
        t.pk: i
        for i, t in enumerate(
            t for t in overview.tracking_lines if t.origin == ItemTrackingLine.Origin.SOURCE
        )
    }
    by_index: dict[int, list[str]] = {}
    other: list[str] = []
    for error in problem.errors if problem is not None else []:
        match = re.match(r"^tracking\[(\d+)\]", str(error.get("field", "")))
        index = int(match.group(1)) if match else -1
        if 0 <= index < len(source_index):
            by_index.setdefault(index, []).append(error["detail"])
        else:
            other.append(error["detail"])
    rows = [{"t": t, "errors": by_index.get(source_index.get(t.pk, -1), [])} for t in overview.tracking_lines]
    return {"rows": rows, "action_errors": other}


@login_required
@permission_required(VIEW_PERM, raise_exception=True)
def item_tracking_lines_view(request: HttpRequest, pk: int, line_no: int) -> HttpResponse:
    try:
        overview = item_tracking_overview(user=request.user, document_id=pk, line_no=line_no)
    except NotFoundError as exc:
        raise _not_found(exc) from exc
    can_change = request.user.has_perm(CHANGE_TRACKING_PERM)
    context: dict[str, Any] = {"add_form": TrackingLineAddForm()}
    status = 200
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied(_("Only supervisors change item tracking lines."))
        try:
            problem = _tracking_action(request, overview)
        except DomainError as exc:
            status = 409 if exc.status == 409 else 400
            context["problem"] = exc
            messages.error(request, exc.detail)
        else:
            if problem is None:
                return redirect(request.path)
            context.update(problem)
            status = 400
        overview = item_tracking_overview(user=request.user, document_id=pk, line_no=line_no)
    context.update(
        {
            "o": overview,
            "line": overview.line,
            "can_change": can_change and not overview.locked,
            **_rows_with_errors(overview, context.get("problem")),
        }
    )
    return render(request, "picking/source_documents/tracking.html", context, status=status)


@login_required
@permission_required(IMPORT_PERM, raise_exception=True)
def source_document_import_view(request: HttpRequest) -> HttpResponse:
    form = SourceDocumentImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            documents = json.loads(upload.read().decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            form.add_error(
                "file",
                _("This file is not valid JSON (%(error)s). Export it again as UTF-8 JSON.") % {"error": exc},
            )
        else:
            try:
                job = source_document_import_start(
                    documents=documents,
                    user=request.user,
                    description=_("Import of %(file)s") % {"file": upload.name},
                )
            except DomainError as exc:
                form.add_error("file", exc.detail)
            else:
                messages.success(request, _("The import has started; this page shows its progress."))
                return redirect(reverse("job-detail", args=[job.pk]))
    status = 400 if request.method == "POST" else 200
    return render(request, "picking/source_documents/import.html", {"form": form}, status=status)


urlpatterns = [
    path("source-documents/", source_document_list_view, name="source-document-list"),
    path("source-documents/import/", source_document_import_view, name="source-document-import"),
    path("source-documents/<int:pk>/", source_document_detail_view, name="source-document-detail"),
    path(
        "source-documents/<int:pk>/lines/<int:line_no>/tracking/",
        item_tracking_lines_view,
        name="item-tracking-lines",
    ),
]
