"""Pure item tracking rules (no database): THE definition of what an item tracking code requires.

`requirement(code)` answers, per kind (serial, lot), whether the item tracks that kind, whether stock
carries it (warehouse tracking; specific tracking implies it), whether outbound numbers must exist in
inventory (specific) and whether outbound documents must carry numbers (outbound); `stock_key` gives the
numbers stock carries for a line's numbers; `tracking_problems` checks a set of (serial_no, lot_no,
quantity) against a code; `is_expired` decides expiry. Every other module asks these functions instead of
reading the tracking code's flags itself (docs/domain.md, "Item tracking codes").

Every function takes an item tracking code (or anything with its attributes, or None for an untracked
item) and plain values, and is unit-tested without a database.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace
from typing import Any, Protocol

from django.utils.translation import gettext as _

from core.exceptions import ErrorCode
from core.quantities import ONE, ZERO, quantity_text


class TrackingCodeLike(Protocol):
    sn_specific_tracking: bool
    sn_warehouse_tracking: bool
    sn_outbound_tracking: bool
    lot_specific_tracking: bool
    lot_warehouse_tracking: bool
    lot_outbound_tracking: bool
    use_expiration_dates: bool
    require_expiration_date_entry: bool
    strict_expiration_posting: bool


@dataclass(frozen=True)
class KindRequirement:
    """What the item's tracking code says about one kind of number (serial or lot)."""

    tracked: bool = False
    warehouse: bool = False  # stock carries numbers of this kind (per bin)
    specific: bool = False  # outbound numbers must exist in inventory
    outbound: bool = False  # outbound documents must carry numbers

    @property
    def outbound_only(self) -> bool:
        """Outbound tracking without warehouse tracking: numbers are new, assigned while shipping."""
        return self.tracked and not self.warehouse

    @property
    def required(self) -> bool:
        """A handled outbound line must carry a number of this kind."""
        return self.tracked


UNTRACKED = KindRequirement()


@dataclass(frozen=True)
class Requirement:
    """What an outbound line of an item must carry (docs/domain.md, "Item tracking codes")."""

    serial: KindRequirement = UNTRACKED
    lot: KindRequirement = UNTRACKED
    use_expiration_dates: bool = False
    require_expiration_date_entry: bool = False
    strict_expiration_posting: bool = False

    @property
    def tracked(self) -> bool:
        """The item tracks serial or lot numbers (or both)."""
        return self.serial.tracked or self.lot.tracked


def requirement(code: TrackingCodeLike | None) -> Requirement:
    """The requirement of an item's tracking code (None: the item is not tracked), worked out once per
    distinct set of flags (`requirement_of_flags`): checks ask it for each of 1 000s of lines."""
    if code is None:
        return _NOT_TRACKED
    return requirement_of_flags(tuple(map(bool, _flags_of(code))))


def _requirement(code: TrackingCodeLike) -> Requirement:
    """`requirement`, worked out."""

    def kind(prefix: str) -> KindRequirement:
        specific = bool(getattr(code, f"{prefix}_specific_tracking"))
        warehouse = bool(getattr(code, f"{prefix}_warehouse_tracking")) or specific
        outbound = bool(getattr(code, f"{prefix}_outbound_tracking"))
        return KindRequirement(
            tracked=specific or warehouse or outbound,
            warehouse=warehouse,
            specific=specific,
            outbound=outbound,
        )

    return Requirement(
        serial=kind("sn"),
        lot=kind("lot"),
        use_expiration_dates=bool(code.use_expiration_dates),
        require_expiration_date_entry=bool(code.require_expiration_date_entry),
        strict_expiration_posting=bool(code.strict_expiration_posting),
    )


