"""The four outbound cases walked with a keyboard-wedge scanner on an inventory pick, in a real browser on a
phone-sized screen (Chromium, 390x844): the code typed, Enter, the next code at once, no tap in between.

- case 1 (numbers proposed): scanning the proposed serial number, and another one in the bin, which takes
  the proposed number's place; a lot proposed by the pick, scanned unit by unit;
- case 2 (new numbers while shipping): new serial numbers and a new lot typed by the scanner (plain and GS1)
  land on the blank lines, one one-unit line per serial number; a plain code that could be a serial number
  of one item or a lot of another asks which line; posting ships the new numbers; a serial number used
  before is refused, and the next good scan lands;
- case 3 (select existing numbers): a lot selected by scanning it, unit by unit.
Case 3 serial numbers (ten in a row), GS1 codes and case 4 (locked lines) are walked in test_scan_browser.py;
case 1 on a warehouse pick in test_warehouse_browser.py.
"""

from __future__ import annotations

from typing import Any

import pytest

from picking.models import Pick, PickLine
from picking.services.pick_post import pick_post
from tests.browser.helpers import log_in, scanner, wait_for_scans
from tests.world import EXP_EARLY, EXP_LATE, TODAY, build_world, ledger, make_pick
from warehouse.models import Item

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GTIN_SN_OUT = "4012345000047"
GTIN_LOT_OUT = "4012345000054"


def scan_state(page: Any) -> dict[str, Any]:
    return page.evaluate(
        """() => ({
          focus: document.activeElement && document.activeElement.id,
          box: document.querySelector('#id_code').value,
          scrollY: Math.round(window.scrollY),
          outcome: document.querySelector('#scan-result [data-scan-outcome]')?.dataset.scanOutcome,
          message: document.querySelector('#scan-result [data-scan-message]')?.textContent.trim(),
        })"""
    )


def take_lines(pick: Pick) -> list[tuple[str, str, str, int, int]]:
    """(item, lot, serial, quantity, qty to handle) of the pick's lines, sorted."""
    return sorted(
        (ln.item.no, ln.lot_no, ln.serial_no, int(ln.quantity), int(ln.qty_to_handle))
        for ln in PickLine.objects.filter(pick=pick).select_related("item")
    )


def open_pick(page: Any, live_server: Any, pick: Pick, username: str) -> None:
    log_in(page, live_server, username)
    page.goto(f"{live_server.url}/picks/{pick.pk}/")
    assert scan_state(page)["focus"] == "id_code"


def test_case_2_new_serial_numbers_and_a_new_lot_scanned_onto_blank_lines(
    live_server: Any, page: Any
) -> None:
    # given SN-OUT and LOT-OUT (outbound tracking only: stock carries no numbers) with GTINs, and a pick of
    # 3 SN-OUT and 4 LOT-OUT, its lines blank (case 2)
    world = build_world(posting_date=TODAY)
    Item.objects.filter(pk=world.sn_out.pk).update(gtin=GTIN_SN_OUT)
    Item.objects.filter(pk=world.lot_out.pk).update(gtin=GTIN_LOT_OUT)
    world.receive(world.sn_out, "A1", {"quantity": 5})
    world.receive(world.lot_out, "A1", {"quantity": 6})
    pick = make_pick(world, (world.sn_out, 3), (world.lot_out, 4))
    Pick.objects.filter(pk=pick.pk).update(assigned_to=world.worker)
    open_pick(page, live_server, pick, world.worker.username)

    # when the scanner first reads a plain new number: it could be a serial number of SN-OUT or a lot of
    # LOT-OUT
    scanner(page, "LN-7")
    wait_for_scans(page, 1)
    # then the page asks which line it goes on, and nothing changed
    state = scan_state(page)
    assert (state["outcome"], state["focus"], state["box"]) == ("choose_line", "id_code", "")
    assert "LN-7 fits 2 lines" in state["message"]
    assert take_lines(pick) == [("LOT-OUT", "", "", 4, 0), ("SN-OUT", "", "", 3, 0)]
    # when the worker taps the LOT-OUT line: the new lot is on it, one unit to handle
    page.locator("[data-testid=choose-lines] button", has_text="LOT-OUT").click()
    wait_for_scans(page, 2)
    assert scan_state(page)["outcome"] == "line_updated"
    assert take_lines(pick) == [("LOT-OUT", "LN-7", "", 4, 1), ("SN-OUT", "", "", 3, 0)]

    # when the scanner reads three new serial numbers (two plain, one GS1 with the GTIN), the lot again and
    # the lot's GS1 code counting 2 more units, one after the other without a tap
    page.locator("#id_code").focus()
    scanner(
        page, "SO-N1", "SO-N2", f"(01)0{GTIN_SN_OUT}(21)SO-N3", "LN-7", f"(01)0{GTIN_LOT_OUT}(10)LN-7(37)2"
    )
    wait_for_scans(page, 7)
    # then all landed: a one-unit line per serial number, the lot's line to handle in full
    assert take_lines(pick) == [
        ("LOT-OUT", "LN-7", "", 4, 4),
        ("SN-OUT", "", "SO-N1", 1, 1),
        ("SN-OUT", "", "SO-N2", 1, 1),
        ("SN-OUT", "", "SO-N3", 1, 1),
    ]
    state = scan_state(page)
    assert (state["outcome"], state["focus"], state["box"], state["scrollY"]) == (
        "line_updated",
        "id_code",
        "",
        0,
    )
    assert "7 of 7 picked" in page.inner_text("[data-testid=progress]")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # when the supervisor posts the pick: the new numbers ship
    pick_post(pick_id=pick.pk, user=world.supervisor)
    assert sorted((e[1], e[2], e[3]) for e in ledger(world.sn_out) if e[3] < 0) == [
        ("", "SO-N1", -1),
        ("", "SO-N2", -1),
        ("", "SO-N3", -1),
    ]
    assert [(e[1], e[3]) for e in ledger(world.lot_out) if e[3] < 0] == [("LN-7", -4)]

    # given a new pick of two SN-OUT
    second = make_pick(world, (world.sn_out, 2))
    page.goto(f"{live_server.url}/picks/{second.pk}/")
    # when the scanner reads a serial number that already shipped, then a new one, without a tap
    scanner(page, "SO-N1", "SO-N4")
    wait_for_scans(page, 2)
    # then the new one landed
    assert take_lines(second) == [("SN-OUT", "", "", 1, 0), ("SN-OUT", "", "SO-N4", 1, 1)]
    # and the used one alone is refused with the reason
    scanner(page, "SO-N2")
    wait_for_scans(page, 3)
    state = scan_state(page)
    assert (state["outcome"], state["focus"], state["box"]) == ("serial_not_available", "id_code", "")
    assert "never have been used before" in state["message"]
    assert take_lines(second) == [("SN-OUT", "", "", 1, 0), ("SN-OUT", "", "SO-N4", 1, 1)]


