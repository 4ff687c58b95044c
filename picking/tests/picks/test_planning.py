"""The pick planner (picking.planning): pure, no database (pytest-django refuses any query here).

Stock is given as rows; each test plans one or more lines (`Demand`) against one budget and checks the
planned lines (bin, numbers, quantity, locked) and what could not be picked, with its reason.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from picking.availability import AvailableRow, AvailableStock
from picking.planning import Budget, Demand, LinePlan, PlannedLine, Prescribed, plan_demand, serial_units
from tracking.rules import KindRequirement, Requirement
from warehouse.selectors import StockRow

D = Decimal
A1, B1 = 1, 2
ITEM = 7
BIN_CODES = {A1: "A1", B1: "B1"}
EARLY, LATE = datetime.date(2030, 1, 31), datetime.date(2030, 6, 30)

UNTRACKED = Requirement()
LOT_WH = Requirement(lot=KindRequirement(tracked=True, warehouse=True))
LOT_SPEC = Requirement(lot=KindRequirement(tracked=True, warehouse=True, specific=True))
SN_WH = Requirement(serial=KindRequirement(tracked=True, warehouse=True))
SN_SPEC = Requirement(serial=KindRequirement(tracked=True, warehouse=True, specific=True))
SN_OUT = Requirement(serial=KindRequirement(tracked=True, outbound=True))
LOT_OUT = Requirement(lot=KindRequirement(tracked=True, outbound=True))

_ids = iter(range(1, 100_000))


def row(
    bin_id: int,
    quantity: Any,
    *,
    lot: str = "",
    serial: str = "",
    expires: datetime.date | None = None,
    on_picks: Any = 0,
    blocked: bool = False,
    expired: bool = False,
) -> AvailableRow:
    """A stock row of ITEM (received in the order rows are made: the lower id, the earlier)."""
    stock = StockRow(
        bin_content_id=next(_ids),
        location_id=1,
        location_code="MAIN",
        bin_id=bin_id,
        bin_code=BIN_CODES[bin_id],
        item_id=ITEM,
        item_no="X",
        lot_no=lot,
        serial_no=serial,
        expiration_date=expires,
        quantity=D(quantity),
        blocked=blocked,
        expired=expired,
        strict_expiration=expired,
    )
    return AvailableRow(stock=stock, qty_on_picks=D(on_picks))


def budget(*rows: AvailableRow, fefo: bool = False, unassigned: dict[int, Any] | None = None) -> Budget:
    held = {(bin_id, ITEM): D(q) for bin_id, q in (unassigned or {}).items()}
    return Budget.of(AvailableStock(rows=list(rows), unassigned_on_picks=held), fefo=fefo)


def demand(req: Requirement, quantity: Any, *, bin_id: int | None = None, **extra: Any) -> Demand:
    return Demand(
        line_no=10000,
        item_id=ITEM,
        item_no="X",
        requirement=req,
        quantity=D(quantity),
        bin_id=bin_id,
        bin_code=BIN_CODES.get(bin_id) if bin_id else None,
        **extra,
    )


def plan(d: Demand, b: Budget) -> LinePlan:
    return plan_demand(d, b, location_code="MAIN")


def lines(p: LinePlan) -> list[tuple[str, str, str, str, bool]]:
    """(bin, lot, serial, quantity, locked) of each planned line."""
    return [
        (BIN_CODES[n.bin_id], n.lot_no, n.serial_no, str(n.quantity.normalize()), n.tracking_locked)
        for n in p.lines
    ]


def test_case_1_fefo_proposes_the_earliest_expiration_first() -> None:
    # stock without an expiration date comes last, even when it was received first
    b = budget(
        row(A1, 5, lot="NONE"),
        row(A1, 5, lot="LATE", expires=LATE),
        row(B1, 5, lot="EARLY", expires=EARLY),
        fefo=True,
    )
    p = plan(demand(LOT_WH, 12), b)
    assert lines(p) == [
        ("B1", "EARLY", "", "5", False),
        ("A1", "LATE", "", "5", False),
        ("A1", "NONE", "", "2", False),
    ]
    assert p.not_picked == []
    assert p.lines[0].expiration_date == EARLY


def test_case_1_without_fefo_proposes_first_received_first() -> None:
    b = budget(row(A1, 5, lot="LATE", expires=LATE), row(B1, 5, lot="EARLY", expires=EARLY))
    p = plan(demand(LOT_WH, 7), b)
    assert lines(p) == [("A1", "LATE", "", "5", False), ("B1", "EARLY", "", "2", False)]


def test_case_1_serials_are_one_line_per_unit_and_skip_what_other_picks_hold() -> None:
    b = budget(row(A1, 1, serial="S1", on_picks=1), row(A1, 1, serial="S2"), row(A1, 1, serial="S3"))
    p = plan(demand(SN_WH, 2), b)
    assert lines(p) == [("A1", "", "S2", "1", False), ("A1", "", "S3", "1", False)]


def test_case_3_leaves_the_numbers_blank_per_bin_minus_unassigned_reservations() -> None:
    # 3 serials in A1, of which one is held by an open line without a number: 2 are left
    b = budget(
        row(A1, 1, serial="X1"),
        row(A1, 1, serial="X2"),
        row(A1, 1, serial="X3"),
        row(B1, 1, serial="X4"),
        unassigned={A1: 1},
    )
    p = plan(demand(SN_SPEC, 4), b)
    assert lines(p) == [("A1", "", "", "2", False), ("B1", "", "", "1", False)]
    (short,) = p.not_picked
    assert short.quantity == 1
    assert short.reason == (
        "1 of 4 units of item X could not be picked: 4 in stock in location MAIN. It stays outstanding on "
        "the source line."
    )


def test_case_2_shortage_says_lines_without_numbers_hold_the_rest() -> None:
    # stock carries no serial numbers: 5 in the bin, 2 held by an open line without a number
    p = plan(demand(SN_OUT, 4), budget(row(A1, 5), unassigned={A1: 2}))
    assert lines(p) == [("A1", "", "", "3", False)]
    assert p.not_picked[0].reason == (
        "1 of 4 units of item X could not be picked: 5 in stock in location MAIN, the rest is reserved by "
        "open pick lines without numbers. It stays outstanding on the source line."
    )


def test_case_3_under_fefo_proposes_rows() -> None:
    b = budget(row(A1, 4, lot="L1", expires=LATE), row(A1, 4, lot="L2", expires=EARLY), fefo=True)
    assert lines(plan(demand(LOT_SPEC, 3), b)) == [("A1", "L2", "", "3", False)]


def test_case_2_takes_plain_stock_and_leaves_numbers_to_assign() -> None:
    b = budget(row(A1, 10))
    p = plan(demand(SN_OUT, 4), b)
    assert lines(p) == [("A1", "", "", "4", False)]
    assert p.not_picked == []


def test_case_4_prescribed_numbers_come_first_locked_and_the_rest_follows_the_other_rules() -> None:
    b = budget(row(A1, 5, lot="L1", expires=EARLY), row(A1, 5, lot="L2", expires=LATE))
    prescribed = [
        Prescribed(item_tracking_line_id=41, lot_no="L2", serial_no="", expiration_date=None, quantity=D(3))
    ]
    p = plan(demand(LOT_WH, 5, prescribed=prescribed), b)
    assert lines(p) == [("A1", "L2", "", "3", True), ("A1", "L1", "", "2", False)]
    assert p.lines[0].item_tracking_line_id == 41
    assert p.lines[0].expiration_date == LATE  # from the stock row


def test_case_4_outbound_only_numbers_are_taken_per_bin_with_the_prescribed_numbers() -> None:
    b = budget(row(A1, 1), row(B1, 5))
    prescribed = [
        Prescribed(1, "", "NEW-1", EARLY, D(1)),
        Prescribed(2, "", "NEW-2", None, D(1)),
    ]
    p = plan(demand(SN_OUT, 2, prescribed=prescribed), b)
    assert lines(p) == [("A1", "", "NEW-1", "1", True), ("B1", "", "NEW-2", "1", True)]
    assert p.lines[0].expiration_date == EARLY


def test_case_4_never_plans_more_than_the_line_needs() -> None:
    b = budget(row(A1, 9, lot="L1"))
    prescribed = [Prescribed(1, "L1", "", None, D(5)), Prescribed(2, "L1", "", None, D(5))]
    p = plan(demand(LOT_WH, 6, prescribed=prescribed), b)
    assert lines(p) == [("A1", "L1", "", "5", True), ("A1", "L1", "", "1", True)]


def test_a_prescribed_number_not_in_stock_is_reported() -> None:
    b = budget(row(A1, 1, serial="S1"))
    prescribed = [Prescribed(1, "", "S9", None, D(1))]
    p = plan(demand(SN_WH, 1, prescribed=prescribed), b)
    assert p.lines == []
    (short,) = p.not_picked
    assert short.reason == (
        "1 of 1 units of item X serial no. S9 could not be picked: there is none in stock in location MAIN."
    )


def test_shortage_names_blocked_expired_and_held_stock() -> None:
    b = budget(
        row(A1, 2, lot="B", blocked=True),
        row(A1, 3, lot="E", expired=True),
        row(A1, 4, lot="H", on_picks=3),
    )
    p = plan(demand(LOT_WH, 5, bin_id=A1), b)
    assert lines(p) == [("A1", "H", "", "1", False)]
    (short,) = p.not_picked
    assert (short.line_no, short.item_no, short.quantity) == (10000, "X", D(4))
    assert short.reason == (
        "4 of 5 units of item X could not be picked: 9 in stock in bin A1, 2 blocked, 3 expired, 3 already "
        "on other open picks. It stays outstanding on the source line."
    )


def test_a_line_with_a_bin_takes_only_from_that_bin() -> None:
    b = budget(row(A1, 5), row(B1, 5))
    assert lines(plan(demand(UNTRACKED, 3, bin_id=B1), b)) == [("B1", "", "", "3", False)]


def test_lines_planned_with_one_budget_never_take_the_same_units_twice() -> None:
    b = budget(row(A1, 1, serial="S1"), row(A1, 1, serial="S2"))
    first = plan(demand(SN_WH, 1), b)
    second = plan(demand(SN_WH, 2), b)
    assert lines(first) == [("A1", "", "S1", "1", False)]
    assert lines(second) == [("A1", "", "S2", "1", False)]
    assert second.not_picked[0].quantity == 1
    untracked = plan(demand(LOT_OUT, 9), budget(row(A1, 6)))
    assert lines(untracked) == [("A1", "", "", "6", False)]
    assert untracked.not_picked[0].quantity == 3


def test_serial_units_split_a_serial_line_into_units() -> None:
    planned = [PlannedLine(bin_id=A1, quantity=D(3), serial_no="S1"), PlannedLine(bin_id=A1, quantity=D(2))]
    assert [(n.serial_no, n.quantity) for n in serial_units(planned)] == [
        ("S1", 1),
        ("S1", 1),
        ("S1", 1),
        ("", 2),
    ]
