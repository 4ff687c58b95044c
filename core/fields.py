"""Serializer fields shared by every API: quantities as normalised decimal strings, numbers and codes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers

from core.exceptions import ErrorCode
from core.quantities import format_quantity
from core.validation import code_problem, path_code_problem

__all__ = ["CodeField", "QuantityField"]


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


class CodeField(serializers.CharField):
    """A number or code (`no`, `code`, `serial_no`, `lot_no`, a bin or location code): refused with
    `invalid_characters` when it holds control or bidirectional characters or surrounding spaces
    (core.validation, the one rule the services apply too). Never trimmed silently. `in_path=True` for a
    code that names its object in an API path: a slash is refused too."""

    def __init__(self, *, in_path: bool = False, **kwargs: Any) -> None:
        kwargs["trim_whitespace"] = False
        self.in_path = in_path
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        value: str = super().to_internal_value(data)
        problem = path_code_problem(value) if self.in_path else code_problem(value)
        if problem is not None:
            raise serializers.ValidationError(
                _("The value %(problem)s") % {"problem": problem}, code=ErrorCode.INVALID_CHARACTERS
            )
        return value
