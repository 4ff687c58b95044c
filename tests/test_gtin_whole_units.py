"""Items' GTIN (check digit, one item per GTIN whatever its length) and whole units (fractions refused by
every caller of the one rule, warehouse.rules.whole_units_problem, with the field named)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from core.exceptions import InvalidInput
from picking.models import PickLine, SourceLine
from picking.services.item_tracking_lines import item_tracking_line_add
from picking.services.pick_line_assign import pick_line_assign_lot_no
from picking.services.source_lines import source_line_set_quantity
from tests.clients import api_client_for, browser_for, ok, problem
from tests.world import EXP_EARLY, World, document, make_pick, order
from warehouse.models import Item
from warehouse.rules import gtin_forms, gtin_problem, whole_units_problem

pytestmark = pytest.mark.django_db


def test_gtin_rules() -> None:
    assert gtin_problem("4006381333931") is None  # GTIN-13
    assert gtin_problem("04006381333931") is None  # the same as GTIN-14
    assert gtin_problem("96385074") is None  # GTIN-8
    assert "check digit is wrong" in (gtin_problem("4006381333932") or "")
    assert "8, 12, 13 or 14 digits" in (gtin_problem("123456789") or "")
    assert "8, 12, 13 or 14 digits" in (gtin_problem("40063813339A1") or "")
    assert gtin_forms("04006381333931") == ["4006381333931", "04006381333931"]
    assert gtin_forms("4006381333931") == ["4006381333931", "04006381333931"]
    assert gtin_forms("96385074") == ["96385074", "000096385074", "0000096385074", "00000096385074"]


def test_whole_units_rule() -> None:
    assert whole_units_problem(quantity=Decimal("2"), whole_units=True, item_no="P") is None
    assert whole_units_problem(quantity=Decimal("2.00000"), whole_units=True, item_no="P") is None
    assert whole_units_problem(quantity=Decimal("0.5"), whole_units=False, item_no="P") is None
    problem_text = whole_units_problem(quantity=Decimal("0.0000001"), whole_units=True, item_no="P")
    assert problem_text is not None and "Item P is counted in whole units" in problem_text


def test_items_api_takes_a_gtin_and_whole_units(erp_api: Any) -> None:
    # when an item is created with a GTIN and whole units
    body = ok(
        erp_api.post(
            "/api/v1/items/", {"no": "BOLT", "gtin": "4006381333931", "whole_units": True}, format="json"
        ),
        201,
    )
    assert (body["gtin"], body["whole_units"]) == ("4006381333931", True)
    # then a bad check digit, a wrong length and the same GTIN written with a leading zero are refused
    bad = problem(
        erp_api.post("/api/v1/items/", {"no": "X1", "gtin": "4006381333932"}, format="json"),
        400,
        "gtin_invalid",
    )
    assert bad["errors"][0]["field"] == "gtin"
    problem(erp_api.post("/api/v1/items/", {"no": "X2", "gtin": "12345"}, format="json"), 400, "gtin_invalid")
    taken = problem(
        erp_api.post("/api/v1/items/", {"no": "X3", "gtin": "04006381333931"}, format="json"),
        409,
        "already_exists",
    )
    assert "already the GTIN of item BOLT" in taken["detail"] and not Item.objects.filter(no="X3").exists()
    # and PATCH changes them (the item's own GTIN again is fine)
    body = ok(
        erp_api.patch("/api/v1/items/BOLT/", {"gtin": "04006381333931", "whole_units": False}, format="json")
    )
    assert (body["gtin"], body["whole_units"]) == ("04006381333931", False)
    body = ok(erp_api.patch("/api/v1/items/BOLT/", {"gtin": ""}, format="json"))
    assert body["gtin"] == ""


def test_admin_checks_the_gtin(world: World) -> None:
    admin = browser_for(world.admin)
    url = f"/admin/warehouse/item/{world.plain.pk}/change/"
    data = {"no": "PLAIN", "description": "", "base_unit_of_measure": "PCS", "gtin": "4006381333932"}
    response = admin.post(url, data)
    assert response.status_code == 200 and "check digit is wrong" in response.content.decode()
    response = admin.post(url, {**data, "gtin": "4006381333931", "whole_units": "on"})
    assert response.status_code == 302
    world.plain.refresh_from_db()
    assert (world.plain.gtin, world.plain.whole_units) == ("4006381333931", True)


@pytest.fixture
def whole(world: World) -> World:
    """LOT-WH and PLAIN counted in whole units, with stock."""
    Item.objects.filter(pk__in=[world.lot_wh.pk, world.plain.pk]).update(whole_units=True)
    world.lot_wh.refresh_from_db()
    world.plain.refresh_from_db()
    world.receive(world.lot_wh, "A1", {"quantity": 10, "lot_no": "L1", "expiration_date": EXP_EARLY})
    world.receive(world.plain, "A1", {"quantity": 10})
    return world


def test_fractions_are_refused_everywhere_with_the_field(whole: World) -> None:
    world = whole
    api = api_client_for(world.supervisor)
    erp = api_client_for(world.admin)
    # adjustments
    body = problem(
        erp.post(
            "/api/v1/inventory/adjustments/",
            {"location": "MAIN", "bin": "A1", "item": "PLAIN", "entries": [{"quantity": "0.5"}]},
            format="json",
        ),
        400,
        "fraction_not_allowed",
    )
    assert body["errors"][0]["field"] == "entries[0].quantity"
    # source document lines, and their tracking
    line = {"line_no": 10000, "item": "PLAIN", "quantity": "1.5"}
    body = problem(
        erp.post("/api/v1/source-documents/", order("SO-F1", line), format="json"),
        400,
        "invalid",  # a document's own code; each problem carries its code
    )
    assert [(e["field"], e["code"]) for e in body["errors"]] == [
        ("lines[0].quantity", "fraction_not_allowed")
    ]
    line = {
        "line_no": 10000,
        "item": "LOT-WH",
        "quantity": "2",
        "tracking": [{"lot_no": "L1", "quantity": "0.5"}],
    }
    body = problem(
        erp.post("/api/v1/source-documents/", order("SO-F2", line), format="json"),
        400,
        "invalid",
    )
    assert [(e["field"], e["code"]) for e in body["errors"]] == [
        ("lines[0].tracking[0].quantity", "fraction_not_allowed")
    ]
    # Item Tracking Lines: the line's quantity and a number's quantity
    doc = document(world, (world.lot_wh, 2))
    source = SourceLine.objects.get(document=doc)
    with pytest.raises(InvalidInput) as refused:
        source_line_set_quantity(source_line_id=source.pk, quantity="2.5", user=world.supervisor)
    assert (refused.value.code, refused.value.errors[0]["field"]) == ("fraction_not_allowed", "quantity")
    with pytest.raises(InvalidInput) as refused:
        item_tracking_line_add(source_line_id=source.pk, lot_no="L1", quantity="0.25", user=world.supervisor)
    assert refused.value.errors[0]["code"] == "fraction_not_allowed"
    # pick lines: Qty. to Handle, Split Line, Assign Lot No.
    pick = make_pick(world, (world.plain, 4))
    pick_line = PickLine.objects.get(pick=pick)
    url = f"/api/v1/picks/{pick.pk}/lines/{pick_line.pk}/"
    body = problem(api.patch(url, {"qty_to_handle": "0.5"}, format="json"), 400, "fraction_not_allowed")
    assert body["errors"][0]["field"] == "qty_to_handle"
    body = problem(api.post(url + "split/", {"quantity": "1.5"}, format="json"), 400, "fraction_not_allowed")
    assert body["errors"][0]["field"] == "quantity"
    Item.objects.filter(pk=world.lot_out.pk).update(whole_units=True)
    world.receive(world.lot_out, "A1", {"quantity": 5})
    lot_pick = make_pick(world, (world.lot_out, 3))
    with pytest.raises(InvalidInput) as refused:
        pick_line_assign_lot_no(
            pick_line_id=PickLine.objects.get(pick=lot_pick).pk, quantity="1.5", user=world.worker
        )
    assert refused.value.errors[0]["field"] == "quantity"
    # (and on the page, a worker typing 0.0000001)
    page = browser_for(world.worker).post(
        f"/picks/{pick.pk}/lines/{pick_line.pk}/", {"qty_to_handle": "0.0000001"}
    )
    assert page.status_code == 400 and "is counted in whole units" in page.content.decode()
    # (whole numbers still pass)
    ok(api.patch(url, {"qty_to_handle": "2"}, format="json"))
    # and nothing refused changed anything
    pick_line.refresh_from_db()
    assert (pick_line.quantity, pick_line.qty_to_handle) == (4, 2)
    assert not SourceLine.objects.filter(document__no__in=["SO-F1", "SO-F2"]).exists()
