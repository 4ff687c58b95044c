"""Helpers for inventory tests: a location with bins, items per tracking case, stock via the service."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from tests import factories as f
from tracking.models import ItemTrackingCode
from tracking.services import item_tracking_code_create, no_series_create
from warehouse.models import Bin, Item, ItemLedgerEntry, Location
from warehouse.services import inventory_adjust

TODAY = datetime.date(2027, 1, 15)


def tracking_code(code: str, **flags: Any) -> ItemTrackingCode:
    existing = ItemTrackingCode.objects.filter(code=code).first()
    return existing or item_tracking_code_create(code=code, **flags)


@dataclass
class Warehouse:
    location: Location
    a01: Bin
    a02: Bin
    admin: Any
    serial_item: Item  # serial specific + warehouse tracked, expiration dates (cases 3/4)
    lot_item: Item  # lot warehouse tracked, not specific, strict expiration (case 1)
    new_serial_item: Item  # serial numbers assigned only on outbound, number series (case 2)
    plain_lot_item: Item  # lot tracked without lot warehouse tracking
    untracked_item: Item


def LocationFactory(**kwargs: Any) -> Location:
    return cast(Location, f.LocationFactory(**kwargs))


def BinFactory(**kwargs: Any) -> Bin:
    return cast(Bin, f.BinFactory(**kwargs))


def ItemFactory(**kwargs: Any) -> Item:
    return cast(Item, f.ItemFactory(**kwargs))


def UserFactory(**kwargs: Any) -> Any:
    return f.UserFactory(**kwargs)


def WarehouseEmployeeFactory(**kwargs: Any) -> Any:
    return f.WarehouseEmployeeFactory(**kwargs)


def make_warehouse(code: str = "MAIN") -> Warehouse:
    location = LocationFactory(code=code)
    series = no_series_create(code=f"SN{code}", starting_no="SN-0001")
    return Warehouse(
        location=location,
        a01=BinFactory(location=location, code="A-01"),
        a02=BinFactory(location=location, code="A-02"),
        admin=UserFactory(username="root", is_superuser=True, is_staff=True),
        serial_item=ItemFactory(
            no=f"{code}-SER",
            tracking_code=tracking_code(
                "SNSPEC",
                sn_specific_tracking=True,
                sn_warehouse_tracking=True,
                sn_outbound_tracking=True,
                use_expiration_dates=True,
            ),
        ),
        lot_item=ItemFactory(
            no=f"{code}-LOT",
            tracking_code=tracking_code(
                "LOTWHSE",
                lot_warehouse_tracking=True,
                lot_outbound_tracking=True,
                use_expiration_dates=True,
                require_expiration_date_entry=True,
                strict_expiration_posting=True,
            ),
        ),
        new_serial_item=ItemFactory(
            no=f"{code}-NEWSN",
            tracking_code=tracking_code("SNOUT", sn_outbound_tracking=True),
            serial_nos=series,
        ),
        plain_lot_item=ItemFactory(
            no=f"{code}-PLOT", tracking_code=tracking_code("LOTOUT", lot_outbound_tracking=True)
        ),
        untracked_item=ItemFactory(no=f"{code}-PLAIN"),
    )


def worker_at(location: Location, username: str = "w-at") -> Any:
    user = UserFactory(username=username, roles=["worker"])
    WarehouseEmployeeFactory(user=user, location=location)
    return user


def receive(
    wh: Warehouse, item: Item, entries: list[dict[str, Any]], *, bin: Bin | None = None
) -> list[ItemLedgerEntry]:
    return inventory_adjust(
        location_code=wh.location.code,
        bin_code=(bin or wh.a01).code,
        item_no=item.no,
        entries=entries,
        user=wh.admin,
        posting_date=TODAY,
    )


def serials(count: int, prefix: str = "S", expiration: str | None = "2027-06-30") -> list[dict[str, Any]]:
    return [
        {
            "quantity": 1,
            "serial_no": f"{prefix}{i:05d}",
            **({"expiration_date": expiration} if expiration else {}),
        }
        for i in range(count)
    ]


def qty(value: Any) -> Decimal:
    return Decimal(str(value))
