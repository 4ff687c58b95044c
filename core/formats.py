"""How answers write values, shared by the API's answers built from plain rows (`picking.apis.rows`) and
the services that render an answer from their own input (`picking.services.source_document_create`), so
that both write exactly what the API's serializers write.

- `date_text` and `datetime_text`: a date and a date-time as DRF's `DateField` and `DateTimeField` answer
  them (ISO 8601 by default; None stays None).
- `memo`: a converter that remembers its answer per value. The rows of one big answer share their dates and
  mostly their quantities, and converting each again costs more than looking it up.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from rest_framework import serializers

_DATE = serializers.DateField()
_DATETIME = serializers.DateTimeField()

V = TypeVar("V")
R = TypeVar("R")


def date_text(value: Any) -> str | None:
    """A date as the API answers it (None: None)."""
    return None if value is None else _DATE.to_representation(value)


def datetime_text(value: Any) -> str | None:
    """A date-time as the API answers it (None: None)."""
    return None if value is None else _DATETIME.to_representation(value)


def memo(convert: Callable[[V], R]) -> Callable[[V], R]:
    """`convert` remembering its answer per value. A false value (zero, None, "") is converted each time:
    `-0` and `0` are equal but format differently."""
    answers: dict[V, R] = {}

    def converted(value: V) -> R:
        if not value:
            return convert(value)
        try:
            return answers[value]
        except KeyError:
            answers[value] = answer = convert(value)
            return answer

    return converted
