"""Inventory picks: create (one or in batches), handle lines, delete.

Posting is in `picking.services.posting`. Every service is keyword-only, owns its transaction, locks rows
in the fixed order of docs/architecture.md (number series, pick, pick lines, source lines, bin content)
through `picking.locks` / `warehouse.locks`, refuses objects at locations the user cannot see with
`NotFoundError`, and uses a number of SQL queries that does not grow with the number of lines or serial
numbers (rows are written with `core.db.bulk_insert` / set-based updates).

How a pick line gets its numbers: `picking.rules` (the table of DESIGN.md).
"""

from __future__ import annotations

import datetime
import enum
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import DecimalField, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.db import bulk_insert, insert_rows
from core.exceptions import (
    Conflict,
    InvalidInput,
    NotFoundError,
    PermissionDeniedError,
    SerialNotAvailable,
    TrackingLocked,
)
from core.jobs import job_create
from core.models import Job
from picking import rules
from picking.availability import AvailableRow, AvailableStock, available_stock
from picking.locks import lock_document_source_lines, lock_pick, lock_pick_line, lock_pick_lines
from picking.models import ItemTrackingLine, Pick, PickLine, SourceDocument, SourceLine
from picking.rules import fmt_qty
from tracking.rules import stock_key
from tracking.services import no_series_take
from warehouse.locks import lock_bin_contents
from warehouse.models import Bin, BinContent, Item, ItemLedgerEntry, Location
from warehouse.scoping import visible_location_ids

ZERO = Decimal(0)
ONE = Decimal(1)
PICK_SERIES = "IPI"
LINE_NO_STEP = 10000


class _Unset(enum.Enum):
    UNSET = "unset"


UNSET = _Unset.UNSET


# --- Results ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NotPicked:
    """Part of a source line a new pick could not cover; it stays outstanding on the source line."""

    line_no: int
    item_no: str
    quantity: Decimal
    reason: str


@dataclass
class PickCreateResult:
    pick: Pick | None
    not_picked: list[NotPicked] = field(default_factory=list)
    created: bool = True  # False: lines were added to the document's open pick
    lines_added: int = 0


# --- Shared helpers -------------------------------------------------------------------------------


def _visible_filter(user: Any, prefix: str = "location") -> Q:
    ids = visible_location_ids(user)
    if ids is None:
        return Q()
    return Q(**{f"{prefix}_id__in": sorted(ids)})


def get_visible_pick(*, pick_id: int, user: Any) -> Pick:
    """The pick if its location is visible to the user; NotFoundError otherwise."""
    pick = (
        Pick.objects.select_related("location", "source_document")
        .filter(_visible_filter(user), pk=pick_id)
        .first()
    )
    if pick is None:
        raise NotFoundError(f"There is no pick #{pick_id}, or it is not at a location you work at.")
    return pick


def get_visible_pick_line(*, pick_line_id: int, user: Any) -> PickLine:
    line = (
        PickLine.objects.select_related("pick__location", "item__tracking_code", "bin", "source_line")
        .filter(_visible_filter(user, "pick__location"), pk=pick_line_id)
        .first()
    )
    if line is None:
        raise NotFoundError(f"There is no pick line #{pick_line_id}, or it is not at a location you work at.")
    return line


def require_perm(user: Any, perm: str, detail: str) -> None:
    if not (user is not None and getattr(user, "is_authenticated", False) and user.has_perm(perm)):
        raise PermissionDeniedError(detail, permission=perm)


def _lock_line(*, pick_line_id: int, user: Any) -> tuple[Pick, PickLine]:
    """Inside a transaction: lock the line's pick, then the line; re-read both after locking."""
    line = get_visible_pick_line(pick_line_id=pick_line_id, user=user)
    pick = lock_pick(pick_id=line.pick_id)
    if pick is None:
        raise NotFoundError(f"Pick line #{pick_line_id} no longer exists: its pick was deleted.")
    locked = lock_pick_line(pick_line_id=pick_line_id)
    if locked is None:
        raise NotFoundError(f"Pick line #{pick_line_id} no longer exists: it was deleted.")
    pick.location = line.pick.location
    locked.pick = pick
    return pick, locked


def _describe(line: PickLine) -> str:
    return f"Line {line.line_no} (item {line.item.no})"


def _check_line_open(line: PickLine) -> None:
    if line.action != PickLine.Action.TAKE:
        raise Conflict("Only take lines of an inventory pick can be handled here.", code="not_a_take_line")
    if line.qty_handled >= line.quantity:
        raise Conflict(
            f"{_describe(line)} is fully handled: nothing is left to change on it.", code="line_handled"
        )


def _next_line_nos(pick_id: int, count: int) -> list[int]:
    last = (
        PickLine.objects.filter(pick_id=pick_id)
        .order_by("-line_no")
        .values_list("line_no", flat=True)
        .first()
    )
    start = (last or 0) + LINE_NO_STEP
    return [start + i * LINE_NO_STEP for i in range(count)]


def refresh_qty_on_picks(*, document_id: int) -> None:
    """Recompute every source line's qty_on_picks of a document from its open take lines (one UPDATE).

    Call with the document's source lines locked.
    """
    open_sum = (
        PickLine.objects.filter(
            source_line_id=OuterRef("pk"), action=PickLine.Action.TAKE, qty_handled__lt=F("quantity")
        )
        .values("source_line_id")
        .annotate(total=Sum(F("quantity") - F("qty_handled")))
        .values("total")
    )
    SourceLine.objects.filter(document_id=document_id).update(
        qty_on_picks=Coalesce(
            Subquery(open_sum, output_field=DecimalField(max_digits=18, decimal_places=5)),
            Value(ZERO),
            output_field=DecimalField(max_digits=18, decimal_places=5),
        )
    )


def _integrity_conflict(exc: IntegrityError) -> Conflict:
    text = str(exc)
    if "serial_on_one_open_pick_line" in text:
        return SerialNotAvailable(
            "This serial number is already on another open pick line. Choose another one.",
        )
    if "one_open_inventory_pick_per_document_location" in text:
        return Conflict(
            "Someone else just created a pick for this document. Open that pick instead.",
            code="pick_exists",
        )
    return Conflict(
        "Someone else changed these lines at the same moment. Reload and try again; nothing was changed.",
        code="concurrent_change",
    )


# --- Creation -------------------------------------------------------------------------------------


def _ordered_rows(rows: Iterable[AvailableRow], *, fefo: bool) -> list[AvailableRow]:
    """FEFO: earliest expiration first; otherwise (and among equal dates) first received first."""
    if fefo:
        return sorted(
            rows,
            key=lambda r: (
                r.stock.expiration_date is None,
                r.stock.expiration_date or datetime.date.max,
                r.stock.bin_content_id,
            ),
        )
    return sorted(rows, key=lambda r: r.stock.bin_content_id)


RowKey = tuple[int, int, str, str]
BinItem = tuple[int, int]


