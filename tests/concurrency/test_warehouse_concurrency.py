"""PostgreSQL: 8 threads register warehouse picks and post warehouse shipments that compete for the same lot
and the same serial numbers.

Each round: 4 shipments of 3 units of lot L each (two of them also one serial number each) got a warehouse
pick while W1 held 12 of the lot; 2 units have since been taken out of W1, so the picks together want more
(12) than the bin holds (10). Two threads register each pick at the same moment (a double submission), so
they also compete for the pick's serial numbers: exactly 3 registrations succeed. Then 2 of the registered
units are taken out of the shipping bin, so the 3 shipments want 9 of the 7 there, and two threads post
each shipment at the same moment: exactly 2 postings succeed. Every other thread gets a clear refusal (a
DomainError, never an IntegrityError or a deadlock); no unit is moved or shipped twice, no bin content goes
below zero, and no partial rows remain.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Sum

from core.exceptions import DomainError
from picking.models import Pick, PickedStock, PickLine, PostedShipment, RegisteredPick, WarehouseShipmentLine
from picking.services.pick_qty_to_handle import pick_autofill_qty_to_handle
from picking.services.pick_register import pick_register
from picking.services.shipment_post import warehouse_shipment_post
from tests.concurrency.test_pick_post_concurrency import THREADS, close_connections
from tests.world import World, build_world, document, shipment_for, warehouse_pick_for
from warehouse.models import BinContent, ItemLedgerEntry, Location, WarehouseEntry

ROUNDS = 50
PICKS = 4

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def prepare_round(world: World, whse: Location, round_no: int) -> tuple[list[int], list[int]]:
    """Four shipments with a warehouse pick each, competing for lot L{round} (12 asked, 10 in W1); the
    first two also hold a serial number each. Returns (pick ids, shipment ids)."""
    w1 = world.bin("W1", whse)
    lot = f"L{round_no}"
    world.receive(world.lot_wh, w1, {"quantity": 12, "lot_no": lot, "expiration_date": "2030-01-31"})
    world.receive(world.sn_wh, w1, *({"quantity": 1, "serial_no": f"S{round_no}-{k}"} for k in range(2)))
    pick_ids, shipment_ids = [], []
    for k in range(PICKS):
        lines: list[Any] = [(world.lot_wh, 3)]
        if k < 2:
            lines.append((world.sn_wh, 1))
        shipment = shipment_for(world, document(world, *lines, no=f"W{round_no:03d}-{k}", location=whse))
        pick = warehouse_pick_for(world, shipment)
        pick_autofill_qty_to_handle(pick_id=pick.pk, user=world.supervisor)
        pick_ids.append(pick.pk)
        shipment_ids.append(shipment.pk)
    world.receive(world.lot_wh, w1, {"quantity": "-2", "lot_no": lot})
    return pick_ids, shipment_ids


def at_once(
    pool: ThreadPoolExecutor,
    ids: list[int],
    action: Callable[[int, Any], object],
    *,
    user_id: int,
    unexpected: list[BaseException],
) -> list[tuple[int, str]]:
    """THREADS threads, two per id, call `action(id, user)` at the same moment; (id, "done" or refusal
    code) each. The pool's threads keep their database connections from round to round."""
    barrier = threading.Barrier(THREADS)

    def call(index: int) -> tuple[int, str]:
        target = ids[index % len(ids)]
        try:
            user = get_user_model().objects.get(pk=user_id)
            barrier.wait(timeout=30)
            action(target, user)
            return target, "done"
        except DomainError as exc:
            return target, str(exc.code)
        except BaseException as exc:  # an IntegrityError, a deadlock: the test fails
            unexpected.append(exc)
            return target, f"unexpected: {exc!r}"

    return list(pool.map(call, range(THREADS), timeout=120))


