"""Row lock of one source line and its item tracking lines (the Item Tracking Lines changes).

Belongs with the other picking locks in `picking/locks.py` and follows its rules: the only
`select_for_update` calls, `order_by("pk")`, `of=("self",)`, in the lock order of docs/architecture.md
(number series, pick, pick lines, SOURCE LINE, then its ITEM TRACKING LINES, bin content, open receipts).
"""

from __future__ import annotations

from typing import Any

from picking.models import ItemTrackingLine, SourceLine


def lock_source_line_with_tracking(
    *, source_line_id: int, location_ids: Any
) -> tuple[SourceLine | None, list[ItemTrackingLine]]:
    """Lock one source line at one of `location_ids` (a queryset or ids), then all its item tracking lines.

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
