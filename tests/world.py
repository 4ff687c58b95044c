"""The test world: the scenario data every test folder builds on, and the small actions and readers the
tests share. `build_world()` is the one builder of scenario data; tests/factories.py is its low-level layer
(one factory per model, nothing more).

The base world, `build_world()`:
- location MAIN "Main warehouse" (inventory picks: require pick, bin mandatory) with bins A1 and B1;
  location EAST "East warehouse" with bin E1;
- one item per tracking case (docs/domain.md, "The four outbound cases"), its tracking code in brackets
  (flags in `TRACKING_CODES`):
  - `sn_wh` SN-WH [SNWH]: serial warehouse tracking (not specific): case 1, proposed first received first;
  - `lot_wh` LOT-WH [LOTWH]: lot warehouse tracking with expiration dates: case 1 (FEFO when the location
    picks by FEFO);
  - `sn_spec` SN-SPEC [SNSPEC] / `lot_spec` LOT-SPEC [LOTSPEC]: specific tracking: case 3, blank numbers the
    worker selects;
  - `sn_out` SN-OUT [SNOUT, series SNOUT: SO-0001...] / `lot_out` LOT-OUT [LOTOUT, series LOTOUT:
    LO-2026-001...]: outbound tracking only: case 2, numbers assigned while shipping;
  - `lot_strict` LOT-STRICT [LOTSTRICT]: lot warehouse tracking, expiration date required on receipt,
    strictly expired stock never ships;
  - `plain` PLAIN: not tracked.
  Case 4 is any of them with numbers prescribed on the source line (`document(...)` with `tracking`).
- users: `admin` (stock-admin, superuser and staff), `worker` (worker-main) and `supervisor` (sup-main) at
  MAIN, `outsider` (sup-east, a supervisor at EAST).

Options: `expiring_serials=True` gives SN-SPEC the tracking code SNSPEC-EXP (SNSPEC with expiration
dates) instead of SNSPEC; `posting_date` is the posting date of `receive` (default: today).

Extend it: `world.add_location(code, *bin_codes, **fields)` (`shipment_bin="SHIP"` names one of its bins, a
shipping bin; `shipping=(...)` more shipping bins), `world.add_warehouse()` (WHSE: requires shipment and
pick, storage bins W1 and W2, shipping bins SHIP and SHIP2), `world.bin(code, location)`,
`world.add_item(no, code, **fields)`, `world.add_user(username, role, *locations)`. Givens:
`world.receive(item, bin, *entries)`, `serials(count)`, `with_source_document_stock(world)`. Source
documents: `document(world, *lines)` writes one directly (lines with or without prescribed numbers),
`order(no, *lines)` is the body the API and `source_document_create` take. Picks through the services:
`pick_from(world, doc)`, `make_pick(world, *lines)`, `ship(world, pick)`; `put_on_pick(source_line, ...)`
writes an open pick line directly. Warehouse shipments through the services: `shipment_for(world, *docs)`,
`warehouse_pick_for(world, *shipments)`, `register(world, pick)`, `post_shipment(world, shipment)`.
Reading: `source_line`, `shipment_line`, `ledger`, `receipts`, `warehouse_out`, `warehouse_entries`,
`bin_content`, `tracking`, `world.stock`. Clients for a user (API token, logged-in pages) and answer checks
are in tests/clients.py.
"""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from picking.models import (
    ItemTrackingLine,
    Pick,
    PickLine,
    PostedPick,
    PostedShipment,
    RegisteredPick,
    SourceDocument,
    SourceLine,
    WarehouseShipment,
    WarehouseShipmentLine,
)
from picking.services.pick_create import pick_create_from_source
from picking.services.pick_post import pick_post
from picking.services.pick_qty_to_handle import pick_autofill_qty_to_handle
from picking.services.pick_register import pick_register
from picking.services.shipment_create import warehouse_shipment_create
from picking.services.shipment_post import warehouse_shipment_post
from picking.services.warehouse_pick_create import warehouse_pick_create
from tests import factories
from tracking.models import ItemTrackingCode
from warehouse.models import Bin, BinContent, Item, ItemLedgerEntry, Location, WarehouseEntry
from warehouse.services.adjustments import inventory_adjust
from warehouse.services.master_data import lot_info_set

