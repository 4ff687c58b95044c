"""PostgreSQL: two postings at the same moment can never take the same unit twice."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connections, transaction

from tests.world import TODAY, World, serials
from warehouse.exceptions import OutboundRefused
from warehouse.models import BinContent, EntryType, ItemLedgerEntry
from warehouse.services import OutboundMovement, inventory_post_outbound


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_postings_never_ship_the_same_unit_twice(wh: World) -> None:
    # given 3 serials and a lot of 10 in one bin
    wh.receive(wh.sn_spec, "A1", *serials(3))
    wh.receive(wh.lot_strict, "A1", {"quantity": 10, "lot_no": "L1", "expiration_date": "2027-06-01"})
    threads_count = 6
    barrier = threading.Barrier(threads_count)
    shipped: list[str] = []
    refused: list[str] = []
    failures: list[BaseException] = []

    def post(index: int) -> None:
        # each posting wants serial S0000(index % 3) and 4 of lot L1
        movements = [
            OutboundMovement(
                ref="serial",
                location_id=wh.location.pk,
                bin_id=wh.a1.pk,
                item_id=wh.sn_spec.pk,
                quantity=Decimal(1),
                serial_no=f"S{index % 3:05d}",
            ),
            OutboundMovement(
                ref="lot",
                location_id=wh.location.pk,
                bin_id=wh.a1.pk,
                item_id=wh.lot_strict.pk,
                quantity=Decimal(4),
                lot_no="L1",
            ),
        ]
        try:
            barrier.wait(timeout=30)
            with transaction.atomic():
                inventory_post_outbound(
                    movements=movements,
                    entry_type=EntryType.SALE,
                    document_type="posted_pick",
                    document_no=f"P{index}",
                    posting_date=TODAY,
                )
            shipped.append(f"P{index}")
        except OutboundRefused as exc:
            refused.append(exc.code)
        except BaseException as exc:
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=(i,)) for i in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    # then no error other than a clear refusal, and no unit went out twice
    assert not failures, failures
    assert len(shipped) + len(refused) == threads_count
    assert len(shipped) == 2  # 10 of lot L1 cover two postings of 4
    lot = BinContent.objects.get(lot_no="L1")
    assert lot.quantity == 10 - 4 * len(shipped)
    shipped_serials = list(
        ItemLedgerEntry.objects.filter(item=wh.sn_spec, quantity__lt=0).values_list("serial_no", flat=True)
    )
    assert len(shipped_serials) == len(set(shipped_serials)) == len(shipped)
    assert not BinContent.objects.filter(quantity__lt=0).exists()
