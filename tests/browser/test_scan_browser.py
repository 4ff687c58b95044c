"""The scan loop in a real browser on a phone-sized screen, with a simulated keyboard-wedge scanner (it
types the code and presses Enter, as fast as it can, without any tap in between):

- ten scans in a row all land; the cursor stays in the empty scan box and the page does not move;
- a refused scan followed at once by a good one: the good one lands (nothing is glued together);
- GS1 codes, as the scanner sends them (group separator) and in the human-readable form, set the lot,
  the serial number and the expiration date;
- a locked line refuses another number, with the reason.
Each scan is confirmed by a sound (Web Audio) and a colour. Also writes the user guide's screenshots when
LOTPICK_SCREENSHOTS=1.
"""

from __future__ import annotations

from typing import Any

import pytest

from picking.models import Pick, PickLine
from tests.browser.helpers import log_in, scanner, shot, wait_for_scans
from tests.world import TODAY, World, build_world, make_pick
from warehouse.models import Item

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GS = "\x1d"
# Counts the sounds played: every oscillator the page starts (no inline script: Playwright adds it).
COUNT_SOUNDS = """
(() => {
  window.__sounds = 0;
  const Context = window.AudioContext || window.webkitAudioContext;
  if (!Context) return;
  const create = Context.prototype.createOscillator;
  Context.prototype.createOscillator = function () { window.__sounds += 1; return create.call(this); };
})();
"""


def scan_state(page: Any) -> dict[str, Any]:
    return page.evaluate(
        """() => ({
          focus: document.activeElement && document.activeElement.id,
          box: document.querySelector('#id_code').value,
          scrollY: Math.round(window.scrollY),
          tone: document.querySelector('[data-scan-box]').dataset.lastTone,
          outcome: document.querySelector('#scan-result [data-scan-outcome]')?.dataset.scanOutcome,
          message: document.querySelector('#scan-result [data-scan-message]')?.textContent.trim(),
          sounds: window.__sounds,
        })"""
    )


@pytest.fixture
def phone(page: Any) -> Any:
    page.add_init_script(COUNT_SOUNDS)
    return page


def test_ten_scans_in_a_row_then_a_refused_and_a_good_one(live_server: Any, phone: Any) -> None:
    # given a pick of 12 serial numbers to select in bin A1 (case 3), assigned to the worker
    world = build_world(posting_date=TODAY)
    world.receive(world.sn_spec, "A1", *({"quantity": 1, "serial_no": f"SN-{i:02d}"} for i in range(1, 13)))
    pick = make_pick(world, (world.sn_spec, 12))
    Pick.objects.filter(pk=pick.pk).update(assigned_to=world.worker)
    log_in(phone, live_server, world.worker.username)
    phone.goto(f"{live_server.url}/picks/{pick.pk}/")
    assert scan_state(phone)["focus"] == "id_code"
    shot(phone, "scan-loop-start")
    # when the scanner sends ten codes in a row (one of them in lower case)
    codes = [f"SN-{i:02d}" for i in range(1, 10)] + ["sn-10"]
    scanner(phone, *codes)
    wait_for_scans(phone, 10)
    # then all ten landed: ten one-unit lines to handle
    handled = sorted(PickLine.objects.filter(pick=pick, qty_to_handle=1).values_list("serial_no", flat=True))
    assert handled == [f"SN-{i:02d}" for i in range(1, 11)]
    state = scan_state(phone)
    # and the cursor is still in the empty box, the page did not move, the last scan was confirmed
    assert (state["focus"], state["box"], state["scrollY"]) == ("id_code", "", 0)
    assert (state["tone"], state["outcome"]) == ("ok", "line_updated")
    assert "SN-10" in state["message"] and state["sounds"] >= 10
    assert "10 of 12 picked" in phone.inner_text("[data-testid=progress]")
    shot(phone, "scan-loop-ok")

    # when a code no line can take is scanned, and right after it a good one
    scanner(phone, "NOPE-1", "SN-11")
    wait_for_scans(phone, 12)
    # then the good one landed (it was not glued onto the refused one)
    assert PickLine.objects.get(pick=pick, serial_no="SN-11").qty_to_handle == 1
    state = scan_state(phone)
    assert (state["focus"], state["box"], state["outcome"]) == ("id_code", "", "line_updated")
    # and the refusal was shown and sounded on its own (seen again here, alone)
    scanner(phone, "NOPE-1")
    wait_for_scans(phone, 13)
    state = scan_state(phone)
    assert (state["tone"], state["outcome"], state["box"]) == ("refused", "scan_no_match", "")
    assert "can take NOPE-1" in state["message"]
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "scan-loop-refused")