@dataclass
class _Budget:
    """Stock a new pick may still take: per stock row and per (bin, item), decremented as lines are made.

    Rows are sorted once per item (FEFO or first received first) and indexed by number, so planning a
    pick of thousands of lines stays linear.
    """

    fefo: bool
    rows_by_item: dict[int, list[AvailableRow]]
    row_left: dict[RowKey, Decimal]
    bin_left: dict[BinItem, Decimal]
    _ordered: dict[tuple[int, int | None], list[AvailableRow]] = field(default_factory=dict)
    _start: dict[tuple[int, int | None], int] = field(default_factory=dict)
    _by_serial: dict[tuple[int, str], list[AvailableRow]] = field(default_factory=dict)
    _by_lot: dict[tuple[int, str], list[AvailableRow]] = field(default_factory=dict)
    _indexed: set[int] = field(default_factory=set)
    _bins: dict[tuple[int, int | None], list[BinItem]] = field(default_factory=dict)

    @classmethod
    def of(cls, stock: AvailableStock, *, fefo: bool = False) -> _Budget:
        rows_by_item: dict[int, list[AvailableRow]] = defaultdict(list)
        row_left: dict[RowKey, Decimal] = {}
        bin_total: dict[BinItem, Decimal] = defaultdict(lambda: ZERO)
        for row in stock.rows:
            rows_by_item[row.stock.item_id].append(row)
            left = max(row.available, ZERO) if row.usable else ZERO
            row_left[row.key] = left
            bin_total[(row.stock.bin_id, row.stock.item_id)] += left
        bin_left = {
            key: max(total - stock.unassigned_on_picks.get(key, ZERO), ZERO)
            for key, total in bin_total.items()
        }
        return cls(fefo=fefo, rows_by_item=dict(rows_by_item), row_left=row_left, bin_left=bin_left)

    def ordered(self, item_id: int, bin_id: int | None) -> list[AvailableRow]:
        """The item's rows (in one bin, or all), in picking order."""
        key = (item_id, bin_id)
        if key not in self._ordered:
            rows = self.rows_by_item.get(item_id, [])
            if bin_id is not None:
                rows = [r for r in rows if r.stock.bin_id == bin_id]
            self._ordered[key] = _ordered_rows(rows, fefo=self.fefo)
        return self._ordered[key]

    def open_rows(self, item_id: int, bin_id: int | None) -> Iterable[AvailableRow]:
        """Rows with something left, in picking order (exhausted leading rows are skipped for good)."""
        rows = self.ordered(item_id, bin_id)
        key = (item_id, bin_id)
        start = self._start.get(key, 0)
        while start < len(rows) and self.row_left.get(rows[start].key, ZERO) <= 0:
            start += 1
        self._start[key] = start
        return (rows[i] for i in range(start, len(rows)))

    def with_numbers(
        self, item_id: int, bin_id: int | None, lot_key: str, serial_key: str
    ) -> list[AvailableRow]:
        """The item's rows carrying these numbers ("" matches any), in picking order."""
        if item_id not in self._indexed:
            self._indexed.add(item_id)
            for row in self.ordered(item_id, None):
                self._by_serial.setdefault((item_id, row.stock.serial_no), []).append(row)
                self._by_lot.setdefault((item_id, row.stock.lot_no), []).append(row)
        if serial_key:
            rows = self._by_serial.get((item_id, serial_key), [])
        elif lot_key:
            rows = self._by_lot.get((item_id, lot_key), [])
        else:
            rows = self.ordered(item_id, None)
        return [
            r
            for r in rows
            if (bin_id is None or r.stock.bin_id == bin_id)
            and (not lot_key or r.stock.lot_no == lot_key)
            and (not serial_key or r.stock.serial_no == serial_key)
        ]

    def bins(self, item_id: int, bin_id: int | None) -> list[BinItem]:
        """The bins holding the item, in picking order of their first row."""
        key = (item_id, bin_id)
        if key not in self._bins:
            seen: dict[BinItem, None] = {}
            for r in self.ordered(item_id, bin_id):
                seen.setdefault((r.stock.bin_id, r.stock.item_id), None)
            self._bins[key] = list(seen)
        return self._bins[key]

    def take_row(self, row: AvailableRow, wanted: Decimal) -> Decimal:
        bin_key = (row.stock.bin_id, row.stock.item_id)
        take = min(wanted, self.row_left.get(row.key, ZERO), self.bin_left.get(bin_key, ZERO))
        if take > 0:
            self.row_left[row.key] -= take
            self.bin_left[bin_key] -= take
        return max(take, ZERO)

    def take_bin(self, bin_key: BinItem, wanted: Decimal) -> Decimal:
        take = min(wanted, self.bin_left.get(bin_key, ZERO))
        if take > 0:
            self.bin_left[bin_key] -= take
        return max(take, ZERO)


@dataclass
class _NewLine:
    source_line: SourceLine
    bin_id: int
    quantity: Decimal
    lot_no: str = ""
    serial_no: str = ""
    expiration_date: datetime.date | None = None
    tracking_locked: bool = False
    item_tracking_line_id: int | None = None


def _shortage_reason(
    *,
    wanted: Decimal,
    got: Decimal,
    rows: Sequence[AvailableRow],
    location: Location,
    bin_code: str | None,
    what: str,
    carried: bool,
) -> str:
    """Why only `got` of `wanted` could be picked, in words a supervisor understands."""
    where = f"bin {bin_code}" if bin_code else f"location {location.code}"
    head = f"{fmt_qty(wanted - got)} of {fmt_qty(wanted)} units of {what} could not be picked"
    if not rows:
        return f"{head}: there is none in stock in {where}."
    blocked = sum((r.stock.quantity for r in rows if r.stock.blocked), ZERO)
    expired = sum((r.stock.quantity for r in rows if not r.stock.blocked and not r.usable), ZERO)
    on_picks = sum((r.qty_on_picks for r in rows if r.usable), ZERO)
    total = sum((r.stock.quantity for r in rows), ZERO)
    parts = [f"{fmt_qty(total)} in stock in {where}"]
    if blocked:
        parts.append(f"{fmt_qty(blocked)} blocked")
    if expired:
        parts.append(f"{fmt_qty(expired)} expired")
    if on_picks:
        parts.append(f"{fmt_qty(on_picks)} already on other open picks")
    if not carried and not on_picks and total > got:
        parts.append("the rest is reserved by open pick lines without numbers")
    return f"{head}: {', '.join(parts)}. It stays outstanding on the source line."


