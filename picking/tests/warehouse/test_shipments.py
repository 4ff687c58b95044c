"""Warehouse shipments: location modes, creation by ids and by filter, one open shipment line per source
line (and the database constraint behind it), source lines never over-committed, Qty. to Ship, deleting."""

from __future__ import annotations

import datetime
from decimal import Decimal
from functools import partial
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from core.exceptions import DomainError, NotFoundError
from picking.models import SourceLine, WarehouseShipment, WarehouseShipmentLine
from picking.services.pick_create import pick_create_from_source
from picking.services.shipment_create import warehouse_shipment_create
from picking.services.shipment_lines import (
    warehouse_shipment_delete,
    warehouse_shipment_line_delete,
    warehouse_shipment_line_update,
)
from picking.services.source_lines import source_line_set_quantity
from picking.services.warehouse_pick_create import warehouse_pick_create
from tests.clients import refused
from tests.world import (
    World,
    document,
    post_shipment,
    register,
    shipment_for,
    shipment_line,
    source_line,
    warehouse_pick_for,
)

pytestmark = pytest.mark.django_db


def test_each_location_mode_refuses_what_it_does_not_do(world: World) -> None:
    # given a location of each mode, each with an open order
    whse = world.add_warehouse()
    ship_only = world.add_warehouse("SHIPONLY", require_pick=False)
    neither = world.add_location("NONE", "N1", require_pick=False)
    docs = {loc.code: document(world, (world.plain, 1), location=loc) for loc in (whse, ship_only, neither)}
    world.receive(world.plain, "A1", {"quantity": 5})
    main_doc = document(world, (world.plain, 1))
    sup = world.supervisor

    def shipment(code: str) -> Any:
        return lambda: warehouse_shipment_create(
            location_code=code, source_document_ids=[docs[code].pk], user=sup
        )

    # then a location without shipments refuses shipments, one that needs neither refuses everything
    refused(lambda: warehouse_shipment_create(location_code="MAIN", user=sup), "location_needs_no_shipment")
    none_sup = world.add_user("sup-none", "supervisor", neither)
    refused(lambda: warehouse_shipment_create(location_code="NONE", user=none_sup), "location_needs_no_pick")
    refused(
        lambda: pick_create_from_source(source_document_id=docs["NONE"].pk, user=none_sup),
        "location_needs_no_pick",
    )
    # inventory picks are refused where shipments are required
    for code in ("WHSE", "SHIPONLY"):
        refused(
            partial(pick_create_from_source, source_document_id=docs[code].pk, user=sup),
            "location_without_inventory_picks",
        )
    # a shipment-only location ships without picks: a warehouse pick is refused
    only = shipment("SHIPONLY")()
    refused(lambda: warehouse_pick_create(shipment_ids=[only.pk], user=sup), "location_needs_no_pick")
    # and MAIN still makes inventory picks
    assert pick_create_from_source(source_document_id=main_doc.pk, user=sup).pick is not None


def test_shipments_by_filter_gather_the_open_lines_of_matching_documents(world: World) -> None:
    # given four orders at WHSE: two for Acme (one due later), one for Beta, one already on a shipment
    whse = world.add_warehouse()
    d1 = document(world, (world.plain, 2), (world.lot_wh, 1), no="SO-1", location=whse)
    d2 = document(world, (world.plain, 3), no="SO-2", location=whse)
    d3 = document(world, (world.plain, 4), no="SO-3", location=whse)
    d4 = document(world, (world.plain, 5), no="SO-4", location=whse)
    for doc, partner, date in ((d1, "Acme", 1), (d2, "Acme", 20), (d3, "Beta", 1), (d4, "Acme", 1)):
        doc.partner, doc.shipment_date = partner, datetime.date(2027, 1, date)
        doc.save()
    shipment_for(world, d4)
    sup = world.supervisor

    # when shipping Acme's orders due by January 10th, numbers SO-1 to SO-4
    shipment = warehouse_shipment_create(
        location_code="WHSE",
        partner="acme",
        shipment_date_to=datetime.date(2027, 1, 10),
        no_from="SO-1",
        no_to="SO-4",
        user=sup,
    )
    # then only SO-1's lines: SO-2 is due later, SO-3 is Beta's, SO-4 is on a shipment already
    lines = list(shipment.lines.order_by("line_no"))
    assert [(ln.source_line.document.no, ln.source_line.line_no, ln.quantity) for ln in lines] == [
        ("SO-1", 10000, 2),
        ("SO-1", 20000, 1),
    ]
    assert shipment.no.startswith("WSH") and shipment.status == "open"
    assert [ln.bin and ln.bin.code for ln in lines] == ["SHIP", "SHIP"] and all(
        ln.qty_to_ship == 0 for ln in lines
    )
    assert (source_line(d1).qty_on_shipments, source_line(d1, 20000).qty_on_shipments) == (2, 1)
    # and nothing is left to ship by the same filter; bad filters are refused before anything is written
    refused(
        lambda: warehouse_shipment_create(location_code="WHSE", partner="Acme", no_to="SO-1", user=sup),
        "nothing_to_ship",
    )
    error = refused(
        lambda: warehouse_shipment_create(location_code="WHSE", no_from="SO-9", no_to="SO-1", user=sup),
        "invalid",
    )
    assert error.errors[0]["code"] == "invalid_range"
    error = refused(
        lambda: warehouse_shipment_create(location_code="WHSE", document_type="invoice", user=sup), "invalid"
    )
    assert error.errors[0]["code"] == "invalid_choice"
    refused(
        lambda: warehouse_shipment_create(location_code="WHSE", shipment_date_to="soon", user=sup), "invalid"
    )
    assert WarehouseShipment.objects.count() == 2


