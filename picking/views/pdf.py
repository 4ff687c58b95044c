"""What the printable PDFs (pick lists, recall reports) share: Latin-1 text for the built-in fonts, an A4
page with the document's title at the top and its page number at the foot, and the download answer."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _
from fpdf import FPDF


def latin(text: Any) -> str:
    """The PDF's built-in fonts hold Latin-1: other characters are replaced, never an error."""
    return str(text).encode("latin-1", "replace").decode("latin-1")


class TitledPdf(FPDF):
    """A PDF whose every page has `title_text` at the top and its page number at the foot."""

    title_text = ""

    def header(self) -> None:
        self.set_font("helvetica", "B", 9)
        self.cell(0, 5, latin(self.title_text), new_x="LMARGIN", new_y="NEXT")

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("helvetica", "", 8)
        self.cell(0, 5, latin(_("Page %(page)s") % {"page": self.page_no()}), align="R")


def pdf_download(pdf: FPDF, filename: str) -> HttpResponse:
    """The PDF as a download named `filename`."""
    response = HttpResponse(bytes(pdf.output()), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