def _plan_line(
    *,
    line: SourceLine,
    item: Item,
    location: Location,
    budget: _Budget,
    prescribed: list[tuple[ItemTrackingLine, Decimal]],
    not_picked: list[NotPicked],
    bin_codes: dict[int, str],
) -> list[_NewLine]:
    code = item.tracking_code
    fefo = location.pick_according_to_fefo
    lot_carried, serial_carried = rules.lot_in_stock(code), rules.serial_in_stock(code)
    carried = lot_carried or serial_carried
    rows = budget.ordered(item.pk, line.bin_id)
    bin_code = bin_codes.get(line.bin_id) if line.bin_id else None
    new: list[_NewLine] = []
    to_pick = line.quantity - line.qty_shipped - line.qty_on_picks

    def short(wanted: Decimal, got: Decimal, what: str, matching: Sequence[AvailableRow]) -> None:
        if got < wanted:
            not_picked.append(
                NotPicked(
                    line_no=line.line_no,
                    item_no=item.no,
                    quantity=wanted - got,
                    reason=_shortage_reason(
                        wanted=wanted,
                        got=got,
                        rows=matching,
                        location=location,
                        bin_code=bin_code,
                        what=what,
                        carried=carried,
                    ),
                )
            )

    def bins_in_order(matching: Sequence[AvailableRow]) -> list[tuple[int, int]]:
        seen: dict[tuple[int, int], None] = {}
        for r in matching:
            seen.setdefault((r.stock.bin_id, r.stock.item_id), None)
        return list(seen)

    # Case 4: the numbers prescribed by the source document, one line per number and bin, locked.
    prescribed_total = ZERO
    for tracking_line, outstanding in prescribed:
        wanted = min(outstanding, to_pick - prescribed_total)
        if wanted <= 0:
            break
        prescribed_total += wanted
        lot_key, serial_key = stock_key(code, tracking_line.lot_no, tracking_line.serial_no)
        label = " ".join(
            p
            for p in (
                f"lot {tracking_line.lot_no}" if tracking_line.lot_no else "",
                f"serial no. {tracking_line.serial_no}" if tracking_line.serial_no else "",
            )
            if p
        )
        what = f"item {item.no} {label}"
        matching = budget.with_numbers(item.pk, line.bin_id, lot_key, serial_key)
        if carried:
            taken_rows, got = _allot(matching, budget.take_row, wanted)
            new.extend(
                _NewLine(
                    source_line=line,
                    bin_id=row.stock.bin_id,
                    quantity=take,
                    lot_no=tracking_line.lot_no or (row.stock.lot_no if lot_carried else ""),
                    serial_no=tracking_line.serial_no or (row.stock.serial_no if serial_carried else ""),
                    expiration_date=row.stock.expiration_date or tracking_line.expiration_date,
                    tracking_locked=True,
                    item_tracking_line_id=tracking_line.pk,
                )
                for row, take in taken_rows
            )
        else:
            taken_bins, got = _allot(bins_in_order(matching), budget.take_bin, wanted)
            new.extend(
                _NewLine(
                    source_line=line,
                    bin_id=bin_key[0],
                    quantity=take,
                    lot_no=tracking_line.lot_no,
                    serial_no=tracking_line.serial_no,
                    expiration_date=tracking_line.expiration_date,
                    tracking_locked=True,
                    item_tracking_line_id=tracking_line.pk,
                )
                for bin_key, take in taken_bins
            )
        short(wanted, got, what, matching)

    # Cases 1, 2, 3 (and untracked items): the quantity not prescribed.
    wanted = to_pick - prescribed_total
    if wanted <= 0:
        return new
    if carried and rules.proposes_numbers(code, fefo=fefo):
        # Case 1: propose stock rows, earliest expiration (FEFO) or first received first.
        taken_rows, got = _allot(budget.open_rows(item.pk, line.bin_id), budget.take_row, wanted)
        new.extend(
            _NewLine(
                source_line=line,
                bin_id=row.stock.bin_id,
                quantity=take,
                lot_no=row.stock.lot_no,
                serial_no=row.stock.serial_no,
                expiration_date=row.stock.expiration_date,
            )
            for row, take in taken_rows
        )
    else:
        # Case 3 (select from the bin), case 2 (assign new numbers) and untracked: blank numbers per bin.
        taken_bins, got = _allot(budget.bins(item.pk, line.bin_id), budget.take_bin, wanted)
        new.extend(
            _NewLine(source_line=line, bin_id=bin_key[0], quantity=take) for bin_key, take in taken_bins
        )
    short(wanted, got, f"item {item.no}", rows)
    return new


_Source = TypeVar("_Source")


def _allot(
    sources: Iterable[_Source], take: Callable[[_Source, Decimal], Decimal], wanted: Decimal
) -> tuple[list[tuple[_Source, Decimal]], Decimal]:
    """Take from the sources in order (`take` books what it can of what is still wanted) until `wanted`
    is reached: each source taken from with its quantity, and the total taken."""
    taken: list[tuple[_Source, Decimal]] = []
    got = ZERO
    for source in sources:
        quantity = take(source, wanted - got)
        if quantity <= 0:
            continue
        got += quantity
        taken.append((source, quantity))
        if got >= wanted:
            break
    return taken, got


def _prescribed_outstanding(document_id: int) -> dict[int, list[tuple[ItemTrackingLine, Decimal]]]:
    """Per source line: prescribed tracking lines with the quantity neither handled nor on open picks."""
    on_picks = dict(
        PickLine.objects.filter(
            item_tracking_line__source_line__document_id=document_id,
            action=PickLine.Action.TAKE,
            qty_handled__lt=F("quantity"),
        )
        .values("item_tracking_line_id")
        .annotate(total=Sum(F("quantity") - F("qty_handled")))
        .values_list("item_tracking_line_id", "total")
    )
    result: dict[int, list[tuple[ItemTrackingLine, Decimal]]] = defaultdict(list)
    tracking_lines = ItemTrackingLine.objects.filter(
        source_line__document_id=document_id, origin=ItemTrackingLine.Origin.SOURCE
    ).order_by("source_line_id", "pk")
    for tracking_line in tracking_lines:
        outstanding = (
            tracking_line.quantity - tracking_line.qty_handled - on_picks.get(tracking_line.pk, ZERO)
        )
        if outstanding > 0:
            result[tracking_line.source_line_id].append((tracking_line, outstanding))
    return dict(result)


def _serial_units(new: Iterable[_NewLine]) -> list[_NewLine]:
    """A line carrying a serial number is one unit (rows in stock already are; this is a guard)."""
    result: list[_NewLine] = []
    for n in new:
        if n.serial_no and n.quantity > 1:
            units = int(n.quantity)
            for _ in range(units):
                result.append(_NewLine(**{**n.__dict__, "quantity": ONE}))
        else:
            result.append(n)
    return result


