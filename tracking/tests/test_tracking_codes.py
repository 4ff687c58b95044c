"""Item tracking code rules: consistent flags, unique codes.

Changes that contradict stock are refused by the warehouse app: warehouse/tests/test_tracking_code_changes.py.
"""

from __future__ import annotations

import pytest

from core.exceptions import Conflict
from tracking.exceptions import TrackingCodeInvalid
from tracking.services import item_tracking_code_create

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
