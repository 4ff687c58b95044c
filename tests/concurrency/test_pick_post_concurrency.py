"""PostgreSQL: 8 threads post picks that compete for the same lot and the same serial numbers.

Each round: 4 open picks were made while lot L had 12 units; 2 units have since been taken out by an
adjustment, so the picks together ask for more of lot L (12) than the bin holds (10). Two threads post each
pick at the same moment (a double submission), so they also compete for the pick's serial numbers. Per
round, exactly 3 postings succeed; every other thread gets a clear refusal (a DomainError, never an
IntegrityError); nothing is shipped twice, stock never goes below zero, and no partial rows remain.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, connections
from django.db.models import Sum

from core.exceptions import DomainError
from picking.models import Pick, PickLine, PostedPick, PostedPickLine, SourceLine
from picking.services.pick_create import pick_create_from_source
from picking.services.pick_line_update import pick_line_update
from picking.services.pick_post import pick_post
from picking.services.pick_qty_to_handle import pick_autofill_qty_to_handle
from tests.world import World, build_world, document, make_pick
from warehouse.models import BinContent, ItemLedgerEntry

THREADS = 8
ROUNDS = 50
PICKS = 4

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


def prepare_round(world: World, round_no: int) -> list[int]:
    """Four picks competing for lot L{round} (12 asked, 10 in the bin); picks 0 and 1 with a serial each."""
    lot = f"L{round_no}"
    world.receive(world.lot_wh, "A1", {"quantity": 12, "lot_no": lot})
    world.receive(world.sn_wh, "A1", *({"quantity": 1, "serial_no": f"S{round_no}-{k}"} for k in range(2)))
    pick_ids = []
    for k in range(PICKS):
        lines: list[Any] = [(world.lot_wh, 3)]
        if k < 2:
            lines.append((world.sn_wh, 1))
        doc = document(world, *lines, no=f"R{round_no:03d}-{k}")
        result = pick_create_from_source(source_document_id=doc.pk, user=world.supervisor)
        assert result.pick is not None and result.not_picked == []
        pick_autofill_qty_to_handle(pick_id=result.pick.pk, user=world.supervisor)
        pick_ids.append(result.pick.pk)
    world.receive(world.lot_wh, "A1", {"quantity": "-2", "lot_no": lot})
    return pick_ids


def post_concurrently(
    pool: ThreadPoolExecutor, pick_ids: list[int], *, user_id: int, unexpected: list[BaseException]
) -> list[tuple[int, str]]:
    """THREADS threads, two per pick, post at the same moment; (pick id, "posted" or refusal code) each.

    The pool's threads keep their database connections from round to round.
    """
    barrier = threading.Barrier(THREADS)

    def post(index: int) -> tuple[int, str]:
        pick_id = pick_ids[index % PICKS]
        try:
            user = get_user_model().objects.get(pk=user_id)
            barrier.wait(timeout=30)
            pick_post(pick_id=pick_id, user=user)
            return pick_id, "posted"
        except DomainError as exc:
            return pick_id, exc.code
        except BaseException as exc:  # an IntegrityError, a deadlock: the test fails
            unexpected.append(exc)
            return pick_id, f"unexpected: {exc!r}"

    return list(pool.map(post, range(THREADS), timeout=60))


def close_connections(pool: ThreadPoolExecutor) -> None:
    barrier = threading.Barrier(THREADS)

    def close(_: int) -> None:
        barrier.wait(timeout=30)  # one task per thread
        connections.close_all()

    list(pool.map(close, range(THREADS), timeout=60))


def run_round(
    world: World, pool: ThreadPoolExecutor, round_no: int, *, user_id: int, unexpected: list[BaseException]
) -> list[tuple[int, str]]:
    # given four picks competing for one lot, two of them also holding a serial number each
    pick_ids = prepare_round(world, round_no)
    # when two threads per pick post it at the same moment
    results = post_concurrently(pool, pick_ids, user_id=user_id, unexpected=unexpected)
    assert not unexpected, unexpected
    # then exactly three postings succeed, each pick at most once; the rest are clear refusals
    posted = [pick_id for pick_id, outcome in results if outcome == "posted"]
    assert len(results) == THREADS
    assert len(posted) == 3 and len(set(posted)) == 3, results
    refusals = {outcome for _, outcome in results if outcome != "posted"}
    assert refusals <= {"nothing_to_handle", "insufficient_quantity", "pick_post_refused"}, results

    # and nothing was shipped twice, no stock went below zero, no partial rows remain
    lot = f"L{round_no}"
    lot_stock = BinContent.objects.get(item=world.lot_wh, lot_no=lot).quantity
    assert lot_stock == Decimal(1)
    shipped = ItemLedgerEntry.objects.filter(item=world.lot_wh, lot_no=lot, quantity__lt=0, entry_type="sale")
    assert shipped.aggregate(total=Sum("quantity"))["total"] == Decimal(-9)
    for k in range(2):
        serial = f"S{round_no}-{k}"
        sales = ItemLedgerEntry.objects.filter(item=world.sn_wh, serial_no=serial, entry_type="sale").count()
        assert sales == (1 if pick_ids[k] in posted else 0)
        assert BinContent.objects.get(item=world.sn_wh, serial_no=serial).quantity == (
            0 if pick_ids[k] in posted else 1
        )
    for pick_id in pick_ids:
        lines = list(PickLine.objects.filter(pick_id=pick_id))
        done = pick_id in posted
        assert all(line.qty_handled == (line.quantity if done else 0) for line in lines)
        assert PostedPick.objects.filter(pick_id=pick_id).count() == (1 if done else 0)
        assert Pick.objects.get(pk=pick_id).status == ("completed" if done else "open")
        for line in SourceLine.objects.filter(document__picks__pk=pick_id):
            assert line.qty_shipped == (line.quantity if done else 0)
            assert line.qty_shipped + line.qty_on_picks == line.quantity
    return results


def test_eight_threads_posting_competing_picks_never_ship_twice() -> None:
    world = build_world()
    user_id = world.supervisor.pk
    outcomes: list[tuple[int, str]] = []  # (pick id, "posted" or the refusal's code)
    unexpected: list[BaseException] = []
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        try:
            for round_no in range(ROUNDS):
                outcomes.extend(run_round(world, pool, round_no, user_id=user_id, unexpected=unexpected))
        finally:
            close_connections(pool)
    assert not BinContent.objects.filter(quantity__lt=0).exists()
    assert PostedPickLine.objects.filter(posted_pick__pick__isnull=True).count() == 0
    assert connection.vendor == "postgresql"
    assert len([o for _, o in outcomes if o == "posted"]) == 3 * ROUNDS


def test_concurrent_creation_and_selection_never_hand_out_a_unit_twice() -> None:
    """8 threads create picks for the same lot at once (never more than the bin holds), then 8 workers
    select the same serial number on blank case-3 lines at once (exactly one gets it)."""
    world = build_world()
    user_id = world.supervisor.pk
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        try:
            for round_no in range(10):
                # given 10 units of a lot and 8 orders for 3 each
                lot = f"C{round_no}"
                world.receive(world.lot_wh, "A1", {"quantity": 10, "lot_no": lot})
                docs = [document(world, (world.lot_wh, 3), no=f"C{round_no:03d}-{k}") for k in range(THREADS)]
                barrier = threading.Barrier(THREADS)

                def create(index: int, docs: list[Any] = docs, barrier: threading.Barrier = barrier) -> str:
                    user = get_user_model().objects.get(pk=user_id)
                    barrier.wait(timeout=30)
                    try:
                        result = pick_create_from_source(source_document_id=docs[index].pk, user=user)
                    except DomainError as exc:
                        return exc.code
                    return "short" if result.not_picked else "created"

                # when the 8 picks are created at the same moment
                outcomes = list(pool.map(create, range(THREADS), timeout=60))
                # then the lot is never on picks for more than the bin holds
                on_picks = PickLine.objects.filter(item=world.lot_wh, lot_no=lot).aggregate(
                    total=Sum("quantity")
                )
                assert on_picks["total"] == Decimal(10), outcomes
                assert outcomes.count("created") == 3 and outcomes.count("short") == 1, outcomes
                assert outcomes.count("nothing_to_pick") == 4, outcomes

            # given 8 picks of a specific-tracked item with blank lines, and one serial number in the bin
            world.receive(world.sn_spec, "A1", {"quantity": 1, "serial_no": "ONLY-1"})
            world.receive(
                world.sn_spec, "B1", *({"quantity": 1, "serial_no": f"B-{k}"} for k in range(THREADS))
            )
            lines = []
            for k in range(THREADS):
                lines.append(make_pick(world, (world.sn_spec, 1), no=f"SEL-{k}").lines.get())
            barrier = threading.Barrier(THREADS)

            def select(index: int) -> str:
                user = get_user_model().objects.get(pk=world.worker.pk)
                line = lines[index]
                barrier.wait(timeout=30)
                try:
                    pick_line_update(pick_line_id=line.pk, user=user, bin_code="A1", serial_no="ONLY-1")
                except DomainError as exc:
                    return exc.code
                return "selected"

            # when 8 workers scan the same serial number at the same moment
            selections = list(pool.map(select, range(THREADS), timeout=60))
            # then exactly one line carries it; the others got a clear refusal
            assert selections.count("selected") == 1, selections
            assert set(selections) - {"selected"} <= {"serial_not_available", "insufficient_quantity"}, (
                selections
            )
            assert PickLine.objects.filter(serial_no="ONLY-1").count() == 1
        finally:
            close_connections(pool)
