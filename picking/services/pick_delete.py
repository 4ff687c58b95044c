"""Deleting picks and pick lines (supervisors): the outstanding quantity returns to the source lines.

Deleting never touches the source document's item tracking lines, so the numbers it prescribes come back
on the next pick (docs/domain.md, "Invariants"). Handled quantities are never deleted: a partly handled
line keeps its handled quantity as the record of what was picked.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import F

from core.events import EventType, event_emit
from core.exceptions import Conflict, ErrorCode
from core.permissions import require_perm
from core.quantities import ZERO
from picking.locks import lock_document_source_lines, lock_pick_lines
from picking.models import Pick, PickLine
from picking.services.pick_common import (
    describe,
    lock_line_for_change,
    lock_pick_for_change,
    refresh_qty_on_picks,
)


def pick_delete(*, pick_id: int, user: Any) -> None:
    """Delete a pick (supervisors): its outstanding quantity returns to the source lines; the source
    document's item tracking lines are never changed, so a new pick recreates the prescribed lines."""
    require_perm(user, "picking.delete_pick", "Deleting picks is for supervisors. Ask a supervisor.")
    with transaction.atomic():
        pick = lock_pick_for_change(pick_id=pick_id, user=user)
        lock_pick_lines(pick_id=pick.pk)
        if pick.source_document_id:
            lock_document_source_lines(document_id=pick.source_document_id)
        event_emit(event_type=EventType.PICK_DELETED, subject=pick)
        PickLine.objects.filter(pick_id=pick.pk).delete()
        pick.delete()
        if pick.source_document_id:
            refresh_qty_on_picks(document_id=pick.source_document_id)


def pick_line_delete(*, pick_line_id: int, user: Any) -> None:
    """Delete a pick line (supervisors): its outstanding quantity returns to the source line."""
    require_perm(user, "picking.delete_pickline", "Deleting pick lines is for supervisors. Ask a supervisor.")
    with transaction.atomic():
        pick, line = lock_line_for_change(pick_line_id=pick_line_id, user=user)
        if line.qty_handled >= line.quantity:
            raise Conflict(
                f"{describe(line)} is fully handled; handled lines stay as the record of what was picked.",
                code=ErrorCode.LINE_HANDLED,
            )
        if pick.source_document_id:
            lock_document_source_lines(document_id=pick.source_document_id)
        _delete_lines_locked(pick=pick, lines=[line])


def pick_delete_rest_locked(*, pick: Pick) -> None:
    """With the pick locked: delete every line's outstanding quantity (used after posting)."""
    lines = lock_pick_lines(pick_id=pick.pk)
    if pick.source_document_id:
        lock_document_source_lines(document_id=pick.source_document_id)
    _delete_lines_locked(pick=pick, lines=[line for line in lines if line.qty_handled < line.quantity])


def _delete_lines_locked(*, pick: Pick, lines: Sequence[PickLine]) -> None:
    """With pick, lines and the document's source lines locked: remove the outstanding part of `lines`.

    A line never handled is deleted; a partly handled line keeps only its handled quantity. The pick is
    completed when nothing is left outstanding, deleted when no line is left at all.
    """
    ids_to_delete = [line.pk for line in lines if line.qty_handled == 0]
    shrink = [line.pk for line in lines if line.qty_handled > 0]
    if ids_to_delete:
        PickLine.objects.filter(pk__in=ids_to_delete).delete()
    if shrink:
        PickLine.objects.filter(pk__in=shrink).update(quantity=F("qty_handled"), qty_to_handle=ZERO)
    if pick.source_document_id:
        refresh_qty_on_picks(document_id=pick.source_document_id)
    remaining = PickLine.objects.filter(pick_id=pick.pk)
    if not remaining.exists():
        event_emit(event_type=EventType.PICK_DELETED, subject=pick)
        pick.delete()
    elif not remaining.filter(qty_handled__lt=F("quantity")).exists():
        Pick.objects.filter(pk=pick.pk).update(status=Pick.Status.COMPLETED)
