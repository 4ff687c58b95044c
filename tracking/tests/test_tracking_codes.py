"""Item tracking code rules: consistent flags, and no change that contradicts existing stock."""

from __future__ import annotations

import pytest

from core.exceptions import Conflict
from tracking.exceptions import TrackingCodeInUse, TrackingCodeInvalid
from tracking.services import item_tracking_code_create, item_tracking_code_update
from warehouse.tests.helpers import Warehouse, make_warehouse, receive, serials

pytestmark = pytest.mark.django_db


def test_specific_tracking_needs_warehouse_tracking() -> None:
    with pytest.raises(TrackingCodeInvalid) as refused:
        item_tracking_code_create(code="X", sn_specific_tracking=True)
    assert refused.value.errors[0]["code"] == "specific_requires_warehouse_tracking"
    assert "sn_warehouse_tracking" in refused.value.detail


def test_expiration_flags_need_use_expiration_dates() -> None:
    with pytest.raises(TrackingCodeInvalid) as refused:
        item_tracking_code_create(
            code="X", require_expiration_date_entry=True, strict_expiration_posting=True
        )
    assert [e["field"] for e in refused.value.errors] == [
        "require_expiration_date_entry",
        "strict_expiration_posting",
    ]


def test_duplicate_code() -> None:
    item_tracking_code_create(code="X")
    with pytest.raises(Conflict) as refused:
        item_tracking_code_create(code="X")
    assert refused.value.code == "already_exists"


def test_lot_warehouse_tracking_cannot_be_turned_off_while_stock_carries_lots() -> None:
    wh: Warehouse = make_warehouse()
    receive(wh, wh.lot_item, [{"quantity": 2, "lot_no": "L1", "expiration_date": "2027-06-01"}])
    code = wh.lot_item.tracking_code
    assert code is not None
    with pytest.raises(TrackingCodeInUse) as refused:
        item_tracking_code_update(tracking_code=code, lot_warehouse_tracking=False)
    assert refused.value.errors[0]["code"] == "stock_carries_numbers"
    code.refresh_from_db()
    assert code.lot_warehouse_tracking
    # once the stock is gone, it may
    receive(wh, wh.lot_item, [{"quantity": -2, "lot_no": "L1"}])
    assert not item_tracking_code_update(
        tracking_code=code, lot_warehouse_tracking=False
    ).lot_warehouse_tracking


def test_warehouse_tracking_cannot_be_turned_on_while_stock_has_no_numbers() -> None:
    wh = make_warehouse()
    receive(wh, wh.new_serial_item, [{"quantity": 3}])
    code = wh.new_serial_item.tracking_code
    assert code is not None
    with pytest.raises(TrackingCodeInUse) as refused:
        item_tracking_code_update(tracking_code=code, sn_warehouse_tracking=True)
    assert refused.value.errors[0]["code"] == "stock_without_numbers"
    assert "SNOUT" in refused.value.detail


def test_unrelated_changes_are_fine_with_stock() -> None:
    wh = make_warehouse()
    receive(wh, wh.serial_item, serials(2))
    code = wh.serial_item.tracking_code
    assert code is not None
    updated = item_tracking_code_update(
        tracking_code=code, description="Serials", strict_expiration_posting=True
    )
    assert updated.description == "Serials" and updated.strict_expiration_posting