def run_round(
    world: World, whse: Location, pool: ThreadPoolExecutor, round_no: int, *, unexpected: list[BaseException]
) -> None:
    user_id = world.supervisor.pk
    lot = f"L{round_no}"
    # given four warehouse picks competing for one lot, two of them also holding a serial number each
    pick_ids, shipment_ids = prepare_round(world, whse, round_no)

    # when two threads per pick register it at the same moment
    results = at_once(
        pool,
        pick_ids,
        lambda pk, user: pick_register(pick_id=pk, user=user),
        user_id=user_id,
        unexpected=unexpected,
    )
    assert not unexpected, unexpected
    # then exactly three registrations succeed, each pick at most once; the rest are clear refusals
    registered = [pk for pk, outcome in results if outcome == "done"]
    assert len(registered) == 3 and len(set(registered)) == 3, results
    assert {o for _, o in results if o != "done"} <= {"nothing_to_handle", "insufficient_quantity"}, results
    # and nothing was moved twice: 9 of the lot and the registered serials are in SHIP, W1 holds the rest
    assert BinContent.objects.get(item=world.lot_wh, lot_no=lot, bin__code="SHIP").quantity == 9
    assert BinContent.objects.get(item=world.lot_wh, lot_no=lot, bin__code="W1").quantity == 1
    for pick_id in pick_ids:
        done = pick_id in registered
        assert RegisteredPick.objects.filter(pick_id=pick_id).count() == (1 if done else 0)
        assert Pick.objects.get(pk=pick_id).status == ("completed" if done else "open")
        lines = PickLine.objects.filter(pick_id=pick_id)
        assert all(line.qty_handled == (line.quantity if done else 0) for line in lines)
    for k in range(2):
        in_ship = BinContent.objects.filter(
            item=world.sn_wh, serial_no=f"S{round_no}-{k}", bin__code="SHIP", quantity=1
        ).exists()
        assert in_ship == (pick_ids[k] in registered)

    # when 2 units leave the shipping bin, and two threads per shipment post it at the same moment
    world.receive(world.lot_wh, world.bin("SHIP", whse), {"quantity": "-2", "lot_no": lot})
    posted_results = at_once(
        pool,
        shipment_ids,
        lambda pk, user: warehouse_shipment_post(shipment_id=pk, user=user),
        user_id=user_id,
        unexpected=unexpected,
    )
    assert not unexpected, unexpected
    # then exactly two postings succeed (6 of the 7 units), each shipment at most once
    posted = [pk for pk, outcome in posted_results if outcome == "done"]
    assert len(posted) == 2 and len(set(posted)) == 2, posted_results
    assert {o for _, o in posted_results if o != "done"} <= {"nothing_to_ship", "insufficient_quantity"}, (
        posted_results
    )
    assert BinContent.objects.get(item=world.lot_wh, lot_no=lot, bin__code="SHIP").quantity == 1
    sales = ItemLedgerEntry.objects.filter(item=world.lot_wh, lot_no=lot, entry_type="sale")
    assert sales.aggregate(total=Sum("quantity"))["total"] == Decimal(-6)
    for k in range(2):
        serial = f"S{round_no}-{k}"
        shipped = ItemLedgerEntry.objects.filter(
            item=world.sn_wh, serial_no=serial, entry_type="sale"
        ).count()
        assert shipped == (1 if shipment_ids[k] in posted else 0)
    for shipment_id in shipment_ids:
        assert PostedShipment.objects.filter(shipment_id=shipment_id).count() == (
            1 if shipment_id in posted else 0
        )
        for line in WarehouseShipmentLine.objects.filter(shipment_id=shipment_id):
            assert line.qty_shipped == (line.quantity if shipment_id in posted else 0)
            assert line.qty_shipped <= line.qty_picked
            shipped_from_stock = PickedStock.objects.filter(shipment_line=line).aggregate(
                total=Sum("qty_shipped")
            )
            assert (shipped_from_stock["total"] or 0) == line.qty_shipped


def test_eight_threads_registering_and_posting_never_move_or_ship_a_unit_twice() -> None:
    world = build_world()
    whse = world.add_warehouse()
    unexpected: list[BaseException] = []
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        try:
            for round_no in range(ROUNDS):
                run_round(world, whse, pool, round_no, unexpected=unexpected)
        finally:
            close_connections(pool)
    assert connection.vendor == "postgresql"
    assert not BinContent.objects.filter(quantity__lt=0).exists()
    assert RegisteredPick.objects.count() == 3 * ROUNDS and PostedShipment.objects.count() == 2 * ROUNDS
    # every bin content row is the sum of its warehouse entries
    totals = {
        (row["bin_id"], row["lot_no"], row["serial_no"]): row["total"]
        for row in WarehouseEntry.objects.filter(item__in=[world.lot_wh, world.sn_wh])
        .values("bin_id", "lot_no", "serial_no")
        .annotate(total=Sum("quantity"))
    }
    for content in BinContent.objects.filter(item__in=[world.lot_wh, world.sn_wh]):
        assert totals[(content.bin_id, content.lot_no, content.serial_no)] == content.quantity
