"""Handling pick lines: Qty. to Handle, numbers (cases 1 to 4), split, assign, autofill."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.exceptions import (
    Conflict,
    InvalidInput,
    NotFoundError,
    PermissionDeniedError,
    SerialNotAvailable,
    TrackingLocked,
)
from core.quantities import format_quantity
from picking.models import Pick, PickLine
from picking.selectors.pick_lines import pick_line_available_tracking
from picking.services.pick_assign import pick_assign
from picking.services.pick_line_assign import pick_line_assign_lot_no, pick_line_assign_serial_nos
from picking.services.pick_line_split import pick_line_split
from picking.services.pick_line_update import pick_line_set_qty_to_handle, pick_line_update
from picking.services.pick_qty_to_handle import pick_autofill_qty_to_handle, pick_delete_qty_to_handle
from tests.world import World, make_pick

pytestmark = pytest.mark.django_db


def numbers(pick: Pick) -> list[tuple[str, str, str, str, str]]:
    return [
        (
            pl.bin.code if pl.bin else "",
            pl.lot_no,
            pl.serial_no,
            format_quantity(pl.quantity),
            format_quantity(pl.qty_to_handle),
        )
        for pl in pick.lines.select_related("bin").order_by("line_no")
    ]


def test_qty_to_handle_is_checked_against_the_outstanding_quantity(world: World) -> None:
    world.receive(world.plain, "A1", {"quantity": 5})
    line = make_pick(world, (world.plain, 3)).lines.get()
    # when the worker enters more than outstanding, a negative value, or text
    for value, code in (
        ("4", "qty_to_handle_exceeds_outstanding"),
        ("-1", "invalid_quantity"),
        ("x", "invalid"),
    ):
        with pytest.raises(InvalidInput) as refused:
            pick_line_set_qty_to_handle(pick_line_id=line.pk, qty_to_handle=value, user=world.worker)
        assert refused.value.code == code
    # then nothing changed; a valid value is stored
    line.refresh_from_db()
    assert line.qty_to_handle == 0
    pick_line_set_qty_to_handle(pick_line_id=line.pk, qty_to_handle="2.5", user=world.worker)
    line.refresh_from_db()
    assert line.qty_to_handle == Decimal("2.5")


def test_serial_line_handles_zero_or_one(world: World) -> None:
    world.receive(world.sn_wh, "A1", {"quantity": 1, "serial_no": "S1"})
    line = make_pick(world, (world.sn_wh, 1)).lines.get()
    with pytest.raises(InvalidInput):
        pick_line_set_qty_to_handle(pick_line_id=line.pk, qty_to_handle="0.5", user=world.worker)
    pick_line_set_qty_to_handle(pick_line_id=line.pk, qty_to_handle="1", user=world.worker)


def test_locked_line_refuses_everything_but_qty_to_handle(world: World) -> None:
    # given a line of a prescribed lot
    world.receive(world.lot_spec, "A1", {"quantity": 5, "lot_no": "L1"}, {"quantity": 5, "lot_no": "L2"})
    world.receive(world.lot_spec, "B1", {"quantity": 5, "lot_no": "L1"})
    line = make_pick(world, (world.lot_spec, 2, {"tracking": [("", "L1", 2)]})).lines.get()
    assert line.tracking_locked
    # when the worker tries to change the lot or the bin, or split, or assign
    for change in ({"lot_no": "L2"}, {"bin_code": "B1"}, {"lot_no": "", "qty_to_handle": "1"}):
        with pytest.raises(TrackingLocked) as refused:
            pick_line_update(pick_line_id=line.pk, user=world.worker, **change)
        assert refused.value.code == "tracking_locked" and "prescribed" in refused.value.detail
    # then nothing changed, not even the Qty. to Handle sent along with a locked field
    line.refresh_from_db()
    assert (line.lot_no, line.bin_id, line.qty_to_handle) == ("L1", world.a1.pk, 0)
    # but Qty. to Handle alone may change (and sending the unchanged lot is fine)
    pick_line_update(pick_line_id=line.pk, user=world.worker, lot_no="L1", qty_to_handle="2")
    line.refresh_from_db()
    assert line.qty_to_handle == 2


def test_case_1_proposed_serial_can_be_changed_to_another_available_one(world: World) -> None:
    world.receive(
        world.sn_wh,
        "A1",
        {"quantity": 1, "serial_no": "S1"},
        {"quantity": 1, "serial_no": "S2"},
        {"quantity": 1, "serial_no": "S3"},
    )
    world.receive(world.sn_wh, "B1", {"quantity": 1, "serial_no": "S9"})
    pick = make_pick(world, (world.sn_wh, 1))
    other = make_pick(world, (world.sn_wh, 1))
    line = pick.lines.get()
    assert line.serial_no == "S1" and other.lines.get().serial_no == "S2"
    # when the worker changes S1 to S3: fine
    pick_line_update(pick_line_id=line.pk, user=world.worker, serial_no="S3")
    # to S2 (on the other pick), S9 (another bin) or S7 (unknown): refused with a clear message
    for serial, words in (("S2", "already on pick"), ("S9", "not in bin A1"), ("S7", "not in bin A1")):
        with pytest.raises(SerialNotAvailable) as refused:
            pick_line_update(pick_line_id=line.pk, user=world.worker, serial_no=serial)
        assert words in refused.value.detail
    line.refresh_from_db()
    assert line.serial_no == "S3"


def test_case_3_scanning_a_serial_on_a_line_of_several_splits_off_one_unit(world: World) -> None:
    world.receive(
        world.sn_spec,
        "A1",
        {"quantity": 1, "serial_no": "X1"},
        {"quantity": 1, "serial_no": "X2"},
        {"quantity": 1, "serial_no": "X3"},
    )
    pick = make_pick(world, (world.sn_spec, 3))
    blank = pick.lines.get()
    pick_line_set_qty_to_handle(pick_line_id=blank.pk, qty_to_handle="3", user=world.worker)
    # the worker sees the serials available in the bin
    available = pick_line_available_tracking(pick_line_id=blank.pk, user=world.worker)
    assert [(a.serial_no, a.quantity) for a in available] == [("X1", 1), ("X2", 1), ("X3", 1)]
    # when the worker scans X2 on the line of 3
    new = pick_line_update(pick_line_id=blank.pk, user=world.worker, serial_no="X2")
    # then a one-unit line carries X2 and the blank line keeps 2
    assert numbers(pick) == [("A1", "", "", "2", "2"), ("A1", "", "X2", "1", "1")]
    assert new.serial_no == "X2" and new.line_no > blank.line_no
    # and X2 is no longer offered
    available = pick_line_available_tracking(pick_line_id=blank.pk, user=world.worker)
    assert [a.serial_no for a in available] == ["X1", "X3"]


def test_case_3_selecting_a_lot_needs_enough_of_it_in_the_bin(world: World) -> None:
    world.receive(world.lot_spec, "A1", {"quantity": 2, "lot_no": "L1"}, {"quantity": 6, "lot_no": "L2"})
    line = make_pick(world, (world.lot_spec, 4)).lines.get()
    with pytest.raises(Conflict) as refused:
        pick_line_update(pick_line_id=line.pk, user=world.worker, lot_no="L1")
    assert "Only 2" in refused.value.detail
    pick_line_update(pick_line_id=line.pk, user=world.worker, lot_no="L2")
    line.refresh_from_db()
    assert line.lot_no == "L2"


def test_case_2_assign_serial_numbers_makes_one_unit_lines(world: World) -> None:
    world.receive(world.sn_out, "A1", {"quantity": 5})
    pick = make_pick(world, (world.sn_out, 3))
    line = pick.lines.get()
    pick_line_set_qty_to_handle(pick_line_id=line.pk, qty_to_handle="3", user=world.worker)
    # when the worker assigns serial numbers from the item's series
    pick_line_assign_serial_nos(pick_line_id=line.pk, user=world.worker)
    # then three one-unit lines carry SO-0001..SO-0003, each to handle
    assert numbers(pick) == [
        ("A1", "", "SO-0001", "1", "1"),
        ("A1", "", "SO-0002", "1", "1"),
        ("A1", "", "SO-0003", "1", "1"),
    ]


def test_case_2_assign_part_and_type_a_serial(world: World) -> None:
    world.receive(world.sn_out, "A1", {"quantity": 5})
    pick = make_pick(world, (world.sn_out, 3))
    line = pick.lines.get()
    pick_line_assign_serial_nos(pick_line_id=line.pk, quantity="1", user=world.worker)
    assert numbers(pick) == [("A1", "", "", "2", "0"), ("A1", "", "SO-0001", "1", "0")]
    # typing a new serial on the rest splits off one unit
    pick_line_update(pick_line_id=line.pk, user=world.worker, serial_no="TYPED-1")
    # typing a serial already on the pick is refused
    with pytest.raises(SerialNotAvailable):
        pick_line_update(pick_line_id=line.pk, user=world.worker, serial_no="SO-0001")
    assert sorted(s for _, _, s, _, _ in numbers(pick)) == ["", "SO-0001", "TYPED-1"]


def test_case_2_assign_lot_number(world: World) -> None:
    world.receive(world.lot_out, "A1", {"quantity": 10})
    pick = make_pick(world, (world.lot_out, 6))
    line = pick.lines.get()
    pick_line_assign_lot_no(pick_line_id=line.pk, quantity="4", user=world.worker)
    assert numbers(pick) == [("A1", "LO-2026-001", "", "4", "0"), ("A1", "", "", "2", "0")]


def test_assigning_on_warehouse_tracked_items_is_refused(world: World) -> None:
    world.receive(world.sn_spec, "A1", {"quantity": 1, "serial_no": "X1"})
    line = make_pick(world, (world.sn_spec, 1)).lines.get()
    with pytest.raises(Conflict) as refused:
        pick_line_assign_serial_nos(pick_line_id=line.pk, user=world.worker)
    assert refused.value.code == "assign_not_allowed"


def test_split_autofill_and_delete_qty_to_handle(world: World) -> None:
    world.receive(world.plain, "A1", {"quantity": 10})
    pick = make_pick(world, (world.plain, 5), (world.plain, 2))
    first = pick.lines.order_by("line_no")[0]
    with pytest.raises(InvalidInput):
        pick_line_split(pick_line_id=first.pk, quantity="5", user=world.worker)
    new = pick_line_split(pick_line_id=first.pk, quantity="2", user=world.worker)
    assert numbers(pick) == [("A1", "", "", "3", "0"), ("A1", "", "", "2", "0"), ("A1", "", "", "2", "0")]
    assert new.source_line_id == first.source_line_id
    pick_autofill_qty_to_handle(pick_id=pick.pk, user=world.worker)
    assert [q for *_, q in numbers(pick)] == ["3", "2", "2"]
    pick_delete_qty_to_handle(pick_id=pick.pk, user=world.worker)
    assert [q for *_, q in numbers(pick)] == ["0", "0", "0"]


def test_handling_other_locations_is_not_found(world: World) -> None:
    world.receive(world.plain, "A1", {"quantity": 10})
    pick = make_pick(world, (world.plain, 5))
    line = pick.lines.get()
    with pytest.raises(NotFoundError):
        pick_line_set_qty_to_handle(pick_line_id=line.pk, qty_to_handle="1", user=world.outsider)
    with pytest.raises(NotFoundError):
        pick_autofill_qty_to_handle(pick_id=pick.pk, user=world.outsider)
    assert PickLine.objects.get().qty_to_handle == 0


def test_assign_pick_to_an_employee(world: World) -> None:
    world.receive(world.plain, "A1", {"quantity": 10})
    pick = make_pick(world, (world.plain, 5))
    pick_assign(pick_id=pick.pk, assigned_to_username="worker-main", user=world.supervisor)
    pick.refresh_from_db()
    assert pick.assigned_to == world.worker
    with pytest.raises(InvalidInput):
        pick_assign(pick_id=pick.pk, assigned_to_username="sup-east", user=world.supervisor)
    with pytest.raises(PermissionDeniedError):
        pick_assign(pick_id=pick.pk, assigned_to_username="worker-main", user=world.worker)


def test_changing_the_bin_needs_the_numbers_there(world: World) -> None:
    world.receive(world.lot_wh, "A1", {"quantity": 5, "lot_no": "L1"})
    world.receive(world.lot_wh, "B1", {"quantity": 2, "lot_no": "L1"}, {"quantity": 5, "lot_no": "L2"})
    line = make_pick(world, (world.lot_wh, 3)).lines.get()
    assert (line.bin_id, line.lot_no) == (world.a1.pk, "L1")
    with pytest.raises(Conflict) as refused:
        pick_line_update(pick_line_id=line.pk, user=world.worker, bin_code="B1")  # only 2 of L1 in B1
    assert "Only 2" in refused.value.detail
    with pytest.raises(InvalidInput):
        pick_line_update(pick_line_id=line.pk, user=world.worker, bin_code="E1")  # a bin of EAST
    pick_line_update(pick_line_id=line.pk, user=world.worker, bin_code="B1", lot_no="L2")
    line.refresh_from_db()
    assert (line.bin_id, line.lot_no) == (world.b1.pk, "L2")


def test_partly_handled_line_deleted_keeps_its_handled_quantity(world: World) -> None:
    from picking.services.pick_delete import pick_line_delete
    from picking.services.pick_post import pick_post

    world.receive(world.plain, "A1", {"quantity": 10})
    pick = make_pick(world, (world.plain, 5))
    line = pick.lines.get()
    pick_line_set_qty_to_handle(pick_line_id=line.pk, qty_to_handle="2", user=world.worker)
    pick_post(pick_id=pick.pk, user=world.supervisor)
    with pytest.raises(PermissionDeniedError):
        pick_line_delete(pick_line_id=line.pk, user=world.worker)
    pick_line_delete(pick_line_id=line.pk, user=world.supervisor)
    line.refresh_from_db()
    pick.refresh_from_db()
    assert (line.quantity, line.qty_handled, pick.status) == (2, 2, Pick.Status.COMPLETED)
    assert (line.source_line.qty_shipped, line.source_line.qty_on_picks) == (2, 0)
    with pytest.raises(Conflict):
        pick_line_delete(pick_line_id=line.pk, user=world.supervisor)  # nothing outstanding any more
