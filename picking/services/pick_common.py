"""What the pick services share: locking a pick or a line for a change, line numbers, splitting a line,
the source lines' quantity on picks, and turning a database constraint into a clear conflict.

Every helper here runs inside the caller's transaction; locks follow the order of docs/architecture.md
(number series, pick, pick lines, source lines, bin content, open receipts).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import DecimalField, F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from core.exceptions import Conflict, ErrorCode, InvalidInput, NotFoundError, SerialNotAvailable
from core.quantities import ZERO
from picking import rules
from picking.locks import lock_pick, lock_pick_line
from picking.models import Pick, PickLine, SourceLine
from picking.selectors.picks import get_visible_pick, get_visible_pick_line

LINE_NO_STEP = 10000


# --- Locking for a change ------------------------------------------------------------------------


def lock_pick_for_change(*, pick_id: int, user: Any) -> Pick:
    """Inside a transaction: the pick, visible to the user, locked (with its location and document)."""
    visible = get_visible_pick(pick_id=pick_id, user=user)
    pick = lock_pick(pick_id=pick_id)
    if pick is None:
        raise NotFoundError(_("Pick %(no)s was deleted meanwhile.") % {"no": visible.no})
    pick.location = visible.location
    pick.source_document = visible.source_document
    return pick


def lock_line_for_change(*, pick_line_id: int, user: Any) -> tuple[Pick, PickLine]:
    """Inside a transaction: lock the line's pick, then the line; re-read both after locking."""
    line = get_visible_pick_line(pick_line_id=pick_line_id, user=user)
    pick = lock_pick(pick_id=line.pick_id)
    if pick is None:
        raise NotFoundError(
            _("Pick line #%(id)s no longer exists: its pick was deleted.") % {"id": pick_line_id}
        )
    locked = lock_pick_line(pick_line_id=pick_line_id)
    if locked is None:
        raise NotFoundError(_("Pick line #%(id)s no longer exists: it was deleted.") % {"id": pick_line_id})
    pick.location = line.pick.location
    locked.pick = pick
    return pick, locked


# --- Describing and checking a line ----------------------------------------------------------------


def describe(line: PickLine) -> str:
    return _("Line %(line)s (item %(item)s)") % {"line": line.line_no, "item": line.item.no}


def numbers_text(line: PickLine, *, empty: str | None = None) -> str:
    """The line's numbers as a worker reads them ("lot L1, serial no. S1"), or `empty` ("no numbers")."""
    parts = [
        _("lot %(lot)s") % {"lot": line.lot_no} if line.lot_no else "",
        _("serial no. %(serial)s") % {"serial": line.serial_no} if line.serial_no else "",
    ]
    return ", ".join(p for p in parts if p) or (_("no numbers") if empty is None else empty)


def check_line_open(line: PickLine, *, place_allowed: bool = False) -> None:
    """Only a take line with something outstanding can be handled (`place_allowed`: the place line of a
    warehouse pick's pair too, for what may change on it: its bin and Qty. to Handle)."""
    if line.action != PickLine.Action.TAKE and not (place_allowed and line.pair_id):
        if line.pair_id:
            raise Conflict(
                _(
                    "%(line)s is the place line of a pair: split, assign or select numbers on its take line; "
                    "the place line follows it."
                )
                % {"line": describe(line)},
                code=ErrorCode.NOT_A_TAKE_LINE,
            )
        raise Conflict(
            _("Only take lines of an inventory pick can be handled here."), code=ErrorCode.NOT_A_TAKE_LINE
        )
    if line.qty_handled >= line.quantity:
        raise Conflict(
            _("%(line)s is fully handled: nothing is left to change on it.") % {"line": describe(line)},
            code=ErrorCode.LINE_HANDLED,
        )


def parse_quantity(value: Any, field_name: str) -> Decimal:
    """A quantity typed by a worker (any finite number; the caller checks its range)."""
    try:
        quantity = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        quantity = Decimal("NaN")
    if not quantity.is_finite():
        raise InvalidInput(
            _("'%(value)s' is not a quantity. Enter a number such as 1 or 2.5.") % {"value": value},
            errors=[{"field": field_name, "code": ErrorCode.INVALID, "detail": _("Enter a number.")}],
        )
    return quantity


# --- Line numbers and splitting --------------------------------------------------------------------


def next_line_nos(pick_id: int, count: int) -> list[int]:
    """`count` line numbers after the pick's last line."""
    last = (
        PickLine.objects.filter(pick_id=pick_id)
        .order_by("-line_no")
        .values_list("line_no", flat=True)
        .first()
    )
    start = (last or 0) + LINE_NO_STEP
    return [start + i * LINE_NO_STEP for i in range(count)]


