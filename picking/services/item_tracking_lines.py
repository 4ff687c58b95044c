"""Item Tracking Lines of a source line: the changes a supervisor (or an ERP) makes to its prescribed numbers.

Replace them all (the API's PUT), add a number, change a number's quantity, delete a number, select numbers
from stock; assigning new numbers from a series is `picking.services.item_tracking_assign`. Every change:

1. locks the source line, then its item tracking lines (`lock_source_line_with_tracking`; the lock order of
   docs/architecture.md: number series, picks, pick lines, source lines, item tracking lines);
2. re-checks under that lock that no open pick holds the line (`tracking_locked`);
3. checks the numbers it changes against the item and the stock (`picking.services.tracking_checks`),
   together with the line's other numbers as they are NOW (each number once, the total within the line);
4. writes exactly the rows concerned, in one statement each, never a copy of what was read before the lock.

So two supervisors adding different numbers to one line at the same time both keep theirs. A change that
depends on what the supervisor saw (the quantity of a row) is refused with 409 `concurrent_change` when
that row changed or disappeared meanwhile, instead of overwriting the other change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from core.activity import Action, activity_record
from core.db import bulk_insert, keys_subquery, update_rows
from core.exceptions import Conflict, ErrorCode, InvalidInput, NotFoundError, TrackingLocked
from core.quantities import ZERO, format_quantity
from picking.availability import available_stock
from picking.locks import lock_source_line_with_tracking
from picking.models import ItemTrackingLine, SourceLine
from picking.selectors.item_tracking_lines import open_picks_by_line, tracking_locked_reason
from picking.services.activity import tracking_line_change, tracking_values
from picking.services.source_document_events import refuse_cancelled, source_document_changed
from picking.services.source_document_input import (
    Error,
    TrackingInput,
    field_error,
    parse_entry,
    parse_quantity,
    parse_tracking,
)
from picking.services.tracking_checks import LineContext, check_lines, raise_for
from tracking.rules import requirement
from warehouse.models import ItemLedgerEntry


@dataclass
class LockedLine:
    """A source line and all its item tracking lines, locked in this transaction."""

    line: SourceLine
    rows: list[ItemTrackingLine]

    @property
    def source_rows(self) -> list[ItemTrackingLine]:
        """The prescribed numbers (origin `source`), in pk order: `tracking[i]` of the page and the API."""
        return [t for t in self.rows if t.origin == ItemTrackingLine.Origin.SOURCE]

    @property
    def undefined_quantity(self) -> Decimal:
        """The line's quantity that has no numbers yet."""
        return self.line.quantity - sum((t.quantity for t in self.rows), ZERO)

    def entries(self) -> list[TrackingInput]:
        """The prescribed numbers as they are, counted for the line's rules but not checked against stock."""
        return [
            TrackingInput(
                serial_no=t.serial_no,
                lot_no=t.lot_no,
                quantity=t.quantity,
                field=f"tracking[{index}]",
                expiration_date=t.expiration_date,
                check_stock=False,
            )
            for index, t in enumerate(self.source_rows)
        ]


def lock_line_for_change(*, source_line_id: int, user: Any, check_picks: bool = True) -> LockedLine:
    """Lock the line and its tracking lines (404 at a location the user does not work at), then re-check
    that no open pick holds them (`tracking_locked`, unless `check_picks` is False)."""
    from warehouse.scoping import visible_locations

    line, rows = lock_source_line_with_tracking(
        source_line_id=source_line_id, location_ids=visible_locations(user)
    )
    if line is None:
        raise NotFoundError(_("This source line does not exist, or is not at a location you work at."))
    refuse_cancelled(line.document)
    if check_picks:
        check_not_on_pick(line)
    return LockedLine(line=line, rows=rows)


def check_not_on_pick(line: SourceLine) -> None:
    picks = open_picks_by_line([line.pk]).get(line.pk)
    if picks:
        raise TrackingLocked(tracking_locked_reason(line, picks), picks=picks, line_no=line.line_no)


