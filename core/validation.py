"""The input rules every string obeys, in one place (docs/api.md, "Conventions"): pure functions, no
database.

- Any string (a body's keys and values, a query parameter): no NUL nor other control character
  (`control_character`). Free text may hold tabs and line breaks; query parameters may not.
- Numbers and codes (`serial_no`, `lot_no`, an item's `no`, a location's, bin's, tracking code's or number
  series' `code`, a document's `no`): no control character, no invisible formatting character (the
  bidirectional overrides that make `LOT-1` display as another number, zero-width spaces), no leading or
  trailing space (`invalid_characters`). They are refused, never silently cleaned: the ERP or the scanner
  sent something else than it meant, and a cleaned number would not match its label.

`code_problem` is used by the API's `core.fields.CodeField` and by every service that reads numbers and
codes from input (`code_error`), so pages, imports and the API apply the same rule.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django.utils.translation import gettext as _

from core.exceptions import ErrorCode

FREE_TEXT_CONTROLS = "\t\n\r"
# Categories refused in numbers and codes: controls, formatting (bidi overrides, zero-width), separators.
_CODE_CATEGORIES = {"Cc", "Cf", "Zl", "Zp"}


def _plain(text: str) -> bool:
    """Printable ASCII only (the usual number, code or word): no character of `_CODE_CATEGORIES`, no
    control character. Checked in C, so the character loops below run only for the rare other text
    (an import of 10 000 serial numbers checks 20 000 strings)."""
    return text.isascii() and text.isprintable()


def first_control_character(text: str, allowed: str = FREE_TEXT_CONTROLS) -> str | None:
    """The first control character of `text` not in `allowed`, or None."""
    if _plain(text):
        return None
    for char in text:
        if unicodedata.category(char) == "Cc" and char not in allowed:
            return char
    return None


def describe_character(char: str) -> str:
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X}" + (f" {name}" if name else "")


def code_problem(value: str) -> str | None:
    """Why `value` is not acceptable as a number or code (None when it is)."""
    invisible = (
        None
        if _plain(value)
        else next((char for char in value if unicodedata.category(char) in _CODE_CATEGORIES), None)
    )
    if invisible is not None:
        return _(
            "holds the invisible character %(char)s (a control character, a tab or line break, or a "
            "bidirectional override): type or scan it again."
        ) % {"char": describe_character(invisible)}
    if value != value.strip():
        return _("starts or ends with a space: leave the spaces out.")
    return None


def path_code_problem(value: str) -> str | None:
    """Why `value` is not acceptable as a code that names its object in an API path (an item's `no`, a
    location's, bin's, tracking code's or number series' `code`): the rule of `code_problem`, and no
    slash, which would split the path (`/items/A/B/` cannot name item `A/B`)."""
    problem = code_problem(value)
    if problem is None and "/" in value:
        return _("holds a slash (/), which cannot be part of an address: use another character, such as -.")
    return problem


def code_error(value: str, field: str, label: str) -> dict[str, Any] | None:
    """The `errors` item for a number or code at `field` that breaks the rule (None when it does not).
    `label` names it for people ("serial_no", "the item no.")."""
    problem = code_problem(value)
    if problem is None:
        return None
    return {"field": field, "code": ErrorCode.INVALID_CHARACTERS, "detail": f"{label} {problem}"}
