"""The checks of source line numbers as pure functions (no database): `check_lines`, `parse_document`."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from picking.availability import AvailableRow
from picking.services.source_document_input import TrackingInput, parse_document
from picking.services.tracking_checks import LineContext, check_lines
from tracking.models import ItemTrackingCode
from warehouse.models import Item, Location
from warehouse.selectors import StockRow

LOCATION = Location(pk=1, code="MAIN")
EXP = datetime.date(2030, 1, 1)


def item(pk: int, **flags: bool) -> Item:
    code = ItemTrackingCode(pk=pk, code=f"C{pk}", **flags) if flags else None
    return Item(pk=pk, no=f"I{pk}", tracking_code=code)


def entry(serial_no: str = "", lot_no: str = "", quantity: str = "1", index: int = 0) -> TrackingInput:
    return TrackingInput(serial_no=serial_no, lot_no=lot_no, quantity=Decimal(quantity), field=f"t[{index}]")


def line(it: Item, quantity: str, *entries: TrackingInput, bin_id: int | None = None) -> LineContext:
    return LineContext(
        item=it,
        quantity=Decimal(quantity),
        bin_id=bin_id,
        bin_code="B" if bin_id else "",
        line_field="l",
        tracking=list(entries),
        line_no=1,
    )


def row(
    it: Item,
    *,
    bin_id: int = 1,
    lot: str = "",
    serial: str = "",
    qty: str = "1",
    available: Decimal | None = None,
    blocked: bool = False,
    expired: bool = False,
) -> AvailableRow:
    """A stock row as `picking.availability.available_stock` gives it (`available`: not on open picks)."""
    code = it.tracking_code
    stock = StockRow(
        bin_content_id=0,
        location_id=LOCATION.pk,
        location_code=LOCATION.code,
        bin_id=bin_id,
        bin_code=f"B{bin_id}",
        item_id=it.pk,
        item_no=it.no,
        lot_no=lot,
        serial_no=serial,
        expiration_date=EXP,
        quantity=Decimal(qty),
        blocked=blocked,
        expired=expired,
        strict_expiration=bool(code and code.strict_expiration_posting),
    )
    on_picks = Decimal(qty) - available if available is not None else Decimal(0)
    return AvailableRow(stock=stock, qty_on_picks=on_picks)


def codes(errors: list[dict[str, Any]]) -> list[str]:
    return [e["code"] for e in errors]


def test_numbers_of_a_kind_the_item_does_not_track_are_refused() -> None:
    plain = item(1)
    lots = item(2, lot_outbound_tracking=True)
    errors = check_lines(
        lines=[
            line(plain, "2", entry(serial_no="S1")),
            line(plain, "2", entry(lot_no="Z")),
            line(lots, "1", entry(serial_no="S2", lot_no="L")),
        ],
        location=LOCATION,
        stock=[],
    )
    assert codes(errors) == ["serial_not_tracked", "lot_not_tracked", "serial_not_tracked"]


def test_tracked_quantity_never_above_the_line() -> None:
    lots = item(2, lot_outbound_tracking=True)
    assert codes(
        check_lines(lines=[line(lots, "2", entry(lot_no="A", quantity="2.5"))], location=LOCATION, stock=[])
    ) == ["tracking_exceeds_quantity"]
    assert (
        check_lines(lines=[line(lots, "2.5", entry(lot_no="A", quantity="2.5"))], location=LOCATION, stock=[])
        == []
    )


def test_specific_serial_must_be_in_stock_available_not_blocked_not_expired_when_strict() -> None:
    serials = item(
        3,
        sn_specific_tracking=True,
        sn_warehouse_tracking=True,
        strict_expiration_posting=True,
        use_expiration_dates=True,
    )
    stock = [
        row(serials, serial="OK", lot="L9"),
        row(serials, serial="ON-PICK", qty="1", available=Decimal(0)),
        row(serials, serial="BLOCKED", blocked=True),
        row(serials, serial="EXPIRED", expired=True),
        row(serials, serial="OTHER-BIN", bin_id=2),
    ]
    ok = entry(serial_no="OK")
    entries = [
        ok,
        *(
            entry(serial_no=s, index=i)
            for i, s in enumerate(["ON-PICK", "BLOCKED", "EXPIRED", "MISSING", "OTHER-BIN"], 1)
        ),
    ]
    errors = check_lines(lines=[line(serials, "6", *entries, bin_id=1)], location=LOCATION, stock=stock)
    assert codes(errors) == [
        "serial_not_available",
        "serial_blocked",
        "expired",
        "serial_not_available",
        "serial_not_available",
    ]
    # the expiration date comes from stock; the lot is not carried for an item without lot tracking
    assert (ok.expiration_date, ok.lot_no) == (EXP, "")


def test_lot_quantity_is_summed_over_the_document_and_blocked_rows_do_not_count() -> None:
    lots = item(4, lot_specific_tracking=True, lot_warehouse_tracking=True)
    stock = [
        row(lots, lot="A", qty="5"),
        row(lots, lot="A", qty="3", bin_id=2),
        row(lots, lot="A", qty="9", blocked=True, bin_id=3),
    ]
    fits = [
        line(lots, "5", entry(lot_no="A", quantity="5")),
        line(lots, "3", entry(lot_no="A", quantity="3")),
    ]
    assert check_lines(lines=fits, location=LOCATION, stock=stock) == []
    too_much = [
        line(lots, "5", entry(lot_no="A", quantity="5")),
        line(lots, "4", entry(lot_no="A", quantity="4")),
    ]
    errors = check_lines(lines=too_much, location=LOCATION, stock=stock)
    assert codes(errors) == ["insufficient_quantity"] and "Only 8 of lot A" in errors[0]["detail"]


def test_serial_once_per_document_and_number_once_per_line() -> None:
    serials = item(5, sn_outbound_tracking=True)
    errors = check_lines(
        lines=[
            line(serials, "2", entry(serial_no="X"), entry(serial_no="X", index=1)),
            line(serials, "1", entry(serial_no="Y")),
        ],
        location=LOCATION,
        stock=[],
        used_serials={(5, "Y"): "line 9"},
    )
    # then each duplicate is one problem: twice on the line (counting entries from 1), and on another line
    assert codes(errors) == ["duplicate_serial", "duplicate_serial"]
    assert "given twice (also entry 1)" in errors[0]["detail"] and "line 9" in errors[1]["detail"]


def test_parse_document_reports_every_shape_problem() -> None:
    doc, errors = parse_document(
        {
            "type": "invoice",
            "location": "",
            "shipment_date": "31.03.2027",
            "lines": [
                {"line_no": 1, "item": "A", "quantity": "1.123456"},
                {"line_no": 1, "item": "B", "quantity": "x"},
                {
                    "line_no": "a",
                    "quantity": 1,
                    "tracking": [{"quantity": 1}, {"serial_no": "S", "quantity": 2}],
                },
                "line",
            ],
        }
    )
    assert doc is None
    assert [(e["field"], e["code"]) for e in errors] == [
        ("type", "invalid_choice"),
        ("no", "required"),
        ("location", "required"),
        ("shipment_date", "invalid"),
        ("lines[0].quantity", "invalid"),
        ("lines[1].line_no", "duplicate_line_no"),
        ("lines[1].quantity", "invalid"),
        ("lines[2].line_no", "invalid"),
        ("lines[2].item", "required"),
        ("lines[2].tracking[0]", "number_required"),
        ("lines[2].tracking[1].quantity", "serial_quantity_not_one"),
        ("lines[3]", "invalid"),
    ]
