"""Reading the input of source documents: JSON from an ERP (or a page) into typed inputs.

Nothing here reads the database. Every problem is reported with the path of the field it concerns, counting
from 0 like the JSON arrays (`lines[0].tracking[1].serial_no`): a shape problem (missing, not a number,
too long, a serial number with a quantity other than 1) never stops the others from being found.
Whether the numbers fit the item and the stock is checked later (`picking.services.tracking_checks`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from core.exceptions import ErrorCode
from core.quantities import ONE
from core.validation import code_error
from picking.models import ItemTrackingLine, SourceDocument, SourceLine
from tracking.rules import KindRequirement, Requirement, TrackingEntry, tracking_problems
from warehouse.models import Bin, Item, Location

MAX_QUANTITY = Decimal("9999999999999")  # 18 digits, 5 decimals
MAX_LINE_NO = 2_147_483_647
NUMBER_MAX_LENGTH = 50

Error = dict[str, Any]

# Input rules that hold whatever the item: `tracking_problems` against a code that tracks both kinds
# reports only what is wrong with the numbers themselves (a serial number is one unit).
_ANY_NUMBERS = Requirement(serial=KindRequirement(tracked=True), lot=KindRequirement(tracked=True))


@dataclass(slots=True)  # one per number: no __dict__ per instance
class TrackingInput:
    """One (serial_no, lot_no, quantity) of a source line, with the path of its field.

    `check_stock` False: a number that is on the line already and is not changed: it counts for the
    line's rules (total quantity, each number once) but is not checked against stock again.
    """

    serial_no: str
    lot_no: str
    quantity: Decimal
    field: str
    expiration_date: datetime.date | None = None
    check_stock: bool = True

    def prescribed_on(self, source_line: SourceLine) -> ItemTrackingLine:
        """A new (unsaved) item tracking line of origin `source` for this number on `source_line`."""
        return ItemTrackingLine(
            source_line=source_line,
            serial_no=self.serial_no,
            lot_no=self.lot_no,
            expiration_date=self.expiration_date,
            quantity=self.quantity,
            origin=ItemTrackingLine.Origin.SOURCE,
        )


@dataclass
class LineInput:
    line_no: int
    item_no: str
    quantity: Decimal
    bin_code: str
    tracking: list[TrackingInput]
    field: str
    item: Item | None = None
    bin: Bin | None = None


@dataclass
class DocumentInput:
    type: str
    no: str
    location_code: str
    partner: str
    shipment_date: datetime.date | None
    lines: list[LineInput]
    location: Location | None = None

    @property
    def ref(self) -> str:
        return f"{self.type} {self.no}"


def field_error(field_name: str, code: str, detail: str) -> Error:
    """One problem of the input: the field's path, its `ErrorCode` and what to do."""
    return {"field": field_name, "code": code, "detail": detail}


def field_path(path: str, key: str) -> str:
    """`lines[0].quantity`, or `quantity` at the top of the body."""
    return f"{path}.{key}" if path else key


def _text(
    raw: dict[str, Any],
    key: str,
    path: str,
    errors: list[Error],
    *,
    required: bool,
    max_length: int,
    code: bool = False,
) -> str:
    """A text field. `code`: a number or code (`no`, `item`, `location`, `bin`, `serial_no`, `lot_no`),
    refused when it holds control or bidirectional characters or surrounding spaces (core.validation);
    free text is stripped."""
    name = field_path(path, key)
    value = raw.get(key)
    if value is None or value == "":
        if required:
            errors.append(field_error(name, ErrorCode.REQUIRED, _("%(field)s is required.") % {"field": key}))
        return ""
    if not isinstance(value, str | int) or isinstance(value, bool):
        errors.append(field_error(name, ErrorCode.INVALID, _("%(field)s must be text.") % {"field": key}))
        return ""
    text = str(value)
    if code:
        problem = code_error(text, name, key)
        if problem is not None:
            errors.append(problem)
            return ""
    else:
        text = text.strip()
    if len(text) > max_length:
        errors.append(
            field_error(
                name,
                ErrorCode.MAX_LENGTH,
                _("%(field)s is longer than %(max)s characters.") % {"field": key, "max": max_length},
            )
        )
        return ""
    if required and not text:
        errors.append(field_error(name, ErrorCode.REQUIRED, _("%(field)s is required.") % {"field": key}))
    return text


