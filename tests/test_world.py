"""The test world (tests/world.py) is what its docstring promises: each item tracks what its outbound case
needs, each tracking code has one meaning, the users work where they should, and a scenario extends the
world in a few lines instead of building its own."""

from __future__ import annotations

from typing import Any

import pytest

from tests.world import (
    EXP_LATE,
    TRACKING_CODES,
    World,
    bin_content,
    build_world,
    document,
    source_line,
    with_source_document_stock,
)
from tracking.rules import requirement
from warehouse.scoping import visible_locations

pytestmark = pytest.mark.django_db


def test_each_item_tracks_what_its_case_needs(world: World) -> None:
    def req(item: Any) -> Any:
        return requirement(item.tracking_code)

    # case 1: numbers in stock, proposed
    assert req(world.sn_wh).serial.warehouse and not req(world.sn_wh).serial.specific
    assert req(world.lot_wh).lot.warehouse and req(world.lot_wh).use_expiration_dates
    # case 3: specific numbers the worker selects
    assert req(world.sn_spec).serial.specific and not req(world.sn_spec).use_expiration_dates
    assert req(world.lot_spec).lot.specific
    # case 2: new numbers from the item's series
    assert req(world.sn_out).serial.outbound_only and world.sn_out.serial_nos is not None
    assert req(world.lot_out).lot.outbound_only and world.lot_out.lot_nos is not None
    strict = req(world.lot_strict)
    assert strict.lot.warehouse and strict.require_expiration_date_entry and strict.strict_expiration_posting
    assert not req(world.plain).tracked
    assert world.admin.is_superuser and world.admin.is_staff


def test_every_tracking_code_has_one_meaning() -> None:
    flags = [tuple(sorted(f.items())) for f in TRACKING_CODES.values()]
    assert len(set(flags)) == len(flags)


def test_expiring_serials_get_their_own_tracking_code(db: Any) -> None:
    world = with_source_document_stock(build_world(expiring_serials=True))
    assert world.sn_spec.tracking_code is not None and world.sn_spec.tracking_code.code == "SNSPEC-EXP"
    assert requirement(world.sn_spec.tracking_code).use_expiration_dates
    assert bin_content(world.sn_spec) == [("A1", "", f"SN-00{i}", 1) for i in range(1, 6)]


def test_users_work_where_the_world_says(world: World) -> None:
    assert list(visible_locations(world.worker)) == [world.location]
    assert list(visible_locations(world.supervisor)) == [world.location]
    assert list(visible_locations(world.outsider)) == [world.east]
    assert world.supervisor.has_perm("picking.post_pick") and not world.worker.has_perm("picking.post_pick")


def test_a_location_with_shipments_extends_the_world_in_a_few_lines(world: World) -> None:
    # given a location WHSE that requires shipment and pick, with storage bins and a shipping bin
    whse = world.add_location("WHSE", "S1", "S2", "SHIP", require_shipment=True, shipment_bin="SHIP")
    whse_worker = world.add_user("worker-whse", "worker", whse)
    world.receive(
        world.lot_wh, world.bin("S1", whse), {"quantity": 5, "lot_no": "W1", "expiration_date": EXP_LATE}
    )
    doc = document(world, (world.lot_wh, 2), location=whse)
    # then the location, its bins, its worker, its stock and its source document are there
    assert (whse.require_shipment, whse.require_pick, whse.bin_mandatory) == (True, True, True)
    assert whse.shipment_bin is not None and whse.shipment_bin.code == "SHIP"
    assert sorted(whse.bins.values_list("code", flat=True)) == ["S1", "S2", "SHIP"]
    assert list(visible_locations(whse_worker)) == [whse]
    assert bin_content(world.lot_wh) == [("S1", "W1", "", 5)]
    assert source_line(doc).document.location == whse and source_line(doc).quantity == 2
