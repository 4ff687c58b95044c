"""Pages of item tracing and recalls: the tracing page (a collapsible tree, forward or backward, and its CSV
download), the recall list with the form to open one (supervisors), a recall's page (its numbers, held pick
lines, who received the numbers, the stock left; Close), and the printable recall report (page and PDF).

Each page is one selector call (`picking.selectors.tracing.item_trace`, `picking.selectors.recalls`), each
POST one service call (`picking.services.recalls`); refusals come back as messages (`refusals.refused_page`).
"""

from __future__ import annotations

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from fpdf import FPDF

from core.exceptions import DomainError, NotFoundError, PermissionDeniedError
from core.language import day
from core.quantities import quantity_text
from picking.models import Recall
from picking.selectors.recalls import RecallReport, recall_list, recall_report
from picking.selectors.tracing import CSV_HEADER, DIRECTIONS, Trace, item_trace, trace_rows
from picking.services.recalls import recall_close, recall_open
from picking.views.pdf import TitledPdf, pdf_download
from picking.views.pdf import latin as _latin
from picking.views.refusals import refused_page
from warehouse.scoping import visible_locations

VIEW_TRACE = "warehouse.view_itemledgerentry"
VIEW_RECALL = "picking.view_recall"
OPEN_RECALL = "picking.add_recall"
CLOSE_RECALL = "picking.close_recall"


def _split(text: str) -> list[str]:
    """Numbers typed or scanned one per line, or separated by commas or spaces."""
    return [n for n in text.replace(",", " ").split() if n]


# --- Tracing --------------------------------------------------------------------------------------------


def _trace_params(request: HttpRequest) -> dict[str, str]:
    params = {
        name: request.GET.get(name, "").strip()
        for name in ("item", "lot_no", "serial_no", "direction", "location")
    }
    if params["direction"] not in DIRECTIONS:
        params["direction"] = "forward"
    return params


def _trace(request: HttpRequest, params: dict[str, str]) -> Trace:
    """The trace the query parameters `params` (`_trace_params`) ask for; DomainError when refused."""
    return item_trace(
        user=request.user,
        item_no=params["item"],
        lot_no=params["lot_no"],
        serial_no=params["serial_no"],
        direction=params["direction"],
        location_code=params["location"],
    )


def _file_name_part(text: str) -> str:
    """`text` safe in a download's file name: characters other than letters, digits, `-_.` become `_`."""
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in text)


@login_required
@permission_required(VIEW_TRACE, raise_exception=True)
def tracing(request: HttpRequest) -> HttpResponse:
    """Where an item's lot or serial number came from and went, at the locations you work at."""
    params = _trace_params(request)
    trace, problem = None, None
    if params["item"] or params["lot_no"] or params["serial_no"]:
        try:
            trace = _trace(request, params)
        except DomainError as exc:  # a wrong number is said on the page, next to the form
            problem = exc
    status = 200 if problem is None else (404 if isinstance(problem, NotFoundError) else 400)
    return render(
        request,
        "picking/tracing/trace.html",
        {
            "params": params,
            "trace": trace,
            "problem": problem,
            "locations": list(visible_locations(request.user).order_by("code")),
            "query": request.GET.urlencode(),
        },
        status=status,
    )


@login_required
@permission_required(VIEW_TRACE, raise_exception=True)
def tracing_csv(request: HttpRequest) -> HttpResponse:
    """The trace as CSV rows (the same as `GET /api/v1/tracing/?format=csv`)."""
    params = _trace_params(request)
    try:
        trace = _trace(request, params)
    except DomainError as exc:
        return refused_page(request, exc, lambda status: redirect("picking:tracing"))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    number = _file_name_part(trace.serial_no or trace.lot_no)
    item = _file_name_part(trace.item.no)
    response["Content-Disposition"] = f'attachment; filename="trace-{item}-{number}-{trace.direction}.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_HEADER)
    writer.writerows(trace_rows(trace))
    return response


# --- Recalls --------------------------------------------------------------------------------------------


@login_required
@permission_required(VIEW_RECALL, raise_exception=True)
def recall_list_view(request: HttpRequest) -> HttpResponse:
    """Open recalls first, then closed ones; supervisors open a new one here."""
    values = {name: request.GET.get(name, "").strip() for name in ("item", "lot_nos", "serial_nos", "reason")}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        if not request.user.has_perm(OPEN_RECALL):
            raise Http404  # the form is not offered; the permission check repeats in the service
        values = {name: request.POST.get(name, "").strip() for name in values}
        try:
            recall = recall_open(
                item_no=values["item"],
                lot_nos=_split(values["lot_nos"]),
                serial_nos=_split(values["serial_nos"]),
                reason=values["reason"],
                user=request.user,
            )
        except PermissionDeniedError as exc:
            return refused_page(request, exc, lambda s: redirect("picking:recall-list"))
        except DomainError as exc:  # wrong input: said next to the fields
            errors = {str(e["field"]): str(e["detail"]) for e in exc.errors if e.get("field")}
            if exc.data.get("field"):
                errors.setdefault(str(exc.data["field"]), exc.detail)
            messages.error(request, exc.detail)
            status = 400 if exc.status == 404 else exc.status
        else:
            messages.success(
                request,
                _("Recall %(no)s is open: the numbers are blocked and open pick lines with them are held.")
                % {"no": recall.no},
            )
            return redirect("picking:recall-detail", recall.pk)
    recalls = list(recall_list(user=request.user).order_by("status", "-pk")[:200])
    return render(
        request,
        "picking/recalls/list.html",
        {
            "recalls": recalls,
            "values": values,
            "errors": errors,
            "can_open": request.user.has_perm(OPEN_RECALL),
        },
        status=status,
    )


