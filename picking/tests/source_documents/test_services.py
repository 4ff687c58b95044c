"""Source document services: create, replace, assign, select, quantity change, locks; query counts."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.exceptions import (
    Conflict,
    DuplicateDocument,
    InsufficientQuantity,
    InvalidInput,
    NotFoundError,
    SerialNotAvailable,
    TrackingLocked,
)
from picking.models import ItemTrackingLine, SourceDocument, SourceLine
from picking.services.item_tracking_assign import item_tracking_assign_lot_no, item_tracking_assign_serial_nos
from picking.services.item_tracking_lines import (
    item_tracking_line_add,
    item_tracking_line_delete,
    item_tracking_line_set_quantity,
    item_tracking_lines_replace,
    item_tracking_select_entries,
)
from picking.services.source_document_create import source_document_create
from picking.services.source_lines import source_line_set_quantity
from tests.world import EXP_EARLY, EXP_LATE, World, order, pick_from, put_on_pick, ship

pytestmark = pytest.mark.django_db


def codes(exc: Any) -> list[tuple[str, str]]:
    return [(e.get("field", ""), e["code"]) for e in exc.value.errors]


def line(no: int, item: str, quantity: str, tracking: list[dict[str, Any]] | None = None, **kw: Any) -> dict:
    data: dict[str, Any] = {"line_no": no, "item": item, "quantity": quantity, **kw}
    if tracking is not None:
        data["tracking"] = tracking
    return data


def test_create_with_prescribed_serials_and_lots_takes_expiration_from_stock(stocked_world: World) -> None:
    # given an order that prescribes two serial numbers and a lot
    data = order(
        "SO-1",
        line(10000, "SN-SPEC", "2", [{"serial_no": "SN-001", "quantity": 1}, {"serial_no": "SN-002"}]),
        line(20000, "LOT-SPEC", "12", [{"lot_no": "L-A", "quantity": "12"}]),
        line(30000, "PLAIN", "3"),
    )
    # when it is created
    document = source_document_create(data=data, user=stocked_world.supervisor)
    # then the lines and tracking lines exist with the expiration dates of stock
    lines = list(document.lines.order_by("line_no"))
    assert [(x.line_no, x.item.no, x.quantity) for x in lines] == [
        (10000, "SN-SPEC", 2),
        (20000, "LOT-SPEC", 12),
        (30000, "PLAIN", 3),
    ]
    tracking = list(ItemTrackingLine.objects.filter(source_line__document=document).order_by("pk"))
    assert [(t.serial_no, t.lot_no, t.quantity, t.expiration_date, t.origin) for t in tracking] == [
        ("SN-001", "", 1, EXP_EARLY, "source"),
        ("SN-002", "", 1, EXP_EARLY, "source"),
        ("", "L-A", 12, EXP_EARLY, "source"),  # 10 in A1 + 4 in B1 = 14 available at the location
    ]
    assert document.status == SourceDocument.Status.OPEN and document.created_by == stocked_world.supervisor


def test_every_problem_is_reported_at_once_and_nothing_is_created(stocked_world: World) -> None:
    # given an order with many different mistakes
    data = order(
        "SO-2",
        line(10000, "SN-SPEC", "1", [{"serial_no": "SN-001"}, {"serial_no": "SN-002"}]),  # 2 > 1
        line(20000, "PLAIN", "1", [{"lot_no": "X"}]),  # untracked item with a lot, no quantity
        line(30000, "NOPE", "1"),  # unknown item
        line(40000, "SN-OUT", "2", [{"serial_no": "N1", "quantity": 2}]),  # serial quantity 2
        line(50000, "LOT-SPEC", "1", bin="Z9"),  # unknown bin
        line(60000, "LOT-OUT", "-1"),
    )
    # when it is created
    with pytest.raises(InvalidInput) as exc:
        source_document_create(data=data, user=stocked_world.supervisor)
    # then every problem is named with its field
    found = codes(exc)
    assert ("lines[1].tracking[0].quantity", "required") in found
    assert ("lines[3].tracking[0].quantity", "serial_quantity_not_one") in found
    assert ("lines[5].quantity", "quantity_not_positive") in found
    assert not SourceDocument.objects.exists()


def test_reference_problems_are_all_reported(stocked_world: World) -> None:
    data = order(
        "SO-3",
        line(10000, "SN-SPEC", "1", [{"serial_no": "SN-001"}, {"serial_no": "SN-002"}]),
        line(20000, "PLAIN", "1", [{"lot_no": "X", "quantity": 1}]),
        line(30000, "NOPE", "1"),
        line(40000, "LOT-SPEC", "1", bin="Z9"),
        line(50000, "SN-OUT", "1", [{"serial_no": "SN-001", "lot_no": "L1"}]),
    )
    with pytest.raises(InvalidInput) as exc:
        source_document_create(data=data, user=stocked_world.supervisor)
    found = codes(exc)
    assert ("lines[2].item", "not_found") in found
    assert ("lines[3].bin", "not_found") in found
    # when the references are fixed, the tracking rules speak
    data["lines"] = [x for x in data["lines"] if x["item"] not in ("NOPE",) and x.get("bin") != "Z9"]
    with pytest.raises(InvalidInput) as exc:
        source_document_create(data=data, user=stocked_world.supervisor)
    found = codes(exc)
    assert ("lines[0].tracking", "tracking_exceeds_quantity") in found
    assert ("lines[1].tracking[0].lot_no", "lot_not_tracked") in found
    assert ("lines[2].tracking[0].lot_no", "lot_not_tracked") in found
    assert not SourceDocument.objects.exists()


def test_a_serial_not_in_stock_is_refused_with_409_and_nothing_is_created(stocked_world: World) -> None:
    data = order("SO-4", line(10000, "SN-SPEC", "2", [{"serial_no": "SN-001"}, {"serial_no": "SN-999"}]))
    with pytest.raises(SerialNotAvailable) as exc:
        source_document_create(data=data, user=stocked_world.supervisor)
    assert codes(exc) == [("lines[0].tracking[1].serial_no", "serial_not_available")]
    assert "SN-999" in exc.value.detail and "not in stock" in exc.value.detail
    assert not SourceDocument.objects.exists() and not SourceLine.objects.exists()


def test_a_serial_twice_in_a_document_is_refused(stocked_world: World) -> None:
    data = order(
        "SO-5",
        line(10000, "SN-SPEC", "1", [{"serial_no": "SN-001"}]),
        line(20000, "SN-SPEC", "1", [{"serial_no": "SN-001"}]),
    )
    with pytest.raises(InvalidInput) as exc:
        source_document_create(data=data, user=stocked_world.supervisor)
    assert codes(exc) == [("lines[1].tracking[0].serial_no", "duplicate_serial")]
    assert "line 10000" in exc.value.errors[0]["detail"]


def test_lot_rules_blocked_insufficient_and_bin(stocked_world: World) -> None:
    data = order(
        "SO-6",
        line(10000, "LOT-SPEC", "5", [{"lot_no": "L-B", "quantity": 5}]),  # blocked
        line(20000, "LOT-SPEC", "4", [{"lot_no": "L-C", "quantity": 4}]),  # only 3
        line(30000, "LOT-SPEC", "5", [{"lot_no": "L-A", "quantity": 5}], bin="B1"),  # only 4 in B1
        line(40000, "LOT-SPEC", "1", [{"lot_no": "L-Z", "quantity": 1}]),  # unknown lot
    )
    with pytest.raises(InsufficientQuantity) as exc:
        source_document_create(data=data, user=stocked_world.supervisor)
    assert codes(exc) == [
        ("lines[0].tracking[0].lot_no", "lot_blocked"),
        ("lines[1].tracking[0].quantity", "insufficient_quantity"),
        ("lines[2].tracking[0].quantity", "insufficient_quantity"),
        ("lines[3].tracking[0].lot_no", "lot_not_available"),
    ]
    assert "Only 3 of lot L-C" in exc.value.errors[1]["detail"]


def test_lot_quantity_over_several_lines_counts_together(stocked_world: World) -> None:
    data = order(
        "SO-7",
        line(10000, "LOT-SPEC", "10", [{"lot_no": "L-A", "quantity": 10}]),
        line(20000, "LOT-SPEC", "5", [{"lot_no": "L-A", "quantity": 5}]),  # 15 > 14 at MAIN
    )
    with pytest.raises(InsufficientQuantity) as exc:
        source_document_create(data=data, user=stocked_world.supervisor)
    assert "Only 14 of lot L-A" in exc.value.errors[0]["detail"]


def test_serial_on_another_open_pick_is_not_available(stocked_world: World) -> None:
    first = source_document_create(
        data=order("SO-8", line(10000, "SN-SPEC", "1", [{"serial_no": "SN-003"}])),
        user=stocked_world.supervisor,
    )
    put_on_pick(first.lines.get(), serial_no="SN-003")
    with pytest.raises(SerialNotAvailable) as exc:
        source_document_create(
            data=order("SO-9", line(10000, "SN-SPEC", "1", [{"serial_no": "SN-003"}])),
            user=stocked_world.supervisor,
        )
    assert "already on another open pick" in exc.value.errors[0]["detail"]


def test_new_serial_numbers_of_an_outbound_only_item_are_accepted(stocked_world: World) -> None:
    # given SN-OUT (serial numbers on outbound only) has stock, which carries no serial numbers
    stocked_world.receive(stocked_world.sn_out, "A1", {"quantity": "1"})
    data = order("SO-10", line(10000, "SN-OUT", "2", [{"serial_no": "NEW-1"}, {"serial_no": "NEW-2"}]))
    document = source_document_create(data=data, user=stocked_world.supervisor)
    assert document.lines.get().tracking_lines.count() == 2


def test_a_new_serial_number_used_before_for_the_item_is_refused(stocked_world: World) -> None:
    from warehouse.models import ItemLedgerEntry

    # given SN-OUT (serial numbers on outbound only) shipped serial number X-1 once
    stocked_world.receive(stocked_world.sn_out, "A1", {"quantity": "1"})
    shipped = source_document_create(
        data=order("SO-U1", line(10000, "SN-OUT", "1", [{"serial_no": "X-1"}])), user=stocked_world.supervisor
    )
    admin = stocked_world.admin
    ship(stocked_world, pick_from(stocked_world, shipped, user=admin), user=admin)
    assert ItemLedgerEntry.objects.filter(item=stocked_world.sn_out, serial_no="X-1").exists()
    # when another order prescribes X-1 again: refused, nothing created
    with pytest.raises(SerialNotAvailable) as exc:
        source_document_create(
            data=order("SO-U2", line(10000, "SN-OUT", "1", [{"serial_no": "X-1"}])),
            user=stocked_world.supervisor,
        )
    assert codes(exc) == [("lines[0].tracking[0].serial_no", "serial_used_before")]
    assert "X-1 was already used for item SN-OUT" in exc.value.detail
    assert not SourceDocument.objects.filter(no="SO-U2").exists()
    # and the same number added on an order's Item Tracking Lines is refused with the same code
    other = source_document_create(
        data=order("SO-U3", line(10000, "SN-OUT", "1")), user=stocked_world.supervisor
    )
    with pytest.raises(SerialNotAvailable) as exc:
        item_tracking_line_add(
            source_line_id=other.lines.get().pk, serial_no="X-1", quantity=1, user=stocked_world.supervisor
        )
    assert codes(exc) == [("tracking[0].serial_no", "serial_used_before")]
    assert not ItemTrackingLine.objects.filter(source_line__document=other).exists()


def test_duplicate_type_and_no(stocked_world: World) -> None:
    source_document_create(data=order("SO-11", line(10000, "PLAIN", "1")), user=stocked_world.supervisor)
    with pytest.raises(DuplicateDocument) as exc:
        source_document_create(data=order("SO-11", line(10000, "PLAIN", "2")), user=stocked_world.supervisor)
    assert exc.value.code == "duplicate_document" and "SO-11" in exc.value.detail
    # another type with the same number is a different document
    other = order("SO-11", line(10000, "PLAIN", "1"))
    other["type"] = "outbound_transfer"
    source_document_create(data=other, user=stocked_world.supervisor)
    assert SourceDocument.objects.count() == 2


def test_location_must_be_one_the_user_works_at(stocked_world: World) -> None:
    data = order("SO-12", line(10000, "PLAIN", "1"), location="EAST")
    with pytest.raises(InvalidInput) as exc:
        source_document_create(data=data, user=stocked_world.supervisor)
    assert codes(exc) == [("location", "not_found")]


def test_create_query_count_does_not_grow_with_lines(stocked_world: World) -> None:
    def body(no: str, n: int) -> dict[str, Any]:
        lines = [line(10000 + i, "LOT-SPEC", "1", [{"lot_no": "L-A", "quantity": "0.01"}]) for i in range(n)]
        lines += [line(50000 + i, "PLAIN", "1") for i in range(n)]
        return order(no, *lines)

    source_document_create(data=body("Q-0", 1), user=stocked_world.supervisor)  # warm up (the user's roles)
    with CaptureQueriesContext(connection) as small:
        source_document_create(data=body("Q-1", 2), user=stocked_world.supervisor)
    with CaptureQueriesContext(connection) as large:
        source_document_create(data=body("Q-2", 200), user=stocked_world.supervisor)
    assert len(large) == len(small)
    assert ItemTrackingLine.objects.filter(source_line__document__no="Q-2").count() == 200


# --- item tracking lines of a line ---------------------------------------------------------------


def make(world: World, *lines: dict[str, Any], no: str = "SO-20") -> SourceDocument:
    return source_document_create(data=order(no, *lines), user=world.supervisor)


def test_replace_tracking(stocked_world: World) -> None:
    document = make(stocked_world, line(10000, "SN-SPEC", "3", [{"serial_no": "SN-001"}]))
    source_line = document.lines.get()
    result = item_tracking_lines_replace(
        source_line_id=source_line.pk,
        tracking=[{"serial_no": "SN-004"}, {"serial_no": "SN-005"}],
        user=stocked_world.supervisor,
    )
    assert sorted(t.serial_no for t in result) == ["SN-004", "SN-005"]
    assert all(t.expiration_date == EXP_EARLY for t in result)


def test_replace_refuses_bad_numbers_and_keeps_the_old_ones(stocked_world: World) -> None:
    document = make(
        stocked_world, line(10000, "SN-SPEC", "1", [{"serial_no": "SN-001"}]), line(20000, "SN-SPEC", "2")
    )
    second = document.lines.get(line_no=20000)
    with pytest.raises(InvalidInput) as exc:
        item_tracking_lines_replace(
            source_line_id=second.pk,
            tracking=[{"serial_no": "SN-001"}, {"serial_no": "SN-002"}, {"serial_no": "SN-003"}],
            user=stocked_world.supervisor,
        )
    assert ("tracking[0].serial_no", "duplicate_serial") in codes(exc)
    assert ("tracking", "tracking_exceeds_quantity") in codes(exc)
    assert not second.tracking_lines.exists()


def test_tracking_is_locked_while_a_pick_is_open(stocked_world: World) -> None:
    document = make(stocked_world, line(10000, "SN-SPEC", "1", [{"serial_no": "SN-001"}]))
    source_line = document.lines.get()
    put_on_pick(source_line, pick_no="IPI000042", serial_no="SN-001")
    with pytest.raises(TrackingLocked) as exc:
        item_tracking_lines_replace(
            source_line_id=source_line.pk, tracking=[{"serial_no": "SN-002"}], user=stocked_world.supervisor
        )
    assert exc.value.code == "tracking_locked" and "IPI000042" in exc.value.detail
    assert "Post the pick" in exc.value.detail
    assert list(source_line.tracking_lines.values_list("serial_no", flat=True)) == ["SN-001"]
    with pytest.raises(TrackingLocked):
        item_tracking_select_entries(
            source_line_id=source_line.pk, selections=[{"serial_no": "SN-002"}], user=stocked_world.supervisor
        )


def test_tracking_unlocks_when_the_pick_line_is_handled(stocked_world: World) -> None:
    from picking.models import PickLine

    document = make(stocked_world, line(10000, "SN-SPEC", "2", [{"serial_no": "SN-001"}]))
    source_line = document.lines.get()
    put_on_pick(source_line, serial_no="SN-001")
    PickLine.objects.filter(source_line=source_line).update(qty_handled=1)
    item_tracking_lines_replace(
        source_line_id=source_line.pk,
        tracking=[{"serial_no": "SN-001"}, {"serial_no": "SN-002"}],
        user=stocked_world.supervisor,
    )
    assert source_line.tracking_lines.count() == 2


def test_assign_serial_nos_from_the_series(stocked_world: World) -> None:
    document = make(stocked_world, line(10000, "SN-OUT", "3"))
    source_line = document.lines.get()
    item_tracking_assign_serial_nos(source_line_id=source_line.pk, quantity=2, user=stocked_world.supervisor)
    result = item_tracking_assign_serial_nos(
        source_line_id=source_line.pk, quantity=None, user=stocked_world.supervisor
    )
    assert sorted(t.serial_no for t in result) == ["SO-0001", "SO-0002", "SO-0003"]
    with pytest.raises(InvalidInput) as exc:
        item_tracking_assign_serial_nos(
            source_line_id=source_line.pk, quantity=1, user=stocked_world.supervisor
        )
    assert exc.value.code == "quantity_exceeds_undefined"


def test_assign_lot_no(stocked_world: World) -> None:
    document = make(stocked_world, line(10000, "LOT-OUT", "7.5"))
    source_line = document.lines.get()
    result = item_tracking_assign_lot_no(
        source_line_id=source_line.pk, quantity="5", user=stocked_world.supervisor
    )
    assert [(t.lot_no, t.quantity) for t in result] == [("LO-2026-001", Decimal(5))]
    result = item_tracking_assign_lot_no(source_line_id=source_line.pk, user=stocked_world.supervisor)
    assert [(t.lot_no, t.quantity) for t in result] == [("LO-2026-001", 5), ("LO-2026-002", Decimal("2.5"))]


def test_assign_is_refused_for_items_whose_stock_carries_numbers(stocked_world: World) -> None:
    document = make(stocked_world, line(10000, "SN-SPEC", "1"), line(20000, "PLAIN", "1"))
    with pytest.raises(Conflict) as exc:
        item_tracking_assign_serial_nos(
            source_line_id=document.lines.get(line_no=10000).pk, quantity=1, user=stocked_world.supervisor
        )
    assert exc.value.code == "assign_not_allowed" and "Select Entries" in exc.value.detail
    with pytest.raises(InvalidInput) as not_tracked:
        item_tracking_assign_lot_no(
            source_line_id=document.lines.get(line_no=20000).pk, user=stocked_world.supervisor
        )
    assert not_tracked.value.code == "lot_not_tracked"


def test_select_entries_adds_available_numbers(stocked_world: World) -> None:
    document = make(stocked_world, line(10000, "LOT-SPEC", "10"), line(20000, "SN-SPEC", "2"), no="SO-30")
    lots = document.lines.get(line_no=10000)
    result = item_tracking_select_entries(
        source_line_id=lots.pk, selections=[{"lot_no": "L-C", "quantity": 2}], user=stocked_world.supervisor
    )
    result = item_tracking_select_entries(
        source_line_id=lots.pk,
        selections=[{"lot_no": "L-C", "quantity": 1}, {"lot_no": "L-A", "quantity": 3}],
        user=stocked_world.supervisor,
    )
    assert sorted((t.lot_no, t.quantity) for t in result) == [("L-A", 3), ("L-C", 3)]
    with pytest.raises(InsufficientQuantity):
        item_tracking_select_entries(
            source_line_id=lots.pk,
            selections=[{"lot_no": "L-C", "quantity": 0.5}],
            user=stocked_world.supervisor,
        )
    serials = document.lines.get(line_no=20000)
    with pytest.raises(SerialNotAvailable):
        item_tracking_select_entries(
            source_line_id=serials.pk, selections=[{"serial_no": "SN-404"}], user=stocked_world.supervisor
        )


def test_add_change_and_delete_one_number_keep_the_others(stocked_world: World) -> None:
    # given a line of 8 with lot L-A 4 prescribed
    document = make(
        stocked_world, line(10000, "LOT-SPEC", "8", [{"lot_no": "L-A", "quantity": 4}]), no="SO-60"
    )
    source_line = document.lines.get()
    l_a = source_line.tracking_lines.get()
    # when a supervisor adds L-C 3 (expiration date from stock), then changes L-A to 5
    added = item_tracking_line_add(
        source_line_id=source_line.pk, lot_no="L-C", quantity="3", user=stocked_world.supervisor
    )
    assert (added.lot_no, added.quantity, added.expiration_date) == ("L-C", 3, EXP_LATE)
    # the same lot twice on the line is refused
    with pytest.raises(InvalidInput) as exc:
        item_tracking_line_add(
            source_line_id=source_line.pk, lot_no="L-C", quantity="0.5", user=stocked_world.supervisor
        )
    assert codes(exc) == [("tracking[2]", "duplicate_number")]
    # a lot quantity above what is available is refused against stock (L-C: 3 in stock)
    with pytest.raises(InsufficientQuantity) as short:
        item_tracking_line_set_quantity(
            source_line_id=source_line.pk,
            tracking_line_id=added.pk,
            quantity="3.5",
            user=stocked_world.supervisor,
        )
    assert codes(short) == [("tracking[1].quantity", "insufficient_quantity")]
    item_tracking_line_set_quantity(
        source_line_id=source_line.pk,
        tracking_line_id=l_a.pk,
        quantity="5",
        expected_quantity="4",
        user=stocked_world.supervisor,
    )
    # then both rows are there, L-A with its id kept
    assert list(source_line.tracking_lines.order_by("pk").values_list("pk", "lot_no", "quantity")) == [
        (l_a.pk, "L-A", 5),
        (added.pk, "L-C", 3),
    ]
    # the line's rules count every number (5 + 3 + 1 is more than 8), every problem is reported
    with pytest.raises(InvalidInput) as exc:
        item_tracking_line_add(
            source_line_id=source_line.pk, lot_no="L-B", quantity="1", user=stocked_world.supervisor
        )
    assert codes(exc) == [("tracking", "tracking_exceeds_quantity"), ("tracking[2].lot_no", "lot_blocked")]
    # deleting one number leaves the other
    item_tracking_line_delete(
        source_line_id=source_line.pk,
        tracking_line_id=l_a.pk,
        expected_quantity="5",
        user=stocked_world.supervisor,
    )
    assert list(source_line.tracking_lines.values_list("lot_no", "quantity")) == [("L-C", 3)]


def test_a_change_based_on_a_stale_view_is_refused_and_changes_nothing(stocked_world: World) -> None:
    # given supervisor A sees L-A 4 on the line; supervisor B then changes it to 2
    document = make(
        stocked_world, line(10000, "LOT-SPEC", "8", [{"lot_no": "L-A", "quantity": 4}]), no="SO-61"
    )
    source_line = document.lines.get()
    row = source_line.tracking_lines.get()
    item_tracking_line_set_quantity(
        source_line_id=source_line.pk,
        tracking_line_id=row.pk,
        quantity="2",
        expected_quantity="4",
        user=stocked_world.admin,
    )
    # when A changes or deletes it based on the 4 A saw: 409 concurrent_change, nothing changes
    for attempt in (
        lambda: item_tracking_line_set_quantity(
            source_line_id=source_line.pk,
            tracking_line_id=row.pk,
            quantity="6",
            expected_quantity="4",
            user=stocked_world.supervisor,
        ),
        lambda: item_tracking_line_delete(
            source_line_id=source_line.pk,
            tracking_line_id=row.pk,
            expected_quantity="4",
            user=stocked_world.supervisor,
        ),
    ):
        with pytest.raises(Conflict) as exc:
            attempt()
        assert exc.value.code == "concurrent_change" and exc.value.status == 409
        assert "changed by someone else meanwhile" in exc.value.detail
        assert list(source_line.tracking_lines.values_list("lot_no", "quantity")) == [("L-A", 2)]
    # and once the row is gone, acting on it is refused the same way
    item_tracking_line_delete(
        source_line_id=source_line.pk, tracking_line_id=row.pk, user=stocked_world.admin
    )
    with pytest.raises(Conflict) as exc:
        item_tracking_line_set_quantity(
            source_line_id=source_line.pk,
            tracking_line_id=row.pk,
            quantity="1",
            user=stocked_world.supervisor,
        )
    assert exc.value.code == "concurrent_change" and not source_line.tracking_lines.exists()
    # the line quantity too: A saw 8, B set 9
    source_line_set_quantity(
        source_line_id=source_line.pk, quantity="9", expected_quantity="8", user=stocked_world.admin
    )
    with pytest.raises(Conflict) as exc:
        source_line_set_quantity(
            source_line_id=source_line.pk, quantity="7", expected_quantity="8", user=stocked_world.supervisor
        )
    assert exc.value.code == "concurrent_change"
    source_line.refresh_from_db()
    assert source_line.quantity == 9


def test_shipped_numbers_are_never_removed_nor_lowered_below_shipped(stocked_world: World) -> None:
    document = make(
        stocked_world, line(10000, "LOT-SPEC", "8", [{"lot_no": "L-A", "quantity": 4}]), no="SO-62"
    )
    source_line = document.lines.get()
    row = source_line.tracking_lines.get()
    ItemTrackingLine.objects.filter(pk=row.pk).update(qty_handled=3)
    with pytest.raises(Conflict) as exc:
        item_tracking_line_delete(
            source_line_id=source_line.pk, tracking_line_id=row.pk, user=stocked_world.supervisor
        )
    assert (
        exc.value.code == "tracking_already_shipped"
        and "3 of lot L-A were already shipped" in exc.value.detail
    )
    with pytest.raises(Conflict) as exc:
        item_tracking_line_set_quantity(
            source_line_id=source_line.pk,
            tracking_line_id=row.pk,
            quantity="2",
            user=stocked_world.supervisor,
        )
    assert codes(exc) == [("tracking[0].quantity", "tracking_already_shipped")]
    with pytest.raises(Conflict) as exc:
        item_tracking_lines_replace(source_line_id=source_line.pk, tracking=[], user=stocked_world.supervisor)
    assert exc.value.code == "tracking_already_shipped"
    assert list(source_line.tracking_lines.values_list("lot_no", "quantity")) == [("L-A", 4)]


def test_one_number_changes_are_locked_while_a_pick_is_open(stocked_world: World) -> None:
    document = make(
        stocked_world, line(10000, "LOT-SPEC", "8", [{"lot_no": "L-A", "quantity": 4}]), no="SO-63"
    )
    source_line = document.lines.get()
    row = source_line.tracking_lines.get()
    put_on_pick(source_line, pick_no="IPI000077", lot_no="L-A")
    for attempt in (
        lambda: item_tracking_line_add(
            source_line_id=source_line.pk, lot_no="L-C", quantity="1", user=stocked_world.supervisor
        ),
        lambda: item_tracking_line_set_quantity(
            source_line_id=source_line.pk,
            tracking_line_id=row.pk,
            quantity="1",
            user=stocked_world.supervisor,
        ),
        lambda: item_tracking_line_delete(
            source_line_id=source_line.pk, tracking_line_id=row.pk, user=stocked_world.supervisor
        ),
    ):
        with pytest.raises(TrackingLocked) as exc:
            attempt()
        assert "IPI000077" in exc.value.detail
    assert list(source_line.tracking_lines.values_list("lot_no", "quantity")) == [("L-A", 4)]


def test_one_number_changes_take_the_same_queries_however_many_numbers_the_line_has(
    stocked_world: World,
) -> None:
    document = make(stocked_world, line(10000, "SN-OUT", "1200"), line(20000, "SN-OUT", "1200"), no="SO-64")
    small, large = document.lines.order_by("line_no")
    item_tracking_lines_replace(
        source_line_id=large.pk,
        tracking=[{"serial_no": f"L{i}"} for i in range(1000)],
        user=stocked_world.supervisor,
    )
    item_tracking_lines_replace(
        source_line_id=small.pk, tracking=[{"serial_no": "S0"}], user=stocked_world.supervisor
    )

    def queries(source_line: SourceLine, prefix: str) -> list[int]:
        counts = []
        with CaptureQueriesContext(connection) as added:
            row = item_tracking_line_add(
                source_line_id=source_line.pk,
                serial_no=f"{prefix}-NEW",
                quantity=1,
                user=stocked_world.supervisor,
            )
        counts.append(len(added))
        with CaptureQueriesContext(connection) as deleted:
            item_tracking_line_delete(
                source_line_id=source_line.pk,
                tracking_line_id=row.pk,
                expected_quantity=1,
                user=stocked_world.supervisor,
            )
        counts.append(len(deleted))
        return counts

    assert queries(large, "L") == queries(small, "S")
    assert large.tracking_lines.count() == 1000 and small.tracking_lines.count() == 1


def test_line_quantity_cannot_go_below_tracked(stocked_world: World) -> None:
    document = make(stocked_world, line(10000, "LOT-SPEC", "6", [{"lot_no": "L-A", "quantity": 4}]))
    source_line = document.lines.get()
    with pytest.raises(Conflict) as exc:
        source_line_set_quantity(source_line_id=source_line.pk, quantity="3", user=stocked_world.supervisor)
    assert exc.value.code == "quantity_below_tracked" and "below 4" in exc.value.detail
    assert (
        source_line_set_quantity(
            source_line_id=source_line.pk, quantity="4", user=stocked_world.supervisor
        ).quantity
        == 4
    )
    source_line.refresh_from_db()
    assert source_line.quantity == 4


def test_lines_at_other_locations_are_not_found(stocked_world: World) -> None:
    document = make(stocked_world, line(10000, "SN-OUT", "1"))
    stranger = stocked_world.outsider  # a supervisor at EAST
    with pytest.raises(NotFoundError):
        item_tracking_lines_replace(source_line_id=document.lines.get().pk, tracking=[], user=stranger)


def test_replace_query_count_does_not_grow_with_numbers(stocked_world: World) -> None:
    document = make(stocked_world, line(10000, "SN-OUT", "1200"), line(20000, "SN-OUT", "1200"), no="SO-40")
    first, second = document.lines.order_by("line_no")

    def replace(source_line: SourceLine, prefix: str, n: int) -> int:
        with CaptureQueriesContext(connection) as queries:
            item_tracking_lines_replace(
                source_line_id=source_line.pk,
                tracking=[{"serial_no": f"{prefix}{i}"} for i in range(n)],
                user=stocked_world.supervisor,
            )
        return len(queries)

    # creating, then replacing (delete all, create all) 2 numbers and 1 200 numbers
    small = [replace(first, "A", 2), replace(first, "B", 2)]
    large = [replace(second, "C", 1200), replace(second, "D", 1200)]
    assert large == small
    assert second.tracking_lines.count() == 1200 and not second.tracking_lines.filter(serial_no="C1").exists()


def test_shipment_date_is_parsed(stocked_world: World) -> None:
    document = make(stocked_world, line(10000, "PLAIN", "1"), no="SO-50")
    assert document.shipment_date == datetime.date(2026, 12, 1)
