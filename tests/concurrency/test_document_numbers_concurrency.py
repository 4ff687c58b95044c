"""PostgreSQL: documents take their numbers without holding the series lock to commit.

A posting (or a pick creation) that is still in its transaction does not make another posting or pick
creation of other items wait: each takes its `PPI` / `IPI` number in a short transaction of its own
(`tracking.services.document_no_take`). The numbers stay unique and every document gets one.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connections, transaction

from picking.models import Pick, PostedPick
from picking.services.pick_create import pick_create_from_source
from picking.services.pick_post import pick_post
from picking.services.pick_qty_to_handle import pick_autofill_qty_to_handle
from tests.world import World, build_world, document, make_pick

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

HOLD_S = 8.0  # how long the first transaction stays open after taking its number


def _first_holds_while_second_runs(first: Any, second: Any) -> tuple[float, list[BaseException]]:
    """Run `first()` in a transaction that stays open until `second()` (another thread) has finished (or
    HOLD_S passed); the seconds `second()` took, and any error."""
    first_done, second_done = threading.Event(), threading.Event()
    errors: list[BaseException] = []
    took: list[float] = []

    def run_first() -> None:
        try:
            with transaction.atomic():
                first()
                first_done.set()
                second_done.wait(HOLD_S)
        except BaseException as exc:
            errors.append(exc)
            first_done.set()
        finally:
            connections.close_all()

    def run_second() -> None:
        try:
            assert first_done.wait(30)
            start = time.perf_counter()
            second()
            took.append(time.perf_counter() - start)
        except BaseException as exc:
            errors.append(exc)
        finally:
            second_done.set()
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [pool.submit(run_first), pool.submit(run_second)]
        for future in futures:
            future.result(timeout=60)
    return (took[0] if took else HOLD_S), errors


def _ready_pick(world: World, item: Any, quantity: int, no: str) -> Pick:
    pick = make_pick(world, (item, quantity), no=no)
    pick_autofill_qty_to_handle(pick_id=pick.pk, user=world.supervisor)
    return pick


def test_a_posting_does_not_wait_for_another_posting_still_in_its_transaction() -> None:
    world = build_world()
    world.receive(world.lot_wh, "A1", {"quantity": 5, "lot_no": "L1"})
    world.receive(world.plain, "A1", {"quantity": 5})
    first = _ready_pick(world, world.lot_wh, 2, "SO-FIRST")
    second = _ready_pick(world, world.plain, 2, "SO-SECOND")
    user = world.supervisor

    # when the first posting stays in its transaction (its PPI number taken) while the second one posts
    took, errors = _first_holds_while_second_runs(
        lambda: pick_post(pick_id=first.pk, user=user), lambda: pick_post(pick_id=second.pk, user=user)
    )
    # then the second one did not wait for the first to commit, and both have their own number
    assert not errors, errors
    assert took < HOLD_S / 2, f"the second posting waited {took:.1f} s"
    numbers = list(PostedPick.objects.order_by("no").values_list("no", flat=True))
    assert len(numbers) == 2 and len(set(numbers)) == 2


def test_a_pick_creation_does_not_wait_for_another_still_in_its_transaction() -> None:
    world = build_world()
    world.receive(world.lot_wh, "A1", {"quantity": 5, "lot_no": "L1"})
    world.receive(world.plain, "A1", {"quantity": 5})
    doc_a = document(world, (world.lot_wh, 2), no="SO-A")
    doc_b = document(world, (world.plain, 2), no="SO-B")
    user = world.supervisor

    took, errors = _first_holds_while_second_runs(
        lambda: pick_create_from_source(source_document_id=doc_a.pk, user=user),
        lambda: pick_create_from_source(source_document_id=doc_b.pk, user=user),
    )
    assert not errors, errors
    assert took < HOLD_S / 2, f"the second pick creation waited {took:.1f} s"
    numbers = list(Pick.objects.order_by("no").values_list("no", flat=True))
    assert len(numbers) == 2 and len(set(numbers)) == 2
