"""Posting picks: all or nothing, every problem reported per line, the ledgers written number by number."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.exceptions import Conflict, PermissionDeniedError
from picking.models import ItemTrackingLine, Pick, PickLine, PostedPick, SourceDocument, SourceLine
from picking.services.pick_create import pick_create_from_source
from picking.services.pick_line_update import pick_line_set_qty_to_handle, pick_line_update
from picking.services.pick_post import pick_post, pick_post_and_delete_rest
from picking.services.pick_qty_to_handle import pick_autofill_qty_to_handle
from tests.world import World, make_pick, source_line
from warehouse.models import BinContent, ItemLedgerEntry, WarehouseEntry
from warehouse.services.adjustments import inventory_adjust
from warehouse.services.master_data import serial_info_set

pytestmark = pytest.mark.django_db


def snapshot() -> tuple[int, int, list[tuple[int, Decimal]], list[tuple[int, Decimal, Decimal]], int, int]:
    return (
        ItemLedgerEntry.objects.count(),
        WarehouseEntry.objects.count(),
        list(BinContent.objects.order_by("pk").values_list("pk", "quantity")),
        list(SourceLine.objects.order_by("pk").values_list("pk", "qty_shipped", "qty_on_picks")),
        PostedPick.objects.count(),
        ItemTrackingLine.objects.count(),
    )


def test_post_writes_every_ledger_number_by_number(world: World) -> None:
    # given serials S1, S2 received in A1 (two receipts) and a pick proposing both
    world.receive(world.sn_wh, "A1", {"quantity": 1, "serial_no": "S1"})
    world.receive(world.sn_wh, "A1", {"quantity": 1, "serial_no": "S2"})
    receipts = {e.serial_no: e for e in ItemLedgerEntry.objects.filter(quantity__gt=0)}
    pick = make_pick(world, (world.sn_wh, 2))
    pick_autofill_qty_to_handle(pick_id=pick.pk, user=world.worker)
    # when the supervisor posts
    posted = pick_post(pick_id=pick.pk, user=world.supervisor)
    # then one sale entry per serial, applied to its own receipt
    outbound = ItemLedgerEntry.objects.filter(quantity__lt=0).order_by("serial_no")
    assert [(e.serial_no, e.quantity, e.applies_to_entry_id, e.entry_type) for e in outbound] == [
        ("S1", -1, receipts["S1"].pk, "sale"),
        ("S2", -1, receipts["S2"].pk, "sale"),
    ]
    assert all(e.document_no == posted.no and e.source_line_no == 10000 for e in outbound)
    assert not ItemLedgerEntry.objects.filter(open=True).exists()
    # warehouse entries and bin content
    assert sorted(WarehouseEntry.objects.filter(quantity__lt=0).values_list("serial_no", "quantity")) == [
        ("S1", -1),
        ("S2", -1),
    ]
    assert world.stock(world.sn_wh) == 0
    # source line, its tracking lines (origin pick), document and pick status
    line = source_line(pick.source_document)  # type: ignore[arg-type]
    assert (line.qty_shipped, line.qty_on_picks) == (2, 0)
    assert sorted(line.tracking_lines.values_list("serial_no", "quantity", "qty_handled", "origin")) == [
        ("S1", 1, 1, "pick"),
        ("S2", 1, 1, "pick"),
    ]
    assert SourceDocument.objects.get().status == SourceDocument.Status.SHIPPED
    pick.refresh_from_db()
    assert pick.status == Pick.Status.COMPLETED
    assert sorted(posted.lines.values_list("serial_no", "quantity", "pick_line_no")) == [
        ("S1", 1, 10000),
        ("S2", 1, 20000),
    ]
    assert posted.no.startswith("PPI") and posted.pick_no == pick.no


def test_partial_post_leaves_the_rest_outstanding(world: World) -> None:
    world.receive(world.lot_wh, "A1", {"quantity": 10, "lot_no": "L1"})
    pick = make_pick(world, (world.lot_wh, 6))
    line = pick.lines.get()
    pick_line_set_qty_to_handle(pick_line_id=line.pk, qty_to_handle="4", user=world.worker)
    pick_post(pick_id=pick.pk, user=world.supervisor)
    pick.refresh_from_db()
    line.refresh_from_db()
    assert pick.status == Pick.Status.IN_PROGRESS
    assert (line.qty_handled, line.qty_to_handle, line.qty_outstanding) == (4, 0, 2)
    sl = source_line(pick.source_document)  # type: ignore[arg-type]
    assert (sl.qty_shipped, sl.qty_on_picks) == (4, 2)
    assert SourceDocument.objects.get().status == SourceDocument.Status.PARTIALLY_SHIPPED
    assert world.stock(world.lot_wh, lot_no="L1") == 6
    # the second posting of the same lot adds to the tracking line written back
    pick_autofill_qty_to_handle(pick_id=pick.pk, user=world.worker)
    pick_post(pick_id=pick.pk, user=world.supervisor)
    assert list(sl.tracking_lines.values_list("lot_no", "quantity", "qty_handled", "origin")) == [
        ("L1", 6, 6, "pick")
    ]
    pick.refresh_from_db()
    assert pick.status == Pick.Status.COMPLETED


def test_refused_post_lists_every_line_problem_and_changes_nothing(world: World) -> None:
    # given a pick of four lines, three of which have a problem
    world.receive(world.sn_wh, "A1", {"quantity": 1, "serial_no": "S1"}, {"quantity": 1, "serial_no": "S2"})
    world.receive(world.sn_spec, "A1", {"quantity": 1, "serial_no": "X1"})
    world.receive(world.plain, "A1", {"quantity": 5})
    pick = make_pick(world, (world.sn_wh, 2), (world.sn_spec, 1), (world.plain, 2))
    pick_autofill_qty_to_handle(pick_id=pick.pk, user=world.worker)
    serial_info_set(item=world.sn_wh, serial_no="S1", blocked=True)  # blocked after the pick was made
    inventory_adjust(  # plain stock taken out of A1 meanwhile
        location_code="MAIN", bin_code="A1", item_no="PLAIN", entries=[{"quantity": "-4"}], user=world.admin
    )
    before = snapshot()
    # when the supervisor posts (X1 was never selected on the case-3 line)
    with pytest.raises(Conflict) as refused:
        pick_post(pick_id=pick.pk, user=world.supervisor)
    # then every problem is listed per line, and nothing changed
    by_line = {(e["line"], e["code"]) for e in refused.value.errors}
    assert by_line == {
        (10000, "serial_blocked"),
        (30000, "tracking_incomplete"),
        (40000, "insufficient_quantity"),
    }
    assert refused.value.status == 409 and "nothing was changed" in refused.value.detail
    assert snapshot() == before
    assert not PickLine.objects.filter(qty_handled__gt=0).exists()


def test_nothing_to_handle_and_permissions(world: World) -> None:
    world.receive(world.plain, "A1", {"quantity": 5})
    pick = make_pick(world, (world.plain, 2))
    with pytest.raises(Conflict) as refused:
        pick_post(pick_id=pick.pk, user=world.supervisor)
    assert refused.value.code == "nothing_to_handle"
    pick_autofill_qty_to_handle(pick_id=pick.pk, user=world.worker)
    with pytest.raises(PermissionDeniedError):
        pick_post(pick_id=pick.pk, user=world.worker)  # the worker group does not post by default
    assert not PostedPick.objects.exists()


def test_outbound_only_serial_used_before_is_refused_at_posting(world: World) -> None:
    # given an outbound-only serial typed on a pick, then shipped on another document first
    world.receive(world.sn_out, "A1", {"quantity": 5})
    pick = make_pick(world, (world.sn_out, 1))
    line = pick.lines.get()
    pick_line_update(pick_line_id=line.pk, user=world.worker, serial_no="NEW-1", qty_to_handle="1")
    pick_post(pick_id=pick.pk, user=world.supervisor)
    second = make_pick(world, (world.sn_out, 1))
    with pytest.raises(Exception) as refused:
        pick_line_update(pick_line_id=second.lines.get().pk, user=world.worker, serial_no="NEW-1")
    assert "already used" in str(refused.value)


def test_post_and_delete_rest(world: World) -> None:
    world.receive(world.plain, "A1", {"quantity": 10})
    pick = make_pick(world, (world.plain, 5), (world.plain, 3))
    first, _second = pick.lines.order_by("line_no")
    pick_line_set_qty_to_handle(pick_line_id=first.pk, qty_to_handle="2", user=world.worker)
    with pytest.raises(PermissionDeniedError):
        pick_post_and_delete_rest(pick_id=pick.pk, user=world.worker)
    posted = pick_post_and_delete_rest(pick_id=pick.pk, user=world.supervisor)
    assert posted is not None and posted.lines.count() == 1
    # the handled part stays on the (now completed) pick, the rest returned to the source lines
    pick.refresh_from_db()
    assert pick.status == Pick.Status.COMPLETED
    assert list(pick.lines.values_list("quantity", "qty_handled")) == [(2, 2)]
    assert list(SourceLine.objects.order_by("line_no").values_list("qty_shipped", "qty_on_picks")) == [
        (2, 0),
        (0, 0),
    ]
    # and a new pick covers what is still outstanding
    again = pick_create_from_source(source_document_id=pick.source_document_id, user=world.supervisor)  # type: ignore[arg-type]
    assert again.pick is not None and again.pick.pk != pick.pk
    assert sorted(again.pick.lines.values_list("quantity", flat=True)) == [3, 3]
