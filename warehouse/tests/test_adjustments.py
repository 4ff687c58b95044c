"""Inventory adjustments: every rule of the tracking code with its error; refused means nothing written."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.exceptions import DomainError, InvalidInput, NotFoundError
from tests.world import TODAY, World, serials
from warehouse.models import (
    BinContent,
    ItemLedgerEntry,
    LotNoInformation,
    SerialNoInformation,
    WarehouseEntry,
)
from warehouse.services import inventory_adjust

pytestmark = pytest.mark.django_db


def ledger_counts() -> tuple[int, int, int]:
    return (ItemLedgerEntry.objects.count(), WarehouseEntry.objects.count(), BinContent.objects.count())


def refused(wh: World, item: Any, entries: list[dict[str, Any]], bin: Any = "A1") -> DomainError:
    before = ledger_counts()
    quantities = list(BinContent.objects.order_by("pk").values_list("quantity", flat=True))
    with pytest.raises(DomainError) as caught:
        wh.receive(item, bin, *entries)
    assert ledger_counts() == before, "a refused adjustment wrote something"
    assert list(BinContent.objects.order_by("pk").values_list("quantity", flat=True)) == quantities
    return caught.value


def error_codes(exc: DomainError) -> list[str]:
    return [e["code"] for e in exc.errors]


def test_receiving_serials_writes_receipts_warehouse_entries_bin_content_and_information(
    wh: World,
) -> None:
    # when 3 serial numbers with an expiration date are received
    written = wh.receive(wh.sn_spec, "A1", *serials(3))
    # then each has an open receipt, a warehouse entry, one unit of bin content and an information card
    assert [e.serial_no for e in written] == ["S00000", "S00001", "S00002"]
    receipt = ItemLedgerEntry.objects.get(serial_no="S00001")
    assert receipt.open and receipt.remaining_quantity == 1 and receipt.entry_type == "positive_adjustment"
    assert receipt.expiration_date == datetime.date(2027, 6, 30) and receipt.document_no.startswith("ADJ")
    assert receipt.warehouse_entries.get().bin == wh.a1
    content = BinContent.objects.get(serial_no="S00001")
    assert content.quantity == 1 and content.expiration_date == datetime.date(2027, 6, 30)
    assert SerialNoInformation.objects.filter(item=wh.sn_spec).count() == 3


def test_removing_a_serial_is_applied_to_its_exact_receipt(wh: World) -> None:
    wh.receive(wh.sn_spec, "A1", *serials(2))
    # when serial S00001 is removed
    (entry,) = wh.receive(wh.sn_spec, "A1", {"quantity": -1, "serial_no": "S00001"})
    # then the outbound entry is applied to that serial's receipt, which is closed
    receipt = ItemLedgerEntry.objects.get(serial_no="S00001", quantity=1)
    assert entry.applies_to_entry_id == receipt.pk and entry.quantity == -1
    receipt.refresh_from_db()
    assert not receipt.open and receipt.remaining_quantity == 0
    assert BinContent.objects.get(serial_no="S00001").quantity == 0
    assert WarehouseEntry.objects.get(item_ledger_entry=entry).quantity == -1


def test_lot_removal_is_applied_first_in_first_out_across_receipts(wh: World) -> None:
    wh.receive(wh.lot_strict, "A1", {"quantity": 4, "lot_no": "L1", "expiration_date": "2027-03-01"})
    wh.receive(wh.lot_strict, "A1", {"quantity": 5, "lot_no": "L1"})  # the lot's date comes from its card
    first, second = ItemLedgerEntry.objects.filter(lot_no="L1", quantity__gt=0).order_by("pk")
    assert second.expiration_date == datetime.date(2027, 3, 1)
    # when 6 are removed
    written = wh.receive(wh.lot_strict, "A1", {"quantity": -6, "lot_no": "L1"})
    # then 4 come from the first receipt and 2 from the second, one entry per receipt
    assert [(e.applies_to_entry_id, e.quantity) for e in written] == [(first.pk, -4), (second.pk, -2)]
    second.refresh_from_db()
    assert second.remaining_quantity == 3 and second.open
    assert BinContent.objects.get(lot_no="L1").quantity == 3


def test_positive_and_negative_entries_in_one_call(wh: World) -> None:
    wh.receive(wh.lot_strict, "A1", {"quantity": 5, "lot_no": "L1", "expiration_date": "2027-03-01"})
    written = wh.receive(
        wh.lot_strict,
        "A1",
        {"quantity": -2, "lot_no": "L1"},
        {"quantity": 7, "lot_no": "L2", "expiration_date": "2027-04-01"},
    )
    assert sorted(e.quantity for e in written) == [-2, 7]
    assert len({e.document_no for e in written}) == 1
    assert dict(BinContent.objects.values_list("lot_no", "quantity")) == {"L1": 3, "L2": 7}


def test_serial_missing(wh: World) -> None:
    exc = refused(wh, wh.sn_spec, [{"quantity": 1, "expiration_date": "2027-01-01"}])
    assert error_codes(exc) == ["serial_missing"]
    assert "serial number" in exc.errors[0]["detail"]


def test_lot_missing(wh: World) -> None:
    exc = refused(wh, wh.lot_strict, [{"quantity": 3, "expiration_date": "2027-01-01"}])
    assert error_codes(exc) == ["lot_missing"]


def test_serial_quantity_not_one(wh: World) -> None:
    exc = refused(wh, wh.sn_spec, [{"quantity": 2, "serial_no": "S1"}])
    assert error_codes(exc) == ["serial_quantity_not_one"]
    assert isinstance(exc, InvalidInput) and exc.status == 400


def test_serial_already_in_stock(wh: World) -> None:
    wh.receive(wh.sn_spec, "A1", *serials(1))
    exc = refused(wh, wh.sn_spec, serials(1), bin=wh.b1)
    assert error_codes(exc) == ["serial_already_in_stock"]
    assert exc.status == 409 and "S00000" in exc.detail


def test_serial_given_twice_in_one_adjustment(wh: World) -> None:
    exc = refused(wh, wh.sn_spec, serials(1) + serials(1))
    assert error_codes(exc) == ["duplicate_serial"]


def test_expiration_date_required(wh: World) -> None:
    exc = refused(wh, wh.lot_strict, [{"quantity": 3, "lot_no": "L9"}])
    assert error_codes(exc) == ["expiration_date_required"]


def test_expiration_date_on_an_item_without_expiration_dates(wh: World) -> None:
    exc = refused(wh, wh.plain, [{"quantity": 3, "expiration_date": "2027-01-01"}])
    assert error_codes(exc) == ["expiration_not_used"]


def test_expiration_date_must_match_the_lot(wh: World) -> None:
    wh.receive(wh.lot_strict, "A1", {"quantity": 1, "lot_no": "L1", "expiration_date": "2027-03-01"})
    exc = refused(wh, wh.lot_strict, [{"quantity": 1, "lot_no": "L1", "expiration_date": "2027-09-01"}])
    assert error_codes(exc) == ["expiration_date_mismatch"]
    assert "2027-03-01" in exc.errors[0]["detail"]


def test_blocked_lot_can_neither_be_received_nor_removed(wh: World) -> None:
    wh.receive(wh.lot_strict, "A1", {"quantity": 5, "lot_no": "L1", "expiration_date": "2027-03-01"})
    LotNoInformation.objects.filter(lot_no="L1").update(blocked=True)
    assert error_codes(refused(wh, wh.lot_strict, [{"quantity": -1, "lot_no": "L1"}])) == ["lot_blocked"]
    assert error_codes(refused(wh, wh.lot_strict, [{"quantity": 1, "lot_no": "L1"}])) == ["lot_blocked"]


def test_blocked_serial_cannot_be_removed(wh: World) -> None:
    wh.receive(wh.sn_spec, "A1", *serials(1))
    SerialNoInformation.objects.filter(serial_no="S00000").update(blocked=True)
    exc = refused(wh, wh.sn_spec, [{"quantity": -1, "serial_no": "S00000"}])
    assert error_codes(exc) == ["serial_blocked"]


def test_unknown_bin_item_and_location(wh: World) -> None:
    for kwargs, message in (
        ({"bin_code": "Z-99"}, "no bin Z-99"),
        ({"item_no": "NOPE"}, "no item NOPE"),
        ({"location_code": "NOWHERE"}, "no location NOWHERE"),
    ):
        args: dict[str, Any] = {
            "location_code": "MAIN",
            "bin_code": "A1",
            "item_no": wh.plain.no,
            "entries": [{"quantity": 1}],
            "user": wh.admin,
            **kwargs,
        }
        with pytest.raises(NotFoundError) as caught:
            inventory_adjust(**args)
        assert message in caught.value.detail
    assert ledger_counts() == (0, 0, 0)


def test_blocked_bin(wh: World) -> None:
    wh.b1.blocked = True
    wh.b1.save()
    exc = refused(wh, wh.plain, [{"quantity": 1}], bin=wh.b1)
    assert exc.code == "bin_blocked" and "B1" in exc.detail


def test_more_removed_than_the_bin_holds(wh: World) -> None:
    wh.receive(wh.lot_strict, "A1", {"quantity": 5, "lot_no": "L1", "expiration_date": "2027-03-01"})
    exc = refused(wh, wh.lot_strict, [{"quantity": -6, "lot_no": "L1"}])
    assert error_codes(exc) == ["insufficient_quantity"]
    assert "holds 5" in exc.errors[0]["detail"] and "6" in exc.errors[0]["detail"]


def test_serial_not_in_the_bin(wh: World) -> None:
    wh.receive(wh.sn_spec, wh.b1, *serials(1))
    exc = refused(wh, wh.sn_spec, [{"quantity": -1, "serial_no": "S00000"}])
    assert error_codes(exc) == ["serial_not_available"]
    assert "not in bin A1" in exc.errors[0]["detail"]


def test_every_problem_is_reported_at_once_and_nothing_is_written(wh: World) -> None:
    wh.receive(wh.sn_spec, "A1", *serials(1))
    # given one good entry and two bad ones
    exc = refused(
        wh,
        wh.sn_spec,
        [
            {"quantity": 1, "serial_no": "GOOD1", "expiration_date": "2027-01-01"},
            {"quantity": 1, "serial_no": "S00000"},
            {"quantity": -1, "serial_no": "NOT-THERE"},
        ],
    )
    # then both problems are listed, with their lines, and the good entry was not written either
    assert sorted((e["line"], e["code"]) for e in exc.errors) == [
        (1, "serial_already_in_stock"),
        (2, "serial_not_available"),
    ]
    assert not ItemLedgerEntry.objects.filter(serial_no="GOOD1").exists()


def test_number_of_a_kind_the_item_does_not_track(wh: World) -> None:
    exc = refused(wh, wh.plain, [{"quantity": 1, "lot_no": "L1"}])
    assert error_codes(exc) == ["lot_not_tracked"]


def test_numbers_stock_does_not_carry_are_refused_on_receipt(wh: World) -> None:
    # the item assigns serial numbers only when shipping: its stock carries none
    exc = refused(wh, wh.sn_out, [{"quantity": 1, "serial_no": "X1"}])
    assert error_codes(exc) == ["serial_not_stocked"]
    # receiving without numbers is how its stock comes in
    (receipt,) = wh.receive(wh.sn_out, "A1", {"quantity": 10})
    assert receipt.serial_no == "" and receipt.quantity == 10


def test_zero_quantity_and_bad_values(wh: World) -> None:
    exc = refused(wh, wh.plain, [{"quantity": 0}, {"quantity": "abc"}, {"quantity": 1}])
    assert [e["field"] for e in exc.errors] == ["entries[0].quantity", "entries[1].quantity"]
    exc = refused(wh, wh.plain, [])
    assert exc.errors[0]["field"] == "entries"


def test_expired_stock_may_be_removed_by_adjustment(wh: World) -> None:
    wh.receive(wh.lot_strict, "A1", {"quantity": 2, "lot_no": "OLD", "expiration_date": "2026-01-01"})
    (entry,) = wh.receive(wh.lot_strict, "A1", {"quantity": -2, "lot_no": "OLD"})
    assert entry.quantity == -2 and entry.expiration_date == datetime.date(2026, 1, 1)


def test_workers_adjust_only_where_they_work(wh: World) -> None:
    user = wh.worker  # works at MAIN, not at EAST
    with pytest.raises(NotFoundError):
        inventory_adjust(
            location_code="EAST",
            bin_code="E1",
            item_no=wh.plain.no,
            entries=[{"quantity": 1}],
            user=user,
        )
    written = inventory_adjust(
        location_code="MAIN",
        bin_code="A1",
        item_no=wh.plain.no,
        entries=[{"quantity": 1}],
        user=user,
    )
    assert written[0].created_by == user


def test_receiving_10000_serials_takes_as_many_queries_as_10(wh: World) -> None:
    wh.receive(wh.sn_spec, "A1", *serials(1, prefix="W"))
    with CaptureQueriesContext(connection) as few:
        wh.receive(wh.sn_spec, "A1", *serials(10, prefix="F"))
    with CaptureQueriesContext(connection) as many:
        wh.receive(wh.sn_spec, "A1", *serials(10_000, prefix="M"))
    assert len(few.captured_queries) == len(many.captured_queries)
    assert BinContent.objects.filter(item=wh.sn_spec, quantity=1).count() == 10_011
    assert SerialNoInformation.objects.filter(item=wh.sn_spec).count() == 10_011
    # and removing them again does not grow either
    with CaptureQueriesContext(connection) as few_out:
        wh.receive(wh.sn_spec, "A1", *[{"quantity": -1, "serial_no": f"F{i:05d}"} for i in range(10)])
    with CaptureQueriesContext(connection) as many_out:
        wh.receive(wh.sn_spec, "A1", *[{"quantity": -1, "serial_no": f"M{i:05d}"} for i in range(10_000)])
    assert len(few_out.captured_queries) == len(many_out.captured_queries)
    assert list(
        BinContent.objects.filter(item=wh.sn_spec, quantity__gt=0).values_list("serial_no", flat=True)
    ) == ["W00000"]
    assert Decimal(1) == sum(
        ItemLedgerEntry.objects.filter(item=wh.sn_spec).values_list("quantity", flat=True)
    )
    assert ItemLedgerEntry.objects.last().posting_date == TODAY  # type: ignore[union-attr]