EXP_EARLY = datetime.date(2030, 1, 31)
EXP_LATE = datetime.date(2030, 6, 30)
TODAY = datetime.date(2027, 1, 15)  # the inventory tests' posting date: build_world(posting_date=TODAY)

# Every tracking code of the test world: one code per combination of flags, never two meanings for a code.
TRACKING_CODES: dict[str, dict[str, bool]] = {
    "SNWH": {"sn_warehouse_tracking": True},
    "LOTWH": {"lot_warehouse_tracking": True, "use_expiration_dates": True},
    "SNSPEC": {"sn_specific_tracking": True, "sn_warehouse_tracking": True},
    "SNSPEC-EXP": {"sn_specific_tracking": True, "sn_warehouse_tracking": True, "use_expiration_dates": True},
    "LOTSPEC": {"lot_specific_tracking": True, "lot_warehouse_tracking": True, "use_expiration_dates": True},
    "SNOUT": {"sn_outbound_tracking": True},
    "LOTOUT": {"lot_outbound_tracking": True},
    "SNLOTWH": {"sn_warehouse_tracking": True, "lot_warehouse_tracking": True, "use_expiration_dates": True},
    "SNLOTSPEC": {
        "sn_specific_tracking": True,
        "sn_warehouse_tracking": True,
        "lot_specific_tracking": True,
        "lot_warehouse_tracking": True,
        "use_expiration_dates": True,
    },
    "LOTSTRICT": {
        "lot_warehouse_tracking": True,
        "lot_outbound_tracking": True,
        "use_expiration_dates": True,
        "require_expiration_date_entry": True,
        "strict_expiration_posting": True,
    },
}

# factory_boy factories return model instances; typed as Any for mypy.
_Bin: Any = factories.BinFactory
_Item: Any = factories.ItemFactory
_ItemTrackingCode: Any = factories.ItemTrackingCodeFactory
_Location: Any = factories.LocationFactory
_NoSeries: Any = factories.NoSeriesFactory
_SourceDocument: Any = factories.SourceDocumentFactory
_SourceLine: Any = factories.SourceLineFactory
_User: Any = factories.UserFactory
_WarehouseEmployee: Any = factories.WarehouseEmployeeFactory

_pick_nos = itertools.count(1)


def tracking_code(code: str) -> ItemTrackingCode:
    """The tracking code `code` of `TRACKING_CODES`, created the first time it is asked for."""
    result: ItemTrackingCode = _ItemTrackingCode(code=code, **TRACKING_CODES[code])
    return result


