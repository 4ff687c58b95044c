"""Database guards: each one fires when the services are bypassed (raw writes)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F, Sum

from tests.world import World, serials
from tracking.models import ItemTrackingCode, NoSeries
from warehouse.models import BinContent, EntryType, ItemLedgerEntry, WarehouseEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def wh(wh: World) -> World:
    """The inventory world with 2 serials of SN-SPEC and 5 of lot L1 of LOT-STRICT in A1."""
    wh.receive(wh.sn_spec, "A1", *serials(2))
    wh.receive(wh.lot_strict, "A1", {"quantity": 5, "lot_no": "L1", "expiration_date": "2027-06-01"})
    return wh


def fails(write: Callable[[], Any]) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        write()


def receipt(wh: World, **fields: Any) -> ItemLedgerEntry:
    values: dict[str, Any] = {
        "entry_type": EntryType.POSITIVE_ADJUSTMENT,
        "document_type": "raw",
        "document_no": "RAW",
        "posting_date": datetime.date(2027, 1, 1),
        "item": wh.sn_spec,
        "location": wh.location,
        "quantity": Decimal(1),
        "remaining_quantity": Decimal(1),
        "open": True,
        **fields,
    }
    return ItemLedgerEntry.objects.create(**values)


def test_bin_content_never_negative(wh: World) -> None:
    fails(lambda: BinContent.objects.filter(lot_no="L1").update(quantity=F("quantity") - 6))
    assert BinContent.objects.get(lot_no="L1").quantity == 5


def test_bin_content_of_a_serial_at_most_one(wh: World) -> None:
    fails(lambda: BinContent.objects.filter(serial_no="S00000").update(quantity=2))


def test_serial_in_one_bin_only(wh: World) -> None:
    fails(
        lambda: BinContent.objects.create(
            location=wh.location, bin=wh.b1, item=wh.sn_spec, serial_no="S00000", quantity=1
        )
    )


def test_receipt_remaining_between_zero_and_quantity(wh: World) -> None:
    fails(lambda: ItemLedgerEntry.objects.filter(lot_no="L1").update(remaining_quantity=6))
    fails(lambda: ItemLedgerEntry.objects.filter(lot_no="L1").update(remaining_quantity=-1))
    fails(lambda: ItemLedgerEntry.objects.filter(lot_no="L1").update(remaining_quantity=0))  # still open


def test_serial_quantity_exactly_one_in_the_ledgers(wh: World) -> None:
    fails(lambda: receipt(wh, serial_no="NEW", quantity=2, remaining_quantity=2))
    fails(
        lambda: WarehouseEntry.objects.create(
            entry_type=EntryType.POSITIVE_ADJUSTMENT,
            document_type="raw",
            document_no="RAW",
            posting_date=datetime.date(2027, 1, 1),
            item=wh.sn_spec,
            location=wh.location,
            bin=wh.a1,
            serial_no="NEW",
            quantity=2,
        )
    )


def test_serial_in_stock_at_most_once(wh: World) -> None:
    fails(lambda: receipt(wh, serial_no="S00001"))
    # once shipped (receipt closed), the same serial may come back
    ItemLedgerEntry.objects.filter(serial_no="S00001").update(open=False, remaining_quantity=0)
    assert receipt(wh, serial_no="S00001").pk


def test_tracking_code_constraints() -> None:
    fails(lambda: ItemTrackingCode.objects.create(code="BAD", sn_specific_tracking=True))
    fails(lambda: ItemTrackingCode.objects.create(code="BAD2", strict_expiration_posting=True))
    fails(lambda: NoSeries.objects.create(code="BAD", starting_no="X1", increment=0))


def test_bin_content_equals_the_sum_of_its_warehouse_entries(wh: World) -> None:
    wh.receive(
        wh.lot_strict,
        "A1",
        {"quantity": -2, "lot_no": "L1"},
        {"quantity": 4, "lot_no": "L2", "expiration_date": "2027-07-01"},
    )
    wh.receive(wh.sn_spec, "A1", {"quantity": -1, "serial_no": "S00000"})
    wh.receive(wh.plain, wh.b1, {"quantity": 3})
    sums = {
        (r["bin_id"], r["item_id"], r["lot_no"], r["serial_no"]): r["total"]
        for r in WarehouseEntry.objects.values("bin_id", "item_id", "lot_no", "serial_no").annotate(
            total=Sum("quantity")
        )
    }
    contents = {(c.bin_id, c.item_id, c.lot_no, c.serial_no): c.quantity for c in BinContent.objects.all()}
    assert sums == contents
    # and the open receipts hold what the bins hold, per item and numbers
    open_total = ItemLedgerEntry.objects.filter(open=True).aggregate(t=Sum("remaining_quantity"))["t"]
    assert open_total == BinContent.objects.aggregate(t=Sum("quantity"))["t"] == Decimal(3 + 1 + 3 + 4)
