"""A small warehouse for the source document tests: one location, bins, one item per tracking case, stock.

Items (docs/domain.md, "The four outbound cases"):
- `SN-SPEC`: serial specific (and warehouse) tracking, expiration dates; SN-001..SN-005 in bin A1.
- `LOT-SPEC`: lot specific (and warehouse) tracking, expiration dates; L-A 10 and L-C 3 in A1, L-B 5
  (blocked) in A1, L-A 4 in B1.
- `SN-OUT`: serial numbers assigned only on outbound (series SNOUT: SO-0001...).
- `LOT-OUT`: lot numbers assigned only on outbound (series LOTOUT: LO-2026-001...).
- `PLAIN`: not tracked; 50 in A1.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from picking.models import Pick, PickLine, SourceLine
from tests.factories import (
    BinFactory,
    ItemFactory,
    ItemTrackingCodeFactory,
    LocationFactory,
    NoSeriesFactory,
    UserFactory,
    WarehouseEmployeeFactory,
)
from warehouse.models import Bin, Item, Location
from warehouse.services.adjustments import inventory_adjust
from warehouse.services.master_data import lot_info_set

EXP_1 = datetime.date(2030, 1, 31)
EXP_2 = datetime.date(2030, 6, 30)


@dataclass
class World:
    location: Location
    other_location: Location
    a1: Bin
    b1: Bin
    sn_spec: Item
    lot_spec: Item
    sn_out: Item
    lot_out: Item
    plain: Item
    supervisor: Any
    admin: Any


def build_world() -> World:
    location: Any = LocationFactory(code="MAIN", name="Main warehouse")
    other: Any = LocationFactory(code="EAST", name="East warehouse")
    a1: Any = BinFactory(location=location, code="A1")
    b1: Any = BinFactory(location=location, code="B1")
    BinFactory(location=other, code="E1")
    sn_spec_code: Any = ItemTrackingCodeFactory(
        code="SNSPEC", sn_specific_tracking=True, sn_warehouse_tracking=True, use_expiration_dates=True
    )
    lot_spec_code: Any = ItemTrackingCodeFactory(
        code="LOTSPEC", lot_specific_tracking=True, lot_warehouse_tracking=True, use_expiration_dates=True
    )
    sn_out_code: Any = ItemTrackingCodeFactory(code="SNOUT", sn_outbound_tracking=True)
    lot_out_code: Any = ItemTrackingCodeFactory(code="LOTOUT", lot_outbound_tracking=True)
    sn_series: Any = NoSeriesFactory(code="SNOUT", starting_no="SO-0001")
    lot_series: Any = NoSeriesFactory(code="LOTOUT", starting_no="LO-2026-001")
    sn_spec: Any = ItemFactory(no="SN-SPEC", tracking_code=sn_spec_code)
    lot_spec: Any = ItemFactory(no="LOT-SPEC", tracking_code=lot_spec_code)
    sn_out: Any = ItemFactory(no="SN-OUT", tracking_code=sn_out_code, serial_nos=sn_series)
    lot_out: Any = ItemFactory(no="LOT-OUT", tracking_code=lot_out_code, lot_nos=lot_series)
    plain: Any = ItemFactory(no="PLAIN")
    admin = UserFactory(username="stock-admin", is_superuser=True)
    supervisor = UserFactory(username="sup-main", roles=["supervisor"])
    WarehouseEmployeeFactory(user=supervisor, location=location)

    def receive(item: Item, bin_code: str, entries: list[dict[str, Any]]) -> None:
        inventory_adjust(
            location_code="MAIN", bin_code=bin_code, item_no=item.no, entries=entries, user=admin
        )

    receive(
        sn_spec,
        "A1",
        [
            {"quantity": "1", "serial_no": f"SN-00{i}", "expiration_date": EXP_1.isoformat()}
            for i in range(1, 6)
        ],
    )
    receive(
        lot_spec,
        "A1",
        [
            {"quantity": "10", "lot_no": "L-A", "expiration_date": EXP_1.isoformat()},
            {"quantity": "5", "lot_no": "L-B", "expiration_date": EXP_2.isoformat()},
            {"quantity": "3", "lot_no": "L-C", "expiration_date": EXP_2.isoformat()},
        ],
    )
    receive(lot_spec, "B1", [{"quantity": "4", "lot_no": "L-A", "expiration_date": EXP_1.isoformat()}])
    receive(plain, "A1", [{"quantity": "50"}])
    lot_info_set(item=lot_spec, lot_no="L-B", blocked=True)
    return World(
        location=location,
        other_location=other,
        a1=a1,
        b1=b1,
        sn_spec=sn_spec,
        lot_spec=lot_spec,
        sn_out=sn_out,
        lot_out=lot_out,
        plain=plain,
        supervisor=supervisor,
        admin=admin,
    )


def order(no: str = "SO-1001", *lines: dict[str, Any], location: str = "MAIN") -> dict[str, Any]:
    """The API body of a sales order."""
    return {
        "type": "sales_order",
        "no": no,
        "location": location,
        "partner": "Cronus Cardoxy",
        "shipment_date": "2026-12-01",
        "lines": list(lines),
    }


def put_on_pick(
    source_line: SourceLine, *, pick_no: str = "IPI000001", serial_no: str = "", lot_no: str = ""
) -> Pick:
    """An open pick with one take line for the source line (as pick creation would leave it)."""
    document = source_line.document
    pick = Pick.objects.create(no=pick_no, location=document.location, source_document=document)
    PickLine.objects.create(
        pick=pick,
        line_no=10000,
        source_line=source_line,
        item=source_line.item,
        bin=source_line.bin or Bin.objects.get(location=document.location, code="A1"),
        quantity=Decimal(1),
        serial_no=serial_no,
        lot_no=lot_no,
        tracking_locked=bool(serial_no or lot_no),
    )
    SourceLine.objects.filter(pk=source_line.pk).update(qty_on_picks=Decimal(1))
    return pick
