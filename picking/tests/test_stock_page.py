"""The Stock page: scoped to your locations, filters, flags, quantity on picks, errors next to the field."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.clients import browser_for
from tests.world import World, serials
from warehouse.models import LotNoInformation

pytestmark = pytest.mark.django_db

URL = "/warehouse/stock/"


@pytest.fixture
def wh(wh: World) -> World:
    """The inventory world with lots L-GOOD, L-OLD (expired) and L-BLK (blocked, in B1), 2 serials."""
    wh.receive(wh.lot_strict, "A1", {"quantity": 10, "lot_no": "L-GOOD", "expiration_date": "2030-06-01"})
    wh.receive(wh.lot_strict, "A1", {"quantity": 3, "lot_no": "L-OLD", "expiration_date": "2026-01-01"})
    wh.receive(wh.lot_strict, wh.b1, {"quantity": 2, "lot_no": "L-BLK", "expiration_date": "2030-06-01"})
    LotNoInformation.objects.filter(lot_no="L-BLK").update(blocked=True)
    wh.receive(wh.sn_spec, "A1", *serials(2))
    return wh


def test_url_name_and_login_required() -> None:
    assert reverse("warehouse:availability") == URL
    response = Client().get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_worker_sees_stock_of_their_location_with_flags(wh: World) -> None:
    wh.receive(wh.plain, wh.e1, {"quantity": 99})  # at EAST
    page = browser_for(wh.worker).get(URL).content.decode()
    assert "L-GOOD" in page and "2030-06-01" in page and "S00001" in page
    # EAST's 99 units never show as a quantity (tokens and nonces are random and may contain "99")
    assert "EAST" not in page and not re.search(r">\s*99\s*<", page)
    assert "Blocked number" in page and "Expired" in page
    assert 'data-testid="stock-count">5 rows' in page


def test_filters(wh: World) -> None:
    client = browser_for(wh.worker)
    page = client.get(URL, {"item": wh.lot_strict.no, "location": "MAIN", "bin": "B1"}).content.decode()
    assert "L-BLK" in page and "L-GOOD" not in page
    page = client.get(URL, {"serial_no": "S00000"}).content.decode()
    assert "S00000" in page and "S00001" not in page
    page = client.get(URL, {"lot_no": "L-OLD"}).content.decode()
    assert "1 row" in page


def test_unknown_filters_are_explained_next_to_the_field(wh: World) -> None:
    client = browser_for(wh.worker)
    page = client.get(URL, {"item": "NOPE", "bin": "A1"}).content.decode()
    assert 'id="e-item">There is no item NOPE' in page
    assert 'id="e-bin">Choose the location of the bin first.' in page
    page = client.get(URL, {"location": "EAST"}).content.decode()
    assert 'id="e-location">There is no location EAST where you work.' in page


def test_page_queries_do_not_grow_with_rows(wh: World) -> None:
    client = browser_for(wh.admin)
    client.get(URL)
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    wh.receive(wh.sn_spec, "A1", *serials(80, prefix="X"))
    with CaptureQueriesContext(connection) as many:
        page = client.get(URL).content.decode()
    assert len(few.captured_queries) == len(many.captured_queries)
    assert "X00079" in page
