"""Assigning picks: when creating them (one, or a batch; API and pages), "Next pick" for a worker, and
"My picks" without the completed ones."""

from __future__ import annotations

from typing import Any

import pytest

from core.exceptions import Conflict, InvalidInput
from core.models import Job
from picking.models import Pick
from picking.services.pick_assign import pick_take_next
from picking.services.pick_create import pick_create_from_source
from tests.clients import api_client_for, browser_for, ok, problem
from tests.world import World, document, make_pick, ship

pytestmark = pytest.mark.django_db


def test_a_pick_is_assigned_when_it_is_created(world: World) -> None:
    world.receive(world.plain, "A1", {"quantity": 10})
    # through the API
    doc = document(world, (world.plain, 1))
    body = ok(
        api_client_for(world.supervisor).post(
            "/api/v1/picks/", {"source_document": doc.pk, "assigned_to": "worker-main"}, format="json"
        ),
        201,
    )
    assert body["assigned_to"] == "worker-main"
    # through the source document page
    doc2 = document(world, (world.plain, 1))
    page = browser_for(world.supervisor)
    assert 'name="assigned_to"' in page.get(f"/source-documents/{doc2.pk}/").content.decode()
    response = page.post(f"/source-documents/{doc2.pk}/create-pick/", {"assigned_to": "worker-main"})
    assert response.status_code == 302
    assert Pick.objects.get(source_document=doc2).assigned_to == world.worker
    # someone who does not work at the location: refused, nothing created
    doc3 = document(world, (world.plain, 1))
    with pytest.raises(InvalidInput) as refused:
        pick_create_from_source(source_document_id=doc3.pk, user=world.supervisor, assigned_to="sup-east")
    assert refused.value.errors[0]["code"] == "not_an_employee"
    assert not Pick.objects.filter(source_document=doc3).exists()


def test_a_batch_assigns_its_picks_and_says_what_happened(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    # given two orders that can be picked and one that cannot
    world.receive(world.plain, "A1", {"quantity": 3})
    for no, qty in (("SO-B1", 1), ("SO-B2", 2), ("SO-B3", 5)):
        document(world, (world.plain, qty), no=no)
    client = browser_for(world.supervisor)
    # when the supervisor creates the picks for the worker on the page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/picks/create/",
            {"location": "MAIN", "no_from": "SO-B1", "no_to": "SO-B3", "assigned_to": "worker-main"},
        )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    # then the job page says it finished, what it made, with links to the picks
    assert "Finished:</strong> 2 picks created, 1 document had nothing to pick" in page
    assert "has started" not in page
    for pick in Pick.objects.all():
        assert f'href="/picks/{pick.pk}/">{pick.no}</a>' in page
        assert pick.assigned_to == world.worker
    assert Job.objects.get().result["nothing_to_pick"] == 1
    # and through the API, an unknown assignee is refused before anything runs
    bad = api_client_for(world.supervisor).post(
        "/api/v1/picks/batch/", {"location": "MAIN", "assigned_to": "nobody"}, format="json"
    )
    problem(bad, 400, "invalid")
    assert Job.objects.count() == 1


def test_next_pick_takes_the_oldest_unassigned_pick_at_the_workers_location(world: World) -> None:
    world.receive(world.plain, "A1", {"quantity": 10})
    world.receive(world.plain, world.e1, {"quantity": 10})
    older, newer = make_pick(world, (world.plain, 1)), make_pick(world, (world.plain, 1))
    east = pick_create_from_source(
        source_document_id=document(world, (world.plain, 1), location=world.east).pk, user=world.admin
    ).pick
    assert east is not None
    Pick.objects.filter(pk=older.pk).update(assigned_to=world.supervisor)  # already someone's
    # when the worker presses Next pick (the API)
    body = ok(api_client_for(world.worker).post("/api/v1/picks/next/", {}, format="json"))
    # then the oldest unassigned pick at MAIN is theirs
    assert (body["id"], body["assigned_to"]) == (newer.pk, "worker-main")
    # when nothing is left at their location: 409 no_pick_waiting (the EAST pick is not theirs to take)
    problem(
        api_client_for(world.worker).post("/api/v1/picks/next/", {}, format="json"), 409, "no_pick_waiting"
    )
    with pytest.raises(Conflict):
        pick_take_next(user=world.worker)
    assert Pick.objects.get(pk=east.pk).assigned_to is None


def test_next_pick_on_the_pages_and_my_picks_without_completed_ones(world: World) -> None:
    world.receive(world.plain, "A1", {"quantity": 10})
    done = make_pick(world, (world.plain, 1))
    Pick.objects.filter(pk=done.pk).update(assigned_to=world.worker)
    ship(world, done)
    waiting = make_pick(world, (world.plain, 2))
    client = browser_for(world.worker)
    # the worker's home and My picks offer Next pick; My picks does not list the completed pick
    assert 'data-testid="next-pick"' in client.get("/").content.decode()
    mine = client.get("/picks/").content.decode()
    assert 'data-testid="next-pick"' in mine and done.no not in mine
    # when the worker presses Next pick
    response = client.post("/picks/next/")
    # then the pick page opens, the pick is theirs and now on My picks
    assert response["Location"] == f"/picks/{waiting.pk}/"
    assert waiting.no in client.get("/picks/").content.decode()
    # and with nothing left, the list says so
    again = client.post("/picks/next/", follow=True).content.decode()
    assert "No pick is waiting for a worker at your locations" in again
    # (the completed pick is still found under "All statuses")
    assert done.no in client.get("/picks/?assigned_to=me&status=").content.decode()
