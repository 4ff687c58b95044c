"""A small warehouse for the pick tests: one location (MAIN) with bins A1, B1, one item per tracking case.

Items (docs/domain.md, "The four outbound cases"):
- `SN-WH`: serial warehouse tracking (not specific): case 1, proposed first received first.
- `LOT-WH`: lot warehouse tracking with expiration dates: case 1 (FEFO when the location picks by FEFO).
- `SN-SPEC` / `LOT-SPEC`: specific tracking: case 3, blank numbers the worker selects.
- `SN-OUT` / `LOT-OUT`: outbound tracking only, with number series: case 2, numbers assigned.
- `PLAIN`: not tracked.
Case 4 is any of them with numbers prescribed on the source line (`document(...)` with `tracking`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from picking.models import ItemTrackingLine, SourceDocument, SourceLine
from tests import factories
from warehouse.models import Bin, BinContent, Item, ItemLedgerEntry, Location, WarehouseEntry
from warehouse.services.adjustments import inventory_adjust

# factory_boy factories return model instances; typed as Any for mypy.
BinFactory: Any = factories.BinFactory
ItemFactory: Any = factories.ItemFactory
ItemTrackingCodeFactory: Any = factories.ItemTrackingCodeFactory
LocationFactory: Any = factories.LocationFactory
NoSeriesFactory: Any = factories.NoSeriesFactory
SourceDocumentFactory: Any = factories.SourceDocumentFactory
SourceLineFactory: Any = factories.SourceLineFactory
UserFactory: Any = factories.UserFactory
WarehouseEmployeeFactory: Any = factories.WarehouseEmployeeFactory

EXP_EARLY = datetime.date(2030, 1, 31)
EXP_LATE = datetime.date(2030, 6, 30)


@dataclass
class World:
    location: Location
    east: Location
    a1: Bin
    b1: Bin
    sn_wh: Item
    lot_wh: Item
    sn_spec: Item
    lot_spec: Item
    sn_out: Item
    lot_out: Item
    plain: Item
    admin: Any
    worker: Any
    supervisor: Any
    outsider: Any

    def receive(self, item: Item, bin_code: str, *entries: dict[str, Any]) -> None:
        inventory_adjust(
            location_code=self.location.code,
            bin_code=bin_code,
            item_no=item.no,
            entries=[{k: str(v) for k, v in e.items()} for e in entries],
            user=self.admin,
        )

    def stock(self, item: Item, bin_: Bin | None = None, **numbers: str) -> Decimal:
        rows = BinContent.objects.filter(item=item, **numbers)
        if bin_ is not None:
            rows = rows.filter(bin=bin_)
        return sum((r.quantity for r in rows), Decimal(0))


def build_world() -> World:
    location = LocationFactory(code="MAIN", name="Main warehouse")
    east = LocationFactory(code="EAST", name="East warehouse")
    a1 = BinFactory(location=location, code="A1")
    b1 = BinFactory(location=location, code="B1")
    BinFactory(location=east, code="E1")
    codes = {
        "SNWH": {"sn_warehouse_tracking": True},
        "LOTWH": {"lot_warehouse_tracking": True, "use_expiration_dates": True},
        "SNSPEC": {"sn_specific_tracking": True, "sn_warehouse_tracking": True},
        "LOTSPEC": {
            "lot_specific_tracking": True,
            "lot_warehouse_tracking": True,
            "use_expiration_dates": True,
        },
        "SNOUT": {"sn_outbound_tracking": True},
        "LOTOUT": {"lot_outbound_tracking": True},
    }
    tc = {code: ItemTrackingCodeFactory(code=code, **flags) for code, flags in codes.items()}
    sn_series = NoSeriesFactory(code="SNOUT", starting_no="SO-0001")
    lot_series = NoSeriesFactory(code="LOTOUT", starting_no="LO-2026-001")
    admin = UserFactory(username="stock-admin", is_superuser=True)
    worker = UserFactory(username="worker-main", roles=["worker"])
    supervisor = UserFactory(username="sup-main", roles=["supervisor"])
    outsider = UserFactory(username="sup-east", roles=["supervisor"])
    WarehouseEmployeeFactory(user=worker, location=location)
    WarehouseEmployeeFactory(user=supervisor, location=location)
    WarehouseEmployeeFactory(user=outsider, location=east)
    return World(
        location=location,
        east=east,
        a1=a1,
        b1=b1,
        sn_wh=ItemFactory(no="SN-WH", tracking_code=tc["SNWH"]),
        lot_wh=ItemFactory(no="LOT-WH", tracking_code=tc["LOTWH"]),
        sn_spec=ItemFactory(no="SN-SPEC", tracking_code=tc["SNSPEC"]),
        lot_spec=ItemFactory(no="LOT-SPEC", tracking_code=tc["LOTSPEC"]),
        sn_out=ItemFactory(no="SN-OUT", tracking_code=tc["SNOUT"], serial_nos=sn_series),
        lot_out=ItemFactory(no="LOT-OUT", tracking_code=tc["LOTOUT"], lot_nos=lot_series),
        plain=ItemFactory(no="PLAIN"),
        admin=admin,
        worker=worker,
        supervisor=supervisor,
        outsider=outsider,
    )


def document(
    world: World, *lines: tuple[Item, Any] | tuple[Item, Any, dict[str, Any]], no: str | None = None
) -> SourceDocument:
    """A sales order at MAIN.

    Each line is (item, quantity[, {"bin": Bin, "tracking": [(serial, lot, qty)]}]).
    """
    kwargs: dict[str, Any] = {"location": world.location}
    if no:
        kwargs["no"] = no
    doc = SourceDocumentFactory(**kwargs)
    for index, spec in enumerate(lines):
        item, quantity = spec[0], Decimal(str(spec[1]))
        extra: dict[str, Any] = spec[2] if len(spec) > 2 else {}
        line = SourceLineFactory(
            document=doc, line_no=(index + 1) * 10000, item=item, quantity=quantity, bin=extra.get("bin")
        )
        for serial_no, lot_no, qty in extra.get("tracking", []):
            ItemTrackingLine.objects.create(
                source_line=line, serial_no=serial_no, lot_no=lot_no, quantity=Decimal(str(qty))
            )
    return doc


def source_line(doc: SourceDocument, line_no: int = 10000) -> SourceLine:
    return SourceLine.objects.get(document=doc, line_no=line_no)


# --- API helpers ----------------------------------------------------------------------------------


@pytest.fixture
def fast_password_hashing(settings: Any) -> None:
    """Test users get passwords; a fast hasher keeps the world cheap to build."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def api(user: Any) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def ok(response: Any, status_code: int = 200) -> Any:
    """The JSON body, after checking the status (the body is shown when it differs)."""
    body = response.json() if response.content else None
    assert response.status_code == status_code, body
    return body


