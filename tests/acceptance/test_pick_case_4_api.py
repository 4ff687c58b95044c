"""Case 4 through the API: numbers prescribed by the source document.

The pick is created with one line per prescribed number and bin, locked: the API refuses any change but
Qty. to Handle with 409 `tracking_locked`. Posting updates the prescribed tracking lines' qty_handled and
writes nothing of origin `pick`.
"""

from __future__ import annotations

import pytest

from tests.acceptance.cases import api_create_pick, case_4_given, then_case_4_ledgers
from tests.clients import api_client_for, ok

pytestmark = pytest.mark.django_db


def test_case_4_prescribed_numbers_are_locked() -> None:
    # given lot L1 in A1 (2) and B1 (3), lot L2, serials X1, X2; an order prescribing L1 x 4 and X2
    given = case_4_given()
    world, doc = given.world, given.doc
    supervisor, worker = api_client_for(world.supervisor), api_client_for(world.worker)

    # when the pick is created
    pick = api_create_pick(supervisor, doc)
    # then one locked line per prescribed number and bin
    assert [
        (ln["bin"], ln["lot_no"], ln["serial_no"], ln["quantity"], ln["tracking_locked"])
        for ln in pick["lines"]
    ] == [
        ("A1", "L1", "", "2", True),
        ("B1", "L1", "", "2", True),
        ("A1", "", "X2", "1", True),
    ]
    url = f"/api/v1/picks/{pick['id']}/"
    a1_line, b1_line, serial_line = pick["lines"]

    # when the worker tries to change a number, a bin, split or assign: 409 tracking_locked
    for path, body in (
        (f"lines/{a1_line['id']}/", {"lot_no": "L2"}),
        (f"lines/{b1_line['id']}/", {"bin": "A1"}),
        (f"lines/{serial_line['id']}/", {"serial_no": "X1"}),
    ):
        refused = ok(worker.patch(url + path, body, format="json"), 409)
        assert refused["code"] == "tracking_locked" and "prescribed" in refused["detail"]
    assert ok(worker.post(f"{url}lines/{a1_line['id']}/assign-lot-no/", {}, format="json"), 409)["code"] == (
        "tracking_locked"
    )
    # then only Qty. to Handle changes: the worker picks A1 fully, 1 of B1, and the serial
    ok(worker.patch(f"{url}lines/{a1_line['id']}/", {"qty_to_handle": "2"}, format="json"))
    ok(worker.patch(f"{url}lines/{b1_line['id']}/", {"qty_to_handle": "1"}, format="json"))
    ok(worker.patch(f"{url}lines/{serial_line['id']}/", {"qty_to_handle": "1"}, format="json"))
    posted = ok(supervisor.post(f"{url}post/"), 201)
    assert sorted((ln["bin"], ln["lot_no"], ln["serial_no"], ln["quantity"]) for ln in posted["lines"]) == [
        ("A1", "", "X2", "1"),
        ("A1", "L1", "", "2"),
        ("B1", "L1", "", "1"),
    ]

    # then the ledgers, number by number
    l1_first, l1_second = then_case_4_ledgers(given)
    # and the first receipt of L1 is used up, the second has 2 left
    l1_first.refresh_from_db()
    l1_second.refresh_from_db()
    assert (l1_first.remaining_quantity, l1_first.open, l1_second.remaining_quantity) == (0, False, 2)
    pick = ok(worker.get(url))
    assert pick["status"] == "in_progress"
    assert [(ln["quantity"], ln["qty_handled"], ln["qty_outstanding"]) for ln in pick["lines"]] == [
        ("2", "2", "0"),
        ("2", "1", "1"),
        ("1", "1", "0"),
    ]
