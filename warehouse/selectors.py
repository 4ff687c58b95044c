"""Reads of the warehouse app: stock rows (bin content with expiration, blocked and expired flags)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, OuterRef
from django.utils import timezone

from core.db import keys_subquery
from tracking.rules import is_expired, requirement
from warehouse.models import BinContent, LotNoInformation, SerialNoInformation


@dataclass
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


def stock_rows(
    *,
    item_ids: Iterable[int] | None = None,
    location_id: int | None = None,
    location_ids: Iterable[int] | None = None,
    bin_id: int | None = None,
    lot_no: str | None = None,
    serial_no: str | None = None,
    on_date: datetime.date | None = None,
    only_positive: bool = True,
) -> list[StockRow]:
    """Bin content rows with their flags, in ONE query whatever the number of rows.

    `location_ids` (optional) restricts to a set of locations, e.g. those a user may see.
    """
    on = on_date or timezone.localdate()
    rows = BinContent.objects.select_related("location", "bin", "item__tracking_code")
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
    rows = rows.annotate(
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
    ).order_by("location__code", "bin__code", "item__no", "expiration_date", "lot_no", "serial_no", "pk")
    result = []
    for row in rows:
        req = requirement(row.item.tracking_code)
        number_blocked = bool((row.lot_no and row.lot_blocked) or (row.serial_no and row.serial_blocked))
        result.append(
            StockRow(
                bin_content_id=row.pk,
                location_id=row.location_id,
                location_code=row.location.code,
                bin_id=row.bin_id,
                bin_code=row.bin.code,
                item_id=row.item_id,
                item_no=row.item.no,
                lot_no=row.lot_no,
                serial_no=row.serial_no,
                expiration_date=row.expiration_date,
                quantity=row.quantity,
                blocked=number_blocked or row.bin.blocked,
                expired=is_expired(req, row.expiration_date, on),
                number_blocked=number_blocked,
                bin_blocked=row.bin.blocked,
                strict_expiration=req.strict_expiration_posting,
            )
        )
    return result


def bin_contents_by_keys(
    keys: Iterable[tuple[int, int, str, str]],
) -> dict[tuple[int, int, str, str], BinContent]:
    """Bin content rows by (bin_id, item_id, lot_no, serial_no), one query (no lock)."""
    wanted = set(keys)
    if not wanted:
        return {}
    rows = BinContent.objects.filter(
        pk__in=keys_subquery(BinContent, ["bin", "item", "lot_no", "serial_no"], wanted)
    )
    return {(r.bin_id, r.item_id, r.lot_no, r.serial_no): r for r in rows}