def test_document_ids_must_be_visible_and_at_the_location(world: World) -> None:
    whse = world.add_warehouse()
    other = world.add_warehouse("WHSE2")
    doc = document(world, (world.plain, 1), location=other)
    east_doc = document(world, (world.plain, 1), location=world.east)
    sup = world.supervisor
    error = refused(
        lambda: warehouse_shipment_create(location_code=whse.code, source_document_ids=[doc.pk], user=sup),
        "other_location",
    )
    assert error.errors == [
        {"field": "source_documents[0]", "code": "other_location", "detail": "At another location."}
    ]
    with pytest.raises(NotFoundError):
        warehouse_shipment_create(
            location_code=whse.code, source_document_ids=[east_doc.pk, 999999], user=sup
        )
    with pytest.raises(NotFoundError):
        warehouse_shipment_create(location_code="EAST", source_document_ids=[east_doc.pk], user=sup)
    assert not WarehouseShipment.objects.exists()


def test_a_source_line_is_on_one_open_shipment_line_and_the_database_says_so(world: World) -> None:
    whse = world.add_warehouse()
    doc = document(world, (world.plain, 3), location=whse)
    shipment = shipment_for(world, doc)
    # then a second shipment finds nothing to ship
    refused(lambda: shipment_for(world, doc), "nothing_to_ship")
    # and the database refuses a second open shipment line for the source line (the last guard)
    other = WarehouseShipment.objects.create(no="WSH-TEST", location=whse)
    line = source_line(doc)
    with (
        pytest.raises(
            IntegrityError,
            match=r"source_line_on_one_open_shipment_line|warehouseshipmentline\.source_line_id",
        ),
        transaction.atomic(),
    ):
        WarehouseShipmentLine.objects.create(
            shipment=other, line_no=1, source_line=line, item=line.item, quantity=1
        )
    # a completely shipped shipment line does not count as open
    WarehouseShipmentLine.objects.filter(shipment=shipment).update(qty_shipped=3)
    WarehouseShipmentLine.objects.create(
        shipment=other, line_no=1, source_line=line, item=line.item, quantity=1
    )


def test_source_lines_are_never_over_committed(world: World) -> None:
    # given an order of 5 on a shipment
    whse = world.add_warehouse()
    world.receive(world.plain, world.bin("W1", whse), {"quantity": 10})
    doc = document(world, (world.plain, 5), location=whse)
    shipment_for(world, doc)
    line = source_line(doc)
    # then its quantity cannot go below what is on the shipment
    error = refused(
        lambda: source_line_set_quantity(source_line_id=line.pk, quantity=4, user=world.supervisor),
        "quantity_below_committed",
    )
    assert "shipments" in error.detail
    # and if the location ships through inventory picks again, an inventory pick finds nothing to take
    whse.require_shipment = False
    whse.save()
    refused(
        lambda: pick_create_from_source(source_document_id=doc.pk, user=world.supervisor), "nothing_to_pick"
    )
    # the database refuses shipped + on picks + on shipments above the quantity
    with (
        pytest.raises(IntegrityError, match="source_line_shipped_plus_committed_within_quantity"),
        transaction.atomic(),
    ):
        SourceLine.objects.filter(pk=line.pk).update(qty_on_picks=1)


