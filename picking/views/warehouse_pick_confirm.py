"""What the confirmation pages of a warehouse pick list, pair by pair ("take from W-01 -> place in SHIP"):
what Register moves to the shipping bin, and what deleting (the pick, a pair, or the rest after
registering) gives back to the shipment lines. Read from the pick as `pick_detail` loaded it (no query)."""

from __future__ import annotations

from typing import Any

from picking.models import Pick
from picking.selectors.shipments import pick_pairs

CONFIRM_TEMPLATE = "picking/warehouse_picks/confirm.html"

# The inventory pick actions and their warehouse pick counterparts (a warehouse pick is registered).
REGISTER_FOR = {"post": "register", "post_and_delete_rest": "register_and_delete_rest"}


def pair_confirm_context(pick: Pick, action: str, line_id: int | None = None) -> dict[str, Any]:
    """`action`: register, register_and_delete_rest, delete or delete_line (`line_id`: either line of the
    pair)."""
    pairs = pick_pairs(pick)
    pair = next((p for p in pairs if line_id in (p.take.pk, p.place.pk if p.place else None)), None)
    concerned = [pair] if pair is not None else ([] if line_id is not None else pairs)
    going_back = []
    for p in concerned:
        rest = p.take.qty_outstanding
        if action == "register_and_delete_rest":
            rest -= p.take.qty_to_handle
        if rest > 0:
            going_back.append({"pair": p, "rest": rest})
    return {
        "pick": pick,
        "action": action,
        "pair": pair,
        "to_register": [p for p in pairs if p.take.qty_to_handle > 0],
        "to_delete": going_back,
        "prescribed": [p.take for p in concerned if p.take.tracking_locked and p.take.qty_outstanding > 0],
    }