@dataclass
class World:
    location: Location  # MAIN
    east: Location
    a1: Bin
    b1: Bin
    e1: Bin
    sn_wh: Item
    lot_wh: Item
    sn_spec: Item
    lot_spec: Item
    sn_out: Item
    lot_out: Item
    lot_strict: Item
    plain: Item
    admin: Any
    worker: Any
    supervisor: Any
    outsider: Any
    posting_date: datetime.date | None = None

    # --- extending the world ---------------------------------------------------------------------------

    def add_location(
        self,
        code: str,
        *bin_codes: str,
        shipment_bin: str = "",
        shipping: tuple[str, ...] = (),
        **fields: Any,
    ) -> Location:
        """A location with these bins; `shipment_bin` names one of them (a shipping bin), `shipping` names
        more shipping bins, the others are storage bins; `fields` are Location fields."""
        location: Location = _Location(code=code, **fields)
        shipping_bins = {shipment_bin, *shipping} - {""}
        for bin_code in bin_codes:
            _Bin(
                location=location, code=bin_code, kind="shipping" if bin_code in shipping_bins else "storage"
            )
        if shipment_bin:
            location.shipment_bin = self.bin(shipment_bin, location)
            location.save(update_fields=["shipment_bin"])
        return location

    def add_warehouse(self, code: str = "WHSE", *, require_pick: bool = True, **fields: Any) -> Location:
        """A location that requires shipment (and pick, unless `require_pick=False`): storage bins W1 and
        W2, the shipment bin SHIP and another shipping bin SHIP2; the worker and the supervisor work there.
        `fields` are Location fields (e.g. `pick_according_to_fefo=True`)."""
        location = self.add_location(
            code,
            "W1",
            "W2",
            "SHIP",
            "SHIP2",
            shipment_bin="SHIP",
            shipping=("SHIP2",),
            require_shipment=True,
            require_pick=require_pick,
            **fields,
        )
        for user in (self.worker, self.supervisor):
            _WarehouseEmployee(user=user, location=location)
        return location

    def bin(self, code: str, location: Location | None = None) -> Bin:
        """The bin `code` of `location` (MAIN when not given)."""
        return Bin.objects.get(location=location or self.location, code=code)

    def add_item(self, no: str, code: str = "", **fields: Any) -> Item:
        """An item with the tracking code `code` of `TRACKING_CODES` (none: not tracked)."""
        item: Item = _Item(no=no, tracking_code=tracking_code(code) if code else None, **fields)
        return item

    def add_user(self, username: str, role: str = "", *locations: Location, **fields: Any) -> Any:
        """A user with a role ("worker", "supervisor", "integration" or none) working at `locations`."""
        user = _User(username=username, roles=[role] if role else [], **fields)
        for location in locations:
            _WarehouseEmployee(user=user, location=location)
        return user

    # --- givens ----------------------------------------------------------------------------------------

    def receive(
        self, item: Item, bin: Bin | str, *entries: dict[str, Any], posting_date: datetime.date | None = None
    ) -> list[ItemLedgerEntry]:
        """An inventory adjustment by the admin into `bin` (a Bin, or the code of a bin at MAIN)."""
        location_code, bin_code = (
            (bin.location.code, bin.code) if isinstance(bin, Bin) else (self.location.code, bin)
        )
        return inventory_adjust(
            location_code=location_code,
            bin_code=bin_code,
            item_no=item.no,
            entries=[
                {k: v.isoformat() if isinstance(v, datetime.date) else v for k, v in e.items()}
                for e in entries
            ],
            user=self.admin,
            posting_date=posting_date or self.posting_date,
        )

    def stock(self, item: Item, bin_: Bin | None = None, **numbers: str) -> Decimal:
        """What the bins (or `bin_`) hold of the item, with these numbers."""
        rows = BinContent.objects.filter(item=item, **numbers)
        if bin_ is not None:
            rows = rows.filter(bin=bin_)
        return sum((r.quantity for r in rows), Decimal(0))