def _create_for_document(*, document: SourceDocument, user: Any) -> PickCreateResult:
    """Inside a transaction: create (or extend) the document's inventory pick."""
    location = document.location
    if not location.require_pick or location.require_shipment:
        how = (
            "uses warehouse shipments and warehouse picks"
            if location.require_shipment
            else "does not use picks"
        )
        raise Conflict(
            f"Location {location.code} {how}; inventory picks cannot be created for {document}.",
            code="location_without_inventory_picks",
        )
    existing = (
        Pick.objects.filter(
            source_document_id=document.pk, location_id=location.pk, type=Pick.Type.INVENTORY_PICK
        )
        .exclude(status=Pick.Status.COMPLETED)
        .first()
    )
    pick_no = ""
    if existing is None:
        pick_no = no_series_take(code=PICK_SERIES)[0]  # number series first in the lock order
    else:
        locked = lock_pick(pick_id=existing.pk)
        if locked is None:  # deleted meanwhile
            raise Conflict("The open pick of this document was just deleted. Try again.", code="pick_exists")
        existing = locked

    source_lines = lock_document_source_lines(document_id=document.pk)
    open_lines = [sl for sl in source_lines if sl.quantity - sl.qty_shipped - sl.qty_on_picks > 0]
    if not open_lines:
        raise Conflict(
            f"Nothing to pick for {document}: every line is shipped or already on a pick.",
            code="nothing_to_pick",
        )
    items = {
        i.pk: i
        for i in Item.objects.select_related("tracking_code").filter(pk__in={sl.item_id for sl in open_lines})
    }
    # Lock the items' stock rows at the location before reading availability, so two picks being made at
    # the same moment (e.g. lines added to two open picks) cannot both count the same units.
    _lock_stock_of_items(location_id=location.pk, item_ids=items)
    stock = available_stock(item_ids=sorted(items), location_id=location.pk, on_date=timezone.localdate())
    budget = _Budget.of(stock, fefo=location.pick_according_to_fefo)
    bin_codes = {r.stock.bin_id: r.stock.bin_code for r in stock.rows}
    missing_bins = {sl.bin_id for sl in open_lines if sl.bin_id and sl.bin_id not in bin_codes}
    if missing_bins:
        bin_codes.update(dict(Bin.objects.filter(pk__in=missing_bins).values_list("pk", "code")))
    prescribed = _prescribed_outstanding(document.pk)

    not_picked: list[NotPicked] = []
    planned: list[_NewLine] = []
    for sl in open_lines:
        planned.extend(
            _plan_line(
                line=sl,
                item=items[sl.item_id],
                location=location,
                budget=budget,
                prescribed=prescribed.get(sl.pk, []),
                not_picked=not_picked,
                bin_codes=bin_codes,
            )
        )
    planned = _serial_units(planned)
    if not planned:
        detail = "; ".join(f"line {n.line_no}: {n.reason}" for n in not_picked[:5])
        raise Conflict(
            f"Nothing can be picked for {document}: {detail}",
            code="nothing_to_pick",
            not_picked=[_not_picked_dict(n) for n in not_picked],
        )

    if existing is None:
        try:
            with transaction.atomic():
                pick = Pick.objects.create(
                    no=pick_no,
                    type=Pick.Type.INVENTORY_PICK,
                    location=location,
                    source_document=document,
                    status=Pick.Status.OPEN,
                    created_by=user if getattr(user, "is_authenticated", False) else None,
                )
        except IntegrityError as exc:
            raise _integrity_conflict(exc) from exc
        line_nos = [(i + 1) * LINE_NO_STEP for i in range(len(planned))]
    else:
        pick = existing
        line_nos = _next_line_nos(pick.pk, len(planned))
    pick.location = location
    pick.source_document = document

    fields = [
        "pick",
        "line_no",
        "action",
        "source_line",
        "item",
        "bin",
        "quantity",
        "qty_handled",
        "qty_to_handle",
        "serial_no",
        "lot_no",
        "expiration_date",
        "tracking_locked",
        "item_tracking_line",
    ]
    take = PickLine.Action.TAKE.value
    rows = [
        (
            pick.pk,
            line_no,
            take,
            n.source_line.pk,
            n.source_line.item_id,
            n.bin_id,
            n.quantity,
            ZERO,
            ZERO,
            n.serial_no,
            n.lot_no,
            n.expiration_date,
            n.tracking_locked,
            n.item_tracking_line_id,
        )
        for line_no, n in zip(line_nos, planned, strict=True)
    ]
    try:
        with transaction.atomic():
            insert_rows(PickLine, fields, rows, returning_ids=False)
    except IntegrityError as exc:
        raise _integrity_conflict(exc) from exc
    refresh_qty_on_picks(document_id=document.pk)
    return PickCreateResult(pick=pick, not_picked=not_picked, created=existing is None, lines_added=len(rows))


def _lock_stock_of_items(*, location_id: int, item_ids: Iterable[int]) -> None:
    """Lock the bin content rows (with stock) of the items at the location: two queries for any number."""
    keys = BinContent.objects.filter(
        location_id=location_id, item_id__in=sorted(item_ids), quantity__gt=0
    ).values_list("bin_id", "item_id", "lot_no", "serial_no")
    lock_bin_contents(list(keys))


def _not_picked_dict(n: NotPicked) -> dict[str, Any]:
    return {"line_no": n.line_no, "item": n.item_no, "quantity": fmt_qty(n.quantity), "reason": n.reason}


def pick_create_from_source(*, source_document_id: int, user: Any) -> PickCreateResult:
    """Create the inventory pick of a source document (or add its outstanding lines to its open pick).

    One open inventory pick per source document and location: when one exists, the quantity still to be
    picked is added to it as new lines (`result.created` is False). What cannot be covered is reported in
    `result.not_picked` and stays outstanding on the source lines. Raises Conflict `nothing_to_pick` when
    no line can be made.
    """
    require_perm(user, "picking.add_pick", "Creating picks is for supervisors. Ask a supervisor.")
    document = (
        SourceDocument.objects.select_related("location")
        .filter(_visible_filter(user), pk=source_document_id)
        .first()
    )
    if document is None:
        raise NotFoundError(
            f"There is no source document #{source_document_id}, or it is not at a location you work at."
        )
    with transaction.atomic():
        return _create_for_document(document=document, user=user)


def picks_create_batch(
    *,
    location_code: str,
    document_type: str | None = None,
    no_from: str | None = None,
    no_to: str | None = None,
    user: Any,
) -> Job:
    """ "Create Inventory Picks" for every matching source document, as a background job.

    The job (core.models.Job) shows progress; its result says "n picks created out of m", each refusal is
    in `job.errors` as `{"ref", "detail"}`. Runs on a Celery worker (eagerly without a broker).
    """
    from picking.tasks import picks_create_batch_task
    from warehouse.scoping import get_visible_location

    require_perm(user, "picking.add_pick", "Creating picks is for supervisors. Ask a supervisor.")
    location = get_visible_location(user, code=location_code)
    if document_type and document_type not in SourceDocument.Type.values:
        raise InvalidInput(
            f"Unknown document type '{document_type}'. Use one of: {', '.join(SourceDocument.Type.values)}.",
            errors=[{"field": "document_type", "code": "invalid_choice", "detail": "Unknown document type."}],
        )
    if no_from and no_to and no_from > no_to:
        raise InvalidInput(
            f"The number range {no_from} to {no_to} is empty: 'from' comes after 'to'.",
            errors=[
                {"field": "no_to", "code": "invalid_range", "detail": "'to' must not come before 'from'."}
            ],
        )
    payload = {
        "location": location.code,
        "document_type": document_type or "",
        "no_from": no_from or "",
        "no_to": no_to or "",
    }
    description = f"Create inventory picks at {location.code}"
    job = job_create(kind="picks_create_batch", description=description, payload=payload, user=user)
    transaction.on_commit(lambda: picks_create_batch_task.delay(job.pk))
    return job


def batch_documents(*, location_id: int, document_type: str, no_from: str, no_to: str) -> list[int]:
    """Ids of the source documents a batch covers: at the location, open or partially shipped, in range."""
    documents = SourceDocument.objects.filter(location_id=location_id).exclude(
        status=SourceDocument.Status.SHIPPED
    )
    if document_type:
        documents = documents.filter(type=document_type)
    if no_from:
        documents = documents.filter(no__gte=no_from)
    if no_to:
        documents = documents.filter(no__lte=no_to)
    return list(documents.order_by("type", "no").values_list("pk", flat=True))


def picks_create_batch_run(*, job_id: int) -> None:
    """The work of a batch job: one pick per matching document, each in its own transaction."""
    from core.exceptions import DomainError
    from core.jobs import job_add_errors, job_finish, job_progress, job_start

    job = Job.objects.select_related("created_by").get(pk=job_id)
    if job.finished or job.status == Job.Status.RUNNING:
        return  # safe to run twice
    user = job.created_by
    location = Location.objects.filter(code=job.payload.get("location", "")).first()
    if user is None or location is None:
        job_finish(
            job_id=job_id, failed=True, result={"summary": "The user or the location no longer exists."}
        )
        return
    ids = batch_documents(
        location_id=location.pk,
        document_type=job.payload.get("document_type", ""),
        no_from=job.payload.get("no_from", ""),
        no_to=job.payload.get("no_to", ""),
    )
    job_start(job_id=job_id, total=len(ids))
    created = 0
    for document_id in ids:
        document = SourceDocument.objects.filter(pk=document_id).first()
        ref = str(document) if document else f"#{document_id}"
        try:
            result = pick_create_from_source(source_document_id=document_id, user=user)
        except DomainError as exc:
            job_add_errors(job_id=job_id, errors=[{"ref": ref, "detail": exc.detail}])
            job_progress(job_id=job_id, failed=1)
            continue
        created += 1
        errors = [{"ref": ref, "detail": f"line {n.line_no}: {n.reason}"} for n in result.not_picked]
        job_add_errors(job_id=job_id, errors=errors)
        job_progress(job_id=job_id, succeeded=1)
    job_finish(
        job_id=job_id,
        result={
            "summary": f"{created} picks created out of {len(ids)}",
            "created": created,
            "total": len(ids),
        },
    )


