"""Pages for supervisors: list, document, Item Tracking Lines (actions and the locked, read-only page)."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from django.test import Client

from picking.models import ItemTrackingLine, SourceDocument
from picking.services.source_document_create import source_document_create
from tests.clients import browser_for
from tests.world import World, order, put_on_pick

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(stocked_world: World) -> Client:
    return browser_for(stocked_world.supervisor)


def make(world: World, no: str, *lines: dict[str, Any], location: str = "MAIN") -> SourceDocument:
    return source_document_create(data=order(no, *lines, location=location), user=world.admin)


def tracking_url(document: SourceDocument, line_no: int = 10000) -> str:
    return f"/source-documents/{document.pk}/lines/{line_no}/tracking/"


def post_forms(html: str) -> list[str]:
    """The POST forms of the page, except logging out."""
    forms = re.findall(r"<form[^>]*method=\"post\"[^>]*>.*?</form>", html, flags=re.S)
    return [f for f in forms if "logout" not in f and "language-switch" not in f]


def test_list_with_filters_and_search(stocked_world: World, client: Client) -> None:
    make(stocked_world, "SO-100", {"line_no": 1, "item": "PLAIN", "quantity": 1})
    make(stocked_world, "SO-200", {"line_no": 1, "item": "PLAIN", "quantity": 1})
    make(stocked_world, "SO-300", {"line_no": 1, "item": "PLAIN", "quantity": 1}, location="EAST")
    page = client.get("/source-documents/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "SO-100" in html and "SO-200" in html and "SO-300" not in html
    html = client.get("/source-documents/", {"q": "200"}).content.decode()
    assert "SO-200" in html and "SO-100" not in html
    html = client.get("/source-documents/", {"type": "outbound_transfer"}).content.decode()
    assert "No source documents match" in html
    assert 'href="/source-documents/import/"' in html


def test_document_page_shows_lines_and_links_to_item_tracking(stocked_world: World, client: Client) -> None:
    document = make(
        stocked_world,
        "SO-1",
        {"line_no": 10000, "item": "SN-SPEC", "quantity": 2, "tracking": [{"serial_no": "SN-001"}]},
        {"line_no": 20000, "item": "PLAIN", "quantity": 5},
    )
    html = client.get(f"/source-documents/{document.pk}/").content.decode()
    assert "Sales order SO-1" in html and "SN-SPEC" in html and "PLAIN" in html
    assert tracking_url(document, 10000) in html and tracking_url(document, 20000) in html
    east = make(stocked_world, "SO-2", {"line_no": 1, "item": "PLAIN", "quantity": 1}, location="EAST")
    assert client.get(f"/source-documents/{east.pk}/").status_code == 404
    assert client.get(tracking_url(east, 1)).status_code == 404


def test_item_tracking_page_header_totals_and_select_entries(stocked_world: World, client: Client) -> None:
    document = make(
        stocked_world,
        "SO-1",
        {"line_no": 10000, "item": "SN-SPEC", "quantity": 3, "tracking": [{"serial_no": "SN-001"}]},
    )
    html = client.get(tracking_url(document)).content.decode()
    assert re.search(r'id="source-quantity">3<', html)
    assert re.search(r'id="tracked-quantity">1<', html)
    assert re.search(r'id="undefined-quantity">2<', html)
    # the available numbers are offered, without the one already on the line
    assert "Select Entries" in html and "SN-002" in html and "2030-01-31" in html
    assert 'value="SN-001"' not in html
    # when the supervisor selects two of them
    rows = dict(re.findall(r'name="sel_serial_(\d+)" value="([^"]*)"', html))
    chosen = [i for i, serial in rows.items() if serial in ("SN-002", "SN-004")]
    data: dict[str, Any] = {"action": "select", "sel": chosen}
    for i in chosen:
        data.update({f"sel_serial_{i}": rows[i], f"sel_lot_{i}": "", f"sel_qty_{i}": "1"})
    response = client.post(tracking_url(document), data)
    assert response.status_code == 302
    line = document.lines.get()
    assert sorted(line.tracking_lines.values_list("serial_no", flat=True)) == ["SN-001", "SN-002", "SN-004"]


def test_assign_serial_and_lot_numbers_and_errors_next_to_the_form(
    stocked_world: World, client: Client
) -> None:
    document = make(
        stocked_world,
        "SO-1",
        {"line_no": 10000, "item": "SN-OUT", "quantity": 2},
        {"line_no": 20000, "item": "LOT-OUT", "quantity": 4},
    )
    html = client.get(tracking_url(document)).content.decode()
    assert "Assign Serial No." in html and "Assign Lot No." not in html and "Select Entries" not in html
    assert (
        client.post(tracking_url(document), {"action": "assign_serial", "quantity": "2"}).status_code == 302
    )
    assert sorted(document.lines.get(line_no=10000).tracking_lines.values_list("serial_no", flat=True)) == [
        "SO-0001",
        "SO-0002",
    ]
    # too many: the page answers with the reason, nothing changes
    response = client.post(tracking_url(document), {"action": "assign_serial", "quantity": "1"})
    assert response.status_code == 400 and "are without numbers" in response.content.decode()
    assert (
        client.post(tracking_url(document, 20000), {"action": "assign_lot", "quantity": ""}).status_code
        == 302
    )
    assert list(document.lines.get(line_no=20000).tracking_lines.values_list("lot_no", "quantity")) == [
        ("LO-2026-001", 4)
    ]


def test_add_change_and_delete_tracking_lines(stocked_world: World, client: Client) -> None:
    document = make(stocked_world, "SO-1", {"line_no": 10000, "item": "LOT-SPEC", "quantity": 6})
    url = tracking_url(document)
    assert client.post(url, {"action": "add", "lot_no": "L-A", "quantity": "4"}).status_code == 302
    tracking = ItemTrackingLine.objects.get()
    assert (tracking.lot_no, tracking.quantity) == ("L-A", 4)
    # a lot that is blocked is refused, the reason is shown
    response = client.post(url, {"action": "add", "lot_no": "L-B", "quantity": "1"})
    assert response.status_code == 409 and "blocked" in response.content.decode()
    # change the quantity above the line quantity: refused next to the line
    response = client.post(url, {"action": "update", "tracking_line": tracking.pk, "quantity": "7"})
    assert response.status_code == 400
    assert "The numbers add up to 7, more than the line's quantity 6." in unescape(response.content.decode())
    assert (
        client.post(url, {"action": "update", "tracking_line": tracking.pk, "quantity": "5"}).status_code
        == 302
    )
    assert ItemTrackingLine.objects.get().quantity == 5
    # the line quantity cannot go below the tracked quantity
    response = client.post(url, {"action": "line_quantity", "quantity": "4"})
    assert response.status_code == 409 and "cannot go below 5" in response.content.decode()
    assert client.post(url, {"action": "delete", "tracking_line": tracking.pk}).status_code == 302
    assert not ItemTrackingLine.objects.exists()


def test_locked_page_is_read_only_and_says_which_pick(stocked_world: World, client: Client) -> None:
    # given an order with prescribed numbers on a pick
    document = make(
        stocked_world,
        "SO-1",
        {
            "line_no": 10000,
            "item": "SN-SPEC",
            "quantity": 2,
            "tracking": [{"serial_no": "SN-001"}, {"serial_no": "SN-002"}],
        },
    )
    line = document.lines.get()
    before = client.get(tracking_url(document)).content.decode()
    assert post_forms(before)  # unlocked: there are forms (proves the check below can fail)
    put_on_pick(line, pick_no="IPI000099", serial_no="SN-001")
    # when the supervisor opens the Item Tracking Lines page
    response = client.get(tracking_url(document))
    html = response.content.decode()
    # then it is read-only, says why, and offers no form or button that could change a number
    assert response.status_code == 200
    assert "Read-only" in html and "IPI000099" in html
    assert post_forms(html) == []
    assert 'name="action"' not in html and "Assign Serial No." not in html and "Delete</button>" not in html
    assert "SN-001" in html and "SN-002" in html
    # and a crafted POST changes nothing
    tracking = ItemTrackingLine.objects.filter(source_line=line).first()
    assert tracking is not None
    response = client.post(tracking_url(document), {"action": "delete", "tracking_line": tracking.pk})
    assert response.status_code == 409 and "IPI000099" in response.content.decode()
    assert ItemTrackingLine.objects.filter(source_line=line).count() == 2


def test_workers_see_but_cannot_change(stocked_world: World) -> None:
    worker = stocked_world.worker
    document = make(stocked_world, "SO-1", {"line_no": 10000, "item": "SN-OUT", "quantity": 1})
    client = Client()
    client.force_login(worker)
    html = client.get(tracking_url(document)).content.decode()
    assert "Read-only" in html and post_forms(html) == []
    assert (
        client.post(tracking_url(document), {"action": "assign_serial", "quantity": "1"}).status_code == 403
    )
    assert client.get("/source-documents/import/").status_code == 403


def test_select_entries_of_lots_proposes_at_most_the_undefined_quantity(
    stocked_world: World, client: Client
) -> None:
    # given a line of 6 without numbers; lot L-A has 10 in A1 and 4 in B1, L-C 3, L-B is blocked
    document = make(stocked_world, "SO-1", {"line_no": 10000, "item": "LOT-SPEC", "quantity": 6})
    html = client.get(tracking_url(document)).content.decode()
    rows = {
        index: (lot, qty)
        for index, lot, qty in re.findall(
            r'name="sel_lot_(\d+)" value="([^"]*)">.*?(?:name="sel_qty_\1"[^>]*value="([^"]*)"|\u2013)',
            html,
            flags=re.S,
        )
    }
    # then each available lot is proposed with at most 6, the blocked lot cannot be selected
    assert sorted(rows.values()) == [("L-A", "4"), ("L-A", "6"), ("L-B", ""), ("L-C", "3")]
    blocked = next(i for i, (lot, _) in rows.items() if lot == "L-B")
    assert f'name="sel" value="{blocked}"' not in html
    # when the supervisor selects L-A from both bins, 4 and 2
    a1, b1 = (i for i, (lot, _) in sorted(rows.items()) if lot == "L-A")
    data = {
        "action": "select",
        "sel": [a1, b1],
        f"sel_lot_{a1}": "L-A",
        f"sel_qty_{a1}": "4",
        f"sel_lot_{b1}": "L-A",
        f"sel_qty_{b1}": "2",
    }
    assert client.post(tracking_url(document), data).status_code == 302
    # then the line has one tracking line of lot L-A for 6
    assert list(ItemTrackingLine.objects.values_list("lot_no", "quantity")) == [("L-A", 6)]


def test_two_supervisors_on_one_page_never_overwrite_each_other(stocked_world: World, client: Client) -> None:
    # given two supervisors with the Item Tracking Lines page of one line of 8 open, no numbers yet
    document = make(stocked_world, "SO-1", {"line_no": 10000, "item": "LOT-SPEC", "quantity": 8})
    url = tracking_url(document)
    other = stocked_world.add_user("sup-main-2", "supervisor", stocked_world.location)
    second = Client()
    second.force_login(other)
    assert client.get(url).status_code == 200 and second.get(url).status_code == 200
    # when both add a different number from the page they loaded
    assert client.post(url, {"action": "add", "lot_no": "L-A", "quantity": "4"}).status_code == 302
    assert second.post(url, {"action": "add", "lot_no": "L-C", "quantity": "2"}).status_code == 302
    # then both are kept
    assert sorted(ItemTrackingLine.objects.values_list("lot_no", "quantity")) == [("L-A", 4), ("L-C", 2)]
    # each row's forms carry the quantity the supervisor sees
    row = ItemTrackingLine.objects.get(lot_no="L-A")
    page = client.get(url).content.decode()
    row_html = re.search(rf'<tr id="tracking-line-{row.pk}">.*?</tr>', page, flags=re.S)
    assert row_html is not None and row_html.group(0).count('name="seen_quantity" value="4"') == 2
    # when B changes L-A to 3, then A changes it to 6 from the page that still shows 4
    form = {"action": "update", "tracking_line": row.pk, "seen_quantity": "4"}
    assert second.post(url, {**form, "quantity": "3"}).status_code == 302
    response = client.post(url, {**form, "quantity": "6"})
    # then A is told, sees the current lines, and B's change stays
    html = unescape(response.content.decode())
    assert response.status_code == 409
    assert "changed by someone else meanwhile: the page shows the current lines, nothing was changed" in html
    assert re.search(r'id="tracked-quantity">5<', html)
    assert ItemTrackingLine.objects.get(pk=row.pk).quantity == 3
    # and deleting it from A's stale page is refused the same way
    response = client.post(url, {"action": "delete", "tracking_line": row.pk, "seen_quantity": "4"})
    assert response.status_code == 409 and ItemTrackingLine.objects.filter(pk=row.pk).exists()
    # a stale line quantity too: A saw 8, B set 9, A's 7 is refused
    assert (
        second.post(url, {"action": "line_quantity", "quantity": "9", "seen_quantity": "8"}).status_code
        == 302
    )
    response = client.post(url, {"action": "line_quantity", "quantity": "7", "seen_quantity": "8"})
    assert response.status_code == 409 and document.lines.get().quantity == 9