def build_world(*, expiring_serials: bool = False, posting_date: datetime.date | None = None) -> World:
    """The base world (see the module's docstring). Its rows are built by the factories and saved in one
    statement per table: every scenario test starts with this, so it must stay cheap."""
    main, east = _saved(
        _Location.build(code="MAIN", name="Main warehouse"),
        _Location.build(code="EAST", name="East warehouse"),
    )
    a1, b1, e1 = _saved(
        _Bin.build(location=main, code="A1"),
        _Bin.build(location=main, code="B1"),
        _Bin.build(location=east, code="E1"),
    )
    sn_spec_code = "SNSPEC-EXP" if expiring_serials else "SNSPEC"
    names = ["SNWH", "LOTWH", sn_spec_code, "LOTSPEC", "SNOUT", "LOTOUT", "LOTSTRICT"]
    codes = {
        c.code: c for c in _saved(*(_ItemTrackingCode.build(code=c, **TRACKING_CODES[c]) for c in names))
    }
    sn_series, lot_series = _saved(
        _NoSeries.build(code="SNOUT", starting_no="SO-0001"),
        _NoSeries.build(code="LOTOUT", starting_no="LO-2026-001"),
    )
    sn_wh, lot_wh, sn_spec, lot_spec, sn_out, lot_out, lot_strict, plain = _saved(
        _Item.build(no="SN-WH", tracking_code=codes["SNWH"]),
        _Item.build(no="LOT-WH", tracking_code=codes["LOTWH"]),
        _Item.build(no="SN-SPEC", tracking_code=codes[sn_spec_code]),
        _Item.build(no="LOT-SPEC", tracking_code=codes["LOTSPEC"]),
        _Item.build(no="SN-OUT", tracking_code=codes["SNOUT"], serial_nos=sn_series),
        _Item.build(no="LOT-OUT", tracking_code=codes["LOTOUT"], lot_nos=lot_series),
        _Item.build(no="LOT-STRICT", tracking_code=codes["LOTSTRICT"]),
        _Item.build(no="PLAIN"),
    )
    admin, worker, supervisor, outsider = _saved(
        _User.build(username="stock-admin", is_superuser=True, is_staff=True),
        _User.build(username="worker-main"),
        _User.build(username="sup-main"),
        _User.build(username="sup-east"),
    )
    factories.grant_roles([(worker, "worker"), (supervisor, "supervisor"), (outsider, "supervisor")])
    _saved(
        _WarehouseEmployee.build(user=worker, location=main),
        _WarehouseEmployee.build(user=supervisor, location=main),
        _WarehouseEmployee.build(user=outsider, location=east),
    )
    return World(
        location=main,
        east=east,
        a1=a1,
        b1=b1,
        e1=e1,
        sn_wh=sn_wh,
        lot_wh=lot_wh,
        sn_spec=sn_spec,
        lot_spec=lot_spec,
        sn_out=sn_out,
        lot_out=lot_out,
        lot_strict=lot_strict,
        plain=plain,
        admin=admin,
        worker=worker,
        supervisor=supervisor,
        outsider=outsider,
        posting_date=posting_date,
    )


def _saved(*rows: Any) -> list[Any]:
    """Rows of one model, saved in one statement (with their primary keys)."""
    return type(rows[0]).objects.bulk_create(rows)


def serials(count: int, prefix: str = "S", expiration: str | None = "2027-06-30") -> list[dict[str, Any]]:
    """Entries receiving `count` serial numbers {prefix}00000..., each with the expiration date."""
    return [
        {
            "quantity": 1,
            "serial_no": f"{prefix}{i:05d}",
            **({"expiration_date": expiration} if expiration else {}),
        }
        for i in range(count)
    ]


def with_source_document_stock(world: World) -> World:
    """Stock to prescribe numbers from (the source document tests), on `build_world(expiring_serials=True)`:

    - SN-SPEC: SN-001..SN-005 in A1, expiring EXP_EARLY;
    - LOT-SPEC: L-A 10 (EXP_EARLY), L-B 5 (EXP_LATE, blocked) and L-C 3 (EXP_LATE) in A1; L-A 4 in B1;
    - PLAIN: 50 in A1.
    """
    world.receive(
        world.sn_spec,
        "A1",
        *({"quantity": "1", "serial_no": f"SN-00{i}", "expiration_date": EXP_EARLY} for i in range(1, 6)),
    )
    world.receive(
        world.lot_spec,
        "A1",
        {"quantity": "10", "lot_no": "L-A", "expiration_date": EXP_EARLY},
        {"quantity": "5", "lot_no": "L-B", "expiration_date": EXP_LATE},
        {"quantity": "3", "lot_no": "L-C", "expiration_date": EXP_LATE},
    )
    world.receive(world.lot_spec, "B1", {"quantity": "4", "lot_no": "L-A", "expiration_date": EXP_EARLY})
    world.receive(world.plain, "A1", {"quantity": "50"})
    lot_info_set(item=world.lot_spec, lot_no="L-B", blocked=True)
    return world


# --- source documents -----------------------------------------------------------------------------------


