"""Reading a scan on a pick (picking.services.pick_scan): which line a scanned number goes on, what the
worker is told, and that a refused scan changes nothing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from core.exceptions import InvalidInput, NotFoundError, PermissionDeniedError, SerialNotAvailable
from picking.models import Pick, PickLine
from picking.services.pick_scan import ScanKind, pick_scan
from tests.world import EXP_EARLY, EXP_LATE, World, make_pick

pytestmark = pytest.mark.django_db


def state(pick: Pick) -> list[tuple[int, str, str, str, Decimal, Decimal]]:
    return [
        (pl.line_no, pl.bin.code if pl.bin else "", pl.lot_no, pl.serial_no, pl.quantity, pl.qty_to_handle)
        for pl in PickLine.objects.filter(pick=pick).select_related("bin").order_by("line_no")
    ]


def test_a_serial_on_a_line_gets_qty_to_handle_1(world: World) -> None:
    # given a proposed serial line (case 1)
    world.receive(world.sn_wh, "A1", {"quantity": 1, "serial_no": "W1"})
    pick = make_pick(world, (world.sn_wh, 1))
    # when the worker scans it
    result = pick_scan(pick_id=pick.pk, code="W1", user=world.worker)
    # then that line is to be handled, and the worker is told so
    assert result.kind == ScanKind.LINE_UPDATED
    assert result.line is not None and result.line.qty_to_handle == 1
    assert (result.code, result.serial_no, result.lot_no, result.quantity) == ("W1", "W1", "", 1)
    assert result.message == f"Serial number W1: line {result.line.line_no}, Qty. to Handle 1."


def test_a_lot_on_lines_adds_units_to_the_first_line_with_room(world: World) -> None:
    # given two lines of lot L1 (one per bin)
    world.receive(world.lot_wh, "A1", {"quantity": 2, "lot_no": "L1", "expiration_date": EXP_EARLY})
    world.receive(world.lot_wh, "B1", {"quantity": 5, "lot_no": "L1", "expiration_date": EXP_EARLY})
    pick = make_pick(world, (world.lot_wh, 7))
    first, second = PickLine.objects.filter(pick=pick).order_by("line_no")
    # when L1 is scanned three times, the last time with a quantity of 2
    pick_scan(pick_id=pick.pk, code="L1", user=world.worker)
    pick_scan(pick_id=pick.pk, code="L1", quantity="", user=world.worker)
    result = pick_scan(pick_id=pick.pk, code="L1", quantity="2", user=world.worker)
    # then the first line is full (2) and the second got the 2 units of the last scan
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.qty_to_handle, second.qty_to_handle) == (2, 2)
    assert result.line == second and (result.lot_no, result.quantity) == ("L1", 2)
    assert result.message == f"Lot L1: line {second.line_no}, Qty. to Handle 2."


def test_a_number_in_the_bin_goes_on_a_line_without_one_and_splits_off_one_unit(world: World) -> None:
    # given a case-3 line of 3 serials to select in A1
    world.receive(world.sn_spec, "A1", *({"quantity": 1, "serial_no": f"X{i}"} for i in range(3)))
    pick = make_pick(world, (world.sn_spec, 3))
    (line,) = PickLine.objects.filter(pick=pick)
    # when the worker scans X2 (in the bin)
    result = pick_scan(pick_id=pick.pk, code="X2", user=world.worker)
    # then X2 is split off to a new one-unit line with Qty. to Handle 1
    assert result.line is not None and result.line.pk != line.pk
    assert (result.line.serial_no, result.line.quantity, result.line.qty_to_handle) == ("X2", 1, 1)
    assert result.message == f"Serial number X2 is on line {result.line.line_no}, Qty. to Handle 1."
    line.refresh_from_db()
    assert (line.serial_no, line.quantity) == ("", 2)
    # when X0 is scanned: it goes on the line still without a serial number, not over X2
    again = pick_scan(pick_id=pick.pk, code="X0", user=world.worker)
    assert again.line is not None and again.line.pk not in (line.pk, result.line.pk)
    assert sorted(PickLine.objects.filter(pick=pick).values_list("serial_no", "quantity")) == [
        ("", 1),
        ("X0", 1),
        ("X2", 1),
    ]


def test_a_lot_in_the_bin_goes_on_its_line_for_the_quantity_scanned(world: World) -> None:
    world.receive(
        world.lot_spec,
        "A1",
        {"quantity": 4, "lot_no": "S1", "expiration_date": EXP_EARLY},
        {"quantity": 4, "lot_no": "S2", "expiration_date": EXP_LATE},
    )
    pick = make_pick(world, (world.lot_spec, 3))
    result = pick_scan(pick_id=pick.pk, code="S2", quantity="2", user=world.worker)
    assert result.line is not None
    assert (result.line.lot_no, result.line.qty_to_handle, result.line.expiration_date) == ("S2", 2, EXP_LATE)
    assert result.message == f"Lot S2 is on line {result.line.line_no}, Qty. to Handle 2."


def test_a_new_number_goes_on_the_first_line_lacking_one(world: World) -> None:
    # given outbound-only items (case 2): stock carries no numbers
    world.receive(world.sn_out, "A1", {"quantity": 5})
    world.receive(world.lot_out, "A1", {"quantity": 5})
    serial_pick = make_pick(world, (world.sn_out, 2))
    lot_pick = make_pick(world, (world.lot_out, 3))
    # when new numbers are scanned
    serial = pick_scan(pick_id=serial_pick.pk, code="NEW-1", user=world.worker)
    lot = pick_scan(pick_id=lot_pick.pk, code="LOT-9", quantity="5", user=world.worker)
    # then they go on the lines, a serial splitting off one unit, a lot for at most the outstanding quantity
    assert serial.line is not None and (serial.line.serial_no, serial.line.quantity) == ("NEW-1", 1)
    assert serial.message == f"New serial number NEW-1 is on line {serial.line.line_no}, Qty. to Handle 1."
    assert lot.line is not None and (lot.line.lot_no, lot.line.qty_to_handle) == ("LOT-9", 3)
    assert lot.message == f"New lot LOT-9 is on line {lot.line.line_no}, Qty. to Handle 3."
    assert lot.quantity == 3


def test_a_new_number_that_several_items_could_take_is_refused(world: World) -> None:
    world.receive(world.sn_out, "A1", {"quantity": 5})
    other = world.add_item("SN-OUT-2", "SNOUT")
    world.receive(other, "A1", {"quantity": 5})
    pick = make_pick(world, (world.sn_out, 1), (other, 1))
    before = state(pick)
    with pytest.raises(InvalidInput) as refused:
        pick_scan(pick_id=pick.pk, code="NEW-7", user=world.worker)
    assert refused.value.code == "scan_ambiguous"
    assert state(pick) == before


def test_a_scan_no_line_can_take_is_refused_and_changes_nothing(world: World) -> None:
    world.receive(world.sn_wh, "A1", {"quantity": 1, "serial_no": "W1"})
    pick = make_pick(world, (world.sn_wh, 1))
    before = state(pick)
    with pytest.raises(InvalidInput) as refused:
        pick_scan(pick_id=pick.pk, code="ZZZ-9", user=world.worker)
    assert refused.value.code == "scan_no_match"
    assert refused.value.detail.startswith(f"No open line of pick {pick.no} can take ZZZ-9")
    assert refused.value.errors == [
        {"field": "code", "code": "scan_no_match", "detail": "No line takes this number."}
    ]
    for bad in ("abc", "0", "-1"):
        with pytest.raises(InvalidInput) as refused:
            pick_scan(pick_id=pick.pk, code="W1", quantity=bad, user=world.worker)
        assert refused.value.errors[0]["field"] == "quantity"
    assert state(pick) == before


def test_a_locked_line_only_takes_qty_to_handle(world: World) -> None:
    # given a line prescribing X1 (case 4) and X2 in the same bin
    world.receive(world.sn_spec, "A1", {"quantity": 1, "serial_no": "X1"}, {"quantity": 1, "serial_no": "X2"})
    pick = make_pick(world, (world.sn_spec, 1, {"tracking": [("X1", "", 1)]}))
    # X2 has no line it may go on; X1 is to be handled
    with pytest.raises(InvalidInput):
        pick_scan(pick_id=pick.pk, code="X2", user=world.worker)
    result = pick_scan(pick_id=pick.pk, code="X1", user=world.worker)
    assert result.line is not None and result.line.tracking_locked and result.line.qty_to_handle == 1


def test_the_line_services_refusals_come_through(world: World) -> None:
    # given a serial already on another open pick
    world.receive(world.sn_spec, "A1", {"quantity": 1, "serial_no": "X1"}, {"quantity": 1, "serial_no": "X2"})
    first = make_pick(world, (world.sn_spec, 1, {"tracking": [("X1", "", 1)]}))
    second = make_pick(world, (world.sn_spec, 1))
    assert first.pk != second.pk
    with pytest.raises(SerialNotAvailable):
        pick_scan(pick_id=second.pk, code="X1", user=world.worker)


def test_scanning_needs_a_visible_pick_and_the_right_to_handle_lines(world: World) -> None:
    world.receive(world.sn_wh, "A1", {"quantity": 1, "serial_no": "W1"})
    pick = make_pick(world, (world.sn_wh, 1))
    with pytest.raises(NotFoundError):
        pick_scan(pick_id=pick.pk, code="W1", user=world.outsider)
    viewer = world.add_user("viewer", "", world.location)
    viewer.user_permissions.add(*_perms("view_pick"))
    with pytest.raises(PermissionDeniedError):
        pick_scan(pick_id=pick.pk, code="W1", user=type(viewer).objects.get(pk=viewer.pk))
    assert PickLine.objects.get(pick=pick).qty_to_handle == 0


def _perms(*codenames: str) -> Any:
    from django.contrib.auth.models import Permission

    return Permission.objects.filter(content_type__app_label="picking", codename__in=codenames)
