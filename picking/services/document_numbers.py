"""Document numbers of the documents the warehouse flow creates: one function takes them all.

Every new warehouse shipment, warehouse pick, registered pick, posted shipment, movement and recall takes its
number here, from its number series (created by a data migration; `docs/warehouse-shipments.md`). Taking a
number locks the series row, the first kind in the lock order (docs/architecture.md): call this before any
other lock. How numbers are handed out can change in this one place.
"""

from __future__ import annotations

from tracking.services import no_series_take

SHIPMENT_SERIES = "WSH"
WAREHOUSE_PICK_SERIES = "WPI"
REGISTERED_PICK_SERIES = "RWP"
POSTED_SHIPMENT_SERIES = "PSH"
MOVEMENT_SERIES = "MOV"
RECALL_SERIES = "RCL"


def take_document_no(series: str) -> str:
    """The next number of the document series `series` (one of the constants above)."""
    return no_series_take(code=series)[0]
