"""Number series: the next numbers, formats, increments, exhaustion, constant queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.exceptions import NoSeriesExhausted, NotFoundError
from tracking.exceptions import NoSeriesInvalid
from tracking.models import NoSeries
from tracking.services import increment_no, no_series_create, no_series_take

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("SN-0001", "SN-0002"),
        ("LOT2026-001", "LOT2026-002"),
        ("IPI000009", "IPI000010"),
        ("SN-9999", "SN-10000"),
        ("A1B", "A2B"),
    ],
)
def test_increment_keeps_the_width_of_the_last_digits(before: str, after: str) -> None:
    assert increment_no(before) == after


def test_first_numbers_start_at_the_starting_no_then_continue() -> None:
    no_series_create(code="SN", starting_no="SN-0001")
    assert no_series_take(code="SN", count=3) == ["SN-0001", "SN-0002", "SN-0003"]
    assert no_series_take(code="SN") == ["SN-0004"]
    assert NoSeries.objects.get(code="SN").last_no_used == "SN-0004"


def test_increment_is_respected() -> None:
    no_series_create(code="LOT", starting_no="LOT2026-001", increment=10)
    assert no_series_take(code="LOT", count=3) == ["LOT2026-001", "LOT2026-011", "LOT2026-021"]


def test_exhausted_series_refuses_and_hands_out_nothing() -> None:
    no_series_create(code="TIPI", starting_no="IPI000001", ending_no="IPI000010")
    assert no_series_take(code="TIPI", count=9)[-1] == "IPI000009"
    with pytest.raises(NoSeriesExhausted) as refused:
        no_series_take(code="TIPI", count=2)
    assert "TIPI" in refused.value.detail and "IPI000010" in refused.value.detail
    assert refused.value.code == "no_series_exhausted"
    assert NoSeries.objects.get(code="TIPI").last_no_used == "IPI000009"
    assert no_series_take(code="TIPI") == ["IPI000010"]
    with pytest.raises(NoSeriesExhausted):
        no_series_take(code="TIPI")


def test_unknown_series_is_not_found() -> None:
    with pytest.raises(NotFoundError) as refused:
        no_series_take(code="NOPE")
    assert "NOPE" in refused.value.detail


def test_invalid_series_is_refused_with_field_errors() -> None:
    with pytest.raises(NoSeriesInvalid) as refused:
        no_series_create(code="X", starting_no="ABC", ending_no="ABC0001", increment=0)
    fields = {e["field"] for e in refused.value.errors}
    assert fields == {"starting_no", "increment"}
    with pytest.raises(NoSeriesInvalid) as refused:
        no_series_create(code="X", starting_no="SN-0010", ending_no="SN-0005")
    assert refused.value.errors[0]["code"] == "ending_before_starting"
    assert not NoSeries.objects.filter(code="X").exists()


def test_one_or_thirty_thousand_numbers_take_the_same_queries(django_assert_num_queries: Any) -> None:
    no_series_create(code="SN", starting_no="SN-000001")
    with CaptureQueriesContext(connection) as one:
        no_series_take(code="SN", count=1)
    with CaptureQueriesContext(connection) as many:
        numbers = no_series_take(code="SN", count=30_000)
    assert len(one.captured_queries) == len(many.captured_queries)
    assert len(set(numbers)) == 30_000 and numbers[0] == "SN-000002" and numbers[-1] == "SN-030001"
