"""The recall scenario's givens (tests/acceptance/test_recall_scenario.py, the API, page and browser tests):

lot L-REC of LOT-WH received at MAIN in two bins (A1 6, B1 4) and at WHSE (W1 10); shipped to three
customers: Alpha (SO-A, 3 from A1, inventory pick), Bravo (SO-B, 5: 3 from A1 and 2 from B1, inventory
pick), Charlie (SO-C, 4 from W1 through a warehouse shipment: warehouse pick registered W1 -> SHIP, shipment
posted); Delta's order (SO-D, 2 from B1) is on an open inventory pick with Qty. to Handle set. Left: B1 2
(on Delta's pick) and W1 6.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from picking.models import Pick, PostedPick, PostedShipment, RegisteredPick, SourceDocument
from picking.services.pick_qty_to_handle import pick_autofill_qty_to_handle
from tests.world import (
    EXP_EARLY,
    World,
    document,
    pick_from,
    post_shipment,
    register,
    ship,
    shipment_for,
    warehouse_pick_for,
)
from warehouse.models import Location

LOT = "L-REC"
REASON = "Supplier reports contamination of lot L-REC"


@dataclass
class RecallWorld:
    world: World
    whse: Location
    alpha: SourceDocument
    bravo: SourceDocument
    charlie: SourceDocument
    delta: SourceDocument
    posted_alpha: PostedPick
    posted_bravo: PostedPick
    registered_charlie: RegisteredPick
    posted_charlie: PostedShipment
    open_pick: Pick


def _order(
    world: World, partner: str, no: str, quantity: int, location: Location | None = None
) -> SourceDocument:
    doc = document(world, (world.lot_wh, quantity), no=no, location=location)
    SourceDocument.objects.filter(pk=doc.pk).update(partner=partner)
    doc.partner = partner
    return doc


def build_recall_world(world: World, user: Any = None) -> RecallWorld:
    whse = world.add_warehouse()
    lot = {"lot_no": LOT, "expiration_date": EXP_EARLY}
    world.receive(world.lot_wh, "A1", {"quantity": "6", **lot})
    world.receive(world.lot_wh, "B1", {"quantity": "4", **lot})
    world.receive(world.lot_wh, world.bin("W1", whse), {"quantity": "10", **lot})
    alpha = _order(world, "Alpha Foods", "SO-A", 3)
    posted_alpha = ship(world, pick_from(world, alpha))
    bravo = _order(world, "Bravo Market", "SO-B", 5)
    posted_bravo = ship(world, pick_from(world, bravo))
    charlie = _order(world, "Charlie Stores", "SO-C", 4, location=whse)
    shipment = shipment_for(world, charlie)
    registered = register(world, warehouse_pick_for(world, shipment))
    posted_charlie = post_shipment(world, shipment)
    delta = _order(world, "Delta Deli", "SO-D", 2)
    open_pick = pick_from(world, delta)
    pick_autofill_qty_to_handle(pick_id=open_pick.pk, user=world.supervisor)
    return RecallWorld(
        world,
        whse,
        alpha,
        bravo,
        charlie,
        delta,
        posted_alpha,
        posted_bravo,
        registered,
        posted_charlie,
        open_pick,
    )
