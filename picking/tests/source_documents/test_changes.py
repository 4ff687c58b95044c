"""Changes from the ERP to a document it already sent: line quantity, add and delete lines, cancel. Each is
refused (and writes nothing) when it contradicts what is committed, and is told to ERPs as
`source_document.changed`."""

from __future__ import annotations

from typing import Any

import pytest

from core.models import Event
from picking.models import SourceDocument, SourceLine
from tests.clients import api_client_for, ok, problem
from tests.world import World, order, pick_from, serials

URL = "/api/v1/source-documents/"


def changes() -> list[dict[str, Any]]:
    return list(
        Event.objects.filter(type="source_document.changed").order_by("pk").values_list("data", flat=True)
    )


@pytest.fixture
def erp(world: World) -> Any:
    return api_client_for(world.admin)


@pytest.fixture
def doc(world: World, erp: Any) -> dict[str, Any]:
    world.receive(world.sn_wh, world.a1, *serials(5, expiration=None))
    body = order(
        "SO-CHG",
        {"line_no": 10000, "item": "SN-WH", "quantity": 2},
        {"line_no": 20000, "item": "PLAIN", "quantity": 4},
    )
    return ok(erp.post(URL, body, format="json"), 201)


def test_a_line_quantity_changes_but_never_below_what_is_committed(
    world: World, erp: Any, doc: dict[str, Any]
) -> None:
    # given line 10000 on a pick (2 units)
    pick_from(world, SourceDocument.objects.get(pk=doc["id"]))
    line_url = f"{URL}{doc['id']}/lines/10000/"
    # when the ERP lowers it below what is on the pick: refused, nothing changed, no event
    body = problem(erp.patch(line_url, {"quantity": 1}, format="json"), 409, "quantity_below_committed")
    assert body["errors"][0]["field"] == "quantity" and "2 on picks" in body["detail"]
    assert SourceLine.objects.get(document_id=doc["id"], line_no=10000).quantity == 2
    assert changes() == []
    # when it raises it: the line changes and the ERP is told, with the document as the API shows it
    line = ok(erp.patch(line_url, {"quantity": "5"}, format="json"))
    assert (line["quantity"], line["qty_on_picks"], line["qty_outstanding"]) == ("5", "2", "5")
    (event,) = changes()
    assert event["no"] == "SO-CHG" and event["source_document_type"] == "sales_order"
    assert [x["quantity"] for x in event["lines"]] == ["5", "4"]


def test_patch_naming_a_field_that_cannot_change_is_400_field_read_only(
    erp: Any, doc: dict[str, Any]
) -> None:
    line_url = f"{URL}{doc['id']}/lines/10000/"
    body = problem(
        erp.patch(line_url, {"quantity": 3, "item": "PLAIN"}, format="json"), 400, "field_read_only"
    )
    assert [e["field"] for e in body["errors"]] == ["item"]
    problem(erp.patch(line_url, {"tracking": []}, format="json"), 400, "field_read_only")
    assert SourceLine.objects.get(document_id=doc["id"], line_no=10000).quantity == 2 and changes() == []


def test_a_line_is_added_once_per_idempotency_key(world: World, erp: Any, doc: dict[str, Any]) -> None:
    new_line = {"line_no": 30000, "item": "SN-WH", "quantity": 1, "tracking": [{"serial_no": "S00004"}]}
    # when the ERP adds a line, and repeats the request after a timeout
    first = erp.post(f"{URL}{doc['id']}/lines/", new_line, format="json", HTTP_IDEMPOTENCY_KEY="add-30000")
    again = erp.post(f"{URL}{doc['id']}/lines/", new_line, format="json", HTTP_IDEMPOTENCY_KEY="add-30000")
    # then one line exists, with its prescribed number, and one event
    line = ok(first, 201)
    assert ok(again, 201) == line and again["Idempotency-Replayed"] == "true"
    assert first["Location"] == f"{URL}{doc['id']}/lines/30000/"
    assert [t["serial_no"] for t in line["tracking"]] == ["S00004"]
    assert len(changes()) == 1 and [x["line_no"] for x in changes()[0]["lines"]] == [10000, 20000, 30000]
    # and the same line_no without the key is a conflict
    problem(erp.post(f"{URL}{doc['id']}/lines/", new_line, format="json"), 409, "already_exists")


