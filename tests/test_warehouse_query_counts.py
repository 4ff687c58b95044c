"""Warehouse shipments cost the same number of SQL queries for 10 serial numbers as for 10 000.

Creating the shipment, creating its warehouse pick, registering the pick (warehouse entries out and in,
bin content, picked stock, shipment lines, registered pick) and posting the shipment (item ledger entries
applied to receipts, warehouse entries, bin content, picked stock, source lines, tracking lines written
back, posted shipment) are all set-based: the count must not grow with lines or serial numbers.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from picking.models import ItemTrackingLine, PickLine, PostedShipmentLine, SourceDocument, SourceLine
from picking.services.pick_qty_to_handle import pick_autofill_qty_to_handle
from picking.services.pick_register import pick_register
from picking.services.shipment_create import warehouse_shipment_create
from picking.services.shipment_post import warehouse_shipment_post
from picking.services.warehouse_pick_create import warehouse_pick_create
from tests.world import World, build_world
from tests.world import document as source_document
from warehouse.models import BinContent, ItemLedgerEntry, Location

pytestmark = pytest.mark.django_db


def measure(world: World, whse: Location, *, lines: int, serials_per_line: int) -> dict[str, int]:
    """Queries of each step for an order of `lines` x `serials_per_line` serial numbers (case 1)."""
    # given an item whose serials flow through, enough serials in W1, and an order at WHSE
    item = world.add_item(f"SN-{lines}x{serials_per_line}", "SNWH")
    count = lines * serials_per_line
    world.receive(
        item,
        world.bin("W1", whse),
        *({"quantity": 1, "serial_no": f"{item.no}-{i:05d}"} for i in range(count)),
    )
    document = source_document(world, location=whse)
    SourceLine.objects.bulk_create(
        SourceLine(document=document, line_no=(i + 1) * 10, item=item, quantity=Decimal(serials_per_line))
        for i in range(lines)
    )
    user = get_user_model().objects.get(pk=world.supervisor.pk)  # no permission cache yet
    queries: dict[str, int] = {}

    # when the supervisor ships it through a warehouse shipment and a warehouse pick
    with CaptureQueriesContext(connection) as captured:
        shipment = warehouse_shipment_create(
            location_code=whse.code, source_document_ids=[document.pk], user=user
        )
    queries["shipment"] = len(captured.captured_queries)
    with CaptureQueriesContext(connection) as captured:
        result = warehouse_pick_create(shipment_ids=[shipment.pk], user=user)
    queries["pick"] = len(captured.captured_queries)
    assert result.pick is not None and result.not_picked == []
    pick_autofill_qty_to_handle(pick_id=result.pick.pk, user=user)
    with CaptureQueriesContext(connection) as captured:
        pick_register(pick_id=result.pick.pk, user=user)
    queries["register"] = len(captured.captured_queries)
    assert BinContent.objects.filter(item=item, bin__code="SHIP", quantity=1).count() == count
    with CaptureQueriesContext(connection) as captured:
        posted = warehouse_shipment_post(shipment_id=shipment.pk, user=user)
    queries["post"] = len(captured.captured_queries)

    # then every serial number was picked, moved and shipped exactly once
    assert PickLine.objects.filter(pick=result.pick, qty_handled=1).count() == 2 * count
    assert PostedShipmentLine.objects.filter(posted_shipment=posted).count() == count
    assert (
        ItemLedgerEntry.objects.filter(item=item, quantity=-1).values("serial_no").distinct().count() == count
    )
    assert not BinContent.objects.filter(item=item, quantity__gt=0).exists()
    assert ItemTrackingLine.objects.filter(source_line__document=document, origin="pick").count() == count
    assert SourceDocument.objects.get(pk=document.pk).status == SourceDocument.Status.SHIPPED
    return queries


def test_warehouse_queries_do_not_grow_with_lines_or_serial_numbers() -> None:
    world = build_world()
    whse = world.add_warehouse()
    small = measure(world, whse, lines=10, serials_per_line=1)
    large = measure(world, whse, lines=1000, serials_per_line=10)
    # 10 lines with 10 serials cost exactly as many queries as 1 000 lines with 10 000 serials
    assert large == small, f"10 serials: {small}, 10 000 serials: {large}"
    print(f"queries per step (10 and 10 000 serials): {small}")
    assert small["register"] < 40 and small["post"] < 40, small
