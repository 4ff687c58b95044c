"""Case 4 through the API: numbers prescribed by the source document.

The pick is created with one line per prescribed number and bin, locked: the API refuses any change but
Qty. to Handle with 409 `tracking_locked`. Posting updates the prescribed tracking lines' qty_handled and
writes nothing of origin `pick`.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from picking.tests.picks.world import (
    api,
    bin_content,
    build_world,
    document,
    fast_password_hashing,  # noqa: F401  (fixture)
    ledger,
    ok,
    receipts,
    source_line,
    tracking,
    warehouse_out,
)
from warehouse.models import ItemLedgerEntry

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hashing")]


def test_case_4_prescribed_numbers_are_locked() -> None:
    # given lot L1 in A1 (2) and B1 (3), lot L2, serials X1, X2; an order prescribing L1 x 4 and X2
    world = build_world()
    world.receive(world.lot_spec, "A1", {"quantity": 2, "lot_no": "L1"}, {"quantity": 9, "lot_no": "L2"})
    world.receive(world.lot_spec, "B1", {"quantity": 3, "lot_no": "L1"})
    world.receive(world.sn_spec, "A1", {"quantity": 1, "serial_no": "X1"}, {"quantity": 1, "serial_no": "X2"})
    serial_receipts = receipts(world.sn_spec)
    doc = document(
        world,
        (world.lot_spec, 4, {"tracking": [("", "L1", 4)]}),
        (world.sn_spec, 1, {"tracking": [("X2", "", 1)]}),
    )
    supervisor, worker = api(world.supervisor), api(world.worker)

    # when the pick is created
    pick = ok(supervisor.post("/api/v1/picks/", {"source_document": doc.pk}, format="json"), 201)
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
    l1_first, l1_second = ItemLedgerEntry.objects.filter(
        item=world.lot_spec, lot_no="L1", quantity__gt=0
    ).order_by("pk")
    assert ledger(world.lot_spec)[3:] == [
        ("sale", "L1", "", Decimal(-2), l1_first.pk),
        ("sale", "L1", "", Decimal(-1), l1_second.pk),
    ]
    l1_first.refresh_from_db()
    l1_second.refresh_from_db()
    assert (l1_first.remaining_quantity, l1_first.open, l1_second.remaining_quantity) == (0, False, 2)
    assert ledger(world.sn_spec)[2:] == [("sale", "", "X2", Decimal(-1), serial_receipts[("", "X2")])]
    assert warehouse_out(world.lot_spec) == [("A1", "L1", "", -2), ("B1", "L1", "", -1)]
    assert bin_content(world.lot_spec) == [("A1", "L1", "", 0), ("A1", "L2", "", 9), ("B1", "L1", "", 2)]
    assert bin_content(world.sn_spec) == [("A1", "", "X1", 1), ("A1", "", "X2", 0)]
    lot_line, sn_line = source_line(doc, 10000), source_line(doc, 20000)
    assert (lot_line.qty_shipped, lot_line.qty_on_picks, sn_line.qty_shipped) == (3, 1, 1)
    # the prescribed tracking lines count what was handled; nothing of origin `pick` is written
    assert tracking(lot_line) == [("L1", "", 4, 3, "source")]
    assert tracking(sn_line) == [("", "X2", 1, 1, "source")]
    pick = ok(worker.get(url))
    assert pick["status"] == "in_progress"
    assert [(ln["quantity"], ln["qty_handled"], ln["qty_outstanding"]) for ln in pick["lines"]] == [
        ("2", "2", "0"),
        ("2", "1", "1"),
        ("1", "1", "0"),
    ]
