"""Quantities as people read them (pure, no Django), and the quantity constants every app shares."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, overload

ZERO = Decimal(0)
ONE = Decimal(1)


@overload
def format_quantity(value: Decimal) -> str: ...


@overload
def format_quantity(value: Decimal | None) -> str | None: ...


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
        return format_quantity(Decimal(str(value))) or ""
    except ArithmeticError:
        return str(value)
