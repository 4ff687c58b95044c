"""Row locks of the picking app: the only `select_for_update` calls on picking rows.

Each function locks a whole set of rows of one kind in ONE query, `order_by("pk")`, `of=("self",)`
(`lock_source_line_with_tracking`: the line, then its tracking lines). They are listed in the lock order
(docs/architecture.md, "Lock order"): number series, PICK, PICK LINE, WAREHOUSE SHIPMENT, SHIPMENT LINE,
PICKED STOCK, SOURCE LINE (then its ITEM TRACKING LINES), bin content, open receipts. A service that needs
a later kind never goes back to lock an earlier kind. On SQLite `select_for_update` is a no-op; writers
are serialised by the database lock.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from django.db.models import Q

from picking.models import (
    ItemTrackingLine,
    Pick,
    PickedStock,
    PickLine,
    Recall,
    SourceLine,
    WarehouseShipment,
    WarehouseShipmentLine,
)


def lock_pick(*, pick_id: int) -> Pick | None:
    """Lock one pick row (None when it does not exist)."""
    return Pick.objects.select_for_update(of=("self",)).filter(pk=pick_id).order_by("pk").first()


def lock_pick_lines(*, pick_id: int) -> list[PickLine]:
    """Lock every line of a pick (after the pick), in pk order."""
    return list(PickLine.objects.select_for_update(of=("self",)).filter(pick_id=pick_id).order_by("pk"))


@dataclass(slots=True)
class LockedLine:
    """A locked pick line read as a plain row (`lock_pick_line_rows`): the fields posting and registering
    read, under the model's names, without building a model instance per line."""

    pk: int
    line_no: int
    action: str
    source_line_id: int
    item_id: int
    bin_id: int | None
    quantity: Decimal
    qty_handled: Decimal
    qty_to_handle: Decimal
    serial_no: str
    lot_no: str
    expiration_date: datetime.date | None
    tracking_locked: bool
    item_tracking_line_id: int | None
    shipment_line_id: int | None
    pair_id: int | None


_LOCKED_LINE_FIELDS = [f.name for f in fields(LockedLine)]


def lock_pick_line_rows(*, pick_id: int) -> list[LockedLine]:
    """`lock_pick_lines` (the same lock, the same order), read as plain rows: a posting of 5 000 serial
    numbers builds no 5 000 model instances to read a few fields of each."""
    rows = (
        PickLine.objects.select_for_update(of=("self",))
        .filter(pick_id=pick_id)
        .order_by("pk")
        .values_list(*_LOCKED_LINE_FIELDS)
    )
    return [LockedLine(*row) for row in rows]


def lock_pick_line_ids(*, pick_id: int) -> list[int]:
    """Lock every line of a pick (after the pick), in pk order, without reading them: their ids."""
    return list(
        PickLine.objects.select_for_update(of=("self",))
        .filter(pick_id=pick_id)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def lock_pick_line(*, pick_line_id: int) -> PickLine | None:
    """Lock one pick line (after its pick), with its item, tracking code, bin and source line, and the
    other line of its pair (warehouse picks, available as `line.pair`) in the same query."""
    rows = list(
        PickLine.objects.select_for_update(of=("self",))
        .select_related("item__tracking_code", "bin", "source_line")
        .filter(Q(pk=pick_line_id) | Q(pair_id=pick_line_id))
        .order_by("pk")
    )
    line = next((row for row in rows if row.pk == pick_line_id), None)
    other = next((row for row in rows if row.pk != pick_line_id), None)
    if line is not None and other is not None and line.pair_id == other.pk:
        line.pair = other
    return line


def lock_shipments(*, where: Q) -> list[WarehouseShipment]:
    """Lock the warehouse shipments matching `where` (after picks and pick lines), in pk order, with their
    location. `where` may hold subqueries, so any number of rows costs a fixed number of parameters."""
    return list(
        WarehouseShipment.objects.select_for_update(of=("self",))
        .select_related("location")
        .filter(where)
        .order_by("pk")
    )


def lock_shipment_lines(*, where: Q) -> list[WarehouseShipmentLine]:
    """Lock the shipment lines matching `where` (after their shipments), in pk order."""
    return list(WarehouseShipmentLine.objects.select_for_update(of=("self",)).filter(where).order_by("pk"))


def lock_picked_stock(*, where: Q) -> list[PickedStock]:
    """Lock the picked stock matching `where` (after the shipment lines), in pk order."""
    return list(PickedStock.objects.select_for_update(of=("self",)).filter(where).order_by("pk"))


def lock_source_lines(*, where: Q) -> list[SourceLine]:
    """Lock the source lines matching `where` (of one or several documents), in pk order."""
    return list(SourceLine.objects.select_for_update(of=("self",)).filter(where).order_by("pk"))


def lock_document_source_lines(*, document_id: int) -> list[SourceLine]:
    """Lock every line of a source document, in pk order (a fixed number of parameters for any size)."""
    return list(
        SourceLine.objects.select_for_update(of=("self",)).filter(document_id=document_id).order_by("pk")
    )


def lock_source_line_with_tracking(
    *, source_line_id: int, location_ids: Any
) -> tuple[SourceLine | None, list[ItemTrackingLine]]:
    """Lock one source line at one of `location_ids` (a queryset or ids), then all its item tracking lines
    (the Item Tracking Lines changes).

    Two queries. The line comes with its document, location, item (tracking code, number series) and bin;
    the tracking lines in pk order. (None, []) when there is no such line at those locations.
    """
    line = (
        SourceLine.objects.select_for_update(of=("self",))
        .select_related(
            "document__location", "item__tracking_code", "item__serial_nos", "item__lot_nos", "bin"
        )
        .filter(pk=source_line_id, document__location__in=location_ids)
        .order_by("pk")
        .first()
    )
    if line is None:
        return None, []
    rows = list(
        ItemTrackingLine.objects.select_for_update(of=("self",)).filter(source_line_id=line.pk).order_by("pk")
    )
    return line, rows


def lock_next_waiting_pick(*, location_ids: list[int]) -> Pick | None:
    """Lock the oldest open pick without a worker at these locations, skipping picks another transaction
    has locked (SKIP LOCKED): two workers asking at once get different picks. None when there is none."""
    return (
        Pick.objects.select_for_update(of=("self",), skip_locked=True)
        .filter(location_id__in=location_ids, assigned_to__isnull=True)
        .exclude(status=Pick.Status.COMPLETED)
        .order_by("pk")
        .first()
    )


def lock_item_recalls(*, item_id: int) -> list[Recall]:
    """Lock every recall of an item, in pk order (opening and closing recalls of one item one at a time:
    which recall blocked a number is decided under this lock). Recall services take no other picking lock."""
    return list(Recall.objects.select_for_update(of=("self",)).filter(item_id=item_id).order_by("pk"))
