"""API: /inventory/adjustments/, /inventory/availability/, /inventory/item-ledger-entries/."""

from __future__ import annotations

from typing import Any

import pytest

from tests.clients import api_client_for, problem
from tests.world import World, document, put_on_pick, serials, source_line
from warehouse.models import ItemLedgerEntry, LotNoInformation

pytestmark = pytest.mark.django_db


def adjust(api: Any, wh: World, item: Any, entries: list[dict[str, Any]], **headers: Any) -> Any:
    body = {"location": "MAIN", "bin": "A1", "item": item.no, "entries": entries}
    return api.post("/api/v1/inventory/adjustments/", body, format="json", **headers)


def test_adjustment_answers_201_with_the_entries_written(erp_api: Any, wh: World) -> None:
    response = adjust(
        erp_api, wh, wh.sn_spec, [{"quantity": "1", "serial_no": "SN1", "expiration_date": "2027-05-01"}]
    )
    assert response.status_code == 201
    body = response.json()
    assert response["Location"] == f"/api/v1/inventory/item-ledger-entries/?document_no={body['document_no']}"
    (entry,) = body["entries"]
    assert entry["serial_no"] == "SN1" and entry["quantity"] == "1" and entry["remaining_quantity"] == "1"
    assert entry["bin"] == "A1" and entry["location"] == "MAIN" and entry["item"] == wh.sn_spec.no
    assert entry["open"] is True and entry["expiration_date"] == "2027-05-01"
    listed = erp_api.get(response["Location"]).json()
    assert listed["count"] == 1 and listed["results"][0]["id"] == entry["id"]


def test_adjustment_problems_per_entry(erp_api: Any, wh: World) -> None:
    body = problem(
        adjust(erp_api, wh, wh.sn_spec, [{"quantity": 2, "serial_no": "SN1"}, {"quantity": 0}]),
        400,
        "serial_quantity_not_one",
    )
    assert [e["field"] for e in body["errors"]] == ["entries[0].quantity", "entries[1].quantity"]
    body = problem(
        adjust(erp_api, wh, wh.lot_strict, [{"quantity": -1, "lot_no": "NONE"}]), 409, "insufficient_quantity"
    )
    assert body["errors"][0]["line"] == 0
    body = problem(adjust(erp_api, wh, wh.sn_spec, [{"quantity": "x"}]), 400, "invalid")
    assert body["errors"][0]["field"] == "entries[0].quantity"
    problem(adjust(erp_api, wh, wh.sn_spec, []), 400, "invalid")
    problem(
        erp_api.post("/api/v1/inventory/adjustments/", {"location": "MAIN"}, format="json"), 400, "invalid"
    )
    body = {"location": "MAIN", "bin": "Z-99", "item": wh.lot_strict.no, "entries": [{"quantity": 1}]}
    problem(erp_api.post("/api/v1/inventory/adjustments/", body, format="json"), 404, "not_found")
    body = {"location": "MAIN", "bin": "A1", "item": "NOPE", "entries": [{"quantity": 1}]}
    problem(erp_api.post("/api/v1/inventory/adjustments/", body, format="json"), 404, "not_found")
    assert not ItemLedgerEntry.objects.exists()


def test_adjustment_is_idempotent(erp_api: Any, wh: World) -> None:
    entries = [{"quantity": 3}]
    first = adjust(erp_api, wh, wh.plain, entries, HTTP_IDEMPOTENCY_KEY="adj-1")
    again = adjust(erp_api, wh, wh.plain, entries, HTTP_IDEMPOTENCY_KEY="adj-1")
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert ItemLedgerEntry.objects.count() == 1
    problem(
        adjust(erp_api, wh, wh.plain, [{"quantity": 4}], HTTP_IDEMPOTENCY_KEY="adj-1"),
        422,
        "idempotency_key_reused",
    )


def test_workers_may_not_adjust_nor_anywhere_else(wh: World) -> None:
    api = api_client_for(wh.worker)
    problem(adjust(api, wh, wh.plain, [{"quantity": 1}]), 403, "permission_denied")


def test_availability_rows(erp_api: Any, wh: World) -> None:
    wh.receive(wh.lot_strict, "A1", {"quantity": 10, "lot_no": "L1", "expiration_date": "2027-06-01"})
    wh.receive(wh.lot_strict, "A1", {"quantity": 2, "lot_no": "OLD", "expiration_date": "2027-01-01"})
    wh.receive(wh.sn_spec, "A1", *serials(2))
    LotNoInformation.objects.filter(lot_no="OLD").update(blocked=True)
    put_on_pick(source_line(document(wh, (wh.lot_strict, 4))), quantity=4, lot_no="L1")
    body = erp_api.get(f"/api/v1/inventory/availability/?item={wh.lot_strict.no}&location=MAIN&bin=A1").json()
    rows = {r["lot_no"]: r for r in body["results"]}
    assert rows["L1"] == {
        "location": "MAIN",
        "bin": "A1",
        "item": wh.lot_strict.no,
        "lot_no": "L1",
        "serial_no": "",
        "expiration_date": "2027-06-01",
        "quantity": "10",
        "qty_on_picks": "4",
        "available": "6",
        "blocked": False,
        "expired": False,
    }
    assert rows["OLD"]["blocked"] is True
    body = erp_api.get("/api/v1/inventory/availability/?serial_no=S00001").json()
    assert [r["serial_no"] for r in body["results"]] == ["S00001"]
    assert erp_api.get("/api/v1/inventory/availability/").json()["count"] == 4


def test_availability_bad_filters(erp_api: Any, wh: World) -> None:
    problem(erp_api.get("/api/v1/inventory/availability/?bin=A1"), 400, "invalid")
    problem(erp_api.get("/api/v1/inventory/availability/?location=NOPE"), 404, "not_found")
    problem(erp_api.get("/api/v1/inventory/availability/?location=MAIN&bin=NOPE"), 404, "not_found")
    problem(erp_api.get("/api/v1/inventory/availability/?item=NOPE"), 404, "not_found")


def test_workers_see_stock_and_ledger_only_where_they_work(wh: World) -> None:
    wh.receive(wh.plain, "A1", {"quantity": 1})
    wh.receive(wh.plain, wh.e1, {"quantity": 2})  # at EAST
    api = api_client_for(wh.worker)
    rows = api.get("/api/v1/inventory/availability/").json()["results"]
    assert [r["location"] for r in rows] == ["MAIN"]
    problem(api.get("/api/v1/inventory/availability/?location=EAST"), 404, "not_found")
    ledger = api.get("/api/v1/inventory/item-ledger-entries/").json()
    assert [e["location"] for e in ledger["results"]] == ["MAIN"]
    problem(api.get("/api/v1/inventory/item-ledger-entries/?location=EAST"), 404, "not_found")


def test_ledger_filters_trace_a_serial_from_receipt_to_removal(erp_api: Any, wh: World) -> None:
    wh.receive(wh.sn_spec, "A1", *serials(2))
    wh.receive(wh.sn_spec, "A1", {"quantity": -1, "serial_no": "S00001"})
    body = erp_api.get(f"/api/v1/inventory/item-ledger-entries/?item={wh.sn_spec.no}&serial_no=S00001").json()
    receipt, removal = body["results"]
    assert removal["applies_to_entry"] == receipt["id"] and removal["quantity"] == "-1"
    assert receipt["open"] is False and receipt["remaining_quantity"] == "0"