def test_gs1_codes_in_both_forms_set_lot_serial_and_expiry(live_server: Any, phone: Any) -> None:
    # given an item tracked by lot and serial number with expiration dates (GTIN 4012345000030), two units
    # in bin A1, and a pick line of 2 to select (case 3)
    world = build_world(posting_date=TODAY)
    item = world.add_item("MED-1", "SNLOTSPEC", gtin="4012345000030", description="Insulin pen")
    world.receive(
        item,
        "A1",
        {"quantity": 1, "serial_no": "P-001", "lot_no": "LOT-7", "expiration_date": "2027-09-30"},
        {"quantity": 1, "serial_no": "P-002", "lot_no": "LOT-8", "expiration_date": "2027-12-31"},
    )
    pick = make_pick(world, (item, 2))
    log_in(phone, live_server, world.worker.username)
    phone.goto(f"{live_server.url}/picks/{pick.pk}/")
    # when the scanner sends a GS1 DataMatrix as element string (with the group separator), then the
    # human-readable form with parentheses
    scanner(phone, f"]d201040123450000301727093010LOT-7{GS}21P-001")
    wait_for_scans(phone, 1)
    shot(phone, "scan-gs1")
    scanner(phone, "(01)04012345000030(17)271231(10)LOT-8(21)P-002")
    wait_for_scans(phone, 2)
    # then both lines carry the lot, the serial number and the expiration date, to handle
    lines = list(
        PickLine.objects.filter(pick=pick)
        .order_by("serial_no")
        .values_list("serial_no", "lot_no", "expiration_date", "qty_to_handle")
    )
    assert [(s, lot, str(exp), qty) for s, lot, exp, qty in lines] == [
        ("P-001", "LOT-7", "2027-09-30", 1),
        ("P-002", "LOT-8", "2027-12-31", 1),
    ]
    assert scan_state(phone)["outcome"] == "line_updated"
    # when a code whose expiration date is not the number's is scanned: refused with the reason
    PickLine.objects.filter(pick=pick).update(qty_to_handle=0)
    scanner(phone, "(01)04012345000030(17)280101(10)LOT-8(21)P-002")
    wait_for_scans(phone, 3)
    state = scan_state(phone)
    assert (state["outcome"], state["tone"]) == ("expiration_mismatch", "refused")
    assert "expires on 2028-01-01, but it expires on 2027-12-31 in stock" in state["message"]
    assert not PickLine.objects.filter(pick=pick, qty_to_handle__gt=0).exists()


def test_a_locked_line_refuses_another_number_with_the_reason(live_server: Any, phone: Any) -> None:
    # given a line prescribing serial X1 (case 4); X2 is in the same bin
    world = build_world(posting_date=TODAY)
    world.receive(world.sn_spec, "A1", {"quantity": 1, "serial_no": "X1"}, {"quantity": 1, "serial_no": "X2"})
    pick = make_pick(world, (world.sn_spec, 1, {"tracking": [("X1", "", 1)]}))
    log_in(phone, live_server, world.worker.username)
    phone.goto(f"{live_server.url}/picks/{pick.pk}/")
    assert "1 line is locked" in phone.inner_text("[data-testid=lock-note]")
    # when the worker scans X2
    scanner(phone, "X2")
    wait_for_scans(phone, 1)
    # then it is refused with the reason, and the line keeps X1
    state = scan_state(phone)
    assert (state["outcome"], state["tone"], state["focus"]) == ("tracking_locked", "refused", "id_code")
    assert (
        "picks serial no. X1, prescribed by the source document: X2 cannot take its place" in state["message"]
    )
    assert PickLine.objects.get(pick=pick).serial_no == "X1"
    shot(phone, "scan-locked")
    # when the worker scans X1: it lands on the locked line
    scanner(phone, "X1")
    wait_for_scans(phone, 2)
    assert PickLine.objects.get(pick=pick).qty_to_handle == 1