def parse_quantity(value: Any, name: str, errors: list[Error]) -> Decimal | None:
    """A positive quantity of at most 5 decimals, or None with the problem appended to `errors`."""
    if value is None or value == "":
        errors.append(field_error(name, ErrorCode.REQUIRED, _("quantity is required.")))
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        errors.append(
            field_error(name, ErrorCode.INVALID, _('quantity must be a number, for example 12 or "2.5".'))
        )
        return None
    try:
        quantity = Decimal(str(value))
    except InvalidOperation:
        errors.append(
            field_error(
                name,
                ErrorCode.INVALID,
                _("quantity '%(value)s' is not a number, for example 12 or \"2.5\".") % {"value": value},
            )
        )
        return None
    if not quantity.is_finite():
        errors.append(
            field_error(name, ErrorCode.INVALID, _('quantity must be a number, for example 12 or "2.5".'))
        )
        return None
    if quantity <= 0:
        errors.append(
            field_error(name, ErrorCode.QUANTITY_NOT_POSITIVE, _("quantity must be greater than 0."))
        )
        return None
    if quantity > MAX_QUANTITY:
        errors.append(field_error(name, ErrorCode.INVALID, _("quantity is too large.")))
        return None
    exponent = quantity.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -5:
        errors.append(field_error(name, ErrorCode.INVALID, _("quantity has more than 5 decimals.")))
        return None
    return quantity


def _plain_serial_no(raw: dict[str, Any]) -> str | None:
    """The serial number of the usual entry, `{"serial_no": "SN-1"}` with a quantity of 1 or none and no
    lot: a number of printable ASCII without surrounding spaces, at most 50 characters. None for any
    other entry, which the full rules below read (an import of 10 000 serial numbers is 10 000 of these:
    checked here with a few C calls instead of the general walk)."""
    serial_no = raw.get("serial_no")
    if (
        type(serial_no) is not str
        or not 0 < len(serial_no) <= NUMBER_MAX_LENGTH
        or not (serial_no.isascii() and serial_no.isprintable())
        or serial_no[0] == " "
        or serial_no[-1] == " "
        or raw.get("lot_no", "") != ""
    ):
        return None
    quantity = raw.get("quantity", 1)
    if not ((type(quantity) is int and quantity == 1) or quantity == "1"):
        return None
    return serial_no


def parse_entry(raw: Any, name: str, errors: list[Error]) -> TrackingInput | None:
    """One tracking entry `{serial_no?, lot_no?, quantity}` (a serial number's quantity defaults to 1)."""
    return _plain_entry(raw, name) or _full_entry(raw, name, errors)


def _plain_entry(raw: Any, name: str) -> TrackingInput | None:
    """The usual entry (`_plain_serial_no`) read without the full rules; None for any other."""
    serial_no = _plain_serial_no(raw) if type(raw) is dict else None
    return None if serial_no is None else TrackingInput(serial_no, "", ONE, name)


def _full_entry(raw: Any, name: str, errors: list[Error]) -> TrackingInput | None:
    """`parse_entry` by the full rules: every problem appended to `errors`."""
    if not isinstance(raw, dict):
        errors.append(
            field_error(
                name,
                ErrorCode.INVALID,
                _("Each tracking entry must be an object {serial_no, lot_no, quantity}."),
            )
        )
        return None
    before = len(errors)
    serial_no = _text(raw, "serial_no", name, errors, required=False, max_length=NUMBER_MAX_LENGTH, code=True)
    lot_no = _text(raw, "lot_no", name, errors, required=False, max_length=NUMBER_MAX_LENGTH, code=True)
    quantity = parse_quantity(
        raw.get("quantity", "1" if raw.get("serial_no") else None), f"{name}.quantity", errors
    )
    if not serial_no and not lot_no and len(errors) == before:
        errors.append(
            field_error(
                name,
                ErrorCode.NUMBER_REQUIRED,
                _("Give a serial_no or a lot_no (or both) for each tracking entry."),
            )
        )
    if quantity is not None:
        entry = TrackingEntry(serial_no=serial_no, lot_no=lot_no, quantity=quantity)
        for problem in tracking_problems(_ANY_NUMBERS, [entry], require_numbers=False):
            errors.append(field_error(f"{name}.{problem.field}", problem.code, problem.detail))
    if len(errors) > before or quantity is None:
        return None
    return TrackingInput(serial_no=serial_no, lot_no=lot_no, quantity=quantity, field=name)


