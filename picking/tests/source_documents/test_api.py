"""REST API of source documents: list, filters, scoping, permissions, tracking PUT, import job."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from core.models import Job
from picking.models import SourceDocument
from picking.services.source_document_create import source_document_create
from tests.clients import api_client_for
from tests.world import World, order, put_on_pick

URL = "/api/v1/source-documents/"


def plain(no: str, quantity: int = 1, location: str = "MAIN", **extra: Any) -> dict[str, Any]:
    body = order(no, {"line_no": 10000, "item": "PLAIN", "quantity": quantity}, location=location)
    body.update(extra)
    return body


@pytest.mark.django_db
def test_list_filters_search_and_scoping(stocked_world: World) -> None:
    # given documents at MAIN and at EAST
    for body in (
        plain("SO-1", partner="Adatum"),
        plain("SO-2", partner="Fabrikam"),
        {**plain("TR-1", partner="East hub"), "type": "outbound_transfer"},
        plain("SO-3", location="EAST"),
    ):
        source_document_create(data=body, user=stocked_world.admin)
    supervisor = api_client_for(stocked_world.supervisor)
    # when the MAIN supervisor lists them, EAST is not there
    data = supervisor.get(URL).json()
    assert data["count"] == 3 and {d["no"] for d in data["results"]} == {"SO-1", "SO-2", "TR-1"}
    assert set(data) == {"count", "next", "previous", "results"}
    # filters and search
    assert [d["no"] for d in supervisor.get(URL, {"type": "outbound_transfer"}).json()["results"]] == ["TR-1"]
    assert [d["no"] for d in supervisor.get(URL, {"no": "SO-2"}).json()["results"]] == ["SO-2"]
    assert [d["no"] for d in supervisor.get(URL, {"search": "fabri"}).json()["results"]] == ["SO-2"]
    assert supervisor.get(URL, {"location": "EAST"}).json()["count"] == 0
    assert supervisor.get(URL, {"status": "shipped"}).json()["count"] == 0
    assert supervisor.get(URL, {"status": "open"}).json()["count"] == 3
    # and a document at EAST answers 404
    east = SourceDocument.objects.get(no="SO-3")
    response = supervisor.get(f"{URL}{east.pk}/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


@pytest.mark.django_db
def test_list_query_count_does_not_grow_with_documents_and_lines(stocked_world: World) -> None:
    erp = api_client_for(stocked_world.admin)

    def many(prefix: str, count: int, lines: int) -> None:
        for i in range(count):
            body = order(
                f"{prefix}-{i}",
                *[
                    {
                        "line_no": n + 1,
                        "item": "SN-OUT",
                        "quantity": 2,
                        "tracking": [{"serial_no": f"{prefix}{i}-{n}"}],
                    }
                    for n in range(lines)
                ],
            )
            source_document_create(data=body, user=stocked_world.admin)

    many("A", 2, 1)
    with CaptureQueriesContext(connection) as small:
        assert erp.get(URL).status_code == 200
    many("B", 10, 5)
    with CaptureQueriesContext(connection) as large:
        assert erp.get(URL).json()["count"] == 12
    assert len(large) == len(small)


@pytest.mark.django_db
def test_permissions(stocked_world: World) -> None:
    worker = stocked_world.worker
    document = source_document_create(data=plain("SO-1"), user=stocked_world.admin)
    client = api_client_for(worker)
    assert client.get(URL).json()["count"] == 1
    assert client.get(f"{URL}{document.pk}/").status_code == 200
    response = client.post(URL, plain("SO-2"), format="json")
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    response = client.put(f"{URL}{document.pk}/lines/10000/tracking/", {"tracking": []}, format="json")
    assert response.status_code == 403
    assert client.post(f"{URL}import/", [plain("SO-3")], format="json").status_code == 403
    assert APIClient().get(URL).status_code == 401
    # a supervisor may create at their location
    assert api_client_for(stocked_world.supervisor).post(URL, plain("SO-4"), format="json").status_code == 201


@pytest.mark.django_db
def test_put_tracking_replaces_numbers_and_is_locked_by_a_pick(stocked_world: World) -> None:
    document = source_document_create(
        data=order(
            "SO-1",
            {"line_no": 10000, "item": "SN-SPEC", "quantity": 2, "tracking": [{"serial_no": "SN-001"}]},
        ),
        user=stocked_world.admin,
    )
    client = api_client_for(stocked_world.supervisor)
    url = f"{URL}{document.pk}/lines/10000/tracking/"
    response = client.put(
        url, {"tracking": [{"serial_no": "SN-002"}, {"serial_no": "SN-003"}]}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert [t["serial_no"] for t in response.json()["tracking"]] == ["SN-002", "SN-003"]
    # bad numbers: 409 with the field, nothing changed
    response = client.put(url, {"tracking": [{"serial_no": "SN-404"}]}, format="json")
    assert response.status_code == 409 and response.json()["errors"][0]["field"] == "tracking[0].serial_no"
    response = client.put(url, {"tracking": [{"serial_no": "SN-002", "quantity": 2}]}, format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["code"] == "serial_quantity_not_one"
    # a body without the list is refused, nothing is removed
    bodies: list[Any] = [[{"serial_no": "SN-002"}], {"numbers": []}]
    for bad in bodies:
        response = client.put(url, bad, format="json")
        assert response.status_code == 400 and response.json()["errors"][0]["field"] == "tracking"
    assert document.lines.get().tracking_lines.count() == 2
    # unknown line: 404
    assert (
        client.put(f"{URL}{document.pk}/lines/99/tracking/", {"tracking": []}, format="json").status_code
        == 404
    )
    # while a pick is open: 409 tracking_locked naming the pick
    put_on_pick(document.lines.get(), pick_no="IPI000007", serial_no="SN-002")
    response = client.put(url, {"tracking": [{"serial_no": "SN-004"}]}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "tracking_locked" and "IPI000007" in response.json()["detail"]
    detail = client.get(f"{URL}{document.pk}/").json()
    assert [t["serial_no"] for t in detail["lines"][0]["tracking"]] == ["SN-002", "SN-003"]
    assert detail["lines"][0]["qty_on_picks"] == "1"


@pytest.mark.django_db
def test_import_creates_a_job_reports_bad_documents_and_continues(
    stocked_world: World, django_capture_on_commit_callbacks: Any
) -> None:
    client = api_client_for(stocked_world.supervisor)
    documents = [
        plain("IM-1"),
        order(
            "IM-2",
            {"line_no": 10000, "item": "SN-SPEC", "quantity": 1, "tracking": [{"serial_no": "SN-999"}]},
        ),
        plain("IM-3"),
        plain("IM-1"),  # repeated in the file
        "not a document",
        plain("IM-4", location="EAST"),  # not a location of this supervisor
    ]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{URL}import/", documents, format="json")
    assert response.status_code == 202, response.json()
    job_id = response.json()["job"]["id"]
    assert response["Location"] == f"/api/v1/jobs/{job_id}/"
    job = client.get(response["Location"]).json()
    assert job["status"] == "succeeded" and job["percent"] == 100
    assert (job["total"], job["processed"], job["succeeded"], job["failed"]) == (6, 6, 2, 4)
    assert [e["ref"] for e in job["errors"]] == [
        "sales_order IM-2",
        "sales_order IM-1",
        "#5",
        "sales_order IM-4",
    ]
    assert "SN-999" in job["errors"][0]["detail"]
    assert job["result"]["summary"] == "2 source documents created, 4 refused."
    assert sorted(SourceDocument.objects.values_list("no", flat=True)) == ["IM-1", "IM-3"]


@pytest.mark.django_db
def test_import_refuses_a_body_that_is_not_a_list(stocked_world: World) -> None:
    client = api_client_for(stocked_world.supervisor)
    response = client.post(f"{URL}import/", {"type": "sales_order"}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "invalid_import"
    assert client.post(f"{URL}import/", [], format="json").status_code == 400
    assert not Job.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_requests_with_one_key_create_one_document(stocked_world: World) -> None:
    # given two clients of the same ERP user sending the same request with one key at the same time
    user = stocked_world.admin
    body = order(
        "SO-RACE", {"line_no": 10000, "item": "SN-SPEC", "quantity": 1, "tracking": [{"serial_no": "SN-001"}]}
    )
    barrier = threading.Barrier(2)
    results: list[Any] = []

    def send() -> None:
        from django.db import connection as thread_connection

        client = api_client_for(user)
        barrier.wait()
        try:
            results.append(client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="race-1"))
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then both get the same 201 answer and exactly one document exists
    assert sorted(r.status_code for r in results) == [201, 201]
    assert results[0].json() == results[1].json()
    assert SourceDocument.objects.filter(no="SO-RACE").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_requests_with_one_type_and_no_create_one_document(stocked_world: World) -> None:
    barrier = threading.Barrier(2)
    results: list[Any] = []

    def send(key: str) -> None:
        from django.db import connection as thread_connection

        client = api_client_for(stocked_world.admin)
        barrier.wait()
        try:
            results.append(client.post(URL, plain("SO-TWICE"), format="json", HTTP_IDEMPOTENCY_KEY=key))
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=send, args=(f"k{i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.status_code for r in results) == [201, 409]
    assert [r.json()["code"] for r in results if r.status_code == 409] == ["duplicate_document"]
    assert SourceDocument.objects.filter(no="SO-TWICE").count() == 1


@pytest.mark.django_db
def test_import_accepts_a_body_larger_than_ordinary_requests(
    stocked_world: World, django_capture_on_commit_callbacks: Any
) -> None:
    # given an ERP file drop of 5 000 orders of 10 lines (3 MB: more than Django's 2.5 MB for ordinary bodies)
    lines = [{"line_no": n + 1, "item": "PLAIN", "quantity": 1} for n in range(10)]
    documents = [order(f"BIG-{i}", *lines) for i in range(5000)]
    client = api_client_for(stocked_world.admin)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(f"{URL}import/", documents, format="json")
    # then the job is accepted with every document (the task is queued after commit)
    assert response.status_code == 202, response.content[:300]
    assert response.json()["job"]["total"] == 5000 and len(callbacks) == 1
    # and a body that is not JSON is refused clearly
    response = client.post(f"{URL}import/", "[{", content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "parse_error"


@pytest.mark.django_db
def test_the_document_answered_from_rows_is_byte_for_byte_what_the_serializer_renders(
    stocked_world: World,
) -> None:
    """`POST` (201), `GET` and cancel answer `picking.apis.rows.source_document_rows`; it must render
    exactly as `SourceDocumentSerializer` did: keys, order, formatting."""
    from rest_framework.renderers import JSONRenderer

    from picking.apis.source_documents import SourceDocumentSerializer
    from picking.models import ItemTrackingLine, SourceLine
    from picking.selectors.source_documents import source_document_get

    w = stocked_world
    erp = api_client_for(w.admin)
    body = order(
        "SO-ROWS",
        {
            "line_no": 10000,
            "item": "SN-SPEC",
            "quantity": 3,
            "bin": "A1",
            "tracking": [{"serial_no": "SN-001"}],
        },
        {
            "line_no": 20000,
            "item": "LOT-SPEC",
            "quantity": "7.5",
            "tracking": [{"lot_no": "L-A", "quantity": "2.5"}, {"lot_no": "L-C", "quantity": 3}],
        },
        {"line_no": 30000, "item": "PLAIN", "quantity": 4, "bin": "A1"},
        {"line_no": 40000, "item": "SN-OUT", "quantity": 2, "tracking": [{"serial_no": "NEW-1"}]},
    )
    created = erp.post(URL, body, format="json")
    assert created.status_code == 201, created.content
    doc = SourceDocument.objects.get(no="SO-ROWS")
    renderer = JSONRenderer()  # the API's (DRF's default)

    def serialized() -> bytes:
        data = SourceDocumentSerializer(source_document_get(user=w.admin, pk=doc.pk)).data
        return bytes(renderer.render(data))

    # the 201 (rendered from the checked input, encoded once with its event) is what reading it back renders
    assert created.content == serialized()
    # shipped and handled quantities, a document without shipment date or partner
    SourceLine.objects.filter(document=doc, line_no=30000).update(qty_shipped="1.25", qty_on_picks=2)
    ItemTrackingLine.objects.filter(source_line__document=doc, lot_no="L-A").update(qty_handled="0.5")
    fresh = SourceDocumentSerializer(source_document_get(user=w.admin, pk=doc.pk)).data
    # lots with their expiration dates taken from stock
    assert all(t["expiration_date"] for t in fresh["lines"][1]["tracking"])
    assert fresh["lines"][2]["bin"] == "A1" and fresh["lines"][1]["bin"] is None
    answered = erp.get(f"{URL}{doc.pk}/")
    assert answered.content == serialized()
    SourceDocument.objects.filter(pk=doc.pk).update(partner="", shipment_date=None)
    assert erp.get(f"{URL}{doc.pk}/").content == serialized()
    # the 201 of a new document, and the answer of a cancel
    other = erp.post(URL, order("SO-ROWS-2", {"line_no": 1, "item": "PLAIN", "quantity": 1}), format="json")
    assert other.status_code == 201
    other_doc = SourceDocument.objects.get(no="SO-ROWS-2")
    assert other.content == bytes(
        renderer.render(SourceDocumentSerializer(source_document_get(user=w.admin, pk=other_doc.pk)).data)
    )
    cancelled = erp.post(f"{URL}{other_doc.pk}/cancel/")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert cancelled.content == bytes(
        renderer.render(SourceDocumentSerializer(source_document_get(user=w.admin, pk=other_doc.pk)).data)
    )
