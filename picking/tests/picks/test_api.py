"""The picks API: filters, batches, permissions, problem details for every refusal."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import Job
from picking.models import Pick, PickLine
from picking.selectors.picks import pick_detail
from picking.tasks import picks_create_batch_task
from tests.clients import api_client_for, ok
from tests.world import World, document

pytestmark = pytest.mark.django_db


def create(world: World, *lines: Any) -> dict[str, Any]:
    doc = document(world, *lines)
    return ok(
        api_client_for(world.supervisor).post("/api/v1/picks/", {"source_document": doc.pk}, format="json"),
        201,
    )


def test_list_filters(world: World) -> None:
    world.receive(world.plain, "A1", {"quantity": 10})
    first, second = create(world, (world.plain, 1)), create(world, (world.plain, 2))
    supervisor = api_client_for(world.supervisor)
    ok(supervisor.patch(f"/api/v1/picks/{first['id']}/", {"assigned_to": "worker-main"}, format="json"))
    worker = api_client_for(world.worker)

    def nos(client: Any, **params: Any) -> list[str]:
        return [p["no"] for p in ok(client.get("/api/v1/picks/", params))["results"]]

    assert nos(worker) == [second["no"], first["no"]]
    assert nos(worker, assigned_to="me") == [first["no"]]
    assert nos(worker, assigned_to="none") == [second["no"]]
    assert nos(worker, source_document=second["source_document"]) == [second["no"]]
    assert nos(worker, status="completed") == []
    assert nos(worker, location="EAST") == []
    assert nos(api_client_for(world.outsider)) == []


def test_create_refusals_are_problem_details(world: World) -> None:
    supervisor = api_client_for(world.supervisor)
    bad = ok(supervisor.post("/api/v1/picks/", {"source_document": "x"}, format="json"), 400)
    assert bad["code"] == "invalid" and bad["errors"][0]["field"] == "source_document"
    assert ok(supervisor.post("/api/v1/picks/", {"source_document": 999999}, format="json"), 404)["code"] == (
        "not_found"
    )
    doc = document(world, (world.plain, 1))
    nothing = ok(supervisor.post("/api/v1/picks/", {"source_document": doc.pk}, format="json"), 409)
    assert nothing["code"] == "nothing_to_pick" and "none in stock" in nothing["detail"]
    assert nothing["not_picked"][0]["quantity"] == "1"
    worker = ok(
        api_client_for(world.worker).post("/api/v1/picks/", {"source_document": doc.pk}, format="json"), 403
    )
    assert worker["code"] == "permission_denied"
    # the same Idempotency-Key with another body is refused
    world.receive(world.plain, "A1", {"quantity": 5})
    ok(
        supervisor.post(
            "/api/v1/picks/", {"source_document": doc.pk}, format="json", HTTP_IDEMPOTENCY_KEY="a"
        ),
        201,
    )
    reused = supervisor.post(
        "/api/v1/picks/", {"source_document": doc.pk + 1}, format="json", HTTP_IDEMPOTENCY_KEY="a"
    )
    assert ok(reused, 422)["code"] == "idempotency_key_reused"


def test_lines_of_another_pick_or_location_are_not_found(world: World) -> None:
    world.receive(world.plain, "A1", {"quantity": 10})
    first, second = create(world, (world.plain, 1)), create(world, (world.plain, 2))
    worker = api_client_for(world.worker)
    wrong = f"/api/v1/picks/{first['id']}/lines/{second['lines'][0]['id']}/"
    assert ok(worker.patch(wrong, {"qty_to_handle": "1"}, format="json"), 404)["code"] == "not_found"
    right = f"/api/v1/picks/{first['id']}/lines/{first['lines'][0]['id']}/"
    outsider = api_client_for(world.outsider)
    assert ok(outsider.patch(right, {"qty_to_handle": "1"}, format="json"), 404)["code"] == "not_found"
    assert ok(outsider.post(f"/api/v1/picks/{first['id']}/post/"), 404)["code"] == "not_found"
    assert ok(outsider.delete(f"/api/v1/picks/{first['id']}/"), 404)["code"] == "not_found"
    assert Pick.objects.count() == 2 and PickLine.objects.filter(qty_to_handle=0).count() == 2


def test_split_and_post_and_delete_rest_through_the_api(world: World) -> None:
    world.receive(world.plain, "A1", {"quantity": 10})
    pick = create(world, (world.plain, 5))
    url = f"/api/v1/picks/{pick['id']}/"
    line = pick["lines"][0]
    worker, supervisor = api_client_for(world.worker), api_client_for(world.supervisor)
    new = ok(worker.post(f"{url}lines/{line['id']}/split/", {"quantity": "2"}, format="json"), 201)
    assert (new["quantity"], new["qty_handled"]) == ("2", "0")
    ok(worker.patch(f"{url}lines/{new['id']}/", {"qty_to_handle": "2"}, format="json"))
    assert ok(worker.post(f"{url}post-and-delete-rest/"), 403)["code"] == "permission_denied"
    posted = ok(supervisor.post(f"{url}post-and-delete-rest/"), 201)
    assert [ln["quantity"] for ln in posted["lines"]] == ["2"]
    after = ok(supervisor.get(url))
    assert after["status"] == "completed" and [ln["quantity"] for ln in after["lines"]] == ["2"]
    # with nothing to handle, the rest is only deleted: 204
    pick = create(world, (world.plain, 1))
    assert supervisor.post(f"/api/v1/picks/{pick['id']}/post-and-delete-rest/").status_code == 204
    assert not Pick.objects.filter(pk=pick["id"]).exists()


def test_batch_creates_one_pick_per_document_as_a_job(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    # given three orders at MAIN, one of which cannot be picked
    world.receive(world.plain, "A1", {"quantity": 3})
    for no, qty in (("SO-B1", 1), ("SO-B2", 2), ("SO-B3", 5)):
        document(world, (world.plain, qty), no=no)
    supervisor = api_client_for(world.supervisor)
    # when the supervisor runs "Create Inventory Picks" for the range (Celery runs eagerly in tests)
    with django_capture_on_commit_callbacks(execute=True):
        response = supervisor.post(
            "/api/v1/picks/batch/", {"location": "MAIN", "no_from": "SO-B1", "no_to": "SO-B3"}, format="json"
        )
    job = ok(response, 202)
    # then the job reports its result and each refusal
    job = ok(supervisor.get(response["Location"]))
    assert job["status"] == "succeeded" and job["percent"] == 100
    assert job["result"]["summary"] == "2 picks created, 1 document had nothing to pick"
    assert (job["result"]["created"], job["result"]["nothing_to_pick"], job["result"]["refused"]) == (2, 1, 0)
    assert [e["ref"] for e in job["errors"]] == ["Sales order SO-B3"]
    assert Pick.objects.count() == 2
    assert job["result"]["picks"] == [{"id": p.pk, "no": p.no} for p in Pick.objects.order_by("pk")]
    assert Job.objects.get().created_by == world.supervisor
    # and running the task again (a redelivery) creates nothing more
    picks_create_batch_task(job["id"])
    assert Pick.objects.count() == 2
    bad = ok(supervisor.post("/api/v1/picks/batch/", {"location": "EAST"}, format="json"), 404)
    assert bad["code"] == "not_found"
    assert ok(
        api_client_for(world.worker).post("/api/v1/picks/batch/", {"location": "MAIN"}, format="json"), 403
    )


def test_pick_detail_queries_do_not_grow_with_lines(world: World) -> None:
    world.receive(world.sn_wh, "A1", *({"quantity": 1, "serial_no": f"S{i:03d}"} for i in range(60)))
    small = create(world, (world.sn_wh, 2))
    large = create(world, (world.sn_wh, 50))
    counts = []
    worker = api_client_for(world.worker)
    for pick in (small, large):
        with CaptureQueriesContext(connection) as queries:
            ok(worker.get(f"/api/v1/picks/{pick['id']}/"))
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]
    with CaptureQueriesContext(connection) as queries:
        detail = pick_detail(pick_id=large["id"], user=world.supervisor)
        assert len([ln.item.no for ln in detail.lines.all()]) == 50
    assert len(queries.captured_queries) <= 6, [q["sql"][:150] for q in queries.captured_queries]
