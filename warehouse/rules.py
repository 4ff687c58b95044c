"""Pure rules of items (no database), each with a unit test (warehouse/tests/test_rules.py).

- `gtin_problem` / `gtin_forms`: a GTIN (Global Trade Item Number, the number under an EAN/UPC barcode and
  in GS1 codes as AI 01/02) is 8, 12, 13 or 14 digits with a valid check digit (checked by `biip`); the
  same GTIN written with leading zeros (GTIN-13 `4006381333931` is GTIN-14 `04006381333931`) is one GTIN.
- `whole_units_problem` / `require_whole_units`: THE rule for items counted in whole units
  (`Item.whole_units`): every quantity of such an item (adjustments, source document lines and their
  tracking, Item Tracking Lines, Qty. to Handle, Split Line, scan quantities, movements) is a whole
  number. Every caller uses these two functions; nobody else tests for fractions.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from biip import ParseError
from biip.gtin import Gtin
from django.utils.translation import gettext as _

from core.exceptions import ErrorCode, InvalidInput
from core.quantities import quantity_text

GTIN_LENGTHS = (8, 12, 13, 14)


def gtin_problem(value: str) -> str | None:
    """Why `value` is not a GTIN (8, 12, 13 or 14 digits with a valid check digit), or None."""
    if not value.isdigit() or len(value) not in GTIN_LENGTHS:
        return _("A GTIN has 8, 12, 13 or 14 digits (got '%(value)s').") % {"value": value}
    try:
        Gtin.parse(value)
    except ParseError:
        return _("%(value)s is not a GTIN: its check digit is wrong. Check the number on the label.") % {
            "value": value
        }
    return None


def gtin_forms(value: str) -> list[str]:
    """Every way the GTIN `value` (digits) may be written: GTIN-14 and the shorter forms its leading zeros
    allow, so that a scanned GTIN finds the item whatever length was stored."""
    if not value.isdigit() or len(value) > 14:
        return []
    full = value.rjust(14, "0")
    return [full[14 - n :] for n in GTIN_LENGTHS if full[: 14 - n].strip("0") == ""]


def is_whole(quantity: Decimal) -> bool:
    return quantity == quantity.to_integral_value()


def whole_units_problem(*, quantity: Decimal, whole_units: bool, item_no: str) -> str | None:
    """Why `quantity` cannot be a quantity of the item `item_no`, or None: an item counted in whole units
    takes whole numbers only (a fraction such as 0.5 is refused)."""
    if not whole_units or is_whole(quantity):
        return None
    return _(
        "Item %(item)s is counted in whole units: %(quantity)s is not a whole number. Enter a whole "
        "number such as 1 or 2."
    ) % {"item": item_no, "quantity": quantity_text(quantity)}


def require_whole_units(quantity: Decimal, *, item: Any, field: str, prefix: str = "", **error: Any) -> None:
    """InvalidInput (400, `fraction_not_allowed`, the field named) when `quantity` is a fraction and the
    `item` (anything with `no` and `whole_units`) is counted in whole units. `prefix` starts the message
    ("Line 10000: "); `error` adds keys to the `errors` item (e.g. `line=0`)."""
    problem = whole_units_problem(quantity=quantity, whole_units=bool(item.whole_units), item_no=item.no)
    if problem is None:
        return
    raise InvalidInput(
        f"{prefix}{problem}",
        code=ErrorCode.FRACTION_NOT_ALLOWED,
        errors=[{**error, "field": field, "code": ErrorCode.FRACTION_NOT_ALLOWED, "detail": problem}],
    )
