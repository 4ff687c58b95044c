"""Demo data for warehouse shipments: WHSE requires shipment and pick, an order per outbound case on one
shipment with a warehouse pick for the demo worker; loading twice changes nothing; it can be registered
and posted."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from picking.models import Pick, PickLine, WarehouseShipment
from picking.services.pick_delete import pick_line_delete
from picking.services.pick_qty_to_handle import pick_autofill_qty_to_handle
from picking.services.pick_register import pick_register
from picking.services.shipment_post import warehouse_shipment_post
from tests.clients import browser_for
from warehouse.models import Location

pytestmark = pytest.mark.django_db


def test_the_demo_warehouse_ships_an_order_per_case() -> None:
    # given the demo data loaded twice
    call_command("load_demo_data", stdout=io.StringIO())
    call_command("load_demo_data", stdout=io.StringIO())
    whse = Location.objects.get(code="WHSE")
    assert whse.require_shipment and whse.require_pick and whse.shipment_bin is not None
    assert whse.shipment_bin.kind == "shipping"
    # then one shipment gathers the four orders, with one warehouse pick assigned to the worker
    (shipment,) = WarehouseShipment.objects.filter(location=whse)
    documents = sorted(
        {line.source_line.document.no for line in shipment.lines.select_related("source_line__document")}
    )
    assert documents == ["SO-WHSE-1", "SO-WHSE-2", "SO-WHSE-3", "SO-WHSE-4"]
    (pick,) = Pick.objects.filter(type="warehouse_pick", location=whse)
    assert pick.assigned_to is not None and pick.assigned_to.username == "worker"
    takes = PickLine.objects.filter(pick=pick, action="take")
    assert takes.count() == PickLine.objects.filter(pick=pick, action="place").count()
    assert {(t.serial_no, t.lot_no) for t in takes if t.tracking_locked} == {("DF-1002", ""), ("", "VAC-W-1")}
    # and the worker can open it
    assert browser_for(pick.assigned_to).get(f"/picks/{pick.pk}/").status_code == 200
    # and what can be handled without the worker choosing numbers registers and ships
    supervisor = shipment.created_by
    for line in takes.filter(serial_no="", lot_no="", item__tracking_code__isnull=False):
        pick_line_delete(pick_line_id=line.pk, user=supervisor)
    pick_autofill_qty_to_handle(pick_id=pick.pk, user=supervisor)
    pick_register(pick_id=pick.pk, user=supervisor)
    posted = warehouse_shipment_post(shipment_id=shipment.pk, user=supervisor)
    assert posted.lines.count() >= 4
