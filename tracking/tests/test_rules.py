"""Pure tracking rules: each rule with the error it gives (no database)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest

from tracking.rules import (
    TRACKING_CODE_FLAGS,
    Requirement,
    TrackingEntry,
    is_expired,
    requirement,
    requirement_from_values,
    stock_key,
    tracking_problems,
    warehouse_tracking_changes,
)


def code(**flags: bool) -> SimpleNamespace:
    return SimpleNamespace(**{name: flags.get(name, False) for name in TRACKING_CODE_FLAGS})


SERIAL_SPECIFIC = code(sn_specific_tracking=True, sn_warehouse_tracking=True)
SERIAL_OUTBOUND_ONLY = code(sn_outbound_tracking=True)
LOT_WAREHOUSE = code(lot_warehouse_tracking=True)
LOT_OUTBOUND_ONLY = code(lot_outbound_tracking=True)
SERIAL_AND_LOT = code(sn_warehouse_tracking=True, lot_warehouse_tracking=True)


def codes(problems: list) -> list[str]:
    return [p.code for p in problems]


def test_requirement_of_each_kind() -> None:
    req = requirement(SERIAL_SPECIFIC)
    assert req.serial.required and not req.lot.required
    assert req.serial.warehouse and req.serial.specific and not req.serial.outbound_only
    req = requirement(SERIAL_OUTBOUND_ONLY)
    assert req.serial.required and req.serial.outbound_only and not req.serial.warehouse
    assert not requirement(None).tracked
    # specific tracking implies warehouse tracking even if the flag was left off
    assert requirement(code(lot_specific_tracking=True)).lot.warehouse


def test_requirement_from_values_reads_a_row_of_flags() -> None:
    # given the flags of a tracking code as a query returns them (prefixed), or NULLs for an untracked item
    prefix = "item__tracking_code__"
    row = {f"{prefix}{name}": getattr(SERIAL_AND_LOT, name) for name in TRACKING_CODE_FLAGS}
    # then the requirement is the same as that of the code itself
    assert requirement_from_values(row, prefix=prefix) == requirement(SERIAL_AND_LOT)
    assert requirement_from_values(dict.fromkeys(row), prefix=prefix) == requirement(None) == Requirement()
    assert requirement_from_values({"lot_specific_tracking": True}).lot.warehouse


def test_warehouse_tracking_changes_name_each_kind_turned_on_or_off() -> None:
    assert warehouse_tracking_changes(requirement(LOT_WAREHOUSE), requirement(LOT_OUTBOUND_ONLY)) == [
        ("lot", False)
    ]
    assert warehouse_tracking_changes(requirement(None), requirement(SERIAL_AND_LOT)) == [
        ("lot", True),
        ("serial", True),
    ]
    # specific tracking implies warehouse tracking: turning only "specific" off changes nothing in stock
    assert (
        warehouse_tracking_changes(
            requirement(SERIAL_SPECIFIC), requirement(code(sn_warehouse_tracking=True))
        )
        == []
    )
    assert warehouse_tracking_changes(requirement(SERIAL_OUTBOUND_ONLY), requirement(LOT_OUTBOUND_ONLY)) == []


def test_stock_key_drops_kinds_that_are_not_warehouse_tracked() -> None:
    assert stock_key(SERIAL_SPECIFIC, "", "SN1") == ("", "SN1")
    assert stock_key(SERIAL_OUTBOUND_ONLY, "", "SN1") == ("", "")
    assert stock_key(LOT_OUTBOUND_ONLY, "L1", "") == ("", "")
    assert stock_key(SERIAL_AND_LOT, "L1", "SN1") == ("L1", "SN1")
    assert stock_key(None, "L1", "SN1") == ("", "")


def test_serial_quantity_must_be_one() -> None:
    problems = tracking_problems(SERIAL_SPECIFIC, [("SN1", "", Decimal(2))])
    assert codes(problems) == ["serial_quantity_not_one"]
    assert "SN1" in problems[0].detail and "must be 1" in problems[0].detail


def test_duplicate_serial_is_refused() -> None:
    problems = tracking_problems(SERIAL_SPECIFIC, [("SN1", "", 1), ("SN1", "", 1)])
    assert codes(problems) == ["duplicate_serial"]
    assert problems[0].index == 1 and "(also entry 1)" in problems[0].detail


def test_sum_may_not_exceed_the_line_quantity() -> None:
    entries = [
        TrackingEntry(lot_no="L1", quantity=Decimal(3)),
        TrackingEntry(lot_no="L2", quantity=Decimal(3)),
    ]
    problems = tracking_problems(LOT_WAREHOUSE, entries, line_quantity=Decimal(5))
    assert codes(problems) == ["tracking_exceeds_quantity"]
    assert "6" in problems[0].detail and "5" in problems[0].detail
    assert tracking_problems(LOT_WAREHOUSE, entries, line_quantity=Decimal(6)) == []


def test_number_of_a_kind_the_item_does_not_track_is_refused() -> None:
    assert codes(tracking_problems(LOT_WAREHOUSE, [("SN1", "L1", 1)])) == ["serial_not_tracked"]
    assert codes(tracking_problems(SERIAL_SPECIFIC, [("SN1", "L1", 1)])) == ["lot_not_tracked"]
    assert codes(tracking_problems(None, [("", "L1", 1)])) == ["lot_not_tracked"]


def test_missing_numbers_are_reported_unless_not_required() -> None:
    assert codes(tracking_problems(LOT_WAREHOUSE, [("", "", 2)])) == ["lot_missing"]
    assert codes(tracking_problems(SERIAL_OUTBOUND_ONLY, [("", "", 1)])) == ["serial_missing"]
    assert tracking_problems(LOT_WAREHOUSE, [("", "", 2)], require_numbers=False) == []


def test_quantity_must_be_positive_unless_negative_is_allowed() -> None:
    assert codes(tracking_problems(LOT_WAREHOUSE, [("", "L1", 0)])) == ["quantity_not_positive"]
    assert codes(tracking_problems(LOT_WAREHOUSE, [("", "L1", -1)])) == ["quantity_not_positive"]
    assert tracking_problems(LOT_WAREHOUSE, [("", "L1", -1)], allow_negative=True) == []
    assert codes(tracking_problems(SERIAL_SPECIFIC, [("SN1", "", -2)], allow_negative=True)) == [
        "serial_quantity_not_one"
    ]


def test_expired_only_before_the_date_and_strict_only_when_asked() -> None:
    lenient = code(lot_warehouse_tracking=True, use_expiration_dates=True)
    strict = code(lot_warehouse_tracking=True, use_expiration_dates=True, strict_expiration_posting=True)
    day = datetime.date(2027, 1, 10)
    assert is_expired(lenient, datetime.date(2027, 1, 9), day)
    assert not is_expired(lenient, day, day)
    assert not is_expired(lenient, datetime.date(2027, 1, 9), day, strict_only=True)
    assert is_expired(strict, datetime.date(2027, 1, 9), day, strict_only=True)
    assert not is_expired(LOT_WAREHOUSE, datetime.date(2020, 1, 1), day)


@pytest.mark.parametrize("entry", [("SN1", "", 1), ("", "L1", 1)])
def test_untracked_item_refuses_any_number(entry: tuple) -> None:
    assert len(tracking_problems(None, [entry])) == 1
