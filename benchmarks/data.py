"""Master data, stock and source documents for the benchmarks.

Every document family (a grid cell) gets its own items, so the stock one family sees does not depend on
what ran before it. Stock is set-up, not what is measured: see `receive`.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token

from benchmarks.sql import Part, Rows, analyze, next_ids, write
from core.quantities import ONE
from core.roles import INTEGRATION, SUPERVISOR
from tracking.models import ItemTrackingCode, NoSeries
from warehouse.models import (
    Bin,
    BinContent,
    EntryType,
    Item,
    ItemLedgerEntry,
    Location,
    LotNoInformation,
    SerialNoInformation,
    WarehouseEmployee,
    WarehouseEntry,
)

LOCATION = "BENCH"
BIN_CODES = ("B01", "B02", "B03", "B04")
RECEIPT_CHUNK = 10_000
LOT_SIZE = 5  # units per lot; a lot line of quantity 10 takes two lots
SHIPMENT_DATE = "2026-12-01"

T = TypeVar("T")


def chunks(values: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


@dataclass
class Master:
    location: Location
    bins: list[Bin]
    serial_code: ItemTrackingCode  # serial specific + warehouse + outbound tracking (case 4 when prescribed)
    lot_code: ItemTrackingCode  # lot warehouse tracking with expiration dates (case 1, FEFO proposals)
    erp: Any  # user with the integration role (REST ingest)
    supervisor: Any  # supervisor and warehouse employee at the location (picks, pages)
    token: str
    baseline_series: NoSeries  # the one-row number series UPDATE of the baselines


def create_master_data() -> Master:
    """Location with four bins, two tracking codes, an ERP user with a token and a supervisor."""
    serial_code, _ = ItemTrackingCode.objects.get_or_create(
        code="BENCH-SN",
        defaults={
            "description": "Benchmark: serial numbers, specific tracking",
            "sn_specific_tracking": True,
            "sn_warehouse_tracking": True,
            "sn_outbound_tracking": True,
        },
    )
    lot_code, _ = ItemTrackingCode.objects.get_or_create(
        code="BENCH-LOT",
        defaults={
            "description": "Benchmark: lots with expiration dates",
            "lot_warehouse_tracking": True,
            "use_expiration_dates": True,
        },
    )
    location, _ = Location.objects.get_or_create(
        code=LOCATION,
        defaults={
            "name": "Benchmark warehouse",
            "require_pick": True,
            "require_shipment": False,
            "bin_mandatory": True,
            "pick_according_to_fefo": True,
        },
    )
    bins = [Bin.objects.get_or_create(location=location, code=code)[0] for code in BIN_CODES]
    user_model = get_user_model()
    erp, _ = user_model.objects.get_or_create(username="bench-erp")
    erp.groups.add(Group.objects.get(name=INTEGRATION))
    supervisor, _ = user_model.objects.get_or_create(username="bench-supervisor")
    supervisor.groups.add(Group.objects.get(name=SUPERVISOR))
    WarehouseEmployee.objects.get_or_create(user=supervisor, location=location, defaults={"default": True})
    token, _ = Token.objects.get_or_create(user=erp)
    series, _ = NoSeries.objects.get_or_create(
        code="BENCH-BL", defaults={"description": "Benchmark baselines", "starting_no": "BL000001"}
    )
    return Master(
        location=location,
        bins=bins,
        serial_code=serial_code,
        lot_code=lot_code,
        erp=erp,
        supervisor=supervisor,
        token=token.key,
        baseline_series=series,
    )


def create_items(prefix: str, count: int, code: ItemTrackingCode) -> list[Item]:
    """`count` items `<prefix>-0000`... with the tracking code, in one statement."""
    return Item.objects.bulk_create(
        [
            Item(no=f"{prefix}-{i:04d}", description=f"Benchmark item {prefix} {i}", tracking_code=code)
            for i in range(count)
        ]
    )


def serial_no(item: Item, run: int, k: int) -> str:
    """The k-th serial number of an item reserved for run `run` (unique per item)."""
    return f"{item.no}-{run}-{k:04d}"


def lot_no(item: Item, j: int) -> str:
    return f"{item.no}-L{j:02d}"


def lot_expiration(j: int) -> datetime.date:
    """Later lots expire later, so FEFO takes them in order."""
    return timezone.localdate() + datetime.timedelta(days=365 + j)


@dataclass(frozen=True)
class StockEntry:
    """One receipt: `quantity` of an item with these numbers into a bin."""

    item_id: int
    bin_id: int
    quantity: Decimal
    serial_no: str = ""
    lot_no: str = ""
    expiration_date: datetime.date | None = None


def serial_stock(master: Master, items: Sequence[Item], *, runs: int, per_run: int) -> list[StockEntry]:
    """`runs * per_run` serial numbers of each item (`serial_no(item, run, k)`), spread over the bins."""
    bins = master.bins
    return [
        StockEntry(
            item_id=item.pk,
            bin_id=bins[(i + run + k) % len(bins)].pk,
            quantity=ONE,
            serial_no=serial_no(item, run, k),
        )
        for i, item in enumerate(items)
        for run in range(runs)
        for k in range(per_run)
    ]


def lot_stock(master: Master, items: Sequence[Item], *, lots: int) -> list[StockEntry]:
    """`lots` lots of LOT_SIZE units of each item, each lot in one bin, expiring one day apart."""
    bins = master.bins
    return [
        StockEntry(
            item_id=item.pk,
            bin_id=bins[(i + j) % len(bins)].pk,
            quantity=Decimal(LOT_SIZE),
            lot_no=lot_no(item, j),
            expiration_date=lot_expiration(j),
        )
        for i, item in enumerate(items)
        for j in range(lots)
    ]


def receive(
    master: Master, entries: Sequence[StockEntry], *, label: str, through_service: bool = False
) -> int:
    """Receive the stock; returns the number of receipts.

    By default the rows `warehouse.services.inventory_post_inbound` writes for a receipt (open item ledger
    entry, warehouse entry, bin content, lot/serial information) are written with COPY, in chunks of
    RECEIPT_CHUNK: the service prepares each value through the ORM (about 1 ms per serial number on this
    machine), which would spend minutes of the benchmark's budget on set-up. `through_service=True` uses
    the service itself; the smoke test checks that both write the same rows.
    """
    for n, chunk in enumerate(chunks(entries, RECEIPT_CHUNK)):
        document_no = f"BENCH-{label}-{n}"[:30]
        if through_service:
            _receive_through_service(master, chunk, document_no)
        else:
            _seed(master, chunk, document_no)
    analyze()
    return len(entries)


def _receive_through_service(master: Master, entries: Sequence[StockEntry], document_no: str) -> None:
    from warehouse.services import InboundMovement, inventory_post_inbound

    with transaction.atomic():
        inventory_post_inbound(
            movements=[
                InboundMovement(
                    ref=i,
                    location_id=master.location.pk,
                    bin_id=e.bin_id,
                    item_id=e.item_id,
                    quantity=e.quantity,
                    lot_no=e.lot_no,
                    serial_no=e.serial_no,
                    expiration_date=e.expiration_date,
                )
                for i, e in enumerate(entries)
            ],
            entry_type=EntryType.POSITIVE_ADJUSTMENT,
            document_type="adjustment",
            document_no=document_no,
            posting_date=timezone.localdate(),
            user=master.supervisor,
        )


def _seed(master: Master, entries: Sequence[StockEntry], document_no: str) -> float:
    """Write the receipt's rows with COPY; returns the seconds the write and commit took."""
    return write(seed_parts(master, entries, document_no))