# --- Handling lines ---------------------------------------------------------------------------------


def _parse_quantity(value: Any, field_name: str) -> Decimal:
    try:
        quantity = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        quantity = Decimal("NaN")
    if not quantity.is_finite():
        raise InvalidInput(
            f"'{value}' is not a quantity. Enter a number such as 1 or 2.5.",
            errors=[{"field": field_name, "code": "invalid", "detail": "Enter a number."}],
        )
    return quantity


def _set_qty_to_handle(line: PickLine, value: Any) -> None:
    qty = _parse_quantity(value, "qty_to_handle")
    problem = rules.qty_to_handle_problem(
        value=qty, quantity=line.quantity, qty_handled=line.qty_handled, serial_no=line.serial_no
    )
    if problem:
        code = (
            "qty_to_handle_exceeds_outstanding"
            if qty > line.quantity - line.qty_handled
            else "invalid_quantity"
        )
        raise InvalidInput(
            f"{_describe(line)}: {problem}",
            code=code,
            errors=[{"field": "qty_to_handle", "code": code, "detail": problem}],
        )
    line.qty_to_handle = qty


def pick_line_set_qty_to_handle(*, pick_line_id: int, qty_to_handle: Any, user: Any) -> PickLine:
    """Set Qty. to Handle (0 to the outstanding quantity; 0 or 1 on a serial line).

    Allowed on tracking_locked lines too."""
    return pick_line_update(pick_line_id=pick_line_id, qty_to_handle=qty_to_handle, user=user)


def _availability_for_line(line: PickLine, *, bin_id: int) -> AvailableStock:
    return available_stock(
        item_ids=[line.item_id],
        location_id=line.pick.location_id,
        bin_id=bin_id,
        on_date=timezone.localdate(),
        exclude_pick_line_ids=[line.pk],
    )


def _lock_stock(line: PickLine, *, bin_id: int) -> None:
    """Lock the bin content rows of the item in the bin, so two workers cannot choose the same units."""
    keys = BinContent.objects.filter(bin_id=bin_id, item_id=line.item_id).values_list(
        "bin_id", "item_id", "lot_no", "serial_no"
    )
    lock_bin_contents(list(keys))


def _serial_used(item_id: int, serial_no: str) -> bool:
    """The serial number was used for the item before (in the ledger)."""
    return ItemLedgerEntry.objects.filter(item_id=item_id, serial_no=serial_no).exists()


def _serial_on_other_line(line: PickLine, serial_no: str) -> str | None:
    other = (
        PickLine.objects.filter(
            item_id=line.item_id,
            serial_no=serial_no,
            action=PickLine.Action.TAKE,
            qty_handled__lt=F("quantity"),
        )
        .exclude(pk=line.pk)
        .select_related("pick")
        .first()
    )
    return other.pick.no if other else None


def _check_numbers(
    line: PickLine, *, bin_id: int, lot_no: str, serial_no: str, quantity: Decimal
) -> datetime.date | None:
    """Refuse numbers the line may not carry in `bin_id`; return the expiration date they come with."""
    code = line.item.tracking_code
    item_no = line.item.no
    if serial_no and not rules.tracks_serial(code):
        raise InvalidInput(
            f"Item {item_no} is not tracked by serial number: leave the serial number empty.",
            errors=[
                {"field": "serial_no", "code": "serial_not_tracked", "detail": "Not tracked by serial no."}
            ],
        )
    if lot_no and not rules.tracks_lot(code):
        raise InvalidInput(
            f"Item {item_no} is not tracked by lot number: leave the lot number empty.",
            errors=[{"field": "lot_no", "code": "lot_not_tracked", "detail": "Not tracked by lot no."}],
        )
    if serial_no:
        other_pick = _serial_on_other_line(line, serial_no)
        if other_pick:
            raise SerialNotAvailable(
                f"Serial number {serial_no} of item {item_no} is already on pick {other_pick}. "
                "Choose or scan another one.",
                errors=[{"field": "serial_no", "code": "serial_not_available", "detail": "On another pick."}],
            )
        if not rules.serial_in_stock(code) and _serial_used(line.item_id, serial_no):
            raise SerialNotAvailable(
                f"Serial number {serial_no} was already used for item {item_no}; a new serial number must "
                "never have been used before. Assign one from the number series or type another.",
                errors=[{"field": "serial_no", "code": "serial_used_before", "detail": "Used before."}],
            )
    lot_key, serial_key = stock_key(code, lot_no, serial_no)
    carried = rules.lot_in_stock(code) or rules.serial_in_stock(code)
    stock = _availability_for_line(line, bin_id=bin_id)
    bin_code = Bin.objects.filter(pk=bin_id).values_list("code", flat=True).first() or ""
    budget = _Budget.of(stock)
    bin_left = budget.bin_left.get((bin_id, line.item_id), ZERO)
    if not carried or not (lot_key or serial_key):
        if bin_left < quantity:
            raise Conflict(
                f"Bin {bin_code} has only {fmt_qty(bin_left)} of item {item_no} available, but the line "
                f"needs "
                f"{fmt_qty(quantity)}. Choose another bin or split the line.",
                code="insufficient_quantity",
                errors=[
                    {"field": "bin", "code": "insufficient_quantity", "detail": "Not enough in this bin."}
                ],
            )
        return None
    matching = [
        r
        for r in stock.rows
        if r.stock.item_id == line.item_id
        and (not lot_key or r.stock.lot_no == lot_key)
        and (not serial_key or r.stock.serial_no == serial_key)
    ]
    label = f"serial number {serial_no}" if serial_key else f"lot {lot_no}"
    field_name = "serial_no" if serial_key else "lot_no"
    exc_class = SerialNotAvailable if serial_key else Conflict
    exc_code = "serial_not_available" if serial_key else "lot_not_available"
    if not matching:
        raise exc_class(
            f"{label[:1].upper()}{label[1:]} of item {item_no} is not in bin {bin_code}. Scan the label "
            "again, or choose one of the numbers available in the bin.",
            code=exc_code,
            errors=[{"field": field_name, "code": exc_code, "detail": f"Not in bin {bin_code}."}],
        )
    unusable = [r for r in matching if not r.usable]
    if unusable and len(unusable) == len(matching):
        why = "blocked" if unusable[0].stock.blocked else f"expired on {unusable[0].stock.expiration_date}"
        raise exc_class(
            f"{label[:1].upper()}{label[1:]} of item {item_no} is {why} and cannot be picked. Choose "
            "another one.",
            code=exc_code,
            errors=[{"field": field_name, "code": exc_code, "detail": why.capitalize() + "."}],
        )
    available = sum((budget.row_left.get(r.key, ZERO) for r in matching), ZERO)
    available = min(available, bin_left)
    if available < quantity:
        raise exc_class(
            f"Only {fmt_qty(available)} of {label} of item {item_no} is available in bin {bin_code} "
            "(the rest "
            f"is on other open picks), but the line needs {fmt_qty(quantity)}. Split the line or choose "
            "another number.",
            code=exc_code,
            errors=[{"field": field_name, "code": exc_code, "detail": "Not enough available."}],
        )
    return matching[0].stock.expiration_date


