"""Creating inventory picks: how each line gets its numbers (docs/domain.md, "How a pick line gets its
numbers"), never more than available."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.exceptions import Conflict, NotFoundError, PermissionDeniedError
from picking.models import Pick, PickLine, SourceLine
from picking.services.pick_create import pick_create_from_source
from tests.world import EXP_EARLY, EXP_LATE, World, document, make_pick, source_line
from warehouse.services.master_data import lot_info_set

pytestmark = pytest.mark.django_db


def lines_of(pick: Pick) -> list[tuple[str, str, str, str, bool]]:
    return [
        (
            pl.bin.code if pl.bin else "",
            pl.lot_no,
            pl.serial_no,
            str(pl.quantity.normalize()),
            pl.tracking_locked,
        )
        for pl in pick.lines.select_related("bin").order_by("line_no")
    ]


def test_case_1_serials_are_proposed_first_received_first(world: World) -> None:
    # given serials received in B1 first, then in A1
    world.receive(world.sn_wh, "B1", {"quantity": 1, "serial_no": "S-3"})
    world.receive(world.sn_wh, "A1", {"quantity": 1, "serial_no": "S-1"}, {"quantity": 1, "serial_no": "S-2"})
    doc = document(world, (world.sn_wh, 2))
    # when the supervisor creates the pick
    result = pick_create_from_source(source_document_id=doc.pk, user=world.supervisor)
    # then the first received serials are proposed, one line each, changeable
    assert result.pick is not None and result.not_picked == []
    assert lines_of(result.pick) == [("B1", "", "S-3", "1", False), ("A1", "", "S-1", "1", False)]
    assert source_line(doc).qty_on_picks == 2
    assert result.pick.no.startswith("IPI") and result.pick.status == Pick.Status.OPEN


def test_case_1_fefo_proposes_the_earliest_expiration_first(world: World) -> None:
    # given a location picking by FEFO and two lots, the later-expiring one received first
    world.location.pick_according_to_fefo = True
    world.location.save()
    world.receive(world.lot_wh, "A1", {"quantity": 5, "lot_no": "LATE", "expiration_date": EXP_LATE})
    world.receive(world.lot_wh, "B1", {"quantity": 3, "lot_no": "EARLY", "expiration_date": EXP_EARLY})
    doc = document(world, (world.lot_wh, 6))
    # when the pick is created
    result = pick_create_from_source(source_document_id=doc.pk, user=world.supervisor)
    # then the early lot comes first, the rest from the late lot
    assert result.pick is not None
    assert lines_of(result.pick) == [("B1", "EARLY", "", "3", False), ("A1", "LATE", "", "3", False)]
    assert result.pick.lines.order_by("line_no")[0].expiration_date == EXP_EARLY


def test_case_3_specific_tracking_leaves_numbers_blank_per_bin(world: World) -> None:
    # given specific serials in A1 and B1
    world.receive(world.sn_spec, "A1", {"quantity": 1, "serial_no": "X1"}, {"quantity": 1, "serial_no": "X2"})
    world.receive(world.sn_spec, "B1", {"quantity": 1, "serial_no": "X3"})
    doc = document(world, (world.sn_spec, 3))
    # when the pick is created
    result = pick_create_from_source(source_document_id=doc.pk, user=world.supervisor)
    # then one blank line per bin: the worker selects the serials
    assert result.pick is not None
    assert lines_of(result.pick) == [("A1", "", "", "2", False), ("B1", "", "", "1", False)]


def test_case_2_outbound_only_leaves_numbers_blank(world: World) -> None:
    # given stock without numbers of an item tracked on outbound only
    world.receive(world.sn_out, "A1", {"quantity": 4})
    doc = document(world, (world.sn_out, 3))
    # when the pick is created
    result = pick_create_from_source(source_document_id=doc.pk, user=world.supervisor)
    # then one blank line of 3: numbers are assigned while shipping
    assert result.pick is not None
    assert lines_of(result.pick) == [("A1", "", "", "3", False)]


def test_case_4_prescribed_numbers_split_per_number_and_bin_and_locked(world: World) -> None:
    # given lot L1 in A1 (2) and B1 (3), lot L2 in A1, and an order prescribing L1 x 4 and L2 x 1
    world.receive(world.lot_spec, "A1", {"quantity": 2, "lot_no": "L1"}, {"quantity": 5, "lot_no": "L2"})
    world.receive(world.lot_spec, "B1", {"quantity": 3, "lot_no": "L1"})
    doc = document(world, (world.lot_spec, 5, {"tracking": [("", "L1", 4), ("", "L2", 1)]}))
    # when the pick is created
    result = pick_create_from_source(source_document_id=doc.pk, user=world.supervisor)
    # then one locked line per prescribed number and bin, linked to its tracking line
    assert result.pick is not None and result.not_picked == []
    assert lines_of(result.pick) == [
        ("A1", "L1", "", "2", True),
        ("B1", "L1", "", "2", True),
        ("A1", "L2", "", "1", True),
    ]
    assert all(pl.item_tracking_line_id for pl in result.pick.lines.all())


def test_case_4_prescribed_serials_of_an_outbound_only_item(world: World) -> None:
    # given stock without numbers and an order prescribing two new serials
    world.receive(world.sn_out, "A1", {"quantity": 5})
    doc = document(world, (world.sn_out, 3, {"tracking": [("NEW-1", "", 1), ("NEW-2", "", 1)]}))
    # when the pick is created
    result = pick_create_from_source(source_document_id=doc.pk, user=world.supervisor)
    # then the prescribed serials are locked lines; the unprescribed unit is a blank line
    assert result.pick is not None
    assert lines_of(result.pick) == [
        ("A1", "", "NEW-1", "1", True),
        ("A1", "", "NEW-2", "1", True),
        ("A1", "", "", "1", False),
    ]


def test_never_more_than_available_and_the_rest_is_reported(world: World) -> None:
    # given lot A 6 in A1 of which B is blocked 2, an expired... and another open pick holding 2
    world.receive(world.lot_wh, "A1", {"quantity": 4, "lot_no": "A"}, {"quantity": 2, "lot_no": "B"})
    lot_info_set(item=world.lot_wh, lot_no="B", blocked=True)
    first = document(world, (world.lot_wh, 2))
    pick_create_from_source(source_document_id=first.pk, user=world.supervisor)
    doc = document(world, (world.lot_wh, 5))
    # when a second pick is created for 5
    result = pick_create_from_source(source_document_id=doc.pk, user=world.supervisor)
    # then only the 2 free units of lot A are picked; 3 are reported with the reason
    assert result.pick is not None
    assert lines_of(result.pick) == [("A1", "A", "", "2", False)]
    assert len(result.not_picked) == 1
    missing = result.not_picked[0]
    assert (missing.line_no, missing.item_no, missing.quantity) == (10000, "LOT-WH", Decimal(3))
    assert "blocked" in missing.reason and "other open picks" in missing.reason
    # and the rest stays outstanding on the source line
    line = source_line(doc)
    assert (line.qty_on_picks, line.qty_to_pick) == (2, 3)


def test_expired_stock_is_not_picked_under_strict_expiration(world: World) -> None:
    # given an expired lot of an item with strict expiration posting
    code = world.lot_wh.tracking_code
    assert code is not None
    code.strict_expiration_posting = True
    code.save()
    world.receive(world.lot_wh, "A1", {"quantity": 3, "lot_no": "OLD", "expiration_date": "2020-01-01"})
    doc = document(world, (world.lot_wh, 3))
    # when a pick is created
    with pytest.raises(Conflict) as refused:
        pick_create_from_source(source_document_id=doc.pk, user=world.supervisor)
    # then nothing can be picked, and the supervisor is told why
    assert refused.value.code == "nothing_to_pick"
    assert "expired" in refused.value.detail
    assert not Pick.objects.exists()


def test_prescribed_number_not_in_stock_is_reported(world: World) -> None:
    world.receive(world.lot_spec, "A1", {"quantity": 5, "lot_no": "L1"})
    doc = document(world, (world.lot_spec, 2, {"tracking": [("", "L9", 2)]}), (world.lot_spec, 1))
    result = pick_create_from_source(source_document_id=doc.pk, user=world.supervisor)
    assert result.pick is not None
    assert lines_of(result.pick) == [("A1", "", "", "1", False)]
    assert [(n.line_no, n.quantity) for n in result.not_picked] == [(10000, 2)]
    assert "lot L9" in result.not_picked[0].reason and "none in stock" in result.not_picked[0].reason


def test_source_line_bin_is_respected(world: World) -> None:
    world.receive(world.plain, "A1", {"quantity": 5})
    world.receive(world.plain, "B1", {"quantity": 5})
    doc = document(world, (world.plain, 3, {"bin": world.b1}))
    result = pick_create_from_source(source_document_id=doc.pk, user=world.supervisor)
    assert result.pick is not None
    assert lines_of(result.pick) == [("B1", "", "", "3", False)]


def test_second_creation_adds_only_what_is_still_outstanding_to_the_open_pick(world: World) -> None:
    # given a pick that could cover only 2 of 5
    world.receive(world.plain, "A1", {"quantity": 2})
    doc = document(world, (world.plain, 5))
    first = pick_create_from_source(source_document_id=doc.pk, user=world.supervisor)
    assert first.pick is not None
    # when more stock arrives and the supervisor creates the pick again
    world.receive(world.plain, "B1", {"quantity": 10})
    again = pick_create_from_source(source_document_id=doc.pk, user=world.supervisor)
    # then the same open pick gets a line for the 3 still outstanding
    assert again.pick is not None and again.pick.pk == first.pick.pk and again.created is False
    assert lines_of(again.pick) == [("A1", "", "", "2", False), ("B1", "", "", "3", False)]
    assert Pick.objects.count() == 1
    # and a third attempt has nothing left to pick
    with pytest.raises(Conflict) as refused:
        pick_create_from_source(source_document_id=doc.pk, user=world.supervisor)
    assert refused.value.code == "nothing_to_pick"


def test_other_locations_and_workers_are_refused(world: World) -> None:
    world.receive(world.plain, "A1", {"quantity": 2})
    doc = document(world, (world.plain, 1))
    with pytest.raises(NotFoundError):
        pick_create_from_source(source_document_id=doc.pk, user=world.outsider)
    with pytest.raises(PermissionDeniedError):
        pick_create_from_source(source_document_id=doc.pk, user=world.worker)
    assert not PickLine.objects.exists()
    assert SourceLine.objects.get().qty_on_picks == 0


def test_serial_on_one_open_pick_line_is_a_database_constraint(world: World) -> None:
    from django.db import IntegrityError, transaction

    world.receive(world.sn_wh, "A1", {"quantity": 1, "serial_no": "S-1"})
    line = make_pick(world, (world.sn_wh, 1)).lines.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        PickLine.objects.create(
            pick=line.pick,
            line_no=99,
            source_line=line.source_line,
            item=line.item,
            bin=line.bin,
            quantity=1,
            serial_no="S-1",
        )