def check_line_tracking(locked: LockedLine, entries: list[TrackingInput]) -> None:
    """Check the line's prescribed numbers after a change (`entries`); raise with every problem.

    Entries with `check_stock` are checked against the stock of the line's bin (or location) in two
    queries; expiration dates (and a serial's lot) are filled in from stock.
    """
    line = locked.line
    req = requirement(line.item.tracking_code)
    checked = [e for e in entries if e.check_stock]
    needs_stock = any(
        (e.serial_no and req.serial.warehouse) or (e.lot_no and req.lot.warehouse) for e in checked
    )
    stock = (
        available_stock(
            item_ids=[line.item_id], location_id=line.document.location_id, bin_id=line.bin_id
        ).rows
        if needs_stock
        else []
    )
    pick_quantity = sum((t.quantity for t in locked.rows if t.origin == ItemTrackingLine.Origin.PICK), ZERO)
    context = LineContext(
        item=line.item,
        quantity=line.quantity - pick_quantity,  # numbers written back by posted picks count too
        bin_id=line.bin_id,
        bin_code=line.bin.code if line.bin else "",
        line_field="",
        tracking=entries,
        line_no=line.line_no,
    )
    errors = check_lines(
        lines=[context],
        location=line.document.location,
        stock=stock,
        used_serials=_other_serials(line) if any(e.serial_no for e in entries) else None,
        used_serial_nos=_used_before(locked, checked) if not req.serial.warehouse else None,
    )
    raise_for(errors, ref=_("Line %(line)s") % {"line": line.line_no})


def _other_serials(line: SourceLine) -> dict[tuple[int, str], str]:
    """Serial numbers on the document's other lines: a serial number ships once per document."""
    rows = (
        ItemTrackingLine.objects.filter(source_line__document_id=line.document_id)
        .exclude(source_line_id=line.pk)
        .exclude(serial_no="")
        .values_list("source_line__item_id", "serial_no", "source_line__line_no")
    )
    return {
        (item_id, serial_no): _("line %(line)s") % {"line": line_no} for item_id, serial_no, line_no in rows
    }


def _used_before(locked: LockedLine, checked: list[TrackingInput]) -> set[tuple[int, str]] | None:
    """New outbound-only serial numbers (not on the line yet) that the item ledger knows: one query."""
    on_line = {t.serial_no for t in locked.rows if t.serial_no}
    candidates = [e.serial_no for e in checked if e.serial_no and e.serial_no not in on_line]
    if not candidates:
        return None
    return set(
        ItemLedgerEntry.objects.filter(item_id=locked.line.item_id, serial_no__in=candidates).values_list(
            "item_id", "serial_no"
        )
    )


def write_tracking_changes(
    locked: LockedLine,
    *,
    insert: Sequence[TrackingInput] = (),
    update: Sequence[tuple[ItemTrackingLine, TrackingInput]] = (),
    delete: Sequence[ItemTrackingLine] = (),
    user: Any,
    operation: str,
) -> list[ItemTrackingLine]:
    """Insert, update (quantity, expiration date) and delete exactly these rows, one statement each, and
    log the change (`operation`, by `user`) in the activity log; return the line's tracking lines after
    the change, in pk order."""
    line = locked.line
    before = {row.pk: tracking_values(row) for row, _entry in update}
    if delete:
        doomed = ItemTrackingLine.objects.filter(
            pk__in=keys_subquery(ItemTrackingLine, ["id"], [[t.pk] for t in delete])
        )
        doomed._raw_delete(doomed.db)
    if update:
        update_rows(
            ItemTrackingLine,
            [(row.pk, entry.quantity, entry.expiration_date) for row, entry in update],
            set_fields=["quantity", "expiration_date"],
        )
        for row, entry in update:
            row.quantity, row.expiration_date = entry.quantity, entry.expiration_date
    created = bulk_insert([entry.prescribed_on(locked.line) for entry in insert])
    activity_record(
        user=user,
        action=Action.CHANGED,
        operation=operation,
        changes=[
            *(tracking_line_change(line, row, before=tracking_values(row)) for row in delete),
            *(
                tracking_line_change(line, row, before=before[row.pk], after=tracking_values(row))
                for row, _entry in update
                if before[row.pk] != tracking_values(row)
            ),
            *(tracking_line_change(line, row, after=tracking_values(row)) for row in created),
        ],
    )
    gone = {t.pk for t in delete}
    locked.rows = sorted([*(t for t in locked.rows if t.pk not in gone), *created], key=lambda t: t.pk)
    source_document_changed(document_id=locked.line.document_id)
    return list(locked.rows)