def test_an_added_line_is_checked_like_the_lines_of_a_new_document(erp: Any, doc: dict[str, Any]) -> None:
    add = f"{URL}{doc['id']}/lines/"
    body = problem(
        erp.post(add, {"line_no": 3, "item": "NOPE", "quantity": 1}, format="json"), 400, "invalid"
    )
    assert body["errors"][0] == {"field": "item", "code": "not_found", "detail": body["errors"][0]["detail"]}
    body = problem(
        erp.post(
            add,
            {"line_no": 3, "item": "SN-WH", "quantity": 1, "tracking": [{"serial_no": "S0\t"}]},
            format="json",
        ),
        400,
        "invalid",
    )
    assert body["errors"] == [
        {
            "field": "tracking[0].serial_no",
            "code": "invalid_characters",
            "detail": body["errors"][0]["detail"],
        }
    ]
    problem(
        erp.post(
            add,
            {"line_no": 3, "item": "SN-WH", "quantity": 1, "tracking": [{"serial_no": "GONE"}]},
            format="json",
        ),
        409,
        "serial_not_available",
    )
    assert SourceLine.objects.filter(document_id=doc["id"]).count() == 2 and changes() == []


def test_a_line_is_deleted_only_with_nothing_committed(world: World, erp: Any, doc: dict[str, Any]) -> None:
    pick = pick_from(world, SourceDocument.objects.get(pk=doc["id"]))
    # a picked line is refused
    body = problem(erp.delete(f"{URL}{doc['id']}/lines/10000/"), 409, "line_committed")
    assert body["errors"][0]["line"] == 10000
    # after the pick is deleted, it goes
    from picking.services.pick_delete import pick_delete

    pick_delete(pick_id=pick.pk, user=world.supervisor)
    assert erp.delete(f"{URL}{doc['id']}/lines/10000/").status_code == 204
    assert list(SourceLine.objects.filter(document_id=doc["id"]).values_list("line_no", flat=True)) == [20000]
    assert [x["line_no"] for x in changes()[-1]["lines"]] == [20000]
    problem(erp.delete(f"{URL}{doc['id']}/lines/10000/"), 404, "not_found")


def test_a_cancelled_document_is_never_picked_nor_changed(
    world: World, erp: Any, doc: dict[str, Any]
) -> None:
    source = SourceDocument.objects.get(pk=doc["id"])
    pick = pick_from(world, source)
    cancel = f"{URL}{doc['id']}/cancel/"
    # with a pick, it cannot be cancelled
    body = problem(erp.post(cancel), 409, "line_committed")
    assert [e["line"] for e in body["errors"]] == [10000]  # PLAIN is not in stock: not on the pick
    from picking.services.pick_delete import pick_delete

    pick_delete(pick_id=pick.pk, user=world.supervisor)
    # without, it is cancelled; repeating answers the same, with no second event
    cancelled = ok(erp.post(cancel))
    assert cancelled["status"] == "cancelled"
    assert ok(erp.post(cancel)) == cancelled
    assert len(changes()) == 1 and changes()[0]["status"] == "cancelled"
    # and it is never picked nor changed
    problem(
        erp.post("/api/v1/picks/", {"source_document": doc["id"]}, format="json"), 409, "document_cancelled"
    )
    problem(
        erp.patch(f"{URL}{doc['id']}/lines/10000/", {"quantity": 9}, format="json"), 409, "document_cancelled"
    )
    problem(
        erp.put(f"{URL}{doc['id']}/lines/10000/tracking/", {"tracking": []}, format="json"),
        409,
        "document_cancelled",
    )
    problem(
        erp.post(f"{URL}{doc['id']}/lines/", {"line_no": 5, "item": "PLAIN", "quantity": 1}, format="json"),
        409,
        "document_cancelled",
    )
    problem(erp.delete(f"{URL}{doc['id']}/lines/20000/"), 409, "document_cancelled")
    assert len(changes()) == 1


def test_workers_cannot_change_source_documents(world: World, doc: dict[str, Any]) -> None:
    client = api_client_for(world.worker)
    problem(client.post(f"{URL}{doc['id']}/cancel/"), 403, "permission_denied")
    problem(
        client.patch(f"{URL}{doc['id']}/lines/10000/", {"quantity": 9}, format="json"),
        403,
        "permission_denied",
    )
