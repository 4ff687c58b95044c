"""What the picking services write in the activity log (core.activity): the changes of picks, pick lines,
warehouse shipments and their lines, source documents, source lines and item tracking lines, described the
same way by every service.

A pick's entries belong to the pick (document type `pick`, warehouse picks too); a warehouse shipment's and
its lines' to the shipment (`warehouse_shipment`); a source document's, its lines' and its item tracking
lines' entries to the source document (`source_document`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.db.models import DecimalField, ExpressionWrapper, F, Q, QuerySet, Value

from core.activity import (
    Action,
    Change,
    activity_record,
    activity_record_created,
    activity_record_update,
    loggable,
    snapshot,
)
from core.quantities import ZERO
from picking.models import (
    ItemTrackingLine,
    Pick,
    PickLine,
    SourceDocument,
    SourceLine,
    WarehouseShipment,
    WarehouseShipmentLine,
)

PICK = "pick"
SOURCE_DOCUMENT = "source_document"
SHIPMENT = "warehouse_shipment"

PICK_LINE_FIELDS = ("quantity", "qty_handled", "qty_to_handle", "serial_no", "lot_no", "bin_id")
TRACKING_FIELDS = ("serial_no", "lot_no", "quantity", "qty_handled", "expiration_date")


Values = dict[str, Any] | None


def _of_document_type(
    document_type: str,
    owner: Pick | SourceDocument | WarehouseShipment,
    object_type: str,
    object_id: int | None,
    object_repr: str,
    before: Values,
    after: Values,
) -> Change:
    """An entry about `owner` or one of its lines (it belongs to `owner`, a document of `document_type`)."""
    return Change(
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr,
        document_type=document_type,
        document_id=owner.pk,
        document_no=owner.no,
        location_id=owner.location_id,
        before=before,
        after=after,
    )


# An entry about a pick, a source document or a warehouse shipment, or one of its lines (it belongs to it).
_of_pick = partial(_of_document_type, PICK)
_of_document = partial(_of_document_type, SOURCE_DOCUMENT)
_of_shipment = partial(_of_document_type, SHIPMENT)


def _values_by_pk(queryset: QuerySet[Any], fields: tuple[str, ...]) -> dict[int, dict[str, Any]]:
    """The loggable values of `fields` of every row of `queryset`, by pk (one query)."""
    return {
        row.pop("pk"): {name: loggable(value) for name, value in row.items()}
        for row in queryset.values("pk", *fields)
    }


def _line_changes(
    of: Callable[[str, int | None, str, Values, Values], Change],
    object_type: str,
    document_no: str,
    before: dict[int, dict[str, Any]],
    after: dict[int, dict[str, Any]],
) -> list[Change]:
    """An entry per line created, changed or deleted between `before` and `after` (values by pk), by pk."""
    changes = []
    for pk in sorted({*before, *after}):
        old, new = before.get(pk), after.get(pk)
        if old != new:
            line_no = (new or old or {}).get("line_no")
            changes.append(of(object_type, pk, f"{document_no} line {line_no}", old, new))
    return changes


def pick_change(pick: Pick, *, before: Values = None, after: Values = None) -> Change:
    return _of_pick(pick, PICK, pick.pk, pick.no, before, after)


def document_change(document: SourceDocument, *, before: Values = None, after: Values = None) -> Change:
    return _of_document(document, SOURCE_DOCUMENT, document.pk, str(document), before, after)


def source_line_change(line: SourceLine, *, before: Values = None, after: Values = None) -> Change:
    return _of_document(
        line.document, "source_line", line.pk, f"{line.document} line {line.line_no}", before, after
    )


def tracking_line_change(
    line: SourceLine, row: ItemTrackingLine, *, before: Values = None, after: Values = None
) -> Change:
    numbers = ", ".join(
        p for p in (row.lot_no and f"lot {row.lot_no}", row.serial_no and f"serial {row.serial_no}") if p
    )
    return _of_document(
        line.document,
        "item_tracking_line",
        row.pk,
        f"{line.document} line {line.line_no}: {numbers}",
        before,
        after,
    )


def tracking_values(row: ItemTrackingLine) -> dict[str, Any]:
    return snapshot(row, TRACKING_FIELDS)


# --- A pick and its lines, before and after a service changed them ---------------------------------------

LINE_VALUE_FIELDS = ("line_no", *PICK_LINE_FIELDS)


def pick_lines_values(pick_id: int) -> dict[int, dict[str, Any]]:
    """The values the log keeps of every line of the pick, by pk (one query)."""
    return _values_by_pk(PickLine.objects.filter(pick_id=pick_id), LINE_VALUE_FIELDS)


@dataclass(frozen=True)
class LinesConcerned:
    """The lines of a pick that a change to some of its lines can touch: those lines, their place lines (a
    warehouse pick's), and the lines the change makes: ids above `last_pk`, the highest pick line id before
    the change (ids only grow, and the caller holds the pick's lock, so no other change makes lines for this
    pick meanwhile). Logging only these keeps a scan on a 30 000-line pick from reading every line twice."""

    pick_id: int
    line_ids: tuple[int, ...]
    last_pk: int

    def queryset(self) -> QuerySet[PickLine]:
        return PickLine.objects.filter(pick_id=self.pick_id).filter(
            Q(pk__in=self.line_ids) | Q(pair_id__in=self.line_ids) | Q(pk__gt=self.last_pk)
        )


def pick_lines_values_concerned(
    pick_id: int, line_ids: Sequence[int]
) -> tuple[LinesConcerned, dict[int, dict[str, Any]]]:
    """`pick_lines_values` of the lines a change to `line_ids` can touch (two queries, whatever the size of
    the pick); pass the first value to `record_pick_change(concerned=...)`."""
    last_pk = PickLine.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    concerned = LinesConcerned(pick_id=pick_id, line_ids=tuple(sorted(set(line_ids))), last_pk=last_pk)
    return concerned, _values_by_pk(concerned.queryset(), LINE_VALUE_FIELDS)


def record_pick_change(
    *,
    user: Any,
    pick: Pick,
    operation: str,
    lines_before: dict[int, dict[str, Any]],
    action: str = Action.CHANGED,
    pick_before: dict[str, Any] | None = None,
    pick_after: dict[str, Any] | None = None,
    lines_gone: bool = False,
    concerned: LinesConcerned | None = None,
) -> None:
    """Log what a service did to a pick: the pick itself (when `pick_before` or `pick_after` is given)
    and every line created, changed or deleted since `lines_before` (one query to read the lines now,
    none when `lines_gone`, and one INSERT). `concerned`: `lines_before` holds only those lines
    (`pick_lines_values_concerned`), and only those are read again."""
    if lines_gone:
        after: dict[int, dict[str, Any]] = {}
    elif concerned is not None:
        after = _values_by_pk(concerned.queryset(), LINE_VALUE_FIELDS)
    else:
        after = pick_lines_values(pick.pk)
    changes = [pick_change(pick, before=pick_before, after=pick_after)] if pick_before or pick_after else []
    changes += _line_changes(partial(_of_pick, pick), "pick_line", pick.no, lines_before, after)
    activity_record(user=user, action=action, operation=operation, changes=changes)


def record_pick_lines_created(
    *,
    user: Any,
    pick: Pick,
    operation: str,
    line_ids: Sequence[int] | None,
    action: str = Action.CHANGED,
    pick_after: dict[str, Any] | None = None,
) -> None:
    """Log lines a service has just inserted into a pick (`line_ids`, ids of one INSERT; None: every line
    of a pick created by this transaction) and, with
    `pick_after`, the pick itself: the entries `record_pick_change` writes for them (the pick's first, then
    one per line by pk, `before` None, `after` the line's values), built by the database from the rows
    inserted (`activity_record_created`): two INSERTs, no line read back. Nothing else of the pick may
    have changed since it was locked (`record_pick_change` otherwise)."""
    _record_pick_entry(user, pick, operation, action, None, pick_after)
    rows = PickLine.objects.filter(pick_id=pick.pk)
    if line_ids is not None:
        if not line_ids:
            return
        # the ids one INSERT took, in the pick (locked or new): no other line of it lies in between
        rows = rows.filter(pk__gte=min(line_ids), pk__lte=max(line_ids))
    activity_record_created(
        user=user,
        action=action,
        operation=operation,
        rows=rows,
        **_pick_line_entries(pick),
    )


def record_pick_lines_update(
    *,
    user: Any,
    pick: Pick,
    operation: str,
    lines: QuerySet[PickLine],
    changes: Mapping[str, Any],
    action: str = Action.CHANGED,
    pick_before: dict[str, Any] | None = None,
    pick_after: dict[str, Any] | None = None,
) -> None:
    """Log an UPDATE about to set `changes` (field -> expression with an `output_field`) on `lines` of the
    pick, right BEFORE it runs: the entries `record_pick_change` would write afterwards (the pick's first
    when `pick_before` or `pick_after` is given, then one per line that changes, by pk, with its values
    before and after), built by the database (`activity_record_update`): no line read into Python."""
    _record_pick_entry(user, pick, operation, action, pick_before, pick_after)
    activity_record_update(
        user=user, action=action, operation=operation, rows=lines, changes=changes, **_pick_line_entries(pick)
    )


def pick_lines_handled(
    *,
    user: Any,
    pick: Pick,
    operation: str,
    action: str,
    handled: QuerySet[PickLine],
    pick_after: dict[str, Any],
) -> None:
    """Posting and registering, last step: `handled` (the lines with a Qty. to Handle) get Qty. Handled
    raised by Qty. to Handle and Qty. to Handle back to 0 (one UPDATE), logged right before it by the
    database, the pick's entry (`pick_after`) first."""
    record_pick_lines_update(
        user=user,
        pick=pick,
        operation=operation,
        action=action,
        lines=handled,
        changes={
            "qty_handled": quantity_of(F("qty_handled") + F("qty_to_handle")),
            "qty_to_handle": quantity_of(Value(ZERO)),
        },
        pick_after=pick_after,
    )
    handled.update(qty_handled=F("qty_handled") + F("qty_to_handle"), qty_to_handle=ZERO)


def _record_pick_entry(
    user: Any, pick: Pick, operation: str, action: str, before: Values, after: Values
) -> None:
    """The pick's own entry (when there is something to say about it), before its lines' entries."""
    if before or after:
        changes = [pick_change(pick, before=before, after=after)]
        activity_record(user=user, action=action, operation=operation, changes=changes)


def _pick_line_entries(pick: Pick) -> dict[str, Any]:
    """How the entries of the pick's lines are described (the arguments `activity_record_created` and
    `activity_record_update` share)."""
    return {
        "fields": LINE_VALUE_FIELDS,
        "like": _of_pick(pick, "pick_line", None, f"{pick.no} line ", None, None),
        "repr_field": "line_no",
    }


def quantity_of(expression: Any) -> Any:
    """`expression` as a pick line quantity (the output field `record_pick_lines_update` needs)."""
    field = PickLine._meta.get_field("quantity")
    return ExpressionWrapper(
        expression,
        output_field=DecimalField(max_digits=field.max_digits, decimal_places=field.decimal_places),
    )


# --- A warehouse shipment and its lines ---------------------------------------------------------------------

SHIPMENT_LINE_FIELDS = (
    "line_no",
    "source_line_id",
    "quantity",
    "qty_picked",
    "qty_on_picks",
    "qty_shipped",
    "qty_to_ship",
    "bin_id",
)


def shipment_lines_values(shipment_id: int) -> dict[int, dict[str, Any]]:
    """The values the log keeps of every line of the shipment, by pk (one query)."""
    return _values_by_pk(WarehouseShipmentLine.objects.filter(shipment_id=shipment_id), SHIPMENT_LINE_FIELDS)


def shipment_lines_snapshot(lines: Any) -> dict[int, dict[str, Any]]:
    """`shipment_lines_values` of lines already read (no query)."""
    return {line.pk: snapshot(line, SHIPMENT_LINE_FIELDS) for line in lines}


def record_shipment_change(
    *,
    user: Any,
    shipment: WarehouseShipment,
    operation: str,
    lines_before: dict[int, dict[str, Any]],
    action: str = Action.CHANGED,
    shipment_before: dict[str, Any] | None = None,
    shipment_after: dict[str, Any] | None = None,
    lines_gone: bool = False,
) -> None:
    """Log what a service did to a warehouse shipment: the shipment itself (when `shipment_before` or
    `shipment_after` is given) and every line created, changed or deleted since `lines_before` (one query
    to read the lines now, none when `lines_gone`, and one INSERT)."""
    after = {} if lines_gone else shipment_lines_values(shipment.pk)
    changes = []
    if shipment_before or shipment_after:
        changes.append(
            _of_shipment(shipment, SHIPMENT, shipment.pk, shipment.no, shipment_before, shipment_after)
        )
    changes += _line_changes(
        partial(_of_shipment, shipment), "shipment_line", shipment.no, lines_before, after
    )
    activity_record(user=user, action=action, operation=operation, changes=changes)
