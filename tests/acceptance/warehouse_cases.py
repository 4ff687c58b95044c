"""What the warehouse shipment scenarios share: each case's givens and its ledger checks.

The four outbound cases (docs/domain.md) at WHSE, a location that requires shipment and pick (storage bins
W1 and W2, shipping bins SHIP (the shipment bin) and SHIP2; `World.add_warehouse`), and one scenario at a
location that requires shipment only. `wh_case_N_given()` builds the world (the base world of
tests/world.py with WHSE, the case's stock and order); `then_wh_case_N_registered()` checks the bins
after the warehouse pick is registered (the goods in the shipping bin, no item ledger entry yet) and
`then_wh_case_N_shipped()` after the shipment is posted (item ledger, warehouse entries, bin content and
the source document's tracking lines, number by number). The API scenarios use them, and the page
scenarios can reuse them: what a scenario does differently stays in the scenario.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from picking.models import Pick, PickLine, SourceDocument, WarehouseShipment
from picking.tests.picks_pages.pages import follow, text
from tests.acceptance.cases import Given
from tests.clients import ok
from tests.world import (
    EXP_EARLY,
    EXP_LATE,
    bin_content,
    build_world,
    document,
    ledger,
    receipts,
    source_line,
    tracking,
    warehouse_entries,
)
from warehouse.models import ItemLedgerEntry


def api_create_shipment(client: Any, doc: SourceDocument, status_code: int = 201) -> Any:
    """POST /api/v1/warehouse-shipments/ for the source document; the shipment's JSON."""
    body = {"location": doc.location.code, "source_documents": [doc.pk]}
    return ok(client.post("/api/v1/warehouse-shipments/", body, format="json"), status_code)


def api_create_warehouse_pick(client: Any, shipment: Any, status_code: int = 201) -> Any:
    """POST /api/v1/warehouse-shipments/{id}/create-pick/; the warehouse pick's JSON."""
    return ok(client.post(f"/api/v1/warehouse-shipments/{shipment['id']}/create-pick/"), status_code)


def pairs(pick: Any) -> list[tuple[Any, Any]]:
    """(take line, place line) of each pair of a warehouse pick's JSON, in take line order."""
    by_id = {line["id"]: line for line in pick["lines"]}
    return [(line, by_id[line["pair"]]) for line in pick["lines"] if line["action"] == "take"]


def pair_view(pick: Any) -> list[tuple[str, str, str, str, str, bool]]:
    """(take bin, place bin, lot, serial, quantity, locked) of each pair; both lines carry the same."""
    result = []
    for take, place in pairs(pick):
        assert (take["lot_no"], take["serial_no"], take["quantity"], take["qty_to_handle"]) == (
            place["lot_no"],
            place["serial_no"],
            place["quantity"],
            place["qty_to_handle"],
        )
        assert take["tracking_locked"] == place["tracking_locked"]
        result.append(
            (
                take["bin"],
                place["bin"],
                take["lot_no"],
                take["serial_no"],
                take["quantity"],
                take["tracking_locked"],
            )
        )
    return result


# --- Case 1: numbers flow through by themselves ------------------------------------------------------


def wh_case_1_given() -> Given:
    """WHSE picks by FEFO; LOT-WH: 5 of LATE in W1, 2 of EARLY in W2; SN-WH: S1, S2, S3 in W1.

    The source document asks for 4 of LOT-WH (line 10000) and 2 of SN-WH (line 20000).
    """
    world = build_world()
    whse = world.add_warehouse(pick_according_to_fefo=True)
    w1, w2 = world.bin("W1", whse), world.bin("W2", whse)
    world.receive(world.lot_wh, w1, {"quantity": 5, "lot_no": "LATE", "expiration_date": EXP_LATE})
    world.receive(world.lot_wh, w2, {"quantity": 2, "lot_no": "EARLY", "expiration_date": EXP_EARLY})
    world.receive(world.sn_wh, w1, *({"quantity": 1, "serial_no": f"S{i}"} for i in (1, 2, 3)))
    doc = document(world, (world.lot_wh, 4), (world.sn_wh, 2), location=whse)
    return Given(world, doc, receipts(world.lot_wh), receipts(world.sn_wh))


