"""Django admin: every master-data and ledger list opens with search and filters; rules hold there too."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.clients import browser_for
from tests.world import World, serials
from tracking.models import ItemTrackingCode
from warehouse.models import ItemLedgerEntry

pytestmark = pytest.mark.django_db

PAGES = [
    "tracking/itemtrackingcode",
    "tracking/noseries",
    "warehouse/item",
    "warehouse/location",
    "warehouse/bin",
    "warehouse/warehouseemployee",
    "warehouse/lotnoinformation",
    "warehouse/serialnoinformation",
    "warehouse/itemledgerentry",
    "warehouse/warehouseentry",
    "warehouse/bincontent",
]


@pytest.fixture
def admin_browser(wh: World) -> Client:
    wh.receive(wh.sn_spec, "A1", *serials(2))
    wh.receive(wh.lot_strict, "A1", {"quantity": 5, "lot_no": "L1", "expiration_date": "2027-06-01"})
    return browser_for(wh.admin)


@pytest.mark.parametrize("page", PAGES)
def test_lists_open_with_search(admin_browser: Client, page: str) -> None:
    response = admin_browser.get(f"/admin/{page}/?q=S0")
    assert response.status_code == 200, page
    assert b'id="searchbar"' in response.content


def test_ledgers_are_read_only(admin_browser: Client) -> None:
    entry = ItemLedgerEntry.objects.first()
    assert entry is not None
    assert admin_browser.get("/admin/warehouse/itemledgerentry/add/").status_code == 403
    response = admin_browser.post(f"/admin/warehouse/itemledgerentry/{entry.pk}/change/", {"quantity": "9"})
    assert response.status_code == 403
    entry.refresh_from_db()
    assert entry.quantity == 1


def test_tracking_code_form_refuses_inconsistent_flags_and_changes_against_stock(
    admin_browser: Client,
) -> None:
    response = admin_browser.post(
        "/admin/tracking/itemtrackingcode/add/", {"code": "BAD", "lot_specific_tracking": "on"}
    )
    assert response.status_code == 200
    assert "Lot specific tracking needs lot warehouse tracking" in response.content.decode()
    assert not ItemTrackingCode.objects.filter(code="BAD").exists()
    code = ItemTrackingCode.objects.get(code="LOTSTRICT")
    response = admin_browser.post(
        f"/admin/tracking/itemtrackingcode/{code.pk}/change/",
        {"code": "LOTSTRICT", "lot_outbound_tracking": "on", "use_expiration_dates": "on"},
    )
    assert response.status_code == 200
    assert "cannot be turned off until that stock is gone" in response.content.decode()
    code.refresh_from_db()
    assert code.lot_warehouse_tracking
