"""The warehouse flow in a real browser on a phone-sized screen (Chromium, 390x844): a supervisor gets an
order onto a warehouse shipment and creates its warehouse pick for a worker; the worker walks the pick
with a keyboard-wedge scanner (type the code, Enter, again: no tap in between), each take/place pair as one
card, and registers; the supervisor posts the shipment. The bins are checked after registering (the goods
in the shipping bin) and after posting (gone). Also writes the user guide's screenshots when
LOTPICK_SCREENSHOTS=1 (docs/user-guide/warehouse-shipments.md).
"""

from __future__ import annotations

from typing import Any

import pytest

from picking.models import Pick
from tests.acceptance.warehouse_cases import page_pairs, wh_case_1_given
from tests.browser.helpers import log_in, log_out, scanner, shot, wait_for_scans
from tests.world import bin_content, ledger

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_worker_scans_a_warehouse_pick_registers_and_the_supervisor_posts(
    live_server: Any, page: Any
) -> None:
    # given WHSE (shipment and pick, FEFO): 5 of LATE in W1, 2 of EARLY in W2, S1 to S3 in W1; an order
    # for 4 of the lot and 2 serial numbers
    given = wh_case_1_given()
    world, doc = given.world, given.doc
    url = live_server.url

    # when the supervisor creates the shipment on the order's page, then its warehouse pick for the worker
    log_in(page, live_server, world.supervisor.username)
    page.goto(f"{url}/warehouse-shipments/create/?preview=1&location=WHSE&no_from={doc.no}&no_to={doc.no}")
    assert page.locator("[data-testid=candidates] li").count() == 2  # the preview: the order's two lines
    page.locator("[data-testid=candidates]").scroll_into_view_if_needed()
    shot(page, "warehouse-shipment-create")
    page.goto(f"{url}/source-documents/{doc.pk}/")
    page.click("[data-testid=create-shipment]")
    page.wait_for_selector("[data-testid=shipment-status]")
    shot(page, "warehouse-shipment")
    page.select_option("#id_pick_assigned_to", world.worker.username)
    page.click("[data-testid=create-pick]")
    page.wait_for_selector("[data-testid=pick-lines]")
    pick = Pick.objects.get(type=Pick.Type.WAREHOUSE_PICK)
    assert pick.assigned_to == world.worker
    log_out(page)

    # when the worker opens the pick from the list of their picks
    log_in(page, live_server, world.worker.username)
    page.goto(f"{url}/picks/")
    page.click(f"text={pick.no}")
    page.wait_for_selector("[data-scan-box]")
    # then one card per pair, in walking order (the take bins W1, then W2), the cursor in the scan box
    routes = page.locator("[data-testid=pair-route]").all_inner_texts()
    assert [" ".join(r.split()) for r in routes] == [
        "Take from W1 → place in SHIP",
        "Take from W1 → place in SHIP",
        "Take from W1 → place in SHIP",
        "Take from W2 → place in SHIP",
    ]
    assert page.evaluate("document.activeElement.id") == "id_code"
    shot(page, "warehouse-pick")

    # when the scanner reads the lot label twice per unit picked and each serial number, bin by bin
    scanner(page, "LATE", "LATE", "S1", "S2", "EARLY", "EARLY")
    wait_for_scans(page, 6)
    # then every pair is to handle, its place line following, and the progress counts each unit once
    assert page_pairs(pick) == [
        ("W2", "SHIP", "EARLY", "", 2, 2, False),
        ("W1", "SHIP", "LATE", "", 2, 2, False),
        ("W1", "SHIP", "", "S1", 1, 1, False),
        ("W1", "SHIP", "", "S2", 1, 1, False),
    ]
    assert "6 of 6 picked" in page.inner_text("[data-testid=progress]")
    state = page.evaluate(
        "({focus: document.activeElement.id, box: document.querySelector('#id_code').value})"
    )
    assert state == {"focus": "id_code", "box": ""}
    shot(page, "warehouse-pick-scanned")

    # when the worker presses Register and confirms
    page.click("[data-testid=register-link]")
    page.wait_for_selector("[data-testid=to-register]")
    assert page.locator("[data-testid=to-register] li").count() == 4
    shot(page, "warehouse-register-confirm")
    page.click("[data-testid=register]")
    page.wait_for_selector(".message-success")
    assert "4 pairs moved to the shipping bin" in page.inner_text(".messages")
    shot(page, "warehouse-registered")
    # then the goods wait in the shipping bin; nothing has left the location
    assert bin_content(world.lot_wh) == [
        ("SHIP", "EARLY", "", 2),
        ("SHIP", "LATE", "", 2),
        ("W1", "LATE", "", 3),
        ("W2", "EARLY", "", 0),
    ]
    assert [e[0] for e in ledger(world.lot_wh)] == ["positive_adjustment"] * 2
    log_out(page)

    # when the supervisor opens the shipment, presses Post shipment and confirms
    log_in(page, live_server, world.supervisor.username)
    page.goto(f"{url}/warehouse-shipments/")
    shot(page, "warehouse-shipments")
    page.click("[data-testid=shipment-list] .pick-card")
    page.wait_for_selector("[data-testid=shipment-status]")
    assert page.inner_text("[data-testid=shipment-status]") == "Picked"
    shot(page, "warehouse-shipment-picked")
    # (deleting it now is refused, and the confirmation says why)
    shipment_url = page.url
    page.goto(f"{shipment_url}delete/")
    assert "picked and wait in the shipping bin" in page.inner_text("[data-testid=blocked]")
    shot(page, "warehouse-shipment-delete-refused")
    page.goto(shipment_url)
    page.click("[data-testid=post-link]")
    page.wait_for_selector("[data-testid=to-ship]")
    shot(page, "warehouse-post-confirm")
    page.click("[data-testid=post]")
    page.wait_for_selector(".message-success")
    assert page.inner_text("[data-testid=shipment-status]") == "Shipped"
    shot(page, "warehouse-shipment-shipped")
    # then the goods are gone from the shipping bin, shipped from their receipts
    assert bin_content(world.lot_wh) == [
        ("SHIP", "EARLY", "", 0),
        ("SHIP", "LATE", "", 0),
        ("W1", "LATE", "", 3),
        ("W2", "EARLY", "", 0),
    ]
    assert [(e[0], e[1], e[3]) for e in ledger(world.lot_wh)[2:]] == [
        ("sale", "EARLY", -2),
        ("sale", "LATE", -2),
    ]
    assert [row for row in bin_content(world.sn_wh) if row[3]] == [("W1", "", "S3", 1)]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
