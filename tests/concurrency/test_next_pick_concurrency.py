"""PostgreSQL: workers pressing "Next pick" at the same moment each get a different pick (SKIP LOCKED), and
the ones left over are told that no pick is waiting."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction

from core.exceptions import Conflict
from picking.models import Pick
from picking.services.pick_assign import pick_take_next
from tests.world import build_world, make_pick

WORKERS = 6
PICKS = 4

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_workers_pressing_next_pick_at_once_get_different_picks() -> None:
    # given 4 unassigned picks at MAIN and 6 workers there
    world = build_world()
    world.receive(world.plain, "A1", {"quantity": 10})
    picks = [make_pick(world, (world.plain, 1)) for _ in range(PICKS)]
    workers = [world.add_user(f"w{i}", "worker", world.location) for i in range(WORKERS)]
    barrier = threading.Barrier(WORKERS)
    taken: dict[str, int] = {}
    refused: list[str] = []
    failures: list[BaseException] = []

    def press(user: object, name: str) -> None:
        try:
            barrier.wait(timeout=30)
            # when every worker presses "Next pick" at the same moment
            pick = pick_take_next(user=user)
            taken[name] = pick.pk
        except Conflict as exc:
            refused.append(exc.code)
        except BaseException as exc:
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=press, args=(w, w.username)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures, failures
    # then each pick went to exactly one worker, and the two left over were told none is waiting
    assert sorted(taken.values()) == sorted(p.pk for p in picks)
    assert refused == ["no_pick_waiting", "no_pick_waiting"]
    owners = dict(Pick.objects.values_list("pk", "assigned_to__username"))
    assert {owners[pk] for pk in taken.values()} == set(taken)
    assert connection.vendor == "postgresql"


def test_next_pick_does_not_wait_for_a_pick_another_worker_is_taking() -> None:
    # given 2 unassigned picks; worker A's "Next pick" has locked the oldest and not committed yet
    world = build_world()
    world.receive(world.plain, "A1", {"quantity": 10})
    first, second = make_pick(world, (world.plain, 1)), make_pick(world, (world.plain, 1))
    a, b = (world.add_user(name, "worker", world.location) for name in ("wa", "wb"))
    a_has_locked, a_may_commit = threading.Event(), threading.Event()
    got: dict[str, int] = {}

    def worker_a() -> None:
        try:
            with transaction.atomic():
                got["a"] = pick_take_next(user=a).pk
                a_has_locked.set()
                a_may_commit.wait(timeout=30)
        finally:
            connections.close_all()

    def worker_b() -> None:
        try:
            got["b"] = pick_take_next(user=b).pk
        finally:
            connections.close_all()

    thread_a = threading.Thread(target=worker_a)
    thread_a.start()
    assert a_has_locked.wait(timeout=30)
    # when worker B presses "Next pick" meanwhile
    thread_b = threading.Thread(target=worker_b)
    thread_b.start()
    thread_b.join(timeout=5)
    b_done_while_a_open = not thread_b.is_alive()
    a_may_commit.set()
    thread_a.join(timeout=30)
    thread_b.join(timeout=30)
    # then B got the other pick at once, without waiting for A
    assert b_done_while_a_open
    assert (got["a"], got["b"]) == (first.pk, second.pk)
