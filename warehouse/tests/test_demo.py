"""Demo inventory: idempotent, one item per outbound case, a blocked lot and an expired lot."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from tests.factories import UserFactory
from tracking.rules import requirement
from warehouse.demo import load_demo_inventory
from warehouse.models import BinContent, Item, ItemLedgerEntry, Location, LotNoInformation, WarehouseEmployee
from warehouse.selectors import stock_rows

pytestmark = pytest.mark.django_db


def test_demo_inventory_is_idempotent_and_covers_every_case() -> None:
    users: dict[str, Any] = {
        "worker": UserFactory(username="worker", roles=["worker"]),
        "supervisor": UserFactory(username="supervisor", roles=["supervisor"]),
        "admin": UserFactory(username="admin", is_superuser=True),
    }
    load_demo_inventory(users=users)
    counts = (ItemLedgerEntry.objects.count(), BinContent.objects.count(), Item.objects.count())
    load_demo_inventory(users=users)
    assert (ItemLedgerEntry.objects.count(), BinContent.objects.count(), Item.objects.count()) == counts

    main = Location.objects.get(code="MAIN")
    assert main.require_pick and main.bin_mandatory and not main.require_shipment
    assert not main.pick_according_to_fefo
    assert {"A-01", "A-02", "B-01", "SHIP"} <= set(main.bins.values_list("code", flat=True))
    assert WarehouseEmployee.objects.filter(user=users["worker"], location=main).exists()
    assert WarehouseEmployee.objects.filter(user=users["supervisor"], location=main).exists()

    reqs = {i.no: requirement(i.tracking_code) for i in Item.objects.select_related("tracking_code")}
    assert reqs["1000"].serial.specific and reqs["1000"].use_expiration_dates  # case 3 / 4
    assert reqs["2000"].lot.warehouse and not reqs["2000"].lot.specific  # case 1
    assert reqs["2100"].lot.specific  # case 3 / 4 for lots
    assert reqs["3000"].serial.outbound_only and Item.objects.get(no="3000").serial_nos is not None  # case 2
    assert reqs["4000"].lot.outbound_only  # lot tracked without lot warehouse tracking

    rows = stock_rows(location_id=main.pk, on_date=timezone.localdate())
    assert any(r.expired and r.lot_no for r in rows)
    assert any(r.blocked and r.lot_no for r in rows)
    assert LotNoInformation.objects.filter(blocked=True).count() == 1
    assert any(r.serial_no and r.expiration_date for r in rows)
