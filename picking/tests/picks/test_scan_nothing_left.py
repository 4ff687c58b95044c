"""One unit more than the pick needs: a scanned number is never replaced by the next scan. Scanning a
serial number when every line of its item already has its number scanned is refused with the reason and
changes nothing, through the service, the API and the page, on inventory and warehouse picks, whichever
case made the lines (a blank line, proposed numbers, new numbers)."""

from __future__ import annotations

from typing import Any

import pytest

from picking.models import Pick, PickLine
from picking.services.pick_line_update import pick_line_set_qty_to_handle
from picking.services.pick_scan import pick_scan
from picking.tests.picks.test_scan import WAYS, state, sw
from tests.clients import api_client_for, refused
from tests.world import World, document, make_pick, serials, shipment_for, warehouse_pick_for

pytestmark = pytest.mark.django_db

__all__ = ["sw"]  # the scan world fixture

NOTHING_LEFT = "Every line of item %s is already handled; nothing left to scan for it."


def _scanned(pick: Pick, world: World, *codes: str) -> Pick:
    for code in codes:
        pick_scan(pick_id=pick.pk, code=code, user=world.worker)
    return pick


def _case_3(world: World) -> tuple[Pick, str, str]:
    """A blank line of SN-SPEC (X1, X2 in A1); X1 scanned; then X2."""
    return _scanned(make_pick(world, (world.sn_spec, 1)), world, "X1"), "X2", "SN-SPEC"


def _case_2(world: World) -> tuple[Pick, str, str]:
    """SN-OUT takes new serial numbers: NEW-1 scanned on its one line; then NEW-2."""
    return _scanned(make_pick(world, (world.sn_out, 1)), world, "NEW-1"), "NEW-2", "SN-OUT"


@pytest.mark.parametrize("way", list(WAYS))
@pytest.mark.parametrize("build", [_case_3, _case_2], ids=["case 3", "case 2"])
def test_one_serial_more_than_the_pick_needs_is_refused_and_changes_nothing(
    sw: World, build: Any, way: str
) -> None:
    pick, code, item = build(sw)
    before = state(pick)
    answer = WAYS[way](sw, pick, {"code": code})
    assert (answer.status, answer.outcome) == (409, "scan_no_match"), answer
    assert NOTHING_LEFT % item in answer.detail
    assert state(pick) == before


def test_proposed_serials_all_scanned_keep_theirs(world: World) -> None:
    # given a case 1 pick of 2 serial numbers (S00000, S00001 proposed) with a third in the same bin
    world.receive(world.sn_wh, world.a1, *serials(3, expiration=None))
    pick = make_pick(world, (world.sn_wh, 2))
    proposed = sorted(PickLine.objects.filter(pick=pick).values_list("serial_no", flat=True))
    assert proposed == ["S00000", "S00001"]
    # a proposed number not scanned yet may still be replaced by the unit the worker took
    _scanned(pick, world, "S00000", "S00002")
    assert sorted(PickLine.objects.filter(pick=pick).values_list("serial_no", "qty_to_handle")) == [
        ("S00000", 1),
        ("S00002", 1),
    ]
    # when both are scanned, S00001 is one unit too many: refused, over the API too, nothing changed
    before = state(pick)
    error = refused(lambda: pick_scan(pick_id=pick.pk, code="S00001", user=world.worker), "scan_no_match")
    assert NOTHING_LEFT % "SN-WH" in error.detail
    answer = api_client_for(world.worker).post(
        f"/api/v1/picks/{pick.pk}/scan/", {"code": "S00001"}, format="json"
    )
    assert answer.status_code == 409 and answer.json()["code"] == "scan_no_match"
    assert state(pick) == before
    # and once a line's Qty. to Handle is 0 again, its number may be replaced by the scan
    line = PickLine.objects.get(pick=pick, serial_no="S00002")
    pick_line_set_qty_to_handle(pick_line_id=line.pk, qty_to_handle="0", user=world.worker)
    result = pick_scan(pick_id=pick.pk, code="S00001", user=world.worker)
    assert result.line is not None and (result.line.pk, result.line.serial_no) == (line.pk, "S00001")


def test_a_lot_scanned_on_a_line_is_not_replaced_by_another_lot(world: World) -> None:
    world.receive(world.lot_wh, world.a1, {"quantity": 3, "lot_no": "L1", "expiration_date": "2030-01-31"})
    world.receive(world.lot_wh, world.a1, {"quantity": 3, "lot_no": "L2", "expiration_date": "2030-02-28"})
    pick = make_pick(world, (world.lot_wh, 3))  # L1 proposed (first to expire)
    _scanned(pick, world, "L1")
    before = state(pick)
    error = refused(lambda: pick_scan(pick_id=pick.pk, code="L2", user=world.worker), "scan_no_match")
    assert "already has lot L1 scanned (Qty. to Handle 1)" in error.detail and "Split" in error.detail
    assert state(pick) == before


def test_on_a_warehouse_pick_the_pair_keeps_its_scanned_serial(world: World) -> None:
    # given a warehouse pick of 2 serial numbers, both scanned, and a third unit in the same bin
    whse = world.add_warehouse()
    world.receive(world.sn_wh, world.bin("W1", whse), *serials(3, expiration=None))
    doc = document(world, (world.sn_wh, 2), location=whse)
    pick = warehouse_pick_for(world, shipment_for(world, doc))
    takes = PickLine.objects.filter(pick=pick, action="take")
    _scanned(pick, world, *takes.values_list("serial_no", flat=True))
    extra = ({"S00000", "S00001", "S00002"} - set(takes.values_list("serial_no", flat=True))).pop()
    before = state(pick)
    # when the third is scanned: refused by the service and the API, the take and place lines unchanged
    error = refused(lambda: pick_scan(pick_id=pick.pk, code=extra, user=world.worker), "scan_no_match")
    assert NOTHING_LEFT % "SN-WH" in error.detail
    answer = api_client_for(world.worker).post(
        f"/api/v1/picks/{pick.pk}/scan/", {"code": extra}, format="json"
    )
    assert answer.status_code == 409 and NOTHING_LEFT % "SN-WH" in answer.json()["detail"]
    assert state(pick) == before
    places = PickLine.objects.filter(pick=pick, action="place")
    assert sorted(places.values_list("serial_no", "qty_to_handle")) == sorted(
        takes.values_list("serial_no", "qty_to_handle")
    )
