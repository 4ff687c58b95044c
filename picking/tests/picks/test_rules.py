"""Pure pick line rules (no database)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest

from core.quantities import format_quantity
from picking import rules
from tracking.rules import requirement, stock_key


@dataclass
class Code:
    sn_specific_tracking: bool = False
    sn_warehouse_tracking: bool = False
    sn_outbound_tracking: bool = False
    lot_specific_tracking: bool = False
    lot_warehouse_tracking: bool = False
    lot_outbound_tracking: bool = False
    use_expiration_dates: bool = False
    require_expiration_date_entry: bool = False
    strict_expiration_posting: bool = False


D = Decimal


@pytest.mark.parametrize(
    ("code", "fefo", "prescribed", "case"),
    [
        (None, False, False, 0),
        (Code(sn_warehouse_tracking=True), False, False, 1),
        (Code(lot_warehouse_tracking=True), True, False, 1),
        (Code(lot_specific_tracking=True, lot_warehouse_tracking=True), True, False, 1),  # FEFO proposes
        (Code(sn_specific_tracking=True, sn_warehouse_tracking=True), False, False, 3),
        (Code(lot_specific_tracking=True, lot_warehouse_tracking=True), False, False, 3),
        (Code(sn_outbound_tracking=True), False, False, 2),
        (Code(lot_outbound_tracking=True), True, False, 2),
        (Code(sn_outbound_tracking=True), False, True, 4),
        (Code(lot_specific_tracking=True, lot_warehouse_tracking=True), False, True, 4),
        # serial selected (case 3) but lot proposed: the row is proposed as a whole (case 1)
        (
            Code(sn_specific_tracking=True, sn_warehouse_tracking=True, lot_warehouse_tracking=True),
            False,
            False,
            1,
        ),
    ],
)
def test_pick_case_follows_the_design_table(
    code: Code | None, fefo: bool, prescribed: bool, case: int
) -> None:
    assert rules.pick_case(requirement(code), fefo=fefo, prescribed=prescribed) == case


def test_carried_and_missing_numbers() -> None:
    both = requirement(Code(sn_outbound_tracking=True, lot_warehouse_tracking=True))
    assert stock_key(both, lot_no="L1", serial_no="S1") == ("L1", "")
    assert rules.missing_numbers(both, lot_no="", serial_no="") == ["serial", "lot"]
    assert rules.missing_numbers(both, lot_no="L1", serial_no="S1") == []
    assert rules.missing_numbers(requirement(None), lot_no="", serial_no="") == []


def test_only_qty_to_handle_changes_on_a_locked_line() -> None:
    assert rules.fields_refused_on_locked_line(["qty_to_handle"]) == []
    assert rules.fields_refused_on_locked_line(["lot_no", "qty_to_handle", "bin"]) == ["bin", "lot_no"]


@pytest.mark.parametrize(
    ("value", "quantity", "handled", "serial", "ok"),
    [
        (D(0), D(5), D(0), "", True),
        (D(5), D(5), D(0), "", True),
        (D(3), D(5), D(2), "", True),
        (D(4), D(5), D(2), "", False),
        (D(-1), D(5), D(0), "", False),
        (D(1), D(1), D(0), "S1", True),
        (D("0.5"), D(1), D(0), "S1", False),
        (D(1), D(1), D(1), "S1", False),
    ],
)
def test_qty_to_handle_bounds(
    value: Decimal, quantity: Decimal, handled: Decimal, serial: str, ok: bool
) -> None:
    problem = rules.qty_to_handle_problem(
        value=value, quantity=quantity, qty_handled=handled, serial_no=serial
    )
    assert (problem is None) == ok


def test_split_keeps_qty_to_handle_where_it_fits() -> None:
    assert rules.split_problem(quantity=D(5), qty_handled=D(1), split_qty=D(4)) is not None
    assert rules.split_problem(quantity=D(5), qty_handled=D(1), split_qty=D(0)) is not None
    assert rules.split_problem(quantity=D(5), qty_handled=D(1), split_qty=D(3)) is None
    split = rules.split_quantities(quantity=D(5), qty_handled=D(1), qty_to_handle=D(4), split_qty=D(3))
    assert split == rules.SplitQuantities(D(2), D(1), D(3), D(3))
    split = rules.split_quantities(quantity=D(5), qty_handled=D(0), qty_to_handle=D(1), split_qty=D(2))
    assert split == rules.SplitQuantities(D(3), D(1), D(2), D(0))


def test_format_quantity() -> None:
    assert [format_quantity(D(x)) for x in ("12.00000", "2.50000", "0")] == ["12", "2.5", "0"]
