"""Demo master data, stock and documents for `make run` (idempotent)."""

from __future__ import annotations

from typing import Any


def load_demo_master_data(*, users: dict[str, Any]) -> None:
    """Master data, stock and source documents; extended as features land."""
    # Inventory (issue 3): tracking codes, no. series, items, locations, bins, employees, stock.
    from warehouse.demo import load_demo_inventory

    load_demo_inventory(users=users)
    # Source documents (issue 4): one sales order per outbound case, one with prescribed lots and serials.
    load_demo_source_documents(users=users)
    # Picks (issue 5): one inventory pick per outbound case, assigned to the demo worker.
    load_demo_picks(users=users)
    # Warehouse shipments (issue 10): WHSE, an order per case, a shipment with a warehouse pick.
    load_demo_warehouse_shipments(users=users)


# --- Source documents (issue 4) ------------------------------------------------------------------

DEMO_SOURCE_DOCUMENTS: list[dict[str, Any]] = [
    {
        "type": "sales_order",
        "no": "SO-DEMO-1",
        "location": "MAIN",
        "partner": "Case 1: numbers flow through (lots proposed by the pick)",
        "lines": [
            {"line_no": 10000, "item": "2000", "quantity": 12},
            {"line_no": 20000, "item": "5000", "quantity": 10},
        ],
    },
    {
        "type": "sales_order",
        "no": "SO-DEMO-2",
        "location": "MAIN",
        "partner": "Case 2: new numbers assigned while shipping",
        "lines": [
            {"line_no": 10000, "item": "3000", "quantity": 3},
            {"line_no": 20000, "item": "4000", "quantity": 5},
        ],
    },
    {
        "type": "sales_order",
        "no": "SO-DEMO-3",
        "location": "MAIN",
        "partner": "Case 3: the worker selects existing numbers",
        "lines": [
            {"line_no": 10000, "item": "1000", "quantity": 2},
            {"line_no": 20000, "item": "2100", "quantity": 4},
        ],
    },
    {
        "type": "sales_order",
        "no": "SO-DEMO-4",
        "location": "MAIN",
        "partner": "Case 4: the customer asked for these numbers",
        "lines": [
            {
                "line_no": 10000,
                "item": "1000",
                "quantity": 2,
                "tracking": [{"serial_no": "DF-0001"}, {"serial_no": "DF-0007"}],
            },
            {
                "line_no": 20000,
                "item": "2100",
                "quantity": 3,
                "tracking": [{"lot_no": "VAC-100", "quantity": 3}],
            },
            {
                "line_no": 30000,
                "item": "4000",
                "quantity": 2,
                "tracking": [{"lot_no": "PAINT-A7", "quantity": 2}],
            },
        ],
    },
    {
        "type": "sales_order",
        "no": "SO-DEMO-5",
        "location": "FEFO",
        "partner": "Case 1 by FEFO: earliest expiration first",
        "lines": [{"line_no": 10000, "item": "2000", "quantity": 15}],
    },
    {
        "type": "outbound_transfer",
        "no": "TO-DEMO-1",
        "location": "MAIN",
        "partner": "Transfer to the FEFO cold store",
        "lines": [{"line_no": 10000, "item": "2000", "quantity": 5}],
    },
]


def load_demo_source_documents(*, users: dict[str, Any]) -> None:
    """The demo source documents (idempotent: documents that exist are left alone)."""
    from picking.models import SourceDocument
    from picking.services.source_document_create import source_document_create

    existing = set(SourceDocument.objects.values_list("type", "no"))
    for data in DEMO_SOURCE_DOCUMENTS:
        if (data["type"], data["no"]) not in existing:
            source_document_create(data=data, user=users.get("integration"))


# --- Picks (issue 5) ----------------------------------------------------------------------------------

DEMO_PICK_DOCUMENTS = ["SO-DEMO-1", "SO-DEMO-2", "SO-DEMO-3", "SO-DEMO-4"]


