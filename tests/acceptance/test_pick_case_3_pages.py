"""Case 3 through the pages: the worker selects existing numbers (specific tracking).

Lines are created blank. The worker opens "Select" on a line (the numbers available in its bin, with
quantity and expiration, earliest expiration first) and taps one; tapping a serial on a line of two
splits off a one-unit line. An unknown serial is refused next to the line; scanning a serial at the top
of the page finds the line it belongs on. The ledgers show exactly the selected numbers left.
"""

from __future__ import annotations

import pytest

from picking.models import Pick
from picking.tests.picks_pages.pages import (
    card,
    create_pick,
    follow,
    line_url,
    lines_of,
    post_pick,
    set_qty,
    text,
)
from tests.acceptance.cases import case_3_given, then_case_3_ledgers
from tests.clients import browser_for
from tests.world import source_line

pytestmark = pytest.mark.django_db


def test_case_3_worker_selects_numbers_on_the_pages() -> None:
    # given specific serials X1..X3 in A1 and specific lots in B1
    given = case_3_given()
    world, doc = given.world, given.doc
    supervisor, worker = browser_for(world.supervisor), browser_for(world.worker)
    pick, page = create_pick(supervisor, doc)
    serial_line, lot_line = lines_of(pick)
    assert (serial_line.serial_no, serial_line.quantity, lot_line.lot_no, lot_line.quantity) == ("", 2, "", 3)
    page = text(worker.get(f"/picks/{pick.pk}/"))
    assert "Needs a serial number before posting." in card(page, serial_line)
    assert "Assign Serial Nos." not in page  # stock carries the numbers: select, do not assign

    # when the worker opens Select on each line
    serials = text(worker.get(line_url(serial_line, "select")))
    lots = text(worker.get(line_url(lot_line, "select")))
    # then the numbers in the bin are listed with quantity and expiration, earliest expiration first
    assert [n for n in ("X1", "X2", "X3") if f"Serial {n}" in serials] == ["X1", "X2", "X3"]
    assert lots.index("Lot L2") < lots.index("Lot L1")
    assert "qty 5 · expires 2030-01-31" in lots and "qty 5 · expires 2030-06-30" in lots

    # when the worker taps X3 on the line of two: a one-unit line splits off with Qty. to Handle 1
    page = follow(worker, worker.post(line_url(serial_line, "select"), {"serial_no": "X3"}))
    assert [
        (ln.serial_no, ln.quantity, ln.qty_to_handle) for ln in lines_of(pick) if ln.item == world.sn_spec
    ] == [
        ("", 1, 0),
        ("X3", 1, 1),
    ]
    # and types X7, which is not in the bin: refused next to the line, nothing changes
    missing = worker.post(line_url(serial_line), {"serial_no": "X7"})
    assert missing.status_code == 409
    assert "Serial number X7 of item SN-SPEC is not in bin A1" in card(text(missing), serial_line)
    assert 'value="X7"' in card(text(missing), serial_line)  # what was typed stays in the field
    # and X3 again, which is on the other line now
    taken = worker.post(line_url(serial_line), {"serial_no": "X3"})
    assert taken.status_code == 409 and "already on pick" in card(text(taken), serial_line)
    serial_line.refresh_from_db()
    assert serial_line.serial_no == ""
    # when the worker scans X1 at the top of the page: it goes on the line still without a serial
    page = follow(worker, worker.post(f"/picks/{pick.pk}/scan/", {"code": "X1"}))
    assert f"Serial number X1 is on line {serial_line.line_no}, Qty. to Handle 1." in page
    # and taps lot L1 for the lot line, then sets its Qty. to Handle
    follow(worker, worker.post(line_url(lot_line, "select"), {"lot_no": "L1"}))
    page = follow(worker, set_qty(worker, lot_line, 3))
    assert "Line 20000: Qty. to Handle 3." in page
    assert sorted((ln.serial_no, ln.lot_no, ln.qty_to_handle) for ln in lines_of(pick)) == [
        ("", "L1", 3),
        ("X1", "", 1),
        ("X3", "", 1),
    ]
    page = post_pick(supervisor, pick)
    assert "3 line(s) shipped" in page

    # then exactly the selected numbers left the warehouse
    then_case_3_ledgers(given)
    assert source_line(doc, 10000).qty_shipped == 2 and source_line(doc, 20000).qty_shipped == 3
    assert Pick.objects.get(pk=pick.pk).status == "completed"
