"""The API's conventions for bad input and for every /api/ path (docs/api.md, "Conventions"): each class of
bad input answers its documented 4xx with a stable code, as problem details, and writes nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from kombu.exceptions import OperationalError as BrokerOperationalError

from core.models import Job
from picking.models import Pick, SourceDocument
from tests.clients import api_client_for, ok, problem
from tests.world import World, document, order, pick_from, serials
from warehouse.models import Item, ItemLedgerEntry, Location

DOCS = "/api/v1/source-documents/"


def nothing_written() -> bool:
    return not (SourceDocument.objects.exists() or ItemLedgerEntry.objects.exists())


# --- Size, control characters, nesting ------------------------------------------------------------------


def test_a_body_over_the_limit_is_413_naming_the_limit(world: World) -> None:
    client = api_client_for(world.admin)
    big = order("SO-BIG", *({"line_no": n + 1, "item": "PLAIN", "quantity": 1} for n in range(60_000)))
    body = problem(client.post(DOCS, big, format="json"), 413, "body_too_large")
    assert body["limit"] == 2_621_440 and "2.5 MB" in body["detail"]
    assert nothing_written()


def test_a_nul_or_control_character_in_a_string_is_400_with_its_field(world: World) -> None:
    client = api_client_for(world.admin)
    for bad in ("SO\u00001", "SO\u00071", "SO\u001b1"):
        body = problem(client.post(DOCS, order(bad), format="json"), 400, "control_character")
        assert body["errors"][0]["field"] == "no"
    nested = order(
        "SO-1", {"line_no": 1, "item": "PLAIN", "quantity": 1, "tracking": [{"lot_no": "L\u0000"}]}
    )
    body = problem(client.post(DOCS, nested, format="json"), 400, "control_character")
    assert body["errors"][0]["field"] == "lines[0].tracking[0].lot_no"
    # in an import (read from the stream) and in a key
    problem(client.post(f"{DOCS}import/", [order("SO\u0000")], format="json"), 400, "control_character")
    problem(client.post(DOCS, {"n\u0000o": "x"}, format="json"), 400, "control_character")
    assert nothing_written()


def test_a_control_character_in_a_query_parameter_is_400(world: World) -> None:
    client = api_client_for(world.admin)
    for query in ("search=a%00b", "no=%07", "s%00earch=x", "status=open%0A"):
        body = problem(client.get(f"{DOCS}?{query}"), 400, "control_character")
        assert body["errors"]


def test_json_nested_deeper_than_any_request_needs_is_400(world: World) -> None:
    client = api_client_for(world.admin)
    for depth in (11, 100_000):  # the first is read, then refused; the second would exhaust Python's stack
        raw = "[" * depth + "]" * depth
        response = client.post(DOCS, raw, content_type="application/json")
        problem(response, 400, "too_deeply_nested")
        problem(client.post(f"{DOCS}import/", raw, content_type="application/json"), 400, "too_deeply_nested")
    body = order("SO-1", {"line_no": 1, "item": "PLAIN", "quantity": 1})
    body["partner"] = {"a": {"b": {"c": {"d": {"e": {"f": {"g": {"h": {"i": {"j": "deep"}}}}}}}}}}
    problem(client.post(DOCS, body, format="json"), 400, "too_deeply_nested")
    assert nothing_written()


# --- Numbers and codes --------------------------------------------------------------------------------

BAD_CODES = ["SN\t1", "SN\n1", "SN1\u0007", "\u202eSN1", "SN\u200b1", " SN1", "SN1 "]


@pytest.mark.parametrize("bad", BAD_CODES)
def test_numbers_and_codes_with_control_or_bidi_characters_or_spaces_are_400(world: World, bad: str) -> None:
    client = api_client_for(world.admin)

    def refused(response: Any, field: str) -> None:
        assert response.status_code == 400, response.content
        assert response["Content-Type"] == "application/problem+json"
        errors = response.json()["errors"]
        # a control character is refused in any string (control_character), the rest only in codes
        assert any(
            e["field"] == field and e["code"] in ("invalid_characters", "control_character") for e in errors
        ), errors

    line = {"line_no": 1, "item": "SN-WH", "quantity": 1, "tracking": [{"serial_no": bad}]}
    refused(client.post(DOCS, order("SO-1", line), format="json"), "lines[0].tracking[0].serial_no")
    refused(
        client.post(DOCS, order(bad, {"line_no": 1, "item": "PLAIN", "quantity": 1}), format="json"), "no"
    )
    refused(client.post("/api/v1/items/", {"no": bad}, format="json"), "no")
    refused(client.post("/api/v1/locations/", {"code": bad}, format="json"), "code")
    refused(client.post("/api/v1/locations/MAIN/bins/", {"code": bad}, format="json"), "code")
    refused(client.post("/api/v1/tracking-codes/", {"code": bad}, format="json"), "code")
    refused(
        client.post("/api/v1/no-series/", {"code": "X", "starting_no": bad}, format="json"), "starting_no"
    )
    adjustment = {
        "location": "MAIN",
        "bin": "A1",
        "item": "SN-WH",
        "entries": [{"quantity": 1, "serial_no": bad}],
    }
    refused(client.post("/api/v1/inventory/adjustments/", adjustment, format="json"), "entries[0].serial_no")
    assert nothing_written()
    assert not Item.objects.filter(no__contains="SN1").exists()
    assert not Location.objects.filter(code__contains="SN").exists()


def test_a_slash_in_a_code_that_names_its_object_in_a_path_is_400_and_nothing_is_created(
    world: World,
) -> None:
    """`/items/A/B/` cannot name item `A/B`: such a code is refused when the object is created (it was stored
    and then answered 500 when its address was built)."""
    client = api_client_for(world.admin)
    for path, body, field in [
        ("/api/v1/items/", {"no": "A/B"}, "no"),
        ("/api/v1/locations/", {"code": "L/1"}, "code"),
        ("/api/v1/locations/MAIN/bins/", {"code": "A/9"}, "code"),
        ("/api/v1/tracking-codes/", {"code": "T/1"}, "code"),
        ("/api/v1/no-series/", {"code": "S/1", "starting_no": "X0001"}, "code"),
    ]:
        body_ = problem(client.post(path, body, format="json"), 400, "invalid")
        assert any(e["field"] == field and e["code"] == "invalid_characters" for e in body_["errors"]), body_
        assert "slash" in body_["detail"]
    assert not Item.objects.filter(no__contains="/").exists()
    assert not Location.objects.filter(code__contains="/").exists()
    # a document number may hold a slash: documents are addressed by id
    line = {"line_no": 1, "item": "PLAIN", "quantity": 1}
    ok(client.post(DOCS, order("SO/2026/1", line), format="json"), 201)


def test_a_number_on_a_pick_line_with_a_tab_is_400_and_the_line_is_unchanged(world: World) -> None:
    world.receive(world.sn_spec, world.a1, *serials(2, prefix="SN", expiration=None))
    pick = pick_from(world, document(world, (world.sn_spec, 1)))
    line = pick.lines.get()
    client = api_client_for(world.admin)
    response = client.patch(
        f"/api/v1/picks/{pick.pk}/lines/{line.pk}/", {"serial_no": "SN00000\t"}, format="json"
    )
    body = problem(response, 400, "invalid")
    assert body["errors"][0] == {
        "field": "serial_no",
        "code": "invalid_characters",
        "detail": body["errors"][0]["detail"],
    }
    line.refresh_from_db()
    assert line.serial_no == ""


# --- Missing required numbers, read-only fields -------------------------------------------------------


def test_a_lot_missing_on_an_adjustment_is_400_at_its_field(world: World) -> None:
    client = api_client_for(world.admin)
    body = {"location": "MAIN", "bin": "A1", "item": "LOT-WH", "entries": [{"quantity": 2}, {"quantity": 1}]}
    problem_body = problem(
        client.post("/api/v1/inventory/adjustments/", body, format="json"), 400, "lot_missing"
    )
    assert [(e["field"], e["line"], e["code"]) for e in problem_body["errors"]] == [
        ("entries[0].lot_no", 0, "lot_missing"),
        ("entries[1].lot_no", 1, "lot_missing"),
    ]
    assert problem_body["errors"][0]["detail"].startswith("Entry 1:")  # people count from 1
    assert nothing_written()


def test_patch_naming_a_field_that_cannot_change_is_400_field_read_only(world: World) -> None:
    world.receive(world.plain, world.a1, {"quantity": 5})
    pick = pick_from(world, document(world, (world.plain, 2)))
    line = pick.lines.get()
    client = api_client_for(world.admin)
    url = f"/api/v1/picks/{pick.pk}/lines/{line.pk}/"
    body = problem(
        client.patch(url, {"qty_to_handle": 1, "quantity": 5}, format="json"), 400, "field_read_only"
    )
    assert [e["field"] for e in body["errors"]] == ["quantity"]
    problem(client.patch(url, {"item": "SN-WH"}, format="json"), 400, "field_read_only")
    problem(client.patch(f"/api/v1/picks/{pick.pk}/", {"no": "X"}, format="json"), 400, "field_read_only")
    problem(
        client.patch("/api/v1/locations/MAIN/bins/A1/", {"code": "Z"}, format="json"), 400, "field_read_only"
    )
    line.refresh_from_db()
    assert (line.quantity, line.qty_to_handle) == (2, 0)


# --- Unavailable services -------------------------------------------------------------------------------


def test_a_database_failure_is_503_with_retry_after_and_nothing_written(
    world: World, monkeypatch: Any
) -> None:
    from django.db import OperationalError

    world.receive(world.plain, world.a1, {"quantity": 5})
    doc = document(world, (world.plain, 2))

    def unavailable(**kwargs: Any) -> None:
        raise OperationalError("could not connect to server: Connection refused")

    # the database goes away in the middle of creating a pick (after the pick row was written)
    monkeypatch.setattr("picking.services.pick_create.refresh_qty_on_picks", unavailable)
    client = api_client_for(world.admin)
    response = client.post("/api/v1/picks/", {"source_document": doc.pk}, format="json")
    body = problem(response, 503, "service_unavailable")
    assert response["Retry-After"] == "10" and "nothing was changed" in body["detail"]
    assert not Pick.objects.exists()


def test_a_broker_failure_is_503_with_retry_after(world: World, monkeypatch: Any) -> None:
    def broker_down(**kwargs: Any) -> Job:
        raise BrokerOperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr("picking.apis.picks.picks_create_batch", broker_down)
    response = api_client_for(world.admin).post("/api/v1/picks/batch/", {"location": "MAIN"}, format="json")
    problem(response, 503, "service_unavailable")
    assert int(response["Retry-After"]) > 0


# --- Every /api/ path answers problem details -------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete"])
def test_unknown_api_paths_answer_problem_details_for_every_method(world: World, method: str) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.admin)
    for client in (browser, Client(), api_client_for(world.admin)):
        problem(getattr(client, method)("/api/v1/no-such-thing/"), 404, "not_found")
        problem(getattr(client, method)("/api/nothing/"), 404, "not_found")


def test_csrf_failures_under_api_are_problem_details(world: World) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.admin)
    # a DRF endpoint with a session but no CSRF token
    problem(browser.post(DOCS, json.dumps(order()), content_type="application/json"), 403, "csrf_failed")
    # a plain Django view under /api/
    problem(browser.post("/api/docs/"), 403, "csrf_failed")
    assert nothing_written()
    # pages keep Django's own page
    response = browser.post("/logout/")
    assert response.status_code == 403 and "text/html" in response["Content-Type"]


def test_throttling_answers_429_with_retry_after(world: World, settings: Any) -> None:
    settings.LOTPICK_API_THROTTLE = True
    settings.LOTPICK_API_THROTTLE_RATE = "2/minute"
    cache.clear()
    client = api_client_for(world.admin)
    try:
        ok(client.get("/api/v1/items/"))
        ok(client.get("/api/v1/items/"))
        response = client.get("/api/v1/items/")
        problem(response, 429, "throttled")
        assert int(response["Retry-After"]) > 0
        ok(api_client_for(world.supervisor).get("/api/v1/items/"))  # counted per token
    finally:
        cache.clear()


def test_the_schema_and_docs_need_a_login_unless_made_public(world: World, settings: Any) -> None:
    settings.LOTPICK_API_DOCS_PUBLIC = False
    anonymous = Client()
    problem(anonymous.get("/api/schema/"), 401, "not_authenticated")
    for url in ("/api/docs/", "/api/redoc/"):
        response = anonymous.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/?next=")
    assert api_client_for(world.worker).get("/api/schema/").status_code == 200
    browser = Client()
    browser.force_login(world.worker)
    assert browser.get("/api/docs/").status_code == 200
    settings.LOTPICK_API_DOCS_PUBLIC = True
    assert anonymous.get("/api/docs/").status_code == 200
    assert anonymous.get("/api/schema/").status_code == 200


def test_the_schema_documents_every_error_as_problem_details(world: World) -> None:
    schema = api_client_for(world.admin).get("/api/schema/?format=json").json()
    assert schema["components"]["schemas"]["Problem"]["required"] == [
        "type",
        "title",
        "status",
        "detail",
        "code",
    ]
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            for status in ("400", "401", "403", "404", "406", "429", "503"):
                assert status in responses, (method, path, status)
            for status, response in responses.items():
                if status.startswith(("4", "5")):
                    assert list(response["content"]) == ["application/problem+json"], (method, path, status)
    page = schema["components"]["schemas"]["PaginatedAvailabilityRowList"]
    assert set(page["properties"]) == {"count", "next", "previous", "results"}