def line_no_after(line: PickLine) -> int:
    """A line number right after `line` (between it and the next line when there is room)."""
    following = (
        PickLine.objects.filter(pick_id=line.pick_id, line_no__gt=line.line_no)
        .order_by("line_no")
        .values_list("line_no", flat=True)
        .first()
    )
    if following is None:
        return line.line_no + LINE_NO_STEP
    if following - line.line_no > 1:
        return line.line_no + (following - line.line_no) // 2
    return next_line_nos(line.pick_id, 1)[0]


def new_line_like(line: PickLine, **fields: Any) -> PickLine:
    """A new (unsaved, unhandled) line of the same pick, source line (and shipment line), item, bin and
    numbers as `line`, with `fields` set (at least `line_no` and `quantity`). Not paired: a warehouse pick's
    new take line gets its place line from `pick_pairs.pairs_follow`."""
    new = PickLine(
        pick_id=line.pick_id,
        action=line.action,
        source_line_id=line.source_line_id,
        item_id=line.item_id,
        bin_id=line.bin_id,
        qty_handled=ZERO,
        qty_to_handle=ZERO,
        serial_no=line.serial_no,
        lot_no=line.lot_no,
        expiration_date=line.expiration_date,
        tracking_locked=line.tracking_locked,
        item_tracking_line_id=line.item_tracking_line_id,
        shipment_line_id=line.shipment_line_id,
    )
    for name, value in fields.items():
        setattr(new, name, value)
    return new


def split_off(line: PickLine, quantity: Decimal, **changes: Any) -> PickLine:
    """Give `quantity` of the line's outstanding quantity to a new line (saved), with `changes` applied.

    Qty. to Handle stays on the old line as far as it fits (`picking.rules.split_quantities`)."""
    split = rules.split_quantities(
        quantity=line.quantity,
        qty_handled=line.qty_handled,
        qty_to_handle=line.qty_to_handle,
        split_qty=quantity,
    )
    line.quantity = split.kept_quantity
    line.qty_to_handle = split.kept_qty_to_handle
    line.save(update_fields=["quantity", "qty_to_handle"])
    new = new_line_like(
        line,
        line_no=line_no_after(line),
        quantity=split.new_quantity,
        qty_to_handle=split.new_qty_to_handle,
        **changes,
    )
    try:
        with transaction.atomic():
            new.save()
    except IntegrityError as exc:
        raise integrity_conflict(exc) from exc
    return new


# --- Source lines and constraints ------------------------------------------------------------------


def open_take_quantity(of: str, **filters: Any) -> Coalesce:
    """The outstanding quantity of the open take lines whose `of` (`source_line_id`, `shipment_line_id`)
    is the outer row, matching `filters`: an expression for an UPDATE of the outer rows."""
    quantity: DecimalField[Any, Any] = DecimalField(max_digits=18, decimal_places=5)
    open_sum = (
        PickLine.objects.filter(
            action=PickLine.Action.TAKE, qty_handled__lt=F("quantity"), **{of: OuterRef("pk")}, **filters
        )
        .order_by()
        .values(of)
        .annotate(total=Sum(F("quantity") - F("qty_handled")))
        .values("total")
    )
    return Coalesce(Subquery(open_sum, output_field=quantity), Value(ZERO), output_field=quantity)


def refresh_qty_on_picks(*, document_id: int) -> None:
    """Recompute every source line's qty_on_picks of a document from its open inventory pick take lines
    (one UPDATE); warehouse pick lines count on their shipment lines instead.

    Call with the document's source lines locked.
    """
    SourceLine.objects.filter(document_id=document_id).update(
        qty_on_picks=open_take_quantity("source_line_id", shipment_line__isnull=True)
    )


def integrity_conflict(exc: IntegrityError) -> Conflict:
    """The conflict a worker is told about when a database constraint refused a write made meanwhile."""
    text = str(exc)
    if "serial_on_one_open_pick_line" in text:
        return SerialNotAvailable(
            _("This serial number is already on another open pick line. Choose another one."),
        )
    if "one_open_inventory_pick_per_document_location" in text:
        return Conflict(
            _("Someone else just created a pick for this document. Open that pick instead."),
            code=ErrorCode.PICK_EXISTS,
        )
    return Conflict(
        _("Someone else changed these lines at the same moment. Reload and try again; nothing was changed."),
        code=ErrorCode.CONCURRENT_CHANGE,
    )
