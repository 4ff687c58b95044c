"""The bin-to-bin move primitive (movements and registering warehouse picks): numbers and expiration kept,
every problem at once, nothing written when refused, queries independent of the number of moves."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from tests.world import TODAY, World, bin_content, serials, warehouse_entries
from warehouse.exceptions import OutboundRefused
from warehouse.models import Bin, WarehouseEntry
from warehouse.services.bin_moves import BinMove, inventory_move

pytestmark = pytest.mark.django_db


def move(wh: World, item: Any, to_bin: Bin, quantity: Any = 1, *, ref: Any = 0, **numbers: str) -> BinMove:
    return BinMove(
        ref=ref,
        location_id=wh.location.pk,
        item_id=item.pk,
        from_bin_id=wh.a1.pk,
        to_bin_id=to_bin.pk,
        quantity=Decimal(quantity),
        **numbers,
    )


def run(moves: list[BinMove], **kwargs: Any) -> list[WarehouseEntry]:
    with transaction.atomic():
        return inventory_move(
            moves=moves, document_type="movement", document_no="MOV000001", posting_date=TODAY, **kwargs
        )


def test_numbers_and_expiration_move_into_new_and_existing_rows(wh: World) -> None:
    wh.receive(wh.lot_wh, "A1", {"quantity": 5, "lot_no": "L1", "expiration_date": "2030-01-31"})
    wh.receive(wh.lot_wh, "B1", {"quantity": 1, "lot_no": "L1", "expiration_date": "2030-01-31"})
    wh.receive(wh.sn_spec, "A1", *serials(2))
    entries = run(
        [
            move(wh, wh.lot_wh, wh.b1, 2, lot_no="L1"),
            move(wh, wh.lot_wh, wh.b1, 1, lot_no="L1", ref=1),
            move(wh, wh.sn_spec, wh.b1, serial_no="S00001", ref=2),
        ]
    )
    assert [(e.bin_id, e.quantity, str(e.expiration_date)) for e in entries[:2]] == [
        (wh.a1.pk, -2, "2030-01-31"),
        (wh.b1.pk, 2, "2030-01-31"),
    ]
    assert bin_content(wh.lot_wh) == [("A1", "L1", "", 2), ("B1", "L1", "", 4)]
    assert bin_content(wh.sn_spec) == [
        ("A1", "", "S00000", 1),
        ("A1", "", "S00001", 0),
        ("B1", "", "S00001", 1),
    ]
    assert warehouse_entries(wh.sn_spec)[-2:] == [
        ("movement", "A1", "", "S00001", -1),
        ("movement", "B1", "", "S00001", 1),
    ]


def test_every_problem_is_reported_and_nothing_written(wh: World) -> None:
    wh.receive(wh.lot_wh, "A1", {"quantity": 2, "lot_no": "L1", "expiration_date": "2030-01-31"})
    wh.receive(wh.sn_spec, "A1", *serials(1))
    before = WarehouseEntry.objects.count()
    with pytest.raises(OutboundRefused) as info:
        run(
            [
                move(wh, wh.lot_wh, wh.b1, 3, lot_no="L1"),
                move(wh, wh.sn_spec, wh.b1, serial_no="S09999", ref=1),
                move(wh, wh.lot_wh, wh.a1, 1, lot_no="L1", ref=2),
                move(wh, wh.lot_wh, wh.e1, 1, lot_no="L1", ref=3),
                move(wh, wh.sn_spec, wh.b1, ref=4),
                move(wh, wh.sn_out, wh.b1, serial_no="NEW-1", ref=5),
            ]
        )
    assert [(e["line"], e["code"]) for e in info.value.errors] == [
        (0, "insufficient_quantity"),
        (1, "serial_not_available"),
        (2, "same_bin"),
        (3, "bin_not_found"),
        (4, "serial_missing"),
        (5, "serial_not_stocked"),
    ]
    assert WarehouseEntry.objects.count() == before
    assert bin_content(wh.lot_wh) == [("A1", "L1", "", 2)]


def test_queries_do_not_grow_with_moves(wh: World) -> None:
    wh.receive(wh.sn_spec, "A1", *serials(210))

    def queries(count: int, offset: int) -> int:
        moves = [move(wh, wh.sn_spec, wh.b1, serial_no=f"S{offset + i:05d}", ref=i) for i in range(count)]
        with CaptureQueriesContext(connection) as captured:
            run(moves)
        return len(captured.captured_queries)

    assert queries(10, 0) == queries(200, 10)
    assert wh.stock(wh.sn_spec, wh.b1) == 210
