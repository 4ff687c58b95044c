"""Template filters shared by every page: `{% load lotpick %}` then `{{ line.quantity|qty }}`."""

from __future__ import annotations

from typing import Any

from django import template

from core.quantities import display_quantity

register = template.Library()


@register.filter
def qty(value: Any) -> str:
    """A quantity as a worker reads it: 10, 2.5 (never 1E+1 as Decimal.normalize() would give)."""
    return display_quantity(value)
