"""Shipment only (the location requires shipment, not pick), through the pages: posting the shipment ships
straight from the bins its lines name.

The supervisor gets the order onto a shipment with the filters of "Create warehouse shipment" (previewing
what it gathers first), names the bins the goods are in and a lower Qty. to Ship on the shipment page (no
warehouse pick is offered there), and posts twice: part now, the rest later.
"""

from __future__ import annotations

import pytest

from picking.models import WarehouseShipment
from picking.tests.picks_pages.pages import follow, text
from tests.acceptance.warehouse_cases import (
    page_post_shipment,
    shipment_only_given,
    then_shipment_only_shipped,
)
from tests.clients import browser_for
from tests.world import bin_content, ledger, source_line, tracking, warehouse_entries

pytestmark = pytest.mark.django_db


def test_shipment_only_ships_from_the_lines_bins_on_the_pages() -> None:
    # given lots LATE and EARLY in W1, serials X1 to X3 in W2; an order for 6 of the lot and 2 serials (X3)
    given = shipment_only_given()
    world, doc = given.world, given.doc
    supervisor = browser_for(world.supervisor)
    filters = {"location": "SHIPONLY", "document_type": "sales_order", "no_from": doc.no, "no_to": doc.no}

    # when the supervisor previews what a shipment with these filters gathers
    preview = supervisor.post("/warehouse-shipments/create/", {**filters, "preview": "1"})
    # then the order's two lines are listed, and nothing is created yet
    assert preview.status_code == 200
    page = text(preview)
    assert "2 source lines of 1 document(s) would be on the shipment" in page
    assert "Line 10000: 6 \u00d7 LOT-WH" in page and "Line 20000: 2 \u00d7 SN-SPEC" in page
    assert not WarehouseShipment.objects.exists()

    # when the supervisor creates it
    response = supervisor.post("/warehouse-shipments/create/", filters)
    shipment = WarehouseShipment.objects.get()
    assert response["Location"] == f"/warehouse-shipments/{shipment.pk}/"
    page = follow(supervisor, response)
    # then each line ships its whole quantity from the shipment bin; no warehouse pick is offered
    assert [(ln.bin and ln.bin.code, ln.quantity, ln.qty_to_ship) for ln in shipment.lines.all()] == [
        ("SHIP", 6, 6),
        ("SHIP", 2, 2),
    ]
    assert "shipment only: the lines ship straight from their bins" in page
    assert 'data-testid="create-pick"' not in page and 'name="bin"' in page
    lot_line, serial_line = shipment.lines.all()

    # when the supervisor names the bins the goods are in, and ships 4 of the lot now
    url = f"/warehouse-shipments/{shipment.pk}/lines/"
    page = follow(supervisor, supervisor.post(f"{url}{lot_line.pk}/", {"bin": "W1", "qty_to_ship": "4"}))
    assert "Line 10000: Qty. to Ship 4 from bin W1." in page
    follow(supervisor, supervisor.post(f"{url}{serial_line.pk}/", {"bin": "W2", "qty_to_ship": "2"}))
    # and posts: the confirmation lists the lines, the bins and how the numbers are chosen
    confirm, page = page_post_shipment(supervisor, shipment)
    assert "Line 10000: <strong>4</strong> \u00d7 LOT-WH from bin W1" in confirm
    assert "those the source line prescribes first" in confirm
    # then the ledgers, number by number: straight out of W1 and W2
    then_shipment_only_shipped(given)
    assert 'data-testid="shipment-status">Partially shipped<' in page

    # when the rest is shipped later
    follow(supervisor, supervisor.post(f"{url}{lot_line.pk}/", {"qty_to_ship": "2"}))
    page_post_shipment(supervisor, shipment)
    # then 2 more of LATE left W1; the order and the shipment are shipped
    assert ledger(world.lot_wh)[4:] == [("sale", "LATE", "", -2, given.lot_receipts[("LATE", "")])]
    assert warehouse_entries(world.lot_wh)[4:] == [("sale", "W1", "LATE", "", -2)]
    assert bin_content(world.lot_wh) == [("W1", "EARLY", "", 0), ("W1", "LATE", "", 2)]
    assert tracking(source_line(doc, 10000)) == [("EARLY", "", 3, 3, "pick"), ("LATE", "", 3, 3, "pick")]
    page = text(supervisor.get(f"/warehouse-shipments/{shipment.pk}/"))
    assert 'data-testid="shipment-status">Shipped<' in page and 'data-testid="post-link"' not in page
