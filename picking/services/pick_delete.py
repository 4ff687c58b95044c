"""Deleting picks and pick lines (supervisors): the outstanding quantity returns to the source lines (an
inventory pick) or to the shipment lines (a warehouse pick, whose lines are always deleted in pairs).

Deleting never touches the source document's item tracking lines, so the numbers it prescribes come back
on the next pick (docs/domain.md, "Invariants"). Handled quantities are never deleted: a partly handled
line keeps its handled quantity as the record of what was picked.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from core.activity import Action
from core.events import EventType, event_emit
from core.exceptions import Conflict, ErrorCode
from core.permissions import require_perm
from core.quantities import ZERO
from picking.locks import lock_document_source_lines, lock_pick_lines
from picking.models import Pick, PickLine
from picking.services.activity import pick_lines_values, record_pick_change
from picking.services.pick_common import (
    describe,
    lock_line_for_change,
    lock_pick_for_change,
    refresh_qty_on_picks,
)
from picking.services.pick_pairs import is_warehouse_pick
from picking.services.shipment_common import lines_of_pick, lock_shipments_with_lines, refresh_shipment_lines


def pick_delete(*, pick_id: int, user: Any) -> None:
    """Delete a pick (supervisors): its outstanding quantity returns to the source lines (or shipment
    lines); the source document's item tracking lines are never changed, so a new pick recreates the
    prescribed lines."""
    require_perm(user, "picking.delete_pick", _("Deleting picks is for supervisors. Ask a supervisor."))
    with transaction.atomic():
        pick = lock_pick_for_change(pick_id=pick_id, user=user)
        lock_pick_lines(pick_id=pick.pk)
        demand = _lock_demand(pick)
        record_pick_change(
            user=user,
            pick=pick,
            operation="pick_delete",
            action=Action.DELETED,
            lines_before=pick_lines_values(pick.pk),
            pick_before={"status": pick.status, "source_document": pick.source_document_id},
            lines_gone=True,
        )
        event_emit(event_type=EventType.PICK_DELETED, subject=pick)
        PickLine.objects.filter(pick_id=pick.pk).delete()
        pick.delete()
        _refresh_demand(pick, demand)


def pick_line_delete(*, pick_line_id: int, user: Any) -> None:
    """Delete a pick line (supervisors): its outstanding quantity returns to the source line. On a
    warehouse pick the pair is deleted: the take line and its place line."""
    require_perm(
        user, "picking.delete_pickline", _("Deleting pick lines is for supervisors. Ask a supervisor.")
    )
    with transaction.atomic():
        pick, line = lock_line_for_change(pick_line_id=pick_line_id, user=user)
        if line.qty_handled >= line.quantity:
            raise Conflict(
                _("%(line)s is fully handled; handled lines stay as the record of what was picked.")
                % {"line": describe(line)},
                code=ErrorCode.LINE_HANDLED,
            )
        lines = [line, line.pair] if line.pair_id and line.pair is not None else [line]
        _delete_lines_locked(
            pick=pick, lines=lines, demand=_lock_demand(pick), user=user, operation="pick_line_delete"
        )


def pick_delete_rest_locked(*, pick: Pick, user: Any, operation: str = "pick_post_and_delete_rest") -> None:
    """With the pick locked: delete every line's outstanding quantity (used after posting or
    registering)."""
    lines = lock_pick_lines(pick_id=pick.pk)
    demand = _lock_demand(pick)
    _delete_lines_locked(
        pick=pick,
        lines=[line for line in lines if line.qty_handled < line.quantity],
        demand=demand,
        user=user,
        operation=operation,
    )


def _lock_demand(pick: Pick) -> Q | None:
    """After the pick and its lines: lock what the pick's lines pick for (the document's source lines, or
    a warehouse pick's shipments and shipment lines). Returns the shipment lines to refresh (a warehouse
    pick)."""
    if is_warehouse_pick(pick):
        shipments, _locked_lines = lock_shipments_with_lines(lines=lines_of_pick(pick.pk))
        # the lines of those shipments (not a subquery of the pick's lines, which are about to go)
        return Q(shipment_id__in=[shipment.pk for shipment in shipments])
    if pick.source_document_id:
        lock_document_source_lines(document_id=pick.source_document_id)
    return None


def _refresh_demand(pick: Pick, shipment_lines: Q | None) -> None:
    if shipment_lines is not None:
        refresh_shipment_lines(lines=shipment_lines)
    elif pick.source_document_id:
        refresh_qty_on_picks(document_id=pick.source_document_id)


def _delete_lines_locked(
    *, pick: Pick, lines: Sequence[PickLine], demand: Q | None, user: Any, operation: str
) -> None:
    """With pick, lines and what they pick for locked: remove the outstanding part of `lines`.

    A line never handled is deleted; a partly handled line keeps only its handled quantity. The pick is
    completed when nothing is left outstanding, deleted when no line is left at all.
    """
    lines_before = pick_lines_values(pick.pk)
    ids_to_delete = [line.pk for line in lines if line.qty_handled == 0]
    shrink = [line.pk for line in lines if line.qty_handled > 0]
    if ids_to_delete:
        PickLine.objects.filter(pk__in=ids_to_delete).delete()
    if shrink:
        PickLine.objects.filter(pk__in=shrink).update(quantity=F("qty_handled"), qty_to_handle=ZERO)
    _refresh_demand(pick, demand)
    remaining = PickLine.objects.filter(pick_id=pick.pk)
    gone = not remaining.exists()
    record_pick_change(
        user=user,
        pick=pick,
        operation=operation,
        action=Action.DELETED,
        lines_before=lines_before,
        pick_before={"status": pick.status} if gone else None,
    )
    if gone:
        event_emit(event_type=EventType.PICK_DELETED, subject=pick)
        pick.delete()
    elif not remaining.filter(qty_handled__lt=F("quantity")).exists():
        Pick.objects.filter(pk=pick.pk).update(status=Pick.Status.COMPLETED)
