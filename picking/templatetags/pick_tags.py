"""Template filters of the pick pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from picking.rules import fmt_qty

register = template.Library()


@register.filter
def qty(value: Any) -> str:
    """A quantity as a worker reads it: 10, 2.5 (never 1E+1 as Decimal.normalize() would give)."""
    if value is None or value == "":
        return ""
    try:
        return fmt_qty(Decimal(str(value)))
    except ArithmeticError:
        return str(value)
