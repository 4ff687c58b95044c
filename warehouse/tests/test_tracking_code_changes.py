"""A tracking code change that contradicts stock is refused (the warehouse app's check, which the
tracking services, API and admin run through tracking's change checks), and only such a change."""

from __future__ import annotations

from typing import Any

import pytest

from tests.clients import problem
from tests.world import World, serials
from tracking.exceptions import TrackingCodeInUse
from tracking.models import ItemTrackingCode
from tracking.services import item_tracking_code_update

pytestmark = pytest.mark.django_db


def test_lot_warehouse_tracking_cannot_be_turned_off_while_stock_carries_lots(wh: World) -> None:
    wh.receive(wh.lot_strict, "A1", {"quantity": 2, "lot_no": "L1", "expiration_date": "2027-06-01"})
    code = wh.lot_strict.tracking_code
    assert code is not None
    with pytest.raises(TrackingCodeInUse) as refused:
        item_tracking_code_update(tracking_code=code, lot_warehouse_tracking=False)
    assert refused.value.errors[0]["code"] == "stock_carries_numbers"
    code.refresh_from_db()
    assert code.lot_warehouse_tracking
    # once the stock is gone, it may
    wh.receive(wh.lot_strict, "A1", {"quantity": -2, "lot_no": "L1"})
    assert not item_tracking_code_update(
        tracking_code=code, lot_warehouse_tracking=False
    ).lot_warehouse_tracking


def test_warehouse_tracking_cannot_be_turned_on_while_stock_has_no_numbers(wh: World) -> None:
    wh.receive(wh.sn_out, "A1", {"quantity": 3})
    code = wh.sn_out.tracking_code
    assert code is not None
    with pytest.raises(TrackingCodeInUse) as refused:
        item_tracking_code_update(tracking_code=code, sn_warehouse_tracking=True)
    assert refused.value.errors[0]["code"] == "stock_without_numbers"
    assert "SNOUT" in refused.value.detail


def test_unrelated_changes_are_fine_with_stock(wh: World) -> None:
    wh.receive(wh.sn_spec, "A1", *serials(2))
    code = wh.sn_spec.tracking_code
    assert code is not None
    updated = item_tracking_code_update(
        tracking_code=code, description="Serials", strict_expiration_posting=True
    )
    assert updated.description == "Serials" and updated.strict_expiration_posting


def test_tracking_code_patch_through_the_api_is_refused_when_it_contradicts_stock(
    erp_api: Any, wh: World
) -> None:
    # given lots in stock of an item whose tracking code carries lots in stock
    wh.receive(wh.lot_strict, "A1", {"quantity": 2, "lot_no": "L1", "expiration_date": "2027-06-01"})
    code = wh.lot_strict.tracking_code
    assert code is not None
    # when an ERP turns lot warehouse tracking off
    response = erp_api.patch(
        f"/api/v1/tracking-codes/{code.code}/", {"lot_warehouse_tracking": False}, format="json"
    )
    # then it is refused with the stock named, and the code is unchanged
    body = problem(response, 409, "tracking_code_in_use")
    assert body["detail"] == (
        f"Stock of items with tracking code {code.code} carries lot numbers; lot warehouse tracking cannot "
        "be turned off until that stock is gone."
    )
    assert body["errors"] == [
        {"field": "lot_warehouse_tracking", "code": "stock_carries_numbers", "detail": body["detail"]}
    ]
    assert ItemTrackingCode.objects.get(pk=code.pk).lot_warehouse_tracking
