"""`core.jsontext.compact_json` (orjson) writes the text the standard encoders wrote: DRF's answers, the
JSON of events and of set-based writes. A difference would change what ERP clients receive."""

from __future__ import annotations

import datetime
import json
import uuid
from decimal import Decimal
from typing import Any

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext_lazy
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.renderers import JSONRenderer as DRFRenderer

from core.jsontext import compact_json
from core.renderers import JSONRenderer, answer_json, encoded_answer

UTC = datetime.UTC

_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),  # beyond 64 bits: orjson refuses, json writes
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e15, max_value=1e15).filter(
        lambda f: f == 0 or abs(f) >= 1e-4
    ),  # (smaller ones may be written in another form: test_floats_keep_their_values)
    st.text(),
    st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-(10**9), max_value=10**9),
    st.dates(),
    st.datetimes(timezones=st.just(UTC)),
    st.datetimes(),
    st.times(),
    st.uuids(),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.dictionaries(st.text(max_size=8), children, max_size=5),
        st.dictionaries(st.integers(), children, max_size=3),  # keys that are not strings: json's way
    ),
    max_leaves=30,
)


def _surrogate_free(value: Any) -> bool:
    try:
        json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False).encode()
    except UnicodeEncodeError:
        return False
    return True


@given(_VALUES)
def test_answers_are_the_text_drf_renders(value: Any) -> None:
    if not _surrogate_free(value):
        return  # neither encoder can send a lone surrogate as UTF-8
    assert JSONRenderer().render(value) == DRFRenderer().render(value)
    if value is not None:  # (None renders as no body at all)
        assert answer_json(value) == DRFRenderer().render(value)


@given(_VALUES)
def test_event_data_is_the_text_djangos_encoder_writes(value: Any) -> None:
    if not _surrogate_free(value):
        return
    expected = json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))
    assert compact_json(value, encoder=DjangoJSONEncoder).decode() == expected


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_floats_keep_their_values(value: float) -> None:
    """orjson may write a number in another form (`1e-7` or `0.00001` where `json` wrote `1e-07` or
    `1e-05`): the same number."""
    assert json.loads(answer_json([value])) == json.loads(DRFRenderer().render([value])) == [value]


def test_what_json_needs_a_hook_for_goes_through_it() -> None:
    value = {
        "when": datetime.datetime(2026, 12, 1, 5, 30, 1, 123456, tzinfo=UTC),
        "day": datetime.date(2026, 12, 1),
        "qty": Decimal("2.50000"),
        "label": gettext_lazy("Pick"),
        "id": uuid.UUID(int=1),
        "line\u2028": "a\u2029b",
    }
    text = answer_json(value)
    assert text == DRFRenderer().render(value)
    assert b'"when":"2026-12-01T05:30:01.123456Z"' in text  # DRF's "Z", not orjson's "+00:00"
    assert b"\\u2028" in text and b"\\u2029" in text and "\u2028".encode() not in text


def test_a_type_no_encoder_knows_is_refused_as_before() -> None:
    with pytest.raises(TypeError):
        compact_json({"x": object()}, encoder=DjangoJSONEncoder)


def test_indentation_asked_for_is_drfs_own() -> None:
    value = {"a": [1, {"b": "c"}]}
    encoded = encoded_answer(value)
    for accepted in ("application/json; indent=2", "application/json; indent=4"):
        assert JSONRenderer().render(encoded, accepted) == DRFRenderer().render(value, accepted)
    assert JSONRenderer().render(None) == b""
