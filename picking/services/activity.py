"""What the picking services write in the activity log (core.activity): the changes of picks, pick lines,
source documents, source lines and item tracking lines, described the same way by every service.

A pick's entries belong to the pick (document type `pick`); a source document's, its lines' and its item
tracking lines' entries to the source document (`source_document`).
"""

from __future__ import annotations

from typing import Any

from core.activity import Change, snapshot
from picking.models import ItemTrackingLine, Pick, PickLine, SourceDocument, SourceLine

PICK = "pick"
SOURCE_DOCUMENT = "source_document"

PICK_LINE_FIELDS = ("quantity", "qty_handled", "qty_to_handle", "serial_no", "lot_no", "bin_id")
TRACKING_FIELDS = ("serial_no", "lot_no", "quantity", "qty_handled", "expiration_date")


def pick_line_values(line: PickLine) -> dict[str, Any]:
    return snapshot(line, PICK_LINE_FIELDS)


def pick_change(
    pick: Pick, *, before: dict[str, Any] | None = None, after: dict[str, Any] | None = None
) -> Change:
    return Change(
        object_type=PICK,
        object_id=pick.pk,
        object_repr=pick.no,
        document_type=PICK,
        document_id=pick.pk,
        document_no=pick.no,
        location_id=pick.location_id,
        before=before,
        after=after,
    )


def pick_line_change(
    pick: Pick, line: PickLine, *, before: dict[str, Any] | None = None, after: dict[str, Any] | None = None
) -> Change:
    return Change(
        object_type="pick_line",
        object_id=line.pk,
        object_repr=f"{pick.no} line {line.line_no}",
        document_type=PICK,
        document_id=pick.pk,
        document_no=pick.no,
        location_id=pick.location_id,
        before=before,
        after=after,
    )


def pick_line_changes(pick: Pick, before: list[PickLine], after: dict[int, dict[str, Any]]) -> list[Change]:
    """The lines whose values differ: `before` as locked, `after` their values now by pk (absent: deleted)."""
    changes = []
    for line in before:
        old, new = pick_line_values(line), after.get(line.pk)
        if old != new:
            changes.append(pick_line_change(pick, line, before=old, after=new))
    return changes


def document_change(
    document: SourceDocument, *, before: dict[str, Any] | None = None, after: dict[str, Any] | None = None
) -> Change:
    return Change(
        object_type=SOURCE_DOCUMENT,
        object_id=document.pk,
        object_repr=str(document),
        document_type=SOURCE_DOCUMENT,
        document_id=document.pk,
        document_no=document.no,
        location_id=document.location_id,
        before=before,
        after=after,
    )


def source_line_change(
    line: SourceLine, *, before: dict[str, Any] | None = None, after: dict[str, Any] | None = None
) -> Change:
    document = line.document
    return Change(
        object_type="source_line",
        object_id=line.pk,
        object_repr=f"{document} line {line.line_no}",
        document_type=SOURCE_DOCUMENT,
        document_id=document.pk,
        document_no=document.no,
        location_id=document.location_id,
        before=before,
        after=after,
    )


def tracking_line_change(
    line: SourceLine,
    row: ItemTrackingLine,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> Change:
    document = line.document
    numbers = ", ".join(
        p for p in (row.lot_no and f"lot {row.lot_no}", row.serial_no and f"serial {row.serial_no}") if p
    )
    return Change(
        object_type="item_tracking_line",
        object_id=row.pk,
        object_repr=f"{document} line {line.line_no}: {numbers}",
        document_type=SOURCE_DOCUMENT,
        document_id=document.pk,
        document_no=document.no,
        location_id=document.location_id,
        before=before,
        after=after,
    )


def tracking_values(row: ItemTrackingLine) -> dict[str, Any]:
    return snapshot(row, TRACKING_FIELDS)
