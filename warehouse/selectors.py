"""Reads of the warehouse app: stock rows (bin content with expiration, blocked and expired flags)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import Any, TypedDict, Unpack

from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.utils import timezone

from core.db import keys_condition
from tracking.rules import TRACKING_CODE_FLAGS, is_expired, requirement_of_flags
from warehouse.models import Bin, BinContent, LotNoInformation, SerialNoInformation


@dataclass(slots=True)  # one per stock row read (10 000s): no __dict__ per instance
class StockRow:
    bin_content_id: int
    location_id: int
    location_code: str
    bin_id: int
    bin_code: str
    item_id: int
    item_no: str
    lot_no: str
    serial_no: str
    expiration_date: datetime.date | None
    quantity: Decimal
    blocked: bool  # the lot or serial number is blocked, or the bin is
    expired: bool  # the item uses expiration dates and expiration_date < on_date
    number_blocked: bool = False
    bin_blocked: bool = False
    strict_expiration: bool = False  # expired stock may not be posted (strict expiration posting)
    bin_kind: str = Bin.Kind.STORAGE

    @property
    def in_shipping_bin(self) -> bool:
        """In a shipping bin: committed to a shipment, never available to picks."""
        return self.bin_kind == Bin.Kind.SHIPPING


@dataclass(frozen=True)
class NumberScope:
    """Which rows of stock to read: those carrying one of the wanted numbers, plus every row of `items`.

    Checking or taking prescribed numbers needs only the rows of those numbers, not all stock of their
    items: the pairs are joined in SQL (`core.db.keys_condition`: `unnest` of the wanted pairs on
    PostgreSQL, `json_each` on SQLite), so a read costs what the numbers concerned cost.
    `blank_serial_items` / `blank_lot_items`: items whose rows are read by number, for which open pick
    lines WITHOUT a number of that kind (unassigned reservations) are read too.
    """

    serials: frozenset[tuple[int, str]] = frozenset()  # (item_id, serial_no)
    lots: frozenset[tuple[int, str]] = frozenset()  # (item_id, lot_no)
    items: frozenset[int] = frozenset()  # every row of these items
    blank_serial_items: frozenset[int] = frozenset()
    blank_lot_items: frozenset[int] = frozenset()

    @cached_property
    def _sorted(self) -> tuple[list[int], list[tuple[int, str]], list[tuple[int, str]]]:
        """The items, serial and lot pairs in a fixed order, sorted once (a pick reads three tables so)."""
        return sorted(self.items), sorted(self.serials), sorted(self.lots)

    @cached_property
    def _conditions(self) -> dict[type[Model], Q]:
        return {}

    def q(self, model: type[Model]) -> Q:
        """The rows of `model` (fields `item`, `serial_no`, `lot_no`) in the scope; nothing when empty.
        Built once per model (a pick locks, then reads, the bin content of 10 000 numbers)."""
        cached = self._conditions.get(model)
        if cached is not None:
            return cached
        items, serials, lots = self._sorted
        q = Q(pk__in=[])
        if items:
            q |= Q(item_id__in=items)
        if serials:
            # `serial_no <> ''` lets the unique indexes of serial numbers (in stock once, on one open pick
            # line) answer each key with one row; without it a stale plan may walk each item per number.
            q |= Q(keys_condition(model, ["item", "serial_no"], serials)) & ~Q(serial_no="")
        if lots:
            q |= Q(keys_condition(model, ["item", "lot_no"], lots))
        self._conditions[model] = q
        return q

    def filter(self, rows: QuerySet[Any]) -> QuerySet[Any]:
        return rows.filter(self.q(rows.model))


class StockFilter(TypedDict, total=False):
    """Which bin content rows `stock_rows` and `stock_rows_query` read: the arguments of `stock_rows_filter`
    (all optional, its defaults apply)."""

    item_ids: Iterable[int] | None
    location_id: int | None
    location_ids: Iterable[int] | None
    bin_id: int | None
    lot_no: str | None
    serial_no: str | None
    only_positive: bool
    numbers: NumberScope | None


def stock_rows(
    *, on_date: datetime.date | None = None, ordered: bool = True, **filters: Unpack[StockFilter]
) -> list[StockRow]:
    """Bin content rows with their flags, in ONE query whatever the number of rows.

    `location_ids` (optional) restricts to a set of locations, e.g. those a user may see; `numbers` to the
    rows of some numbers (and items). `ordered` False: in no particular order, for callers that look rows
    up by number (sorting 10 000 rows by location, bin, item and numbers is a tenth of the read).
    """
    return stock_rows_of(stock_rows_query(ordered=ordered, **filters), on_date=on_date)


def stock_rows_query(*, ordered: bool = True, **filters: Unpack[StockFilter]) -> QuerySet[Any]:
    """The query of `stock_rows` (value tuples in stock page order unless not `ordered`; slice it in SQL),
    read with `stock_rows_of`; `stock_rows_filter` with the same arguments counts them."""
    filtered = stock_rows_filter(**filters)
    rows = filtered.annotate(
        lot_blocked=Exists(
            LotNoInformation.objects.filter(
                item_id=OuterRef("item_id"), lot_no=OuterRef("lot_no"), blocked=True
            )
        ),
        serial_blocked=Exists(
            SerialNoInformation.objects.filter(
                item_id=OuterRef("item_id"), serial_no=OuterRef("serial_no"), blocked=True
            )
        ),
    )
    if ordered:
        rows = rows.order_by(
            "location__code", "bin__code", "item__no", "expiration_date", "lot_no", "serial_no", "pk"
        )
    else:
        rows = rows.order_by()  # not even the model's default order (a sort of every row read)
    # Plain tuples, not model instances: this read returns every stock row of the items (100 000s).
    code_fields = [f"item__tracking_code__{name}" for name in TRACKING_CODE_FLAGS]
    return rows.values_list(*_ROW_FIELDS, "lot_blocked", "serial_blocked", *code_fields)


def stock_rows_filter(
    *,
    item_ids: Iterable[int] | None = None,
    location_id: int | None = None,
    location_ids: Iterable[int] | None = None,
    bin_id: int | None = None,
    lot_no: str | None = None,
    serial_no: str | None = None,
    only_positive: bool = True,
    numbers: NumberScope | None = None,
) -> QuerySet[BinContent]:
    """The bin content rows `stock_rows` reads, without flags or order (e.g. to count them cheaply)."""
    rows = BinContent.objects.all()
    if numbers is not None:
        rows = numbers.filter(rows)
    if item_ids is not None:
        rows = rows.filter(item_id__in=list(item_ids))
    if location_id is not None:
        rows = rows.filter(location_id=location_id)
    if location_ids is not None:
        rows = rows.filter(location_id__in=list(location_ids))
    if bin_id is not None:
        rows = rows.filter(bin_id=bin_id)
    if lot_no is not None:
        rows = rows.filter(lot_no=lot_no)
    if serial_no is not None:
        rows = rows.filter(serial_no=serial_no)
    if only_positive:
        rows = rows.filter(quantity__gt=0)
    return rows


def stock_rows_of(values: Iterable[Any], *, on_date: datetime.date | None = None) -> list[StockRow]:
    """The stock rows of the value tuples of `stock_rows_query` (or a slice of it): one query."""
    on = on_date or timezone.localdate()
    result = []
    n = len(_ROW_FIELDS)
    for value in values:
        (
            pk,
            loc_id,
            loc_code,
            bin_pk,
            bin_code,
            bin_blocked,
            item_pk,
            item_no,
            lot,
            serial,
            expiration,
            qty,
            bin_kind,
        ) = value[:n]
        lot_blocked, serial_blocked = value[n], value[n + 1]
        req = requirement_of_flags(value[n + 2 :])
        number_blocked = bool((lot and lot_blocked) or (serial and serial_blocked))
        result.append(
            StockRow(
                bin_content_id=pk,
                location_id=loc_id,
                location_code=loc_code,
                bin_id=bin_pk,
                bin_code=bin_code,
                item_id=item_pk,
                item_no=item_no,
                lot_no=lot,
                serial_no=serial,
                expiration_date=expiration,
                quantity=qty,
                blocked=number_blocked or bin_blocked,
                expired=is_expired(req, expiration, on),
                number_blocked=number_blocked,
                bin_blocked=bin_blocked,
                strict_expiration=req.strict_expiration_posting,
                bin_kind=bin_kind,
            )
        )
    return result


_ROW_FIELDS = (
    "pk",
    "location_id",
    "location__code",
    "bin_id",
    "bin__code",
    "bin__blocked",
    "item_id",
    "item__no",
    "lot_no",
    "serial_no",
    "expiration_date",
    "quantity",
    "bin__kind",
)
