"""Case 2 through the pages: assign new numbers while shipping (outbound tracking only).

The worker scans one new serial number (the page asks which line, since it could be a new lot too; on
the serial line it splits off a one-unit line), presses Assign Serial Nos. for the rest and Assign Lot
No. on the lot line; a posting tried too early is refused with the problem next to the line and nothing
posted. The ledgers carry the new numbers, applied to the receipts without
numbers.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from picking.models import PickLine
from picking.tests.picks_pages.pages import (
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
from tests.acceptance.cases import case_2_given, then_case_2_ledgers
from tests.clients import browser_for
from tests.world import document, ledger, source_line, tracking

pytestmark = pytest.mark.django_db


def test_case_2_assign_new_numbers_on_the_pages() -> None:
    # given stock without numbers of SN-OUT (5) and LOT-OUT (10), and an order for 3 and 4
    given = case_2_given()
    world, doc = given.world, given.doc
    sn_receipt = given.serial_receipts[("", "")]
    supervisor, worker = browser_for(world.supervisor), browser_for(world.worker)

    # when the supervisor creates the pick
    pick, page = create_pick(supervisor, doc)
    serial_line, lot_line = lines_of(pick)
    # then the lines carry no numbers; they offer Assign (and no Select: stock carries no numbers)
    assert (serial_line.serial_no, serial_line.quantity, lot_line.lot_no) == ("", 3, "")
    page = text(worker.get(f"/picks/{pick.pk}/"))
    assert "Assign Serial Nos." in card(page, serial_line) and "Assign Lot No." not in card(page, serial_line)
    assert "Assign Lot No." in card(page, lot_line) and "Select" not in card(page, lot_line)
    assert "Needs a serial number before posting." in card(page, serial_line)

    # when the worker scans a new serial number at the top of the page
    asked = worker.post(f"/picks/{pick.pk}/scan/", {"code": "NEW-1"})
    # then the page asks which line it goes on (it could be a new lot of the lot line too), nothing changed
    assert asked.status_code == 200
    assert "NEW-1 fits 2 lines: choose the line it goes on." in text(asked)
    assert not PickLine.objects.filter(pick=pick, qty_to_handle__gt=0).exists()
    # when the worker chooses the serial line
    chosen = {"code": "NEW-1", "line_id": serial_line.pk}
    page = follow(worker, worker.post(f"/picks/{pick.pk}/scan/", chosen))
    # then a one-unit line carrying it is split off, with Qty. to Handle 1
    assert "New serial number NEW-1 is on line" in page
    new_line = PickLine.objects.get(pick=pick, serial_no="NEW-1")
    assert (new_line.quantity, new_line.qty_to_handle) == (1, 1)
    serial_line.refresh_from_db()
    assert serial_line.quantity == 2
    # when the worker presses Assign Serial Nos. for the remaining two units
    page = follow(worker, worker.post(line_url(serial_line, "assign-serial-nos")))
    assert "New serial numbers were assigned." in page
    assert sorted(ln.serial_no for ln in lines_of(pick) if ln.item_id == world.sn_out.pk) == [
        "NEW-1",
        "SO-0001",
        "SO-0002",
    ]
    # and autofills, and the supervisor tries to post before the lot is assigned
    follow(worker, worker.post(f"/picks/{pick.pk}/autofill-qty-to-handle/"))
    refused = supervisor.post(f"/picks/{pick.pk}/post/")
    # then it is refused, the problem shown at the lot line, nothing posted
    assert refused.status_code == 409
    assert "needs a lot number before it can be posted" in card(text(refused), lot_line)
    assert ledger(world.sn_out) == [("positive_adjustment", "", "", Decimal(5), None)]
    # a serial number typed on the lot line is refused: the lot line has no serial field at all
    assert "serial_no" not in inputs(card(page, lot_line))
    bad = worker.post(line_url(lot_line), {"serial_no": "X"})
    assert bad.status_code == 400 and "not tracked by serial number" in card(text(bad), lot_line)
    too_much = set_qty(worker, lot_line, 5)
    assert too_much.status_code == 400
    assert "more than the 4 still outstanding" in card(text(too_much), lot_line)
    lot_line.refresh_from_db()
    assert (lot_line.serial_no, lot_line.qty_to_handle) == ("", 4)

    # when the worker assigns the lot and the supervisor posts
    page = follow(worker, worker.post(line_url(lot_line, "assign-lot-no")))
    assert "A new lot number was assigned." in page and "LO-2026-001" in card(page, lot_line)
    page = post_pick(supervisor, pick)
    assert "4 line(s) shipped" in page

    # then the ledgers carry the new numbers, applied to the receipts without numbers
    assert sorted(ledger(world.sn_out)[1:]) == sorted(
        ("sale", "", number, Decimal(-1), sn_receipt) for number in ("NEW-1", "SO-0001", "SO-0002")
    )
    then_case_2_ledgers(given)
    assert sorted(tracking(source_line(doc, 10000))) == [
        ("", number, 1, 1, "pick") for number in ("NEW-1", "SO-0001", "SO-0002")
    ]

    # and a serial number once shipped can never be used again for the item
    again = document(world, (world.sn_out, 1))
    pick2, _ = create_pick(supervisor, again)
    (line,) = lines_of(pick2)
    used = worker.post(line_url(line), {"serial_no": "SO-0002"})
    assert used.status_code == 409
    assert "was already used for item SN-OUT" in card(text(used), line)
    line.refresh_from_db()
    assert line.serial_no == ""
