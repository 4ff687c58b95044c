"""The bin-to-bin move primitive: stock moved from one bin to another of the same location, numbers kept.

Used by movements (`POST /api/v1/inventory/movements/`) and by registering warehouse picks (storage bin to
shipping bin). Like the ledger posting primitive (`warehouse.services.posting`) it locks the bin content
rows it touches (from and to, in ONE query, pk order; lock order in docs/architecture.md), checks EVERY
move and reports every problem at once, then writes a warehouse entry out of the from-bin and one into the
to-bin per move (same numbers, same expiration date), and the bin content, with a number of queries that
does not depend on the number of moves. No item ledger entry: the goods stay at the location. A refused
call writes nothing.

Moves name the numbers the stock carries (`tracking.rules.stock_key`): a number of a kind the item's stock
does not carry is refused (`serial_not_stocked`, `lot_not_stocked`), a carried number must be given.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from core.db import bulk_insert, update_rows
from core.exceptions import ErrorCode
from core.language import day
from core.quantities import ZERO, quantity_text
from tracking.rules import Requirement, is_expired, requirement
from warehouse.exceptions import OutboundRefused
from warehouse.locks import BinKey, lock_bin_contents
from warehouse.models import Bin, BinContent, EntryType, Item, WarehouseEntry
from warehouse.services.posting import (
    OutboundMovement,
    _blocked_numbers,
    _check_each,
    _problem,
    _refusal,
    _user_id,
    bin_contents_add,
)


@dataclass(frozen=True)
class BinMove:
    """Move `quantity` (> 0) of an item with these numbers from one bin to another of the location.
    `ref` is the caller's line (problems name it)."""

    ref: object
    location_id: int
    item_id: int
    from_bin_id: int
    to_bin_id: int
    quantity: Decimal
    lot_no: str = ""
    serial_no: str = ""

    def key(self, bin_id: int) -> BinKey:
        return (bin_id, self.item_id, self.lot_no, self.serial_no)


# A check the caller adds, run with the bin content locked: the moves that passed the primitive's own
# checks and the locked rows by key -> more problems (`{"line": ref, "code", "detail"}`).
MoveCheck = Callable[[Sequence[BinMove], dict[BinKey, BinContent]], list[dict[str, Any]]]


def inventory_move(
    *,
    moves: Sequence[BinMove],
    document_type: str,
    document_no: str,
    posting_date: datetime.date,
    user: Any = None,
    refuse_unusable: bool = False,
    check: MoveCheck | None = None,
) -> list[WarehouseEntry]:
    """Move stock between bins: lock, check every move, write in bulk (or raise OutboundRefused).

    `refuse_unusable`: blocked numbers and (strict expiration posting) expired ones are refused, as when
    shipping (registering picks); a plain movement may move them (e.g. into a quarantine bin). `check`
    adds the caller's own checks under the lock (movements: not on open picks). Call inside the caller's
    `transaction.atomic()`; returns the warehouse entries written (out, in, out, in, ...).
    """
    moves = list(moves)
    if not moves:
        return []
    with transaction.atomic():
        items, bins, reqs = _load(moves)
        outs = {id(m): _outbound(m) for m in moves}
        by_out = {id(outs[id(m)]): m for m in moves}
        errors, valid_outs = _check_each(
            list(outs.values()),
            items,
            bins,
            inbound=True,  # numbers as stock carries them: carried kinds required, others refused
            more_problems=lambda out: _to_bin_problems(by_out[id(out)], bins),
            verb=_("moved"),
        )
        valid_ids = {id(out) for out in valid_outs}
        valid = [m for m in moves if id(outs[id(m)]) in valid_ids]

        rows = lock_bin_contents([m.key(m.from_bin_id) for m in valid] + [m.key(m.to_bin_id) for m in valid])
        errors += _stock_problems(valid, rows, items, bins, reqs, posting_date, refuse_unusable)
        if check is not None:
            errors += check(valid, rows)
        if errors:
            errors.sort(key=lambda e: e["line"] if isinstance(e["line"], int) else -1)  # in line order
            raise _refusal(OutboundRefused, errors, _("moved"))
        return _write(valid, rows, document_type, document_no, posting_date, _user_id(user))


def _load(moves: Sequence[BinMove]) -> tuple[dict[int, Item], dict[int, Bin], dict[int, Requirement]]:
    items = {
        i.pk: i
        for i in Item.objects.select_related("tracking_code").filter(pk__in={m.item_id for m in moves})
    }
    bins = {
        b.pk: b
        for b in Bin.objects.filter(pk__in={m.from_bin_id for m in moves} | {m.to_bin_id for m in moves})
    }
    return items, bins, {pk: requirement(item.tracking_code) for pk, item in items.items()}


def _outbound(m: BinMove) -> OutboundMovement:
    """The from-side of a move, checked like stock taken out of its bin."""
    return OutboundMovement(
        ref=m.ref,
        location_id=m.location_id,
        bin_id=m.from_bin_id,
        item_id=m.item_id,
        quantity=m.quantity,
        lot_no=m.lot_no,
        serial_no=m.serial_no,
    )


def _to_bin_problems(m: BinMove, bins: dict[int, Bin]) -> list[dict[str, Any]]:
    to_bin = bins.get(m.to_bin_id)
    if to_bin is None or to_bin.location_id != m.location_id:
        return [
            _problem(
                _outbound(m),
                ErrorCode.BIN_NOT_FOUND,
                _("Bin #%(bin)s is not a bin of this location.") % {"bin": m.to_bin_id},
            )
        ]
    if m.to_bin_id == m.from_bin_id:
        return [
            _problem(
                _outbound(m),
                ErrorCode.SAME_BIN,
                _("The stock is already in bin %(bin)s: choose another bin to move it to.")
                % {"bin": to_bin.code},
            )
        ]
    if to_bin.blocked:
        return [
            _problem(
                _outbound(m),
                ErrorCode.BIN_BLOCKED,
                _("Bin %(bin)s is blocked: choose another bin or ask a supervisor to unblock it.")
                % {"bin": to_bin.code},
            )
        ]
    return []


