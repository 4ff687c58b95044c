"""Row locks of the picking app: the only `select_for_update` calls on picking rows.

Each function locks a whole set of rows of one kind in ONE query, `order_by("pk")`, `of=("self",)`
(`lock_source_line_with_tracking`: the line, then its tracking lines). They are listed in the lock order
(docs/architecture.md, "Lock order"): number series, PICK, PICK LINE, SOURCE LINE (then its ITEM TRACKING
LINES), bin content, open receipts. A service that needs a later kind never goes back to lock an earlier
kind. On SQLite `select_for_update` is a no-op; writers are serialised by the database lock.
"""

from __future__ import annotations

from typing import Any

from picking.models import ItemTrackingLine, Pick, PickLine, SourceLine


def lock_pick(*, pick_id: int) -> Pick | None:
    """Lock one pick row (None when it does not exist)."""
    return Pick.objects.select_for_update(of=("self",)).filter(pk=pick_id).order_by("pk").first()


def lock_pick_lines(*, pick_id: int) -> list[PickLine]:
    """Lock every line of a pick (after the pick), in pk order."""
    return list(PickLine.objects.select_for_update(of=("self",)).filter(pick_id=pick_id).order_by("pk"))


def lock_pick_line(*, pick_line_id: int) -> PickLine | None:
    """Lock one pick line (after its pick), with its item, tracking code, bin and source line."""
    return (
        PickLine.objects.select_for_update(of=("self",))
        .select_related("item__tracking_code", "bin", "source_line")
        .filter(pk=pick_line_id)
        .order_by("pk")
        .first()
    )


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
