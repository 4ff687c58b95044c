"""Case 4 at a location that requires shipment and pick, through the pages: numbers prescribed by the
source document.

Each pair is created locked: its card shows the lock and only a Qty. to Handle field (no numbers, no
Select, Split or Assign, no place bin). Forged POSTs that would change a number or a bin on either line of
a pair, or split it, are refused with the lock message next to the pair and change nothing. The worker
scans X2 and types Qty. to Handle (on a take line and, forged, on a place line: it is the pair's); the
supervisor registers what is handled and deletes the rest in one step (the confirmation shows the
CAUTION). The prescribed tracking lines are untouched, and a new warehouse pick for the shipment
recreates exactly the pair still missing, locked. Posting ships what was registered.
"""

from __future__ import annotations

import pytest

from picking.models import ItemTrackingLine, Pick, RegisteredPick
from picking.tests.picks_pages.pages import follow, inputs, text
from tests.acceptance.warehouse_cases import (
    page_create_shipment,
    page_create_warehouse_pick,
    page_pairs,
    page_post_shipment,
    pair_card,
    take_line,
    then_wh_case_4_registered,
    then_wh_case_4_shipped,
    wh_case_4_given,
)
from tests.clients import browser_for

pytestmark = pytest.mark.django_db

LOCK_MESSAGE = "picks numbers prescribed by the source document"


