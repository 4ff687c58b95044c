"""Quantities render as the API promises; DRF validation errors flatten into problem details."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from rest_framework import exceptions

from core.api import _flatten_validation, problem_exception_handler
from core.exceptions import TrackingLocked
from core.fields import QuantityField, format_quantity


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("12.00000"), "12"),
        (Decimal("2.50000"), "2.5"),
        (Decimal("0.00000"), "0"),
        (Decimal("1E+1"), "10"),
        (Decimal("0.00001"), "0.00001"),
        (Decimal("-3.20000"), "-3.2"),
    ],
)
def test_quantities_are_normalised_decimal_strings(value: Decimal, text: str) -> None:
    assert format_quantity(value) == text
    assert QuantityField().to_representation(value) == text


def test_quantity_field_accepts_strings_and_numbers() -> None:
    field = QuantityField()
    assert field.to_internal_value("2.5") == Decimal("2.5")
    assert field.to_internal_value(3) == Decimal(3)
    with pytest.raises(exceptions.ValidationError):
        field.to_internal_value("two")
    with pytest.raises(exceptions.ValidationError):
        field.to_internal_value("1.123456")


def test_nested_validation_errors_name_their_field() -> None:
    detail = exceptions.ValidationError(
        {"lines": [{}, {"quantity": ["A valid number is required."]}], "no": ["This field is required."]}
    ).detail
    items = _flatten_validation(detail)
    assert {"field": "lines[1].quantity", "code": "invalid", "detail": "A valid number is required."} in items
    assert {"field": "no", "code": "invalid", "detail": "This field is required."} in items


def test_index_keyed_errors_use_brackets() -> None:
    error: Any = {"entries": {0: {"quantity": ["A valid number is required."]}}}
    detail = exceptions.ValidationError(error).detail
    assert _flatten_validation(detail) == [
        {"field": "entries[0].quantity", "code": "invalid", "detail": "A valid number is required."}
    ]


def test_domain_errors_render_as_problem_details_with_their_data() -> None:
    error = TrackingLocked(
        "Pick IPI000001 holds these numbers.",
        errors=[{"line": 10000, "code": "tracking_locked", "detail": "x"}],
    )
    response = problem_exception_handler(error, {})
    assert response is not None
    assert response.status_code == 409
    assert response.content_type == "application/problem+json"
    assert response.data["code"] == "tracking_locked"
    assert response.data["errors"][0]["line"] == 10000


def test_validation_error_is_400_problem() -> None:
    response = problem_exception_handler(exceptions.ValidationError({"quantity": ["Must be positive."]}), {})
    assert response is not None
    assert response.status_code == 400
    assert response.data["code"] == "invalid"
    assert response.data["detail"] == "quantity: Must be positive."
