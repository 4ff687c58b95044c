"""Document numbers: one function takes them all.

Every new inventory pick, posted pick, warehouse shipment, warehouse pick, registered pick, posted shipment,
movement and recall takes its number here, from its number series (created by a data migration;
`docs/warehouse-shipments.md`). The number is taken in a short transaction of its own
(`tracking.services.document_no_take`): the series row is locked for milliseconds, never for the rest of
the caller's transaction, so documents of different items are posted side by side; a transaction that
rolls back after taking its number leaves a gap (docs/architecture.md, "Document numbers"). Take it as
late as possible: once the document's checks have passed. How numbers are handed out can change in this
one place (inventory adjustments, in the warehouse layer below, call `document_no_take` themselves).
"""

from __future__ import annotations

from tracking.services import document_no_take

INVENTORY_PICK_SERIES = "IPI"
POSTED_PICK_SERIES = "PPI"

SHIPMENT_SERIES = "WSH"
WAREHOUSE_PICK_SERIES = "WPI"
REGISTERED_PICK_SERIES = "RWP"
POSTED_SHIPMENT_SERIES = "PSH"
MOVEMENT_SERIES = "MOV"
RECALL_SERIES = "RCL"


def take_document_no(series: str) -> str:
    """The next number of the document series `series` (one of the constants above)."""
    return document_no_take(code=series)
