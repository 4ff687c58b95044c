"""What the pick acceptance scenarios share: each case's givens and its ledger checks.

Every outbound case (docs/domain.md, "The four outbound cases") runs twice, through the API and through
the pages, on the same stock and source document and with the same postings. `case_N_given()` builds that
world (the base world of tests/world.py with the case's stock and order); `then_case_N_ledgers()` checks
the item ledger, the warehouse entries, the bin content and the source document's tracking lines number
by number after the case's posting. What a scenario ships differently from its twin stays in the scenario.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from picking.models import SourceDocument
from tests.clients import ok
from tests.world import (
    EXP_EARLY,
    EXP_LATE,
    World,
    bin_content,
    build_world,
    document,
    ledger,
    receipts,
    source_line,
    tracking,
    warehouse_out,
)
from warehouse.models import ItemLedgerEntry


@dataclass
class Given:
    """A case's world, its source document and the receipt entry ids per (lot, serial) before picking."""

    world: World
    doc: SourceDocument
    lot_receipts: dict[tuple[str, str], int]
    serial_receipts: dict[tuple[str, str], int]


def api_create_pick(client: Any, doc: SourceDocument, status_code: int = 201) -> Any:
    """POST /api/v1/picks/ for the source document; the pick's JSON after checking the status."""
    return ok(client.post("/api/v1/picks/", {"source_document": doc.pk}, format="json"), status_code)


# --- Case 1: numbers flow through by themselves (warehouse tracking) -------------------------------


def case_1_given() -> Given:
    """MAIN picks by FEFO; LOT-WH: 5 of LATE in A1, 2 of EARLY in B1; SN-WH: S1, S2, S3 in A1.

    The source document asks for 4 of LOT-WH (line 10000) and 2 of SN-WH (line 20000).
    """
    world = build_world()
    world.location.pick_according_to_fefo = True
    world.location.save()
    world.receive(world.lot_wh, "A1", {"quantity": 5, "lot_no": "LATE", "expiration_date": EXP_LATE})
    world.receive(world.lot_wh, "B1", {"quantity": 2, "lot_no": "EARLY", "expiration_date": EXP_EARLY})
    world.receive(world.sn_wh, "A1", {"quantity": 1, "serial_no": "S1"}, {"quantity": 1, "serial_no": "S2"})
    world.receive(world.sn_wh, "A1", {"quantity": 1, "serial_no": "S3"})
    lot_receipts, serial_receipts = receipts(world.lot_wh), receipts(world.sn_wh)
    doc = document(world, (world.lot_wh, 4), (world.sn_wh, 2))
    return Given(world, doc, lot_receipts, serial_receipts)


def then_case_1_ledgers(given: Given) -> None:
    """2 of EARLY (B1) and 2 of LATE (A1), serials S1 and S3 (A1) shipped; the document is shipped."""
    world, doc = given.world, given.doc
    lot_receipts, serial_receipts = given.lot_receipts, given.serial_receipts
    assert ledger(world.lot_wh)[2:] == [
        ("sale", "EARLY", "", Decimal(-2), lot_receipts[("EARLY", "")]),
        ("sale", "LATE", "", Decimal(-2), lot_receipts[("LATE", "")]),
    ]
    assert ledger(world.sn_wh)[3:] == [
        ("sale", "", "S1", Decimal(-1), serial_receipts[("", "S1")]),
        ("sale", "", "S3", Decimal(-1), serial_receipts[("", "S3")]),
    ]
    assert warehouse_out(world.lot_wh) == [("B1", "EARLY", "", -2), ("A1", "LATE", "", -2)]
    assert warehouse_out(world.sn_wh) == [("A1", "", "S1", -1), ("A1", "", "S3", -1)]
    assert bin_content(world.lot_wh) == [("A1", "LATE", "", 3), ("B1", "EARLY", "", 0)]
    assert bin_content(world.sn_wh) == [("A1", "", "S1", 0), ("A1", "", "S2", 1), ("A1", "", "S3", 0)]
    lot_line, serial_line = source_line(doc, 10000), source_line(doc, 20000)
    assert (lot_line.qty_shipped, lot_line.qty_on_picks, serial_line.qty_shipped) == (4, 0, 2)
    assert tracking(lot_line) == [("EARLY", "", 2, 2, "pick"), ("LATE", "", 2, 2, "pick")]
    assert tracking(serial_line) == [("", "S1", 1, 1, "pick"), ("", "S3", 1, 1, "pick")]
    assert SourceDocument.objects.get().status == "shipped"


# --- Case 2: new numbers assigned while shipping (outbound tracking only) --------------------------


def case_2_given() -> Given:
    """Stock without numbers: 5 of SN-OUT in A1, 10 of LOT-OUT in B1; an order for 3 and 4."""
    world = build_world()
    world.receive(world.sn_out, "A1", {"quantity": 5})
    world.receive(world.lot_out, "B1", {"quantity": 10})
    serial_receipts, lot_receipts = receipts(world.sn_out), receipts(world.lot_out)
    doc = document(world, (world.sn_out, 3), (world.lot_out, 4))
    return Given(world, doc, lot_receipts, serial_receipts)


def then_case_2_ledgers(given: Given) -> None:
    """3 units of SN-OUT out of A1 and 4 of LOT-OUT, as lot LO-2026-001, out of B1, from the plain receipts.

    Which serial numbers the three units carry differs between the scenarios: they check those.
    """
    world, doc = given.world, given.doc
    lot_receipt = given.lot_receipts[("", "")]
    assert ledger(world.lot_out)[1:] == [("sale", "LO-2026-001", "", Decimal(-4), lot_receipt)]
    assert warehouse_out(world.sn_out) == [("A1", "", "", -1)] * 3
    assert warehouse_out(world.lot_out) == [("B1", "", "", -4)]
    assert bin_content(world.sn_out) == [("A1", "", "", 2)]
    assert bin_content(world.lot_out) == [("B1", "", "", 6)]
    assert tracking(source_line(doc, 20000)) == [("LO-2026-001", "", 4, 4, "pick")]
    assert source_line(doc, 10000).qty_shipped == 3 and source_line(doc, 20000).qty_shipped == 4


