"""Tracing a lot shipped on many documents takes a number of queries that does not grow with the documents
(the set-based reads of picking.selectors.tracing); `make bench` measures the time (scenario `trace`)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from benchmarks.tracing import shipped_lot
from picking.selectors.tracing import item_trace

pytestmark = pytest.mark.django_db


def _queries(documents: int, direction: str) -> tuple[int, int]:
    lot = shipped_lot(documents, prefix=f"Q{direction[0].upper()}")
    with CaptureQueriesContext(connection) as captured:
        trace = item_trace(user=lot.user, item_no=lot.item_no, lot_no=lot.lot_no, direction=direction)
    return len(captured), trace.node_count


@pytest.mark.parametrize("direction", ["forward", "backward"])
def test_tracing_queries_do_not_grow_with_the_documents(direction: str) -> None:
    few, few_nodes = _queries(3, direction)
    many, many_nodes = _queries(60, direction)
    # forward: the receipt, per document its posted pick and the document; backward: the document, its
    # posted pick and the receipt it came from
    assert (few_nodes, many_nodes) == ((1 + 3 * 2, 1 + 60 * 2) if direction == "forward" else (3 * 3, 60 * 3))
    assert few == many
    assert many <= 8  # the item, the user's locations, six reads, the documents


def test_a_worker_trace_costs_the_same_fixed_number_of_queries(world, django_assert_max_num_queries) -> None:
    world.receive(world.lot_wh, "A1", {"quantity": "5", "lot_no": "L-Q"})
    with django_assert_max_num_queries(9):
        item_trace(user=world.worker, item_no="LOT-WH", lot_no="L-Q")
