"""The ledger posting primitive (used by pick posting): all problems at once, exact application,
constant queries."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from tests.world import TODAY, World, serials
from warehouse.exceptions import InboundRefused, OutboundRefused
from warehouse.models import BinContent, EntryType, ItemLedgerEntry, LotNoInformation, WarehouseEntry
from warehouse.services import (
    InboundMovement,
    OutboundMovement,
    inventory_post_inbound,
    inventory_post_outbound,
)

pytestmark = pytest.mark.django_db


def out(wh: World, item: Any, quantity: Any = 1, *, ref: Any = "L1", bin: Any = None, **numbers: str) -> Any:
    return OutboundMovement(
        ref=ref,
        location_id=wh.location.pk,
        bin_id=(bin or wh.a1).pk,
        item_id=item.pk,
        quantity=Decimal(quantity),
        **numbers,
    )


def ship(movements: list[OutboundMovement], **kwargs: Any) -> list[ItemLedgerEntry]:
    with transaction.atomic():
        return inventory_post_outbound(
            movements=movements,
            entry_type=EntryType.SALE,
            document_type="posted_pick",
            document_no="PPI000001",
            posting_date=kwargs.pop("posting_date", TODAY),
            **kwargs,
        )


def refusal(movements: list[OutboundMovement], **kwargs: Any) -> OutboundRefused:
    before = (ItemLedgerEntry.objects.count(), WarehouseEntry.objects.count())
    with pytest.raises(OutboundRefused) as caught:
        ship(movements, **kwargs)
    assert (ItemLedgerEntry.objects.count(), WarehouseEntry.objects.count()) == before
    assert caught.value.status == 409
    return caught.value


def test_shipping_serials_writes_sales_entries_with_source_references(wh: World) -> None:
    wh.receive(wh.sn_spec, "A1", *serials(2))
    entries = ship(
        [out(wh, wh.sn_spec, serial_no="S00001", ref=("line", 7))],
        source_document_type="sales_order",
        source_document_no="SO1",
        source_line_nos={("line", 7): 10000},
    )
    (entry,) = entries
    assert entry.entry_type == "sale" and entry.serial_no == "S00001" and entry.quantity == -1
    assert entry.source_document_no == "SO1" and entry.source_line_no == 10000
    assert entry.expiration_date == datetime.date(2027, 6, 30)
    assert entry.applies_to_entry.serial_no == "S00001"  # type: ignore[union-attr]


def test_every_problem_of_every_line_is_reported(wh: World) -> None:
    wh.receive(wh.sn_spec, "A1", *serials(1))
    wh.receive(wh.lot_strict, "A1", {"quantity": 3, "lot_no": "L1", "expiration_date": "2027-06-01"})
    exc = refusal(
        [
            out(wh, wh.sn_spec, serial_no="S00000", ref=1),  # fine on its own
            out(wh, wh.sn_spec, serial_no="S99999", ref=2),  # not in the bin
            out(wh, wh.lot_strict, 4, lot_no="L1", ref=3),  # more than the bin holds
            out(wh, wh.lot_strict, 1, ref=4),  # lot missing
            out(wh, wh.sn_spec, serial_no="S00000", ref=5),  # the same serial twice
        ]
    )
    assert sorted((e["line"], e["code"]) for e in exc.errors) == [
        (2, "serial_not_available"),
        (3, "insufficient_quantity"),
        (4, "lot_missing"),
        (5, "duplicate_serial"),
    ]
    assert exc.code == exc.errors[0]["code"]


def test_strictly_expired_stock_is_not_shipped(wh: World) -> None:
    wh.receive(wh.lot_strict, "A1", {"quantity": 3, "lot_no": "OLD", "expiration_date": "2027-01-14"})
    exc = refusal([out(wh, wh.lot_strict, 1, lot_no="OLD")])
    assert [e["code"] for e in exc.errors] == ["expired"]
    # on its expiration date it may still go
    assert ship([out(wh, wh.lot_strict, 1, lot_no="OLD")], posting_date=datetime.date(2027, 1, 14))


def test_blocked_bin_and_blocked_lot(wh: World) -> None:
    wh.receive(wh.lot_strict, "A1", {"quantity": 3, "lot_no": "L1", "expiration_date": "2027-06-01"})
    LotNoInformation.objects.filter(lot_no="L1").update(blocked=True)
    assert [e["code"] for e in refusal([out(wh, wh.lot_strict, 1, lot_no="L1")]).errors] == ["lot_blocked"]
    LotNoInformation.objects.filter(lot_no="L1").update(blocked=False)
    wh.a1.blocked = True
    wh.a1.save()
    assert [e["code"] for e in refusal([out(wh, wh.lot_strict, 1, lot_no="L1")]).errors] == ["bin_blocked"]


def test_new_serial_numbers_are_shipped_from_stock_without_numbers(wh: World) -> None:
    # case 2: stock carries no serial numbers; shipping assigns new ones
    wh.receive(wh.sn_out, "A1", {"quantity": 3})
    entries = ship([out(wh, wh.sn_out, serial_no=f"SN-000{i}", ref=i) for i in (1, 2)])
    receipt = ItemLedgerEntry.objects.get(item=wh.sn_out, quantity=3)
    assert [(e.serial_no, e.applies_to_entry_id) for e in entries] == [
        ("SN-0001", receipt.pk),
        ("SN-0002", receipt.pk),
    ]
    receipt.refresh_from_db()
    assert receipt.remaining_quantity == 1
    # the warehouse entries carry the stock's numbers (none), the item ledger the new serials
    assert set(WarehouseEntry.objects.filter(quantity__lt=0).values_list("serial_no", flat=True)) == {""}
    assert BinContent.objects.get(item=wh.sn_out).quantity == 1
    # a serial number used before is refused
    exc = refusal([out(wh, wh.sn_out, serial_no="SN-0001")])
    assert [e["code"] for e in exc.errors] == ["serial_used_before"]
    # where new numbers are not allowed, they are refused
    exc = refusal([out(wh, wh.sn_out, serial_no="SN-0003")], new_numbers_allowed=False)
    assert [e["code"] for e in exc.errors] == ["new_number_not_allowed"]


def test_lots_without_warehouse_tracking_ship_from_stock_without_lots(wh: World) -> None:
    wh.receive(wh.lot_out, "A1", {"quantity": 10})
    (entry,) = ship([out(wh, wh.lot_out, 4, lot_no="CUSTOMER-LOT")])
    assert entry.lot_no == "CUSTOMER-LOT" and entry.quantity == -4
    assert BinContent.objects.get(item=wh.lot_out).quantity == 6


def test_inbound_primitive_refuses_and_writes_nothing(wh: World) -> None:
    def movement(ref: str, **numbers: Any) -> InboundMovement:
        return InboundMovement(
            ref=ref,
            location_id=wh.location.pk,
            bin_id=wh.a1.pk,
            item_id=wh.sn_spec.pk,
            quantity=Decimal(2),
            **numbers,
        )

    with pytest.raises(InboundRefused) as caught:
        inventory_post_inbound(
            movements=[movement("r1", serial_no="X"), movement("r2")],
            entry_type=EntryType.POSITIVE_ADJUSTMENT,
            document_type="x",
            document_no="X1",
            posting_date=TODAY,
        )
    assert [(e["line"], e["code"]) for e in caught.value.errors] == [
        ("r1", "serial_quantity_not_one"),
        ("r2", "serial_missing"),
    ]
    assert not ItemLedgerEntry.objects.exists()


def test_queries_do_not_grow_with_movements(wh: World) -> None:
    wh.receive(wh.sn_spec, "A1", *serials(1010))
    wh.receive(wh.lot_strict, "A1", {"quantity": 5000, "lot_no": "L1", "expiration_date": "2027-06-01"})
    ship([out(wh, wh.sn_spec, serial_no="S01009")])  # warm up

    def movements(start: int, count: int) -> list[OutboundMovement]:
        return [out(wh, wh.sn_spec, serial_no=f"S{i:05d}", ref=i) for i in range(start, start + count)] + [
            out(wh, wh.lot_strict, 1, lot_no="L1", ref=f"lot{i}") for i in range(count)
        ]

    with CaptureQueriesContext(connection) as ten:
        ship(movements(0, 5))
    with CaptureQueriesContext(connection) as thousand:
        ship(movements(5, 500))
    assert len(ten.captured_queries) == len(thousand.captured_queries)
    assert BinContent.objects.get(lot_no="L1").quantity == 5000 - 505
    assert ItemLedgerEntry.objects.filter(serial_no__startswith="S", open=True).count() == 1010 - 506
