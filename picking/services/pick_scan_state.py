"""What one scan on a pick works with (`picking.services.pick_scan` reads the code): the scan's state and
its lines (`Scan`), the quantity given with it, and the answers every reading ends in (a line updated,
a choice of lines, or the refusal when nothing fits)."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, NoReturn

from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext as _

from core.exceptions import Conflict, ErrorCode, InvalidInput, TrackingLocked
from core.quantities import ONE, format_quantity
from picking.models import Pick, PickLine
from picking.scan_codes import GS1Data
from picking.selectors.picks import walking_order
from picking.services.pick_common import describe, numbers_text
from warehouse.models import BinContent


class ScanKind(enum.StrEnum):
    """What a scan did."""

    LINE_UPDATED = "line_updated"  # a line got its numbers and/or Qty. to Handle
    BIN_CONFIRMED = "bin_confirmed"  # a bin code: the lines in that bin (or a line switched to it)
    CHOOSE_LINE = "choose_line"  # several lines fit: scan again with `line_id`


@dataclass(frozen=True)
class Parsed(GS1Data):
    """What the scan was read as (the API's `parsed`): a GS1 code's parts, or the bin scanned."""

    bin: str = ""


@dataclass(frozen=True)
class ScanResult:
    kind: ScanKind
    message: str  # what the worker is told
    code: str  # what was scanned
    line: PickLine | None = None  # the line changed (a new one-unit line when a serial was split off)
    lines: tuple[PickLine, ...] = ()  # the lines to choose from, or the open lines of a confirmed bin
    parsed: Parsed = field(default_factory=Parsed)
    split_from: int | None = None  # the line `line` was split off (a serial number scanned on it)

    @property
    def serial_no(self) -> str:
        return self.parsed.serial_no

    @property
    def lot_no(self) -> str:
        return self.parsed.lot_no

    @property
    def quantity(self) -> Decimal | None:
        return self.parsed.quantity


# --- What the scan concerns --------------------------------------------------------------------------


@dataclass
class Scan:
    pick: Pick
    user: Any
    code: str
    step: Decimal | None  # the quantity given with the scan (None: not given)
    line_id: int | None = None
    item_ids: frozenset[int] | None = None  # only lines of these items (a GS1 code's GTIN)
    gs1: GS1Data | None = None

    def open_lines(self) -> QuerySet[PickLine]:
        """The pick's open take lines the scan may concern, in walking order."""
        lines = PickLine.objects.filter(
            pick_id=self.pick.pk, action=PickLine.Action.TAKE, qty_handled__lt=F("quantity")
        )
        if self.line_id is not None:
            lines = lines.filter(pk=self.line_id)
        if self.item_ids is not None:
            lines = lines.filter(item_id__in=self.item_ids)
        return walking_order(lines.select_related("item__tracking_code", "bin"))

    def changeable_lines(self) -> QuerySet[PickLine]:
        return self.open_lines().filter(tracking_locked=False)

    @property
    def parsed(self) -> Parsed:
        gs1 = self.gs1 or GS1Data()
        return Parsed(
            gtin=gs1.gtin,
            lot_no=gs1.lot_no,
            serial_no=gs1.serial_no,
            expiration_date=gs1.expiration_date,
            quantity=self.step if self.step is not None else gs1.quantity,
        )

    def units(self) -> Decimal:
        """How many units a lot or untracked item scan adds: the quantity given, the code's, or 1."""
        if self.step is not None:
            return self.step
        if self.gs1 is not None and self.gs1.quantity is not None:
            return self.gs1.quantity
        return ONE


def scan_quantity(value: Any) -> Decimal | None:
    text = "" if value is None else str(value).strip().replace(",", ".")
    if not text:
        return None
    try:
        quantity = Decimal(text)
    except ArithmeticError:
        quantity = Decimal("NaN")
    if not quantity.is_finite():
        raise InvalidInput(
            _("'%(text)s' is not a quantity. Enter a number above 0, or leave it empty for 1.")
            % {"text": text},
            errors=[{"field": "quantity", "code": ErrorCode.INVALID, "detail": _("Enter a number above 0.")}],
        )
    if quantity <= 0:
        raise InvalidInput(
            _(
                "The quantity must be greater than 0 (got %(quantity)s). Enter a number above 0, or leave it "
                "empty for 1."
            )
            % {"quantity": format_quantity(quantity)},
            code=ErrorCode.QUANTITY_NOT_POSITIVE,
            errors=[
                {
                    "field": "quantity",
                    "code": ErrorCode.QUANTITY_NOT_POSITIVE,
                    "detail": _("Enter a number above 0."),
                }
            ],
        )
    return quantity


def updated_result(
    scan: Scan, line: PickLine, message: str, *, serial_no: str = "", lot_no: str = "", quantity: Decimal
) -> ScanResult:
    parsed = replace(
        scan.parsed,
        serial_no=scan.parsed.serial_no or serial_no,
        lot_no=scan.parsed.lot_no or lot_no,
        quantity=quantity,
    )
    return ScanResult(ScanKind.LINE_UPDATED, message, scan.code, line=line, parsed=parsed)


def choose_result(scan: Scan, lines: Sequence[PickLine]) -> ScanResult:
    message = _("%(code)s fits %(count)s lines: choose the line it goes on.") % {
        "code": scan.code,
        "count": len(lines),
    }
    return ScanResult(ScanKind.CHOOSE_LINE, message, scan.code, lines=tuple(lines), parsed=scan.parsed)


def refuse_no_match(scan: Scan, number: str) -> NoReturn:
    """Nothing fits: explain a locked line that prescribes another number in the number's bin, or say that
    no line takes the code."""
    locked = scan.open_lines().filter(tracking_locked=True).order_by()
    row = (
        BinContent.objects.filter(
            Q(serial_no__iexact=number) | Q(lot_no__iexact=number),
            item_id__in=locked.values("item_id"),
            bin_id__in=locked.values("bin_id"),
            quantity__gt=0,
        )
        .values_list("item_id", "bin_id")
        .first()
    )
    if row is not None:
        line = scan.open_lines().filter(tracking_locked=True, item_id=row[0], bin_id=row[1]).first()
        assert line is not None
        raise TrackingLocked(
            _(
                "%(line)s picks %(numbers)s, prescribed by the source document: %(code)s cannot take its "
                "place. Scan %(numbers)s; only a supervisor can change prescribed numbers, on the source "
                "document."
            )
            % {"line": describe(line), "numbers": numbers_text(line), "code": number},
            errors=[{"field": "code", "code": ErrorCode.TRACKING_LOCKED, "detail": _("Locked line.")}],
        )
    raise Conflict(
        _(
            "No open line of pick %(pick)s can take %(code)s: it is not on the pick and not in the bins of "
            "its lines. Check the label and scan again, or choose the number on the line."
        )
        % {"pick": scan.pick.no, "code": number},
        code=ErrorCode.SCAN_NO_MATCH,
        errors=[{"field": "code", "code": ErrorCode.SCAN_NO_MATCH, "detail": _("No line takes this code.")}],
    )