def document(
    world: World,
    *lines: tuple[Item, Any] | tuple[Item, Any, dict[str, Any]],
    no: str | None = None,
    location: Location | None = None,
) -> SourceDocument:
    """A sales order at MAIN (or `location`), written directly.

    Each line is (item, quantity[, {"bin": Bin, "tracking": [(serial_no, lot_no, quantity)]}]): with
    `tracking`, the line's numbers are prescribed (case 4). Lines are numbered 10000, 20000, ...
    """
    kwargs: dict[str, Any] = {"location": location or world.location}
    if no:
        kwargs["no"] = no
    doc: SourceDocument = _SourceDocument(**kwargs)
    for index, spec in enumerate(lines):
        item, quantity = spec[0], Decimal(str(spec[1]))
        extra: dict[str, Any] = spec[2] if len(spec) > 2 else {}
        line = _SourceLine(
            document=doc, line_no=(index + 1) * 10000, item=item, quantity=quantity, bin=extra.get("bin")
        )
        for serial_no, lot_no, qty in extra.get("tracking", []):
            ItemTrackingLine.objects.create(
                source_line=line, serial_no=serial_no, lot_no=lot_no, quantity=Decimal(str(qty))
            )
    return doc


def order(no: str = "SO-1001", *lines: dict[str, Any], location: str = "MAIN") -> dict[str, Any]:
    """The body of a sales order for the API and `source_document_create`."""
    return {
        "type": "sales_order",
        "no": no,
        "location": location,
        "partner": "Cronus Cardoxy",
        "shipment_date": "2026-12-01",
        "lines": list(lines),
    }


def source_line(doc: SourceDocument, line_no: int = 10000) -> SourceLine:
    return SourceLine.objects.get(document=doc, line_no=line_no)


# --- picks ------------------------------------------------------------------------------------------------


def pick_from(world: World, doc: SourceDocument, user: Any = None) -> Pick:
    """The pick the supervisor (or `user`) creates for the source document (the service)."""
    result = pick_create_from_source(source_document_id=doc.pk, user=user or world.supervisor)
    assert result.pick is not None, result.not_picked
    return result.pick


def make_pick(
    world: World, *lines: tuple[Item, Any] | tuple[Item, Any, dict[str, Any]], no: str | None = None
) -> Pick:
    """A source document with these lines (see `document`) and the supervisor's pick for it."""
    return pick_from(world, document(world, *lines, no=no))


def ship(world: World, pick: Pick, user: Any = None) -> PostedPick:
    """Autofill Qty. to Handle and post the pick, as the supervisor (or `user`)."""
    user = user or world.supervisor
    pick_autofill_qty_to_handle(pick_id=pick.pk, user=user)
    return pick_post(pick_id=pick.pk, user=user)


def put_on_pick(
    source_line: SourceLine,
    *,
    quantity: Any = 1,
    qty_handled: Any = 0,
    bin: Bin | None = None,
    pick_no: str = "",
    serial_no: str = "",
    lot_no: str = "",
) -> PickLine:
    """An open pick with one take line for the source line, written directly, as pick creation would leave
    it: numbers on the line are locked, the source line's Qty. on Picks counts the line's outstanding
    quantity. The bin is the source line's, else A1 of the document's location."""
    document = source_line.document
    pick = Pick.objects.create(
        no=pick_no or f"TST{next(_pick_nos):05d}", location=document.location, source_document=document
    )
    quantity, qty_handled = Decimal(str(quantity)), Decimal(str(qty_handled))
    line = PickLine.objects.create(
        pick=pick,
        line_no=10000,
        source_line=source_line,
        item=source_line.item,
        bin=bin or source_line.bin or Bin.objects.get(location=document.location, code="A1"),
        quantity=quantity,
        qty_handled=qty_handled,
        serial_no=serial_no,
        lot_no=lot_no,
        tracking_locked=bool(serial_no or lot_no),
    )
    SourceLine.objects.filter(pk=source_line.pk).update(qty_on_picks=quantity - qty_handled)
    return line


