"""Case 1 through the pages: numbers flow through by themselves (warehouse tracking, proposed, changeable).

The supervisor presses "Create Inventory Pick" on the source document page; the worker, on the pick
page, scans another available serial number over a proposed one, tries an unavailable one, sets Qty. to
Handle per line and by scanning; the worker cannot post, the supervisor confirms and posts. The ledgers
are checked number by number.
"""

from __future__ import annotations

import pytest

from picking.models import Pick, PostedPick
from picking.tests.picks_pages.pages import (
    bin_code,
    card,
    create_pick,
    follow,
    inputs,
    line_url,
    lines_of,
    post_pick,
    set_qty,
    text,
)
from tests.acceptance.cases import case_1_given, then_case_1_ledgers
from tests.clients import browser_for

pytestmark = pytest.mark.django_db


def test_case_1_numbers_flow_through_on_the_pages() -> None:
    # given a location picking by FEFO, lots of LOT-WH in two bins and serials of SN-WH
    given = case_1_given()
    world, doc = given.world, given.doc
    supervisor, worker = browser_for(world.supervisor), browser_for(world.worker)

    # when the supervisor creates the pick from the source document page
    pick, page = create_pick(supervisor, doc)
    # then the page shows the proposed numbers, earliest expiration first, none locked
    assert f"Pick {pick.no} was created with 4 line(s)." in page
    lines = lines_of(pick)
    assert [(bin_code(ln), ln.item.no, ln.lot_no, ln.serial_no, ln.quantity) for ln in lines] == [
        ("B1", "LOT-WH", "EARLY", "", 2),
        ("A1", "LOT-WH", "LATE", "", 2),
        ("A1", "SN-WH", "", "S1", 1),
        ("A1", "SN-WH", "", "S2", 1),
    ]
    early, late, s1, s2 = lines
    assert "2030-01-31" in card(page, early) and "Locked" not in page
    # the worker may change the numbers: scan fields and the Select list on every line
    assert "serial_no" in inputs(card(page, s2)) and "lot_no" in inputs(card(page, late))
    assert f'href="{line_url(s2, "select")}"' in card(page, s2)

    # when the worker changes the proposed S2 to S3 (scanned into the line's serial field)
    page = follow(worker, worker.post(line_url(s2), {"serial_no": "S3"}))
    assert "Line 40000: serial no. S3, Qty. to Handle 1." in page
    # and tries S9, which is not in the bin: refused next to the line, nothing changes
    refused = worker.post(line_url(s1), {"serial_no": "S9"})
    assert refused.status_code == 409
    assert "Serial number S9 of item SN-WH is not in bin A1" in card(text(refused), s1)
    s1.refresh_from_db()
    assert s1.serial_no == "S1"
    # and sets Qty. to Handle: lots on their lines, the serials by scanning them at the top of the page
    follow(worker, set_qty(worker, early, 2))
    follow(worker, set_qty(worker, late, "2"))
    follow(worker, worker.post(f"/picks/{pick.pk}/scan/", {"code": "S1"}))
    page = follow(worker, worker.post(f"/picks/{pick.pk}/scan/", {"code": "S3"}))
    assert "Serial number S3: line 40000, Qty. to Handle 1." in page
    assert [ln.qty_to_handle for ln in lines_of(pick)] == [2, 2, 1, 1]
    # then the worker is not offered Post, and cannot post by hand either
    assert f'href="/picks/{pick.pk}/post/"' not in page
    assert "a supervisor posts the pick" in page
    assert worker.post(f"/picks/{pick.pk}/post/").status_code == 403
    assert not PostedPick.objects.exists()

    # when the supervisor opens the confirmation, then posts
    confirm = text(supervisor.get(f"/picks/{pick.pk}/post/"))
    assert "These 4 line(s) ship now" in confirm and "Post 4 line(s)" in confirm
    page = post_pick(supervisor, pick)
    posted = PostedPick.objects.get()
    assert f'Posted as <a href="/posted-picks/{posted.pk}/">{posted.no}</a>: 4 line(s) shipped.' in page
    assert 'data-testid="pick-status">Completed<' in page and "Fully handled." in page

    # then the ledgers, number by number
    then_case_1_ledgers(given)
    assert Pick.objects.get().status == "completed"
    # and the posted pick is listed and shows its lines
    listed = text(supervisor.get("/posted-picks/", {"pick_no": pick.no}))
    assert posted.no in listed
    detail = text(supervisor.get(f"/posted-picks/{posted.pk}/"))
    for number in ("EARLY", "LATE", "S1", "S3"):
        assert f">{number}<" in detail
    # and a supervisor of another location sees none of it
    outsider = browser_for(world.outsider)
    assert outsider.get(f"/picks/{pick.pk}/").status_code == 404
    assert outsider.get(f"/posted-picks/{posted.pk}/").status_code == 404
    assert pick.no not in text(outsider.get("/picks/", {"assigned_to": "all"}))
