"""API: item tracking codes and number series (problem details for each bad input)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.clients import api_client_for, problem
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SPECIFIC = {"code": "SNSPEC", "sn_specific_tracking": True, "sn_warehouse_tracking": True}


def test_create_read_and_patch_a_tracking_code(erp_api: Any) -> None:
    response = erp_api.post("/api/v1/tracking-codes/", SPECIFIC, format="json")
    assert response.status_code == 201
    assert response["Location"] == "/api/v1/tracking-codes/SNSPEC/"
    assert (
        response.json()["sn_specific_tracking"] is True and response.json()["lot_warehouse_tracking"] is False
    )
    response = erp_api.patch("/api/v1/tracking-codes/SNSPEC/", {"description": "Serials"}, format="json")
    assert response.status_code == 200 and response.json()["description"] == "Serials"
    listing = erp_api.get("/api/v1/tracking-codes/").json()
    assert listing["count"] == 1 and listing["results"][0]["code"] == "SNSPEC"


def test_specific_without_warehouse_tracking_is_refused(erp_api: Any) -> None:
    body = problem(
        erp_api.post("/api/v1/tracking-codes/", {"code": "X", "lot_specific_tracking": True}, format="json"),
        400,
        "tracking_code_invalid",
    )
    assert body["errors"][0]["field"] == "lot_warehouse_tracking"
    assert body["errors"][0]["code"] == "specific_requires_warehouse_tracking"


def test_expiration_flags_need_use_expiration_dates(erp_api: Any) -> None:
    erp_api.post("/api/v1/tracking-codes/", {"code": "LOT", "lot_warehouse_tracking": True}, format="json")
    body = problem(
        erp_api.patch("/api/v1/tracking-codes/LOT/", {"strict_expiration_posting": True}, format="json"),
        400,
        "tracking_code_invalid",
    )
    assert body["errors"][0]["field"] == "strict_expiration_posting"


def test_duplicate_unknown_and_malformed(erp_api: Any) -> None:
    erp_api.post("/api/v1/tracking-codes/", SPECIFIC, format="json")
    problem(erp_api.post("/api/v1/tracking-codes/", SPECIFIC, format="json"), 409, "already_exists")
    problem(erp_api.get("/api/v1/tracking-codes/NOPE/"), 404, "not_found")
    body = problem(
        erp_api.post(
            "/api/v1/tracking-codes/", {"code": "", "sn_warehouse_tracking": "maybe"}, format="json"
        ),
        400,
        "invalid",
    )
    assert {e["field"] for e in body["errors"]} == {"code", "sn_warehouse_tracking"}
    body = problem(
        erp_api.patch("/api/v1/tracking-codes/SNSPEC/", {"code": "NEW"}, format="json"),
        400,
        "field_read_only",
    )
    assert (body["errors"][0]["field"], body["errors"][0]["code"]) == ("code", "field_read_only")


def test_no_series_create_and_read(erp_api: Any) -> None:
    data = {"code": "SN", "starting_no": "SN-0001", "ending_no": "SN-9999"}
    response = erp_api.post("/api/v1/no-series/", data, format="json")
    assert response.status_code == 201 and response["Location"] == "/api/v1/no-series/SN/"
    body = erp_api.get("/api/v1/no-series/SN/").json()
    assert body == {
        "code": "SN",
        "description": "",
        "starting_no": "SN-0001",
        "ending_no": "SN-9999",
        "increment": 1,
        "last_no_used": "",
    }
    problem(erp_api.post("/api/v1/no-series/", data, format="json"), 409, "already_exists")
    problem(erp_api.get("/api/v1/no-series/NOPE/"), 404, "not_found")


def test_no_series_bad_input(erp_api: Any) -> None:
    body = problem(
        erp_api.post("/api/v1/no-series/", {"code": "X", "starting_no": "ABC"}, format="json"),
        400,
        "no_series_invalid",
    )
    assert body["errors"][0]["field"] == "starting_no"
    body = problem(
        erp_api.post("/api/v1/no-series/", {"code": "X", "starting_no": "A1", "increment": 0}, format="json"),
        400,
        "invalid",
    )
    assert body["errors"][0]["field"] == "increment"


def test_idempotent_create(erp_api: Any) -> None:
    data = {"code": "SN", "starting_no": "SN-0001"}
    first = erp_api.post("/api/v1/no-series/", data, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    again = erp_api.post("/api/v1/no-series/", data, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    problem(
        erp_api.post("/api/v1/no-series/", {**data, "code": "X"}, format="json", HTTP_IDEMPOTENCY_KEY="k1"),
        422,
        "idempotency_key_reused",
    )


def test_workers_read_but_do_not_change_master_data(worker: Any) -> None:
    api = api_client_for(worker)
    assert api.get("/api/v1/tracking-codes/").status_code == 200
    problem(api.post("/api/v1/tracking-codes/", SPECIFIC, format="json"), 403, "permission_denied")
    problem(
        api.post("/api/v1/no-series/", {"code": "S", "starting_no": "S1"}, format="json"),
        403,
        "permission_denied",
    )


def test_anonymous_is_refused() -> None:
    from rest_framework.test import APIClient

    UserFactory(username="someone")
    problem(APIClient().get("/api/v1/no-series/"), 401, "not_authenticated")
