"""Bad input on the warehouse pages: every forged or mistyped POST gets a clear message on the page (next to
the pair, the shipment line or the field), never a server error, and changes nothing.

Forged on a warehouse pick's pair cards: negative, unreadable, huge and empty Qty. to Handle, numbers on a
place line, a storage or unknown bin to place in, numbers and bins of a locked pair, a line of another
pick, a pick at another location. On the shipment page: Qty. to Ship out of range or unreadable, a bin at
a location that picks, a line of another shipment, someone else's location, a worker's POSTs. On "Create
warehouse shipment", the wave pick and "Create warehouse shipment" of a source document: bad filters,
nothing to ship, locations that do not ship with shipments.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from picking.models import Pick, PickLine, WarehouseShipment
from picking.tests.picks_pages.pages import text
from tests.acceptance.warehouse_cases import page_pairs, pair_card
from tests.clients import browser_for
from tests.world import World, document, shipment_for, shipment_line, source_line, warehouse_pick_for
from warehouse.models import Bin

pytestmark = pytest.mark.django_db


@dataclass
class Given:
    world: World
    shipment: WarehouseShipment
    pick: Pick
    lot: PickLine  # an open pair: 4 of lot L1 from W1
    locked: PickLine  # a locked pair: serial X2, prescribed
    far_shipment: WarehouseShipment  # at FAR, where neither the worker nor the supervisor works
    far_pick: Pick
    supervisor: Client
    worker: Client


@pytest.fixture
def given(world: World) -> Given:
    whse = world.add_warehouse()
    world.receive(world.lot_wh, world.bin("W1", whse), {"quantity": 10, "lot_no": "L1"})
    world.receive(
        world.sn_spec, world.bin("W1", whse), *({"quantity": 1, "serial_no": f"X{i}"} for i in (1, 2))
    )
    doc = document(world, (world.lot_wh, 4), (world.sn_spec, 1, {"tracking": [("X2", "", 1)]}), location=whse)
    shipment = shipment_for(world, doc)
    pick = warehouse_pick_for(world, shipment)
    far = world.add_location(
        "FAR",
        "F1",
        "FSHIP",
        shipment_bin="FSHIP",
        shipping=("FSHIP",),
        require_shipment=True,
        require_pick=True,
    )
    far_boss = world.add_user("sup-far", "supervisor", far)
    world.receive(world.plain, world.bin("F1", far), {"quantity": 5})
    far_shipment = shipment_for(world, document(world, (world.plain, 1), location=far), user=far_boss)
    far_pick = warehouse_pick_for(world, far_shipment, user=far_boss)
    return Given(
        world,
        shipment,
        pick,
        PickLine.objects.get(pick=pick, action="take", lot_no="L1"),
        PickLine.objects.get(pick=pick, action="take", serial_no="X2"),
        far_shipment,
        far_pick,
        browser_for(world.supervisor),
        browser_for(world.worker),
    )


def _place(take: PickLine) -> PickLine:
    assert take.pair is not None
    return take.pair


def test_forged_posts_on_pair_cards_are_refused_next_to_the_pair(given: Given) -> None:
    pick, lot, locked = given.pick, given.lot, given.locked
    before = page_pairs(pick)
    url = f"/picks/{pick.pk}/lines/"
    cases: list[tuple[PickLine, dict[str, str], int, str]] = [
        (lot, {"qty_to_handle": "-1"}, 400, "cannot be negative"),
        (lot, {"qty_to_handle": "abc"}, 400, "is not a quantity"),
        (lot, {"qty_to_handle": "1" * 40}, 400, "outstanding"),
        (lot, {"qty_to_handle": "1e30"}, 400, "outstanding"),
        (lot, {"qty_to_handle": ""}, 400, "Enter the Qty. to Handle"),
        (_place(lot), {"qty_to_handle": "-4"}, 400, "cannot be negative"),
        (_place(lot), {"lot_no": "L2"}, 400, "is a place line"),
        (_place(lot), {"bin": "W2"}, 409, "is a storage bin"),
        (_place(lot), {"bin": "NOPE"}, 400, "There is no bin NOPE"),
        (locked, {"serial_no": "X1"}, 409, "prescribed by the source document"),
        (_place(locked), {"bin": "SHIP2"}, 409, "prescribed by the source document"),
        (_place(locked), {"serial_no": "X1"}, 400, "is a place line"),
    ]
    for line, data, status, message in cases:
        # when the worker sends the forged or mistyped form
        response = given.worker.post(f"{url}{line.pk}/", data)
        # then the page answers with the reason on the pair's card, and nothing changed
        assert response.status_code == status, (line.line_no, data, text(response)[:500])
        take = lot if line.pk in (lot.pk, lot.pair_id) else locked
        card = pair_card(text(response), take)
        assert 'data-testid="line-error"' in card and message in card, (data, card)
    assert page_pairs(pick) == before

    # a split or an assign on a place line, a line of another pick, a pick the worker cannot see: refused
    assert given.worker.post(f"{url}{_place(lot).pk}/split/", {"quantity": "1"}).status_code == 409
    other_line = PickLine.objects.filter(pick=given.far_pick).first()
    assert other_line is not None
    assert given.worker.post(f"{url}{other_line.pk}/", {"qty_to_handle": "1"}).status_code == 404
    far = f"/picks/{given.far_pick.pk}/"
    assert given.worker.get(far).status_code == 404
    assert given.worker.post(f"{far}lines/{other_line.pk}/", {"qty_to_handle": "1"}).status_code == 404
    assert given.worker.post(f"{far}scan/", {"code": "PLAIN"}).status_code == 404
    assert given.worker.post(f"{far}register/").status_code == 404
    assert page_pairs(pick) == before and page_pairs(given.far_pick)[0][5] == 0


def test_register_refusals_on_the_pages(given: Given) -> None:
    pick = given.pick
    # when the worker registers with nothing to handle: the page says what to do, nothing moves
    response = given.worker.post(f"/picks/{pick.pk}/register/")
    assert response.status_code == 409 and "Nothing to register" in text(response)
    confirm = text(given.worker.get(f"/picks/{pick.pk}/register/"))
    assert "No pair has a Qty. to Handle" in confirm and "disabled" in confirm
    # when a supervisor-only action is forged by the worker: refused
    assert given.worker.post(f"/picks/{pick.pk}/register-and-delete-rest/").status_code == 403
    assert given.worker.post(f"/picks/{pick.pk}/delete/").status_code == 403
    assert given.worker.post(f"/picks/{pick.pk}/lines/{given.lot.pk}/delete/").status_code == 403
    # when someone tries to post a warehouse pick (an inventory pick's action): refused, with the reason
    response = given.supervisor.post(f"/picks/{pick.pk}/post/")
    assert response.status_code == 409 and "register" in text(response).lower()
    assert given.supervisor.get(f"/picks/{pick.pk}/post/")["Location"] == f"/picks/{pick.pk}/register/"
    assert PickLine.objects.filter(pick=pick, qty_handled__gt=0).count() == 0


def test_forged_posts_on_the_shipment_page_are_refused_next_to_the_line(given: Given) -> None:
    shipment = given.shipment
    line = shipment_line(shipment, 10000)
    url = f"/warehouse-shipments/{shipment.pk}/lines/{line.pk}/"
    for data, status, message in (
        ({"qty_to_ship": "-1"}, 400, "cannot be negative"),
        ({"qty_to_ship": "abc"}, 400, "is not a quantity"),
        ({"qty_to_ship": ""}, 400, "Enter the Qty. to Ship"),
        ({"qty_to_ship": "9" * 40}, 400, "picked and not shipped"),
        ({"qty_to_ship": "1"}, 400, "Register the warehouse pick first"),
        ({"bin": "W1"}, 400, "the line's bin cannot be changed here"),
    ):
        response = given.supervisor.post(url, data)
        assert response.status_code == status, (data, text(response)[:500])
        page = text(response)
        card = page.split(f'id="shipment-line-{line.pk}"')[1].split("</article>")[0]
        assert 'data-testid="line-error"' in card and message in card, (data, card)
    line.refresh_from_db()
    assert (line.qty_to_ship, line.bin and line.bin.code) == (0, "SHIP")

    # a line of another shipment, a shipment the supervisor cannot see, a worker's POSTs: refused
    far = given.far_shipment
    far_line = shipment_line(far)
    assert (
        given.supervisor.post(f"/warehouse-shipments/{shipment.pk}/lines/{far_line.pk}/", {}).status_code
        == 404
    )
    assert given.supervisor.get(f"/warehouse-shipments/{far.pk}/").status_code == 404
    assert given.supervisor.post(f"/warehouse-shipments/{far.pk}/post/").status_code == 404
    assert given.worker.post(url, {"qty_to_ship": "0"}).status_code == 403
    assert given.worker.get(f"/warehouse-shipments/{shipment.pk}/post/").status_code == 403
    assert given.worker.post(f"/warehouse-shipments/{shipment.pk}/delete/").status_code == 403
    # posting with nothing to ship: the reason on the page
    response = given.supervisor.post(f"/warehouse-shipments/{shipment.pk}/post/")
    assert response.status_code == 409 and "Nothing to post" in text(response)
    assert not shipment.postings.exists()


def test_a_shipment_only_line_refuses_unknown_and_blocked_bins(world: World) -> None:
    ship_only = world.add_warehouse("SHIPONLY", require_pick=False)
    Bin.objects.filter(location=ship_only, code="W2").update(blocked=True)
    shipment = shipment_for(world, document(world, (world.plain, 2), location=ship_only))
    line = shipment_line(shipment)
    supervisor = browser_for(world.supervisor)
    url = f"/warehouse-shipments/{shipment.pk}/lines/{line.pk}/"
    for data, status, message in (
        ({"bin": "NOPE", "qty_to_ship": "2"}, 400, "There is no bin NOPE"),
        ({"bin": "W2", "qty_to_ship": "2"}, 409, "Bin W2 is blocked"),
        ({"bin": "W1", "qty_to_ship": "3"}, 400, "only 2 are not shipped yet"),
    ):
        response = supervisor.post(url, data)
        assert response.status_code == status and message in text(response), data
    line.refresh_from_db()
    assert (line.bin and line.bin.code, line.qty_to_ship) == ("SHIP", 2)


def test_create_shipment_refuses_bad_filters_with_a_message_at_the_field(given: Given) -> None:
    url = "/warehouse-shipments/create/"
    sup = given.supervisor
    for data, status, message in (
        ({"location": "WHSE", "shipment_date_to": "31.12.2026"}, 400, "Enter a date as YYYY-MM-DD."),
        ({"location": "WHSE", "no_from": "SO-9", "no_to": "SO-1"}, 400, "'to' comes before 'from'"),
        ({"location": "MAIN"}, 400, "Select a valid choice"),
        ({"location": "FAR"}, 400, "Select a valid choice"),
        ({"location": "WHSE", "document_type": "invoice"}, 400, "Select a valid choice"),
        ({"location": "WHSE"}, 409, "Nothing to ship at location WHSE"),
    ):
        response = sup.post(url, data)
        assert response.status_code == status and message in text(response), (data, text(response)[:300])
    # the preview with bad filters says so too, and creates nothing
    response = sup.get(url, {"preview": "1", "location": "WHSE", "shipment_date_to": "x"})
    assert response.status_code == 400 and "Enter a date" in text(response)
    assert WarehouseShipment.objects.filter(location__code="WHSE").count() == 1
    assert given.worker.get(url).status_code == 403
    assert given.worker.post(url, {"location": "WHSE"}).status_code == 403


def test_create_shipment_from_a_source_document_refuses_with_the_reason(given: Given) -> None:
    world = given.world
    main_doc = document(world, (world.plain, 1))  # MAIN ships through inventory picks
    page = text(given.supervisor.get(f"/source-documents/{main_doc.pk}/"))
    assert "create-shipment" not in page and "Create Inventory Pick" in page
    response = given.supervisor.post(f"/source-documents/{main_doc.pk}/create-shipment/")
    page = text(given.supervisor.get(response["Location"]))
    assert "ships through inventory picks, not warehouse shipments" in page
    # a document already on a shipment: nothing left to ship
    whse_doc = source_line(given.shipment.lines.first().source_line.document).document  # type: ignore[union-attr]
    response = given.supervisor.post(f"/source-documents/{whse_doc.pk}/create-shipment/")
    assert "Nothing to ship" in text(given.supervisor.get(response["Location"]))
    far_doc = given.far_shipment.lines.get().source_line.document
    assert given.supervisor.post(f"/source-documents/{far_doc.pk}/create-shipment/").status_code == 404
    assert given.worker.post(f"/source-documents/{whse_doc.pk}/create-shipment/").status_code == 403
    assert WarehouseShipment.objects.count() == 2


def test_the_wave_pick_refuses_with_a_message(given: Given) -> None:
    world, sup = given.world, given.supervisor
    ship_only = world.add_warehouse("SHIPONLY", require_pick=False)
    only = shipment_for(world, document(world, (world.plain, 1), location=ship_only))

    def create(**data: Any) -> str:
        response = sup.post("/warehouse-picks/create/", data)
        assert response.status_code == 302, text(response)[:500]
        return text(sup.get(response["Location"]))

    assert "Select the shipments to pick for" in create()
    assert "Select the shipments to pick for" in create(shipments=["abc"])
    assert "Nothing to pick on shipment(s)" in create(shipments=[given.shipment.pk])  # all on the pick
    assert "needs no picks" in create(shipments=[only.pk])
    assert "not a warehouse employee" in create(shipments=[given.shipment.pk], assigned_to="sup-far")
    assert sup.post("/warehouse-picks/create/", {"shipments": [given.far_shipment.pk]}).status_code == 404
    assert sup.post("/warehouse-picks/create/", {"shipments": [999999]}).status_code == 404
    assert given.worker.post("/warehouse-picks/create/", {"shipments": [only.pk]}).status_code == 403
    assert Pick.objects.filter(type="warehouse_pick").count() == 2
