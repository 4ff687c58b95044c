"""Tracing and recalls through the API and the pages: permissions, scoping, refusals, the CSV, the printable
report and its PDF, the held line on the pick page."""

from __future__ import annotations

from typing import Any

import pytest

from core.exceptions import ErrorCode
from picking.models import Recall
from tests.acceptance.recall_world import LOT, REASON, build_recall_world
from tests.clients import api_client_for, browser_for, ok, problem

pytestmark = pytest.mark.django_db

OPEN = {"item": "LOT-WH", "lot_nos": [LOT], "reason": REASON}


def test_a_worker_traces_at_own_locations_and_gets_404_elsewhere(world: Any) -> None:
    build_recall_world(world)
    body = ok(api_client_for(world.worker).get("/api/v1/tracing/", {"item": "LOT-WH", "lot_no": LOT}))
    assert body["item"] == "LOT-WH" and {n["kind"] for n in body["nodes"]} >= {"receipt", "pick"}
    backward = ok(
        api_client_for(world.worker).get(
            "/api/v1/tracing/", {"item": "LOT-WH", "lot_no": LOT, "direction": "backward"}
        )
    )
    assert {n["partner"] for n in backward["nodes"]} == {
        "Alpha Foods",
        "Bravo Market",
        "Charlie Stores",
        "Delta Deli",
    }
    # the EAST supervisor sees nothing of MAIN and WHSE: not even that the lot exists
    problem(
        api_client_for(world.outsider).get("/api/v1/tracing/", {"item": "LOT-WH", "lot_no": LOT}),
        404,
        "not_found",
    )
    problem(
        api_client_for(world.worker).get(
            "/api/v1/tracing/", {"item": "LOT-WH", "lot_no": LOT, "location": "EAST"}
        ),
        404,
        "not_found",
    )
    page = browser_for(world.outsider).get("/tracing/", {"item": "LOT-WH", "lot_no": LOT})
    assert page.status_code == 404 and b"Alpha" not in page.content


def test_tracing_refuses_bad_input_with_a_code(world: Any) -> None:
    api = api_client_for(world.worker)
    missing = problem(api.get("/api/v1/tracing/", {"item": "LOT-WH"}), 400, "invalid")
    assert missing["errors"][0]["code"] == ErrorCode.REQUIRED
    wrong = problem(
        api.get("/api/v1/tracing/", {"item": "LOT-WH", "lot_no": "X", "direction": "up"}), 400, "invalid"
    )
    assert [e["field"] for e in wrong["errors"]] == ["direction"]
    problem(api.get("/api/v1/tracing/", {"item": "NOPE", "lot_no": "X"}), 404, "not_found")