# The fields of an item tracking code that `requirement` reads, in the order of the model.
TRACKING_CODE_FLAGS = (
    "sn_specific_tracking",
    "sn_warehouse_tracking",
    "sn_outbound_tracking",
    "lot_specific_tracking",
    "lot_warehouse_tracking",
    "lot_outbound_tracking",
    "use_expiration_dates",
    "require_expiration_date_entry",
    "strict_expiration_posting",
)
_flags_of = operator.attrgetter(*TRACKING_CODE_FLAGS)
_NOT_TRACKED = Requirement()


def requirement_from_values(values: Mapping[str, Any], *, prefix: str = "") -> Requirement:
    """The requirement of a tracking code read as plain values, e.g. a row of
    `.values(*[f"item__tracking_code__{flag}" for flag in TRACKING_CODE_FLAGS])` with
    `prefix="item__tracking_code__"`. A flag that is None (no tracking code: a LEFT JOIN found none) or
    missing reads as off."""
    flags = {flag: bool(values.get(f"{prefix}{flag}")) for flag in TRACKING_CODE_FLAGS}
    return _requirement(SimpleNamespace(**flags))


@functools.lru_cache(maxsize=1024)
def requirement_of_flags(values: tuple[Any, ...]) -> Requirement:
    """The requirement of a tracking code read as a tuple of its flags in `TRACKING_CODE_FLAGS` order (e.g.
    from `values_list(*[f"item__tracking_code__{flag}" for flag in TRACKING_CODE_FLAGS])`; all None: no
    tracking code), worked out once per distinct code: bulk reads call it for every row."""
    return requirement_from_values(dict(zip(TRACKING_CODE_FLAGS, values, strict=True)))


def warehouse_tracking_changes(before: Requirement, after: Requirement) -> list[tuple[str, bool]]:
    """The kinds ("lot", "serial") whose warehouse tracking a change of tracking code turns on (True) or
    off (False). Stock must agree with the new code: turned off, stock may no longer carry numbers of that
    kind; turned on, stock must carry them."""
    changes = []
    for kind, old, new in (("lot", before.lot, after.lot), ("serial", before.serial, after.serial)):
        if old.warehouse != new.warehouse:
            changes.append((kind, new.warehouse))
    return changes


def _req(code: TrackingCodeLike | Requirement | None) -> Requirement:
    return code if isinstance(code, Requirement) else requirement(code)


def stock_key(code: TrackingCodeLike | Requirement | None, lot_no: str, serial_no: str) -> tuple[str, str]:
    """(lot_key, serial_key): the numbers stock carries for these numbers.

    A kind that is not warehouse-tracked is stored as "" in bin content, warehouse entries and receipt
    entries ("Without it, stock carries no number of that kind").
    """
    req = _req(code)
    return (lot_no if req.lot.warehouse else "", serial_no if req.serial.warehouse else "")


@dataclass(frozen=True, slots=True)
class TrackingEntry:
    serial_no: str = ""
    lot_no: str = ""
    quantity: Decimal = ONE


@dataclass(frozen=True)
class Problem:
    """One problem of one entry (`index` into the entries given; None: the set as a whole)."""

    index: int | None
    code: str
    detail: str
    field: str = ""


def _entries(entries: Iterable[Any]) -> list[TrackingEntry]:
    result = []
    for entry in entries:
        if isinstance(entry, TrackingEntry):
            result.append(entry)
        elif isinstance(entry, dict):
            result.append(
                TrackingEntry(
                    serial_no=entry.get("serial_no") or "",
                    lot_no=entry.get("lot_no") or "",
                    quantity=Decimal(entry.get("quantity", 1)),
                )
            )
        else:
            serial_no, lot_no, quantity = entry
            result.append(TrackingEntry(serial_no or "", lot_no or "", Decimal(quantity)))
    return result


