"""Writes of the warehouse app: the ledger posting primitive and inventory adjustments."""

from warehouse.services.adjustments import AdjustmentRefused, inventory_adjust
from warehouse.services.posting import (
    InboundMovement,
    OutboundMovement,
    inventory_post_inbound,
    inventory_post_outbound,
)

__all__ = [
    "AdjustmentRefused",
    "InboundMovement",
    "OutboundMovement",
    "inventory_adjust",
    "inventory_post_inbound",
    "inventory_post_outbound",
]
