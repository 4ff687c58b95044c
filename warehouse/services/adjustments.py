"""Inventory adjustments: receive stock with numbers into a bin, or remove given numbers from it."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core.exceptions import ErrorCode, InvalidInput, NotFoundError
from core.validation import code_problem
from tracking.models import NoSeries
from tracking.rules import Problem, Requirement, requirement, tracking_problems
from tracking.services import document_no_take
from warehouse.exceptions import InboundRefused, OutboundRefused
from warehouse.models import Bin, EntryType, Item, ItemLedgerEntry
from warehouse.rules import whole_units_problem
from warehouse.scoping import get_visible_location
from warehouse.services.posting import (
    InboundMovement,
    OutboundMovement,
    inventory_post_inbound,
    inventory_post_outbound,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

ADJUSTMENT_SERIES = "ADJ"
DOCUMENT_TYPE = "adjustment"


class AdjustmentRefused(OutboundRefused):
    code = ErrorCode.ADJUSTMENT_REFUSED
    title: StrOrPromise = gettext_lazy("The adjustment cannot be posted.")


def _code_problem(value: str) -> str | None:
    """`core.validation.code_problem`, answered at once for the usual number: printable ASCII holds no
    character of the categories it refuses (controls, formatting, line and paragraph separators), so only
    surrounding spaces remain to check."""
    if value.isascii() and value.isprintable() and value == value.strip():
        return None
    return code_problem(value)


def _parse_entry(index: int, raw: dict[str, Any], errors: list[dict[str, Any]]) -> dict[str, Any] | None:
    def err(field: str, code: str, detail: str) -> None:
        errors.append(
            {
                "line": index,
                "field": f"entries[{index}].{field}",
                "code": code,
                "detail": _("Entry %(entry)s: %(problem)s") % {"entry": index + 1, "problem": detail},
            }
        )

    try:
        quantity = Decimal(str(raw.get("quantity")))
    except (InvalidOperation, ValueError):
        err(
            "quantity",
            ErrorCode.INVALID,
            _("'%(value)s' is not a quantity.") % {"value": raw.get("quantity")},
        )
        return None
    if not quantity.is_finite() or quantity == 0:
        err(
            "quantity",
            ErrorCode.QUANTITY_ZERO,
            _("Give a quantity: positive to receive, negative to remove."),
        )
        return None
    date = raw.get("expiration_date")
    if isinstance(date, str) and date:
        try:
            date = datetime.date.fromisoformat(date)
        except ValueError:
            err(
                "expiration_date",
                ErrorCode.INVALID,
                _("'%(value)s' is not a date (use YYYY-MM-DD).") % {"value": date},
            )
            return None
    if date and quantity < 0:
        err(
            "expiration_date",
            ErrorCode.EXPIRATION_DATE_NOT_ALLOWED,
            _("An expiration date is set when receiving stock; leave it empty when removing stock."),
        )
        return None
    numbers = {}
    for name in ("serial_no", "lot_no"):
        value = raw.get(name) or ""
        if not isinstance(value, str):
            value = str(value)
        problem = _code_problem(value)
        if problem is not None:
            err(name, ErrorCode.INVALID_CHARACTERS, f"{name} {problem}")
            return None
        numbers[name] = value
    return {"quantity": quantity, **numbers, "expiration_date": date or None}


def _adjustment_problems(errors: list[dict[str, Any]]) -> str:
    return ngettext(
        "The adjustment has %(count)s problem; nothing was posted. %(first)s",
        "The adjustment has %(count)s problems; nothing was posted. %(first)s",
        len(errors),
    ) % {"count": len(errors), "first": errors[0]["detail"]}


def _missing_numbers(req: Requirement, entry: dict[str, Any]) -> list[Problem]:
    """A number the item's stock carries is required input (400, never a 409 from the posting): received
    stock must carry it, and removed stock is named by it."""
    missing = []
    if req.serial.warehouse and not entry["serial_no"]:
        missing.append(
            Problem(
                0,
                ErrorCode.SERIAL_MISSING,
                _("Stock of this item carries serial numbers: enter one."),
                "serial_no",
            )
        )
    if req.lot.warehouse and not entry["lot_no"]:
        missing.append(
            Problem(
                0, ErrorCode.LOT_MISSING, _("Stock of this item carries lot numbers: enter one."), "lot_no"
            )
        )
    return missing


def _adjustment_document_no() -> str:
    """The next number of the `ADJ` series (created by a migration; recreated here if someone deleted it),
    taken in its own short transaction (`tracking.services.document_no_take`)."""
    try:
        return document_no_take(code=ADJUSTMENT_SERIES)
    except NotFoundError:
        NoSeries.objects.get_or_create(
            code=ADJUSTMENT_SERIES,
            defaults={"description": "Inventory adjustments", "starting_no": "ADJ000001"},
        )
        return document_no_take(code=ADJUSTMENT_SERIES)


@dataclass(frozen=True)
class Adjusted:
    """What an adjustment wrote, without the entries themselves: its document no. and the ids of its item
    ledger entries, in id order."""

    document_no: str
    entry_ids: list[int]


def inventory_adjust(
    *,
    location_code: str,
    bin_code: str,
    item_no: str,
    entries: list[dict[str, Any]],
    user: Any,
    posting_date: datetime.date | None = None,
) -> list[ItemLedgerEntry]:
    """Receive (positive quantities) and remove (negative) stock of one item in one bin, in one go.

    Every rule of the item's tracking code is checked for every entry; a refused adjustment writes
    nothing at all. Removing expired stock is allowed (that is how it leaves the warehouse). Returns the
    item ledger entries written, in id order.
    """
    done = _adjust(
        location_code=location_code,
        bin_code=bin_code,
        item_no=item_no,
        entries=entries,
        user=user,
        posting_date=posting_date,
        returning=True,
    )
    return sorted(done.entries, key=lambda e: e.pk)


def inventory_adjust_ids(
    *,
    location_code: str,
    bin_code: str,
    item_no: str,
    entries: list[dict[str, Any]],
    user: Any,
    posting_date: datetime.date | None = None,
) -> Adjusted:
    """`inventory_adjust`, answering only the document no. and the entries' ids: a receipt of thousands of
    serial numbers builds no model instance per entry (the API reads what it answers as plain rows)."""
    done = _adjust(
        location_code=location_code,
        bin_code=bin_code,
        item_no=item_no,
        entries=entries,
        user=user,
        posting_date=posting_date,
        returning=False,
    )
    return Adjusted(document_no=done.document_no, entry_ids=sorted(done.entry_ids))


@dataclass(frozen=True)
class _Written:
    document_no: str
    entry_ids: list[int]
    entries: list[ItemLedgerEntry]  # empty unless asked for (`returning`)


def _adjust(
    *,
    location_code: str,
    bin_code: str,
    item_no: str,
    entries: list[dict[str, Any]],
    user: Any,
    posting_date: datetime.date | None,
    returning: bool,
) -> _Written:
    """The adjustment: its document no., the ids of the entries written and, when `returning`, the entries
    as instances."""
    location = get_visible_location(user, code=location_code)
    bin_ = Bin.objects.filter(location=location, code=bin_code).first()
    if bin_ is None:
        raise NotFoundError(
            _("There is no bin %(bin)s at location %(location)s.")
            % {"bin": bin_code, "location": location.code},
            errors=[
                {
                    "field": "bin",
                    "code": ErrorCode.NOT_FOUND,
                    "detail": _("Unknown bin %(bin)s.") % {"bin": bin_code},
                }
            ],
        )
    item = Item.objects.select_related("tracking_code").filter(no=item_no).first()
    if item is None:
        raise NotFoundError(
            _("There is no item %(item)s.") % {"item": item_no},
            errors=[
                {
                    "field": "item",
                    "code": ErrorCode.NOT_FOUND,
                    "detail": _("Unknown item %(item)s.") % {"item": item_no},
                }
            ],
        )
    if not entries:
        raise InvalidInput(
            _("Give at least one entry (quantity, and the serial or lot number if the item needs one)."),
            errors=[
                {"field": "entries", "code": ErrorCode.REQUIRED, "detail": _("At least one entry is needed.")}
            ],
        )
    errors: list[dict[str, Any]] = []
    parsed = [_parse_entry(i, raw, errors) for i, raw in enumerate(entries)]
    req = requirement(item.tracking_code)
    # What `tracking_problems` finds for one entry depends on whether it has a serial and a lot number and
    # on its quantity, not on the numbers (only quoted in a problem's text): a combination found clean is
    # not checked again (thousands of serial numbers of quantity 1).
    clean: set[tuple[bool, bool, Decimal]] = set()
    for index, entry in enumerate(parsed):
        if entry is None:
            continue
        key = (not entry["serial_no"], not entry["lot_no"], entry["quantity"])
        problems = []
        if key not in clean:
            problems = tracking_problems(
                req,
                [(entry["serial_no"], entry["lot_no"], entry["quantity"])],
                allow_negative=True,
                require_numbers=False,
            )
            if not problems:
                clean.add(key)
        for p in [*problems, *_missing_numbers(req, entry)]:
            errors.append(
                {
                    "line": index,
                    "field": f"entries[{index}].{p.field or 'quantity'}",
                    "code": p.code,
                    "detail": _("Entry %(entry)s: %(problem)s") % {"entry": index + 1, "problem": p.detail},
                }
            )
        fraction = whole_units_problem(
            quantity=entry["quantity"], whole_units=item.whole_units, item_no=item.no
        )
        if fraction:
            errors.append(
                {
                    "line": index,
                    "field": f"entries[{index}].quantity",
                    "code": ErrorCode.FRACTION_NOT_ALLOWED,
                    "detail": _("Entry %(entry)s: %(problem)s") % {"entry": index + 1, "problem": fraction},
                }
            )
    if errors:
        errors.sort(key=lambda e: e["line"])
        raise InvalidInput(
            _adjustment_problems(errors),
            code=errors[0]["code"],
            errors=errors,
        )
    if bin_.blocked:
        raise AdjustmentRefused(
            _("Bin %(bin)s is blocked: no stock can be put in or taken out until it is unblocked.")
            % {"bin": bin_.code},
            code=ErrorCode.BIN_BLOCKED,
            errors=[
                {
                    "field": "bin",
                    "code": ErrorCode.BIN_BLOCKED,
                    "detail": _("Bin %(bin)s is blocked.") % {"bin": bin_.code},
                }
            ],
        )
    date = posting_date or timezone.localdate()
    outbound = [
        OutboundMovement(
            ref=i,
            location_id=location.pk,
            bin_id=bin_.pk,
            item_id=item.pk,
            quantity=-e["quantity"],
            lot_no=e["lot_no"],
            serial_no=e["serial_no"],
        )
        for i, e in enumerate(parsed)
        if e is not None and e["quantity"] < 0
    ]
    inbound = [
        InboundMovement(
            ref=i,
            location_id=location.pk,
            bin_id=bin_.pk,
            item_id=item.pk,
            quantity=e["quantity"],
            lot_no=e["lot_no"],
            serial_no=e["serial_no"],
            expiration_date=e["expiration_date"],
        )
        for i, e in enumerate(parsed)
        if e is not None and e["quantity"] > 0
    ]
    taken: list[str] = []

    def document_no() -> str:
        """Taken once, when the first of the two postings has checked its movements."""
        if not taken:
            taken.append(_adjustment_document_no())
        return taken[0]

    ids: list[int] = []
    with transaction.atomic():
        written: list[ItemLedgerEntry] = []
        refused: list[dict[str, Any]] = []
        try:
            written += inventory_post_outbound(
                movements=outbound,
                entry_type=EntryType.NEGATIVE_ADJUSTMENT,
                document_type=DOCUMENT_TYPE,
                document_no=document_no,
                posting_date=date,
                user=user,
                refuse_expired=False,
                returning=returning,
                written_ids=ids,
            )
        except OutboundRefused as exc:
            refused += exc.errors
        try:
            written += inventory_post_inbound(
                movements=inbound,
                entry_type=EntryType.POSITIVE_ADJUSTMENT,
                document_type=DOCUMENT_TYPE,
                document_no=document_no,
                posting_date=date,
                user=user,
                returning=returning,
                written_ids=ids,
            )
        except InboundRefused as exc:
            refused += exc.errors or [{"line": None, "code": exc.code, "detail": exc.detail}]
        if refused:
            refused.sort(key=lambda e: (e.get("line") is None, e.get("line") or 0))
            for e in refused:
                if isinstance(e.get("line"), int):
                    e["detail"] = _("Entry %(entry)s: %(problem)s") % {
                        "entry": e["line"] + 1,
                        "problem": e["detail"],
                    }
            raise AdjustmentRefused(
                _adjustment_problems(refused),
                code=refused[0]["code"],
                errors=refused,
            )
    return _Written(document_no=taken[0] if taken else "", entry_ids=ids, entries=written)