def _refuse_below_shipped(line: SourceLine, row: ItemTrackingLine, field_name: str) -> Error:
    values = {"quantity": format_quantity(row.qty_handled), "line": line.line_no}
    if row.serial_no:
        detail = _(
            "%(quantity)s of serial number %(serial)s were already shipped on line %(line)s: keep it with a "
            "quantity of at least %(quantity)s."
        ) % {**values, "serial": row.serial_no}
    else:
        detail = _(
            "%(quantity)s of lot %(lot)s were already shipped on line %(line)s: keep it with a quantity of "
            "at "
            "least %(quantity)s."
        ) % {**values, "lot": row.lot_no}
    return field_error(field_name, ErrorCode.TRACKING_ALREADY_SHIPPED, detail)


def _raise_shipped(errors: list[Error]) -> None:
    if errors:
        raise Conflict(errors[0]["detail"], code=ErrorCode.TRACKING_ALREADY_SHIPPED, errors=errors)


# --- Replace all (the API) ---------------------------------------------------------------------------


def item_tracking_lines_replace(*, source_line_id: int, tracking: Any, user: Any) -> list[ItemTrackingLine]:
    """Replace the numbers a source line prescribes (`[{serial_no?, lot_no?, quantity}]`).

    Refused with `tracking_locked` while an open pick line exists for the source line. Numbers already
    shipped stay with at least their handled quantity (`tracking_already_shipped`).
    """
    parse_errors: list[Error] = []
    entries = parse_tracking(tracking, "tracking", parse_errors)
    raise_for(parse_errors, ref=_("Item tracking lines"))
    with transaction.atomic():
        locked = lock_line_for_change(source_line_id=source_line_id, user=user)
        check_line_tracking(locked, entries)
        existing = {(t.serial_no, t.lot_no): t for t in locked.source_rows}
        wanted = {(e.serial_no, e.lot_no): e for e in entries}
        _raise_shipped(
            [
                _refuse_below_shipped(locked.line, row, "tracking")
                for key, row in existing.items()
                if row.qty_handled > 0 and (key not in wanted or wanted[key].quantity < row.qty_handled)
            ]
        )
        return write_tracking_changes(
            locked,
            insert=[e for key, e in wanted.items() if key not in existing],
            update=[(existing[key], e) for key, e in wanted.items() if key in existing],
            delete=[row for key, row in existing.items() if key not in wanted],
            user=user,
            operation="item_tracking_lines_replace",
        )


# --- One number at a time (the Item Tracking Lines page) -----------------------------------------------


def item_tracking_line_add(
    *, source_line_id: int, serial_no: str = "", lot_no: str = "", quantity: Any, user: Any
) -> ItemTrackingLine:
    """Add one prescribed number to the line, next to the numbers it has now."""
    with transaction.atomic():
        locked = lock_line_for_change(source_line_id=source_line_id, user=user)
        entries = locked.entries()
        parse_errors: list[Error] = []
        raw = {"serial_no": serial_no, "lot_no": lot_no, "quantity": quantity}
        new = parse_entry(raw, f"tracking[{len(entries)}]", parse_errors)
        raise_for(parse_errors, ref=_("Line %(line)s") % {"line": locked.line.line_no})
        assert new is not None
        check_line_tracking(locked, [*entries, new])
        write_tracking_changes(locked, insert=[new], user=user, operation="item_tracking_line_add")
        (created,) = (t for t in locked.source_rows if (t.serial_no, t.lot_no) == (new.serial_no, new.lot_no))
        return created


def _row_as_seen(
    locked: LockedLine, tracking_line_id: int, expected_quantity: Any
) -> tuple[int, ItemTrackingLine]:
    """The prescribed row (and its index) the supervisor acted on, if it is still as they saw it."""
    expected: Decimal | None = None
    if expected_quantity not in (None, ""):
        errors: list[Error] = []
        expected = parse_quantity(expected_quantity, "expected_quantity", errors)
        raise_for(errors, ref=_("The quantity shown"))
    for index, row in enumerate(locked.source_rows):
        if row.pk == tracking_line_id:
            if expected is not None and row.quantity != expected:
                break
            return index, row
    raise Conflict(
        _(
            "Line %(line_no)s was changed by someone else meanwhile: the page shows the current lines, "
            "nothing was changed. Make your change again if it is still needed."
        )
        % {"line_no": locked.line.line_no},
        code=ErrorCode.CONCURRENT_CHANGE,
    )


