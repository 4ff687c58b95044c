"""A real browser (Chromium, phone-sized screen): a supervisor opens an order's Item Tracking Lines page,
selects a serial number from stock, and finds the page read-only once a pick holds the line. Writes the
user guide's screenshots when asked (LOTPICK_SCREENSHOTS=1; see docs/source-documents.md)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from picking.services.source_document_create import source_document_create
from tests.factories import PASSWORD
from tests.world import build_world, order, put_on_pick, with_source_document_stock

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

IMG = Path(__file__).resolve().parents[2] / "docs" / "user-guide" / "img"
SHOTS = os.environ.get("LOTPICK_SCREENSHOTS") == "1"


def shot(page: Any, name: str) -> None:
    if SHOTS:
        IMG.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(IMG / f"{name}.png"), full_page=True)


def test_supervisor_selects_a_serial_then_the_pick_locks_the_page(live_server: Any, page: Any) -> None:
    # given an order of 2 units of a serial-specific item, one serial prescribed by the customer
    world = with_source_document_stock(build_world(expiring_serials=True))
    document = source_document_create(
        data=order(
            "SO-2001",
            {"line_no": 10000, "item": "SN-SPEC", "quantity": 2, "tracking": [{"serial_no": "SN-001"}]},
        ),
        user=world.admin,
    )
    # when the supervisor logs in and opens the line's Item Tracking Lines from the document
    page.goto(live_server.url + "/login/")
    page.fill("#id_username", world.supervisor.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("text=Log out")
    page.goto(f"{live_server.url}/source-documents/{document.pk}/")
    shot(page, "source-document")
    page.click("text=Item Tracking Lines")
    page.wait_for_selector("h1:has-text('Item Tracking Lines')")
    assert page.inner_text("#undefined-quantity") == "1"
    # and selects SN-003 from the available numbers
    row = page.locator("table.select-entries tr", has_text="SN-003")
    row.locator("input[type=checkbox]").check()
    shot(page, "source-document-select-entries")
    page.click("button:has-text('Select Entries')")
    # then the line is fully tracked
    page.wait_for_selector("text=1 number(s) selected.")
    assert page.inner_text("#tracked-quantity") == "2" and page.inner_text("#undefined-quantity") == "0"
    assert "SN-003" in page.inner_text("table.tracking-lines")

    # when a pick is created for the line, the page is read-only and says which pick holds it
    put_on_pick(document.lines.get(), pick_no="IPI000123", serial_no="SN-001")
    page.reload()
    assert "IPI000123" in page.inner_text("#locked-reason")
    assert page.locator("main form").count() == 0
    assert page.locator("main button").count() == 0
    shot(page, "source-document-locked")
