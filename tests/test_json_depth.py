"""The nesting check of the API's JSON parser (`core.parsers`), which works on the text of a body that is
ASCII without a backslash: it must agree with the depth of the parsed value, brackets inside strings
included."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from core.parsers import _text_shallow_enough

_TEXT = st.text(alphabet="ab []{}:,", max_size=6)  # strings full of brackets (json.dumps escapes no bracket)
_JSON = st.recursive(
    st.one_of(st.none(), st.integers(), _TEXT),
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(_TEXT, children, max_size=4)),
    max_leaves=40,
)


def _depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


@given(_JSON, st.integers(min_value=1, max_value=8))
def test_the_text_check_agrees_with_the_parsed_depth(value: Any, max_depth: int) -> None:
    text = json.dumps(value)
    assert text.isascii() and "\\" not in text
    assert _text_shallow_enough(text, max_depth) == (_depth(value) <= max_depth)


def test_brackets_inside_strings_are_not_containers() -> None:
    text = json.dumps({"a": "[[[[{{{{", "b": ["]]]]", {"c": "}}"}]})
    assert _text_shallow_enough(text, 3)
    assert not _text_shallow_enough(text, 2)
