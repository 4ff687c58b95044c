"""The API's JSON parser: JSON with the limits of the contract (docs/api.md, "Conventions").

Refused with 400 and nothing done: a body nested deeper than `LOTPICK_API_MAX_JSON_DEPTH` levels
(`too_deeply_nested`; Python's parser would otherwise fail with a RecursionError), and a NUL or other
control character in any key or string (`control_character`, with the field path). A view may allow more
control characters with `json_control_characters_allowed` (the GS1 group separator of a scan, for example).
The size of a body is checked before it is read (`core.middleware`, 413).
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.parsers import JSONParser

from core.exceptions import ErrorCode, InvalidInput
from core.validation import FREE_TEXT_CONTROLS, describe_character, first_control_character


def _path(parent: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{parent}[{key}]"
    return f"{parent}.{key}" if parent else key


def check_json(data: Any, *, allowed_controls: str = FREE_TEXT_CONTROLS, text: str | None = None) -> None:
    """Refuse parsed JSON nested too deeply or holding control characters (InvalidInput, 400).

    `text`: the JSON text `data` was parsed from. When it is ASCII without a backslash or DEL, no key or
    string can hold a control character (JSON refuses raw ones below U+0020; every other one would need
    an escape or a non-ASCII byte), so only the nesting is walked."""
    max_depth = int(settings.LOTPICK_API_MAX_JSON_DEPTH)
    if text is not None and text.isascii() and "\\" not in text and "\x7f" not in text:
        if _text_shallow_enough(text, max_depth):
            return
    elif _acceptable(data, max_depth, allowed_controls):
        return
    # Refused: walk again with the path of each value, to name the first problem.
    stack: list[tuple[Any, str, int]] = [(data, "", 1)]
    while stack:
        value, path, depth = stack.pop()
        if isinstance(value, dict | list) and depth > max_depth:
            raise too_deep(max_depth, path)
        if isinstance(value, dict):
            for key, child in value.items():
                _check_text(key, _path(path, key), allowed_controls)
                stack.append((child, _path(path, key), depth + 1))
        elif isinstance(value, list):
            stack.extend((child, _path(path, index), depth + 1) for index, child in enumerate(value))
        elif isinstance(value, str):
            _check_text(value, path, allowed_controls)


def _acceptable(data: Any, max_depth: int, allowed: str) -> bool:
    """`check_json` finds nothing to refuse: the same walk without building the path of each value (a
    body of 10 000 serial numbers holds some 50 000 values)."""
    stack: list[tuple[dict[Any, Any] | list[Any], int]] = [([data], 0)]
    while stack:
        container, depth = stack.pop()
        if depth > max_depth:
            return False
        if isinstance(container, dict):
            if any(first_control_character(key, allowed) is not None for key in container):
                return False
            values: Any = container.values()
        else:
            values = container
        for value in values:
            if isinstance(value, str):
                if first_control_character(value, allowed) is not None:
                    return False
            elif isinstance(value, dict | list):
                stack.append((value, depth + 1))
    return True


_STRING = re.compile(rb'"[^"]*"')  # a JSON string, in text without a backslash (no escaped quote)
_EMPTY_CONTAINER = re.compile(rb"\[\]|\{\}")
_ALL_BUT_BRACKETS_AND_QUOTES = bytes(b for b in range(256) if b not in b'[]{}"')


def _text_shallow_enough(text: str, max_depth: int) -> bool:
    """No container of valid JSON `text` (ASCII without a backslash) nested deeper than `max_depth`, found
    in C instead of visiting each of 10 000s of parsed containers: everything but brackets and quotes is
    dropped (`bytes.translate`), then the strings (a bracket inside one is not a container), then each
    pass removes the empty containers, one level deep. About 1 ms for a body of 10 000 serial numbers,
    where two regular expressions over the whole text took 10 ms."""
    marks = text.encode("ascii").translate(None, _ALL_BUT_BRACKETS_AND_QUOTES)
    # A string without a bracket in it is left as `""`: removed by one `replace` (0.3 ms where the
    # expression took 2.5 ms). Its left-to-right pairs of quotes leave one quote behind as soon as a string
    # holds a bracket (its first quote is followed by that bracket); the expression then removes the strings.
    brackets = marks.replace(b'""', b"")
    if b'"' in brackets:
        brackets = _STRING.sub(b"", marks)
    for _level in range(max_depth):
        if not brackets:
            return True
        brackets = _EMPTY_CONTAINER.sub(b"", brackets)
    return not brackets


def too_deep(max_depth: int, path: str = "") -> InvalidInput:
    detail = _("The JSON is nested more than %(depth)s levels deep; no request needs that.") % {
        "depth": max_depth
    }
    errors = [{"field": path, "code": ErrorCode.TOO_DEEPLY_NESTED, "detail": detail}] if path else None
    return InvalidInput(detail, code=ErrorCode.TOO_DEEPLY_NESTED, errors=errors)


def _check_text(text: str, path: str, allowed: str) -> None:
    char = first_control_character(text, allowed)
    if char is None:
        return
    detail = _("%(field)s holds the control character %(char)s; send text without it.") % {
        "field": path or _("The body"),
        "char": describe_character(char),
    }
    raise InvalidInput(
        detail,
        code=ErrorCode.CONTROL_CHARACTER,
        errors=[{"field": path, "code": ErrorCode.CONTROL_CHARACTER, "detail": detail}],
    )


def loads(raw: bytes | str, *, allowed_controls: str = FREE_TEXT_CONTROLS) -> Any:
    """`json.loads` with the API's limits: malformed JSON is `parse_error`, too deep `too_deeply_nested`,
    control characters `control_character` (all InvalidInput, 400)."""
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        data = json.loads(text)
    except RecursionError as exc:
        raise too_deep(int(settings.LOTPICK_API_MAX_JSON_DEPTH)) from exc
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidInput(
            _("The body is not valid UTF-8 JSON: %(error)s.") % {"error": exc}, code=ErrorCode.PARSE_ERROR
        ) from exc
    check_json(data, allowed_controls=allowed_controls, text=text)
    return data


class StrictJSONParser(JSONParser):
    """DRF's JSON parser with the limits above."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        view = (parser_context or {}).get("view")
        allowed = FREE_TEXT_CONTROLS + getattr(view, "json_control_characters_allowed", "")
        raw = stream.read() if stream is not None else b""
        return loads(raw, allowed_controls=allowed)