def item_tracking_line_set_quantity(
    *,
    source_line_id: int,
    tracking_line_id: int,
    quantity: Any,
    user: Any,
    expected_quantity: Any = None,
) -> ItemTrackingLine:
    """Change the quantity of one prescribed number of the line.

    `expected_quantity`: the quantity the supervisor saw; when the row has another one now (or is gone),
    409 `concurrent_change` and nothing changes.
    """
    with transaction.atomic():
        locked = lock_line_for_change(source_line_id=source_line_id, user=user)
        index, row = _row_as_seen(locked, tracking_line_id, expected_quantity)
        field_name = f"tracking[{index}].quantity"
        errors: list[Error] = []
        value = parse_quantity(quantity, field_name, errors)
        raise_for(errors, ref=_("Line %(line)s") % {"line": locked.line.line_no})
        assert value is not None
        if value < row.qty_handled:
            _raise_shipped([_refuse_below_shipped(locked.line, row, field_name)])
        entries = locked.entries()
        changed = entries[index]
        changed.quantity, changed.check_stock = value, True
        check_line_tracking(locked, entries)
        write_tracking_changes(
            locked, update=[(row, changed)], user=user, operation="item_tracking_line_set_quantity"
        )
        return row


def item_tracking_line_delete(
    *, source_line_id: int, tracking_line_id: int, user: Any, expected_quantity: Any = None
) -> None:
    """Delete one prescribed number of the line (never one that was already shipped in part).

    `expected_quantity`: as for `item_tracking_line_set_quantity`.
    """
    with transaction.atomic():
        locked = lock_line_for_change(source_line_id=source_line_id, user=user)
        _seen, row = _row_as_seen(locked, tracking_line_id, expected_quantity)
        if row.qty_handled > 0:
            _raise_shipped([_refuse_below_shipped(locked.line, row, "tracking")])
        write_tracking_changes(locked, delete=[row], user=user, operation="item_tracking_line_delete")


def item_tracking_select_entries(
    *, source_line_id: int, selections: Any, user: Any
) -> list[ItemTrackingLine]:
    """Add numbers chosen from the available stock at the document's location to the line's tracking.

    A selected lot that is already on the line gets the selected quantity added.
    """
    parse_errors: list[Error] = []
    chosen = parse_tracking(selections, "selections", parse_errors)
    raise_for(parse_errors, ref=_("Select entries"))
    if not chosen:
        raise InvalidInput(_("Select at least one number."), code=ErrorCode.REQUIRED)
    with transaction.atomic():
        locked = lock_line_for_change(source_line_id=source_line_id, user=user)
        req = requirement(locked.line.item.tracking_code)
        if not (req.serial.warehouse or req.lot.warehouse):
            raise Conflict(
                _(
                    "Item %(item)s carries no numbers in stock: there is nothing to select. Assign new "
                    "numbers "
                    "instead."
                )
                % {"item": locked.line.item.no},
                code=ErrorCode.SELECT_NOT_ALLOWED,
            )
        entries = locked.entries()
        rows_by_field = {f"tracking[{i}]": row for i, row in enumerate(locked.source_rows)}
        by_key = {(e.serial_no, e.lot_no): e for e in entries}
        added: list[TrackingInput] = []
        for entry in chosen:
            current = by_key.get((entry.serial_no, entry.lot_no))
            if current is not None and not entry.serial_no:
                current.quantity += entry.quantity
                current.check_stock = True
            else:
                added.append(entry)
                by_key[(entry.serial_no, entry.lot_no)] = entry
        all_entries = [*entries, *added]
        check_line_tracking(locked, all_entries)
        return write_tracking_changes(
            locked,
            insert=added,
            update=[(rows_by_field[e.field], e) for e in entries if e.check_stock],
            user=user,
            operation="item_tracking_select_entries",
        )
