"""Reads about the item tracking lines of a source line: whether a pick locks them, and the page's data.

A source line's item tracking lines are locked (by prescribed numbers, not a database row lock) while an
open `take` pick line exists for the source line: the pick carries those numbers, so they may not change
under it; and while numbers registered for it on a warehouse shipment wait unshipped in a shipping bin.
`open_picks_by_line` finds those picks; services re-check it after locking the source line.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import F
from django.utils.translation import ngettext

from core.quantities import ZERO
from picking.availability import AvailableRow, available_stock
from picking.models import ItemTrackingLine, PickedStock, PickLine, SourceLine
from picking.selectors.source_documents import source_line_get
from tracking.rules import requirement


def open_picks_by_line(source_line_ids: Iterable[int]) -> dict[int, list[str]]:
    """Per source line, what locks its item tracking lines: the numbers of the picks with an open take line
    for it, and of the warehouse shipments whose picked stock for it waits in a shipping bin unshipped
    (registered numbers are shipped as they are). Two queries."""
    ids = list(source_line_ids)
    picks: dict[int, list[str]] = defaultdict(list)
    rows = (
        PickLine.objects.filter(
            source_line_id__in=ids,
            action=PickLine.Action.TAKE,
            qty_handled__lt=F("quantity"),
        )
        .values_list("source_line_id", "pick__no")
        .distinct()
        .order_by("source_line_id", "pick__no")
    )
    waiting = (
        PickedStock.objects.filter(shipment_line__source_line_id__in=ids, qty_shipped__lt=F("quantity"))
        .values_list("shipment_line__source_line_id", "shipment_line__shipment__no")
        .distinct()
        .order_by("shipment_line__source_line_id", "shipment_line__shipment__no")
    )
    for line_id, document_no in [*rows, *waiting]:
        if document_no not in picks[line_id]:
            picks[line_id].append(document_no)
    return dict(picks)


def tracking_locked_reason(line: SourceLine, pick_nos: Sequence[str]) -> str:
    return ngettext(
        "Line %(line)s of %(document)s is on pick %(picks)s: its item tracking lines are locked while the "
        "pick is open. Post the pick, or delete the pick lines for this line (supervisors), then change the "
        "numbers.",
        "Line %(line)s of %(document)s is on picks %(picks)s: its item tracking lines are locked while the "
        "pick is open. Post the pick, or delete the pick lines for this line (supervisors), then change the "
        "numbers.",
        len(pick_nos),
    ) % {"line": line.line_no, "document": line.document, "picks": ", ".join(pick_nos)}


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
    available: list[AvailableRow] = field(default_factory=list)

    @property
    def locked(self) -> bool:
        return bool(self.locked_by)

    @property
    def selectable(self) -> list[tuple[AvailableRow, Decimal]]:
        """Available rows with the quantity proposed for selection (at most the undefined quantity)."""
        undefined = max(self.undefined_quantity, ZERO)
        return [(row, min(max(row.available, ZERO), undefined)) for row in self.available]


def item_tracking_overview(*, user: Any, document_id: int, line_no: int) -> TrackingOverview:
    line = source_line_get(user=user, document_id=document_id, line_no=line_no)
    tracking = list(line.tracking_lines.order_by("pk"))
    tracked = sum((t.quantity for t in tracking), ZERO)
    picks = open_picks_by_line([line.pk]).get(line.pk, [])
    req = requirement(line.item.tracking_code)
    can_select = req.serial.warehouse or req.lot.warehouse
    available: list[AvailableRow] = []
    if can_select and not picks:
        on_line = {(t.serial_no, t.lot_no) for t in tracking if t.serial_no}
        stock = available_stock(
            item_ids=[line.item_id], location_id=line.document.location_id, bin_id=line.bin_id
        )
        available = [row for row in stock.rows if (row.stock.serial_no, row.stock.lot_no) not in on_line]
        available.sort(
            key=lambda r: (
                r.stock.expiration_date is None,
                r.stock.expiration_date,
                r.stock.lot_no,
                r.stock.serial_no,
            )
        )
    return TrackingOverview(
        line=line,
        tracking_lines=tracking,
        source_quantity=line.quantity,
        tracked_quantity=tracked,
        undefined_quantity=line.quantity - tracked,
        locked_by=picks,
        locked_reason=tracking_locked_reason(line, picks) if picks else "",
        can_assign_serial=req.serial.outbound_only and line.item.serial_nos_id is not None,
        can_assign_lot=req.lot.outbound_only and line.item.lot_nos_id is not None,
        can_select=can_select,
        available=available,
    )
