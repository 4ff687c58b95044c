"""A scan that splits a line (a serial number scanned on a blank line of several units) shows the new
one-unit line's card in the list, right after the card it was split off, which shows its new quantity;
htmx finds every target (no `oobErrorNoTarget` in the console). On an inventory pick and on a warehouse
pick (the pair's card)."""

from __future__ import annotations

from typing import Any

import pytest

from picking.models import Pick, PickLine
from tests.browser.helpers import log_in, scanner, wait_for_scans
from tests.world import TODAY, World, build_world, document, make_pick, shipment_for, warehouse_pick_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NO_NUMBER = "\u2013"  # the card's dash for "no number yet"


def _cards(page: Any) -> list[dict[str, str]]:
    return page.evaluate(
        """() => [...document.querySelectorAll('#lines article.line')].map(card => ({
          id: card.id,
          serial: card.querySelector('[data-field=serial_no]')?.textContent.trim() || '',
          outstanding: card.querySelector('[data-field=qty_outstanding]')?.textContent.trim() || '',
        }))"""
    )


def _scan_and_check_split(page: Any, live_server: Any, world: World, pick: Pick, code: str) -> None:
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    log_in(page, live_server, world.worker.username)
    page.goto(f"{live_server.url}/picks/{pick.pk}/")
    origin = PickLine.objects.get(pick=pick, action="take")
    assert [c["id"] for c in _cards(page)] == [f"line-{origin.pk}"]
    # when the scanner sends one serial number of the 3 units on the blank line
    scanner(page, code)
    wait_for_scans(page, 1)
    # then the new one-unit line's card follows the card of the line it was split off, which shows 2
    new = PickLine.objects.get(pick=pick, action="take", serial_no=code)
    page.wait_for_selector(f"#lines #line-{new.pk}")
    assert _cards(page) == [
        {"id": f"line-{origin.pk}", "serial": NO_NUMBER, "outstanding": "2"},
        {"id": f"line-{new.pk}", "serial": code, "outstanding": "1"},
    ]
    # and htmx found every target it swapped into
    assert not [text for text in console if "oobErrorNoTarget" in text or "htmx:oobErrorNoTarget" in text]
    # a second scan splits again: its card lands after the line it was split off, too
    scanner(page, "SN-3")
    wait_for_scans(page, 2)
    third = PickLine.objects.get(pick=pick, action="take", serial_no="SN-3")
    page.wait_for_selector(f"#lines #line-{third.pk}")
    assert [c["id"] for c in _cards(page)] == [f"line-{origin.pk}", f"line-{third.pk}", f"line-{new.pk}"]
    assert not [text for text in console if "oobErrorNoTarget" in text]


def _serial_stock(world: World, bin_: Any) -> None:
    world.receive(world.sn_spec, bin_, *({"quantity": 1, "serial_no": f"SN-{i}"} for i in range(1, 4)))


def test_the_split_off_line_appears_after_its_origin_on_an_inventory_pick(
    live_server: Any, page: Any
) -> None:
    world = build_world(posting_date=TODAY)
    _serial_stock(world, "A1")
    pick = make_pick(world, (world.sn_spec, 3))  # case 3: one blank line of 3 in A1
    _scan_and_check_split(page, live_server, world, pick, "SN-2")


def test_the_split_off_pair_appears_after_its_origin_on_a_warehouse_pick(live_server: Any, page: Any) -> None:
    world = build_world(posting_date=TODAY)
    whse = world.add_warehouse()
    _serial_stock(world, world.bin("W1", whse))
    pick = warehouse_pick_for(world, shipment_for(world, document(world, (world.sn_spec, 3), location=whse)))
    _scan_and_check_split(page, live_server, world, pick, "SN-2")
