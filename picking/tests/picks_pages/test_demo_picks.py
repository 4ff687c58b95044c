"""Demo data: one pick per outbound case, assigned to the demo worker, idempotent, and each pick page
renders for the worker (with the lock on the case 4 pick)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from picking.models import Pick
from picking.tests.picks_pages.pages import text
from tests.clients import browser_for

pytestmark = pytest.mark.django_db


def test_demo_has_one_pick_per_case_and_their_pages_render() -> None:
    # given the demo data loaded twice
    call_command("load_demo_data", stdout=io.StringIO())
    call_command("load_demo_data", stdout=io.StringIO())
    # then there is exactly one pick per demo order, assigned to the worker
    picks = {
        p.source_document.no: p
        for p in Pick.objects.select_related("source_document", "assigned_to")
        if p.source_document is not None
    }
    assert sorted(picks) == ["SO-DEMO-1", "SO-DEMO-2", "SO-DEMO-3", "SO-DEMO-4"]
    assert {p.assigned_to.username for p in picks.values() if p.assigned_to} == {"worker"}
    assert all(line.tracking_locked for line in picks["SO-DEMO-4"].lines.all())
    assert not any(line.tracking_locked for line in picks["SO-DEMO-1"].lines.all())
    # and the worker sees them under My picks, and each page renders
    worker = browser_for(picks["SO-DEMO-1"].assigned_to)
    listed = text(worker.get("/picks/"))
    for pick in picks.values():
        assert pick.no in listed
        page = text(worker.get(f"/picks/{pick.pk}/"))
        assert ('data-testid="lock"' in page) == (pick is picks["SO-DEMO-4"])
