"""The printable pick list of a pick: a page with a print stylesheet and a PDF download, both with Code 128
barcodes (pick number, bins, items, serial and lot numbers) and the open lines in walking order (bin,
then line no.). Two queries whatever the number of lines (the pick, its lines with item and bin)."""

from __future__ import annotations

from itertools import groupby

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from fpdf import FPDF

from core.language import day
from core.quantities import quantity_text
from picking.barcodes import bars
from picking.models import Pick, PickLine
from picking.selectors.picks import walking_order
from picking.views.pdf import TitledPdf, pdf_download
from picking.views.pdf import latin as _latin
from picking.views.pick_page import VIEW_PICK, get_pick_or_404


def print_lines(pick: Pick) -> list[PickLine]:
    """The pick's open take lines in walking order, with item and bin, and (a warehouse pick) the bin of
    each pair's place line (one query)."""
    lines = PickLine.objects.filter(pick_id=pick.pk, action=PickLine.Action.TAKE).select_related(
        "item", "bin", "pair__bin"
    )
    return [ln for ln in walking_order(lines) if ln.qty_outstanding > 0]


def by_bin(lines: list[PickLine]) -> list[tuple[str, list[PickLine]]]:
    return [
        (code, list(group)) for code, group in groupby(lines, key=lambda ln: ln.bin.code if ln.bin else "")
    ]


@login_required
@permission_required(VIEW_PICK, raise_exception=True)
def pick_print_view(request: HttpRequest, pk: int) -> HttpResponse:
    pick = get_pick_or_404(request.user, pk)
    lines = print_lines(pick)
    return render(
        request,
        "picking/picks/print.html",
        {"pick": pick, "bins": by_bin(lines), "count": len(lines), "printed_at": timezone.localtime()},
    )


@login_required
@permission_required(VIEW_PICK, raise_exception=True)
def pick_pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    pick = get_pick_or_404(request.user, pk)
    pdf = pick_list_pdf(pick, print_lines(pick))
    return pdf_download(pdf, f"pick-{pick.no}.pdf")


# --- The PDF ---------------------------------------------------------------------------------------


def _barcode(pdf: FPDF, text: str, *, x: float, y: float, width: float, height: float) -> None:
    runs, modules = bars(text)
    module = width / modules
    for start, run in runs:
        pdf.rect(x + start * module, y, run * module, height, style="F")
    pdf.set_font("helvetica", "", 7)
    pdf.text(x + 10 * module, y + height + 3, _latin(text))


def pick_list_pdf(pick: Pick, lines: list[PickLine]) -> FPDF:
    """A4 pick list: the pick's barcode, then per bin its barcode and its lines with the barcodes of the
    item and the number to pick, the quantity and a box to tick."""
    pdf = TitledPdf(format="A4")
    pdf.title_text = _("Pick list %(no)s · %(document)s · location %(location)s") % {
        "no": pick.no,
        "document": pick.source_document or "",
        "location": pick.location.code,
    }
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("helvetica", "B", 16)
    pdf.cell(0, 9, _latin(_("Pick %(no)s") % {"no": pick.no}), new_x="LMARGIN", new_y="NEXT")
    _barcode(pdf, pick.no, x=pdf.l_margin, y=pdf.get_y(), width=70, height=12)
    pdf.set_y(pdf.get_y() + 18)
    pdf.set_font("helvetica", "", 9)
    summary = ngettext(
        "%(count)s open line(s) in walking order, printed %(at)s",
        "%(count)s open line(s) in walking order, printed %(at)s",
        len(lines),
    ) % {
        "count": len(lines),
        "at": date_format(timezone.localtime(), "SHORT_DATETIME_FORMAT"),
    }
    pdf.cell(0, 5, _latin(summary), new_x="LMARGIN", new_y="NEXT")
    for bin_code, group in by_bin(lines):
        if pdf.get_y() > pdf.h - 60:
            pdf.add_page()
        pdf.ln(3)
        top = pdf.get_y()
        pdf.set_font("helvetica", "B", 13)
        pdf.cell(40, 8, _latin(_("Bin %(bin)s") % {"bin": bin_code or "-"}))
        if bin_code:
            _barcode(pdf, bin_code, x=pdf.l_margin + 45, y=top, width=45, height=9)
        pdf.set_y(top + 15)
        for line in group:
            _pdf_line(pdf, line)
    return pdf


def _pdf_line(pdf: FPDF, line: PickLine) -> None:
    if pdf.get_y() > pdf.h - 35:
        pdf.add_page()
    top = pdf.get_y()
    left = pdf.l_margin
    pdf.rect(left, top + 1, 5, 5)  # the box to tick
    pdf.set_xy(left + 7, top)
    pdf.set_font("helvetica", "B", 10)
    quantity = quantity_text(line.qty_outstanding)
    pdf.cell(60, 5, _latin(f"{quantity} x {line.item.no}"))
    pdf.set_font("helvetica", "", 8)
    details = [_("Line %(no)s") % {"no": line.line_no}, line.item.description]
    if line.pair is not None and line.pair.bin is not None:  # a warehouse pick: where the pair places it
        details.insert(1, _("place in %(bin)s") % {"bin": line.pair.bin.code})
    if line.expiration_date:
        details.append(_("expires %(date)s") % {"date": day(line.expiration_date)})
    pdf.set_xy(left + 7, top + 5)
    pdf.cell(60, 4, _latin(" · ".join(d for d in details if d))[:60])
    _barcode(pdf, line.item.no, x=left + 70, y=top, width=50, height=9)
    number = line.serial_no or line.lot_no
    if number:
        pdf.set_xy(left + 125, top - 3)
        pdf.set_font("helvetica", "", 6)
        pdf.cell(30, 3, _latin(_("serial no.") if line.serial_no else _("lot no.")))
        _barcode(pdf, number, x=left + 125, y=top, width=60, height=9)
    pdf.set_y(top + 17)


urlpatterns = [
    path("picks/<int:pk>/print/", pick_print_view, name="pick-print"),
    path("picks/<int:pk>/pick-list.pdf", pick_pdf_view, name="pick-pdf"),
]