def _stock_problems(
    moves: Sequence[BinMove],
    rows: dict[BinKey, BinContent],
    items: dict[int, Item],
    bins: dict[int, Bin],
    reqs: dict[int, Requirement],
    posting_date: datetime.date,
    refuse_unusable: bool,
) -> list[dict[str, Any]]:
    """Against the locked bin content: the numbers are in the from-bin, enough of them, and (when
    `refuse_unusable`) neither blocked nor strictly expired."""
    needed: dict[BinKey, Decimal] = defaultdict(lambda: ZERO)
    for m in moves:
        needed[m.key(m.from_bin_id)] += m.quantity
    blocked_lots: set[tuple[int, str]] = set()
    blocked_serials: set[tuple[int, str]] = set()
    if refuse_unusable:
        blocked_lots, blocked_serials = _blocked_numbers(
            {(m.item_id, m.lot_no) for m in moves if m.lot_no},
            {(m.item_id, m.serial_no) for m in moves if m.serial_no},
        )
    errors: list[dict[str, Any]] = []
    for m in moves:
        item, from_bin = items[m.item_id], bins[m.from_bin_id]
        key = m.key(m.from_bin_id)
        row = rows.get(key)
        have = row.quantity if row is not None else ZERO
        out = _outbound(m)
        numbers = " ".join(
            p
            for p in (
                _("lot %(lot)s") % {"lot": m.lot_no} if m.lot_no else "",
                _("serial %(serial)s") % {"serial": m.serial_no} if m.serial_no else "",
            )
            if p
        )
        what = _("item %(item)s") % {"item": item.no} + (f" {numbers}" if numbers else "")
        if m.serial_no and have <= 0:
            errors.append(
                _problem(
                    out,
                    ErrorCode.SERIAL_NOT_AVAILABLE,
                    _("Serial number %(serial)s of item %(item)s is not in bin %(bin)s.")
                    % {"serial": m.serial_no, "item": item.no, "bin": from_bin.code},
                )
            )
        elif needed[key] > have:
            errors.append(
                _problem(
                    out,
                    ErrorCode.INSUFFICIENT_QUANTITY,
                    _("Bin %(bin)s holds %(have)s of %(what)s, but %(needed)s are to be moved.")
                    % {
                        "bin": from_bin.code,
                        "have": quantity_text(have),
                        "what": what,
                        "needed": quantity_text(needed[key]),
                    },
                )
            )
        if (m.item_id, m.lot_no) in blocked_lots:
            errors.append(
                _problem(
                    out,
                    ErrorCode.LOT_BLOCKED,
                    _("Lot %(lot)s of item %(item)s is blocked.") % {"lot": m.lot_no, "item": item.no},
                )
            )
        if (m.item_id, m.serial_no) in blocked_serials:
            errors.append(
                _problem(
                    out,
                    ErrorCode.SERIAL_BLOCKED,
                    _("Serial number %(serial)s of item %(item)s is blocked.")
                    % {"serial": m.serial_no, "item": item.no},
                )
            )
        if (
            refuse_unusable
            and row is not None
            and is_expired(reqs[m.item_id], row.expiration_date, posting_date, strict_only=True)
        ):
            errors.append(
                _problem(
                    out,
                    ErrorCode.EXPIRED,
                    _("%(what)s expired on %(date)s; expired stock cannot be shipped.")
                    % {"what": what[:1].upper() + what[1:], "date": day(row.expiration_date)},
                )
            )
    return errors


def _write(
    moves: Sequence[BinMove],
    rows: dict[BinKey, BinContent],
    document_type: str,
    document_no: str,
    posting_date: datetime.date,
    user_id: int | None,
) -> list[WarehouseEntry]:
    """Warehouse entries out and in (one INSERT), the from-rows decremented (one UPDATE), the to-rows
    created or incremented (one upsert)."""
    entries: list[WarehouseEntry] = []
    taken: dict[BinKey, Decimal] = defaultdict(lambda: ZERO)
    added: dict[BinKey, list[Any]] = {}
    for m in moves:
        source = rows[m.key(m.from_bin_id)]
        expiration = source.expiration_date
        for bin_id, quantity in ((m.from_bin_id, -m.quantity), (m.to_bin_id, m.quantity)):
            entries.append(
                WarehouseEntry(
                    entry_type=EntryType.MOVEMENT,
                    document_type=document_type,
                    document_no=document_no,
                    posting_date=posting_date,
                    item_id=m.item_id,
                    location_id=m.location_id,
                    bin_id=bin_id,
                    serial_no=m.serial_no,
                    lot_no=m.lot_no,
                    expiration_date=expiration,
                    quantity=quantity,
                    created_by_id=user_id,
                )
            )
        taken[m.key(m.from_bin_id)] += m.quantity
        to_key = m.key(m.to_bin_id)
        if to_key in added:
            added[to_key][6] += m.quantity
        else:
            added[to_key] = [
                m.location_id,
                m.to_bin_id,
                m.item_id,
                m.lot_no,
                m.serial_no,
                expiration,
                m.quantity,
            ]
    bulk_insert(entries)
    update_rows(
        BinContent, [(rows[key].pk, -quantity) for key, quantity in taken.items()], add_fields=["quantity"]
    )
    bin_contents_add(list(added.values()))
    for key, quantity in taken.items():
        rows[key].quantity -= quantity
    return entries


__all__ = ["BinMove", "MoveCheck", "inventory_move"]