def _split_off(line: PickLine, quantity: Decimal, **changes: Any) -> PickLine:
    """Give `quantity` of the line's outstanding quantity to a new line (saved), with `changes` applied."""
    split = rules.split_quantities(
        quantity=line.quantity,
        qty_handled=line.qty_handled,
        qty_to_handle=line.qty_to_handle,
        split_qty=quantity,
    )
    line.quantity = split.kept_quantity
    line.qty_to_handle = split.kept_qty_to_handle
    line.save(update_fields=["quantity", "qty_to_handle"])
    new = PickLine(
        pick_id=line.pick_id,
        line_no=_line_no_after(line),
        action=line.action,
        source_line_id=line.source_line_id,
        item_id=line.item_id,
        bin_id=line.bin_id,
        quantity=split.new_quantity,
        qty_handled=ZERO,
        qty_to_handle=split.new_qty_to_handle,
        serial_no=line.serial_no,
        lot_no=line.lot_no,
        expiration_date=line.expiration_date,
        tracking_locked=line.tracking_locked,
        item_tracking_line_id=line.item_tracking_line_id,
    )
    for name, value in changes.items():
        setattr(new, name, value)
    try:
        with transaction.atomic():
            new.save()
    except IntegrityError as exc:
        raise _integrity_conflict(exc) from exc
    return new


def _line_no_after(line: PickLine) -> int:
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
    return _next_line_nos(line.pick_id, 1)[0]


def pick_line_update(
    *,
    pick_line_id: int,
    user: Any,
    serial_no: str | _Unset = UNSET,
    lot_no: str | _Unset = UNSET,
    bin_code: str | _Unset = UNSET,
    qty_to_handle: Any = UNSET,
) -> PickLine:
    """Change a line: Qty. to Handle, its numbers, its bin.

    - On a `tracking_locked` line (numbers prescribed by the source document) only Qty. to Handle
      changes: anything else raises TrackingLocked.
    - A number of a warehouse-tracked kind must be available in the line's bin; an outbound-only serial
      number must be new (never used for the item). SerialNotAvailable otherwise.
    - A serial number set on a line of quantity > 1 splits off a one-unit line carrying it; that new
      line is returned.
    """
    require_perm(user, "picking.change_pickline", "You are not allowed to handle pick lines.")
    with transaction.atomic():
        pick, line = _lock_line(pick_line_id=pick_line_id, user=user)
        _check_line_open(line)
        changes: dict[str, Any] = {}
        if not isinstance(serial_no, _Unset) and (serial_no or "").strip() != line.serial_no:
            changes["serial_no"] = (serial_no or "").strip()
        if not isinstance(lot_no, _Unset) and (lot_no or "").strip() != line.lot_no:
            changes["lot_no"] = (lot_no or "").strip()
        new_bin: Bin | None = None
        if not isinstance(bin_code, _Unset):
            code_text = (bin_code or "").strip()
            if code_text != (line.bin.code if line.bin else ""):
                new_bin = Bin.objects.filter(location_id=pick.location_id, code=code_text).first()
                if new_bin is None:
                    raise InvalidInput(
                        f"There is no bin {code_text} at location {pick.location.code}.",
                        errors=[{"field": "bin", "code": "not_found", "detail": "Unknown bin."}],
                    )
                if new_bin.blocked:
                    raise Conflict(
                        f"Bin {new_bin.code} is blocked: choose another bin.",
                        code="bin_blocked",
                        errors=[{"field": "bin", "code": "bin_blocked", "detail": "Blocked."}],
                    )
                changes["bin"] = new_bin
        refused = rules.fields_refused_on_locked_line(changes)
        if line.tracking_locked and refused:
            raise TrackingLocked(
                f"{_describe(line)} picks numbers prescribed by the source document ({_numbers(line)}): only "
                "Qty. to Handle can be changed. To pick other numbers, a supervisor changes the source "
                "document's item tracking lines after deleting this pick line.",
                errors=[{"field": name, "code": "tracking_locked", "detail": "Locked."} for name in refused],
                fields=refused,
            )
        if "serial_no" in changes and changes["serial_no"] and line.qty_handled > 0:
            raise Conflict(
                f"{_describe(line)} is partly handled: split off the rest first, then set its serial number.",
                code="line_partly_handled",
            )
        result = line
        if changes:
            target_bin_id = new_bin.pk if new_bin else line.bin_id
            if target_bin_id is None:
                raise InvalidInput("Choose a bin for the line first.", code="bin_required")
            serial = changes.get("serial_no", line.serial_no)
            lot = changes.get("lot_no", line.lot_no)
            splits = bool(changes.get("serial_no")) and line.quantity - line.qty_handled > 1
            quantity = ONE if splits else line.quantity - line.qty_handled
            _lock_stock(line, bin_id=target_bin_id)
            if serial and rules.serial_in_stock(line.item.tracking_code) and not changes.get("lot_no"):
                # the serial number's own lot comes with it from the bin
                lot = _lot_of_serial(line, bin_id=target_bin_id, serial_no=serial, lot_no=lot)
            expiration = _check_numbers(
                line, bin_id=target_bin_id, lot_no=lot, serial_no=serial, quantity=quantity
            )
            if expiration is None and not (
                rules.lot_in_stock(line.item.tracking_code) or rules.serial_in_stock(line.item.tracking_code)
            ):
                expiration = (
                    line.expiration_date if not (changes.get("lot_no") or changes.get("serial_no")) else None
                )
            if splits:
                result = _split_off(
                    line, ONE, serial_no=serial, lot_no=lot, bin_id=target_bin_id, expiration_date=expiration
                )
            else:
                line.serial_no, line.lot_no, line.bin_id, line.expiration_date = (
                    serial,
                    lot,
                    target_bin_id,
                    expiration,
                )
                if line.serial_no and line.qty_to_handle > 1:
                    line.qty_to_handle = ONE
                try:
                    with transaction.atomic():
                        line.save(
                            update_fields=["serial_no", "lot_no", "bin", "expiration_date", "qty_to_handle"]
                        )
                except IntegrityError as exc:
                    raise _integrity_conflict(exc) from exc
        if not isinstance(qty_to_handle, _Unset):
            _set_qty_to_handle(result, qty_to_handle)
            result.save(update_fields=["qty_to_handle"])
        result.pick = pick
        return result


def _lot_of_serial(line: PickLine, *, bin_id: int, serial_no: str, lot_no: str) -> str:
    """The lot a serial number is stored with in the bin (when stock carries lots), else `lot_no`."""
    if not rules.lot_in_stock(line.item.tracking_code):
        return lot_no
    lots = list(
        BinContent.objects.filter(
            bin_id=bin_id, item_id=line.item_id, serial_no=serial_no, quantity__gt=0
        ).values_list("lot_no", flat=True)
    )
    if lots and lot_no and lots[0] != lot_no:
        raise SerialNotAvailable(
            f"Serial number {serial_no} of item {line.item.no} is in lot {lots[0]}, not in lot {lot_no}. "
            "Clear the lot number, or scan a serial number of this lot.",
            errors=[{"field": "serial_no", "code": "serial_not_available", "detail": f"In lot {lots[0]}."}],
        )
    return lots[0] if lots else lot_no


