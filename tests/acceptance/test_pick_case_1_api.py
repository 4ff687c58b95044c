"""Case 1 through the API: numbers flow through by themselves (warehouse tracking, proposed, changeable).

A supervisor creates the pick (idempotently), the worker changes one proposed serial number to another
available one and handles the lines, the supervisor posts; the ledgers are checked number by number.
"""

from __future__ import annotations

import pytest

from picking.models import Pick
from tests.acceptance.cases import case_1_given, then_case_1_ledgers
from tests.clients import api_client_for, ok
from tests.world import EXP_EARLY

pytestmark = pytest.mark.django_db


def test_case_1_numbers_flow_through() -> None:
    # given a location picking by FEFO, lots of LOT-WH in two bins and serials of SN-WH
    given = case_1_given()
    world, doc = given.world, given.doc
    supervisor, worker = api_client_for(world.supervisor), api_client_for(world.worker)

    # when the supervisor creates the pick, twice with the same Idempotency-Key
    response = supervisor.post(
        "/api/v1/picks/", {"source_document": doc.pk}, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    pick = ok(response, 201)
    replay = supervisor.post(
        "/api/v1/picks/", {"source_document": doc.pk}, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    # then one pick exists, at the Location given, its numbers proposed FEFO then first received first
    assert ok(replay, 201) == pick and Pick.objects.count() == 1
    assert response["Location"] == f"/api/v1/picks/{pick['id']}/"
    assert pick["not_picked"] == [] and pick["status"] == "open" and pick["location"] == "MAIN"
    assert [
        (ln["bin"], ln["item"], ln["lot_no"], ln["serial_no"], ln["quantity"], ln["tracking_locked"])
        for ln in pick["lines"]
    ] == [
        ("B1", "LOT-WH", "EARLY", "", "2", False),
        ("A1", "LOT-WH", "LATE", "", "2", False),
        ("A1", "SN-WH", "", "S1", "1", False),
        ("A1", "SN-WH", "", "S2", "1", False),
    ]
    assert pick["lines"][0]["expiration_date"] == EXP_EARLY.isoformat()

    # when the worker changes proposed S2 to S3, autofills and posts (workers may not post by default)
    lines = {ln["serial_no"] or ln["lot_no"]: ln for ln in pick["lines"]}
    url = f"/api/v1/picks/{pick['id']}/"
    ok(worker.patch(f"{url}lines/{lines['S2']['id']}/", {"serial_no": "S3"}, format="json"))
    unavailable = worker.patch(f"{url}lines/{lines['S1']['id']}/", {"serial_no": "S9"}, format="json")
    assert ok(unavailable, 409)["code"] == "serial_not_available"
    ok(worker.post(f"{url}autofill-qty-to-handle/"))
    refused = worker.post(f"{url}post/")
    assert ok(refused, 403)["code"] == "permission_denied"
    # and the supervisor posts
    response = supervisor.post(f"{url}post/")
    posted = ok(response, 201)
    assert response["Location"] == f"/api/v1/posted-picks/{posted['id']}/"
    assert posted["pick_no"] == pick["no"] and posted["posted_by"] == "sup-main"

    # then the ledgers, number by number
    then_case_1_ledgers(given)
    assert ok(supervisor.get(url))["status"] == "completed"
    listed = ok(supervisor.get("/api/v1/posted-picks/", {"pick_no": pick["no"]}))
    assert [p["no"] for p in listed["results"]] == [posted["no"]]
    assert len(listed["results"][0]["lines"]) == 4
    detail = ok(supervisor.get(f"/api/v1/posted-picks/{posted['id']}/"))
    assert sorted(
        (ln["serial_no"], ln["lot_no"], ln["quantity"], ln["source_line_no"]) for ln in detail["lines"]
    ) == [
        ("", "EARLY", "2", 10000),
        ("", "LATE", "2", 10000),
        ("S1", "", "1", 20000),
        ("S3", "", "1", 20000),
    ]
    # and a supervisor of another location sees none of it
    outsider = api_client_for(world.outsider)
    assert ok(outsider.get(url), 404)["code"] == "not_found"
    assert ok(outsider.get(f"/api/v1/posted-picks/{posted['id']}/"), 404)["code"] == "not_found"
    assert ok(outsider.get("/api/v1/picks/"))["count"] == 0
