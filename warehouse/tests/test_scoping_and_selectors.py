"""Location scoping and the stock selector."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser

from core.exceptions import NotFoundError
from tests.factories import UserFactory
from warehouse.models import SerialNoInformation
from warehouse.scoping import get_visible_location, visible_location_ids, visible_locations
from warehouse.selectors import stock_rows
from warehouse.tests.helpers import make_warehouse, receive, serials, worker_at

pytestmark = pytest.mark.django_db


def test_who_sees_which_location() -> None:
    main = make_warehouse()
    east = make_warehouse("EAST")
    worker = worker_at(main.location)
    integration = UserFactory(username="erp", roles=["integration"])
    lonely = UserFactory(username="nobody", roles=["supervisor"])
    assert list(visible_locations(worker)) == [main.location]
    assert set(visible_locations(integration)) == {main.location, east.location}
    assert set(visible_locations(main.admin)) == {main.location, east.location}
    assert not visible_locations(lonely).exists()
    assert not visible_locations(AnonymousUser()).exists()
    assert visible_location_ids(integration) is None and visible_location_ids(worker) == {main.location.pk}
    assert get_visible_location(worker, code="MAIN") == main.location
    assert get_visible_location(worker, pk=main.location.pk) == main.location
    with pytest.raises(NotFoundError) as hidden:
        get_visible_location(worker, code="EAST")
    assert "EAST" in hidden.value.detail and hidden.value.status == 404
    with pytest.raises(NotFoundError):
        get_visible_location(worker, pk=east.location.pk)


def test_stock_rows_flags_and_filters() -> None:
    wh = make_warehouse()
    receive(wh, wh.serial_item, serials(3, expiration="2027-01-10"))
    receive(wh, wh.lot_item, [{"quantity": 4, "lot_no": "L1", "expiration_date": "2027-06-01"}], bin=wh.a02)
    receive(wh, wh.serial_item, [{"quantity": -1, "serial_no": "S00002"}])
    SerialNoInformation.objects.filter(serial_no="S00001").update(blocked=True)
    wh.a02.blocked = True
    wh.a02.save()
    rows = stock_rows(location_id=wh.location.pk, on_date=datetime.date(2027, 1, 11))
    flags = {(r.serial_no or r.lot_no): (r.blocked, r.expired, r.number_blocked, r.bin_blocked) for r in rows}
    assert flags == {
        "S00000": (False, True, False, False),
        "S00001": (True, True, True, False),
        "L1": (True, False, False, True),
    }
    assert [r.serial_no for r in stock_rows(serial_no="S00002", only_positive=False)] == ["S00002"]
    assert stock_rows(serial_no="S00002") == []
    assert [r.lot_no for r in stock_rows(item_ids=[wh.lot_item.pk], bin_id=wh.a02.pk)] == ["L1"]
    (row,) = stock_rows(lot_no="L1")
    assert (row.location_code, row.bin_code, row.item_no, row.quantity) == ("MAIN", "A-02", wh.lot_item.no, 4)
