"""Case 2 through the API: assign new numbers while shipping (outbound tracking only).

Stock carries no numbers. The worker assigns serial numbers from the item's series (a line of 3 becomes
three one-unit lines), and a lot number; a posting before the lot is assigned is refused per line; the
ledgers then carry the new numbers, applied to the receipts without numbers.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.acceptance.cases import api_create_pick, case_2_given, then_case_2_ledgers
from tests.clients import api_client_for, ok
from tests.world import document, ledger, source_line, tracking

pytestmark = pytest.mark.django_db


def test_case_2_assign_new_numbers_while_shipping() -> None:
    # given stock without numbers of SN-OUT (5) and LOT-OUT (10), and an order for 3 and 4
    given = case_2_given()
    world, doc = given.world, given.doc
    sn_receipt = given.serial_receipts[("", "")]
    supervisor, worker = api_client_for(world.supervisor), api_client_for(world.worker)

    # when the pick is created
    pick = api_create_pick(supervisor, doc)
    # then its lines carry no numbers
    assert [
        (ln["item"], ln["bin"], ln["serial_no"], ln["lot_no"], ln["quantity"]) for ln in pick["lines"]
    ] == [
        ("SN-OUT", "A1", "", "", "3"),
        ("LOT-OUT", "B1", "", "", "4"),
    ]
    url = f"/api/v1/picks/{pick['id']}/"
    serial_line, lot_line = pick["lines"]

    # when the worker assigns serial numbers: the line becomes three one-unit lines
    pick = ok(worker.post(f"{url}lines/{serial_line['id']}/assign-serial-nos/", {}, format="json"))
    assert [(ln["serial_no"], ln["quantity"]) for ln in pick["lines"] if ln["item"] == "SN-OUT"] == [
        ("SO-0001", "1"),
        ("SO-0002", "1"),
        ("SO-0003", "1"),
    ]
    # and tries to post before the lot is assigned: refused per line, nothing posted
    ok(worker.post(f"{url}autofill-qty-to-handle/"))
    refused = ok(supervisor.post(f"{url}post/"), 409)
    assert refused["code"] == "tracking_incomplete"
    assert [(e["line"], e["code"]) for e in refused["errors"]] == [
        (lot_line["line_no"], "tracking_incomplete")
    ]
    assert "lot number" in refused["errors"][0]["detail"]
    assert ledger(world.sn_out) == [("positive_adjustment", "", "", Decimal(5), None)]
    # a serial number may not be typed on the lot line, and a quantity must be sane
    bad = ok(worker.patch(f"{url}lines/{lot_line['id']}/", {"serial_no": "X"}, format="json"), 400)
    assert bad["code"] == "invalid"
    bad = ok(worker.patch(f"{url}lines/{lot_line['id']}/", {"qty_to_handle": "5"}, format="json"), 400)
    assert bad["code"] == "qty_to_handle_exceeds_outstanding"
    # then assigns the lot and posts
    pick = ok(worker.post(f"{url}lines/{lot_line['id']}/assign-lot-no/", {}, format="json"))
    assert [ln["lot_no"] for ln in pick["lines"] if ln["item"] == "LOT-OUT"] == ["LO-2026-001"]
    posted = ok(supervisor.post(f"{url}post/"), 201)
    assert len(posted["lines"]) == 4

    # then the ledgers carry the new numbers, applied to the receipts without numbers
    assert ledger(world.sn_out)[1:] == [
        ("sale", "", f"SO-000{i}", Decimal(-1), sn_receipt) for i in (1, 2, 3)
    ]
    then_case_2_ledgers(given)
    assert tracking(source_line(doc, 10000)) == [("", f"SO-000{i}", 1, 1, "pick") for i in (1, 2, 3)]

    # and a serial number once shipped can never be used again for the item
    again = document(world, (world.sn_out, 1))
    pick2 = api_create_pick(supervisor, again)
    line = pick2["lines"][0]
    used = worker.patch(
        f"/api/v1/picks/{pick2['id']}/lines/{line['id']}/", {"serial_no": "SO-0002"}, format="json"
    )
    assert ok(used, 409)["code"] == "serial_not_available"
