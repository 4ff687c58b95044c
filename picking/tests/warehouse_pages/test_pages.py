"""The warehouse pages: the scan box on a warehouse pick (the take line changes, the place line follows),
deleting pairs and shipments with confirmations that say what happens (and why a refusal happens), the
wave pick, the lists, the navigation, and query counts that do not grow with pairs or lines."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from picking.models import Pick, PickLine, SourceLine, WarehouseShipment
from picking.services.pick_register import pick_register
from picking.tests.picks_pages.pages import follow, text
from tests.acceptance.warehouse_cases import page_create_warehouse_pick, page_pairs, pair_card, take_line
from tests.clients import browser_for
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


def _scan(client: Any, pick: Pick, code: str, **data: Any) -> Any:
    return client.post(f"/picks/{pick.pk}/scan/", {"code": code, **data}, HTTP_HX_REQUEST="true")


def test_scans_on_a_warehouse_pick_change_the_take_line_and_the_place_line_follows(world: World) -> None:
    # given a pair of 2 serial numbers to select (case 3) placed in SHIP2, and a lot pair
    whse = world.add_warehouse()
    world.receive(
        world.sn_spec, world.bin("W1", whse), *({"quantity": 1, "serial_no": f"X{i}"} for i in (1, 2, 3))
    )
    world.receive(world.lot_wh, world.bin("W2", whse), {"quantity": 6, "lot_no": "L1"})
    shipment = shipment_for(world, document(world, (world.sn_spec, 2), (world.lot_wh, 3), location=whse))
    pick = warehouse_pick_for(world, shipment)
    serial = take_line(pick, item=world.sn_spec)
    worker = browser_for(world.worker)
    assert serial.pair is not None
    follow(worker, worker.post(f"/picks/{pick.pk}/lines/{serial.pair.pk}/", {"bin": "SHIP2"}))

    # when the scanner reads X2 (htmx, as the scan box sends it)
    response = _scan(worker, pick, "X2")
    # then a one-unit pair carries X2, placed where its origin placed (SHIP2), its card swapped in
    assert response.status_code == 200
    x2 = take_line(pick, serial_no="X2")
    assert page_pairs(pick) == [
        ("W1", "SHIP2", "", "", 1, 0, False),
        ("W2", "SHIP", "L1", "", 3, 0, False),
        ("W1", "SHIP2", "", "X2", 1, 1, False),
    ]
    answer = text(response)
    assert 'data-scan-outcome="line_updated"' in answer
    card = pair_card(answer.split('id="scan-result"')[-1], x2)
    assert "Take from <strong>W1</strong> → place in <strong>SHIP2</strong>" in card
    assert 'hx-swap-oob="outerHTML"' in answer  # the pair's card in the list is replaced too

    # when the lot is scanned with a quantity, and a code no pair can take
    _scan(worker, pick, "L1", quantity="3")
    refused = _scan(worker, pick, "NOPE")
    # then the lot pair is to handle on both lines; the refusal changes nothing and says why
    assert [row[5] for row in page_pairs(pick)] == [0, 3, 1]
    assert 'data-scan-outcome="scan_no_match"' in text(refused)
    # and a place line's bin cannot be scanned as a take bin: SHIP is a shipping bin, never picked from
    refused = _scan(worker, pick, "SHIP2", line_id=str(x2.pk))
    assert 'data-scan-outcome="bin_is_shipping"' in text(refused), text(refused)[:800]
    assert page_pairs(pick)[2][:2] == ("W1", "SHIP2")


def test_deleting_a_pair_gives_its_quantity_back_to_the_shipment(world: World) -> None:
    whse = world.add_warehouse()
    world.receive(world.plain, world.bin("W1", whse), {"quantity": 9})
    world.receive(world.lot_wh, world.bin("W2", whse), {"quantity": 9, "lot_no": "L1"})
    shipment = shipment_for(world, document(world, (world.plain, 2), (world.lot_wh, 3), location=whse))
    pick = warehouse_pick_for(world, shipment)
    lot = take_line(pick, item=world.lot_wh)
    assert lot.pair is not None
    supervisor = browser_for(world.supervisor)
    # when the supervisor opens Delete pair (from its place line too): the confirmation says what goes back
    confirm = text(supervisor.get(f"/picks/{pick.pk}/lines/{lot.pair.pk}/delete/"))
    assert f"Delete the pair of line {lot.line_no} of {pick.no}?" in confirm
    assert "The outstanding quantity goes back to the shipment lines" in confirm
    assert f"Line {lot.line_no}: 3 \u00d7 LOT-WH in bin W2 · lot L1" in confirm
    page = follow(supervisor, supervisor.post(f"/picks/{pick.pk}/lines/{lot.pk}/delete/"))
    # then both lines of the pair are gone, the shipment line can be picked again
    assert f"The pair of line {lot.line_no} was deleted" in page
    assert not PickLine.objects.filter(pk__in=[lot.pk, lot.pair.pk]).exists()
    assert shipment_line(shipment, 20000).qty_on_picks == 0
    assert page.count('data-testid="pair-route"') == 1
    # and deleting the pick: the confirmation lists each pair's rest, the pick goes
    confirm = text(supervisor.get(f"/picks/{pick.pk}/delete/"))
    assert "Line 10000: 2 \u00d7 PLAIN in bin W1" in confirm
    page = follow(supervisor, supervisor.post(f"/picks/{pick.pk}/delete/"))
    assert "its outstanding quantity is back on the shipment lines" in page
    assert WarehouseShipment.objects.get(pk=shipment.pk).status == "open"


def test_a_shipment_with_picked_stock_cannot_be_deleted_and_the_page_says_why(world: World) -> None:
    # given a shipment whose pick is registered (the goods wait in SHIP), and one with an open pick
    whse = world.add_warehouse()
    world.receive(world.plain, world.bin("W1", whse), {"quantity": 9})
    picked = shipment_for(world, document(world, (world.plain, 2), location=whse))
    register(world, warehouse_pick_for(world, picked))
    on_pick = shipment_for(world, document(world, (world.plain, 1), location=whse))
    warehouse_pick_for(world, on_pick)
    supervisor = browser_for(world.supervisor)

    # when the supervisor opens Delete shipment: the reason, and no Delete button
    confirm = text(supervisor.get(f"/warehouse-shipments/{picked.pk}/delete/"))
    assert "The shipment cannot be deleted yet" in confirm
    assert "2 are picked and wait in the shipping bin. Post the shipment, or move the goods back" in confirm
    assert 'data-testid="delete"' not in confirm
    confirm = text(
        supervisor.get(f"/warehouse-shipments/{on_pick.pk}/lines/{shipment_line(on_pick).pk}/delete/")
    )
    assert "1 are on an open warehouse pick. Delete those pick lines first." in confirm
    # when it is forged anyway: refused with the reason next to the line, nothing deleted
    refused = supervisor.post(f"/warehouse-shipments/{picked.pk}/delete/")
    assert refused.status_code == 409
    page = text(refused)
    assert "are picked and wait in the shipping bin" in page and 'data-testid="line-error"' in page
    assert WarehouseShipment.objects.filter(pk=picked.pk).exists()

    # when the goods are shipped, the shipment can be deleted: its source lines are free, nothing goes back
    post_shipment(world, picked)
    confirm = text(supervisor.get(f"/warehouse-shipments/{picked.pk}/delete/"))
    assert 'data-testid="delete"' in confirm and 'data-testid="going-back"' not in confirm
    page = follow(supervisor, supervisor.post(f"/warehouse-shipments/{picked.pk}/delete/"))
    assert f"Shipment {picked.no} was deleted" in page


def test_deleting_a_shipment_line_frees_its_source_line(world: World) -> None:
    whse = world.add_warehouse()
    doc = document(world, (world.plain, 2), (world.lot_wh, 3), location=whse)
    shipment = shipment_for(world, doc)
    supervisor = browser_for(world.supervisor)
    line = shipment_line(shipment, 20000)
    confirm = text(supervisor.get(f"/warehouse-shipments/{shipment.pk}/lines/{line.pk}/delete/"))
    assert f"Line 20000: 3 \u00d7 LOT-WH back to {doc.no} line 20000" in confirm
    page = follow(supervisor, supervisor.post(f"/warehouse-shipments/{shipment.pk}/lines/{line.pk}/delete/"))
    assert "Line 20000 was deleted" in page and 'id="shipment-line-' in page
    assert source_line(doc, 20000).qty_on_shipments == 0
    # and the last line: the shipment goes too, back to the list
    last = shipment_line(shipment, 10000)
    response = supervisor.post(f"/warehouse-shipments/{shipment.pk}/lines/{last.pk}/delete/")
    assert response["Location"] == "/warehouse-shipments/"
    assert not WarehouseShipment.objects.filter(pk=shipment.pk).exists()
    assert SourceLine.objects.filter(document=doc, qty_on_shipments__gt=0).count() == 0


def test_a_wave_pick_for_the_shipments_ticked_in_the_list(world: World) -> None:
    # given two shipments at WHSE
    whse = world.add_warehouse()
    world.receive(world.plain, world.bin("W1", whse), {"quantity": 9})
    first = shipment_for(world, document(world, (world.plain, 2), location=whse))
    second = shipment_for(world, document(world, (world.plain, 3), location=whse))
    supervisor, worker = browser_for(world.supervisor), browser_for(world.worker)
    # then the supervisor's list offers a box per shipment and the wave pick; the worker's does not
    page = text(supervisor.get("/warehouse-shipments/"))
    assert page.count('name="shipments"') == 2 and 'data-testid="wave-pick"' in page
    assert 'name="shipments"' not in text(worker.get("/warehouse-shipments/"))
    # when the supervisor ticks both and creates the pick for the worker
    pick, page = page_create_warehouse_pick(supervisor, first, second, assigned_to=world.worker.username)
    # then one pick picks for both shipments, assigned to the worker
    assert page_pairs(pick) == [("W1", "SHIP", "", "", 2, 0, False), ("W1", "SHIP", "", "", 3, 0, False)]
    assert pick.assigned_to == world.worker
    assert f'href="/warehouse-shipments/{first.pk}/">{first.no}</a>' in page
    assert f'href="/warehouse-shipments/{second.pk}/">{second.no}</a>' in page
    for shipment in (first, second):
        assert pick.no in text(supervisor.get(f"/warehouse-shipments/{shipment.pk}/"))
    # and the worker's list of picks counts its pairs, not its lines
    assert "WHSE · worker-main · 2 of 2 line(s) open" in text(worker.get("/picks/"))


def test_the_lists_filter_and_the_navigation_shows_what_the_user_may_open(world: World) -> None:
    whse = world.add_warehouse()
    ship_only = world.add_warehouse("SHIPONLY", require_pick=False)
    world.receive(world.plain, world.bin("W1", whse), {"quantity": 9})
    shipped = shipment_for(world, document(world, (world.plain, 2), location=whse))
    registered = register(world, warehouse_pick_for(world, shipped))
    posted = post_shipment(world, shipped)
    open_one = shipment_for(world, document(world, (world.plain, 1), location=ship_only))
    supervisor, worker = browser_for(world.supervisor), browser_for(world.worker)

    def listed(query: str) -> list[str]:
        page = text(supervisor.get(f"/warehouse-shipments/?{query}"))
        return [no for no in (shipped.no, open_one.no) if f">{no}<" in page]

    assert listed("") == [shipped.no, open_one.no]
    assert listed("status=shipped") == [shipped.no]
    assert listed("location=SHIPONLY") == [open_one.no]
    assert listed(f"no={open_one.no[-3:]}") == [open_one.no]
    assert listed("status=nonsense") == []  # a filter that is no choice: nothing, and the error shown
    doc_id = shipped.lines.get().source_line.document_id
    assert listed(f"source_document={doc_id}") == [shipped.no]
    assert registered.no in text(worker.get(f"/registered-picks/?pick_no={registered.pick_no}"))
    assert registered.no not in text(worker.get("/registered-picks/?pick_no=WPI999"))
    assert posted.no in text(worker.get(f"/posted-shipments/?shipment_no={shipped.no}"))
    assert posted.no not in text(worker.get(f"/posted-shipments/?shipment_no={open_one.no}"))
    assert worker.get("/registered-picks/999999/").status_code == 404
    assert worker.get("/posted-shipments/999999/").status_code == 404
    # the navigation and the home page's tiles: the warehouse pages for both, creating only for supervisors
    for client in (worker, supervisor):
        home = text(client.get("/"))
        for url in ("/warehouse-shipments/", "/registered-picks/", "/posted-shipments/"):
            assert f'href="{url}"' in home
    assert 'data-testid="create-shipment"' in text(supervisor.get("/warehouse-shipments/"))
    assert 'data-testid="create-shipment"' not in text(worker.get("/warehouse-shipments/"))


def _wave(world: World, lines: int, prefix: str) -> tuple[WarehouseShipment, Pick]:
    whse = world.add_warehouse(f"W{prefix}")
    world.receive(
        world.sn_wh,
        world.bin("W1", whse),
        *({"quantity": 1, "serial_no": f"{prefix}{i:03d}"} for i in range(lines)),
    )
    world.receive(world.plain, world.bin("W2", whse), {"quantity": 5 * lines})
    doc = document(world, (world.sn_wh, lines), *((world.plain, 1) for _ in range(lines)), location=whse)
    shipment = shipment_for(world, doc)
    return shipment, warehouse_pick_for(world, shipment)


@pytest.mark.parametrize("role", ["worker", "supervisor"])
def test_warehouse_page_queries_do_not_grow_with_pairs_or_lines(world: World, role: str) -> None:
    # given a shipment of 4 lines (6 pairs) and one of 40 lines (78 pairs), each with its pick, partly
    # registered
    small, large = _wave(world, 3, "S"), _wave(world, 39, "L")
    for _shipment, pick in (small, large):
        PickLine.objects.filter(pick=pick, item=world.plain).update(qty_to_handle=1)
        pick_register(pick_id=pick.pk, user=world.supervisor)
    client = browser_for(getattr(world, role))
    client.get("/")
    for url in (
        "/picks/{pick}/",
        "/picks/{pick}/?done=1",
        "/picks/{pick}/register/",
        "/warehouse-shipments/{shipment}/",
        "/warehouse-shipments/{shipment}/delete/",
        "/registered-picks/{registered}/",
    ):
        counts = []
        for shipment, pick in (small, large):
            registered = pick.registrations.get()
            with CaptureQueriesContext(connection) as queries:
                response = client.get(
                    url.format(pick=pick.pk, shipment=shipment.pk, registered=registered.pk)
                )
            assert response.status_code in (200, 403), url
            counts.append(len(queries))
        assert counts[0] == counts[1], (url, counts)


def test_the_printable_pick_list_of_a_warehouse_pick_says_where_each_pair_goes(world: World) -> None:
    whse = world.add_warehouse()
    world.receive(world.plain, world.bin("W1", whse), {"quantity": 9})
    world.receive(world.lot_wh, world.bin("W2", whse), {"quantity": 9, "lot_no": "L1"})
    pick = warehouse_pick_for(
        world, shipment_for(world, document(world, (world.plain, 2), (world.lot_wh, 3), location=whse))
    )
    lot = take_line(pick, item=world.lot_wh)
    assert lot.pair is not None
    PickLine.objects.filter(pk=lot.pair.pk).update(bin=world.bin("SHIP2", whse))
    worker = browser_for(world.worker)
    page = text(worker.get(f"/picks/{pick.pk}/print/"))
    # then a row per pair (take lines), each saying where it is placed
    assert page.count("<tr>") == 2 + 2  # per bin: its header row, its pair
    assert "place in SHIP<" in page and "place in SHIP2<" in page
    pdf = worker.get(f"/picks/{pick.pk}/pick-list.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