def test_tracing_csv_has_a_row_per_node(world: Any) -> None:
    build_recall_world(world)
    response = api_client_for(world.supervisor).get(
        "/api/v1/tracing/", {"item": "LOT-WH", "lot_no": LOT, "format": "csv"}
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = response.content.decode().splitlines()
    assert rows[0].startswith("level,kind,id,no,date,quantity")
    assert (
        len(rows) - 1
        == ok(api_client_for(world.supervisor).get("/api/v1/tracing/", {"item": "LOT-WH", "lot_no": LOT}))[
            "node_count"
        ]
    )
    page_csv = browser_for(world.worker).get("/tracing/export.csv", {"item": "LOT-WH", "lot_no": LOT})
    assert page_csv.status_code == 200 and page_csv.content.decode().splitlines()[1:] == rows[1:]


def test_only_supervisors_and_integration_open_and_close_recalls(world: Any, erp_api: Any) -> None:
    rw = build_recall_world(world)
    problem(
        api_client_for(world.worker).post("/api/v1/recalls/", OPEN, format="json"), 403, "permission_denied"
    )
    assert not Recall.objects.exists()
    opened = ok(erp_api.post("/api/v1/recalls/", OPEN, format="json"), 201)
    assert opened["status"] == "open" and opened["lot_nos"] == [LOT]
    assert {s["partner"] for s in opened["shipped_to"]} == {"Alpha Foods", "Bravo Market", "Charlie Stores"}
    assert [(s["location"], s["bin"], s["quantity"]) for s in opened["in_stock"]] == [
        ("MAIN", "B1", "2"),
        ("WHSE", "W1", "6"),
    ]
    assert [line["pick_no"] for line in opened["blocked_pick_lines"]] == [rw.open_pick.no]
    # workers read it (their locations) and see the reason on the held line
    worker = api_client_for(world.worker)
    assert ok(worker.get(f"/api/v1/recalls/{opened['id']}/"))["reason"] == REASON
    assert [r["no"] for r in ok(worker.get("/api/v1/recalls/"))["results"]] == [opened["no"]]
    refused = problem(worker.post(f"/api/v1/picks/{rw.open_pick.pk}/post/"), 403, "permission_denied")
    assert refused
    page = browser_for(world.worker).get(f"/picks/{rw.open_pick.pk}/", {"done": "1"})
    assert (
        page.status_code == 200
        and REASON.encode() in page.content
        and b'data-testid="recall-hold"' in page.content
    )
    posting = problem(
        api_client_for(world.supervisor).post(f"/api/v1/picks/{rw.open_pick.pk}/post/"), 409, "recalled"
    )
    assert REASON in posting["errors"][0]["detail"]
    # the EAST supervisor does not see it; the worker cannot close it
    problem(api_client_for(world.outsider).get(f"/api/v1/recalls/{opened['id']}/"), 404, "not_found")
    problem(worker.post(f"/api/v1/recalls/{opened['id']}/close/"), 403, "permission_denied")
    closed = ok(erp_api.post(f"/api/v1/recalls/{opened['id']}/close/"))
    assert closed["status"] == "closed"
    problem(erp_api.post(f"/api/v1/recalls/{opened['id']}/close/"), 409, "recall_not_open")
    ok(api_client_for(world.supervisor).post(f"/api/v1/picks/{rw.open_pick.pk}/post/"), 201)


def test_opening_refuses_bad_input_and_changes_nothing(world: Any) -> None:
    world.receive(world.lot_wh, "A1", {"quantity": "2", "lot_no": "L-1"})
    api = api_client_for(world.supervisor)
    blank = problem(
        api.post("/api/v1/recalls/", {"item": "LOT-WH", "lot_nos": ["L-1"], "reason": " "}, format="json"),
        400,
        "invalid",
    )
    assert [(e["field"], e["code"]) for e in blank["errors"]] == [("reason", "blank")]
    none = problem(
        api.post("/api/v1/recalls/", {"item": "LOT-WH", "reason": "x"}, format="json"), 400, "invalid"
    )
    assert none["errors"][0]["code"] == ErrorCode.REQUIRED
    unknown = problem(
        api.post("/api/v1/recalls/", {"item": "LOT-WH", "lot_nos": ["L-9"], "reason": "x"}, format="json"),
        400,
        "invalid",
    )
    assert [(e["field"], e["code"]) for e in unknown["errors"]] == [("lot_nos", "number_unknown")]
    untracked = problem(
        api.post("/api/v1/recalls/", {"item": "LOT-WH", "serial_nos": ["S1"], "reason": "x"}, format="json"),
        400,
        "invalid",
    )
    assert untracked["errors"][0]["code"] == ErrorCode.SERIAL_NOT_TRACKED
    problem(
        api.post("/api/v1/recalls/", {"item": "NOPE", "lot_nos": ["L-1"], "reason": "x"}, format="json"),
        404,
        "not_found",
    )
    # a number only at another location is unknown to the EAST supervisor
    east = problem(
        api_client_for(world.outsider).post(
            "/api/v1/recalls/", {"item": "LOT-WH", "lot_nos": ["L-1"], "reason": "x"}, format="json"
        ),
        400,
        "invalid",
    )
    assert east["errors"][0]["code"] == ErrorCode.NUMBER_UNKNOWN
    problem(api.get("/api/v1/recalls/", {"status": "maybe"}), 400, "invalid")
    assert not Recall.objects.exists()


def test_recall_pages_open_show_print_and_close(world: Any) -> None:
    rw = build_recall_world(world)
    browser = browser_for(world.supervisor)
    assert browser.get("/recalls/").status_code == 200
    refused = browser.post("/recalls/", {"item": "LOT-WH", "lot_nos": "", "reason": REASON})
    assert refused.status_code == 400 and not Recall.objects.exists()
    response = browser.post("/recalls/", {"item": "LOT-WH", "lot_nos": LOT, "reason": REASON})
    recall = Recall.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/recalls/{recall.pk}/"
    detail = browser.get(f"/recalls/{recall.pk}/").content.decode()
    for text in ("Alpha Foods", "Bravo Market", "Charlie Stores", rw.open_pick.no, "W1", REASON):
        assert text in detail
    printed = browser.get(f"/recalls/{recall.pk}/print/")
    assert (
        printed.status_code == 200
        and b"print.css" in printed.content
        and b"Charlie Stores" in printed.content
    )
    pdf = browser.get(f"/recalls/{recall.pk}/report.pdf")
    assert (
        pdf.status_code == 200
        and pdf["Content-Type"] == "application/pdf"
        and pdf.content.startswith(b"%PDF")
    )
    worker = browser_for(world.worker)
    assert worker.get(f"/recalls/{recall.pk}/").status_code == 200
    assert worker.post(f"/recalls/{recall.pk}/close/").status_code == 403
    assert worker.post("/recalls/", {"item": "LOT-WH", "lot_nos": LOT, "reason": "x"}).status_code in (
        403,
        404,
    )
    assert browser_for(world.outsider).get(f"/recalls/{recall.pk}/").status_code == 404
    assert browser.post(f"/recalls/{recall.pk}/close/").status_code == 302
    assert Recall.objects.get().status == "closed"
    trace = worker.get("/tracing/", {"item": "LOT-WH", "lot_no": LOT, "direction": "backward"})
    assert trace.status_code == 200 and b"<details" in trace.content and b"Delta Deli" in trace.content
