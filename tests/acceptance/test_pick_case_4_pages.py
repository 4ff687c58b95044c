"""Case 4 through the pages: numbers prescribed by the source document are locked.

Each locked line shows a lock with its reason and offers no way to change a number: no number fields,
no Select, Split or Assign; forged POSTs are refused with the lock message and change nothing. The
worker handles the lines by scanning the prescribed numbers and typing Qty. to Handle; the supervisor
posts part of it, then deletes the pick (with the CAUTION about prescribed numbers), and a new pick
recreates exactly the line still outstanding, locked.
"""

from __future__ import annotations

import pytest

from picking.models import ItemTrackingLine, Pick, PickLine
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
from tests.acceptance.cases import case_4_given, then_case_4_ledgers
from tests.clients import browser_for
from tests.world import source_line

pytestmark = pytest.mark.django_db

LOCK_MESSAGE = "picks numbers prescribed by the source document"


def test_case_4_prescribed_numbers_are_locked_on_the_pages() -> None:
    # given lot L1 in A1 (2) and B1 (3), lot L2, serials X1, X2; an order prescribing L1 x 4 and X2
    given = case_4_given()
    world, doc = given.world, given.doc
    prescribed_before = list(
        ItemTrackingLine.objects.order_by("pk").values_list("serial_no", "lot_no", "quantity")
    )
    supervisor, worker = browser_for(world.supervisor), browser_for(world.worker)

    # when the pick is created
    pick, _ = create_pick(supervisor, doc)
    lines = lines_of(pick)
    assert [(bin_code(ln), ln.lot_no, ln.serial_no, ln.quantity, ln.tracking_locked) for ln in lines] == [
        ("A1", "L1", "", 2, True),
        ("B1", "L1", "", 2, True),
        ("A1", "", "X2", 1, True),
    ]
    a1_line, b1_line, serial_line = lines
    # then every line shows the lock with its reason, and only a Qty. to Handle field
    page = text(worker.get(f"/picks/{pick.pk}/"))
    assert page.count("only Qty. to Handle can be changed") == 1  # explained once, above the lines
    assert f"3 lines are locked: their numbers are prescribed by {doc}" in page
    for line in lines:
        fragment = card(page, line)
        assert 'data-testid="lock"' in fragment and "Locked" in fragment
        assert inputs(fragment) == ["csrfmiddlewaretoken", "qty_to_handle"]
        for control in ("/select/", "/split/", "/assign-serial-nos/", "/assign-lot-no/", "Change "):
            assert control not in fragment

    # when the worker forges POSTs that would change numbers, a bin, split or assign
    for url, data in (
        (line_url(a1_line), {"lot_no": "L2"}),
        (line_url(serial_line), {"serial_no": "X1"}),
        (line_url(serial_line, "select"), {"serial_no": "X1"}),
        (line_url(b1_line, "assign-lot-no"), {}),
        (line_url(b1_line, "split"), {"quantity": "1"}),
    ):
        refused = worker.post(url, data)
        # then each is refused with the lock message next to the line
        line_id = int(url.split("/lines/")[1].split("/")[0])
        assert refused.status_code == 409, url
        fragment = card(text(refused), PickLine(pk=line_id))
        assert LOCK_MESSAGE in fragment and 'data-testid="line-error"' in fragment, url
    # and nothing changed
    assert [(bin_code(ln), ln.lot_no, ln.serial_no, ln.quantity) for ln in lines_of(pick)] == [
        ("A1", "L1", "", 2),
        ("B1", "L1", "", 2),
        ("A1", "", "X2", 1),
    ]

    # when the worker scans X2, scans L1 with quantity 2, and types 1 on the B1 line
    page = follow(worker, worker.post(f"/picks/{pick.pk}/scan/", {"code": "X2"}))
    assert "Serial number X2: line 30000, Qty. to Handle 1." in page
    page = follow(worker, worker.post(f"/picks/{pick.pk}/scan/", {"code": "L1", "quantity": "2"}))
    assert "Lot L1: line 10000, Qty. to Handle 2." in page
    follow(worker, set_qty(worker, b1_line, 1))
    # then the supervisor posts those
    page = post_pick(supervisor, pick)
    assert "3 line(s) shipped" in page and 'data-testid="pick-status">In progress<' in page

    # then the ledgers, number by number
    then_case_4_ledgers(given)

    # when the supervisor deletes the rest of the pick: the confirmation shows the CAUTION
    confirm = text(supervisor.get(f"/picks/{pick.pk}/delete/"))
    assert "CAUTION: prescribed numbers." in confirm and "lot L1" in confirm
    assert "a new pick" in confirm and "recreates exactly these lines" in confirm
    assert worker.post(f"/picks/{pick.pk}/delete/").status_code == 403
    page = follow(supervisor, supervisor.post(f"/picks/{pick.pk}/delete/"))
    assert f"Pick {pick.no} was deleted" in page
    # then the prescribed tracking lines are exactly as they were, the outstanding back on the source line
    assert not Pick.objects.filter(pk=pick.pk).exists()
    assert list(ItemTrackingLine.objects.order_by("pk").values_list("serial_no", "lot_no", "quantity")) == (
        prescribed_before
    )
    assert source_line(doc, 10000).qty_on_picks == 0
    # and a new pick recreates exactly the line still outstanding, locked
    again, page = create_pick(supervisor, doc)
    assert [(bin_code(ln), ln.lot_no, ln.quantity, ln.tracking_locked) for ln in lines_of(again)] == [
        ("B1", "L1", 1, True),
    ]
    assert 'data-testid="lock"' in page
