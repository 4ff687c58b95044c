"""The pick planner: which new pick lines cover what a line still needs, against the stock available.

Pure: no database. The caller reads the stock a pick may take (`picking.availability.available_stock`),
wraps it in a `Budget`, and asks `plan_demand` for each line to cover, in order, with the same budget: a
plan never takes more than is available, and its cost is linear in lines and stock rows. Inventory picks
plan their take lines from source lines (`picking.services.pick_create`); a warehouse pick plans its take
lines from shipment lines the same way.

How a planned line gets its numbers (docs/domain.md, "How a pick line gets its numbers"; the per-kind rules
are `picking.rules`):

- case 4: the numbers prescribed by the source document (`Prescribed`), one line per number and bin,
  locked except Qty. to Handle;
- case 1: stock rows proposed whole, earliest expiration first (FEFO) or first received first;
- cases 2 and 3, and untracked items: blank numbers, one line per bin.

What cannot be covered is reported as `NotPicked`, with the reason in words a supervisor understands.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import TypeVar

from django.utils.translation import gettext as _

from core.quantities import ONE, ZERO, format_quantity
from picking import rules
from picking.availability import AvailableRow, AvailableStock, BinItem, RowKey
from tracking.rules import Requirement

# --- What goes in and comes out ------------------------------------------------------------------


@dataclass(frozen=True)
class Prescribed:
    """Numbers the source line prescribes (an item tracking line of origin `source`), with the quantity
    neither handled nor on open picks."""

    item_tracking_line_id: int
    lot_no: str
    serial_no: str
    expiration_date: datetime.date | None
    quantity: Decimal

    @property
    def label(self) -> str:
        parts = (
            _("lot %(lot)s") % {"lot": self.lot_no} if self.lot_no else "",
            _("serial no. %(serial)s") % {"serial": self.serial_no} if self.serial_no else "",
        )
        return " ".join(p for p in parts if p)


@dataclass(frozen=True)
class Demand:
    """What one line asks of a new pick: `quantity` of an item, from the line's bin or any bin."""

    line_no: int
    item_id: int
    item_no: str
    requirement: Requirement
    quantity: Decimal
    bin_id: int | None = None
    bin_code: str | None = None  # of `bin_id`, for messages
    prescribed: Sequence[Prescribed] = ()


@dataclass(frozen=True)
class PlannedLine:
    """A new pick line: take `quantity` from the bin, with these numbers."""

    bin_id: int
    quantity: Decimal
    lot_no: str = ""
    serial_no: str = ""
    expiration_date: datetime.date | None = None
    tracking_locked: bool = False
    item_tracking_line_id: int | None = None


@dataclass(frozen=True)
class NotPicked:
    """Part of a line a new pick could not cover; it stays outstanding on the line."""

    line_no: int
    item_no: str
    quantity: Decimal
    reason: str
    shipment_no: str = ""  # a warehouse pick's shipment line: the shipment it belongs to


@dataclass
class LinePlan:
    lines: list[PlannedLine] = field(default_factory=list)
    not_picked: list[NotPicked] = field(default_factory=list)


# --- The budget ------------------------------------------------------------------------------------


def ordered_rows(rows: Iterable[AvailableRow], *, fefo: bool) -> list[AvailableRow]:
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


