"""Helpers of the pick page tests: act as a worker or supervisor would, through the pages."""

from __future__ import annotations

import html as html_lib
import re
from typing import Any

from django.test import Client

from picking.models import Pick, PickLine, SourceDocument


def text(response: Any) -> str:
    """The page's HTML with entities decoded (messages contain quotes and apostrophes)."""
    return html_lib.unescape(response.content.decode())


def follow(client: Client, response: Any) -> str:
    """After a POST that redirects: the status is 302, the page it leads to is returned as text."""
    assert response.status_code == 302, text(response)[:3000]
    page = client.get(response["Location"])
    assert page.status_code == 200
    return text(page)


def create_pick(client: Client, document: SourceDocument) -> tuple[Pick, str]:
    """Press "Create Inventory Pick" on the source document page; the pick page is returned."""
    page = text(client.get(f"/source-documents/{document.pk}/"))
    assert f'action="/source-documents/{document.pk}/create-pick/"' in page
    response = client.post(f"/source-documents/{document.pk}/create-pick/")
    assert response.status_code == 302, text(response)[:2000]
    pick = Pick.objects.get(source_document=document, status__in=["open", "in_progress"])
    assert response["Location"] == f"/picks/{pick.pk}/"
    return pick, text(client.get(response["Location"]))


def lines_of(pick: Pick) -> list[PickLine]:
    return list(PickLine.objects.filter(pick=pick).select_related("bin", "item").order_by("line_no"))


def card(page: str, line: PickLine) -> str:
    """The card of one line on the pick page."""
    match = re.search(rf'<article[^>]*id="line-{line.pk}".*?</article>', page, flags=re.S)
    assert match, f"line {line.line_no} is not on the page"
    return match.group(0)


def line_url(line: PickLine, action: str = "") -> str:
    return f"/picks/{line.pick_id}/lines/{line.pk}/" + (f"{action}/" if action else "")


def set_qty(client: Client, line: PickLine, qty: Any) -> Any:
    return client.post(line_url(line), {"qty_to_handle": str(qty)})


def post_pick(client: Client, pick: Pick) -> str:
    """Open the confirmation page, then press Post; the pick page with the message is returned."""
    confirm = client.get(f"/picks/{pick.pk}/post/")
    assert confirm.status_code == 200 and "Post " in text(confirm)
    return follow(client, client.post(f"/picks/{pick.pk}/post/"))


def inputs(fragment: str) -> list[str]:
    """Names of the inputs in an HTML fragment."""
    return re.findall(r'<input[^>]*name="([^"]+)"', fragment)


def bin_code(line: PickLine) -> str:
    return line.bin.code if line.bin else ""
