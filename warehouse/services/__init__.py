"""Writes of the warehouse app: the ledger posting primitive, inventory adjustments, master data."""

from warehouse.services.adjustments import Adjusted, AdjustmentRefused, inventory_adjust, inventory_adjust_ids
from warehouse.services.master_data import (
    bin_create,
    bin_update,
    get_bin,
    item_create,
    item_update,
    location_create,
    location_update,
    lot_info_set,
    serial_info_set,
)
from warehouse.services.posting import (
    InboundMovement,
    OutboundMovement,
    inventory_post_inbound,
    inventory_post_outbound,
)

__all__ = [
    "Adjusted",
    "AdjustmentRefused",
    "InboundMovement",
    "OutboundMovement",
    "bin_create",
    "bin_update",
    "get_bin",
    "inventory_adjust",
    "inventory_adjust_ids",
    "inventory_post_inbound",
    "inventory_post_outbound",
    "item_create",
    "item_update",
    "location_create",
    "location_update",
    "lot_info_set",
    "serial_info_set",
]