def seed_parts(master: Master, entries: Sequence[StockEntry], document_no: str) -> list[Part]:
    """The rows a receipt writes (ledger, warehouse entries, bin content, lot and serial information)."""
    keys = {(e.bin_id, e.item_id, e.lot_no, e.serial_no) for e in entries}
    if len(keys) != len(entries):
        raise ValueError("seeded stock must have one entry per bin, item, lot and serial number")
    today = timezone.localdate()
    location_id = master.location.pk
    user_id = master.supervisor.pk
    ledger_ids = next_ids(ItemLedgerEntry, len(entries))
    warehouse_ids = next_ids(WarehouseEntry, len(entries))
    content_ids = next_ids(BinContent, len(entries))
    common = {
        "entry_type": EntryType.POSITIVE_ADJUSTMENT.value,
        "document_type": "adjustment",
        "document_no": document_no,
        "posting_date": today,
        "location_id": location_id,
        "created_by_id": user_id,
    }
    ledger = [
        {
            **common,
            "id": ledger_ids[n],
            "item_id": e.item_id,
            "serial_no": e.serial_no,
            "lot_no": e.lot_no,
            "expiration_date": e.expiration_date,
            "quantity": e.quantity,
            "remaining_quantity": e.quantity,
            "open": True,
        }
        for n, e in enumerate(entries)
    ]
    warehouse = [
        {
            **common,
            "id": warehouse_ids[n],
            "item_id": e.item_id,
            "bin_id": e.bin_id,
            "serial_no": e.serial_no,
            "lot_no": e.lot_no,
            "expiration_date": e.expiration_date,
            "quantity": e.quantity,
            "item_ledger_entry_id": ledger_ids[n],
        }
        for n, e in enumerate(entries)
    ]
    contents = [
        {
            "id": content_ids[n],
            "location_id": location_id,
            "bin_id": e.bin_id,
            "item_id": e.item_id,
            "lot_no": e.lot_no,
            "serial_no": e.serial_no,
            "expiration_date": e.expiration_date,
            "quantity": e.quantity,
        }
        for n, e in enumerate(entries)
    ]
    lots = {(e.item_id, e.lot_no): e.expiration_date for e in entries if e.lot_no}
    serials = {(e.item_id, e.serial_no): e.expiration_date for e in entries if e.serial_no}
    lot_ids = next_ids(LotNoInformation, len(lots))
    serial_ids = next_ids(SerialNoInformation, len(serials))
    return [
        Rows.of_dicts(ItemLedgerEntry, ledger),
        Rows.of_dicts(WarehouseEntry, warehouse),
        Rows.of_dicts(BinContent, contents),
        Rows.of_dicts(
            LotNoInformation,
            [
                {"id": pk, "item_id": k[0], "lot_no": k[1], "expiration_date": d}
                for pk, (k, d) in zip(lot_ids, lots.items(), strict=True)
            ],
        ),
        Rows.of_dicts(
            SerialNoInformation,
            [
                {"id": pk, "item_id": k[0], "serial_no": k[1], "expiration_date": d}
                for pk, (k, d) in zip(serial_ids, serials.items(), strict=True)
            ],
        ),
    ]


def serial_document(no: str, items: Sequence[Item], *, per_line: int, run: int) -> dict[str, Any]:
    """A sales order: one line per item, `per_line` units each, the serial numbers prescribed (case 4)."""
    return {
        "type": "sales_order",
        "no": no,
        "location": LOCATION,
        "partner": "Benchmark customer",
        "shipment_date": SHIPMENT_DATE,
        "lines": [
            {
                "line_no": (i + 1) * 10000,
                "item": item.no,
                "quantity": str(per_line),
                "tracking": [
                    {"serial_no": serial_no(item, run, k), "quantity": "1"} for k in range(per_line)
                ],
            }
            for i, item in enumerate(items)
        ],
    }


def lot_document(no: str, items: Sequence[Item], *, quantity: int) -> dict[str, Any]:
    """A sales order: one line per item, no lot prescribed (the pick proposes lots by FEFO, case 1)."""
    return {
        "type": "sales_order",
        "no": no,
        "location": LOCATION,
        "partner": "Benchmark customer",
        "shipment_date": SHIPMENT_DATE,
        "lines": [
            {"line_no": (i + 1) * 10000, "item": item.no, "quantity": str(quantity)}
            for i, item in enumerate(items)
        ],
    }


def encode(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload).encode()
