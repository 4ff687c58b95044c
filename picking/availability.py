"""Availability: stock minus what open pick lines already reserve (what a new pick may take).

A stock row is `warehouse.selectors.StockRow` (bin content with its flags); this module only adds what
open picks hold of it. An OPEN pick line is a `take` line with qty_handled < quantity; it reserves its
outstanding quantity (quantity - qty_handled) in its bin, under its STOCK key (tracking.rules.stock_key of
its item's code):

- a line whose stock key names the numbers of a stock row reserves that row (`qty_on_picks`);
- a line whose stock key is blank in a kind the item warehouse-tracks (e.g. a case-3 line whose serial
  number is not selected yet) reserves "some units of the bin": an unassigned reservation, subtracted from
  the bin's total (`unassigned_on_picks`; the planner, `picking.planning.Budget`, does the subtraction).

Blocked rows (number or bin) and expired rows of items with strict expiration posting are not usable.
Stock in a shipping bin is committed to a warehouse shipment: its rows are listed with `available` 0 and
picks never plan from them (`picking.planning.Budget`).
Everything is computed in a constant number of queries (two).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Exists, F, OuterRef, Q

from core.db import keys_condition
from core.quantities import ZERO
from picking.models import PickLine
from tracking.rules import TRACKING_CODE_FLAGS, requirement_of_flags, stock_key
from warehouse.models import Bin, BinContent, SerialNoInformation
from warehouse.selectors import (
    NumberScope,
    StockRow,
    stock_rows,
    stock_rows_filter,
    stock_rows_of,
    stock_rows_query,
)

BinItem = tuple[int, int]  # (bin_id, item_id)
RowKey = tuple[int, int, str, str]  # (bin_id, item_id, lot_no, serial_no)


@dataclass(slots=True)
class AvailableRow:
    """A stock row and what open pick lines hold of it by its numbers."""

    stock: StockRow
    qty_on_picks: Decimal = ZERO

    @property
    def available(self) -> Decimal:
        """Stock minus open picks; nothing in a shipping bin (it is committed to a shipment)."""
        if self.stock.in_shipping_bin:
            return ZERO
        return self.stock.quantity - self.qty_on_picks

    @property
    def usable(self) -> bool:
        """May be proposed or taken: not blocked, and not expired under strict expiration posting."""
        return not self.stock.blocked and not (self.stock.expired and self.stock.strict_expiration)

    @property
    def key(self) -> RowKey:
        s = self.stock
        return (s.bin_id, s.item_id, s.lot_no, s.serial_no)


@dataclass
class AvailableStock:
    rows: list[AvailableRow] = field(default_factory=list)
    unassigned_on_picks: dict[BinItem, Decimal] = field(default_factory=dict)


def open_pick_reservations(
    *,
    item_ids: Iterable[int] | None,
    location_ids: Iterable[int] | None,
    bin_id: int | None = None,
    exclude_pick_line_ids: Iterable[int] = (),
    numbers: NumberScope | None = None,
    lines_filter: Q | None = None,
) -> tuple[dict[RowKey, Decimal], dict[BinItem, Decimal]]:
    """(named reservations per stock row key, unassigned reservations per bin and item): one query.

    `numbers`: only the lines of those numbers (and items), and the lines without a number of the items
    it names for that (`NumberScope.blank_serial_items`, `blank_lot_items`)."""
    lines = PickLine.objects.filter(
        action=PickLine.Action.TAKE, qty_handled__lt=F("quantity"), bin__isnull=False
    )
    if item_ids is not None:
        lines = lines.filter(item_id__in=list(item_ids))
    if numbers is not None:
        scope = numbers.q(PickLine)
        if numbers.blank_serial_items:
            scope |= Q(item_id__in=sorted(numbers.blank_serial_items), serial_no="")
        if numbers.blank_lot_items:
            scope |= Q(item_id__in=sorted(numbers.blank_lot_items), lot_no="")
        lines = lines.filter(scope)
    if lines_filter is not None:
        lines = lines.filter(lines_filter)
    if location_ids is not None:
        lines = lines.filter(pick__location_id__in=list(location_ids))
    if bin_id is not None:
        lines = lines.filter(bin_id=bin_id)
    excluded = list(exclude_pick_line_ids)
    if excluded:
        lines = lines.exclude(pk__in=excluded)
    named: dict[RowKey, Decimal] = defaultdict(lambda: ZERO)
    unassigned: dict[BinItem, Decimal] = defaultdict(lambda: ZERO)
    code_fields = [f"item__tracking_code__{name}" for name in TRACKING_CODE_FLAGS]
    fields = ("bin_id", "item_id", "lot_no", "serial_no", "quantity", "qty_handled")
    for value in lines.values_list(*fields, *code_fields):
        line_bin_id, item_id, lot_no, serial_no, quantity, qty_handled = value[: len(fields)]
        req = requirement_of_flags(value[len(fields) :])
        lot_key, serial_key = stock_key(req, lot_no, serial_no)
        if (req.lot.warehouse and not lot_key) or (req.serial.warehouse and not serial_key):
            unassigned[(line_bin_id, item_id)] += quantity - qty_handled
        else:
            named[(line_bin_id, item_id, lot_key, serial_key)] += quantity - qty_handled
    return dict(named), dict(unassigned)


def available_stock(
    *,
    item_ids: Iterable[int] | None,
    location_id: int | None,
    bin_id: int | None = None,
    on_date: datetime.date | None = None,
    exclude_pick_line_ids: Iterable[int] = (),
    location_ids: Iterable[int] | None = None,
    lot_no: str | None = None,
    serial_no: str | None = None,
    numbers: NumberScope | None = None,
    ordered: bool = True,
) -> AvailableStock:
    """Stock rows with `qty_on_picks` and `available`, and unassigned reservations per bin and item.

    `exclude_pick_line_ids`: lines whose reservation does not count (e.g. the line being re-proposed).
    `numbers`: only the rows (and reservations) of those numbers and items: what checking or taking
    prescribed numbers needs, whatever else the items have in stock. `ordered` False: the rows in no
    particular order (checks that look them up by number), else in stock page order.
    """
    ids = list(item_ids) if item_ids is not None else None
    locs = (
        [location_id]
        if location_id is not None
        else (list(location_ids) if location_ids is not None else None)
    )
    rows = stock_rows(
        item_ids=ids,
        location_id=location_id,
        location_ids=location_ids if location_id is None else None,
        bin_id=bin_id,
        lot_no=lot_no,
        serial_no=serial_no,
        on_date=on_date,
        numbers=numbers,
        ordered=ordered,
    )
    named, unassigned = open_pick_reservations(
        item_ids=ids,
        location_ids=locs,
        bin_id=bin_id,
        exclude_pick_line_ids=exclude_pick_line_ids,
        numbers=numbers,
    )
    return AvailableStock(
        rows=[
            AvailableRow(stock=r, qty_on_picks=named.get((r.bin_id, r.item_id, r.lot_no, r.serial_no), ZERO))
            for r in rows
        ],
        unassigned_on_picks=unassigned,
    )


def serials_plainly_available(*, location_id: int, serials: Collection[tuple[int, str]]) -> bool:
    """Whether every (item_id, serial_no) of `serials` is plainly available at the location: in stock there
    (a whole unit) with no lot and no expiration date, in a bin that is neither blocked nor a shipping bin,
    the serial number not blocked, and on no open pick line. One COUNT, however many numbers: checking
    10 000 prescribed serial numbers that are all fine (the usual document) reads no stock row.

    Such a number passes every stock check of a source line without a bin and takes nothing from stock
    (`picking.services.tracking_checks`); when any number is not plain, the caller reads their stock rows
    (`available_stock`) and checks them one by one, which also says what is wrong. A serial number is in
    stock in one row at most (`bin_content_serial_in_one_bin`) and on one open pick line at most."""
    if not serials:
        return True
    blocked = SerialNoInformation.objects.filter(
        item_id=OuterRef("item_id"), serial_no=OuterRef("serial_no"), blocked=True
    )
    # Any open take line of the number, wherever it is: an exact reservation check is the slow path's.
    # Its conditions are those of `serial_on_one_open_pick_line` (serial_no not blank included, which
    # PostgreSQL cannot infer from the match on the outer number), so each number is one look-up in that
    # unique index. Without it the check walked every pick line of the item, open or handled, for each
    # number: 3 s for 30 000 numbers of an item that had been picked 30 000 times before.
    on_pick = PickLine.objects.filter(
        item_id=OuterRef("item_id"),
        serial_no=OuterRef("serial_no"),
        action=PickLine.Action.TAKE,
        qty_handled__lt=F("quantity"),
    ).exclude(serial_no="")
    plain = (
        BinContent.objects.filter(
            keys_condition(BinContent, ["item", "serial_no"], serials),  # in any order: counted
            location_id=location_id,
            quantity__gte=1,
            lot_no="",
            expiration_date__isnull=True,
            bin__blocked=False,
        )
        .exclude(serial_no="")
        .exclude(bin__kind=Bin.Kind.SHIPPING)
        .exclude(Exists(blocked))
        .exclude(Exists(on_pick))
    )
    return plain.count() == len(serials)


class AvailabilityRows:
    """The rows of the availability API and the stock page, counted and paged in SQL.

    A paginator counts them (`count()`: one COUNT) and takes one page (`rows[a:b]`: one SELECT of the page's
    stock rows, one of the open pick lines of those rows only), so a page costs the same for 100 or
    100 000 rows."""

    def __init__(self, *, location_ids: Iterable[int] | None, on_date: datetime.date | None, **filters: Any):
        self._on_date = on_date
        locations = list(location_ids) if location_ids is not None else None
        self._query = stock_rows_query(location_ids=locations, **filters)
        self._filter = stock_rows_filter(location_ids=locations, **filters)
        self._count: int | None = None

    def count(self) -> int:
        if self._count is None:
            self._count = self._filter.count()
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[AvailableRow]:
        if not isinstance(index, slice):
            raise TypeError("AvailabilityRows is read a page (a slice) at a time")
        rows = stock_rows_of(self._query[index], on_date=self._on_date)
        if not rows:
            return []
        keys = Q(pk__in=[])
        for r in rows:  # the lines that can hold these rows: by serial number, else lot, else bin
            if r.serial_no:
                keys |= Q(bin_id=r.bin_id, item_id=r.item_id, serial_no=r.serial_no)
            elif r.lot_no:
                keys |= Q(bin_id=r.bin_id, item_id=r.item_id, lot_no=r.lot_no)
            else:
                keys |= Q(bin_id=r.bin_id, item_id=r.item_id)
        named, _ = open_pick_reservations(item_ids=None, location_ids=None, lines_filter=keys)
        return [
            AvailableRow(stock=r, qty_on_picks=named.get((r.bin_id, r.item_id, r.lot_no, r.serial_no), ZERO))
            for r in rows
        ]


def availability_rows(
    *,
    location_ids: Iterable[int] | None,
    item_id: int | None = None,
    location_id: int | None = None,
    bin_id: int | None = None,
    lot_no: str | None = None,
    serial_no: str | None = None,
    on_date: datetime.date | None = None,
) -> AvailabilityRows:
    """Rows for the availability API and the stock page (`location_ids` None: all locations), paged in
    SQL (`AvailabilityRows`)."""
    return AvailabilityRows(
        location_ids=location_ids if location_id is None else None,
        on_date=on_date,
        item_ids=[item_id] if item_id is not None else None,
        location_id=location_id,
        bin_id=bin_id,
        lot_no=lot_no,
        serial_no=serial_no,
    )
