"""Registering warehouse picks and posting warehouse shipments: all or nothing, every problem at once."""

from __future__ import annotations

import datetime

import pytest

from picking.models import PickedStock, PickLine, PostedShipment, RegisteredPick
from picking.services.pick_line_update import pick_line_update
from picking.services.pick_qty_to_handle import pick_autofill_qty_to_handle
from picking.services.pick_register import pick_register
from picking.services.shipment_lines import warehouse_shipment_line_update
from picking.services.shipment_post import warehouse_shipment_post
from tests.clients import refused
from tests.world import (
    World,
    bin_content,
    document,
    ledger,
    post_shipment,
    register,
    shipment_for,
    shipment_line,
    source_line,
    warehouse_entries,
    warehouse_pick_for,
)
from warehouse.services.master_data import lot_info_set

pytestmark = pytest.mark.django_db


def test_registering_reports_every_problem_and_moves_nothing(world: World) -> None:
    # given a warehouse pick: a blank specific serial line, a lot of which some units were taken out since,
    # and a plain line whose place line was sent to a bin that got blocked
    whse = world.add_warehouse()
    w1 = world.bin("W1", whse)
    world.receive(world.sn_spec, w1, {"quantity": 1, "serial_no": "X1"})
    world.receive(world.lot_wh, w1, {"quantity": 4, "lot_no": "L1", "expiration_date": "2030-01-31"})
    world.receive(world.plain, w1, {"quantity": 3})
    doc = document(world, (world.sn_spec, 1), (world.lot_wh, 4), (world.plain, 3), location=whse)
    shipment = shipment_for(world, doc)
    pick = warehouse_pick_for(world, shipment)
    pick_autofill_qty_to_handle(pick_id=pick.pk, user=world.worker)
    world.receive(world.lot_wh, w1, {"quantity": "-1", "lot_no": "L1"})
    plain_place = PickLine.objects.get(pick=pick, item=world.plain, action="place")
    pick_line_update(pick_line_id=plain_place.pk, bin_code="SHIP2", user=world.worker)
    world.bin("SHIP2", whse).__class__.objects.filter(location=whse, code="SHIP2").update(blocked=True)
    before = (bin_content(world.lot_wh), bin_content(world.plain), bin_content(world.sn_spec))

    # when the worker registers
    error = refused(lambda: pick_register(pick_id=pick.pk, user=world.worker), "pick_register_refused")
    # then one problem per line, each with its own code; nothing moved, nothing registered
    assert sorted((e["line"], e["code"]) for e in error.errors) == [
        (10000, "tracking_incomplete"),
        (20000, "insufficient_quantity"),
        (30000, "bin_blocked"),
    ]
    assert (bin_content(world.lot_wh), bin_content(world.plain), bin_content(world.sn_spec)) == before
    assert not RegisteredPick.objects.exists() and not PickedStock.objects.exists()
    assert not PickLine.objects.filter(pick=pick, qty_handled__gt=0).exists()
    assert shipment_line(shipment, 20000).qty_picked == 0


def test_blocked_or_strictly_expired_numbers_are_not_registered(world: World) -> None:
    whse = world.add_warehouse()
    w1 = world.bin("W1", whse)
    world.receive(world.lot_strict, w1, {"quantity": 2, "lot_no": "OLD", "expiration_date": "2030-01-31"})
    world.receive(world.lot_wh, w1, {"quantity": 2, "lot_no": "B1", "expiration_date": "2030-01-31"})
    doc = document(
        world, (world.lot_strict, 2, {"tracking": [("", "OLD", 2)]}), (world.lot_wh, 2), location=whse
    )
    pick = warehouse_pick_for(world, shipment_for(world, doc))
    # when, after the pick was made, lot B1 is blocked and lot OLD turns out to have expired
    lot_info_set(item=world.lot_wh, lot_no="B1", blocked=True)
    lot_info_set(item=world.lot_strict, lot_no="OLD", expiration_date=datetime.date(2020, 1, 31))
    pick_autofill_qty_to_handle(pick_id=pick.pk, user=world.worker)
    error = refused(lambda: pick_register(pick_id=pick.pk, user=world.worker), "pick_register_refused")
    assert sorted((e["line"], e["code"]) for e in error.errors) == [
        (10000, "expired"),
        (20000, "lot_blocked"),
    ]


