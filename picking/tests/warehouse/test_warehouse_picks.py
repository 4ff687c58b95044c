"""Warehouse picks: pairs, the place line following its take line through every line service, wave picks,
shipping bins never picked from, and `post` refused."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from picking.models import Pick, PickLine
from picking.services.pick_create import pick_create_from_source
from picking.services.pick_line_split import pick_line_split
from picking.services.pick_line_update import pick_line_update
from picking.services.pick_post import pick_post, pick_post_and_delete_rest
from picking.services.pick_qty_to_handle import pick_autofill_qty_to_handle, pick_delete_qty_to_handle
from picking.services.pick_register import pick_register
from picking.services.pick_scan import pick_scan
from picking.services.warehouse_pick_create import warehouse_pick_create
from tests.clients import refused
from tests.world import World, document, register, shipment_for, shipment_line, warehouse_pick_for

pytestmark = pytest.mark.django_db


def pairs(pick: Pick) -> list[tuple[PickLine, PickLine]]:
    lines = {line.pk: line for line in PickLine.objects.filter(pick=pick).select_related("bin")}
    return sorted(
        ((line, lines[line.pair_id or 0]) for line in lines.values() if line.action == "take"),
        key=lambda pair: pair[0].line_no,
    )


def code(line: PickLine) -> str:
    return line.bin.code if line.bin is not None else ""


def followed(pick: Pick) -> list[tuple[Any, ...]]:
    """(take bin, place bin, lot, serial, quantity, to handle, handled) per pair; the place line agrees."""
    result = []
    for take, place in pairs(pick):
        fields = ("lot_no", "serial_no", "quantity", "qty_to_handle", "qty_handled", "tracking_locked")
        assert [getattr(take, f) for f in fields] == [getattr(place, f) for f in fields], (take, place)
        assert (take.pair_id, place.pair_id, take.shipment_line_id) == (
            place.pk,
            take.pk,
            place.shipment_line_id,
        )
        result.append(
            (code(take), code(place), take.lot_no, take.serial_no, take.quantity, take.qty_to_handle)
        )
    return result


def test_the_place_line_follows_every_change_of_its_take_line(world: World) -> None:
    # given a warehouse pick of 3 serials (case 3: blank) and 4 units without numbers (case 2 lot)
    whse = world.add_warehouse()
    w1 = world.bin("W1", whse)
    world.receive(world.sn_spec, w1, *({"quantity": 1, "serial_no": f"X{i}"} for i in range(1, 5)))
    world.receive(world.lot_out, w1, {"quantity": 10})
    doc = document(world, (world.sn_spec, 3), (world.lot_out, 4), location=whse)
    pick = warehouse_pick_for(world, shipment_for(world, doc))
    (serial_take, serial_place), (lot_take, _lot_place) = pairs(pick)
    worker = world.worker
    assert followed(pick) == [("W1", "SHIP", "", "", 3, 0), ("W1", "SHIP", "", "", 4, 0)]

    # when the worker splits, selects, sets Qty. to Handle and scans on take lines
    pick_line_split(pick_line_id=serial_take.pk, quantity="1", user=worker)
    pick_line_update(pick_line_id=serial_take.pk, serial_no="X2", user=worker)
    pick_line_update(pick_line_id=lot_take.pk, qty_to_handle="3", user=worker)
    pick_scan(pick_id=pick.pk, code="X4", user=worker)
    pick_line_update(pick_line_id=serial_place.pk, bin_code="SHIP2", user=worker)
    # then every pair agrees: the split-off serial units have their own place lines (the scan put X4 on
    # the first blank serial line, whose place line then went to SHIP2)
    assert sorted(followed(pick)) == sorted(
        [
            ("W1", "SHIP", "", "", 1, 0),
            ("W1", "SHIP", "", "X2", 1, 0),
            ("W1", "SHIP2", "", "X4", 1, 1),
            ("W1", "SHIP", "", "", 4, 3),
        ]
    )
    assert PickLine.objects.filter(pick=pick).count() == 8
    # and Autofill / Delete Qty. to Handle set both lines of every pair
    pick_autofill_qty_to_handle(pick_id=pick.pk, user=worker)
    assert {t[5] for t in followed(pick)} == {1, 4}
    pick_delete_qty_to_handle(pick_id=pick.pk, user=worker)
    assert {t[5] for t in followed(pick)} == {0}


def test_on_a_place_line_only_its_bin_and_qty_to_handle_change(world: World) -> None:
    whse = world.add_warehouse()
    world.receive(
        world.lot_wh, world.bin("W1", whse), {"quantity": 5, "lot_no": "L1", "expiration_date": "2030-01-31"}
    )
    doc = document(world, (world.lot_wh, 3), location=whse)
    pick = warehouse_pick_for(world, shipment_for(world, doc))
    ((take, place),) = pairs(pick)

    def update(line: PickLine, **changes: Any) -> Any:
        return lambda: pick_line_update(pick_line_id=line.pk, user=world.worker, **changes)

    # then numbers on the place line are its take line's; its bin must be a shipping bin of the location
    assert refused(update(place, lot_no="L2"), "field_read_only").errors[0]["field"] == "lot_no"
    assert refused(update(place, bin_code="W2"), "bin_not_shipping").errors[0]["field"] == "bin"
    assert refused(update(place, bin_code="NOPE"), "invalid").errors[0]["code"] == "not_found"
    refused(update(place, qty_to_handle="4"), "qty_to_handle_exceeds_outstanding")
    refused(
        lambda: pick_line_split(pick_line_id=place.pk, quantity="1", user=world.worker), "not_a_take_line"
    )
    # and a take line never takes from a shipping bin
    assert refused(update(take, bin_code="SHIP2"), "bin_is_shipping").errors[0]["field"] == "bin"
    assert followed(pick) == [("W1", "SHIP", "L1", "", 3, 0)]
    # what is allowed: the same numbers again, another shipping bin, Qty. to Handle for the pair
    update(place, lot_no="L1", bin_code="SHIP2", qty_to_handle="2")()
    assert followed(pick) == [("W1", "SHIP2", "L1", "", 3, 2)]


def test_a_wave_pick_picks_for_several_shipments_and_never_from_shipping_bins(world: World) -> None:
    # given two orders on two shipments, stock in W1 and more of it already in the shipping bin
    whse = world.add_warehouse()
    world.receive(world.plain, world.bin("W1", whse), {"quantity": 4})
    world.receive(world.plain, world.bin("SHIP2", whse), {"quantity": 50})
    first = shipment_for(world, document(world, (world.plain, 2), location=whse))
    second = shipment_for(world, document(world, (world.plain, 3), location=whse))
    # when one warehouse pick is made for both
    result = warehouse_pick_create(shipment_ids=[first.pk, second.pk], user=world.supervisor)
    assert result.pick is not None
    # then it takes 2 + 2 from W1 (never from SHIP2) and reports the unit it could not cover
    assert followed(result.pick) == [("W1", "SHIP", "", "", 2, 0), ("W1", "SHIP", "", "", 2, 0)]
    assert [(n.shipment_no, n.line_no, n.quantity) for n in result.not_picked] == [(second.no, 10000, 1)]
    assert "none in stock" not in result.not_picked[0].reason and "4 in stock" in result.not_picked[0].reason
    assert (shipment_line(first).qty_on_picks, shipment_line(second).qty_on_picks) == (2, 2)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("released", "released")
    # and an inventory pick at MAIN never plans from a shipping bin either
    main_ship = world.add_location("MAIN2", "M1", "MSHIP", shipment_bin="MSHIP")
    world.add_user("sup-main2", "supervisor", main_ship)
    world.receive(world.plain, world.bin("MSHIP", main_ship), {"quantity": 5})
    doc = document(world, (world.plain, 1), location=main_ship)
    error = refused(
        lambda: pick_create_from_source(source_document_id=doc.pk, user=world.admin), "nothing_to_pick"
    )
    assert error.data["not_picked"][0]["quantity"] == "1"
    # and wave picks are at one location only
    other = world.add_warehouse("WHSE2")
    third = shipment_for(world, document(world, (world.plain, 1), location=other))
    refused(
        lambda: warehouse_pick_create(shipment_ids=[first.pk, third.pk], user=world.supervisor),
        "other_location",
    )
    refused(lambda: warehouse_pick_create(shipment_ids=[], user=world.supervisor), "invalid")
    refused(lambda: warehouse_pick_create(shipment_ids=[first.pk], user=world.worker), "permission_denied")
    refused(lambda: warehouse_pick_create(shipment_ids=[first.pk], user=world.supervisor), "nothing_to_pick")


def test_warehouse_picks_are_registered_not_posted(world: World) -> None:
    whse = world.add_warehouse()
    world.receive(world.plain, world.bin("W1", whse), {"quantity": 4})
    world.receive(world.plain, "A1", {"quantity": 4})
    pick = warehouse_pick_for(world, shipment_for(world, document(world, (world.plain, 2), location=whse)))
    pick_autofill_qty_to_handle(pick_id=pick.pk, user=world.supervisor)
    refused(lambda: pick_post(pick_id=pick.pk, user=world.supervisor), "register_instead")
    refused(lambda: pick_post_and_delete_rest(pick_id=pick.pk, user=world.supervisor), "register_instead")
    inventory = pick_create_from_source(
        source_document_id=document(world, (world.plain, 1)).pk, user=world.supervisor
    )
    assert inventory.pick is not None
    inventory_pick_id = inventory.pick.pk
    refused(lambda: pick_register(pick_id=inventory_pick_id, user=world.supervisor), "post_instead")
    # workers register warehouse picks
    assert pick_register(pick_id=pick.pk, user=world.worker).lines.count() == 2
    refused(lambda: pick_register(pick_id=pick.pk, user=world.worker), "nothing_to_handle")


def test_a_place_line_always_has_its_pair_in_the_database(world: World) -> None:
    whse = world.add_warehouse()
    world.receive(world.plain, world.bin("W1", whse), {"quantity": 4})
    pick = warehouse_pick_for(world, shipment_for(world, document(world, (world.plain, 2), location=whse)))
    ((take, place),) = pairs(pick)
    with pytest.raises(IntegrityError, match="pick_line_place_has_pair"), transaction.atomic():
        PickLine.objects.filter(pk=place.pk).update(pair=None)
    assert register(world, pick).lines.count() == 2 and take.quantity == Decimal(2)