def _report_or_404(request: HttpRequest, pk: int) -> RecallReport:
    try:
        return recall_report(recall_id=pk, user=request.user)
    except NotFoundError as exc:
        raise Http404(exc.detail) from exc


@login_required
@permission_required(VIEW_RECALL, raise_exception=True)
def recall_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report_or_404(request, pk)
    return render(
        request,
        "picking/recalls/detail.html",
        {
            "report": report,
            "recall": report.recall,
            "can_close": request.user.has_perm(CLOSE_RECALL) and report.recall.status == Recall.Status.OPEN,
        },
    )


@login_required
@permission_required(CLOSE_RECALL, raise_exception=True)
@require_POST
def recall_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        recall = recall_close(recall_id=pk, user=request.user)
    except DomainError as exc:
        return refused_page(request, exc, lambda status: redirect("picking:recall-detail", pk))
    messages.success(
        request, _("Recall %(no)s is closed: the numbers it blocked are unblocked.") % {"no": recall.no}
    )
    return redirect("picking:recall-detail", pk)


@login_required
@permission_required(VIEW_RECALL, raise_exception=True)
def recall_print(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report_or_404(request, pk)
    return render(
        request,
        "picking/recalls/print.html",
        {"report": report, "recall": report.recall, "printed_at": timezone.localtime()},
    )


@login_required
@permission_required(VIEW_RECALL, raise_exception=True)
def recall_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report_or_404(request, pk)
    pdf = recall_report_pdf(report)
    return pdf_download(pdf, f"recall-{report.recall.no}.pdf")


# --- The PDF --------------------------------------------------------------------------------------------


def _table(pdf: FPDF, title: str, header: list[str], widths: list[int], rows: list[list[str]]) -> None:
    pdf.ln(3)
    pdf.set_font("helvetica", "B", 12)
    pdf.cell(0, 7, _latin(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "B", 9)
    for text, width in zip(header, widths, strict=True):
        pdf.cell(width, 6, _latin(text), border="B")
    pdf.ln()
    pdf.set_font("helvetica", "", 9)
    if not rows:
        pdf.cell(0, 6, _latin(_("None.")), new_x="LMARGIN", new_y="NEXT")
    for row in rows:
        if pdf.get_y() > pdf.h - 20:
            pdf.add_page()
        for text, width in zip(row, widths, strict=True):
            pdf.cell(width, 6, _latin(text)[:60])
        pdf.ln()


def recall_report_pdf(report: RecallReport) -> FPDF:
    """A4 recall report: the recall, its reason and numbers, the partners and documents that received the
    numbers with quantities, the stock left per bin and the held pick lines."""
    recall = report.recall
    pdf = TitledPdf(format="A4")
    pdf.title_text = _("Recall report %(no)s · item %(item)s") % {"no": recall.no, "item": recall.item.no}
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("helvetica", "B", 16)
    pdf.cell(0, 9, _latin(_("Recall %(no)s") % {"no": recall.no}), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "", 10)
    lines = [
        _("Item: %(item)s %(description)s")
        % {"item": recall.item.no, "description": recall.item.description},
        _("Status: %(status)s; opened %(at)s")
        % {"status": recall.get_status_display(), "at": day(timezone.localtime(recall.opened_at).date())},
        _("Reason: %(reason)s") % {"reason": recall.reason},
        _("Lot numbers: %(lots)s") % {"lots": ", ".join(report.lot_nos) or "-"},
        _("Serial numbers: %(serials)s") % {"serials": ", ".join(report.serial_nos) or "-"},
        _("Shipped: %(shipped)s; in stock: %(stock)s")
        % {"shipped": quantity_text(report.qty_shipped), "stock": quantity_text(report.qty_in_stock)},
    ]
    for text in lines:
        pdf.multi_cell(0, 5, _latin(text), new_x="LMARGIN", new_y="NEXT")
    _table(
        pdf,
        _("Partners"),
        [_("Partner"), _("Quantity")],
        [140, 40],
        [[partner, quantity_text(qty)] for partner, qty in report.partners],
    )
    _table(
        pdf,
        _("Shipped to"),
        [_("Partner"), _("Document"), _("Shipped by"), _("Date"), _("Qty.")],
        [55, 35, 35, 30, 25],
        [
            [
                s.partner,
                s.source_document,
                s.document_no,
                day(s.posted_at),
                quantity_text(s.quantity),
            ]
            for s in report.shipped_to
        ],
    )
    _table(
        pdf,
        _("Stock left"),
        [_("Location"), _("Bin"), _("Lot no."), _("Serial no."), _("Qty.")],
        [30, 30, 50, 45, 25],
        [[s.location, s.bin, s.lot_no, s.serial_no, quantity_text(s.quantity)] for s in report.in_stock],
    )
    _table(
        pdf,
        _("Held pick lines"),
        [_("Pick"), _("Line"), _("Bin"), _("Document"), _("Partner"), _("Qty.")],
        [30, 20, 25, 30, 55, 20],
        [
            [
                h.pick_no,
                str(h.line_no),
                h.bin or "",
                h.source_document,
                h.partner,
                quantity_text(h.quantity),
            ]
            for h in report.blocked_pick_lines
        ],
    )
    return pdf


urlpatterns = [
    path("tracing/", tracing, name="tracing"),
    path("tracing/export.csv", tracing_csv, name="tracing-csv"),
    path("recalls/", recall_list_view, name="recall-list"),
    path("recalls/<int:pk>/", recall_detail, name="recall-detail"),
    path("recalls/<int:pk>/close/", recall_close_view, name="recall-close"),
    path("recalls/<int:pk>/print/", recall_print, name="recall-print"),
    path("recalls/<int:pk>/report.pdf", recall_pdf, name="recall-pdf"),
]