def test_quantities_next_pick_and_the_printable_list(live_server: Any, phone: Any) -> None:
    # given two unassigned picks of an untracked item, one with lines in two bins
    world: World = build_world(posting_date=TODAY)
    world.receive(world.plain, "A1", {"quantity": 3})
    world.receive(world.plain, "B1", {"quantity": 5})
    first = make_pick(world, (world.plain, 6))
    make_pick(world, (world.plain, 1))
    Item.objects.filter(pk=world.plain.pk).update(gtin="4012345000023")
    log_in(phone, live_server, world.worker.username)
    shot(phone, "next-pick-home")
    # when the worker presses Next pick on the home page
    phone.click("[data-testid=next-pick]")
    phone.wait_for_url(f"**/picks/{first.pk}/")
    # then the oldest pick is theirs
    assert Pick.objects.get(pk=first.pk).assigned_to == world.worker
    shot(phone, "next-pick-taken")
    # a Qty. to Handle field is empty (no "0" to type after) and its content is selected on focus
    line = PickLine.objects.filter(pick=first).order_by("line_no").first()
    assert line is not None
    qty = phone.locator(f"#qty-{line.pk}")
    assert qty.input_value() == "" and qty.get_attribute("inputmode") == "decimal"
    qty.fill("2")
    qty.press("Enter")
    phone.wait_for_selector("text=Qty. to Handle 2.")
    qty = phone.locator(f"#qty-{line.pk}")
    qty.click()
    phone.keyboard.type("3")  # replaces the selected 2 (not "23", nor "32")
    assert qty.input_value() == "3"
    # scanning the item's GTIN, whose lines are in two bins, asks which line; one tap chooses
    phone.locator("#id_code").focus()
    scanner(phone, "4012345000023")
    wait_for_scans(phone, 1)
    assert scan_state(phone)["outcome"] == "choose_line"
    shot(phone, "scan-choose-line")
    phone.click("[data-testid=choose-lines] li:last-child button")
    wait_for_scans(phone, 2)
    assert scan_state(phone)["outcome"] == "line_updated"
    assert sorted(PickLine.objects.filter(pick=first).values_list("qty_to_handle", flat=True)) == [1, 2]
    # the printable pick list: barcodes, walking order
    phone.goto(f"{live_server.url}/picks/{first.pk}/print/")
    assert phone.locator("svg.barcode").count() == 1 + 2 + 2 * 1
    shot(phone, "pick-list-print")


def test_the_camera_decoder_reads_the_printed_pick_number(live_server: Any, page: Any) -> None:
    """Where the browser has no BarcodeDetector (Chromium on Linux), the camera uses the vendored polyfill
    (static/vendor/barcode-detector/, ZXing in WebAssembly, nothing from the internet): it reads the Code
    128 barcode of the printable pick list."""
    world = build_world(posting_date=TODAY)
    world.receive(world.plain, "A1", {"quantity": 3})
    pick = make_pick(world, (world.plain, 2))
    log_in(page, live_server, world.worker.username)
    page.goto(f"{live_server.url}/picks/{pick.pk}/")
    assert page.evaluate("'BarcodeDetector' in window") is False
    assert page.locator("[data-camera-open]").is_visible()  # a camera can be used here
    found = page.evaluate(
        """async (printUrl) => {
          const box = document.querySelector('[data-scan-box]');
          await new Promise((ok, no) => { const s = document.createElement('script');
            s.src = box.dataset.polyfillUrl; s.onload = ok; s.onerror = no; document.head.appendChild(s); });
          const api = window.BarcodeDetectionAPI;
          api.prepareZXingModule({ overrides: { locateFile: (path, prefix) =>
            path.endsWith('.wasm') ? box.dataset.wasmUrl : prefix + path } });
          const detector = new api.BarcodeDetector({ formats: ['code_128', 'data_matrix', 'qr_code'] });
          const html = await (await fetch(printUrl)).text();
          const path = html.match(/<path d="([^"]+)"/)[1];
          const width = Number(html.match(/viewBox="0 0 (\\d+) 40"/)[1]);
          const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width * 3}" height="160"
            viewBox="0 0 ${width} 40" preserveAspectRatio="none"><rect width="${width}" height="40"
            fill="#fff"/><path d="${path}" fill="#000"/></svg>`;
          const image = new Image();
          await new Promise((ok, no) => { image.onload = ok; image.onerror = no;
            image.src = 'data:image/svg+xml;base64,' + btoa(svg); });
          const canvas = document.createElement('canvas');
          canvas.width = image.width; canvas.height = image.height;
          canvas.getContext('2d').drawImage(image, 0, 0);
          return (await detector.detect(canvas)).map((code) => [code.format, code.rawValue]);
        }""",
        f"/picks/{pick.pk}/print/",
    )
    assert found == [["code_128", pick.no]]
