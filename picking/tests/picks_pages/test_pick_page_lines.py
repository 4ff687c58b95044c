"""The pick page's lines: walking order (bin, then line), done lines folded away for workers, the search,
the progress, and "Show more lines" (htmx part and plain link)."""

from __future__ import annotations

import re

import pytest

from picking.models import PickLine
from picking.tests.picks_pages.pages import text
from tests.clients import browser_for
from tests.world import World, make_pick, serials

pytestmark = pytest.mark.django_db


def line_nos(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'data-line-no="(\d+)"', page)]


def test_walking_order_folding_search_and_more(world: World) -> None:
    # given a pick whose lines are in B1 (lines 10000..) and A1 (later lines): 30 serial numbers
    world.receive(world.sn_wh, "B1", *serials(20, prefix="B", expiration=None))
    world.receive(world.sn_wh, "A1", *serials(10, prefix="A", expiration=None))
    pick = make_pick(world, (world.sn_wh, 30))
    lines = list(PickLine.objects.filter(pick=pick).select_related("bin").order_by("line_no"))
    walking = [ln.line_no for ln in sorted(lines, key=lambda ln: (ln.bin.code if ln.bin else "", ln.line_no))]
    assert walking != [ln.line_no for ln in lines]  # line order is not walking order here
    # one line is done (its whole quantity to handle)
    done = lines[0]
    PickLine.objects.filter(pk=done.pk).update(qty_to_handle=1)
    worker, supervisor = browser_for(world.worker), browser_for(world.supervisor)
    # the worker sees the first 25 open lines in walking order, the done line folded away, the progress
    page = text(worker.get(f"/picks/{pick.pk}/"))
    assert line_nos(page) == [n for n in walking if n != done.line_no][:25]
    assert "1 of 30 picked" in page
    more = re.search(r'hx-get="([^"]+)"[^>]*data-testid="more-lines"', page)
    assert more is not None
    # "Show more lines" brings the rest (the htmx part of the page)
    rest = text(worker.get(more.group(1).replace("&amp;", "&")))
    assert line_nos(rest) == [n for n in walking if n != done.line_no][25:]
    assert "<html" not in rest and 'data-testid="more-lines"' not in rest
    # the supervisor sees the done line too
    assert done.line_no in line_nos(text(supervisor.get(f"/picks/{pick.pk}/")))
    # and the worker can show it, or find a line by its serial number, its bin or its line no.
    assert done.line_no in line_nos(text(worker.get(f"/picks/{pick.pk}/?done=1")))
    assert line_nos(text(worker.get(f"/picks/{pick.pk}/lines/?q=A00003&done=1"))) == [
        ln.line_no for ln in lines if ln.serial_no == "A00003"
    ]
    assert len(line_nos(text(worker.get(f"/picks/{pick.pk}/lines/?q=a1&done=1")))) == 10
    assert line_nos(text(worker.get(f"/picks/{pick.pk}/lines/?q={lines[5].line_no}&done=1"))) == [
        lines[5].line_no
    ]
    assert "No line matches" in text(worker.get(f"/picks/{pick.pk}/lines/?q=nothing-like-this"))