def load_demo_picks(*, users: dict[str, Any]) -> None:
    """One inventory pick per outbound case (SO-DEMO-1 to 4), assigned to `worker` (idempotent: a document
    that has a pick or a posted pick already is left alone)."""
    from picking.models import SourceDocument
    from picking.services.pick_assign import pick_assign
    from picking.services.pick_create import pick_create_from_source

    supervisor, worker = users.get("supervisor"), users.get("worker")
    if supervisor is None:
        return
    documents = SourceDocument.objects.filter(type="sales_order", no__in=DEMO_PICK_DOCUMENTS).exclude(
        picks__isnull=False
    )
    for document in documents.exclude(posted_picks__isnull=False).order_by("no"):
        result = pick_create_from_source(source_document_id=document.pk, user=supervisor)
        if result.pick is not None and worker is not None:
            pick_assign(pick_id=result.pick.pk, assigned_to_username=worker.username, user=supervisor)


# --- Warehouse shipments (issue 10) -----------------------------------------------------------------------

DEMO_WAREHOUSE_DOCUMENTS: list[dict[str, Any]] = [
    {
        "type": "sales_order",
        "no": "SO-WHSE-1",
        "location": "WHSE",
        "partner": "Case 1 at WHSE: lots flow through (first received first)",
        "lines": [
            {"line_no": 10000, "item": "2000", "quantity": 12},
            {"line_no": 20000, "item": "5000", "quantity": 6},
        ],
    },
    {
        "type": "sales_order",
        "no": "SO-WHSE-2",
        "location": "WHSE",
        "partner": "Case 2 at WHSE: new numbers assigned on the warehouse pick",
        "lines": [
            {"line_no": 10000, "item": "3000", "quantity": 2},
            {"line_no": 20000, "item": "4000", "quantity": 4},
        ],
    },
    {
        "type": "sales_order",
        "no": "SO-WHSE-3",
        "location": "WHSE",
        "partner": "Case 3 at WHSE: the worker selects the numbers",
        "lines": [
            {"line_no": 10000, "item": "1000", "quantity": 2},
            {"line_no": 20000, "item": "2100", "quantity": 3},
        ],
    },
    {
        "type": "sales_order",
        "no": "SO-WHSE-4",
        "location": "WHSE",
        "partner": "Case 4 at WHSE: the customer asked for these numbers",
        "lines": [
            {"line_no": 10000, "item": "1000", "quantity": 1, "tracking": [{"serial_no": "DF-1002"}]},
            {
                "line_no": 20000,
                "item": "2100",
                "quantity": 2,
                "tracking": [{"lot_no": "VAC-W-1", "quantity": 2}],
            },
        ],
    },
]


def load_demo_warehouse_shipments(*, users: dict[str, Any]) -> None:
    """WHSE (shipment and pick) with an order per outbound case, one warehouse shipment gathering them and
    its warehouse pick assigned to `worker` (idempotent: nothing is added once WHSE has a shipment)."""
    from picking.models import SourceDocument, WarehouseShipment
    from picking.services.pick_assign import pick_assign
    from picking.services.shipment_create import warehouse_shipment_create
    from picking.services.source_document_create import source_document_create
    from picking.services.warehouse_pick_create import warehouse_pick_create
    from warehouse.demo import load_demo_warehouse

    load_demo_warehouse(users=users)
    existing = set(SourceDocument.objects.values_list("type", "no"))
    for data in DEMO_WAREHOUSE_DOCUMENTS:
        if (data["type"], data["no"]) not in existing:
            source_document_create(data=data, user=users.get("integration"))
    supervisor, worker = users.get("supervisor"), users.get("worker")
    if supervisor is None or WarehouseShipment.objects.filter(location__code="WHSE").exists():
        return
    shipment = warehouse_shipment_create(
        location_code="WHSE", no_from="SO-WHSE-1", no_to="SO-WHSE-4", user=supervisor
    )
    result = warehouse_pick_create(shipment_ids=[shipment.pk], user=supervisor)
    if result.pick is not None and worker is not None:
        pick_assign(pick_id=result.pick.pk, assigned_to_username=worker.username, user=supervisor)
