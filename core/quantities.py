"""Quantities (pure, no Django): the one ZERO and ONE, and the one formatter.

Quantities are `Decimal` with at most 5 decimals (`max_digits=18, decimal_places=5`), never floats. People
read them without trailing zeros: `format_quantity` is the only place that turns one into text (the API's
`core.fields.QuantityField`, messages in services, the `qty` template filter all call it).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, overload

ZERO = Decimal(0)
ONE = Decimal(1)


@overload
def format_quantity(value: Decimal) -> str: ...


@overload
def format_quantity(value: None) -> None: ...


def format_quantity(value: Decimal | None) -> str | None:
    """`Decimal("12.00000")` -> `"12"`, `Decimal("2.50000")` -> `"2.5"` (never exponent notation)."""
    if value is None:
        return None
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def display_quantity(value: Any) -> str:
    """Like format_quantity for anything a template may hold: None and "" become ""."""
    if value is None or value == "":
        return ""
    try:
        return format_quantity(Decimal(str(value)))
    except ArithmeticError:
        return str(value)
