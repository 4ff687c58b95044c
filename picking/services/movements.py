"""Movements: stock of one item moved from one bin to another of a location, with its numbers
(`POST /api/v1/inventory/movements/`). Warehouse entries out and in, bin content; no item ledger entry.

The move itself is the warehouse app's primitive (`warehouse.services.bin_moves.inventory_move`); this
service adds what only the picking app knows, checked with the bin content locked:

- stock held by open pick lines stays where it is: a movement may take only what is not on open picks
  (`on_open_pick`);
- stock in a shipping bin may be registered for a shipment line (picked stock). A movement takes the
  units no shipment waits for first; the rest is taken back from the shipment lines (their `qty_picked`
  goes down, Qty. to Ship at most what is still picked), so "move the goods back" undoes a registration
  and the shipment line can be picked again or deleted.

Lock order (docs/architecture.md): the `MOV` number series; from a shipping bin, the shipments holding
picked stock of the item there, their lines and that picked stock; then the bin content (inside the
primitive).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.db import update_rows
from core.exceptions import ErrorCode, InvalidInput, NotFoundError
from core.permissions import require_perm
from core.quantities import ZERO, format_quantity
from picking.availability import available_stock
from picking.locks import lock_picked_stock
from picking.models import PickedStock, WarehouseShipmentLine
from picking.services.document_numbers import MOVEMENT_SERIES, take_document_no
from picking.services.shipment_common import lock_shipments_with_lines, refresh_shipment_status
from picking.services.source_document_input import Error, field_error, parse_quantity
from tracking.rules import Requirement, requirement, stock_key
from warehouse.locks import BinKey
from warehouse.models import Bin, BinContent, Item, WarehouseEntry
from warehouse.scoping import get_visible_location
from warehouse.services.bin_moves import BinMove, MoveCheck, inventory_move

DOCUMENT_TYPE = "movement"


@dataclass
class MovementResult:
    document_no: str
    entries: list[WarehouseEntry]  # out, in, out, in, ... per entry of the movement


def movement_create(
    *, location_code: str, item_no: str, from_bin_code: str, to_bin_code: str, entries: Any, user: Any
) -> MovementResult:
    """Move the entries (`[{quantity, serial_no?, lot_no?}]`) of an item from one bin to another.

    Refused (nothing moved, every problem listed per entry, `line` = the entry's index from 0) when the
    numbers are not in `from_bin` (`serial_not_available`, `insufficient_quantity`), are held by open
    picks (`on_open_pick`), or are not numbers the item's stock carries.
    """
    require_perm(
        user,
        "warehouse.add_warehouseentry",
        _("Moving stock between bins is for supervisors. Ask a supervisor."),
    )
    location = get_visible_location(user, code=location_code)
    item = Item.objects.select_related("tracking_code").filter(no=item_no).first()
    if item is None:
        raise NotFoundError(
            _("There is no item %(item)s.") % {"item": item_no},
            errors=[{"field": "item", "code": ErrorCode.NOT_FOUND, "detail": _("Unknown item.")}],
        )
    from_bin = _bin(location.pk, location.code, from_bin_code, "from_bin")
    to_bin = _bin(location.pk, location.code, to_bin_code, "to_bin")
    parsed = _parse_entries(entries)
    moves = [
        BinMove(
            ref=index,
            location_id=location.pk,
            item_id=item.pk,
            from_bin_id=from_bin.pk,
            to_bin_id=to_bin.pk,
            quantity=quantity,
            lot_no=lot_no,
            serial_no=serial_no,
        )
        for index, (quantity, lot_no, serial_no) in enumerate(parsed)
    ]
    with transaction.atomic():
        document_no = take_document_no(MOVEMENT_SERIES)  # the series first in the lock order
        giving_back: _PickedStockGivenBack | None = None
        check: MoveCheck
        if from_bin.is_shipping:
            giving_back = _PickedStockGivenBack.lock(from_bin=from_bin, item=item)
            check = giving_back.plan
        else:
            check = _not_on_open_picks(location.pk, from_bin, item)
        written = inventory_move(
            moves=moves,
            document_type=DOCUMENT_TYPE,
            document_no=document_no,
            posting_date=timezone.localdate(),
            user=user,
            check=check,
        )
        if giving_back is not None:
            giving_back.write()
    return MovementResult(document_no=document_no, entries=written)


def _bin(location_id: int, location_code: str, code: Any, field_name: str) -> Bin:
    bin_ = Bin.objects.filter(location_id=location_id, code=str(code or "")).first()
    if bin_ is None:
        raise NotFoundError(
            _("There is no bin %(bin)s at location %(location)s.") % {"bin": code, "location": location_code},
            errors=[{"field": field_name, "code": ErrorCode.NOT_FOUND, "detail": _("Unknown bin.")}],
        )
    return bin_


def _parse_entries(entries: Any) -> list[tuple[Decimal, str, str]]:
    """(quantity, lot_no, serial_no) per entry; every problem at once (400, field paths `entries[i].x`)."""
    if not isinstance(entries, list) or not entries:
        raise InvalidInput(
            _("Give at least one entry: the quantity, and the serial or lot number if the item needs one."),
            errors=[{"field": "entries", "code": ErrorCode.REQUIRED, "detail": _("At least one entry.")}],
        )
    errors: list[Error] = []
    parsed = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            errors.append(field_error(f"entries[{index}]", ErrorCode.INVALID, _("An entry is an object.")))
            continue
        quantity = parse_quantity(entry.get("quantity"), f"entries[{index}].quantity", errors)
        parsed.append(
            (
                quantity or ZERO,
                str(entry.get("lot_no") or "").strip(),
                str(entry.get("serial_no") or "").strip(),
            )
        )
    if errors:
        raise InvalidInput(errors[0]["detail"], code=errors[0]["code"], errors=errors)
    return parsed


def _not_on_open_picks(location_id: int, from_bin: Bin, item: Item) -> MoveCheck:
    """The check of a movement out of a storage bin: stock held by open pick lines stays (those holding
    its numbers, and those of the bin holding units without numbers yet)."""

    def check(moves: Sequence[BinMove], rows: dict[BinKey, BinContent]) -> list[dict[str, Any]]:
        stock = available_stock(
            item_ids=[item.pk], location_id=location_id, bin_id=from_bin.pk, on_date=timezone.localdate()
        )
        held = {row.key: row.qty_on_picks for row in stock.rows}
        free_in_bin = sum((row.stock.quantity - row.qty_on_picks for row in stock.rows), ZERO) - (
            stock.unassigned_on_picks.get((from_bin.pk, item.pk), ZERO)
        )
        needed: dict[BinKey, Decimal] = defaultdict(lambda: ZERO)
        for m in moves:
            needed[m.key(from_bin.pk)] += m.quantity
        errors = []
        total = sum(needed.values(), ZERO)
        for m in moves:
            key = m.key(from_bin.pk)
            have = rows[key].quantity if key in rows else ZERO
            free = have - held.get(key, ZERO)
            if needed[key] <= have and (needed[key] > free or total > free_in_bin):
                errors.append(
                    {
                        "line": m.ref,
                        "code": ErrorCode.ON_OPEN_PICK,
                        "detail": _(
                            "Entry %(entry)s: %(held)s of item %(item)s in bin %(bin)s are on open picks and "
                            "stay there; %(free)s can be moved. Delete or post those pick lines first."
                        )
                        % {
                            "entry": int(str(m.ref)) + 1,
                            "held": format_quantity(have - max(min(free, free_in_bin), ZERO)),
                            "item": item.no,
                            "bin": from_bin.code,
                            "free": format_quantity(max(min(free, free_in_bin), ZERO)),
                        },
                    }
                )
        return errors

    return check


class _PickedStockGivenBack:
    """A movement out of a shipping bin: the units no shipment waits for go first, then picked stock is
    taken back from its shipment lines (oldest registration first)."""

    def __init__(
        self, picked: list[PickedStock], shipment_lines: list[WarehouseShipmentLine], req: Requirement
    ) -> None:
        self.picked = picked
        self.requirement = req
        self.shipment_lines = {line.pk: line for line in shipment_lines}
        self.shipment_ids = sorted({line.shipment_id for line in shipment_lines})
        self.taken: dict[int, Decimal] = {}

    @classmethod
    def lock(cls, *, from_bin: Bin, item: Item) -> _PickedStockGivenBack:
        """Lock the shipments with picked stock of the item in the bin, their lines, that picked stock."""
        waiting = Q(bin_id=from_bin.pk, item_id=item.pk, qty_shipped__lt=F("quantity"))
        _shipments, lines = lock_shipments_with_lines(
            lines=Q(pk__in=PickedStock.objects.filter(waiting).values("shipment_line_id"))
        )
        picked = lock_picked_stock(where=Q(shipment_line_id__in=[line.pk for line in lines]) & waiting)
        return cls(picked, lines, requirement(item.tracking_code))

    def plan(self, moves: Sequence[BinMove], rows: dict[BinKey, BinContent]) -> list[dict[str, Any]]:
        """With the bin content locked: which picked stock each move takes back (no problem of its own)."""
        waiting: dict[tuple[str, str], list[PickedStock]] = defaultdict(list)
        for row in self.picked:
            waiting[stock_key(self.requirement, row.lot_no, row.serial_no)].append(row)
        needed: dict[BinKey, Decimal] = defaultdict(lambda: ZERO)
        for m in moves:
            needed[(m.from_bin_id, m.item_id, m.lot_no, m.serial_no)] += m.quantity
        for key, quantity in needed.items():
            rows_waiting = waiting.get((key[2], key[3]), [])
            registered = sum((r.quantity - r.qty_shipped for r in rows_waiting), ZERO)
            have = rows[key].quantity if key in rows else ZERO
            to_take_back = quantity - max(have - registered, ZERO)
            for row in rows_waiting:
                if to_take_back <= 0:
                    break
                take = min(to_take_back, row.quantity - row.qty_shipped)
                self.taken[row.pk] = take
                to_take_back -= take
        return []

    def write(self) -> None:
        """The picked stock taken back (rows emptied are deleted), the shipment lines' `qty_picked` and
        Qty. to Ship, the shipments' status."""
        if not self.taken:
            return
        by_pk = {row.pk: row for row in self.picked}
        gone = [pk for pk, take in self.taken.items() if take == by_pk[pk].quantity]
        update_rows(
            PickedStock,
            [(pk, -take) for pk, take in self.taken.items() if pk not in gone],
            add_fields=["quantity"],
        )
        PickedStock.objects.filter(pk__in=gone).delete()
        per_line: dict[int, Decimal] = defaultdict(lambda: ZERO)
        for pk, take in self.taken.items():
            per_line[by_pk[pk].shipment_line_id] += take
        rows = []
        for line_id, take in per_line.items():
            line = self.shipment_lines[line_id]
            picked = line.qty_picked - take
            rows.append((line_id, min(line.qty_to_ship, picked - line.qty_shipped), -take))
        update_rows(WarehouseShipmentLine, rows, set_fields=["qty_to_ship"], add_fields=["qty_picked"])
        refresh_shipment_status(shipments=Q(pk__in=self.shipment_ids))