def then_wh_case_1_registered(given: Given) -> None:
    """2 of EARLY moved W2 -> SHIP2 (its place line's bin was changed), 2 of LATE W1 -> SHIP, S1 and S3
    W1 -> SHIP; nothing has left the location."""
    world = given.world
    assert bin_content(world.lot_wh) == [
        ("SHIP", "LATE", "", 2),
        ("SHIP2", "EARLY", "", 2),
        ("W1", "LATE", "", 3),
        ("W2", "EARLY", "", 0),
    ]
    assert bin_content(world.sn_wh) == [
        ("SHIP", "", "S1", 1),
        ("SHIP", "", "S3", 1),
        ("W1", "", "S1", 0),
        ("W1", "", "S2", 1),
        ("W1", "", "S3", 0),
    ]
    assert warehouse_entries(world.lot_wh)[2:] == [
        ("movement", "W2", "EARLY", "", -2),
        ("movement", "SHIP2", "EARLY", "", 2),
        ("movement", "W1", "LATE", "", -2),
        ("movement", "SHIP", "LATE", "", 2),
    ]
    assert warehouse_entries(world.sn_wh)[3:] == [
        ("movement", "W1", "", "S1", -1),
        ("movement", "SHIP", "", "S1", 1),
        ("movement", "W1", "", "S3", -1),
        ("movement", "SHIP", "", "S3", 1),
    ]
    assert [e[0] for e in ledger(world.lot_wh) + ledger(world.sn_wh)] == ["positive_adjustment"] * 5


def then_wh_case_1_shipped(given: Given) -> None:
    """EARLY from SHIP2, LATE from SHIP, S1 and S3 from SHIP shipped, each applied to its receipt."""
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
    assert warehouse_entries(world.lot_wh)[6:] == [
        ("sale", "SHIP2", "EARLY", "", -2),
        ("sale", "SHIP", "LATE", "", -2),
    ]
    assert warehouse_entries(world.sn_wh)[7:] == [
        ("sale", "SHIP", "", "S1", -1),
        ("sale", "SHIP", "", "S3", -1),
    ]
    assert bin_content(world.lot_wh) == [
        ("SHIP", "LATE", "", 0),
        ("SHIP2", "EARLY", "", 0),
        ("W1", "LATE", "", 3),
        ("W2", "EARLY", "", 0),
    ]
    assert [row for row in bin_content(world.sn_wh) if row[3]] == [("W1", "", "S2", 1)]
    lot_line, serial_line = source_line(doc, 10000), source_line(doc, 20000)
    assert (lot_line.qty_shipped, lot_line.qty_on_shipments, serial_line.qty_shipped) == (4, 0, 2)
    assert tracking(lot_line) == [("EARLY", "", 2, 2, "pick"), ("LATE", "", 2, 2, "pick")]
    assert tracking(serial_line) == [("", "S1", 1, 1, "pick"), ("", "S3", 1, 1, "pick")]
    assert SourceDocument.objects.get(pk=doc.pk).status == "shipped"


# --- Case 2: new numbers assigned while shipping ---------------------------------------------------


def wh_case_2_given() -> Given:
    """Stock without numbers: 5 of SN-OUT in W1, 10 of LOT-OUT in W2; an order for 3 and 4."""
    world = build_world()
    whse = world.add_warehouse()
    world.receive(world.sn_out, world.bin("W1", whse), {"quantity": 5})
    world.receive(world.lot_out, world.bin("W2", whse), {"quantity": 10})
    doc = document(world, (world.sn_out, 3), (world.lot_out, 4), location=whse)
    return Given(world, doc, receipts(world.lot_out), receipts(world.sn_out))


def then_wh_case_2_registered(given: Given) -> None:
    """Stock carries no numbers: 3 units of SN-OUT and 4 of LOT-OUT moved to SHIP without numbers."""
    world = given.world
    assert bin_content(world.sn_out) == [("SHIP", "", "", 3), ("W1", "", "", 2)]
    assert bin_content(world.lot_out) == [("SHIP", "", "", 4), ("W2", "", "", 6)]
    assert (
        warehouse_entries(world.sn_out)[1:]
        == [
            ("movement", "W1", "", "", -1),
            ("movement", "SHIP", "", "", 1),
        ]
        * 3
    )
    assert warehouse_entries(world.lot_out)[1:] == [
        ("movement", "W2", "", "", -4),
        ("movement", "SHIP", "", "", 4),
    ]
    assert len(ledger(world.sn_out)) == len(ledger(world.lot_out)) == 1


