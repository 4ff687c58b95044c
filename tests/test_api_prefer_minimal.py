"""`Prefer: return=minimal` (RFC 7240) on the operations that answer many lines (docs/api.md, "Big
answers"): an ERP that only needs the outcome gets the document and the number of its lines, not the lines;
`GET` of the `Location` gives them. Without the header, or with another preference, nothing changes."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from core.api import prefers_minimal
from tests.world import build_world, serials
from tests.world import document as source_document

pytestmark = pytest.mark.django_db

MINIMAL: dict[str, Any] = {"HTTP_PREFER": "return=minimal"}


def _client(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _minimal(response: Any, status: int, count_key: str, count: int) -> dict[str, Any]:
    """The answer is minimal: no lines, their number, and the header saying so."""
    assert response.status_code == status, response.content
    body: dict[str, Any] = response.json()
    assert response["Preference-Applied"] == "return=minimal"
    assert body[count_key] == count
    assert "lines" not in body and "entries" not in body
    return body


def test_an_erp_runs_the_inventory_flow_with_minimal_answers_and_reads_the_lines_later() -> None:
    world = build_world()
    client = _client(world.supervisor)
    item = world.add_item("MIN-1", "SNWH")

    # receiving 5 serial numbers answers the document no. and 5 entries, not the entries
    body = {"location": "MAIN", "bin": "A1", "item": item.no, "entries": serials(5, "MN", None)}
    response = client.post("/api/v1/inventory/adjustments/", body, format="json", **MINIMAL)
    received = _minimal(response, 201, "entry_count", 5)
    assert list(received) == ["document_no", "entry_count"]
    ledger = client.get(response["Location"]).json()
    assert ledger["count"] == 5 and {e["document_no"] for e in ledger["results"]} == {received["document_no"]}

    # creating the pick answers the pick, its number of lines and what could not be picked
    doc = source_document(world, (item, 5), no="SO-MIN")
    response = client.post("/api/v1/picks/", {"source_document": doc.pk}, format="json", **MINIMAL)
    pick = _minimal(response, 201, "line_count", 5)
    assert pick["no"] and pick["status"] == "open" and pick["not_picked"] == []
    assert response["Location"] == f"/api/v1/picks/{pick['id']}/"

    # autofill answers the pick with its number of lines; GET gives the lines, all handled
    response = client.post(f"/api/v1/picks/{pick['id']}/autofill-qty-to-handle/", **MINIMAL)
    _minimal(response, 200, "line_count", 5)
    lines = client.get(f"/api/v1/picks/{pick['id']}/").json()["lines"]
    assert [line["qty_to_handle"] for line in lines] == ["1"] * 5

    # posting answers the posted pick and 5 lines; its Location has them
    response = client.post(f"/api/v1/picks/{pick['id']}/post/", **MINIMAL)
    posted = _minimal(response, 201, "line_count", 5)
    assert posted["pick_no"] == pick["no"]
    full = client.get(response["Location"]).json()
    assert full["no"] == posted["no"] and len(full["lines"]) == 5


def test_the_warehouse_flow_answers_minimal_too() -> None:
    world = build_world()
    client = _client(world.supervisor)
    warehouse = world.add_warehouse()
    world.receive(world.sn_wh, world.bin("W1", warehouse), *serials(3, "MW", None))
    doc = source_document(world, (world.sn_wh, 3), location=warehouse)
    gathered = {"location": warehouse.code, "source_documents": [doc.pk]}
    shipment = client.post("/api/v1/warehouse-shipments/", gathered, format="json").json()

    response = client.post(f"/api/v1/warehouse-shipments/{shipment['id']}/create-pick/", **MINIMAL)
    pick = _minimal(response, 201, "line_count", 6)  # a take and a place line per serial number
    assert pick["type"] == "warehouse_pick" and pick["not_picked"] == []
    _minimal(
        client.post(f"/api/v1/picks/{pick['id']}/autofill-qty-to-handle/", **MINIMAL), 200, "line_count", 6
    )
    registered = _minimal(
        client.post(f"/api/v1/picks/{pick['id']}/register/", **MINIMAL), 201, "line_count", 6
    )
    assert registered["pick_no"] == pick["no"]
    response = client.post(f"/api/v1/warehouse-shipments/{shipment['id']}/post/", **MINIMAL)
    posted = _minimal(response, 201, "line_count", 3)
    assert len(client.get(response["Location"]).json()["lines"]) == 3
    assert posted["shipment_no"] == shipment["no"]


@pytest.mark.parametrize(
    ("header", "minimal"),
    [
        ("return=minimal", True),
        ("Return = Minimal", True),
        ("respond-async, return=minimal; foo=bar", True),
        ("return=representation", False),
        ("return=minimalist", False),
        ("handling=lenient", False),
        ("", False),
    ],
)
def test_which_prefer_headers_ask_for_a_minimal_answer(header: str, minimal: bool) -> None:
    class Request:
        headers = {"Prefer": header} if header else {}

    assert prefers_minimal(Request()) is minimal  # type: ignore[arg-type]


def test_without_the_preference_the_answer_keeps_its_lines() -> None:
    world = build_world()
    client = _client(world.supervisor)
    item = world.add_item("MIN-2", "SNWH")
    body = {"location": "MAIN", "bin": "A1", "item": item.no, "entries": serials(2, "MR", None)}
    response = client.post(
        "/api/v1/inventory/adjustments/", body, format="json", HTTP_PREFER="return=representation"
    )
    assert response.status_code == 201
    assert "Preference-Applied" not in response
    assert len(response.json()["entries"]) == 2 and "entry_count" not in response.json()


def test_a_minimal_answer_reads_no_line_whatever_their_number() -> None:
    """The minimal answer counts the lines in the database: the same queries for 2 and 40 lines, and none
    of them reads a pick line's numbers."""
    world = build_world()
    client = _client(world.admin)

    def create_pick(count: int, tag: str) -> list[str]:
        item = world.add_item(f"MIN-{tag}", "SNWH")
        world.receive(item, "A1", *serials(count, tag, None))
        doc = source_document(world, (item, count), no=f"SO-{tag}")
        with CaptureQueriesContext(connection) as queries:
            response = client.post("/api/v1/picks/", {"source_document": doc.pk}, format="json", **MINIMAL)
        _minimal(response, 201, "line_count", count)
        return [q["sql"] for q in queries.captured_queries]

    create_pick(1, "W")  # warm caches (content types, permissions)
    small, large = create_pick(2, "S"), create_pick(40, "L")
    assert len(small) == len(large)
    answer = small[-2:]  # the header and the count, after the commit
    assert any("COUNT(" in sql.upper() for sql in answer), answer
