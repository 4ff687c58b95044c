"""Location scoping and the stock selector."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from core.exceptions import NotFoundError
from tests.world import World, serials
from warehouse.models import SerialNoInformation
from warehouse.scoping import get_visible_location, visible_location_ids, visible_locations
from warehouse.selectors import stock_rows

pytestmark = pytest.mark.django_db


def test_who_sees_which_location(wh: World, integration_user: Any) -> None:
    main, east, worker, integration = wh.location, wh.east, wh.worker, integration_user
    lonely = wh.add_user("nobody", "supervisor")
    assert list(visible_locations(worker)) == [main]
    assert set(visible_locations(integration)) == {main, east}
    assert set(visible_locations(wh.admin)) == {main, east}
    assert not visible_locations(lonely).exists()
    assert not visible_locations(AnonymousUser()).exists()
    assert visible_location_ids(integration) is None and visible_location_ids(worker) == {main.pk}
    assert get_visible_location(worker, code="MAIN") == main
    assert get_visible_location(worker, pk=main.pk) == main
    with pytest.raises(NotFoundError) as hidden:
        get_visible_location(worker, code="EAST")
    assert "EAST" in hidden.value.detail and hidden.value.status == 404
    with pytest.raises(NotFoundError):
        get_visible_location(worker, pk=east.pk)


def test_stock_rows_flags_and_filters(wh: World) -> None:
    wh.receive(wh.sn_spec, "A1", *serials(3, expiration="2027-01-10"))
    wh.receive(wh.lot_strict, wh.b1, {"quantity": 4, "lot_no": "L1", "expiration_date": "2027-06-01"})
    wh.receive(wh.sn_spec, "A1", {"quantity": -1, "serial_no": "S00002"})
    SerialNoInformation.objects.filter(serial_no="S00001").update(blocked=True)
    wh.b1.blocked = True
    wh.b1.save()
    rows = stock_rows(location_id=wh.location.pk, on_date=datetime.date(2027, 1, 11))
    flags = {(r.serial_no or r.lot_no): (r.blocked, r.expired, r.number_blocked, r.bin_blocked) for r in rows}
    assert flags == {
        "S00000": (False, True, False, False),
        "S00001": (True, True, True, False),
        "L1": (True, False, False, True),
    }
    assert [r.serial_no for r in stock_rows(serial_no="S00002", only_positive=False)] == ["S00002"]
    assert stock_rows(serial_no="S00002") == []
    assert [r.lot_no for r in stock_rows(item_ids=[wh.lot_strict.pk], bin_id=wh.b1.pk)] == ["L1"]
    (row,) = stock_rows(lot_no="L1")
    assert (row.location_code, row.bin_code, row.item_no, row.quantity) == ("MAIN", "B1", wh.lot_strict.no, 4)
