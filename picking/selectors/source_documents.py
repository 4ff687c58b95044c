"""Reads of source documents and item tracking lines, for the API and the pages.

Every function is scoped to the locations the user may see (anything else is "not found") and prefetches
what it renders, so the number of queries does not grow with lines or tracking lines.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from core.exceptions import NotFoundError
from picking.models import ItemTrackingLine, SourceDocument, SourceLine
from picking.services.source_documents import (
    StockRow,
    open_picks_by_line,
    stock_rows,
    tracking_locked_reason,
    tracks_kind,
    warehouse_tracked,
)
from warehouse.scoping import visible_locations

ZERO = Decimal(0)


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


def source_document_get(*, user: Any, pk: int) -> SourceDocument:
    """One document with its lines and tracking lines (four queries), or NotFoundError."""
    document = (
        SourceDocument.objects.filter(pk=pk, location__in=visible_locations(user))
        .select_related("location")
        .prefetch_related(_lines_prefetch())
        .first()
    )
    if document is None:
        raise NotFoundError("This source document does not exist, or is not at a location you work at.")
    return document


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
            f"Source document {document_id} has no line {line_no}, or it is not at a location you work at."
        )
    return line


@dataclass
class TrackingOverview:
    """Everything the Item Tracking Lines page shows for one source line."""

    line: SourceLine
    tracking_lines: list[ItemTrackingLine]
    source_quantity: Decimal
    tracked_quantity: Decimal
    undefined_quantity: Decimal
    locked_by: list[str]
    locked_reason: str
    can_assign_serial: bool
    can_assign_lot: bool
    can_select: bool
    available: list[StockRow] = field(default_factory=list)

    @property
    def locked(self) -> bool:
        return bool(self.locked_by)

    @property
    def selectable(self) -> list[tuple[StockRow, Decimal]]:
        """Available rows with the quantity proposed for selection (at most the undefined quantity)."""
        undefined = max(self.undefined_quantity, ZERO)
        return [(row, min(max(row.available, ZERO), undefined)) for row in self.available]


def item_tracking_overview(*, user: Any, document_id: int, line_no: int) -> TrackingOverview:
    line = source_line_get(user=user, document_id=document_id, line_no=line_no)
    tracking = list(line.tracking_lines.order_by("pk"))
    tracked = sum((t.quantity for t in tracking), ZERO)
    picks = open_picks_by_line([line.pk]).get(line.pk, [])
    code = line.item.tracking_code
    can_select = warehouse_tracked(code, "serial") or warehouse_tracked(code, "lot")
    available: list[StockRow] = []
    if can_select and not picks:
        on_line = {(t.serial_no, t.lot_no) for t in tracking if t.serial_no}
        available = [
            row
            for row in stock_rows(location_id=line.document.location_id, item_ids=[line.item_id])
            if row.quantity > 0
            and (line.bin_id is None or row.bin_id == line.bin_id)
            and (row.serial_no, row.lot_no) not in on_line
        ]
        available.sort(key=lambda r: (r.expiration_date is None, r.expiration_date, r.lot_no, r.serial_no))
    return TrackingOverview(
        line=line,
        tracking_lines=tracking,
        source_quantity=line.quantity,
        tracked_quantity=tracked,
        undefined_quantity=line.quantity - tracked,
        locked_by=picks,
        locked_reason=tracking_locked_reason(line, picks) if picks else "",
        can_assign_serial=(
            tracks_kind(code, "serial")
            and not warehouse_tracked(code, "serial")
            and line.item.serial_nos_id is not None
        ),
        can_assign_lot=(
            tracks_kind(code, "lot")
            and not warehouse_tracked(code, "lot")
            and line.item.lot_nos_id is not None
        ),
        can_select=can_select,
        available=available,
    )