def test_posting_a_shipment_is_all_or_nothing(world: World) -> None:
    # given a registered pick of two lines, one of whose lots gets blocked in the shipping bin
    whse = world.add_warehouse()
    w1 = world.bin("W1", whse)
    world.receive(world.lot_wh, w1, {"quantity": 4, "lot_no": "L1", "expiration_date": "2030-01-31"})
    world.receive(world.plain, w1, {"quantity": 3})
    doc = document(world, (world.lot_wh, 4), (world.plain, 3), location=whse)
    shipment = shipment_for(world, doc)
    register(world, warehouse_pick_for(world, shipment))
    lot_info_set(item=world.lot_wh, lot_no="L1", blocked=True)
    # when the supervisor posts: refused for the lot line, and the plain line is not shipped either
    error = refused(lambda: post_shipment(world, shipment), "lot_blocked")
    assert [(e["line"], e["code"]) for e in error.errors] == [(10000, "lot_blocked")]
    assert [e[0] for e in ledger(world.plain)] == ["positive_adjustment"]
    assert not PostedShipment.objects.exists() and shipment_line(shipment, 20000).qty_shipped == 0
    # a worker may not post; a shipment with nothing to ship says so
    refused(lambda: warehouse_shipment_post(shipment_id=shipment.pk, user=world.worker), "permission_denied")
    lot_info_set(item=world.lot_wh, lot_no="L1", blocked=False)
    post_shipment(world, shipment)
    refused(lambda: post_shipment(world, shipment), "nothing_to_ship")


def test_a_partial_shipment_ships_exactly_the_registered_numbers_and_keeps_the_rest(world: World) -> None:
    # given 3 serials registered for one shipment line
    whse = world.add_warehouse()
    world.receive(
        world.sn_wh, world.bin("W1", whse), *({"quantity": 1, "serial_no": f"S{i}"} for i in (1, 2, 3))
    )
    doc = document(world, (world.sn_wh, 3), location=whse)
    shipment = shipment_for(world, doc)
    register(world, warehouse_pick_for(world, shipment))
    line = shipment_line(shipment)
    # when 2 are shipped now
    warehouse_shipment_line_update(shipment_line_id=line.pk, qty_to_ship="2", user=world.supervisor)
    post_shipment(world, shipment)
    # then the two registered first left SHIP; the third waits there, still Qty. to Ship 0
    assert [e for e in warehouse_entries(world.sn_wh) if e[0] == "sale"] == [
        ("sale", "SHIP", "", "S1", -1),
        ("sale", "SHIP", "", "S2", -1),
    ]
    line = shipment_line(shipment)
    assert (line.qty_picked, line.qty_shipped, line.qty_to_ship) == (3, 2, 0)
    refused(lambda: post_shipment(world, shipment), "nothing_to_ship")
    warehouse_shipment_line_update(shipment_line_id=line.pk, qty_to_ship="1", user=world.supervisor)
    post_shipment(world, shipment)
    assert ("SHIP", "", "S3", 0) in bin_content(world.sn_wh)
    assert source_line(doc).qty_shipped == 3


def test_shipping_without_picks_needs_every_number_and_enough_stock(world: World) -> None:
    # given a location without picks: an outbound-only serial item with no numbers given, and too little
    only = world.add_warehouse("SHIPONLY", require_pick=False)
    world.receive(world.sn_out, world.bin("W1", only), {"quantity": 5})
    world.receive(world.plain, world.bin("W1", only), {"quantity": 1})
    doc = document(
        world,
        (world.sn_out, 2, {"bin": world.bin("W1", only)}),
        (world.plain, 2, {"bin": world.bin("W1", only)}),
        location=only,
    )
    shipment = shipment_for(world, doc)
    error = refused(lambda: post_shipment(world, shipment), "shipment_post_refused")
    assert sorted((e["line"], e["code"]) for e in error.errors) == [
        (10000, "tracking_incomplete"),
        (20000, "insufficient_quantity"),
    ]
    assert (
        "item tracking lines" in error.errors[0]["detail"]
        or "item tracking lines" in error.errors[1]["detail"]
    )
    assert not PostedShipment.objects.exists()