@dataclass
class Budget:
    """Stock a new pick may still take: per stock row and per (bin, item), decremented as lines are made.

    Rows are sorted once per item (FEFO or first received first) and indexed by number, so planning a
    pick of thousands of lines stays linear. `bin_left` already subtracts the units that open pick lines
    without numbers hold in the bin.
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
    def of(cls, stock: AvailableStock, *, fefo: bool = False, include_shipping: bool = False) -> Budget:
        """The budget of a pick: stock in shipping bins is committed to shipments and never picked from.
        `include_shipping`: a shipment posted without picks ships from any bin, shipping bins included."""
        rows_by_item: dict[int, list[AvailableRow]] = defaultdict(list)
        row_left: dict[RowKey, Decimal] = {}
        bin_total: dict[BinItem, Decimal] = defaultdict(lambda: ZERO)
        for row in stock.rows:
            if row.stock.in_shipping_bin and not include_shipping:
                continue
            rows_by_item[row.stock.item_id].append(row)
            left = max(row.stock.quantity - row.qty_on_picks, ZERO) if row.usable else ZERO
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
            self._ordered[key] = ordered_rows(rows, fefo=self.fefo)
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
        if bin_id is None and not (serial_key and lot_key):
            return list(rows)  # the index already matched the one number asked for (10 000 prescribed)
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
            self._bins[key] = bins_in_order(self.ordered(item_id, bin_id))
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


def bins_in_order(rows: Iterable[AvailableRow]) -> list[BinItem]:
    """The (bin, item) pairs of the rows, each once, in the order of the rows."""
    seen: dict[BinItem, None] = {}
    for r in rows:
        seen.setdefault((r.stock.bin_id, r.stock.item_id), None)
    return list(seen)


_Source = TypeVar("_Source")


def allot(
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


# --- Planning one line -------------------------------------------------------------------------------


def plan_demand(demand: Demand, budget: Budget, *, location_code: str, propose: bool = False) -> LinePlan:
    """The new pick lines covering `demand` (booked in `budget`), and what could not be covered.

    The prescribed numbers come first (case 4); the rest is proposed from stock rows (case 1) or left
    without numbers, per bin (cases 2 and 3, untracked items). `propose`: numbers stock carries are always
    proposed like case 1 (a shipment posted without picks has no worker to select them).
    """
    plan = LinePlan()
    prescribed_total = _plan_prescribed(demand, budget, plan, location_code=location_code)
    wanted = demand.quantity - prescribed_total
    if wanted > 0:
        _plan_rest(demand, budget, plan, wanted=wanted, location_code=location_code, propose=propose)
    plan.lines = serial_units(plan.lines)
    return plan


def _plan_prescribed(demand: Demand, budget: Budget, plan: LinePlan, *, location_code: str) -> Decimal:
    """Case 4: one locked line per prescribed number and bin. Returns the quantity the numbers cover."""
    req = demand.requirement
    carried = rules.carries_numbers(req)
    # `stock_key` of each number (a kind stock does not carry is ""), its two flags read once per line
    lot_kept, serial_kept = req.lot.warehouse, req.serial.warehouse
    total = ZERO
    for prescribed in demand.prescribed:
        wanted = min(prescribed.quantity, demand.quantity - total)
        if wanted <= 0:
            break
        total += wanted
        lot_key = prescribed.lot_no if lot_kept else ""
        serial_key = prescribed.serial_no if serial_kept else ""
        matching = budget.with_numbers(demand.item_id, demand.bin_id, lot_key, serial_key)
        if carried:
            taken_rows, got = allot(matching, budget.take_row, wanted)
            plan.lines.extend(_prescribed_from_row(prescribed, row, take, req) for row, take in taken_rows)
        else:
            taken_bins, got = allot(bins_in_order(matching), budget.take_bin, wanted)
            plan.lines.extend(
                PlannedLine(
                    bin_id=bin_key[0],
                    quantity=take,
                    lot_no=prescribed.lot_no,
                    serial_no=prescribed.serial_no,
                    expiration_date=prescribed.expiration_date,
                    tracking_locked=True,
                    item_tracking_line_id=prescribed.item_tracking_line_id,
                )
                for bin_key, take in taken_bins
            )
        if got < wanted:  # (the words only when they are needed: 10 000 numbers, 10 000 translations)
            what = _("item %(item)s %(numbers)s") % {"item": demand.item_no, "numbers": prescribed.label}
            _report_shortage(
                demand, plan, wanted=wanted, got=got, what=what, rows=matching, location_code=location_code
            )
    return total


def _prescribed_from_row(
    prescribed: Prescribed, row: AvailableRow, take: Decimal, req: Requirement
) -> PlannedLine:
    """A locked line for prescribed numbers, taken from a stock row (which fills in a carried kind the
    source line leaves open)."""
    return PlannedLine(
        bin_id=row.stock.bin_id,
        quantity=take,
        lot_no=prescribed.lot_no or (row.stock.lot_no if req.lot.warehouse else ""),
        serial_no=prescribed.serial_no or (row.stock.serial_no if req.serial.warehouse else ""),
        expiration_date=row.stock.expiration_date or prescribed.expiration_date,
        tracking_locked=True,
        item_tracking_line_id=prescribed.item_tracking_line_id,
    )


def _plan_rest(
    demand: Demand, budget: Budget, plan: LinePlan, *, wanted: Decimal, location_code: str, propose: bool
) -> None:
    """The quantity not prescribed: whole stock rows (case 1), otherwise blank numbers per bin."""
    req = demand.requirement
    if rules.carries_numbers(req) and (propose or rules.proposes_numbers(req, fefo=budget.fefo)):
        taken_rows, got = allot(budget.open_rows(demand.item_id, demand.bin_id), budget.take_row, wanted)
        plan.lines.extend(
            PlannedLine(
                bin_id=row.stock.bin_id,
                quantity=take,
                lot_no=row.stock.lot_no,
                serial_no=row.stock.serial_no,
                expiration_date=row.stock.expiration_date,
            )
            for row, take in taken_rows
        )
    else:
        taken_bins, got = allot(budget.bins(demand.item_id, demand.bin_id), budget.take_bin, wanted)
        plan.lines.extend(PlannedLine(bin_id=bin_key[0], quantity=take) for bin_key, take in taken_bins)
    rows = budget.ordered(demand.item_id, demand.bin_id)
    what = _("item %(item)s") % {"item": demand.item_no}
    _report_shortage(demand, plan, wanted=wanted, got=got, what=what, rows=rows, location_code=location_code)


def _report_shortage(
    demand: Demand,
    plan: LinePlan,
    *,
    wanted: Decimal,
    got: Decimal,
    what: str,
    rows: Sequence[AvailableRow],
    location_code: str,
) -> None:
    if got >= wanted:
        return
    reason = shortage_reason(
        wanted=wanted,
        got=got,
        rows=rows,
        where=(
            _("bin %(bin)s") % {"bin": demand.bin_code}
            if demand.bin_code
            else _("location %(location)s") % {"location": location_code}
        ),
        what=what,
        carried=rules.carries_numbers(demand.requirement),
    )
    plan.not_picked.append(NotPicked(demand.line_no, demand.item_no, wanted - got, reason))


def shortage_reason(
    *, wanted: Decimal, got: Decimal, rows: Sequence[AvailableRow], where: str, what: str, carried: bool
) -> str:
    """Why only `got` of `wanted` units of `what` could be picked in `where`, in words a supervisor
    understands (`rows`: the stock rows that could have served)."""
    head = _("%(missing)s of %(wanted)s units of %(what)s could not be picked") % {
        "missing": format_quantity(wanted - got),
        "wanted": format_quantity(wanted),
        "what": what,
    }
    if not rows:
        return _("%(head)s: there is none in stock in %(where)s.") % {"head": head, "where": where}
    blocked = sum((r.stock.quantity for r in rows if r.stock.blocked), ZERO)
    expired = sum((r.stock.quantity for r in rows if not r.stock.blocked and not r.usable), ZERO)
    on_picks = sum((r.qty_on_picks for r in rows if r.usable), ZERO)
    total = sum((r.stock.quantity for r in rows), ZERO)
    parts = [_("%(quantity)s in stock in %(where)s") % {"quantity": format_quantity(total), "where": where}]
    if blocked:
        parts.append(_("%(quantity)s blocked") % {"quantity": format_quantity(blocked)})
    if expired:
        parts.append(_("%(quantity)s expired") % {"quantity": format_quantity(expired)})
    if on_picks:
        parts.append(_("%(quantity)s already on other open picks") % {"quantity": format_quantity(on_picks)})
    if not carried and not on_picks and total > got:
        parts.append(_("the rest is reserved by open pick lines without numbers"))
    return _("%(head)s: %(parts)s. It stays outstanding on the source line.") % {
        "head": head,
        "parts": ", ".join(parts),
    }


def serial_units(lines: Iterable[PlannedLine]) -> list[PlannedLine]:
    """A line carrying a serial number is one unit (rows in stock already are; this is a guard)."""
    result: list[PlannedLine] = []
    for line in lines:
        if line.serial_no and line.quantity > 1:
            result.extend(replace(line, quantity=ONE) for _unit in range(int(line.quantity)))
        else:
            result.append(line)
    return result