def _numbers(line: PickLine) -> str:
    parts = [
        f"lot {line.lot_no}" if line.lot_no else "",
        f"serial no. {line.serial_no}" if line.serial_no else "",
    ]
    return ", ".join(p for p in parts if p) or "no numbers"


def pick_line_split(*, pick_line_id: int, quantity: Any, user: Any) -> PickLine:
    """Split Line: a new line takes `quantity` of the outstanding quantity (same bin and numbers)."""
    require_perm(user, "picking.change_pickline", "You are not allowed to handle pick lines.")
    split_qty = _parse_quantity(quantity, "quantity")
    with transaction.atomic():
        pick, line = _lock_line(pick_line_id=pick_line_id, user=user)
        _check_line_open(line)
        if line.tracking_locked:
            raise TrackingLocked(
                f"{_describe(line)} picks numbers prescribed by the source document ({_numbers(line)}): only "
                "Qty. to Handle can be changed, the line cannot be split."
            )
        problem = rules.split_problem(
            quantity=line.quantity, qty_handled=line.qty_handled, split_qty=split_qty
        )
        if problem:
            raise InvalidInput(
                f"{_describe(line)}: {problem}",
                code="invalid_split",
                errors=[{"field": "quantity", "code": "invalid_split", "detail": problem}],
            )
        new = _split_off(line, split_qty)
        new.pick = pick
        return new


def _assign_quantity(line: PickLine, quantity: Any) -> Decimal:
    outstanding = line.quantity - line.qty_handled
    qty = outstanding if quantity is None or quantity == "" else _parse_quantity(quantity, "quantity")
    if qty <= 0 or qty > outstanding:
        raise InvalidInput(
            f"{_describe(line)}: assign numbers for 1 to {fmt_qty(outstanding)} units (got {fmt_qty(qty)}).",
            code="invalid_quantity",
            errors=[{"field": "quantity", "code": "invalid_quantity", "detail": "Out of range."}],
        )
    return qty


def _check_assign_allowed(line: PickLine, kind: str) -> None:
    code = line.item.tracking_code
    tracked = rules.tracks_serial(code) if kind == "serial" else rules.tracks_lot(code)
    in_stock = rules.serial_in_stock(code) if kind == "serial" else rules.lot_in_stock(code)
    label = "serial numbers" if kind == "serial" else "a lot number"
    if line.tracking_locked:
        raise TrackingLocked(
            f"{_describe(line)} picks numbers prescribed by the source document: only Qty. to Handle "
            "can be changed."
        )
    if not tracked:
        raise InvalidInput(
            f"Item {line.item.no} is not tracked by {kind} number: there is nothing to assign."
        )
    if in_stock:
        raise Conflict(
            f"Stock of item {line.item.no} carries its {kind} numbers: choose from the numbers available in "
            f"bin {line.bin.code if line.bin else ''} instead of assigning new ones.",
            code="select_existing_numbers",
        )
    current = line.serial_no if kind == "serial" else line.lot_no
    if current:
        raise Conflict(
            f"{_describe(line)} already has {kind} number {current}. Clear it first to assign {label}.",
            code="number_already_set",
        )


def pick_line_assign_serial_nos(*, pick_line_id: int, quantity: Any = None, user: Any) -> Pick:
    """Case 2: new serial numbers from the item's series; a line of quantity n becomes n one-unit lines."""
    require_perm(user, "picking.change_pickline", "You are not allowed to handle pick lines.")
    preview = get_visible_pick_line(pick_line_id=pick_line_id, user=user)
    _check_line_open(preview)
    _check_assign_allowed(preview, "serial")
    count_qty = _assign_quantity(preview, quantity)
    if count_qty != count_qty.to_integral_value():
        raise InvalidInput(
            "Serial numbers are assigned for whole units: enter a whole number.", code="invalid_quantity"
        )
    series = preview.item.serial_nos
    if series is None:
        raise Conflict(
            f"Item {preview.item.no} has no serial number series: type the serial numbers, or ask a "
            "supervisor "
            "to give the item a series.",
            code="no_series_missing",
        )
    count = int(count_qty)
    with transaction.atomic():
        numbers = no_series_take(code=series.code, count=count)  # number series first in the lock order
        pick, line = _lock_line(pick_line_id=pick_line_id, user=user)
        _check_line_open(line)
        _check_assign_allowed(line, "serial")
        if _assign_quantity(line, count_qty) != count_qty:
            raise Conflict("The line changed meanwhile. Reload and try again.", code="concurrent_change")
        used = set(
            ItemLedgerEntry.objects.filter(item_id=line.item_id, serial_no__in=numbers).values_list(
                "serial_no", flat=True
            )
        ) | set(
            PickLine.objects.filter(item_id=line.item_id, serial_no__in=numbers).values_list(
                "serial_no", flat=True
            )
        )
        if used:
            raise SerialNotAvailable(
                f"Number series {series.code} handed out serial numbers already used for item {line.item.no} "
                f"({', '.join(sorted(used)[:5])}). Ask a supervisor to move the series past them.",
                numbers=sorted(used),
            )
        to_handle_left = line.qty_to_handle
        outstanding = line.quantity - line.qty_handled
        reuse_line = count_qty == outstanding and line.qty_handled == 0
        new_numbers = numbers[1:] if reuse_line else numbers
        line_nos = _next_line_nos(line.pick_id, len(new_numbers))
        objs = []
        for line_no, number in zip(line_nos, new_numbers, strict=True):
            handle = ONE if to_handle_left >= ONE else ZERO
            to_handle_left -= handle
            objs.append(
                PickLine(
                    pick_id=line.pick_id,
                    line_no=line_no,
                    action=line.action,
                    source_line_id=line.source_line_id,
                    item_id=line.item_id,
                    bin_id=line.bin_id,
                    quantity=ONE,
                    qty_handled=ZERO,
                    qty_to_handle=handle,
                    serial_no=number,
                    lot_no=line.lot_no,
                    expiration_date=line.expiration_date,
                )
            )
        if reuse_line:
            line.quantity = ONE
            line.serial_no = numbers[0]
            line.qty_to_handle = ONE if to_handle_left >= ONE else ZERO
        else:
            line.quantity -= count_qty
            line.qty_to_handle = min(to_handle_left, line.quantity - line.qty_handled)
        try:
            with transaction.atomic():
                line.save(update_fields=["quantity", "serial_no", "qty_to_handle"])
                bulk_insert(objs)
        except IntegrityError as exc:
            raise _integrity_conflict(exc) from exc
        return pick


def pick_line_assign_lot_no(*, pick_line_id: int, quantity: Any = None, user: Any) -> Pick:
    """Case 2: a new lot number from the item's series for `quantity` of the line (the rest is split off)."""
    require_perm(user, "picking.change_pickline", "You are not allowed to handle pick lines.")
    preview = get_visible_pick_line(pick_line_id=pick_line_id, user=user)
    _check_line_open(preview)
    _check_assign_allowed(preview, "lot")
    qty = _assign_quantity(preview, quantity)
    series = preview.item.lot_nos
    if series is None:
        raise Conflict(
            f"Item {preview.item.no} has no lot number series: type the lot number, or ask a supervisor "
            "to give "
            "the item a series.",
            code="no_series_missing",
        )
    with transaction.atomic():
        lot = no_series_take(code=series.code)[0]
        pick, line = _lock_line(pick_line_id=pick_line_id, user=user)
        _check_line_open(line)
        _check_assign_allowed(line, "lot")
        outstanding = _assign_quantity(line, None)
        if qty < outstanding:
            _split_off(line, outstanding - qty)
        line.lot_no = lot
        line.save(update_fields=["lot_no"])
        return pick