def test_qty_to_ship_stays_within_what_is_picked_or_outstanding(world: World) -> None:
    # given a shipment at WHSE (with picks) with 2 of 3 registered, and one at a location without picks
    whse = world.add_warehouse()
    world.receive(world.plain, world.bin("W1", whse), {"quantity": 2})
    doc = document(world, (world.plain, 3), location=whse)
    shipment = shipment_for(world, doc)
    register(world, warehouse_pick_for(world, shipment))
    line = shipment_line(shipment)
    assert (line.qty_picked, line.qty_to_ship) == (2, 2)

    def update(**changes: Any) -> Any:
        return lambda: warehouse_shipment_line_update(
            shipment_line_id=line.pk, user=world.supervisor, **changes
        )

    # then Qty. to Ship is 0 to 2 here; the bin is where the pick placed the goods
    for value, code in (("3", "qty_to_ship_exceeds_picked"), ("-1", "invalid_quantity"), ("x", "invalid")):
        error = refused(update(qty_to_ship=value), code)
        assert error.errors[0]["field"] == "qty_to_ship"
    assert refused(update(bin_code="W1"), "field_read_only").errors[0]["field"] == "bin"
    assert update(qty_to_ship="1.5")().qty_to_ship == Decimal("1.5")
    # without picks: up to the outstanding quantity, from a bin of the location
    only = world.add_warehouse("SHIPONLY", require_pick=False)
    doc2 = document(world, (world.plain, 3), location=only)
    line2 = shipment_line(shipment_for(world, doc2))
    assert (line2.qty_to_ship, line2.bin and line2.bin.code) == (3, "SHIP")

    def update2(**changes: Any) -> Any:
        return lambda: warehouse_shipment_line_update(
            shipment_line_id=line2.pk, user=world.supervisor, **changes
        )

    refused(update2(qty_to_ship="4"), "qty_to_ship_exceeds_outstanding")
    assert refused(update2(bin_code="NOPE"), "invalid").errors[0]["code"] == "not_found"
    assert update2(bin_code="W2", qty_to_ship="2")().bin.code == "W2"
    with pytest.raises(DomainError) as info:
        warehouse_shipment_line_update(shipment_line_id=line2.pk, user=world.worker, qty_to_ship="1")
    assert info.value.code == "permission_denied"
    assert shipment_line(WarehouseShipment.objects.get(pk=line2.shipment_id)).qty_to_ship == 2


def test_deleting_is_refused_while_picks_or_picked_stock_hold_the_lines(world: World) -> None:
    # given a shipment of 2 lines with a warehouse pick for both
    whse = world.add_warehouse()
    world.receive(world.plain, world.bin("W1", whse), {"quantity": 10})
    doc = document(world, (world.plain, 3), (world.plain, 2), location=whse)
    shipment = shipment_for(world, doc)
    pick = warehouse_pick_for(world, shipment)
    # then deleting is refused while the pick is open, with every line named
    error = refused(
        lambda: warehouse_shipment_delete(shipment_id=shipment.pk, user=world.supervisor), "shipment_on_pick"
    )
    assert [e["line"] for e in error.errors] == [10000, 20000]
    # once registered, while the goods wait in the shipping bin
    register(world, pick)
    refused(
        lambda: warehouse_shipment_delete(shipment_id=shipment.pk, user=world.supervisor),
        "shipment_has_picked_stock",
    )
    line = shipment_line(shipment, 20000)
    refused(
        lambda: warehouse_shipment_line_delete(shipment_line_id=line.pk, user=world.supervisor),
        "shipment_has_picked_stock",
    )
    refused(
        lambda: warehouse_shipment_delete(shipment_id=shipment.pk, user=world.worker), "permission_denied"
    )
    assert WarehouseShipmentLine.objects.filter(shipment=shipment).count() == 2
    # once shipped, it can go; its source lines stay shipped
    post_shipment(world, shipment)
    warehouse_shipment_delete(shipment_id=shipment.pk, user=world.supervisor)
    assert not WarehouseShipment.objects.filter(pk=shipment.pk).exists()
    assert (source_line(doc).qty_shipped, source_line(doc).qty_on_shipments) == (3, 0)


def test_deleting_a_line_frees_its_source_line(world: World) -> None:
    whse = world.add_warehouse()
    doc = document(world, (world.plain, 3), (world.plain, 2), location=whse)
    shipment = shipment_for(world, doc)
    warehouse_shipment_line_delete(shipment_line_id=shipment_line(shipment, 20000).pk, user=world.supervisor)
    assert (source_line(doc, 20000).qty_on_shipments, source_line(doc, 10000).qty_on_shipments) == (0, 3)
    # the freed line goes onto a new shipment; the last line deleted takes its shipment with it
    again = shipment_for(world, doc)
    assert [ln.source_line.line_no for ln in again.lines.all()] == [20000]
    warehouse_shipment_line_delete(shipment_line_id=shipment_line(shipment).pk, user=world.supervisor)
    assert not WarehouseShipment.objects.filter(pk=shipment.pk).exists()
    assert source_line(doc).qty_on_shipments == 0
