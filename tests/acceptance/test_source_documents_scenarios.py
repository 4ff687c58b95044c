"""Scenarios through the REST API: an ERP pushes source documents, with and without prescribed numbers."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from picking.models import ItemTrackingLine, SourceDocument
from tests.clients import api_client_for
from tests.world import World, order

pytestmark = pytest.mark.django_db

URL = "/api/v1/source-documents/"


@pytest.fixture
def erp(stocked_world: World, integration_user: Any) -> APIClient:
    return api_client_for(integration_user)


def test_an_order_with_prescribed_lots_and_serials(erp: APIClient) -> None:
    # given a sales order where the customer asked for two serial numbers and a lot
    body = order(
        "SO-1001",
        {
            "line_no": 10000,
            "item": "SN-SPEC",
            "quantity": 2,
            "tracking": [{"serial_no": "SN-001"}, {"serial_no": "SN-002", "quantity": "1"}],
        },
        {
            "line_no": 20000,
            "item": "LOT-SPEC",
            "quantity": "4.5",
            "bin": "A1",
            "tracking": [{"lot_no": "L-C", "quantity": 3}],
        },
    )
    # when the ERP posts it
    response = erp.post(URL, body, format="json")
    # then it is created with the numbers, their expiration dates from stock, and its address
    assert response.status_code == 201, response.json()
    data = response.json()
    assert response["Location"] == f"/api/v1/source-documents/{data['id']}/"
    assert data["type"] == "sales_order" and data["no"] == "SO-1001" and data["location"] == "MAIN"
    first, second = data["lines"]
    assert first["quantity"] == "2" and first["qty_outstanding"] == "2" and first["qty_on_picks"] == "0"
    assert [
        (t["serial_no"], t["quantity"], t["expiration_date"], t["origin"]) for t in first["tracking"]
    ] == [
        ("SN-001", "1", "2030-01-31", "source"),
        ("SN-002", "1", "2030-01-31", "source"),
    ]
    assert second["bin"] == "A1" and second["quantity"] == "4.5" and second["qty_tracked"] == "3"
    assert second["tracking"] == [
        {
            "serial_no": "",
            "lot_no": "L-C",
            "expiration_date": "2030-06-30",
            "quantity": "3",
            "qty_handled": "0",
            "origin": "source",
        }
    ]
    # and reading it back gives the same document
    assert erp.get(response["Location"]).json() == data


def test_an_order_without_numbers(erp: APIClient) -> None:
    body = order(
        "SO-1002",
        {"line_no": 10000, "item": "SN-OUT", "quantity": 3},
        {"line_no": 20000, "item": "PLAIN", "quantity": 1},
    )
    response = erp.post(URL, body, format="json")
    assert response.status_code == 201
    assert [line["tracking"] for line in response.json()["lines"]] == [[], []]


def test_an_order_with_a_serial_not_in_stock_is_refused_and_nothing_is_created(erp: APIClient) -> None:
    body = order(
        "SO-1003",
        {
            "line_no": 10000,
            "item": "SN-SPEC",
            "quantity": 2,
            "tracking": [{"serial_no": "SN-001"}, {"serial_no": "SN-777"}],
        },
    )
    response = erp.post(URL, body, format="json")
    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "serial_not_available"
    assert problem["errors"] == [
        {
            "field": "lines[0].tracking[1].serial_no",
            "code": "serial_not_available",
            "detail": "Serial number SN-777 of item SN-SPEC is not in stock at location MAIN. Check the "
            "number, or choose one that is in stock.",
        }
    ]
    assert "Nothing was saved" in problem["detail"]
    assert not SourceDocument.objects.exists() and not ItemTrackingLine.objects.exists()


def test_an_order_with_duplicate_numbers_is_refused(erp: APIClient) -> None:
    body = order(
        "SO-1004",
        {"line_no": 10000, "item": "SN-SPEC", "quantity": 1, "tracking": [{"serial_no": "SN-003"}]},
        {
            "line_no": 20000,
            "item": "SN-SPEC",
            "quantity": 2,
            "tracking": [{"serial_no": "SN-004"}, {"serial_no": "SN-003"}],
        },
        {
            "line_no": 30000,
            "item": "LOT-SPEC",
            "quantity": 2,
            "tracking": [{"lot_no": "L-A", "quantity": 1}, {"lot_no": "L-A", "quantity": 1}],
        },
    )
    response = erp.post(URL, body, format="json")
    assert response.status_code == 400
    problem = response.json()
    assert problem["code"] == "invalid"
    assert [(e["field"], e["code"]) for e in problem["errors"]] == [
        ("lines[1].tracking[1].serial_no", "duplicate_serial"),
        ("lines[2].tracking[1]", "duplicate_number"),
    ]
    assert not SourceDocument.objects.exists()


def test_an_order_with_a_tracked_quantity_above_the_line_quantity_is_refused(erp: APIClient) -> None:
    body = order(
        "SO-1005",
        {"line_no": 10000, "item": "LOT-SPEC", "quantity": 2, "tracking": [{"lot_no": "L-A", "quantity": 3}]},
    )
    response = erp.post(URL, body, format="json")
    assert response.status_code == 400
    problem = response.json()
    assert [(e["field"], e["code"]) for e in problem["errors"]] == [
        ("lines[0].tracking", "tracking_exceeds_quantity")
    ]
    assert problem["errors"][0]["detail"] == (
        "Line 10000 (item LOT-SPEC): The numbers add up to 3, more than the line's quantity 2."
    )
    assert not SourceDocument.objects.exists()


def test_a_repeated_type_and_no_gets_409_duplicate_document(erp: APIClient) -> None:
    body = order("SO-1006", {"line_no": 10000, "item": "PLAIN", "quantity": 1})
    assert erp.post(URL, body, format="json").status_code == 201
    body["lines"][0]["quantity"] = 2
    response = erp.post(URL, body, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate_document"
    assert SourceDocument.objects.count() == 1


def test_an_idempotency_key_replay_returns_the_first_response_and_creates_nothing(erp: APIClient) -> None:
    body = order(
        "SO-1007", {"line_no": 10000, "item": "SN-SPEC", "quantity": 1, "tracking": [{"serial_no": "SN-005"}]}
    )
    first = erp.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="erp-42")
    again = erp.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="erp-42")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Location"] == first["Location"] and again["Idempotency-Replayed"] == "true"
    assert SourceDocument.objects.count() == 1 and ItemTrackingLine.objects.count() == 1


def test_an_idempotency_key_reused_with_another_body_gets_422(erp: APIClient) -> None:
    body = order("SO-1008", {"line_no": 10000, "item": "PLAIN", "quantity": 1})
    assert erp.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="erp-43").status_code == 201
    other = order("SO-1009", {"line_no": 10000, "item": "PLAIN", "quantity": 1})
    response = erp.post(URL, other, format="json", HTTP_IDEMPOTENCY_KEY="erp-43")
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert list(SourceDocument.objects.values_list("no", flat=True)) == ["SO-1008"]


def test_a_refused_request_can_be_retried_with_the_same_key(erp: APIClient) -> None:
    body = order("SO-1010", {"line_no": 10000, "item": "NOPE", "quantity": 1})
    assert erp.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="erp-44").status_code == 400
    body["lines"][0]["item"] = "PLAIN"
    assert erp.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="erp-44").status_code == 201
