"""Scenario: a lot received in two bins (and at a warehouse-shipment location), shipped to three customers
through inventory picks and a warehouse shipment, partly on an open pick. Tracing shows every node with the
right quantities both ways; a recall holds the open pick line, refuses its posting with the recall's
reason, lists the three customers with their quantities and the stock left; closing it lets the pick post.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from core.events import Event
from core.exceptions import Conflict, ErrorCode
from core.quantities import format_quantity
from picking.exceptions import PickPostRefused, PickRegisterRefused, ShipmentPostRefused
from picking.selectors.recalls import recall_report
from picking.selectors.tracing import TraceNode, item_trace
from picking.services.pick_post import pick_post
from picking.services.pick_qty_to_handle import pick_autofill_qty_to_handle
from picking.services.pick_register import pick_register
from picking.services.recalls import recall_close, recall_open
from tests.acceptance.recall_world import LOT, REASON, build_recall_world
from tests.world import (
    document,
    pick_from,
    post_shipment,
    register,
    shipment_for,
    warehouse_pick_for,
)
from warehouse.models import LotNoInformation
from warehouse.services.master_data import lot_info_set

pytestmark = pytest.mark.django_db


def shape(nodes: list[TraceNode]) -> list[Any]:
    """(kind, quantity, bin, partner, children) of each node, for comparing whole trees."""
    return sorted(
        (n.kind, format_quantity(n.quantity), n.bin or "", n.partner or "", shape(n.children)) for n in nodes
    )


def test_tracing_forward_shows_every_node_with_its_quantity(world: Any) -> None:
    build_recall_world(world)
    trace = item_trace(user=world.supervisor, item_no="LOT-WH", lot_no=LOT, direction="forward")
    assert shape(trace.nodes) == sorted(
        [
            (
                "receipt",
                "6",
                "A1",
                "",
                sorted(
                    [
                        (
                            "posted_pick",
                            "3",
                            "A1",
                            "Alpha Foods",
                            [("source_document", "3", "", "Alpha Foods", [])],
                        ),
                        (
                            "posted_pick",
                            "3",
                            "A1, B1",
                            "Bravo Market",
                            [("source_document", "3", "", "Bravo Market", [])],
                        ),
                    ]
                ),
            ),
            (
                "receipt",
                "4",
                "B1",
                "",
                [
                    (
                        "posted_pick",
                        "2",
                        "A1, B1",
                        "Bravo Market",
                        [("source_document", "2", "", "Bravo Market", [])],
                    )
                ],
            ),
            (
                "receipt",
                "10",
                "W1",
                "",
                [
                    (
                        "posted_shipment",
                        "4",
                        "SHIP",
                        "Charlie Stores",
                        [("source_document", "4", "", "Charlie Stores", [])],
                    )
                ],
            ),
            (
                "registered_pick",
                "4",
                "W1 → SHIP",
                "Charlie Stores",
                [("source_document", "4", "", "Charlie Stores", [])],
            ),
            ("pick", "2", "B1", "Delta Deli", [("source_document", "2", "", "Delta Deli", [])]),
        ]
    )


def test_tracing_backward_shows_every_node_with_its_quantity(world: Any) -> None:
    build_recall_world(world)
    trace = item_trace(user=world.supervisor, item_no="LOT-WH", lot_no=LOT, direction="backward")
    assert shape(trace.nodes) == sorted(
        [
            (
                "source_document",
                "3",
                "",
                "Alpha Foods",
                [("posted_pick", "3", "A1", "Alpha Foods", [("receipt", "3", "A1", "", [])])],
            ),
            (
                "source_document",
                "5",
                "",
                "Bravo Market",
                [
                    (
                        "posted_pick",
                        "5",
                        "A1, B1",
                        "Bravo Market",
                        sorted([("receipt", "3", "A1", "", []), ("receipt", "2", "B1", "", [])]),
                    )
                ],
            ),
            (
                "source_document",
                "4",
                "",
                "Charlie Stores",
                sorted(
                    [
                        ("posted_shipment", "4", "SHIP", "Charlie Stores", [("receipt", "4", "W1", "", [])]),
                        ("registered_pick", "4", "W1 → SHIP", "Charlie Stores", []),
                    ]
                ),
            ),
            ("source_document", "2", "", "Delta Deli", [("pick", "2", "B1", "Delta Deli", [])]),
        ]
    )


def test_a_recall_holds_the_open_pick_refuses_posting_lists_customers_and_stock_then_closing_frees_it(
    world: Any,
) -> None:
    rw = build_recall_world(world)
    recall = recall_open(item_no="LOT-WH", lot_nos=[LOT], reason=REASON, user=world.supervisor)
    assert LotNoInformation.objects.get(item=world.lot_wh, lot_no=LOT).blocked

    report = recall_report(recall_id=recall.pk, user=world.supervisor)
    assert [(h.pick_no, h.bin, h.quantity, h.partner) for h in report.blocked_pick_lines] == [
        (rw.open_pick.no, "B1", Decimal("2"), "Delta Deli")
    ]
    assert [(p, q) for p, q in report.partners] == [
        ("Bravo Market", Decimal("5")),
        ("Charlie Stores", Decimal("4")),
        ("Alpha Foods", Decimal("3")),
    ]
    assert sorted((s.source_document, s.document_no, s.quantity) for s in report.shipped_to) == sorted(
        [
            ("SO-A", rw.posted_alpha.no, Decimal("3")),
            ("SO-B", rw.posted_bravo.no, Decimal("5")),
            ("SO-C", rw.posted_charlie.no, Decimal("4")),
        ]
    )
    assert [(s.location, s.bin, s.quantity) for s in report.in_stock] == [
        ("MAIN", "B1", Decimal("2")),
        ("WHSE", "W1", Decimal("6")),
    ]

    # The open pick line is held: posting is refused with the recall's reason, nothing changes.
    with pytest.raises(PickPostRefused) as refused:
        pick_post(pick_id=rw.open_pick.pk, user=world.supervisor)
    assert refused.value.code == ErrorCode.RECALLED
    assert [e["code"] for e in refused.value.errors] == [ErrorCode.RECALLED]
    assert REASON in refused.value.errors[0]["detail"] and recall.no in refused.value.detail
    assert world.stock(world.lot_wh, world.b1) == 2

    # No new pick proposes the recalled lot.
    with pytest.raises(Conflict) as nothing:
        pick_from(world, document(world, (world.lot_wh, 1), no="SO-E"))
    assert nothing.value.code == ErrorCode.NOTHING_TO_PICK

    closed = recall_close(recall_id=recall.pk, user=world.supervisor)
    assert closed.status == "closed"
    assert not LotNoInformation.objects.get(item=world.lot_wh, lot_no=LOT).blocked
    posted = pick_post(pick_id=rw.open_pick.pk, user=world.supervisor)
    assert posted.lines.get().quantity == 2
    types = list(Event.objects.order_by("pk").values_list("type", flat=True))
    assert [t for t in types if t.startswith(("tracking.", "recall."))] == [
        "tracking.blocked",
        "recall.opened",
        "recall.closed",
    ]
    opened = Event.objects.get(type="recall.opened").data
    assert opened["no"] == recall.no and opened["reason"] == REASON
    assert {r["partner"] for r in opened["shipped_to"]} == {"Alpha Foods", "Bravo Market", "Charlie Stores"}


def test_closing_unblocks_only_what_the_recall_blocked(world: Any) -> None:
    world.receive(
        world.lot_wh, "A1", {"quantity": "3", "lot_no": "L-OLD"}, {"quantity": "3", "lot_no": "L-NEW"}
    )
    lot_info_set(item=world.lot_wh, lot_no="L-OLD", blocked=True)
    first = recall_open(item_no="LOT-WH", lot_nos=["L-OLD", "L-NEW"], reason="Mould", user=world.supervisor)
    second = recall_open(item_no="LOT-WH", lot_nos=["L-NEW"], reason="Mould, again", user=world.supervisor)
    recall_close(recall_id=first.pk, user=world.supervisor)
    blocked = dict(LotNoInformation.objects.filter(item=world.lot_wh).values_list("lot_no", "blocked"))
    assert blocked == {"L-OLD": True, "L-NEW": True}  # L-NEW: the second recall still holds it
    recall_close(recall_id=second.pk, user=world.supervisor)
    blocked = dict(LotNoInformation.objects.filter(item=world.lot_wh).values_list("lot_no", "blocked"))
    assert blocked == {"L-OLD": True, "L-NEW": False}
    with pytest.raises(Conflict) as again:
        recall_close(recall_id=second.pk, user=world.supervisor)
    assert again.value.code == ErrorCode.RECALL_NOT_OPEN


def test_registering_and_shipment_posting_refuse_recalled_numbers(world: Any) -> None:
    whse = world.add_warehouse()
    world.receive(world.lot_wh, world.bin("W1", whse), {"quantity": "10", "lot_no": LOT})
    first = document(world, (world.lot_wh, 2), no="SO-W1", location=whse)
    second = document(world, (world.lot_wh, 3), no="SO-W2", location=whse)
    registered_shipment = shipment_for(world, first)
    register(world, warehouse_pick_for(world, registered_shipment))
    open_pick = warehouse_pick_for(world, shipment_for(world, second))
    pick_autofill_qty_to_handle(pick_id=open_pick.pk, user=world.supervisor)
    recall = recall_open(item_no="LOT-WH", lot_nos=[LOT], reason=REASON, user=world.supervisor)

    with pytest.raises(PickRegisterRefused) as not_registered:
        pick_register(pick_id=open_pick.pk, user=world.supervisor)
    assert not_registered.value.code == ErrorCode.RECALLED
    assert REASON in not_registered.value.errors[0]["detail"]
    with pytest.raises(ShipmentPostRefused) as not_shipped:
        post_shipment(world, registered_shipment)
    assert not_shipped.value.code == ErrorCode.RECALLED
    assert REASON in not_shipped.value.errors[0]["detail"]

    recall_close(recall_id=recall.pk, user=world.supervisor)
    pick_register(pick_id=open_pick.pk, user=world.supervisor)
    assert post_shipment(world, registered_shipment).lines.get().quantity == 2