# --- warehouse shipments and warehouse picks ----------------------------------------------------------------


def shipment_for(world: World, *docs: SourceDocument, user: Any = None) -> WarehouseShipment:
    """The warehouse shipment the supervisor (or `user`) creates for these source documents (the service)."""
    location = docs[0].location
    return warehouse_shipment_create(
        location_code=location.code, source_document_ids=[d.pk for d in docs], user=user or world.supervisor
    )


def warehouse_pick_for(world: World, *shipments: WarehouseShipment, user: Any = None) -> Pick:
    """The warehouse pick the supervisor (or `user`) creates for these shipments (the service)."""
    result = warehouse_pick_create(shipment_ids=[s.pk for s in shipments], user=user or world.supervisor)
    assert result.pick is not None, result.not_picked
    return result.pick


def register(world: World, pick: Pick, user: Any = None) -> RegisteredPick:
    """Autofill Qty. to Handle and register the warehouse pick, as the supervisor (or `user`)."""
    user = user or world.supervisor
    pick_autofill_qty_to_handle(pick_id=pick.pk, user=user)
    return pick_register(pick_id=pick.pk, user=user)


def post_shipment(world: World, shipment: WarehouseShipment, user: Any = None) -> PostedShipment:
    """Post the shipment's Qty. to Ship, as the supervisor (or `user`)."""
    return warehouse_shipment_post(shipment_id=shipment.pk, user=user or world.supervisor)


def shipment_line(shipment: WarehouseShipment, line_no: int = 10000) -> WarehouseShipmentLine:
    return WarehouseShipmentLine.objects.get(shipment=shipment, line_no=line_no)


# --- reading the ledgers ----------------------------------------------------------------------------------


def ledger(item: Item) -> list[tuple[str, str, str, Decimal, int | None]]:
    """(entry type, lot, serial, quantity, receipt it applies to) of the item's entries, in pk order."""
    return [
        (e.entry_type, e.lot_no, e.serial_no, e.quantity, e.applies_to_entry_id)
        for e in ItemLedgerEntry.objects.filter(item=item).order_by("pk")
    ]


def receipts(item: Item) -> dict[tuple[str, str], int]:
    """Receipt entry id per (lot, serial) of the item (one receipt per number in these tests)."""
    return {(e.lot_no, e.serial_no): e.pk for e in ItemLedgerEntry.objects.filter(item=item, quantity__gt=0)}


def warehouse_entries(item: Item) -> list[tuple[str, str, str, str, Decimal]]:
    """(entry type, bin, lot, serial, quantity) of all the item's warehouse entries, in pk order."""
    return [
        (e.entry_type, e.bin.code, e.lot_no, e.serial_no, e.quantity)
        for e in WarehouseEntry.objects.filter(item=item).select_related("bin").order_by("pk")
    ]


def warehouse_out(item: Item) -> list[tuple[str, str, str, Decimal]]:
    """(bin, lot, serial, quantity) of the item's outbound warehouse entries, in pk order."""
    return [
        (e.bin.code, e.lot_no, e.serial_no, e.quantity)
        for e in WarehouseEntry.objects.filter(item=item, quantity__lt=0).select_related("bin").order_by("pk")
    ]


def bin_content(item: Item) -> list[tuple[str, str, str, Decimal]]:
    """(bin, lot, serial, quantity) of the item's bin content, by bin and numbers."""
    return [
        (c.bin.code, c.lot_no, c.serial_no, c.quantity)
        for c in BinContent.objects.filter(item=item)
        .select_related("bin")
        .order_by("bin__code", "lot_no", "serial_no")
    ]


def tracking(line: SourceLine) -> list[tuple[str, str, Decimal, Decimal, str]]:
    """(lot, serial, quantity, handled, origin) of the source line's item tracking lines."""
    return [
        (t.lot_no, t.serial_no, t.quantity, t.qty_handled, t.origin)
        for t in ItemTrackingLine.objects.filter(source_line=line).order_by("origin", "lot_no", "serial_no")
    ]
