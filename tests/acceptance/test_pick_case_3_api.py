"""Case 3 through the API: select existing numbers (specific tracking).

The pick's lines are blank; the worker lists the numbers available in the line's bin and scans serials
(a scan on a line of 2 splits off a one-unit line) and selects a lot; the ledgers ship exactly those.
"""

from __future__ import annotations

import pytest

from tests.acceptance.cases import api_create_pick, case_3_given, then_case_3_ledgers
from tests.clients import api_client_for, ok
from tests.world import EXP_EARLY, EXP_LATE

pytestmark = pytest.mark.django_db


def test_case_3_worker_selects_existing_numbers() -> None:
    # given specific serials X1..X3 in A1 and specific lots in B1
    given = case_3_given()
    world, doc = given.world, given.doc
    supervisor, worker = api_client_for(world.supervisor), api_client_for(world.worker)
    pick = api_create_pick(supervisor, doc)
    url = f"/api/v1/picks/{pick['id']}/"
    serial_line, lot_line = pick["lines"]
    assert (serial_line["serial_no"], serial_line["quantity"], lot_line["lot_no"], lot_line["quantity"]) == (
        "",
        "2",
        "",
        "3",
    )

    # when the worker lists the numbers available in each line's bin
    serials = ok(worker.get(f"{url}lines/{serial_line['id']}/available-tracking/"))
    lots = ok(worker.get(f"{url}lines/{lot_line['id']}/available-tracking/"))
    # then they see quantities and expiration dates, earliest expiration first
    assert [(n["serial_no"], n["quantity"]) for n in serials] == [("X1", "1"), ("X2", "1"), ("X3", "1")]
    assert [(n["lot_no"], n["quantity"], n["expiration_date"]) for n in lots] == [
        ("L2", "5", EXP_EARLY.isoformat()),
        ("L1", "5", EXP_LATE.isoformat()),
    ]

    # when the worker scans X3 on the line of 2: a one-unit line splits off
    pick = ok(
        worker.patch(
            f"{url}lines/{serial_line['id']}/", {"serial_no": "X3", "qty_to_handle": "1"}, format="json"
        )
    )
    assert [(ln["serial_no"], ln["quantity"]) for ln in pick["lines"] if ln["item"] == "SN-SPEC"] == [
        ("", "1"),
        ("X3", "1"),
    ]
    # a serial not in the bin is refused with a clear message
    missing = ok(worker.patch(f"{url}lines/{serial_line['id']}/", {"serial_no": "X7"}, format="json"), 409)
    assert missing["code"] == "serial_not_available" and "not in bin A1" in missing["detail"]
    # then the second serial and the lot
    ok(
        worker.patch(
            f"{url}lines/{serial_line['id']}/", {"serial_no": "X1", "qty_to_handle": "1"}, format="json"
        )
    )
    ok(worker.patch(f"{url}lines/{lot_line['id']}/", {"lot_no": "L1", "qty_to_handle": "3"}, format="json"))
    pick = ok(worker.get(url))
    assert sorted((ln["serial_no"], ln["lot_no"], ln["qty_to_handle"]) for ln in pick["lines"]) == [
        ("", "L1", "3"),
        ("X1", "", "1"),
        ("X3", "", "1"),
    ]
    posted = ok(supervisor.post(f"{url}post/"), 201)
    assert len(posted["lines"]) == 3

    # then exactly the selected numbers left the warehouse
    then_case_3_ledgers(given)
    assert ok(supervisor.get(url))["status"] == "completed"
