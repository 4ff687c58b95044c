"""Reading what a scanner or a camera sent (pure, no database): `read_scan(code) -> ScannedCode`.

A scan is one of:
- a **GS1 code** (GS1-128, GS1 DataMatrix, GS1 QR): an element string such as
  `010950600013435217270331` `10LOT-1<GS>21SN-9` (with the FNC1 group separator `<GS>`, ASCII 29, between
  variable-length fields, and with or without a symbology identifier such as `]C1` or `]d2`), its
  human-readable form with parentheses `(01)09506000134352(17)270331(10)LOT-1(21)SN-9`, or a GS1 Digital
  Link URI `https://example.com/01/09506000134352/10/LOT-1/21/SN-9?17=270331`. Parsed with `biip`: AI 01/02
  (GTIN), 10 (lot), 21 (serial), 17 (expiration date), 30/37 (quantity);
- anything else is **plain**: a serial or lot number, a bin code, an item number or a GTIN. A plain code
  that is a valid GTIN, or an element string without any marker that starts with AI 01/02, also carries
  that reading as `gtin` / `gs1`: the scan service tries plain numbers first and those readings after.

A code that says it is GS1 (parentheses, group separator, symbology identifier, URI) but cannot be read is
refused with `scan_unreadable`.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from biip import ParseError, parse
from biip.gs1_element_strings import GS1ElementStrings
from biip.gs1_messages import GS1Message
from django.utils.translation import gettext as _

from core.exceptions import ErrorCode, InvalidInput
from warehouse.rules import gtin_problem

GROUP_SEPARATOR = "\x1d"
MAX_CODE_LENGTH = 500
_HRI = re.compile(r"^\(\d{2,4}\)")


@dataclass(frozen=True)
class GS1Data:
    """What a GS1 code says (empty / None: not in the code)."""

    gtin: str = ""
    lot_no: str = ""
    serial_no: str = ""
    expiration_date: datetime.date | None = None
    quantity: Decimal | None = None

    def as_dict(self) -> dict[str, Any]:
        """The parts present, as the API's `parsed` shows them."""
        return {k: v for k, v in asdict(self).items() if v not in ("", None)}


@dataclass(frozen=True)
class ScannedCode:
    text: str  # the code as scanned, trimmed
    marked_gs1: GS1Data | None = None  # the code says it is GS1: read only as GS1
    gtin: str = ""  # a plain code that is a valid GTIN
    gs1: GS1Data | None = None  # a plain code that reads as a GS1 element string starting with AI 01/02


def read_scan(code: str) -> ScannedCode:
    """Read a scan (see the module's docstring). InvalidInput `scan_unreadable` for a code that says it is
    GS1 but cannot be read, or that is empty or too long."""
    text = code.strip(" \t\r\n")
    if not text or len(text) > MAX_CODE_LENGTH:
        raise _unreadable(code[:60], _("Scan or type a code (at most %(max)s characters).") % {"max": 500})
    if _HRI.match(text):
        return ScannedCode(text=text, marked_gs1=_hri(text))
    if text.startswith(("]", "http://", "https://")) or GROUP_SEPARATOR in text:
        return ScannedCode(text=text, marked_gs1=_marked(text))
    gtin = text if text.isdigit() and gtin_problem(text) is None else ""
    return ScannedCode(text=text, gtin=gtin, gs1=_unmarked(text))


def _hri(text: str) -> GS1Data:
    try:
        message = GS1Message.parse_hri(text)
    except (ParseError, ValueError) as exc:
        raise _unreadable(text, str(exc)) from exc
    return _data(text, message.element_strings)


def _marked(text: str) -> GS1Data:
    try:
        result = parse(text)
    except (ParseError, ValueError) as exc:
        raise _unreadable(text, str(exc)) from exc
    if result.gs1_digital_link_uri is not None:
        return _data(text, result.gs1_digital_link_uri.element_strings)
    if result.gs1_message is not None:
        return _data(text, result.gs1_message.element_strings)
    reason = result.gs1_message_error or result.gs1_digital_link_uri_error or ""
    raise _unreadable(text, reason)


def _unmarked(text: str) -> GS1Data | None:
    """An element string without markers, read only when it starts with a GTIN (AI 01 or 02) and holds
    more than the GTIN: plain numbers never turn into GS1 data by accident."""
    if len(text) <= 16 or not text.startswith(("01", "02")) or not text[:16].isdigit():
        return None
    try:
        message = GS1Message.parse(text)
    except (ParseError, ValueError):
        return None
    try:
        return _data(text, message.element_strings)
    except InvalidInput:
        return None


def _data(text: str, elements: GS1ElementStrings) -> GS1Data:
    gtin = elements.get(ai="01") or elements.get(ai="02")
    lot = elements.get(ai="10")
    serial = elements.get(ai="21")
    expiry = elements.get(ai="17")
    count = elements.get(ai="30") or elements.get(ai="37")
    quantity = Decimal(count.value) if count is not None and count.value.isdigit() else None
    data = GS1Data(
        gtin=gtin.value if gtin is not None else "",
        lot_no=lot.value if lot is not None else "",
        serial_no=serial.value if serial is not None else "",
        expiration_date=expiry.date if expiry is not None else None,
        quantity=quantity,
    )
    if not (data.gtin or data.lot_no or data.serial_no):
        raise _unreadable(text, _("It holds no GTIN, lot or serial number."))
    if data.gtin and gtin_problem(data.gtin):
        raise _unreadable(text, gtin_problem(data.gtin) or "")
    return data


def _unreadable(text: str, reason: str) -> InvalidInput:
    detail = _("%(code)s cannot be read as a GS1 code: %(reason)s Scan it again, or type the number.") % {
        "code": text.replace(GROUP_SEPARATOR, "<GS>"),
        "reason": reason.rstrip(".") + "." if reason else "",
    }
    return InvalidInput(
        detail,
        code=ErrorCode.SCAN_UNREADABLE,
        errors=[
            {"field": "code", "code": ErrorCode.SCAN_UNREADABLE, "detail": _("The code cannot be read.")}
        ],
    )
