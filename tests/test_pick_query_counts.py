"""Creating and posting a pick costs the same number of SQL queries for 10 serial numbers as for 10 000.

Pick creation (availability, lines, source lines), Autofill Qty. to Handle and posting (ledger entries
applied to receipts, warehouse entries, bin content, pick and source lines, tracking lines written back,
posted pick) are all set-based: the count must not grow with lines or serial numbers.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from picking.models import ItemTrackingLine, PickLine, PostedPickLine, SourceDocument, SourceLine
from picking.services.pick_create import pick_create_from_source
from picking.services.pick_post import pick_post
from picking.services.pick_qty_to_handle import pick_autofill_qty_to_handle
from tests.world import World, build_world
from tests.world import document as source_document
from warehouse.models import BinContent, ItemLedgerEntry

pytestmark = pytest.mark.django_db


def measure(world: World, *, lines: int, serials_per_line: int) -> tuple[int, int, int]:
    """Queries of (create, autofill, post) for a pick of `lines` x `serials_per_line` serial numbers."""
    # given an item whose serials flow through (case 1), enough serials in bin A1, and an order
    item = world.add_item(f"SN-{lines}x{serials_per_line}", "SNWH")
    count = lines * serials_per_line
    world.receive(item, "A1", *({"quantity": 1, "serial_no": f"{item.no}-{i:05d}"} for i in range(count)))
    document = source_document(world)  # its lines follow, in one statement
    SourceLine.objects.bulk_create(
        SourceLine(document=document, line_no=(i + 1) * 10, item=item, quantity=Decimal(serials_per_line))
        for i in range(lines)
    )
    user = get_user_model().objects.get(pk=world.supervisor.pk)  # no permission cache yet

    # when the supervisor creates the pick, autofills Qty. to Handle and posts it
    with CaptureQueriesContext(connection) as create:
        result = pick_create_from_source(source_document_id=document.pk, user=user)
    assert result.pick is not None and result.not_picked == []
    with CaptureQueriesContext(connection) as autofill:
        pick_autofill_qty_to_handle(pick_id=result.pick.pk, user=user)
    with CaptureQueriesContext(connection) as post:
        posted = pick_post(pick_id=result.pick.pk, user=user)

    # then every serial number was picked and shipped exactly once
    assert PickLine.objects.filter(pick=result.pick, qty_handled=1).count() == count
    assert PostedPickLine.objects.filter(posted_pick=posted).count() == count
    assert (
        ItemLedgerEntry.objects.filter(item=item, quantity=-1).values("serial_no").distinct().count() == count
    )
    assert not BinContent.objects.filter(item=item, quantity__gt=0).exists()
    assert ItemTrackingLine.objects.filter(source_line__document=document, origin="pick").count() == count
    assert SourceDocument.objects.get(pk=document.pk).status == SourceDocument.Status.SHIPPED
    return len(create.captured_queries), len(autofill.captured_queries), len(post.captured_queries)


def test_pick_queries_do_not_grow_with_lines_or_serial_numbers() -> None:
    world = build_world()
    small = measure(world, lines=10, serials_per_line=1)
    large = measure(world, lines=1000, serials_per_line=10)
    # 10 lines with 10 serials cost exactly as many queries as 1 000 lines with 10 000 serials
    assert large == small, f"10 serials: {small}, 10 000 serials: {large} (create, autofill, post)"
    # posting reads the open recalls of the lines' numbers once (picking.services.recall_checks)
    assert sum(small) < 81, small