def ledger(item: Item) -> list[tuple[str, str, str, Decimal, int | None]]:
    """(entry type, lot, serial, quantity, receipt it applies to) of the item's entries, in pk order."""
    return [
        (e.entry_type, e.lot_no, e.serial_no, e.quantity, e.applies_to_entry_id)
        for e in ItemLedgerEntry.objects.filter(item=item).order_by("pk")
    ]


def receipts(item: Item) -> dict[tuple[str, str], int]:
    """Receipt entry id per (lot, serial) of the item (one receipt per number in these tests)."""
    return {(e.lot_no, e.serial_no): e.pk for e in ItemLedgerEntry.objects.filter(item=item, quantity__gt=0)}


def warehouse_out(item: Item) -> list[tuple[str, str, str, Decimal]]:
    return [
        (e.bin.code, e.lot_no, e.serial_no, e.quantity)
        for e in WarehouseEntry.objects.filter(item=item, quantity__lt=0).select_related("bin").order_by("pk")
    ]


def bin_content(item: Item) -> list[tuple[str, str, str, Decimal]]:
    return [
        (c.bin.code, c.lot_no, c.serial_no, c.quantity)
        for c in BinContent.objects.filter(item=item)
        .select_related("bin")
        .order_by("bin__code", "lot_no", "serial_no")
    ]


def tracking(line: SourceLine) -> list[tuple[str, str, Decimal, Decimal, str]]:
    return [
        (t.lot_no, t.serial_no, t.quantity, t.qty_handled, t.origin)
        for t in ItemTrackingLine.objects.filter(source_line=line).order_by("origin", "lot_no", "serial_no")
    ]
