"""Reads of source documents and their lines, for the API and the pages (item tracking lines:
`picking.selectors.item_tracking_lines`).

Every function is scoped to the locations the user may see (anything else is "not found") and prefetches
what it renders, so the number of queries does not grow with lines or tracking lines.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from core.exceptions import NotFoundError
from picking.models import ItemTrackingLine, SourceDocument, SourceLine
from warehouse.scoping import visible_locations


def _lines_prefetch() -> Prefetch[Any]:
    return Prefetch(
        "lines",
        queryset=SourceLine.objects.select_related("item", "bin").prefetch_related(
            Prefetch("tracking_lines", queryset=ItemTrackingLine.objects.order_by("pk"))
        ),
    )


def source_document_list(
    *,
    user: Any,
    type: str = "",
    no: str = "",
    location: str = "",
    status: str = "",
    search: str = "",
    with_lines: bool = False,
) -> QuerySet[SourceDocument]:
    """Documents at the user's locations, newest first, filtered; `search` matches number and partner."""
    documents = (
        SourceDocument.objects.filter(location__in=visible_locations(user))
        .select_related("location")
        .annotate(line_count=Count("lines"))
        .order_by("-pk")
    )
    if type:
        documents = documents.filter(type=type)
    if no:
        documents = documents.filter(no=no)
    if location:
        documents = documents.filter(location__code=location)
    if status:
        documents = documents.filter(status=status)
    if search:
        documents = documents.filter(Q(no__icontains=search) | Q(partner__icontains=search))
    if with_lines:
        documents = documents.prefetch_related(_lines_prefetch())
    return documents


def source_document_not_found() -> NotFoundError:
    return NotFoundError(_("This source document does not exist, or is not at a location you work at."))


def source_document_get(*, user: Any, pk: int) -> SourceDocument:
    """One document with its lines and tracking lines (four queries), or NotFoundError."""
    document = (
        source_document_visible(user=user, pk=pk)
        .select_related("location")
        .prefetch_related(_lines_prefetch())
        .first()
    )
    if document is None:
        raise source_document_not_found()
    return document


def source_document_visible(*, user: Any, pk: int) -> QuerySet[SourceDocument]:
    """The document `pk` if it is at a location the user works at (else nothing), not read yet: the API
    reads it as plain rows (`picking.apis.rows.source_document_rows`) and answers `source_document_not_found`
    when it finds none."""
    return SourceDocument.objects.filter(pk=pk, location__in=visible_locations(user))


def source_line_get(*, user: Any, document_id: int, line_no: int) -> SourceLine:
    line = (
        SourceLine.objects.filter(
            document_id=document_id, line_no=line_no, document__location__in=visible_locations(user)
        )
        .select_related(
            "document__location", "item__tracking_code", "item__serial_nos", "item__lot_nos", "bin"
        )
        .first()
    )
    if line is None:
        raise NotFoundError(
            _("Source document %(document)s has no line %(line)s, or it is not at a location you work at.")
            % {"document": document_id, "line": line_no}
        )
    return line


def source_documents_with_lines(*, pks: list[int]) -> list[SourceDocument]:
    """Documents with their lines, in the order of `pks`, in a fixed number of queries (events)."""
    found = {
        d.pk: d
        for d in SourceDocument.objects.filter(pk__in=pks)
        .select_related("location")
        .prefetch_related(_lines_prefetch())
    }
    return [found[pk] for pk in pks]
