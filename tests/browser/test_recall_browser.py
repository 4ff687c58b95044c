"""A recall in a real browser on a phone-sized screen (Chromium, 390x844): the supervisor traces a lot
forward and backward, opens a recall for it, reads who received it and the stock left, prints the report;
the worker sees the held line with the reason on the pick; posting is refused with the reason; closing the
recall lets the pick post. Writes the user guide's screenshots when LOTPICK_SCREENSHOTS=1
(docs/user-guide/recall.md).
"""

from __future__ import annotations

from typing import Any

import pytest

from picking.models import PostedPick, Recall
from tests.acceptance.recall_world import LOT, REASON, build_recall_world
from tests.browser.helpers import log_in, log_out, shot
from tests.world import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_supervisor_traces_recalls_and_closes_and_the_worker_sees_the_held_line(
    live_server: Any, page: Any
) -> None:
    world = build_world()
    rw = build_recall_world(world)
    url = live_server.url

    # the supervisor traces the lot: forward (where it went), then backward (who received it)
    log_in(page, live_server, world.supervisor.username)
    page.goto(f"{url}/tracing/")
    page.fill("#t-item", "LOT-WH")
    page.fill("#t-lot", LOT)
    page.click("button:has-text('Trace')")
    page.wait_for_selector("[data-testid=trace]")
    assert page.locator(".trace-tree li[data-kind=receipt]").count() == 3
    page.locator("[data-testid=trace]").scroll_into_view_if_needed()
    shot(page, "recall-trace-forward")
    page.select_option("#t-direction", "backward")
    page.click("button:has-text('Trace')")
    page.wait_for_selector("[data-testid=trace]")
    partners = page.locator(".trace-tree > li > details > summary").all_inner_texts()
    assert sum("Alpha Foods" in p or "Bravo Market" in p or "Charlie Stores" in p for p in partners) == 3
    page.locator("[data-testid=trace]").scroll_into_view_if_needed()
    shot(page, "recall-trace-backward")

    # a recall for the lot, from the trace
    page.click("text=Recall this lot")
    page.wait_for_selector("#r-reason")
    assert page.input_value("#r-lots") == LOT
    page.fill("#r-reason", REASON)
    page.locator("#open-recall").scroll_into_view_if_needed()
    shot(page, "recall-open")
    page.click("button:has-text('Open recall')")
    page.wait_for_selector("[data-testid=recall-status]")
    recall = Recall.objects.get()
    assert "Open" in page.inner_text("[data-testid=recall-status]")
    shipped = page.inner_text("[data-testid=partners]")
    assert all(p in shipped for p in ("Alpha Foods", "Bravo Market", "Charlie Stores"))
    assert "W1" in page.inner_text("[data-testid=in-stock]")
    page.locator("[data-testid=recall-reason]").scroll_into_view_if_needed()
    shot(page, "recall-page")
    page.locator("[data-testid=shipped-to]").scroll_into_view_if_needed()
    shot(page, "recall-shipped-to")
    page.goto(f"{url}/recalls/{recall.pk}/print/")
    page.wait_for_selector("[data-testid=recall-report]")
    shot(page, "recall-report")
    log_out(page)

    # the worker sees why the line is held
    log_in(page, live_server, world.worker.username)
    page.goto(f"{url}/picks/{rw.open_pick.pk}/?done=1")
    hold = page.locator("[data-testid=recall-hold]")
    assert REASON in hold.inner_text() and recall.no in hold.inner_text()
    hold.scroll_into_view_if_needed()
    shot(page, "recall-held-line")
    log_out(page)

    # posting is refused with the recall's reason; closing the recall lets it post
    log_in(page, live_server, world.supervisor.username)
    page.goto(f"{url}/picks/{rw.open_pick.pk}/post/")
    page.click("button:has-text('Post')")
    page.wait_for_selector(".message-error")
    assert REASON in page.inner_text(".message-error")
    shot(page, "recall-post-refused")
    page.goto(f"{url}/recalls/{recall.pk}/")
    page.click("[data-testid=close-recall]")
    page.wait_for_selector("text=is closed")
    assert "Closed" in page.inner_text("[data-testid=recall-status]")
    page.goto(f"{url}/picks/{rw.open_pick.pk}/post/")
    page.click("button:has-text('Post')")
    page.wait_for_load_state()
    assert PostedPick.objects.filter(pick=rw.open_pick).exists()
