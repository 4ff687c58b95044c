"""Deleting a pick never loses the numbers prescribed by the source document (docs/domain.md, "Invariants").

A pick holding prescribed lots is partly posted, then deleted by a supervisor: the source document's item
tracking lines are exactly as before, the outstanding quantity is back on the source line, and a new pick
recreates exactly the lines still outstanding, locked.
"""

from __future__ import annotations

import pytest

from picking.models import ItemTrackingLine, Pick, PickLine
from tests.acceptance.cases import api_create_pick
from tests.clients import api_client_for, ok
from tests.world import build_world, document, source_line

pytestmark = pytest.mark.django_db


def tracking_rows() -> list[tuple[int, str, str, object, object, str]]:
    return list(
        ItemTrackingLine.objects.order_by("pk").values_list(
            "pk", "lot_no", "serial_no", "quantity", "qty_handled", "origin"
        )
    )


def test_prescribed_lots_partly_posted_then_deleted_are_recreated_exactly() -> None:
    # given an order prescribing lot L1 x 5 (in A1 and B1) and lot L2 x 2, and its pick
    world = build_world()
    world.receive(world.lot_spec, "A1", {"quantity": 3, "lot_no": "L1"}, {"quantity": 4, "lot_no": "L2"})
    world.receive(world.lot_spec, "B1", {"quantity": 6, "lot_no": "L1"})
    doc = document(world, (world.lot_spec, 7, {"tracking": [("", "L1", 5), ("", "L2", 2)]}))
    supervisor, worker = api_client_for(world.supervisor), api_client_for(world.worker)
    pick = api_create_pick(supervisor, doc)
    assert [(ln["bin"], ln["lot_no"], ln["quantity"], ln["tracking_locked"]) for ln in pick["lines"]] == [
        ("A1", "L1", "3", True),
        ("B1", "L1", "2", True),
        ("A1", "L2", "2", True),
    ]
    url = f"/api/v1/picks/{pick['id']}/"
    a1_l1, b1_l1, a1_l2 = pick["lines"]
    # and the worker handled 2 of L1 in A1 and 1 of L2, which the supervisor posted
    ok(worker.patch(f"{url}lines/{a1_l1['id']}/", {"qty_to_handle": "2"}, format="json"))
    ok(worker.patch(f"{url}lines/{a1_l2['id']}/", {"qty_to_handle": "1"}, format="json"))
    ok(supervisor.post(f"{url}post/"), 201)
    before = tracking_rows()
    assert [(lot, qty, handled) for _, lot, _, qty, handled, _ in before] == [("L1", 5, 2), ("L2", 2, 1)]

    # when a worker tries to delete the pick: refused, nothing changed
    assert ok(worker.delete(url), 403)["code"] == "permission_denied"
    assert Pick.objects.filter(pk=pick["id"]).exists()
    # when the supervisor deletes it
    assert supervisor.delete(url).status_code == 204

    # then the source tracking lines are exactly as they were
    assert tracking_rows() == before
    assert not Pick.objects.exists() and not PickLine.objects.exists()
    line = source_line(doc)
    assert (line.qty_shipped, line.qty_on_picks, line.qty_to_pick) == (3, 0, 4)
    assert ok(supervisor.get(url), 404)["code"] == "not_found"

    # when a new pick is created
    again = api_create_pick(supervisor, doc)
    # then it holds exactly the prescribed numbers still outstanding, locked (3 of L1, 1 of L2)
    assert again["no"] != pick["no"] and again["not_picked"] == []
    assert sorted((ln["lot_no"], ln["quantity"], ln["tracking_locked"]) for ln in again["lines"]) == [
        ("L1", "1", True),
        ("L1", "2", True),
        ("L2", "1", True),
    ]
    assert sum(float(ln["quantity"]) for ln in again["lines"] if ln["lot_no"] == "L1") == 3
    assert tracking_rows() == before
    assert b1_l1["bin"] == "B1"


def test_deleting_one_line_returns_its_quantity_and_keeps_tracking() -> None:
    world = build_world()
    world.receive(world.lot_spec, "A1", {"quantity": 5, "lot_no": "L1"}, {"quantity": 5, "lot_no": "L2"})
    doc = document(world, (world.lot_spec, 4, {"tracking": [("", "L1", 2), ("", "L2", 2)]}))
    supervisor, worker = api_client_for(world.supervisor), api_client_for(world.worker)
    pick = api_create_pick(supervisor, doc)
    l1, l2 = pick["lines"]
    before = tracking_rows()
    line_url = f"/api/v1/picks/{pick['id']}/lines/{l2['id']}/"
    assert ok(worker.delete(line_url), 403)["code"] == "permission_denied"
    assert ok(api_client_for(world.outsider).delete(line_url), 404)["code"] == "not_found"
    assert supervisor.delete(line_url).status_code == 204
    assert tracking_rows() == before
    assert source_line(doc).qty_on_picks == 2
    remaining = ok(supervisor.get(f"/api/v1/picks/{pick['id']}/"))
    assert [ln["lot_no"] for ln in remaining["lines"]] == ["L1"] and l1["lot_no"] == "L1"
    # adding to the open pick recreates the deleted prescribed line, locked
    again = api_create_pick(supervisor, doc, 200)
    assert again["id"] == pick["id"]
    assert [(ln["lot_no"], ln["quantity"], ln["tracking_locked"]) for ln in again["lines"]] == [
        ("L1", "2", True),
        ("L2", "2", True),
    ]
