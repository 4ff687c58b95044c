"""Demo inventory for `make run`: tracking codes, number series, items (one per outbound case of
docs/domain.md), locations with bins (WHSE: shipments and warehouse picks, with a shipping bin),
warehouse employees and stock with numbers and expiration dates.

Idempotent: master data is created when missing; stock is received (through the adjustment service)
only when the demo location has no ledger entries yet.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from tracking.models import ItemTrackingCode, NoSeries
from warehouse.models import Bin, Item, ItemLedgerEntry, Location, LotNoInformation, WarehouseEmployee
from warehouse.services import inventory_adjust

TRACKING_CODES: dict[str, dict[str, Any]] = {
    # case 3 (select existing serials; case 4 when the order prescribes them), with expiration dates
    "SNSPEC": {
        "description": "Serial specific, warehouse tracked, expiration dates",
        "sn_specific_tracking": True,
        "sn_warehouse_tracking": True,
        "sn_outbound_tracking": True,
        "use_expiration_dates": True,
    },
    # case 1 (lots flow through: proposed first received first, or by FEFO), strict expiration
    "LOTFIFO": {
        "description": "Lot warehouse tracked, proposed automatically, strict expiration",
        "lot_warehouse_tracking": True,
        "lot_outbound_tracking": True,
        "use_expiration_dates": True,
        "require_expiration_date_entry": True,
        "strict_expiration_posting": True,
    },
    # case 3 for lots (select existing lots); case 4 when the order prescribes them
    "LOTSPEC": {
        "description": "Lot specific, warehouse tracked, expiration dates",
        "lot_specific_tracking": True,
        "lot_warehouse_tracking": True,
        "lot_outbound_tracking": True,
        "use_expiration_dates": True,
    },
    # case 2 (assign new serial numbers while shipping)
    "SNOUT": {"description": "Serial numbers assigned on outbound only", "sn_outbound_tracking": True},
    # lot tracked without lot warehouse tracking: lots assigned on outbound or prescribed by the order
    "LOTOUT": {
        "description": "Lot numbers on outbound only (no lot warehouse tracking)",
        "lot_outbound_tracking": True,
    },
}

NO_SERIES = [
    ("SN", "Serial numbers assigned while shipping", "SN-0001"),
    ("LOT", "Lot numbers assigned while shipping", "LOT2026-001"),
]

ITEMS = [
    # no, description, tracking code, serial series, lot series
    ("1000", "Defibrillator (serial specific, expires)", "SNSPEC", None, None),
    ("2000", "Saline solution 1 l (lots flow through)", "LOTFIFO", None, None),
    ("2100", "Vaccine vial (lot specific)", "LOTSPEC", None, None),
    ("3000", "Wi-Fi router (serials assigned when shipping)", "SNOUT", "SN", None),
    ("4000", "Paint 5 l (lots on outbound only)", "LOTOUT", None, "LOT"),
    ("5000", "Screws M6, box (not tracked)", None, None, None),
]

LOCATIONS = [
    # code, name, pick_according_to_fefo, bins
    ("MAIN", "Main warehouse", False, ["A-01", "A-02", "B-01", "SHIP"]),
    ("FEFO", "Cold store (first expired, first out)", True, ["F-01", "F-02"]),
]


def _stock(today: datetime.date) -> list[tuple[str, str, str, list[dict[str, Any]]]]:
    """(location, bin, item no, entries) received once."""

    def days(n: int) -> str:
        return (today + datetime.timedelta(days=n)).isoformat()

    return [
        (
            "MAIN",
            "A-01",
            "1000",
            [
                {"quantity": 1, "serial_no": f"DF-{i:04d}", "expiration_date": days(400 + i)}
                for i in range(1, 7)
            ],
        ),
        (
            "MAIN",
            "A-02",
            "1000",
            [
                {"quantity": 1, "serial_no": f"DF-{i:04d}", "expiration_date": days(300 + i)}
                for i in range(7, 9)
            ],
        ),
        ("MAIN", "A-01", "2000", [{"quantity": 20, "lot_no": "SAL-2026-01", "expiration_date": days(365)}]),
        ("MAIN", "A-02", "2000", [{"quantity": 15, "lot_no": "SAL-2026-02", "expiration_date": days(180)}]),
        # the expired lot
        ("MAIN", "B-01", "2000", [{"quantity": 5, "lot_no": "SAL-2025-09", "expiration_date": days(-30)}]),
        ("MAIN", "A-01", "2100", [{"quantity": 10, "lot_no": "VAC-100", "expiration_date": days(200)}]),
        # the blocked lot (blocked below)
        ("MAIN", "B-01", "2100", [{"quantity": 8, "lot_no": "VAC-101", "expiration_date": days(220)}]),
        ("MAIN", "A-01", "3000", [{"quantity": 25}]),
        ("MAIN", "B-01", "4000", [{"quantity": 40}]),
        ("MAIN", "A-02", "5000", [{"quantity": 100}]),
        ("FEFO", "F-01", "2000", [{"quantity": 12, "lot_no": "SAL-2026-03", "expiration_date": days(90)}]),
        ("FEFO", "F-02", "2000", [{"quantity": 12, "lot_no": "SAL-2026-04", "expiration_date": days(45)}]),
    ]


BLOCKED_LOTS = [("2100", "VAC-101", "Blocked for quality inspection")]

# WHSE requires shipment and pick (docs/warehouse-shipments.md): storage bins, the shipment bin SHIP.
WAREHOUSE = ("WHSE", "Distribution centre (shipments and warehouse picks)")
WAREHOUSE_BINS = [("W-01", "storage"), ("W-02", "storage"), ("W-03", "storage"), ("SHIP", "shipping")]


def _warehouse_stock(today: datetime.date) -> list[tuple[str, str, list[dict[str, Any]]]]:
    """(bin, item no, entries) received once at WHSE: stock for each outbound case."""

    def days(n: int) -> str:
        return (today + datetime.timedelta(days=n)).isoformat()

    return [
        (
            "W-01",
            "1000",
            [
                {"quantity": 1, "serial_no": f"DF-{i:04d}", "expiration_date": days(500 + i)}
                for i in range(1001, 1007)
            ],
        ),
        ("W-01", "2000", [{"quantity": 20, "lot_no": "SAL-W-01", "expiration_date": days(300)}]),
        ("W-02", "2000", [{"quantity": 10, "lot_no": "SAL-W-02", "expiration_date": days(150)}]),
        ("W-02", "2100", [{"quantity": 10, "lot_no": "VAC-W-1", "expiration_date": days(250)}]),
        ("W-02", "2100", [{"quantity": 6, "lot_no": "VAC-W-2", "expiration_date": days(280)}]),
        ("W-03", "3000", [{"quantity": 10}]),
        ("W-03", "4000", [{"quantity": 20}]),
        ("W-03", "5000", [{"quantity": 50}]),
    ]


def load_demo_warehouse(*, users: dict[str, Any]) -> None:
    """The demo location WHSE that requires shipment and pick, with its bins, employees and stock
    (idempotent: stock is received only when WHSE has no ledger entries yet)."""
    code, name = WAREHOUSE
    location, _ = Location.objects.get_or_create(
        code=code,
        defaults={
            "name": name,
            "require_pick": True,
            "require_shipment": False,  # set below, once the shipment bin exists
            "bin_mandatory": True,
            "pick_according_to_fefo": False,  # specific tracking: the worker selects (case 3)
        },
    )
    bins = {
        bin_code: Bin.objects.get_or_create(location=location, code=bin_code, defaults={"kind": kind})[0]
        for bin_code, kind in WAREHOUSE_BINS
    }
    if not location.require_shipment:
        location.shipment_bin = bins["SHIP"]
        location.require_shipment = True
        location.save(update_fields=["shipment_bin", "require_shipment"])
    for username in ("worker", "supervisor"):
        user = users.get(username)
        if user is not None:
            WarehouseEmployee.objects.get_or_create(user=user, location=location)
    if ItemLedgerEntry.objects.filter(location=location).exists():
        return
    today = timezone.localdate()
    for bin_code, item_no, entries in _warehouse_stock(today):
        inventory_adjust(
            location_code=code,
            bin_code=bin_code,
            item_no=item_no,
            entries=entries,
            user=users.get("admin"),
            posting_date=today,
        )


def load_demo_inventory(*, users: dict[str, Any]) -> None:
    """Create the demo inventory (idempotent). `users` holds the demo users by username."""
    for code, flags in TRACKING_CODES.items():
        ItemTrackingCode.objects.get_or_create(code=code, defaults=flags)
    series = {}
    for code, description, starting_no in NO_SERIES:
        series[code], _ = NoSeries.objects.get_or_create(
            code=code, defaults={"description": description, "starting_no": starting_no}
        )
    for no, description, tracking, serial_nos, lot_nos in ITEMS:
        Item.objects.get_or_create(
            no=no,
            defaults={
                "description": description,
                "tracking_code": ItemTrackingCode.objects.get(code=tracking) if tracking else None,
                "serial_nos": series[serial_nos] if serial_nos else None,
                "lot_nos": series[lot_nos] if lot_nos else None,
            },
        )
    locations = {}
    for code, name, fefo, bins in LOCATIONS:
        location, _ = Location.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "require_pick": True,
                "require_shipment": False,
                "bin_mandatory": True,
                "pick_according_to_fefo": fefo,
            },
        )
        locations[code] = location
        for bin_code in bins:
            Bin.objects.get_or_create(location=location, code=bin_code)
    for username in ("worker", "supervisor"):
        user = users.get(username)
        if user is None:
            continue
        for code, location in locations.items():
            WarehouseEmployee.objects.get_or_create(
                user=user, location=location, defaults={"default": code == "MAIN"}
            )

    if ItemLedgerEntry.objects.filter(location__code__in=list(locations)).exists():
        return
    admin = users.get("admin")
    today = timezone.localdate()
    for location_code, bin_code, item_no, entries in _stock(today):
        inventory_adjust(
            location_code=location_code,
            bin_code=bin_code,
            item_no=item_no,
            entries=entries,
            user=admin,
            posting_date=today,
        )
    for item_no, lot_no, description in BLOCKED_LOTS:
        LotNoInformation.objects.filter(item__no=item_no, lot_no=lot_no).update(
            blocked=True, description=description
        )