def then_wh_case_2_shipped(given: Given) -> None:
    """The assigned numbers ship: SO-0001..SO-0003 and lot LO-2026-001, applied to the plain receipts; the
    warehouse entries out of SHIP carry no numbers (the stock carries none)."""
    world, doc = given.world, given.doc
    serial_receipt, lot_receipt = given.serial_receipts[("", "")], given.lot_receipts[("", "")]
    assert ledger(world.sn_out)[1:] == [
        ("sale", "", f"SO-000{i}", Decimal(-1), serial_receipt) for i in (1, 2, 3)
    ]
    assert ledger(world.lot_out)[1:] == [("sale", "LO-2026-001", "", Decimal(-4), lot_receipt)]
    assert warehouse_entries(world.sn_out)[7:] == [("sale", "SHIP", "", "", -1)] * 3
    assert warehouse_entries(world.lot_out)[3:] == [("sale", "SHIP", "", "", -4)]
    assert bin_content(world.sn_out) == [("SHIP", "", "", 0), ("W1", "", "", 2)]
    assert bin_content(world.lot_out) == [("SHIP", "", "", 0), ("W2", "", "", 6)]
    assert tracking(source_line(doc, 10000)) == [("", f"SO-000{i}", 1, 1, "pick") for i in (1, 2, 3)]
    assert tracking(source_line(doc, 20000)) == [("LO-2026-001", "", 4, 4, "pick")]


# --- Case 3: the worker selects existing numbers ---------------------------------------------------


def wh_case_3_given() -> Given:
    """SN-SPEC: X1, X2, X3 in W1; LOT-SPEC: 5 of L1 (late) and 5 of L2 (early) in W2; an order for 2 and 3."""
    world = build_world()
    whse = world.add_warehouse()
    world.receive(
        world.sn_spec, world.bin("W1", whse), *({"quantity": 1, "serial_no": f"X{i}"} for i in (1, 2, 3))
    )
    world.receive(
        world.lot_spec,
        world.bin("W2", whse),
        {"quantity": 5, "lot_no": "L1", "expiration_date": EXP_LATE},
        {"quantity": 5, "lot_no": "L2", "expiration_date": EXP_EARLY},
    )
    doc = document(world, (world.sn_spec, 2), (world.lot_spec, 3), location=whse)
    return Given(world, doc, receipts(world.lot_spec), receipts(world.sn_spec))


def then_wh_case_3_registered(given: Given) -> None:
    """The selected numbers moved: X1 and X3 W1 -> SHIP, 3 of L1 W2 -> SHIP."""
    world = given.world
    assert bin_content(world.sn_spec) == [
        ("SHIP", "", "X1", 1),
        ("SHIP", "", "X3", 1),
        ("W1", "", "X1", 0),
        ("W1", "", "X2", 1),
        ("W1", "", "X3", 0),
    ]
    assert bin_content(world.lot_spec) == [("SHIP", "L1", "", 3), ("W2", "L1", "", 2), ("W2", "L2", "", 5)]
    assert sorted(warehouse_entries(world.sn_spec)[3:]) == sorted(
        [
            ("movement", "W1", "", "X1", -1),
            ("movement", "SHIP", "", "X1", 1),
            ("movement", "W1", "", "X3", -1),
            ("movement", "SHIP", "", "X3", 1),
        ]
    )
    assert warehouse_entries(world.lot_spec)[2:] == [
        ("movement", "W2", "L1", "", -3),
        ("movement", "SHIP", "L1", "", 3),
    ]