def parse_tracking(raw_list: Any, path: str, errors: list[Error]) -> list[TrackingInput]:
    """A list of tracking entries; the good ones are returned, the problems appended to `errors`."""
    if raw_list is None:
        return []
    if not isinstance(raw_list, list):
        errors.append(
            field_error(
                path, ErrorCode.INVALID, _("tracking must be a list of {serial_no, lot_no, quantity}.")
            )
        )
        return []
    entries: list[TrackingInput] = []
    for index, raw in enumerate(raw_list):
        name = f"{path}[{index}]"
        entry = _plain_entry(raw, name) or _full_entry(raw, name, errors)  # `parse_entry`, one call fewer
        if entry is not None:
            entries.append(entry)
    return entries


def _line_no(raw_line: dict[str, Any], path: str, seen: set[int], errors: list[Error]) -> int:
    """A positive whole line_no, once per document (0 when it is not one)."""
    raw = raw_line.get("line_no")
    if isinstance(raw, bool) or raw in (None, ""):
        errors.append(
            field_error(
                field_path(path, "line_no"),
                ErrorCode.REQUIRED,
                _("line_no is required (a positive whole number)."),
            )
        )
        return 0
    try:
        line_no = int(str(raw))
    except ValueError:
        line_no = 0
    if line_no <= 0 or line_no > MAX_LINE_NO:
        errors.append(
            field_error(
                field_path(path, "line_no"), ErrorCode.INVALID, _("line_no must be a positive whole number.")
            )
        )
    elif line_no in seen:
        errors.append(
            field_error(
                field_path(path, "line_no"),
                ErrorCode.DUPLICATE_LINE_NO,
                _("line_no %(line_no)s appears twice in the document.") % {"line_no": line_no},
            )
        )
    seen.add(line_no)
    return line_no


def parse_line(raw_line: Any, path: str, seen_line_nos: set[int], errors: list[Error]) -> LineInput | None:
    """One line `{line_no, item, quantity, bin?, tracking?}` of a document."""
    if not isinstance(raw_line, dict):
        errors.append(
            field_error(
                path, ErrorCode.INVALID, _("Each line must be an object {line_no, item, quantity, ...}.")
            )
        )
        return None
    before = len(errors)
    line_no = _line_no(raw_line, path, seen_line_nos, errors)
    item_no = _text(raw_line, "item", path, errors, required=True, max_length=20, code=True)
    quantity = parse_quantity(raw_line.get("quantity"), field_path(path, "quantity"), errors)
    bin_code = _text(raw_line, "bin", path, errors, required=False, max_length=20, code=True)
    tracking = parse_tracking(raw_line.get("tracking"), field_path(path, "tracking"), errors)
    if len(errors) > before or quantity is None:
        return None
    return LineInput(
        line_no=line_no, item_no=item_no, quantity=quantity, bin_code=bin_code, tracking=tracking, field=path
    )


def _shipment_date(raw: dict[str, Any], errors: list[Error]) -> datetime.date | None:
    value = raw.get("shipment_date")
    if value in (None, ""):
        return None
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        errors.append(
            field_error(
                "shipment_date", ErrorCode.INVALID, _("shipment_date must be a date like 2027-03-31.")
            )
        )
        return None


def parse_document(raw: Any) -> tuple[DocumentInput | None, list[Error]]:
    """Shape-check one source document of the API (natural keys, decimal strings, ISO dates)."""
    errors: list[Error] = []
    if not isinstance(raw, dict):
        return None, [field_error("", ErrorCode.INVALID, _("A source document must be a JSON object."))]
    doc_type = _text(raw, "type", "", errors, required=True, max_length=30)
    if doc_type and doc_type not in SourceDocument.Type.values:
        errors.append(
            field_error(
                "type",
                ErrorCode.INVALID_CHOICE,
                _("type must be one of %(types)s.") % {"types": ", ".join(SourceDocument.Type.values)},
            )
        )
    no = _text(raw, "no", "", errors, required=True, max_length=30, code=True)
    location_code = _text(raw, "location", "", errors, required=True, max_length=10, code=True)
    partner = _text(raw, "partner", "", errors, required=False, max_length=100)
    shipment_date = _shipment_date(raw, errors)
    raw_lines = raw.get("lines")
    if not isinstance(raw_lines, list) or not raw_lines:
        errors.append(
            field_error("lines", ErrorCode.REQUIRED, _("A source document needs at least one line."))
        )
        raw_lines = []
    seen_line_nos: set[int] = set()
    lines = [
        parse_line(raw_line, f"lines[{i}]", seen_line_nos, errors) for i, raw_line in enumerate(raw_lines)
    ]
    if errors:
        return None, errors
    document = DocumentInput(
        type=doc_type,
        no=no,
        location_code=location_code,
        partner=partner,
        shipment_date=shipment_date,
        lines=[line for line in lines if line is not None],
    )
    return document, []
