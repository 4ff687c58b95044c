"""The shortcuts a big receipt takes through the API's input checks answer exactly what the checks they
shorten answer (docs/performance.md, "Receiving (round three)"): the adjustment's entries, and the JSON
control-character check. No database."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import override_settings
from rest_framework.exceptions import ValidationError

from core.api import valid_input
from core.exceptions import InvalidInput
from core.parsers import check_json
from picking.apis.inventory import AdjustmentInputSerializer, _adjustment_input, _valid_entries

HEADER = {"location": "MAIN", "bin": "A1", "item": "SN-1"}

BODIES: list[Any] = [
    {**HEADER, "entries": [{"quantity": 1, "serial_no": "S1"}, {"quantity": "1", "serial_no": "S2"}]},
    {**HEADER, "entries": [{"quantity": 1.5, "lot_no": "L 1"}, {"quantity": "-2", "lot_no": "L-1"}]},
    {**HEADER, "entries": [{"quantity": "1e3"}, {"quantity": 1000}, {"quantity": "1E+3"}]},
    {**HEADER, "entries": [{"quantity": 1, "serial_no": 123, "lot_no": 1.5}]},
    {**HEADER, "entries": [{"quantity": 1, "serial_no": "", "extra": [1]}]},
    {**HEADER, "entries": [{"quantity": -1, "serial_no": "Ü-1"}]},
    {**HEADER, "entries": [{"quantity": 1, "expiration_date": "2026-01-01"}, {"quantity": 1}]},
    {
        **HEADER,
        "entries": [{"quantity": 1, "expiration_date": "20260101"}, {"quantity": 1, "expiration_date": None}],
    },
    # refused: the serializer's 400, whatever the shortcut saw
    {**HEADER, "entries": [{"quantity": 1, "serial_no": " S1"}]},
    {**HEADER, "entries": [{"quantity": 1, "serial_no": "S\u200b1"}]},
    {**HEADER, "entries": [{"quantity": 1, "serial_no": "x" * 51}]},
    {**HEADER, "entries": [{"quantity": 1, "serial_no": None}]},
    {**HEADER, "entries": [{"quantity": True}]},
    {**HEADER, "entries": [{"quantity": "abc"}, {"quantity": "NaN"}, {"quantity": "2.000001"}]},
    {**HEADER, "entries": [{"serial_no": "A"}]},
    {**HEADER, "entries": [{"quantity": 1, "expiration_date": ""}]},
    {**HEADER, "entries": [{"quantity": 1, "expiration_date": "2026-13-01"}]},
    {**HEADER, "entries": [{"quantity": [1], "expiration_date": {"a": 1}}]},
    {**HEADER, "entries": []},
    {**HEADER, "entries": "x"},
    {**HEADER, "entries": [None, [1]]},
    {"location": "MAIN", "entries": [{"quantity": 1}]},
    {**HEADER, "bin": " A1", "entries": [{"quantity": 1}]},
    [HEADER],
]


def _answer(check: Any, body: Any) -> Any:
    try:
        values = check(body)
    except ValidationError as exc:
        return ("400", exc.get_full_details())
    entries = [[(name, type(value), str(value)) for name, value in e.items()] for e in values["entries"]]
    return ("ok", [(name, value) for name, value in values.items() if name != "entries"], entries)


@pytest.mark.parametrize("body", BODIES)
def test_adjustment_input_is_the_serializers(body: Any) -> None:
    assert _answer(_adjustment_input, body) == _answer(
        lambda b: valid_input(AdjustmentInputSerializer, b), body
    )


def test_plain_entries_take_the_shortcut() -> None:
    entries = [{"quantity": "1", "serial_no": f"SN-{i:05d}"} for i in range(100)]
    assert _valid_entries(entries) is not None
    assert _valid_entries([*entries, {"quantity": 1, "serial_no": " SN"}]) is None


BAD_JSON: list[Any] = [
    {"a": ["ok", {"b": "x\u0000y"}], "c\u0001": 1},
    {"a\u0007": "b\u0000"},
    ["fine", "tab\tand\nline", "bell\u0007"],
    {"entries": [{"serial_no": "S1"}, {"serial_no": "S\u001f2"}, {"lot_no": "\u0085"}]},
    {"text": "non-printable but allowed: \u200b\u00a0\u2028"},
    [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["deep"]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]],
]


def _reference_check(data: Any, allowed: str) -> Any:
    """The check as it was: every string's characters looked at, every path spelled out."""
    from django.conf import settings

    from core.parsers import _check_text, _path, too_deep

    max_depth = int(settings.LOTPICK_API_MAX_JSON_DEPTH)
    stack: list[tuple[Any, str, int]] = [(data, "", 1)]
    while stack:
        value, path, depth = stack.pop()
        if isinstance(value, dict | list) and depth > max_depth:
            raise too_deep(max_depth, path)
        if isinstance(value, dict):
            for key, child in value.items():
                _check_text(key, _path(path, key), allowed)
                stack.append((child, _path(path, key), depth + 1))
        elif isinstance(value, list):
            stack.extend((child, _path(path, index), depth + 1) for index, child in enumerate(value))
        elif isinstance(value, str):
            _check_text(value, path, allowed)


@override_settings(LOTPICK_API_MAX_JSON_DEPTH=32)
@pytest.mark.parametrize("data", BAD_JSON)
@pytest.mark.parametrize("allowed", ["\t\n\r", "\t\n\r\u001d\u0007"])
def test_check_json_answers_as_the_full_check(data: Any, allowed: str) -> None:
    def outcome(check: Any) -> Any:
        try:
            check(data, allowed)
        except InvalidInput as exc:
            return (str(exc), exc.code, exc.errors)
        return None

    assert outcome(lambda d, a: check_json(d, allowed_controls=a)) == outcome(_reference_check)
