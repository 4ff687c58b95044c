"""Checking the numbers of source lines (item tracking lines) against the item and the stock.

No database: the callers load the stock once (`picking.availability.available_stock`, bin content minus open
picks) and pass it in, so the checks cost nothing per line or number.

Which rule lives where:
- what the item's tracking code allows (a number of a kind the item does not track, a serial number is one
  unit and given once on a line, the numbers add up to at most the line's quantity):
  `tracking.rules.tracking_problems`;
- a lot once per line, a serial number on one line of the document only (per item): here;
- numbers of a warehouse-tracked kind (specific tracking implies it) are in stock at the document's
  location (in the line's bin when it has one), not blocked, not expired under strict expiration posting,
  not on another open pick, enough of a lot over the whole document; their expiration date (and a
  serial's lot) is taken from stock: here;
- a new serial number of an outbound-only kind was never used for the item: here (`serial_used_before`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from core.exceptions import DomainError, ErrorCode, InsufficientQuantity, InvalidInput, SerialNotAvailable
from core.quantities import ZERO, format_quantity
from picking.availability import AvailableRow
from picking.services.source_document_input import Error, TrackingInput, field_error
from tracking.rules import Requirement, TrackingEntry, requirement, tracking_problems
from warehouse.models import Item, Location
from warehouse.rules import whole_units_problem

# Error codes that mean "conflicts with the current stock" (409) rather than "invalid input" (400).
STOCK_CODES = {
    ErrorCode.SERIAL_NOT_AVAILABLE,
    ErrorCode.SERIAL_BLOCKED,
    ErrorCode.LOT_NOT_AVAILABLE,
    ErrorCode.LOT_BLOCKED,
    ErrorCode.EXPIRED,
    ErrorCode.INSUFFICIENT_QUANTITY,
    ErrorCode.SERIAL_USED_BEFORE,
}

ItemSerial = tuple[int, str]  # (item_id, serial_no)
LotRequestKey = tuple[int, str, int | None]  # (item_id, lot_no, bin_id)


@dataclass
class LineContext:
    """What the checks need to know about one source line."""

    item: Item
    quantity: Decimal  # what the numbers may add up to
    bin_id: int | None
    bin_code: str
    line_field: str  # path of the line in the input ("lines[0]"), "" for a single line
    tracking: list[TrackingInput]
    line_no: int

    @property
    def label(self) -> str:
        return _("line %(line)s") % {"line": self.line_no}


@dataclass
class _LotRequest:
    """A lot asked for over the whole document, in one bin (or anywhere at the location)."""

    quantity: Decimal
    entries: list[TrackingInput]
    line: LineContext


class _Stock:
    """The stock rows of a location by (item, serial) and by (item, lot)."""

    def __init__(self, rows: Sequence[AvailableRow]) -> None:
        self.by_serial: dict[ItemSerial, list[AvailableRow]] = defaultdict(list)
        self.by_lot: dict[tuple[int, str], list[AvailableRow]] = defaultdict(list)
        for row in rows:
            if row.stock.serial_no:
                self.by_serial[(row.stock.item_id, row.stock.serial_no)].append(row)
            if row.stock.lot_no:
                self.by_lot[(row.stock.item_id, row.stock.lot_no)].append(row)


def check_lines(
    *,
    lines: Sequence[LineContext],
    location: Location,
    stock: Sequence[AvailableRow],
    used_serials: dict[ItemSerial, str] | None = None,
    used_serial_nos: set[ItemSerial] | None = None,
    plain_serials: frozenset[ItemSerial] = frozenset(),
) -> list[Error]:
    """Check the tracking of `lines` of one document; fill expiration dates (and a serial's lot) from stock.

    `used_serials`: serial numbers already on other lines of the document ((item_id, serial_no) -> "line N").
    `used_serial_nos`: (item_id, serial_no) that already appear in the item ledger (for new numbers of
    outbound-only tracking, which must never have been used for the item before).
    `plain_serials`: (item_id, serial_no) found plainly available at the location
    (`picking.availability.serials_plainly_available`): an entry that is a `plain_candidate` among them
    passes the stock checks without a stock row (it has no lot or expiration date to take from stock).
    """
    errors: list[Error] = []
    # (item, serial) -> where it is already: "line N" of another line, or the line no. of one checked here
    seen_serials: dict[ItemSerial, str | int] = dict(used_serials or {})
    by_stock = _Stock(stock)
    lot_requests: dict[LotRequestKey, _LotRequest] = {}
    for line in lines:
        req = requirement(line.item.tracking_code)
        errors.extend(
            _check_line(
                line, req, location, by_stock, seen_serials, used_serial_nos, lot_requests, plain_serials
            )
        )
    for (item_id, lot_no, bin_id), request in lot_requests.items():
        rows = [r for r in by_stock.by_lot.get((item_id, lot_no), []) if bin_id in (None, r.stock.bin_id)]
        errors.extend(_check_lot_in_stock(request, location, rows))
    return errors


def _check_line(
    line: LineContext,
    req: Requirement,
    location: Location,
    stock: _Stock,
    seen_serials: dict[ItemSerial, str | int],
    used_serial_nos: set[ItemSerial] | None,
    lot_requests: dict[LotRequestKey, _LotRequest],
    plain_serials: frozenset[ItemSerial],
) -> list[Error]:
    """The problems of one line, entry by entry, then the line's total; lots are gathered for later."""
    if _plainly_fine(line, req, seen_serials, plain_serials):
        return []
    has_bin = line.bin_id is not None
    errors: list[Error] = []
    rule_problems = _rule_problems(line, req)
    lots_on_line: set[str] = set()
    item_pk = line.item.pk
    tracked = req.tracked
    for index, entry in enumerate(line.tracking):
        if not entry.serial_no and entry.lot_no in lots_on_line:
            errors.append(
                field_error(
                    entry.field,
                    ErrorCode.DUPLICATE_NUMBER,
                    _(
                        "Lot %(lot_no)s is given twice on %(line)s. Give each lot once, with its total "
                        "quantity."
                    )
                    % {"lot_no": entry.lot_no, "line": line.label},
                )
            )
            continue
        if not entry.serial_no:
            lots_on_line.add(entry.lot_no)
        problems = rule_problems.get(index)
        entry_errors = list(problems) if problems else []
        if (
            entry.serial_no
            and (item_pk, entry.serial_no) in seen_serials
            and not any(e["code"] == ErrorCode.DUPLICATE_SERIAL for e in entry_errors)
        ):
            entry_errors.extend(_check_serial_on_other_lines(entry, line, seen_serials))
        if entry_errors:
            errors.extend(entry_errors)
            continue
        if not tracked or not entry.check_stock:
            continue
        if entry.serial_no and req.serial.warehouse:
            if (item_pk, entry.serial_no) in plain_serials and plain_candidate(entry, has_bin, req):
                entry.expiration_date = None  # what the stock row says: none (nor a lot)
            else:
                errors.extend(_check_serial_in_stock(entry, line, req, location, stock))
        elif (
            entry.serial_no and used_serial_nos is not None and (item_pk, entry.serial_no) in used_serial_nos
        ):
            errors.append(
                field_error(
                    f"{entry.field}.serial_no",
                    ErrorCode.SERIAL_USED_BEFORE,
                    _(
                        "Serial number %(serial)s was already used for item %(item)s. Give a new serial "
                        "number."
                    )
                    % {"serial": entry.serial_no, "item": line.item.no},
                )
            )
        serial_checked = bool(entry.serial_no) and req.serial.warehouse
        if entry.lot_no and not serial_checked and req.lot.warehouse:
            key = (item_pk, entry.lot_no, line.bin_id)
            request = lot_requests.setdefault(key, _LotRequest(ZERO, [], line))
            request.quantity += entry.quantity
            request.entries.append(entry)
    errors.extend(rule_problems.get(None, []))
    line_no = line.line_no  # worded ("line N") only for a refusal
    for entry in line.tracking:
        if entry.serial_no:
            seen_serials.setdefault((item_pk, entry.serial_no), line_no)
    return errors


def _plainly_fine(
    line: LineContext,
    req: Requirement,
    seen_serials: dict[ItemSerial, str | int],
    plain_serials: frozenset[ItemSerial],
) -> bool:
    """Whether the line is the usual line of an import and passes every check as a whole; if so, it is
    recorded as the entry-by-entry walk of `_check_line` would record it.

    The usual line: no bin, an item tracked by serial number in the warehouse, and only serial numbers
    with quantity 1 and no lot, all different, adding up to at most the line's quantity, none on an earlier
    line of the document, all plainly available at the location (`plain_serials`). Such a line has no rule
    problem (`_rule_problems`), no duplicate, no number to take a lot or an expiration date from: the
    walk would find nothing to refuse or fill in but the expiration date, which it sets to None. Checked
    with set operations instead of one entry at a time (an import of 10 000 numbers is made of these).
    Any other line is walked entry by entry, which words each refusal."""
    entries = line.tracking
    if not entries or line.bin_id is not None or not req.serial.warehouse or len(entries) > line.quantity:
        return False
    if not all(e.serial_no and not e.lot_no and e.quantity == 1 and e.check_stock for e in entries):
        return False
    item_pk = line.item.pk
    keys = {(item_pk, e.serial_no) for e in entries}
    if len(keys) != len(entries) or not keys <= plain_serials or not seen_serials.keys().isdisjoint(keys):
        return False
    for entry in entries:
        entry.expiration_date = None  # what the stock row says: none (nor a lot)
    line_no = line.line_no
    seen_serials.update(dict.fromkeys(keys, line_no))
    return True


def _rule_problems(line: LineContext, req: Requirement) -> dict[int | None, list[Error]]:
    """`tracking.rules.tracking_problems` of the line, as errors per entry index (None: the whole line).

    A serial number twice on the line is its `duplicate_serial` ("also entry 1"); a serial number on two
    lines of the document is `_check_serial_on_other_lines`'.
    """
    entries = [TrackingEntry(e.serial_no, e.lot_no, e.quantity) for e in line.tracking]
    found: dict[int | None, list[Error]] = defaultdict(list)
    problems = tracking_problems(req, entries, line_quantity=line.quantity, require_numbers=False)
    if not problems and not line.item.whole_units:
        return found  # the usual line: nothing to word
    prefix = _("Line %(line)s (item %(item)s)") % {"line": line.line_no, "item": line.item.no}
    for problem in problems:
        if problem.index is None:
            field_name = f"{line.line_field}.tracking" if line.line_field else "tracking"
        else:
            field_name = f"{line.tracking[problem.index].field}.{problem.field}"
        found[problem.index].append(
            field_error(
                field_name,
                problem.code,
                _("%(prefix)s: %(problem)s") % {"prefix": prefix, "problem": problem.detail},
            )
        )
    for index, entry in enumerate(line.tracking if line.item.whole_units else ()):
        fraction = whole_units_problem(
            quantity=entry.quantity, whole_units=line.item.whole_units, item_no=line.item.no
        )
        if fraction:
            found[index].append(
                field_error(
                    f"{entry.field}.quantity",
                    ErrorCode.FRACTION_NOT_ALLOWED,
                    _("%(prefix)s: %(problem)s") % {"prefix": prefix, "problem": fraction},
                )
            )
    return found


def _check_serial_on_other_lines(
    entry: TrackingInput, line: LineContext, seen: dict[ItemSerial, str | int]
) -> list[Error]:
    """A serial number ships once: refuse it when an earlier line of the document (`seen`) carries it."""
    key = (line.item.pk, entry.serial_no)
    if key not in seen:
        return []
    where = seen[key]
    if isinstance(where, int):
        where = _("line %(line)s") % {"line": where}
    return [
        field_error(
            f"{entry.field}.serial_no",
            ErrorCode.DUPLICATE_SERIAL,
            _(
                "Serial number %(serial)s of item %(item)s is already on %(line)s of this document. A serial "
                "number ships once: remove one."
            )
            % {"serial": entry.serial_no, "item": line.item.no, "line": where},
        )
    ]


def _where(location: Location, line: LineContext) -> str:
    if line.bin_id:
        return _("bin %(bin)s at location %(location)s") % {"bin": line.bin_code, "location": location.code}
    return _("location %(location)s") % {"location": location.code}


def plain_candidate(entry: TrackingInput, has_bin: bool, req: Requirement) -> bool:
    """Whether a warehouse-tracked serial number may pass the stock checks by
    `picking.availability.serials_plainly_available` alone: its line ships from anywhere at the location
    (no bin to match), and it names no lot that stock would have to match. The others are checked
    against their stock row (`_check_serial_in_stock`)."""
    return not has_bin and not (entry.lot_no and req.lot.warehouse)


def _check_serial_in_stock(
    entry: TrackingInput, line: LineContext, req: Requirement, location: Location, stock: _Stock
) -> list[Error]:
    """A warehouse-tracked serial number: in stock where the line ships from, usable, not on a pick."""
    item = line.item
    name = f"{entry.field}.serial_no"
    rows = [
        r
        for r in stock.by_serial.get((item.pk, entry.serial_no), [])
        if r.stock.quantity > 0 and line.bin_id in (None, r.stock.bin_id)
    ]
    if not rows:
        return [
            field_error(
                name,
                ErrorCode.SERIAL_NOT_AVAILABLE,
                _(
                    "Serial number %(serial)s of item %(item)s is not in stock at %(where)s. Check the "
                    "number, "
                    "or choose one that is in stock."
                )
                % {"serial": entry.serial_no, "item": item.no, "where": _where(location, line)},
            )
        ]
    row = rows[0]
    if row.stock.blocked:
        return [
            field_error(
                name,
                ErrorCode.SERIAL_BLOCKED,
                _(
                    "Serial number %(serial)s of item %(item)s is blocked. Choose another number, or ask a "
                    "supervisor to unblock it."
                )
                % {"serial": entry.serial_no, "item": item.no},
            )
        ]
    if row.stock.expired and row.stock.strict_expiration:
        return [
            field_error(
                name,
                ErrorCode.EXPIRED,
                _(
                    "Serial number %(serial)s of item %(item)s expired on %(date)s and may not be shipped. "
                    "Choose another number."
                )
                % {"serial": entry.serial_no, "item": item.no, "date": row.stock.expiration_date},
            )
        ]
    if row.available < 1:
        return [
            field_error(
                name,
                ErrorCode.SERIAL_NOT_AVAILABLE,
                _(
                    "Serial number %(serial)s of item %(item)s is already on another open pick. Choose "
                    "another "
                    "number."
                )
                % {"serial": entry.serial_no, "item": item.no},
            )
        ]
    if entry.lot_no and req.lot.warehouse and row.stock.lot_no != entry.lot_no:
        return [
            field_error(
                f"{entry.field}.lot_no",
                ErrorCode.LOT_MISMATCH,
                _(
                    "Serial number %(serial)s of item %(item)s is in lot %(stock_lot)s, not in lot %(lot)s. "
                    "Correct the lot number or leave it empty."
                )
                % {
                    "serial": entry.serial_no,
                    "item": item.no,
                    "stock_lot": row.stock.lot_no or _("(none)"),
                    "lot": entry.lot_no,
                },
            )
        ]
    if req.lot.warehouse:
        entry.lot_no = entry.lot_no or row.stock.lot_no
    entry.expiration_date = row.stock.expiration_date
    return []


def _check_lot_in_stock(request: _LotRequest, location: Location, rows: list[AvailableRow]) -> list[Error]:
    """A warehouse-tracked lot asked for over the document: in stock, usable, enough of it available."""
    entry, line = request.entries[0], request.line
    item = line.item
    name = f"{entry.field}.lot_no"
    in_stock = [r for r in rows if r.stock.quantity > 0]
    if not in_stock:
        return [
            field_error(
                name,
                ErrorCode.LOT_NOT_AVAILABLE,
                _(
                    "Lot %(lot)s of item %(item)s is not in stock at %(where)s. Check the number, or choose "
                    "a "
                    "lot that is in stock."
                )
                % {"lot": entry.lot_no, "item": item.no, "where": _where(location, line)},
            )
        ]
    usable = [r for r in in_stock if r.usable]
    if not usable and all(r.stock.blocked for r in in_stock):
        return [
            field_error(
                name,
                ErrorCode.LOT_BLOCKED,
                _(
                    "Lot %(lot)s of item %(item)s is blocked. Choose another lot, or ask a supervisor to "
                    "unblock it."
                )
                % {"lot": entry.lot_no, "item": item.no},
            )
        ]
    if not usable:
        return [
            field_error(
                name,
                ErrorCode.EXPIRED,
                _("Lot %(lot)s of item %(item)s has expired and may not be shipped. Choose another lot.")
                % {"lot": entry.lot_no, "item": item.no},
            )
        ]
    available = sum((max(r.available, ZERO) for r in usable), ZERO)
    if request.quantity > available:
        return [
            field_error(
                f"{entry.field}.quantity",
                ErrorCode.INSUFFICIENT_QUANTITY,
                _(
                    "Only %(available)s of lot %(lot)s of item %(item)s are available at %(where)s, but "
                    "%(quantity)s are asked for. Lower the quantity or add another lot."
                )
                % {
                    "available": format_quantity(available),
                    "lot": entry.lot_no,
                    "item": item.no,
                    "where": _where(location, line),
                    "quantity": format_quantity(request.quantity),
                },
            )
        ]
    dates = [r.stock.expiration_date for r in usable if r.stock.expiration_date is not None]
    expiration = min(dates) if dates else None
    for other in request.entries:
        other.expiration_date = expiration
    return []


def raise_for(errors: list[Error], *, ref: str) -> None:
    """Raise one DomainError carrying every problem: 400 when any input is wrong, else 409 for stock, with
    the problems' code when they all have the same one (a blocked lot alone is `lot_blocked`)."""
    if not errors:
        return
    count = len(errors)
    summary = (
        errors[0]["detail"]
        if count == 1
        else _("%(count)s problems; see errors. First: %(first)s")
        % {"count": count, "first": errors[0]["detail"]}
    )
    message = (
        _("%(summary)s Nothing was saved.") % {"summary": summary}
        if summary.startswith(ref)
        else _("%(ref)s: %(summary)s Nothing was saved.") % {"ref": ref, "summary": summary}
    )
    if all(e["code"] in STOCK_CODES for e in errors):
        serial = any(e["code"].startswith("serial") or e["field"].endswith(".serial_no") for e in errors)
        klass: type[DomainError] = SerialNotAvailable if serial else InsufficientQuantity
        codes = {e["code"] for e in errors}
        raise klass(message, code=codes.pop() if len(codes) == 1 else None, errors=errors)
    raise InvalidInput(message, errors=errors)