def test_case_4_prescribed_pairs_are_locked_on_the_pages() -> None:
    # given lot L1 in W1 (2) and W2 (3), lot L2, serials X1, X2; an order prescribing L1 x 4 and X2
    given = wh_case_4_given()
    world = given.world
    prescribed = list(ItemTrackingLine.objects.order_by("pk").values_list("serial_no", "lot_no", "quantity"))
    supervisor, worker = browser_for(world.supervisor), browser_for(world.worker)
    shipment, _page = page_create_shipment(supervisor, given.doc)
    pick, _page = page_create_warehouse_pick(supervisor, shipment)
    # then one locked pair per prescribed number and bin
    assert page_pairs(pick) == [
        ("W1", "SHIP", "L1", "", 2, 0, True),
        ("W2", "SHIP", "L1", "", 2, 0, True),
        ("W1", "SHIP", "", "X2", 1, 0, True),
    ]
    w1, w2, x2 = (
        take_line(pick, bin__code="W1", lot_no="L1"),
        take_line(pick, bin__code="W2"),
        take_line(pick, serial_no="X2"),
    )
    assert w1.pair is not None and w2.pair is not None and x2.pair is not None
    # and each card shows the lock and offers only Qty. to Handle
    page = text(worker.get(f"/picks/{pick.pk}/"))
    assert "3 lines are locked: their numbers are prescribed by the source document" in page
    for take in (w1, w2, x2):
        card = pair_card(page, take)
        assert 'data-testid="lock"' in card
        assert inputs(card) == ["csrfmiddlewaretoken", "qty_to_handle"]
        for control in ("/select/", "/split/", "/assign-", 'name="bin"'):
            assert control not in card

    # when the worker forges POSTs that would change numbers or bins on either line of a pair, or split
    for url, data, status in (
        (f"/picks/{pick.pk}/lines/{w1.pk}/", {"lot_no": "L2"}, 409),
        (f"/picks/{pick.pk}/lines/{w1.pair.pk}/", {"bin": "SHIP2"}, 409),
        (f"/picks/{pick.pk}/lines/{x2.pk}/select/", {"serial_no": "X1"}, 409),
        (f"/picks/{pick.pk}/lines/{w2.pk}/split/", {"quantity": "1"}, 409),
        (f"/picks/{pick.pk}/lines/{x2.pair.pk}/", {"serial_no": "X1"}, 400),
    ):
        refused = worker.post(url, data)
        # then each is refused with the reason next to the pair
        assert refused.status_code == status, url
        line_id = int(url.split("/lines/")[1].split("/")[0])
        take = next(t for t in (w1, w2, x2) if line_id in (t.pk, t.pair_id))
        card = pair_card(text(refused), take)
        assert 'data-testid="line-error"' in card, url
        assert (LOCK_MESSAGE if status == 409 else "is a place line") in card, url
    # and nothing changed
    assert [row[:5] for row in page_pairs(pick)] == [
        ("W1", "SHIP", "L1", "", 2),
        ("W2", "SHIP", "L1", "", 2),
        ("W1", "SHIP", "", "X2", 1),
    ]

    # when the worker scans X2, types 2 on the W1 pair, and 1 on the W2 pair's place line (forged)
    page = follow(worker, worker.post(f"/picks/{pick.pk}/scan/", {"code": "X2"}))
    assert "Serial number X2" in page
    follow(worker, worker.post(f"/picks/{pick.pk}/lines/{w1.pk}/", {"qty_to_handle": "2"}))
    page = follow(worker, worker.post(f"/picks/{pick.pk}/lines/{w2.pair.pk}/", {"qty_to_handle": "1"}))
    assert f"Line {w2.line_no}: the goods are placed in bin SHIP, Qty. to Handle 1." in page
    assert [row[5] for row in page_pairs(pick)] == [2, 1, 1]
    # and the worker is not the one to delete: Register handled + delete rest is for supervisors
    assert worker.get(f"/picks/{pick.pk}/register-and-delete-rest/").status_code == 403
    assert worker.post(f"/picks/{pick.pk}/register-and-delete-rest/").status_code == 403

    # when the supervisor registers what is handled and deletes the rest: the confirmation says what
    confirm = text(supervisor.get(f"/picks/{pick.pk}/register-and-delete-rest/"))
    assert "These 3 pairs move their goods" in confirm
    assert "What is not registered now goes back to the shipment lines" in confirm
    assert f"Line {w2.line_no}: 1 \u00d7 LOT-SPEC in bin W2 · lot L1" in confirm
    assert "CAUTION: prescribed numbers." in confirm and "recreates exactly these pairs" in confirm
    page = follow(supervisor, supervisor.post(f"/picks/{pick.pk}/register-and-delete-rest/"))
    registered = RegisteredPick.objects.get(pick_no=pick.no)
    assert f"Registered as {registered.no}; the rest of the pick was deleted" in page
    # then 3 of L1 and X2 wait in SHIP; the pick keeps what it registered and nothing is outstanding on it
    then_wh_case_4_registered(given)
    assert Pick.objects.get(pk=pick.pk).status == "completed"
    assert 'data-testid="pick-status">Completed<' in page
    # and the prescribed tracking lines are as they were
    assert list(ItemTrackingLine.objects.order_by("pk").values_list("serial_no", "lot_no", "quantity")) == (
        prescribed
    )
    page = text(supervisor.get(f"/warehouse-shipments/{shipment.pk}/"))
    assert 'data-testid="shipment-status">Partially picked<' in page and 'data-testid="create-pick"' in page

    # when the supervisor creates a new warehouse pick for the shipment
    again, page = page_create_warehouse_pick(supervisor, shipment)
    # then it recreates exactly the pair still missing, locked
    assert page_pairs(again) == [("W2", "SHIP", "L1", "", 1, 0, True)]
    assert 'data-testid="lock"' in page
    # and the supervisor deletes it again (the shipment keeps the rest to pick later)
    follow(supervisor, supervisor.post(f"/picks/{again.pk}/delete/"))

    # when the supervisor posts what is picked
    confirm, page = page_post_shipment(supervisor, shipment)
    assert "Line 10000: <strong>3</strong> \u00d7 LOT-SPEC from bin SHIP" in confirm
    # then the ledgers, number by number
    then_wh_case_4_shipped(given)
    assert 'data-testid="shipment-status">Partially shipped<' in page
