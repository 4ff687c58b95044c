"""Serializer fields shared by every API: quantities as normalised decimal strings."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rest_framework import serializers

from core.quantities import format_quantity

__all__ = ["QuantityField"]


class QuantityField(serializers.DecimalField):
    """A quantity: accepts strings or numbers, at most 5 decimals; renders as `"12"` or `"2.5"`."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 18)
        kwargs.setdefault("decimal_places", 5)
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> Any:
        if value is None:
            return None
        return format_quantity(Decimal(value))