# --- Case 3: the worker selects existing numbers (specific tracking) -------------------------------


def case_3_given() -> Given:
    """SN-SPEC: X1, X2, X3 in A1; LOT-SPEC: 5 of L1 (late) and 5 of L2 (early) in B1; an order for 2 and 3."""
    world = build_world()
    world.receive(
        world.sn_spec,
        "A1",
        {"quantity": 1, "serial_no": "X1"},
        {"quantity": 1, "serial_no": "X2"},
        {"quantity": 1, "serial_no": "X3"},
    )
    world.receive(
        world.lot_spec,
        "B1",
        {"quantity": 5, "lot_no": "L1", "expiration_date": EXP_LATE},
        {"quantity": 5, "lot_no": "L2", "expiration_date": EXP_EARLY},
    )
    serial_receipts, lot_receipts = receipts(world.sn_spec), receipts(world.lot_spec)
    doc = document(world, (world.sn_spec, 2), (world.lot_spec, 3))
    return Given(world, doc, lot_receipts, serial_receipts)


def then_case_3_ledgers(given: Given) -> None:
    """Exactly the selected numbers left: serials X1 and X3 from A1, 3 of lot L1 from B1."""
    world, doc = given.world, given.doc
    lot_receipts, serial_receipts = given.lot_receipts, given.serial_receipts
    assert ledger(world.sn_spec)[3:] == [
        ("sale", "", "X1", Decimal(-1), serial_receipts[("", "X1")]),
        ("sale", "", "X3", Decimal(-1), serial_receipts[("", "X3")]),
    ]
    assert ledger(world.lot_spec)[2:] == [("sale", "L1", "", Decimal(-3), lot_receipts[("L1", "")])]
    assert warehouse_out(world.sn_spec) == [("A1", "", "X1", -1), ("A1", "", "X3", -1)]
    assert warehouse_out(world.lot_spec) == [("B1", "L1", "", -3)]
    assert bin_content(world.sn_spec) == [("A1", "", "X1", 0), ("A1", "", "X2", 1), ("A1", "", "X3", 0)]
    assert bin_content(world.lot_spec) == [("B1", "L1", "", 2), ("B1", "L2", "", 5)]
    assert tracking(source_line(doc, 10000)) == [("", "X1", 1, 1, "pick"), ("", "X3", 1, 1, "pick")]
    assert tracking(source_line(doc, 20000)) == [("L1", "", 3, 3, "pick")]


# --- Case 4: numbers prescribed by the source document ---------------------------------------------


def case_4_given() -> Given:
    """LOT-SPEC: L1 in A1 (2) and B1 (3), 9 of L2 in A1; SN-SPEC: X1, X2 in A1.

    The order prescribes lot L1 x 4 (line 10000) and serial X2 (line 20000).
    """
    world = build_world()
    world.receive(world.lot_spec, "A1", {"quantity": 2, "lot_no": "L1"}, {"quantity": 9, "lot_no": "L2"})
    world.receive(world.lot_spec, "B1", {"quantity": 3, "lot_no": "L1"})
    world.receive(world.sn_spec, "A1", {"quantity": 1, "serial_no": "X1"}, {"quantity": 1, "serial_no": "X2"})
    serial_receipts = receipts(world.sn_spec)
    doc = document(
        world,
        (world.lot_spec, 4, {"tracking": [("", "L1", 4)]}),
        (world.sn_spec, 1, {"tracking": [("X2", "", 1)]}),
    )
    return Given(world, doc, receipts(world.lot_spec), serial_receipts)


def then_case_4_ledgers(given: Given) -> tuple[ItemLedgerEntry, ItemLedgerEntry]:
    """2 of L1 out of A1, 1 of L1 out of B1 and X2 shipped; the prescribed tracking lines count it.

    Returns the two receipts of L1 (A1's, then B1's) for the scenario's further checks.
    """
    world, doc = given.world, given.doc
    l1_first, l1_second = ItemLedgerEntry.objects.filter(
        item=world.lot_spec, lot_no="L1", quantity__gt=0
    ).order_by("pk")
    assert ledger(world.lot_spec)[3:] == [
        ("sale", "L1", "", Decimal(-2), l1_first.pk),
        ("sale", "L1", "", Decimal(-1), l1_second.pk),
    ]
    assert ledger(world.sn_spec)[2:] == [("sale", "", "X2", Decimal(-1), given.serial_receipts[("", "X2")])]
    assert warehouse_out(world.lot_spec) == [("A1", "L1", "", -2), ("B1", "L1", "", -1)]
    assert bin_content(world.lot_spec) == [("A1", "L1", "", 0), ("A1", "L2", "", 9), ("B1", "L1", "", 2)]
    assert bin_content(world.sn_spec) == [("A1", "", "X1", 1), ("A1", "", "X2", 0)]
    lot_line, sn_line = source_line(doc, 10000), source_line(doc, 20000)
    assert (lot_line.qty_shipped, lot_line.qty_on_picks, sn_line.qty_shipped) == (3, 1, 1)
    # the prescribed tracking lines count what was handled; nothing of origin `pick` is written
    assert tracking(lot_line) == [("L1", "", 4, 3, "source")]
    assert tracking(sn_line) == [("", "X2", 1, 1, "source")]
    return l1_first, l1_second