def then_wh_case_3_shipped(given: Given) -> None:
    """Exactly the selected numbers left, from SHIP: X1 and X3, 3 of lot L1."""
    world, doc = given.world, given.doc
    lot_receipts, serial_receipts = given.lot_receipts, given.serial_receipts
    assert sorted(ledger(world.sn_spec)[3:]) == [
        ("sale", "", "X1", Decimal(-1), serial_receipts[("", "X1")]),
        ("sale", "", "X3", Decimal(-1), serial_receipts[("", "X3")]),
    ]
    assert ledger(world.lot_spec)[2:] == [("sale", "L1", "", Decimal(-3), lot_receipts[("L1", "")])]
    assert sorted(e for e in warehouse_entries(world.sn_spec) if e[0] == "sale") == [
        ("sale", "SHIP", "", "X1", -1),
        ("sale", "SHIP", "", "X3", -1),
    ]
    assert [e for e in warehouse_entries(world.lot_spec) if e[0] == "sale"] == [
        ("sale", "SHIP", "L1", "", -3)
    ]
    assert [row for row in bin_content(world.sn_spec) if row[3]] == [("W1", "", "X2", 1)]
    assert bin_content(world.lot_spec) == [("SHIP", "L1", "", 0), ("W2", "L1", "", 2), ("W2", "L2", "", 5)]
    assert tracking(source_line(doc, 10000)) == [("", "X1", 1, 1, "pick"), ("", "X3", 1, 1, "pick")]
    assert tracking(source_line(doc, 20000)) == [("L1", "", 3, 3, "pick")]


# --- Case 4: numbers prescribed by the source document ---------------------------------------------


def wh_case_4_given() -> Given:
    """LOT-SPEC: L1 in W1 (2) and W2 (3), 9 of L2 in W1; SN-SPEC: X1, X2 in W1.

    The order prescribes lot L1 x 4 (line 10000) and serial X2 (line 20000).
    """
    world = build_world()
    whse = world.add_warehouse()
    w1, w2 = world.bin("W1", whse), world.bin("W2", whse)
    world.receive(world.lot_spec, w1, {"quantity": 2, "lot_no": "L1"}, {"quantity": 9, "lot_no": "L2"})
    world.receive(world.lot_spec, w2, {"quantity": 3, "lot_no": "L1"})
    world.receive(world.sn_spec, w1, {"quantity": 1, "serial_no": "X1"}, {"quantity": 1, "serial_no": "X2"})
    doc = document(
        world,
        (world.lot_spec, 4, {"tracking": [("", "L1", 4)]}),
        (world.sn_spec, 1, {"tracking": [("X2", "", 1)]}),
        location=whse,
    )
    return Given(world, doc, receipts(world.lot_spec), receipts(world.sn_spec))


def then_wh_case_4_registered(given: Given) -> None:
    """2 of L1 from W1 and 1 from W2 (of the 2 on the pick), and X2, moved to SHIP."""
    world = given.world
    assert bin_content(world.lot_spec) == [
        ("SHIP", "L1", "", 3),
        ("W1", "L1", "", 0),
        ("W1", "L2", "", 9),
        ("W2", "L1", "", 2),
    ]
    assert bin_content(world.sn_spec) == [("SHIP", "", "X2", 1), ("W1", "", "X1", 1), ("W1", "", "X2", 0)]
    assert warehouse_entries(world.lot_spec)[3:] == [
        ("movement", "W1", "L1", "", -2),
        ("movement", "SHIP", "L1", "", 2),
        ("movement", "W2", "L1", "", -1),
        ("movement", "SHIP", "L1", "", 1),
    ]


