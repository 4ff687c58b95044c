"""Refusals as pages (403 and 404 with the reason and the navigation, logged at INFO without a traceback),
no link a user cannot follow, and the wording of the pick pages."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory

from core.views import permission_denied
from picking.models import Pick, PickLine
from picking.services.pick_line_update import pick_line_update
from picking.tests.picks_pages.pages import text
from tests.clients import browser_for
from tests.world import EXP_EARLY, World, document, make_pick, pick_from, ship

pytestmark = pytest.mark.django_db


def test_refusals_are_pages_with_the_reason_logged_at_info(world: World, caplog: Any) -> None:
    world.receive(world.plain, "A1", {"quantity": 5})
    pick = make_pick(world, (world.plain, 2))
    worker = browser_for(world.worker)
    caplog.set_level(logging.INFO, logger="django.request")
    # a worker opening the post confirmation: 403 with the reason, the navigation, no traceback
    response = worker.get(f"/picks/{pick.pk}/post/")
    page = text(response)
    assert response.status_code == 403
    assert "You are not allowed to post picks." in page and 'class="mainnav"' in page
    # a pick that does not exist: 404 with the reason
    missing = worker.get("/picks/999999/")
    assert missing.status_code == 404
    assert "There is no pick #999999, or it is not at a location you work at." in text(missing)
    # a page that does not exist: 404 with a plain reason
    assert "There is no such page" in text(worker.get("/no-such-page/"))
    refusals = [r for r in caplog.records if r.name == "django.request"]
    assert refusals and all(r.levelno == logging.INFO and r.exc_info is None for r in refusals)
    # the role decides the default reason: a supervisor is never told to ask a supervisor
    request = RequestFactory().get("/somewhere/")
    request.user = world.supervisor
    refused = text(permission_denied(request, PermissionDenied()))
    assert "An administrator can give you the permission" in refused and "ask a supervisor" not in refused
    request.user = world.worker
    assert "If you need it, ask a supervisor." in text(permission_denied(request, PermissionDenied()))


def test_no_link_on_the_pages_is_one_the_user_cannot_follow(world: World) -> None:
    # given a pick, a posted pick and a source document at MAIN
    world.receive(world.plain, "A1", {"quantity": 10})
    ship(world, make_pick(world, (world.plain, 1)))
    pick = make_pick(world, (world.plain, 2))
    for user in (world.worker, world.supervisor):
        client = browser_for(user)
        seen: set[str] = set()
        todo = ["/", "/picks/", f"/picks/{pick.pk}/", "/posted-picks/", "/source-documents/"]
        # when every link of these pages (and of the pages they lead to) is followed
        while todo and len(seen) < 80:
            url = todo.pop(0)
            if url in seen:
                continue
            seen.add(url)
            response = client.get(url)
            # then none is refused or missing
            assert response.status_code == 200, (user.username, url, response.status_code)
            if "html" in response["Content-Type"] and url.count("/") < 5:
                for href in re.findall(r'href="(/[^"#]*)"', response.content.decode()):
                    if not href.startswith(("/static/", "/logout", "/api/")) and href not in seen:
                        todo.append(href.replace("&amp;", "&"))
        # and the worker's home offers no Django admin
        home = text(client.get("/"))
        assert ("Django admin" in home) is bool(user.is_staff)


def test_deleting_a_pick_says_what_went_back(world: World) -> None:
    world.receive(world.plain, "A1", {"quantity": 10})
    done = make_pick(world, (world.plain, 1))
    ship(world, done)
    supervisor = browser_for(world.supervisor)
    confirm = text(supervisor.get(f"/picks/{done.pk}/delete/"))
    assert (
        "no quantity goes back to the source document" in confirm
        and "goes back to the source document, to be" not in confirm
    )
    page = text(supervisor.post(f"/picks/{done.pk}/delete/", follow=True))
    assert "nothing of it was outstanding, so nothing went back" in page


def test_post_handled_and_delete_the_rest_lists_only_what_goes_back(world: World) -> None:
    world.receive(world.plain, "A1", {"quantity": 10})
    world.receive(world.plain, "B1", {"quantity": 10})
    pick = make_pick(world, (world.plain, 3), (world.plain, 12))
    a_line, b_line = PickLine.objects.filter(pick=pick).order_by("line_no")[:2]
    pick_line_update(pick_line_id=a_line.pk, qty_to_handle="3", user=world.worker)  # ships whole
    pick_line_update(pick_line_id=b_line.pk, qty_to_handle="4", user=world.worker)  # 4 ship, rest back
    page = text(browser_for(world.supervisor).get(f"/picks/{pick.pk}/post-and-delete-rest/"))
    going_back = re.search(r'data-testid="to-delete">(.*?)</ul>', page, flags=re.S)
    assert going_back is not None
    assert f"Line {a_line.line_no}:" not in going_back.group(1)
    assert f"Line {b_line.line_no}: {b_line.quantity - 4:f}".rstrip("0").rstrip(".") in going_back.group(1)


def test_select_entries_says_numbers_on_other_picks_are_not_available(world: World) -> None:
    world.receive(world.lot_spec, "A1", {"quantity": 2, "lot_no": "L-1", "expiration_date": EXP_EARLY})
    held = document(world, (world.lot_spec, 2, {"tracking": [("", "L-1", 2)]}))
    pick_from(world, held)
    doc = document(world, (world.lot_spec, 1))
    line = doc.lines.get()
    page = text(
        browser_for(world.supervisor).get(f"/source-documents/{doc.pk}/lines/{line.line_no}/tracking/")
    )
    assert "On other picks (2)" in page
    assert Pick.objects.count() == 1