@dataclass(frozen=True)
class AvailableNumber:
    lot_no: str
    serial_no: str
    expiration_date: datetime.date | None
    quantity: Decimal  # available in the bin for this line


def pick_line_available_tracking(*, pick_line_id: int, user: Any) -> list[AvailableNumber]:
    """Case 3: the numbers available in the line's bin (not blocked, not expired under strict posting,
    not on other open pick lines), with quantity and expiration date; earliest expiration first."""
    line = get_visible_pick_line(pick_line_id=pick_line_id, user=user)
    if line.bin_id is None:
        return []
    stock = _availability_for_line(line, bin_id=line.bin_id)
    budget = _Budget.of(stock)
    bin_left = budget.bin_left.get((line.bin_id, line.item_id), ZERO)
    result = []
    for row in _ordered_rows(stock.rows, fefo=True):
        left = min(budget.row_left.get(row.key, ZERO), bin_left)
        if row.stock.item_id != line.item_id or left <= 0 or not (row.stock.lot_no or row.stock.serial_no):
            continue
        result.append(AvailableNumber(row.stock.lot_no, row.stock.serial_no, row.stock.expiration_date, left))
    return result


def _lock_pick_for_change(*, pick_id: int, user: Any) -> Pick:
    visible = get_visible_pick(pick_id=pick_id, user=user)
    pick = lock_pick(pick_id=pick_id)
    if pick is None:
        raise NotFoundError(f"Pick {visible.no} was deleted meanwhile.")
    pick.location = visible.location
    pick.source_document = visible.source_document
    return pick


def pick_autofill_qty_to_handle(*, pick_id: int, user: Any) -> Pick:
    """Autofill Qty. to Handle: every open line's Qty. to Handle becomes its outstanding quantity."""
    require_perm(user, "picking.change_pickline", "You are not allowed to handle pick lines.")
    with transaction.atomic():
        pick = _lock_pick_for_change(pick_id=pick_id, user=user)
        lock_pick_lines(pick_id=pick.pk)
        PickLine.objects.filter(pick_id=pick.pk, action=PickLine.Action.TAKE).update(
            qty_to_handle=F("quantity") - F("qty_handled")
        )
        return pick


def pick_delete_qty_to_handle(*, pick_id: int, user: Any) -> Pick:
    """Delete Qty. to Handle: every line's Qty. to Handle becomes 0."""
    require_perm(user, "picking.change_pickline", "You are not allowed to handle pick lines.")
    with transaction.atomic():
        pick = _lock_pick_for_change(pick_id=pick_id, user=user)
        lock_pick_lines(pick_id=pick.pk)
        PickLine.objects.filter(pick_id=pick.pk).update(qty_to_handle=ZERO)
        return pick


def pick_assign(*, pick_id: int, assigned_to_username: str | None, user: Any) -> Pick:
    """Assign the pick to a warehouse employee of its location (empty: unassign)."""
    require_perm(user, "picking.change_pick", "Assigning picks is for supervisors. Ask a supervisor.")
    with transaction.atomic():
        pick = _lock_pick_for_change(pick_id=pick_id, user=user)
        assignee = None
        if assigned_to_username:
            assignee = (
                get_user_model()
                .objects.filter(username=assigned_to_username, is_active=True)
                .filter(Q(warehouse_employees__location_id=pick.location_id) | Q(is_superuser=True))
                .first()
            )
            if assignee is None:
                raise InvalidInput(
                    f"{assigned_to_username} is not a warehouse employee at location {pick.location.code}: "
                    "choose someone who works there.",
                    errors=[
                        {"field": "assigned_to", "code": "not_an_employee", "detail": "Not an employee here."}
                    ],
                )
        pick.assigned_to = assignee
        pick.save(update_fields=["assigned_to"])
        return pick


# --- Deletion --------------------------------------------------------------------------------------


def _delete_lines_locked(*, pick: Pick, lines: Sequence[PickLine]) -> None:
    """With pick, lines and the document's source lines locked: remove the outstanding part of `lines`.

    A line never handled is deleted; a partly handled line keeps only its handled quantity (handled
    quantities live on in posted picks and ledgers). Item tracking lines are never touched. The pick is
    completed when nothing is left outstanding, deleted when no line is left at all.
    """
    ids_to_delete = [line.pk for line in lines if line.qty_handled == 0]
    shrink = [line.pk for line in lines if line.qty_handled > 0]
    if ids_to_delete:
        PickLine.objects.filter(pk__in=ids_to_delete).delete()
    if shrink:
        PickLine.objects.filter(pk__in=shrink).update(quantity=F("qty_handled"), qty_to_handle=ZERO)
    if pick.source_document_id:
        refresh_qty_on_picks(document_id=pick.source_document_id)
    remaining = PickLine.objects.filter(pick_id=pick.pk)
    if not remaining.exists():
        pick.delete()
    elif not remaining.filter(qty_handled__lt=F("quantity")).exists():
        Pick.objects.filter(pk=pick.pk).update(status=Pick.Status.COMPLETED)


def pick_delete(*, pick_id: int, user: Any) -> None:
    """Delete a pick (supervisors): its outstanding quantity returns to the source lines; the source
    document's item tracking lines are never changed, so a new pick recreates the prescribed lines."""
    require_perm(user, "picking.delete_pick", "Deleting picks is for supervisors. Ask a supervisor.")
    with transaction.atomic():
        pick = _lock_pick_for_change(pick_id=pick_id, user=user)
        lock_pick_lines(pick_id=pick.pk)
        if pick.source_document_id:
            lock_document_source_lines(document_id=pick.source_document_id)
        PickLine.objects.filter(pick_id=pick.pk).delete()
        pick.delete()
        if pick.source_document_id:
            refresh_qty_on_picks(document_id=pick.source_document_id)


def pick_line_delete(*, pick_line_id: int, user: Any) -> None:
    """Delete a pick line (supervisors): its outstanding quantity returns to the source line."""
    require_perm(user, "picking.delete_pickline", "Deleting pick lines is for supervisors. Ask a supervisor.")
    with transaction.atomic():
        pick, line = _lock_line(pick_line_id=pick_line_id, user=user)
        if line.qty_handled >= line.quantity:
            raise Conflict(
                f"{_describe(line)} is fully handled; handled lines stay as the record of what was picked.",
                code="line_handled",
            )
        if pick.source_document_id:
            lock_document_source_lines(document_id=pick.source_document_id)
        _delete_lines_locked(pick=pick, lines=[line])


def pick_delete_rest_locked(*, pick: Pick) -> None:
    """With the pick locked: delete every line's outstanding quantity (used after posting)."""
    lines = lock_pick_lines(pick_id=pick.pk)
    if pick.source_document_id:
        lock_document_source_lines(document_id=pick.source_document_id)
    _delete_lines_locked(pick=pick, lines=[line for line in lines if line.qty_handled < line.quantity])