def test_case_1_proposed_numbers_scanned_or_replaced(live_server: Any, page: Any) -> None:
    # given SN-WH serials W1, W2, W3 and LOT-WH lots EARLY (5) and LATE (5) in A1, and a pick of 2 SN-WH
    # (W1 and W2 proposed, first received first) and 3 LOT-WH (EARLY proposed) (case 1)
    world = build_world(posting_date=TODAY)
    world.receive(world.sn_wh, "A1", *({"quantity": 1, "serial_no": f"W{i}"} for i in (1, 2, 3)))
    world.receive(world.lot_wh, "A1", {"quantity": 5, "lot_no": "EARLY", "expiration_date": EXP_EARLY})
    world.receive(world.lot_wh, "A1", {"quantity": 5, "lot_no": "LATE", "expiration_date": EXP_LATE})
    pick = make_pick(world, (world.sn_wh, 2), (world.lot_wh, 3))
    assert take_lines(pick) == [
        ("LOT-WH", "EARLY", "", 3, 0),
        ("SN-WH", "", "W1", 1, 0),
        ("SN-WH", "", "W2", 1, 0),
    ]
    Pick.objects.filter(pk=pick.pk).update(assigned_to=world.worker)
    open_pick(page, live_server, pick, world.worker.username)
    # when the scanner reads W1 (proposed), W3 (in the bin, not proposed: the unit at hand), and the lot
    # label three times
    scanner(page, "W1", "W3", "EARLY", "EARLY", "early")
    wait_for_scans(page, 5)
    # then W1 is to handle, W3 took the place of W2 (not yet scanned, not of W1), and the lot's line is to
    # handle in full
    assert take_lines(pick) == [
        ("LOT-WH", "EARLY", "", 3, 3),
        ("SN-WH", "", "W1", 1, 1),
        ("SN-WH", "", "W3", 1, 1),
    ]
    state = scan_state(page)
    assert (state["outcome"], state["focus"], state["box"], state["scrollY"]) == (
        "line_updated",
        "id_code",
        "",
        0,
    )
    assert "5 of 5 picked" in page.inner_text("[data-testid=progress]")


def test_case_3_a_lot_selected_by_scanning_it(live_server: Any, page: Any) -> None:
    # given LOT-SPEC (specific lot tracking) lots L-A (5) and L-B (5) in A1, and a pick of 3: a blank line
    # (case 3)
    world = build_world(posting_date=TODAY)
    world.receive(
        world.lot_spec,
        "A1",
        {"quantity": 5, "lot_no": "L-A", "expiration_date": EXP_EARLY},
        {"quantity": 5, "lot_no": "L-B", "expiration_date": EXP_LATE},
    )
    pick = make_pick(world, (world.lot_spec, 3))
    assert take_lines(pick) == [("LOT-SPEC", "", "", 3, 0)]
    Pick.objects.filter(pk=pick.pk).update(assigned_to=world.worker)
    open_pick(page, live_server, pick, world.worker.username)
    # when the scanner reads the lot label of L-B three times (once in lower case)
    scanner(page, "L-B", "l-b", "L-B")
    wait_for_scans(page, 3)
    # then the line carries L-B, to handle in full
    assert take_lines(pick) == [("LOT-SPEC", "L-B", "", 3, 3)]
    state = scan_state(page)
    assert (state["outcome"], state["focus"], state["box"]) == ("line_updated", "id_code", "")
    assert "3 of 3 picked" in page.inner_text("[data-testid=progress]")
