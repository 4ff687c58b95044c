"""The printable pick list: walking order (bin, then line), Code 128 barcodes of the pick, bins, items and
numbers, a PDF download, and queries that do not grow with the lines."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from picking.barcodes import bars, modules
from picking.models import PickLine
from picking.tests.picks_pages.pages import text
from tests.clients import browser_for
from tests.world import World, make_pick, serials

pytestmark = pytest.mark.django_db


def test_code128_bars() -> None:
    pattern = modules("IPI000001")
    assert pattern.startswith("11010010000") and pattern.endswith("1100011101011")  # start B/C ... stop
    runs, width = bars("IPI000001")
    assert width == len(pattern) + 20 and runs[0] == (10, 2)
    assert sum(w for _, w in runs) == pattern.count("1")


def test_print_page_and_pdf(world: World) -> None:
    # given a pick with lines in B1 and A1 (line order: B1 first)
    world.receive(world.sn_wh, "B1", *serials(2, prefix="B", expiration=None))
    world.receive(world.sn_wh, "A1", *serials(2, prefix="A", expiration=None))
    pick = make_pick(world, (world.sn_wh, 4))
    client = browser_for(world.worker)
    # when the worker opens the printable list
    page = text(client.get(f"/picks/{pick.pk}/print/"))
    # then the lines come in walking order, each with the barcodes of the item and its serial number
    serial_order = re.findall(r"Serial ([AB]\d+)</span>", page)
    assert serial_order == sorted(serial_order) and serial_order[0].startswith("A")
    assert page.count('<svg class="barcode"') == 1 + 2 + 4 * 2  # pick, 2 bins, item + serial per line
    assert f'aria-label="{pick.no}"' in page and "css/print.css" in page
    # and the PDF is a download of a PDF
    pdf = client.get(f"/picks/{pick.pk}/pick-list.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and f"pick-{pick.no}.pdf" in pdf["Content-Disposition"]


def test_print_queries_do_not_grow_with_lines(world: World) -> None:
    world.receive(world.sn_wh, "A1", *serials(203, prefix="S", expiration=None))
    small, large = make_pick(world, (world.sn_wh, 3)), make_pick(world, (world.sn_wh, 200))
    assert PickLine.objects.filter(pick=large).count() == 200
    client = browser_for(world.worker)
    for url in ("/picks/{}/print/", "/picks/{}/pick-list.pdf"):
        client.get(url.format(small.pk))  # warm the session
        with CaptureQueriesContext(connection) as few:
            client.get(url.format(small.pk))
        with CaptureQueriesContext(connection) as many:
            client.get(url.format(large.pk))
        assert len(few) == len(many), url
