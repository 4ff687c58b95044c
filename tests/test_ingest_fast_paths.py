"""The shortcuts a big source document takes through the input checks answer exactly what the checks they
shorten answer (docs/performance.md, "Ingest (round four)"): the usual serial-number entry, and the JSON
check of a body whose text cannot hold a control character. No database."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import override_settings

from core.exceptions import InvalidInput
from core.parsers import check_json, loads
from picking.services import source_document_input
from picking.services.source_document_input import parse_entry, parse_tracking

ENTRIES: list[Any] = [
    {"serial_no": "SN-1"},
    {"serial_no": "SN-1", "quantity": 1},
    {"serial_no": "SN-1", "quantity": "1"},
    {"serial_no": "SN-1", "quantity": "1.0"},
    {"serial_no": "SN-1", "quantity": 1.0},
    {"serial_no": "SN-1", "quantity": True},
    {"serial_no": "SN-1", "quantity": 2},
    {"serial_no": "SN-1", "quantity": None},
    {"serial_no": "SN-1", "quantity": "0"},
    {"serial_no": "SN-1", "lot_no": ""},
    {"serial_no": "SN-1", "lot_no": None},
    {"serial_no": "SN-1", "lot_no": "LOT-1"},
    {"serial_no": "SN-1", "lot_no": 0},
    {"serial_no": " SN-1"},
    {"serial_no": "SN-1 "},
    {"serial_no": "SN\u200b1"},
    {"serial_no": "SN\u00e91"},
    {"serial_no": "SN\t1"},
    {"serial_no": "x" * 50},
    {"serial_no": "x" * 51},
    {"serial_no": ""},
    {"serial_no": 123},
    {"serial_no": None, "lot_no": "LOT-1", "quantity": 3},
    {"serial_no": ["SN-1"]},
    {"quantity": 1},
    {"serial_no": "SN-1", "extra": {"ignored": True}},
]


def _outcome(raw: Any) -> Any:
    errors: list[Any] = []
    entry = parse_entry(raw, "lines[0].tracking[0]", errors)
    if entry is None:
        return ("refused", errors)
    quantity = entry.quantity
    return ("ok", entry.serial_no, entry.lot_no, str(quantity), quantity.as_tuple(), entry.field, errors)


@pytest.mark.parametrize("raw", ENTRIES)
def test_an_entry_reads_as_the_full_rules_read_it(raw: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    shortcut = _outcome(raw)
    monkeypatch.setattr(source_document_input, "_plain_serial_no", lambda raw: None)
    assert shortcut == _outcome(raw)


def test_a_list_of_entries_reads_as_the_full_rules_read_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """`parse_tracking` makes the usual entries itself: the same entries and the same errors, in order."""

    def outcome() -> Any:
        errors: list[Any] = []
        entries = parse_tracking(ENTRIES, "lines[3].tracking", errors)
        read = [
            (
                e.serial_no,
                e.lot_no,
                str(e.quantity),
                e.quantity.as_tuple(),
                e.field,
                e.expiration_date,
                e.check_stock,
            )
            for e in entries
        ]
        return read, errors

    shortcut = outcome()
    assert len(shortcut[0]) > 5 and shortcut[1]  # good entries and refused ones
    monkeypatch.setattr(source_document_input, "_plain_serial_no", lambda raw: None)
    assert shortcut == outcome()


def test_the_usual_entry_takes_the_shortcut() -> None:
    assert source_document_input._plain_serial_no({"serial_no": "SN-00001"}) == "SN-00001"
    assert source_document_input._plain_serial_no({"serial_no": "SN-00001", "quantity": "1"}) == "SN-00001"
    assert source_document_input._plain_serial_no({"serial_no": "SN 1 "}) is None


BODIES: list[str] = [
    json.dumps({"lines": [{"tracking": [{"serial_no": f"SN-{i}"} for i in range(50)]}]}),
    json.dumps({"a": "x\u0000y"}),  # escaped NUL
    json.dumps({"a\u0007": 1}),  # escaped control character in a key
    json.dumps({"a": "\u0085"}),  # a C1 control character, escaped by json.dumps
    json.dumps({"a": "\u0085"}, ensure_ascii=False),  # ... and raw
    '{"a": "del\x7f"}',  # DEL is valid raw JSON, and a control character
    json.dumps({"a": "tab\tand\nline"}),  # allowed in free text
    json.dumps({"a": "non-printable but allowed: \u200b"}, ensure_ascii=False),
    '{"a": "back\\\\slash"}',
    '\n{\n  "pretty": ["printed", {"json": 1}]\n}\n',
    json.dumps([[[[[[[[[[[[[["deep"]]]]]]]]]]]]]]),
    json.dumps({"a": {"b": {"c": {"d": {"e": {"f": {"g": {"h": {"i": {"j": {"k": 1}}}}}}}}}}}),
    json.dumps({"a": {"b": {"c": {"d": {"e": {"f": {"g": {"h": {"i": {"j": 1}}}}}}}}}}),
    json.dumps("just a string"),
    json.dumps(12),
    # brackets in strings are text, not nesting; mixed and sibling containers count by their deepest
    json.dumps({"a": "[[[[[[[[[[[[{{{{{{{{{{{{", "b": "}{]["}),
    json.dumps([{}, [[{"a": [1, {}, []]}]], {"b": {"c": []}}]),
    json.dumps([{"a": [{"b": [{"c": [{"d": [{"e": 1}]}]}]}]}]),  # 10 levels
    json.dumps([{"a": [{"b": [{"c": [{"d": [{"e": []}]}]}]}]}]),  # 11 levels
    json.dumps([[], [[[[[[[[[[1]]]]]]]]]], []]),  # 11 levels, after a shallow sibling
]


@override_settings(LOTPICK_API_MAX_JSON_DEPTH=10)
@pytest.mark.parametrize("text", BODIES)
def test_a_body_is_refused_as_the_full_check_refuses_it(text: str) -> None:
    def outcome(check: Any) -> Any:
        try:
            return ("ok", check())
        except InvalidInput as exc:
            return (str(exc), exc.code, exc.errors)

    def full() -> Any:
        data = json.loads(text)
        check_json(data)  # without the text: every string looked at
        return data

    assert outcome(lambda: loads(text)) == outcome(full)
