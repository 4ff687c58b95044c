"""Reading a scan on a pick: the one service behind the pick page's scan box and `POST /picks/{id}/scan/`.

`pick_scan(pick_id, code, quantity, line_id, user) -> ScanResult` reads the code (`picking.scan_codes`) and
finds what it means on the pick. Every change goes through `pick_line_update`, so a scan is checked exactly
like a number typed on the line (bin, availability, locked lines), and the whole scan is one transaction:
a refused scan changes nothing. The first reading that fits wins:

1. a GS1 code (marked as such: parentheses, group separator, symbology identifier, Digital Link URI): its
   GTIN must be the `gtin` of an item on the pick; its serial number, else its lot, is read as a number
   (below) on that item's lines; the lot must agree with the line's lot, the expiration date (AI 17) with
   the number's (`expiration_mismatch`); AI 30/37 is the quantity of a lot. A GTIN alone is an item scan;
2. a number already on an open line (a serial line gets Qty. to Handle 1, a lot line one more unit or the
   quantity given, the first line of that lot with room first; locked lines too, since only Qty. to
   Handle changes), or in stock in the bin of an open, unlocked line of its item (the number goes on that
   line, a serial splitting off a one-unit line). Letter case does not matter when only one number fits;
3. a bin code of the pick's location: `bin_confirmed` with the open lines in that bin (with `line_id`: the
   line takes from that bin from now on);
4. an item number or a GTIN of an item on the pick: one more unit on its line (untracked items only;
   tracked items need their number scanned); lines of the item in several bins ask which (`choose_line`);
5. a plain code that reads as a GS1 element string starting with a GTIN (a scanner that sends no
   markers): as 1;
6. a new number for an item whose stock carries none of that kind (case 2): on the first open line lacking
   one; when lines of several items could take it, `choose_line`;
7. otherwise Conflict `scan_no_match` (or `tracking_locked` when the number is in the bin of a locked line
   that prescribes another number), and nothing changes.

`line_id` answers a `choose_line`: the same code again, for that line only. Queries do not grow with the
lines of the pick (each step reads only the lines and stock rows the code can concern).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any, NoReturn

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.exceptions import Conflict, ErrorCode, NotFoundError, TrackingLocked
from core.language import day
from core.permissions import require_perm
from core.quantities import ONE, format_quantity
from picking.models import PickLine
from picking.scan_codes import GS1Data, ScannedCode, read_scan
from picking.selectors.picks import get_visible_pick
from picking.services.pick_common import describe, numbers_text
from picking.services.pick_line_update import UNSET, pick_line_update
from picking.services.pick_scan_state import (
    Parsed,
    Scan,
    ScanKind,
    ScanResult,
    choose_result,
    refuse_no_match,
    scan_quantity,
    updated_result,
)
from tracking.rules import requirement
from warehouse.models import Bin, BinContent, Item
from warehouse.rules import gtin_forms, require_whole_units


def pick_scan(
    *, pick_id: int, code: str, quantity: Any = None, line_id: int | None = None, user: Any
) -> ScanResult:
    """Read the scan `code` on the pick (see the module's docstring for the order); `quantity` is how many
    units of a lot or an untracked item were scanned (empty: 1, or the GS1 code's count).

    NotFoundError for a pick (or `line_id`) the user cannot see; PermissionDeniedError without the right to
    handle pick lines; InvalidInput `scan_unreadable` or for a bad quantity; Conflict `scan_no_match`,
    `scan_ambiguous`, `scan_needs_number`, `expiration_mismatch`, `lot_mismatch`, `tracking_locked` and the
    refusals of `pick_line_update` otherwise. Nothing changes when refused.
    """
    require_perm(user, "picking.change_pickline", _("You are not allowed to handle pick lines."))
    pick = get_visible_pick(pick_id=pick_id, user=user)
    scanned = read_scan(code)
    step = scan_quantity(quantity)
    scan = Scan(pick=pick, user=user, code=scanned.text, step=step, line_id=line_id)
    if line_id is not None and not scan.open_lines().exists():
        raise NotFoundError(
            _("Pick %(pick)s has no open line #%(line)s.") % {"pick": pick.no, "line": line_id}
        )
    with transaction.atomic():
        result = _read(scan, scanned)
    return result


def _read(scan: Scan, scanned: ScannedCode) -> ScanResult:
    if scanned.marked_gs1 is not None:
        return _by_gs1(scan, scanned.marked_gs1)
    result = (
        _by_number(scan, scanned.text)
        or _by_bin(scan, scanned.text)
        or _by_item(scan, scanned)
        or (_by_gs1(scan, scanned.gs1) if scanned.gs1 is not None else None)
        or _as_new_number(scan, scanned.text)
    )
    return result or refuse_no_match(scan, scanned.text)


# --- 1. GS1 codes ------------------------------------------------------------------------------------


def _by_gs1(scan: Scan, gs1: GS1Data) -> ScanResult:
    scan = replace(scan, gs1=gs1)
    if gs1.gtin:
        items = _items_with_gtin(scan, gs1.gtin)
        if not items:
            raise Conflict(
                _(
                    "GTIN %(gtin)s is not the GTIN of an item on an open line of pick %(pick)s. Check that "
                    "you picked the right article; if it is right, its item needs this GTIN in the master "
                    "data."
                )
                % {"gtin": gs1.gtin, "pick": scan.pick.no},
                code=ErrorCode.SCAN_NO_MATCH,
                errors=[{"field": "code", "code": ErrorCode.SCAN_NO_MATCH, "detail": _("Unknown GTIN.")}],
            )
        scan = replace(scan, item_ids=frozenset(item.pk for item in items))
        if not (gs1.serial_no or gs1.lot_no):
            return _add_units_of_item(scan, items[0])
    number = gs1.serial_no or gs1.lot_no
    return _by_number(scan, number) or _as_new_number(scan, number) or refuse_no_match(scan, number)


def _items_with_gtin(scan: Scan, gtin: str) -> list[Item]:
    return list(
        Item.objects.select_related("tracking_code")
        .filter(gtin__in=gtin_forms(gtin), pk__in=scan.open_lines().values("item_id"))
        .order_by("pk")
    )


def _checked(scan: Scan, result: ScanResult) -> ScanResult:
    """A GS1 code's lot and expiration date must agree with the line it landed on (inside the scan's
    transaction: refusing here undoes the change)."""
    gs1, line = scan.gs1, result.line
    if gs1 is None or line is None:
        return result
    if gs1.lot_no and line.lot_no and gs1.lot_no.upper() != line.lot_no.upper():
        raise Conflict(
            _(
                "The code says lot %(code_lot)s, but serial number %(serial)s is lot %(lot)s on line "
                "%(line)s. Check the label: nothing was changed."
            )
            % {"code_lot": gs1.lot_no, "serial": line.serial_no, "lot": line.lot_no, "line": line.line_no},
            code=ErrorCode.LOT_MISMATCH,
            errors=[{"field": "code", "code": ErrorCode.LOT_MISMATCH, "detail": _("Another lot.")}],
        )
    expiry = gs1.expiration_date
    if expiry is not None and line.expiration_date is not None and expiry != line.expiration_date:
        raise Conflict(
            _(
                "The code says %(numbers)s expires on %(code_date)s, but it expires on %(date)s in stock. "
                "Check the label, and tell a supervisor if it is wrong: nothing was changed."
            )
            % {
                "numbers": numbers_text(line),
                "code_date": day(expiry),
                "date": day(line.expiration_date),
            },
            code=ErrorCode.EXPIRATION_MISMATCH,
            errors=[
                {
                    "field": "code",
                    "code": ErrorCode.EXPIRATION_MISMATCH,
                    "detail": _("Another expiration date."),
                }
            ],
        )
    return result


# --- 2. Numbers on lines or in their bins -------------------------------------------------------------


def _by_number(scan: Scan, number: str) -> ScanResult | None:
    """A number on an open line, or in the bin of a changeable line of its item (letter case ignored when
    only one number fits)."""
    on_lines = list(scan.open_lines().filter(Q(serial_no__iexact=number) | Q(lot_no__iexact=number)))
    in_bins = _stock_carrying(scan, number)
    spelled = {_spelling(ln.serial_no, ln.lot_no, number) for ln in on_lines}
    spelled |= {_spelling(serial, lot, number) for _item, _bin, serial, lot in in_bins}
    if not spelled:
        return None
    if number not in spelled:
        if len(spelled) > 1:
            raise Conflict(
                _(
                    "%(code)s fits several numbers that differ only in letter case (%(numbers)s). Type the "
                    "number exactly as it is on the label."
                )
                % {"code": number, "numbers": ", ".join(sorted(spelled))},
                code=ErrorCode.SCAN_AMBIGUOUS,
                errors=[{"field": "code", "code": ErrorCode.SCAN_AMBIGUOUS, "detail": _("Several numbers.")}],
            )
        number = spelled.pop()
    exact_lines = [ln for ln in on_lines if number in (ln.serial_no, ln.lot_no)]
    exact_stock = [row for row in in_bins if number in (row[2], row[3])]
    return _on_line_carrying(scan, number, exact_lines) or _in_bin_of_line(scan, number, exact_stock)


def _spelling(serial_no: str, lot_no: str, number: str) -> str:
    return serial_no if serial_no.upper() == number.upper() else lot_no


def _stock_carrying(scan: Scan, number: str) -> list[tuple[int, int, str, str]]:
    """(item, bin, serial_no, lot_no) of stock rows carrying `number` (any letter case) for the items of
    the changeable lines, in their bins (one query)."""
    changeable = scan.changeable_lines().order_by()
    return list(
        BinContent.objects.filter(
            Q(serial_no__iexact=number) | Q(lot_no__iexact=number),
            item_id__in=changeable.values("item_id"),
            bin_id__in=changeable.values("bin_id"),
            quantity__gt=0,
        )
        .order_by("pk")
        .values_list("item_id", "bin_id", "serial_no", "lot_no")
    )


def _on_line_carrying(scan: Scan, number: str, lines: Sequence[PickLine]) -> ScanResult | None:
    """A line already carrying the number gets Qty. to Handle (serial: 1; lot: the units scanned more)."""
    for ln in lines:
        if ln.serial_no == number:
            line = _update(scan, ln, lot_no=_gs1_lot_for(scan, ln), qty_to_handle="1")
            message = _("Serial number %(serial)s: line %(line)s, Qty. to Handle 1.") % {
                "serial": number,
                "line": line.line_no,
            }
            return _checked(scan, updated_result(scan, line, message, serial_no=number, quantity=ONE))
    lot_lines = [ln for ln in lines if ln.lot_no == number and not ln.serial_no]
    if not lot_lines:
        return None
    target = next((ln for ln in lot_lines if ln.qty_to_handle < ln.qty_outstanding), lot_lines[0])
    units = scan.units()
    require_whole_units(
        units, item=target.item, field="quantity", prefix=_("%(line)s: ") % {"line": describe(target)}
    )
    line = _update(scan, target, qty_to_handle=str(target.qty_to_handle + units))
    message = _("Lot %(lot)s: line %(line)s, Qty. to Handle %(qty)s.") % {
        "lot": number,
        "line": line.line_no,
        "qty": format_quantity(line.qty_to_handle),
    }
    return _checked(scan, updated_result(scan, line, message, lot_no=number, quantity=units))


def _in_bin_of_line(scan: Scan, number: str, stock: Sequence[tuple[int, int, str, str]]) -> ScanResult | None:
    """The number is in stock in the bin of a changeable line of its item: it goes on that line (a line
    still without a number of that kind first, then one whose proposed number may change and that was not
    scanned yet (a line whose number was scanned keeps it: when every line is scanned, the scan is refused
    with the reason, `_refuse_nothing_left`)."""
    full: list[PickLine] = []
    for item_id, bin_id, serial_no, _lot in stock:
        kind = "serial_no" if serial_no == number else "lot_no"
        lines = list(scan.changeable_lines().filter(item_id=item_id, bin_id=bin_id))
        # a line whose number was scanned already (it has a Qty. to Handle) keeps it: never replaced
        candidates = [ln for ln in lines if not (getattr(ln, kind) and ln.qty_to_handle > 0)]
        candidates.sort(key=lambda ln: (bool(getattr(ln, kind)), ln.qty_to_handle > 0, ln.line_no))
        if candidates:
            return _put_number(scan, number, candidates[0], kind, new=False)
        full.extend(lines)
    if full:
        _refuse_nothing_left(scan, full, number)
    return None


def _refuse_nothing_left(scan: Scan, lines: Sequence[PickLine], number: str) -> NoReturn:
    """Every line that could take the scanned number already has its own scanned number (a Qty. to Handle):
    refused, so that no scanned number is ever replaced. All of them full: one unit more than the pick
    needs; else a line with room carries another lot, to be split first."""
    item = lines[0].item
    room = next((ln for ln in lines if ln.qty_to_handle < ln.qty_outstanding), None)
    if room is not None:
        raise Conflict(
            _(
                "%(line)s already has %(numbers)s scanned (Qty. to Handle %(qty)s): %(code)s cannot replace "
                "it. Split off the rest of the line first (Split Line), then scan %(code)s again. Nothing "
                "was changed."
            )
            % {
                "line": describe(room),
                "numbers": numbers_text(room),
                "qty": format_quantity(room.qty_to_handle),
                "code": number,
            },
            code=ErrorCode.SCAN_NO_MATCH,
            errors=[{"field": "code", "code": ErrorCode.SCAN_NO_MATCH, "detail": _("Split the line first.")}],
        )
    raise Conflict(
        _(
            "Every line of item %(item)s is already handled; nothing left to scan for it. The pick needs "
            "no more of it: put the unit back. To pick this unit instead of one already scanned, set that "
            "line's Qty. to Handle to 0 first. Nothing was changed."
        )
        % {"item": item.no},
        code=ErrorCode.SCAN_NO_MATCH,
        errors=[
            {
                "field": "code",
                "code": ErrorCode.SCAN_NO_MATCH,
                "detail": _("Nothing left to scan for this item."),
            }
        ],
    )


# --- 3. Bin codes ---------------------------------------------------------------------------------------


def _by_bin(scan: Scan, code: str) -> ScanResult | None:
    bins = list(Bin.objects.filter(location_id=scan.pick.location_id, code__iexact=code).order_by("pk"))
    bin_ = next((b for b in bins if b.code == code), bins[0] if len(bins) == 1 else None)
    if bin_ is None:
        return None
    parsed = Parsed(bin=bin_.code)
    if scan.line_id is not None:
        target = scan.changeable_lines().first()
        if target is None:
            raise TrackingLocked(
                _("Line #%(line)s picks numbers prescribed by the source document: its bin cannot change.")
                % {"line": scan.line_id},
                errors=[{"field": "bin", "code": ErrorCode.TRACKING_LOCKED, "detail": _("Locked.")}],
            )
        line = pick_line_update(pick_line_id=target.pk, bin_code=bin_.code, user=scan.user)
        message = _("Line %(line)s takes from bin %(bin)s now.") % {"line": line.line_no, "bin": bin_.code}
        return ScanResult(ScanKind.LINE_UPDATED, message, scan.code, line=line, parsed=parsed)
    lines = tuple(scan.open_lines().filter(bin_id=bin_.pk))
    if not lines:
        raise Conflict(
            _(
                "No open line of pick %(pick)s takes from bin %(bin)s. The lines show the bins to go to, in "
                "walking order."
            )
            % {"pick": scan.pick.no, "bin": bin_.code},
            code=ErrorCode.SCAN_NO_MATCH,
            errors=[{"field": "code", "code": ErrorCode.SCAN_NO_MATCH, "detail": _("No line in this bin.")}],
        )
    message = ngettext(
        "Bin %(bin)s: %(count)s open line(s) here: %(lines)s.",
        "Bin %(bin)s: %(count)s open line(s) here: %(lines)s.",
        len(lines),
    ) % {
        "bin": bin_.code,
        "count": len(lines),
        "lines": ", ".join(str(ln.line_no) for ln in lines[:10]) + ("…" if len(lines) > 10 else ""),
    }
    return ScanResult(ScanKind.BIN_CONFIRMED, message, scan.code, lines=lines, parsed=parsed)


# --- 4. Item numbers and GTINs -------------------------------------------------------------------------


def _by_item(scan: Scan, scanned: ScannedCode) -> ScanResult | None:
    on_pick = scan.open_lines().order_by().values("item_id")
    items = list(Item.objects.select_related("tracking_code").filter(no__iexact=scanned.text, pk__in=on_pick))
    item = next((i for i in items if i.no == scanned.text), items[0] if len(items) == 1 else None)
    if item is None and scanned.gtin:
        with_gtin = _items_with_gtin(scan, scanned.gtin)
        item = with_gtin[0] if with_gtin else None
    if item is None:
        return None
    return _add_units_of_item(replace(scan, item_ids=frozenset({item.pk})), item)


def _add_units_of_item(scan: Scan, item: Item) -> ScanResult:
    """An item (no number): one more unit (or the quantity given) on its line with room."""
    req = requirement(item.tracking_code)
    if req.tracked:
        if req.serial.tracked and req.lot.tracked:
            message = _(
                "Item %(item)s is tracked by serial and lot number: scan the number on the label (or the GS1 "
                "code that holds it), not only the item."
            )
        elif req.serial.tracked:
            message = _(
                "Item %(item)s is tracked by serial number: scan the number on the label (or the GS1 code "
                "that "
                "holds it), not only the item."
            )
        else:
            message = _(
                "Item %(item)s is tracked by lot number: scan the number on the label (or the GS1 code that "
                "holds it), not only the item."
            )
        raise Conflict(
            message % {"item": item.no},
            code=ErrorCode.SCAN_NEEDS_NUMBER,
            errors=[{"field": "code", "code": ErrorCode.SCAN_NEEDS_NUMBER, "detail": _("Scan the number.")}],
        )
    lines = [ln for ln in scan.open_lines() if ln.qty_to_handle < ln.qty_outstanding]
    if not lines:
        raise Conflict(
            _("Every open line of item %(item)s on pick %(pick)s already has its full Qty. to Handle.")
            % {"item": item.no, "pick": scan.pick.no},
            code=ErrorCode.SCAN_NO_MATCH,
            errors=[{"field": "code", "code": ErrorCode.SCAN_NO_MATCH, "detail": _("Nothing left to pick.")}],
        )
    if len({ln.bin_id for ln in lines}) > 1:
        return choose_result(scan, lines)
    target = lines[0]
    units = scan.units()
    require_whole_units(
        units, item=item, field="quantity", prefix=_("%(line)s: ") % {"line": describe(target)}
    )
    line = _update(scan, target, qty_to_handle=str(target.qty_to_handle + units))
    message = _("Item %(item)s: line %(line)s, Qty. to Handle %(qty)s.") % {
        "item": item.no,
        "line": line.line_no,
        "qty": format_quantity(line.qty_to_handle),
    }
    return updated_result(scan, line, message, quantity=units)


# --- 6. New numbers (case 2) ----------------------------------------------------------------------------


def _as_new_number(scan: Scan, number: str) -> ScanResult | None:
    """A new number for an item whose stock carries none of that kind, on its first line lacking one (an
    item taking both: serial first). A plain code that lines of several items could take, as a serial
    number or as a lot, asks which (`choose_line`)."""
    kinds: tuple[str, ...] = ("serial_no", "lot_no")
    if scan.gs1 is not None:
        kinds = ("serial_no",) if scan.gs1.serial_no else ("lot_no",)
    firsts: dict[int, tuple[PickLine, str]] = {}
    for kind in kinds:
        lacking = scan.changeable_lines().filter(**{kind: ""})
        items = Item.objects.select_related("tracking_code").filter(
            pk__in=lacking.order_by().values("item_id")
        )
        taking = {item.pk for item in items if _takes_new_number(item, kind)}
        if not taking:
            continue
        for ln in lacking.filter(item_id__in=taking):
            firsts.setdefault(ln.item_id, (ln, kind))
    if not firsts:
        for kind in kinds:
            _refuse_when_every_line_has_its_number(scan, kind, number)
        return None
    if len(firsts) > 1:
        return choose_result(scan, [ln for ln, _kind in firsts.values()])
    line, kind = next(iter(firsts.values()))
    return _put_number(scan, number, line, kind, new=True)


def _refuse_when_every_line_has_its_number(scan: Scan, kind: str, number: str) -> None:
    """Case 2, when no line can take a new number: if the pick has an item taking new numbers of this kind
    whose lines all have theirs scanned (a Qty. to Handle), the scan is one unit too many."""
    open_lines = list(scan.changeable_lines().exclude(**{kind: ""}))
    by_item: dict[int, list[PickLine]] = {}
    for ln in open_lines:
        by_item.setdefault(ln.item_id, []).append(ln)
    for lines in by_item.values():
        item = lines[0].item
        if _takes_new_number(item, kind) and all(ln.qty_to_handle > 0 for ln in lines):
            _refuse_nothing_left(scan, lines, number)


def _takes_new_number(item: Item, kind: str) -> bool:
    """The item tracks this kind of number, and its stock carries none (outbound tracking only)."""
    req = requirement(item.tracking_code)
    return (req.serial if kind == "serial_no" else req.lot).outbound_only


# --- Writing and answering ---------------------------------------------------------------------------------


def _gs1_lot_for(scan: Scan, line: PickLine) -> Any:
    """The GS1 code's lot, when the line has none yet and may take one; else "unchanged"."""
    if scan.gs1 is None or not scan.gs1.lot_no or line.lot_no or line.tracking_locked:
        return UNSET
    return scan.gs1.lot_no if requirement(line.item.tracking_code).lot.tracked else UNSET


def _update(scan: Scan, line: PickLine, **changes: Any) -> PickLine:
    changes = {k: v for k, v in changes.items() if v is not UNSET}
    return pick_line_update(pick_line_id=line.pk, user=scan.user, **changes)


def _put_number(scan: Scan, number: str, target: PickLine, kind: str, *, new: bool) -> ScanResult:
    """Put the number on the line: a serial number with Qty. to Handle 1, a lot with the units scanned (at
    most the outstanding quantity)."""
    if kind == "serial_no":
        line = _update(scan, target, serial_no=number, lot_no=_gs1_lot_for(scan, target), qty_to_handle="1")
        template = (
            _("New serial number %(number)s is on line %(line)s, Qty. to Handle 1.")
            if new
            else _("Serial number %(number)s is on line %(line)s, Qty. to Handle 1.")
        )
        message = template % {"number": number, "line": line.line_no}
        result = updated_result(scan, line, message, serial_no=number, quantity=ONE)
        if line.pk != target.pk:
            result = replace(result, split_from=target.pk)
        return _checked(scan, result)
    units = scan.units()
    require_whole_units(
        units, item=target.item, field="quantity", prefix=_("%(line)s: ") % {"line": describe(target)}
    )
    qty = min(units, target.qty_outstanding)
    line = _update(scan, target, lot_no=number, qty_to_handle=str(qty))
    template = (
        _("New lot %(number)s is on line %(line)s, Qty. to Handle %(qty)s.")
        if new
        else _("Lot %(number)s is on line %(line)s, Qty. to Handle %(qty)s.")
    )
    message = template % {"number": number, "line": line.line_no, "qty": format_quantity(line.qty_to_handle)}
    return _checked(scan, updated_result(scan, line, message, lot_no=number, quantity=qty))