def then_wh_case_4_shipped(given: Given) -> None:
    """3 of L1 (2 from the first receipt, 1 from the second) and X2 shipped from SHIP; the prescribed
    tracking lines count it, nothing of origin `pick` is written."""
    world, doc = given.world, given.doc
    l1_receipts = list(
        ItemLedgerEntry.objects.filter(item=world.lot_spec, lot_no="L1", quantity__gt=0)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    assert ledger(world.lot_spec)[3:] == [
        ("sale", "L1", "", Decimal(-2), l1_receipts[0]),
        ("sale", "L1", "", Decimal(-1), l1_receipts[1]),
    ]
    assert ledger(world.sn_spec)[2:] == [("sale", "", "X2", Decimal(-1), given.serial_receipts[("", "X2")])]
    assert [e for e in warehouse_entries(world.lot_spec) if e[0] == "sale"] == [
        ("sale", "SHIP", "L1", "", -2),
        ("sale", "SHIP", "L1", "", -1),
    ]
    assert [e for e in warehouse_entries(world.sn_spec) if e[0] == "sale"] == [("sale", "SHIP", "", "X2", -1)]
    assert bin_content(world.lot_spec) == [
        ("SHIP", "L1", "", 0),
        ("W1", "L1", "", 0),
        ("W1", "L2", "", 9),
        ("W2", "L1", "", 2),
    ]
    lot_line, serial_line = source_line(doc, 10000), source_line(doc, 20000)
    assert (lot_line.qty_shipped, lot_line.qty_on_shipments, serial_line.qty_shipped) == (3, 1, 1)
    assert tracking(lot_line) == [("L1", "", 4, 3, "source")]
    assert tracking(serial_line) == [("", "X2", 1, 1, "source")]


# --- Shipment only: posting the shipment ships straight from the lines' bins -------------------------------


def shipment_only_given() -> Given:
    """SHIPONLY requires shipment, not pick, picks by FEFO; LOT-WH: LATE 5 and EARLY 3 in W1; SN-SPEC: X1,
    X2, X3 in W2. The order asks for 6 of LOT-WH (no numbers prescribed: proposed like case 1) and 2 of
    SN-SPEC prescribing X3 (the other one proposed, though specific: there is no worker to select it)."""
    world = build_world()
    whse = world.add_warehouse("SHIPONLY", require_pick=False, pick_according_to_fefo=True)
    w1, w2 = world.bin("W1", whse), world.bin("W2", whse)
    world.receive(
        world.lot_wh,
        w1,
        {"quantity": 5, "lot_no": "LATE", "expiration_date": EXP_LATE},
        {"quantity": 3, "lot_no": "EARLY", "expiration_date": EXP_EARLY},
    )
    world.receive(world.sn_spec, w2, *({"quantity": 1, "serial_no": f"X{i}"} for i in (1, 2, 3)))
    doc = document(world, (world.lot_wh, 6), (world.sn_spec, 2, {"tracking": [("X3", "", 1)]}), location=whse)
    return Given(world, doc, receipts(world.lot_wh), receipts(world.sn_spec))


def then_shipment_only_shipped(given: Given) -> None:
    """A first posting of 4 of LOT-WH and both serials: 3 of EARLY and 1 of LATE (FEFO) from W1, X3
    (prescribed) and X1 (first received) from W2; straight out of the bins, no movement."""
    world, doc = given.world, given.doc
    lot_receipts, serial_receipts = given.lot_receipts, given.serial_receipts
    assert ledger(world.lot_wh)[2:] == [
        ("sale", "EARLY", "", Decimal(-3), lot_receipts[("EARLY", "")]),
        ("sale", "LATE", "", Decimal(-1), lot_receipts[("LATE", "")]),
    ]
    assert ledger(world.sn_spec)[3:] == [
        ("sale", "", "X3", Decimal(-1), serial_receipts[("", "X3")]),
        ("sale", "", "X1", Decimal(-1), serial_receipts[("", "X1")]),
    ]
    assert warehouse_entries(world.lot_wh)[2:] == [
        ("sale", "W1", "EARLY", "", -3),
        ("sale", "W1", "LATE", "", -1),
    ]
    assert warehouse_entries(world.sn_spec)[3:] == [
        ("sale", "W2", "", "X3", -1),
        ("sale", "W2", "", "X1", -1),
    ]
    assert bin_content(world.lot_wh) == [("W1", "EARLY", "", 0), ("W1", "LATE", "", 4)]
    assert bin_content(world.sn_spec) == [("W2", "", "X1", 0), ("W2", "", "X2", 1), ("W2", "", "X3", 0)]
    lot_line, serial_line = source_line(doc, 10000), source_line(doc, 20000)
    assert (lot_line.qty_shipped, lot_line.qty_on_shipments, serial_line.qty_shipped) == (4, 2, 2)
    assert tracking(lot_line) == [("EARLY", "", 3, 3, "pick"), ("LATE", "", 1, 1, "pick")]
    assert tracking(serial_line) == [("", "X1", 1, 1, "pick"), ("", "X3", 1, 1, "source")]


# --- Through the pages -------------------------------------------------------------------------------------


def page_create_shipment(client: Any, doc: SourceDocument) -> tuple[WarehouseShipment, str]:
    """Press "Create warehouse shipment" on the source document page (which offers no inventory pick at
    a location that requires shipment); the shipment page is returned."""
    page = text(client.get(f"/source-documents/{doc.pk}/"))
    assert f'action="/source-documents/{doc.pk}/create-shipment/"' in page
    assert "Create Inventory Pick" not in page
    response = client.post(f"/source-documents/{doc.pk}/create-shipment/")
    shipment = WarehouseShipment.objects.filter(lines__source_line__document=doc).distinct().get()
    assert response["Location"] == f"/warehouse-shipments/{shipment.pk}/"
    return shipment, follow(client, response)


def page_create_warehouse_pick(
    client: Any, *shipments: WarehouseShipment, assigned_to: str = ""
) -> tuple[Pick, str]:
    """Press "Create warehouse pick" (on the shipment page, or the wave pick of the list); the pick page."""
    response = client.post(
        "/warehouse-picks/create/", {"shipments": [s.pk for s in shipments], "assigned_to": assigned_to}
    )
    pick = Pick.objects.filter(type=Pick.Type.WAREHOUSE_PICK).latest("pk")
    assert response.status_code == 302 and response["Location"] == f"/picks/{pick.pk}/", text(response)[:2000]
    return pick, follow(client, response)


def page_pairs(pick: Pick) -> list[tuple[str, str, str, str, Decimal, Decimal, bool]]:
    """(take bin, place bin, lot, serial, quantity, Qty. to Handle, locked) of each pair, in take line
    order, after checking that each place line follows its take line."""
    result = []
    for take in PickLine.objects.filter(pick=pick, action="take").select_related("bin", "pair__bin"):
        place = take.pair
        assert place is not None and place.pair_id == take.pk
        follows = ("quantity", "qty_handled", "qty_to_handle", "lot_no", "serial_no", "tracking_locked")
        assert all(getattr(take, name) == getattr(place, name) for name in follows), take.line_no
        assert take.bin is not None and place.bin is not None
        result.append(
            (
                take.bin.code,
                place.bin.code,
                take.lot_no,
                take.serial_no,
                take.quantity,
                take.qty_to_handle,
                take.tracking_locked,
            )
        )
    return result


def pair_card(page: str, take: PickLine) -> str:
    """The card of a pair on the warehouse pick page (its take line's card, which names the place line)."""
    match = re.search(rf'<article[^>]*id="line-{take.pk}".*?</article>', page, flags=re.S)
    assert match, f"the pair of line {take.line_no} is not on the page"
    return match.group(0)


def route(card_html: str) -> str:
    """ "Take from W1 → place in SHIP" as the card says it."""
    match = re.search(r'data-testid="pair-route">(.*?)</span>\s*$', card_html.split("</header>")[0], re.S)
    assert match, card_html[:500]
    return " ".join(re.sub(r"<[^>]+>", "", match.group(1)).split())


def take_line(pick: Pick, **numbers: Any) -> PickLine:
    return PickLine.objects.get(pick=pick, action="take", **numbers)


def page_register(client: Any, pick: Pick) -> tuple[str, str]:
    """Open the Register confirmation, then press Register: (the confirmation, the pick page after)."""
    confirm = client.get(f"/picks/{pick.pk}/register/")
    assert confirm.status_code == 200
    return text(confirm), follow(client, client.post(f"/picks/{pick.pk}/register/"))


def page_post_shipment(client: Any, shipment: WarehouseShipment) -> tuple[str, str]:
    """Open the shipment's Post confirmation, then press Post: (the confirmation, the shipment page after)."""
    confirm = client.get(f"/warehouse-shipments/{shipment.pk}/post/")
    assert confirm.status_code == 200
    return text(confirm), follow(client, client.post(f"/warehouse-shipments/{shipment.pk}/post/"))
