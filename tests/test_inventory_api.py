"""API: /inventory/adjustments/, /inventory/availability/, /inventory/item-ledger-entries/."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

import pytest

from picking.models import Pick, PickLine
from tests.clients import api_client_for, problem
from tests.factories import SourceDocumentFactory, SourceLineFactory
from warehouse.models import ItemLedgerEntry, LotNoInformation
from warehouse.tests.helpers import Warehouse, make_warehouse, receive, serials, worker_at

pytestmark = pytest.mark.django_db


def adjust(api: Any, wh: Warehouse, item: Any, entries: list[dict[str, Any]], **headers: Any) -> Any:
    body = {"location": "MAIN", "bin": "A-01", "item": item.no, "entries": entries}
    return api.post("/api/v1/inventory/adjustments/", body, format="json", **headers)


def test_adjustment_answers_201_with_the_entries_written(erp_api: Any, wh: Warehouse) -> None:
    response = adjust(
        erp_api, wh, wh.serial_item, [{"quantity": "1", "serial_no": "SN1", "expiration_date": "2027-05-01"}]
    )
    assert response.status_code == 201
    body = response.json()
    assert response["Location"] == f"/api/v1/inventory/item-ledger-entries/?document_no={body['document_no']}"
    (entry,) = body["entries"]
    assert entry["serial_no"] == "SN1" and entry["quantity"] == "1" and entry["remaining_quantity"] == "1"
    assert entry["bin"] == "A-01" and entry["location"] == "MAIN" and entry["item"] == wh.serial_item.no
    assert entry["open"] is True and entry["expiration_date"] == "2027-05-01"
    listed = erp_api.get(response["Location"]).json()
    assert listed["count"] == 1 and listed["results"][0]["id"] == entry["id"]


def test_adjustment_problems_per_entry(erp_api: Any, wh: Warehouse) -> None:
    body = problem(
        adjust(erp_api, wh, wh.serial_item, [{"quantity": 2, "serial_no": "SN1"}, {"quantity": 0}]),
        400,
        "serial_quantity_not_one",
    )
    assert [e["field"] for e in body["errors"]] == ["entries[0].quantity", "entries[1].quantity"]
    body = problem(
        adjust(erp_api, wh, wh.lot_item, [{"quantity": -1, "lot_no": "NONE"}]), 409, "insufficient_quantity"
    )
    assert body["errors"][0]["line"] == 0
    body = problem(adjust(erp_api, wh, wh.serial_item, [{"quantity": "x"}]), 400, "invalid")
    assert body["errors"][0]["field"] == "entries[0].quantity"
    problem(adjust(erp_api, wh, wh.serial_item, []), 400, "invalid")
    problem(
        erp_api.post("/api/v1/inventory/adjustments/", {"location": "MAIN"}, format="json"), 400, "invalid"
    )
    body = {"location": "MAIN", "bin": "Z-99", "item": wh.lot_item.no, "entries": [{"quantity": 1}]}
    problem(erp_api.post("/api/v1/inventory/adjustments/", body, format="json"), 404, "not_found")
    body = {"location": "MAIN", "bin": "A-01", "item": "NOPE", "entries": [{"quantity": 1}]}
    problem(erp_api.post("/api/v1/inventory/adjustments/", body, format="json"), 404, "not_found")
    assert not ItemLedgerEntry.objects.exists()


def test_adjustment_is_idempotent(erp_api: Any, wh: Warehouse) -> None:
    entries = [{"quantity": 3}]
    first = adjust(erp_api, wh, wh.untracked_item, entries, HTTP_IDEMPOTENCY_KEY="adj-1")
    again = adjust(erp_api, wh, wh.untracked_item, entries, HTTP_IDEMPOTENCY_KEY="adj-1")
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert ItemLedgerEntry.objects.count() == 1
    problem(
        adjust(erp_api, wh, wh.untracked_item, [{"quantity": 4}], HTTP_IDEMPOTENCY_KEY="adj-1"),
        422,
        "idempotency_key_reused",
    )


def test_workers_may_not_adjust_nor_anywhere_else(wh: Warehouse) -> None:
    api = api_client_for(worker_at(wh.location))
    problem(adjust(api, wh, wh.untracked_item, [{"quantity": 1}]), 403, "permission_denied")


def test_availability_rows(erp_api: Any, wh: Warehouse) -> None:
    receive(wh, wh.lot_item, [{"quantity": 10, "lot_no": "L1", "expiration_date": "2027-06-01"}])
    receive(wh, wh.lot_item, [{"quantity": 2, "lot_no": "OLD", "expiration_date": "2027-01-01"}])
    receive(wh, wh.serial_item, serials(2))
    LotNoInformation.objects.filter(lot_no="OLD").update(blocked=True)
    document: Any = SourceDocumentFactory(location=wh.location)
    pick = Pick.objects.create(no="IPI-T1", location=wh.location, source_document=document)
    PickLine.objects.create(
        pick=pick,
        line_no=1,
        source_line=cast(Any, SourceLineFactory(document=document, item=wh.lot_item, quantity=4)),
        item=wh.lot_item,
        bin=wh.a01,
        quantity=Decimal(4),
        lot_no="L1",
    )
    body = erp_api.get(f"/api/v1/inventory/availability/?item={wh.lot_item.no}&location=MAIN&bin=A-01").json()
    rows = {r["lot_no"]: r for r in body["results"]}
    assert rows["L1"] == {
        "location": "MAIN",
        "bin": "A-01",
        "item": wh.lot_item.no,
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


def test_availability_bad_filters(erp_api: Any, wh: Warehouse) -> None:
    problem(erp_api.get("/api/v1/inventory/availability/?bin=A-01"), 400, "invalid")
    problem(erp_api.get("/api/v1/inventory/availability/?location=NOPE"), 404, "not_found")
    problem(erp_api.get("/api/v1/inventory/availability/?location=MAIN&bin=NOPE"), 404, "not_found")
    problem(erp_api.get("/api/v1/inventory/availability/?item=NOPE"), 404, "not_found")


def test_workers_see_stock_and_ledger_only_where_they_work(wh: Warehouse) -> None:
    east = make_warehouse("EAST")
    receive(wh, wh.untracked_item, [{"quantity": 1}])
    receive(east, east.untracked_item, [{"quantity": 2}])
    api = api_client_for(worker_at(wh.location))
    rows = api.get("/api/v1/inventory/availability/").json()["results"]
    assert [r["location"] for r in rows] == ["MAIN"]
    problem(api.get("/api/v1/inventory/availability/?location=EAST"), 404, "not_found")
    ledger = api.get("/api/v1/inventory/item-ledger-entries/").json()
    assert [e["location"] for e in ledger["results"]] == ["MAIN"]
    problem(api.get("/api/v1/inventory/item-ledger-entries/?location=EAST"), 404, "not_found")


def test_ledger_filters_trace_a_serial_from_receipt_to_removal(erp_api: Any, wh: Warehouse) -> None:
    receive(wh, wh.serial_item, serials(2))
    receive(wh, wh.serial_item, [{"quantity": -1, "serial_no": "S00001"}])
    body = erp_api.get(
        f"/api/v1/inventory/item-ledger-entries/?item={wh.serial_item.no}&serial_no=S00001"
    ).json()
    receipt, removal = body["results"]
    assert removal["applies_to_entry"] == receipt["id"] and removal["quantity"] == "-1"
    assert receipt["open"] is False and receipt["remaining_quantity"] == "0"