def tracking_problems(
    code: TrackingCodeLike | Requirement | None,
    entries: Sequence[Any],
    *,
    line_quantity: Decimal | None = None,
    require_numbers: bool = True,
    allow_negative: bool = False,
) -> list[Problem]:
    """Per-entry problems of a set of `(serial_no, lot_no, quantity)` against a tracking code.

    - quantity must be positive (or non-zero with `allow_negative`), a serial's quantity exactly 1;
    - no serial number twice (the detail names the first entry, counting from 1);
    - a number of a kind the item does not track is refused;
    - with `require_numbers`, a number the item tracks must be given (serial / lot missing);
    - the quantities add up to at most `line_quantity`.
    """
    req = _req(code)
    items = _entries(entries)
    problems: list[Problem] = []
    seen_serials: dict[str, int] = {}
    total = ZERO
    for index, entry in enumerate(items):
        quantity = entry.quantity
        if quantity == 0 or (quantity < 0 and not allow_negative):
            problems.append(
                Problem(
                    index,
                    ErrorCode.QUANTITY_NOT_POSITIVE,
                    _("The quantity must be greater than zero (got %(quantity)s).")
                    % {"quantity": quantity_text(quantity)},
                    "quantity",
                )
            )
        if entry.serial_no and not req.serial.tracked:
            problems.append(
                Problem(
                    index,
                    ErrorCode.SERIAL_NOT_TRACKED,
                    _("This item is not tracked by serial number; remove serial number %(serial_no)s.")
                    % {"serial_no": entry.serial_no},
                    "serial_no",
                )
            )
        if entry.lot_no and not req.lot.tracked:
            problems.append(
                Problem(
                    index,
                    ErrorCode.LOT_NOT_TRACKED,
                    _("This item is not tracked by lot number; remove lot number %(lot_no)s.")
                    % {"lot_no": entry.lot_no},
                    "lot_no",
                )
            )
        if require_numbers and req.serial.required and not entry.serial_no:
            problems.append(
                Problem(
                    index,
                    ErrorCode.SERIAL_MISSING,
                    _("This item needs a serial number: enter or scan it."),
                    "serial_no",
                )
            )
        if require_numbers and req.lot.required and not entry.lot_no:
            problems.append(
                Problem(
                    index,
                    ErrorCode.LOT_MISSING,
                    _("This item needs a lot number: enter or scan it."),
                    "lot_no",
                )
            )
        if entry.serial_no:
            if abs(quantity) != 1:
                problems.append(
                    Problem(
                        index,
                        ErrorCode.SERIAL_QUANTITY_NOT_ONE,
                        _(
                            "Serial number %(serial_no)s identifies one unit: its quantity must be 1 (got "
                            "%(quantity)s)."
                        )
                        % {"serial_no": entry.serial_no, "quantity": quantity_text(abs(quantity))},
                        "quantity",
                    )
                )
            if entry.serial_no in seen_serials:
                problems.append(
                    Problem(
                        index,
                        ErrorCode.DUPLICATE_SERIAL,
                        _("Serial number %(serial_no)s is given twice (also entry %(entry)s).")
                        % {"serial_no": entry.serial_no, "entry": seen_serials[entry.serial_no] + 1},
                        "serial_no",
                    )
                )
            else:
                seen_serials[entry.serial_no] = index
        total += quantity
    if line_quantity is not None and total > line_quantity:
        problems.append(
            Problem(
                None,
                ErrorCode.TRACKING_EXCEEDS_QUANTITY,
                _("The numbers add up to %(total)s, more than the line's quantity %(quantity)s.")
                % {"total": quantity_text(total), "quantity": quantity_text(line_quantity)},
                "quantity",
            )
        )
    return problems


def is_expired(
    code: TrackingCodeLike | Requirement | None,
    expiration_date: Any,
    on_date: Any,
    *,
    strict_only: bool = False,
) -> bool:
    """Expired: the item uses expiration dates (strict posting, with `strict_only`) and date < on_date."""
    req = _req(code)
    if not req.use_expiration_dates or expiration_date is None or on_date is None:
        return False
    if strict_only and not req.strict_expiration_posting:
        return False
    return bool(expiration_date < on_date)
