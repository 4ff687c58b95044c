"""PostgreSQL: two supervisors change the Item Tracking Lines of one source line at the same moment.

Each round, on fresh lines, two threads start together (a barrier) and:
- add different serial numbers to a line of 2: both numbers are kept;
- add different serial numbers to a line of 1: exactly one is kept, the other gets a clear refusal
  (`tracking_exceeds_quantity`), and the line's numbers never add up to more than the line;
- change the quantity of the same lot row, both having seen 4: exactly one change is kept, the other gets
  409 `concurrent_change`;
- one deletes the lot row while the other changes it, both having seen 4: exactly one of them is carried out.
No change is ever lost silently, and no thread gets anything but a DomainError.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, connections
from django.db.models import Sum

from core.exceptions import DomainError
from picking.models import ItemTrackingLine, SourceDocument, SourceLine
from picking.services.item_tracking_lines import (
    item_tracking_line_add,
    item_tracking_line_delete,
    item_tracking_line_set_quantity,
)
from picking.services.source_document_create import source_document_create
from tests.world import World, build_world, order

ROUNDS = 20
THREADS = 2

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

Action = Callable[[Any], None]


def together(pool: ThreadPoolExecutor, user_id: int, actions: list[Action]) -> list[str]:
    """Run the actions in two threads at the same moment; "done" or the refusal's code for each."""
    barrier = threading.Barrier(THREADS)

    def run(action: Action) -> str:
        user = get_user_model().objects.get(pk=user_id)
        barrier.wait(timeout=30)
        try:
            action(user)
        except DomainError as exc:
            codes = [e["code"] for e in exc.errors]
            return codes[0] if exc.code == "invalid" and codes else exc.code
        return "done"

    return list(pool.map(run, actions, timeout=60))


def close_connections(pool: ThreadPoolExecutor) -> None:
    barrier = threading.Barrier(THREADS)

    def close(_: int) -> None:
        barrier.wait(timeout=30)  # one task per thread
        connections.close_all()

    list(pool.map(close, range(THREADS), timeout=60))


def prepare(world: World, round_no: int) -> SourceDocument:
    return source_document_create(
        data=order(
            f"CONC-{round_no}",
            {"line_no": 1, "item": "SN-OUT", "quantity": 2},
            {"line_no": 2, "item": "SN-OUT", "quantity": 1},
            {"line_no": 3, "item": "LOT-OUT", "quantity": 10, "tracking": [{"lot_no": "LA", "quantity": 4}]},
            {"line_no": 4, "item": "LOT-OUT", "quantity": 10, "tracking": [{"lot_no": "LB", "quantity": 4}]},
        ),
        user=world.admin,
    )


def add_serial(line: SourceLine, serial_no: str) -> Action:
    def act(user: Any) -> None:
        item_tracking_line_add(source_line_id=line.pk, serial_no=serial_no, quantity=1, user=user)

    return act


def set_quantity(line: SourceLine, row: ItemTrackingLine, quantity: str) -> Action:
    def act(user: Any) -> None:
        item_tracking_line_set_quantity(
            source_line_id=line.pk,
            tracking_line_id=row.pk,
            quantity=quantity,
            expected_quantity="4",
            user=user,
        )

    return act


def delete(line: SourceLine, row: ItemTrackingLine) -> Action:
    def act(user: Any) -> None:
        item_tracking_line_delete(
            source_line_id=line.pk, tracking_line_id=row.pk, expected_quantity="4", user=user
        )

    return act


def numbers(line: SourceLine) -> list[tuple[str, str, Decimal]]:
    return list(
        line.tracking_lines.order_by("serial_no", "lot_no").values_list("serial_no", "lot_no", "quantity")
    )


def run_round(world: World, pool: ThreadPoolExecutor, round_no: int, user_id: int) -> None:
    document = prepare(world, round_no)
    two, one, lot_a, lot_b = document.lines.order_by("line_no")
    row_a, row_b = lot_a.tracking_lines.get(), lot_b.tracking_lines.get()

    # two supervisors add different serial numbers to a line of 2: both are kept
    outcomes = together(pool, user_id, [add_serial(two, f"A{round_no}"), add_serial(two, f"B{round_no}")])
    assert outcomes == ["done", "done"], outcomes
    assert [s for s, _, _ in numbers(two)] == [f"A{round_no}", f"B{round_no}"]

    # ... to a line of 1: one is kept, the other is refused; never more numbers than the line's quantity
    outcomes = together(pool, user_id, [add_serial(one, f"C{round_no}"), add_serial(one, f"D{round_no}")])
    assert sorted(outcomes) == ["done", "tracking_exceeds_quantity"], outcomes
    kept = f"C{round_no}" if outcomes[0] == "done" else f"D{round_no}"
    assert numbers(one) == [(kept, "", Decimal(1))]
    assert one.tracking_lines.aggregate(total=Sum("quantity"))["total"] <= one.quantity

    # both change the same lot row they saw at 4: one change is kept, the other is told
    outcomes = together(pool, user_id, [set_quantity(lot_a, row_a, "5"), set_quantity(lot_a, row_a, "6")])
    assert sorted(outcomes) == ["concurrent_change", "done"], outcomes
    winner = Decimal(5) if outcomes[0] == "done" else Decimal(6)
    assert numbers(lot_a) == [("", "LA", winner)]

    # one deletes the row the other changes: exactly one of them happens
    outcomes = together(pool, user_id, [delete(lot_b, row_b), set_quantity(lot_b, row_b, "7")])
    assert sorted(outcomes) == ["concurrent_change", "done"], outcomes
    assert numbers(lot_b) == ([] if outcomes[0] == "done" else [("", "LB", Decimal(7))])


def test_two_supervisors_editing_one_line_never_lose_a_change_silently() -> None:
    world = build_world()
    user_id = world.supervisor.pk
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        try:
            for round_no in range(ROUNDS):
                run_round(world, pool, round_no, user_id)
        finally:
            close_connections(pool)
    assert connection.vendor == "postgresql"
