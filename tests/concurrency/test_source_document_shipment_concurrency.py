"""PostgreSQL: the ERP cancels a document or lowers a line at the same moment as a supervisor gathers it on
a warehouse shipment. Each round, 8 threads at once (every other round the ERP's threads start 50 ms late,
so that both sides win some rounds): 4 create a shipment for the round's two documents (so they also
compete with each other), 2 cancel the first document, 2 lower the second document's line to 1.
Whatever the order, a cancelled document is never on a shipment, a line never holds less than its
shipment line, a source line is on one open shipment line at most, and every thread gets either success
or a domain refusal (never an integrity error or a deadlock). The source lines are the one lock they all
take (docs/architecture.md); without the status read after that lock, a cancel committed while a shipment
waited for the lines would let the cancelled document be shipped.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Count

from core.exceptions import DomainError
from picking.models import SourceDocument, SourceLine, WarehouseShipmentLine
from picking.services.shipment_create import warehouse_shipment_create
from picking.services.source_document_change import source_document_cancel
from picking.services.source_lines import source_line_set_quantity
from tests.concurrency.test_pick_post_concurrency import THREADS, close_connections
from tests.world import build_world, document

ROUNDS = 25

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_cancelling_or_lowering_while_a_shipment_gathers_the_lines_never_contradicts_it() -> None:
    world = build_world()
    whse = world.add_warehouse()
    supervisor_id, admin_id = world.supervisor.pk, world.admin.pk
    outcomes: dict[str, set[str]] = {"ship": set(), "cancel": set(), "lower": set()}
    unexpected: list[BaseException] = []
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        for round_no in range(ROUNDS):
            first = document(world, (world.plain, 3), no=f"C{round_no:03d}-A", location=whse)
            second = document(world, (world.plain, 3), no=f"C{round_no:03d}-B", location=whse)
            second_line = SourceLine.objects.get(document=second).pk
            barrier = threading.Barrier(THREADS)
            delayed = round_no % 2 == 1

            def call(
                index: int,
                first_id: int = first.pk,
                second_id: int = second.pk,
                line: int = second_line,
                barrier: threading.Barrier = barrier,
                delayed: bool = delayed,
            ) -> None:
                kind = "ship" if index < 4 else "cancel" if index < 6 else "lower"
                try:
                    user = get_user_model().objects.get(pk=supervisor_id if kind == "ship" else admin_id)
                    barrier.wait(timeout=30)
                    if kind != "ship" and delayed:
                        time.sleep(0.05)  # the shipments lock the lines first this round
                    if kind == "ship":
                        warehouse_shipment_create(
                            location_code="WHSE", source_document_ids=[first_id, second_id], user=user
                        )
                    elif kind == "cancel":
                        source_document_cancel(document_id=first_id, user=user)
                    else:
                        source_line_set_quantity(source_line_id=line, quantity=1, user=user)
                    outcomes[kind].add("done")
                except DomainError as exc:
                    outcomes[kind].add(exc.code)
                except BaseException as exc:
                    unexpected.append(exc)

            list(pool.map(call, range(THREADS), timeout=120))
            # then the round is consistent, whatever won
            assert not unexpected, unexpected
            first.refresh_from_db()
            on_shipments = WarehouseShipmentLine.objects.filter(source_line__document=first).count()
            assert not (first.status == SourceDocument.Status.CANCELLED and on_shipments), round_no
            for line in SourceLine.objects.filter(document__in=[first, second]):
                held = WarehouseShipmentLine.objects.filter(source_line=line).values_list(
                    "quantity", flat=True
                )
                assert line.quantity >= line.qty_shipped + line.qty_on_shipments + line.qty_on_picks
                assert line.qty_on_shipments == sum(held), round_no
            doubled = (
                WarehouseShipmentLine.objects.values("source_line").annotate(n=Count("pk")).filter(n__gt=1)
            )
            assert not doubled.exists()
        close_connections(pool)
    # and only the documented answers were given
    assert (
        {"done", "nothing_to_ship"} <= outcomes["ship"] <= {"done", "nothing_to_ship", "document_cancelled"}
    )
    # and each side won some rounds: the shipment, or the cancel and the lowered line
    assert outcomes["cancel"] == {"done", "line_committed"}, outcomes
    assert outcomes["lower"] == {"done", "quantity_below_committed"}, outcomes
