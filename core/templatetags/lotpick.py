"""Template filters shared by every page: `{% load lotpick %}` then `{{ line.quantity|qty }}`."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import get_language

from core.quantities import decimal_separator, display_quantity

register = template.Library()


@register.filter
def qty(value: Any) -> str:
    """A quantity as a worker reads it, in the page's language: 10, 2.5 in English, 2,5 in German and
    Spanish (never 1E+1 as Decimal.normalize() would give, never a thousands separator). Quantity inputs
    read it back (core.forms.LocalizedQuantityField)."""
    text = display_quantity(value)
    separator = decimal_separator(get_language())
    return text.replace(".", separator) if separator != "." and text else text


@register.filter
def qty_value(value: Any) -> str:
    """A quantity for a hidden form field or a data attribute that a program reads: always 2.5."""
    return display_quantity(value)
