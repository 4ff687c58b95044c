"""The PostgreSQL array literals `core.db` builds for keys (`keys_subquery`, `keys_condition`): every string
quoted, a quote or backslash in any value escaped, whatever the others hold. No database."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from core.db import _array_literal


def _escaped(values: list[str]) -> str:
    return '{"' + '","'.join(v.replace("\\", "\\\\").replace('"', '\\"') for v in values) + '"}'


@given(st.lists(st.text(alphabet='ab",\\{} ', max_size=5), min_size=1, max_size=6))
def test_strings_are_quoted_and_escaped(values: list[str]) -> None:
    assert _array_literal(values) == _escaped(values)


def test_integers_and_other_values() -> None:
    assert _array_literal([]) == "{}"
    assert _array_literal([3, 1]) == "{3,1}"
    assert _array_literal(["SN-1", "SN-2"]) == '{"SN-1","SN-2"}'
    assert _array_literal(['"', ""]) == '{"\\"",""}'
    assert _array_literal([True, 1]) == [True, 1]  # left for the driver
