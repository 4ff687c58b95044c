"""The API's JSON parser: JSON with the limits of the contract (docs/api.md, "Conventions").

Refused with 400 and nothing done: a body nested deeper than `LOTPICK_API_MAX_JSON_DEPTH` levels
(`too_deeply_nested`; Python's parser would otherwise fail with a RecursionError), and a NUL or other
control character in any key or string (`control_character`, with the field path). A view may allow more
control characters with `json_control_characters_allowed` (the GS1 group separator of a scan, for example).
The size of a body is checked before it is read (`core.middleware`, 413).
"""

from __future__ import annotations

import json
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


def check_json(data: Any, *, allowed_controls: str = FREE_TEXT_CONTROLS) -> None:
    """Refuse parsed JSON nested too deeply or holding control characters (InvalidInput, 400).

    A value's path is only spelled out when it is needed (a container, or a string that is not printable:
    `str.isprintable` is false for every control character), not for each of thousands of strings."""
    max_depth = int(settings.LOTPICK_API_MAX_JSON_DEPTH)
    # (value, its parent's path, its key or index in the parent (None: the body), depth)
    stack: list[tuple[Any, str, str | int | None, int]] = [(data, "", None, 1)]
    while stack:
        value, parent, key, depth = stack.pop()
        if isinstance(value, str):
            if not value.isprintable():
                _check_text(value, parent if key is None else _path(parent, key), allowed_controls)
            continue
        if not isinstance(value, dict | list):
            continue
        path = parent if key is None else _path(parent, key)
        if depth > max_depth:
            raise too_deep(max_depth, path)
        if isinstance(value, dict):
            for name, child in value.items():
                if not (type(name) is str and name.isprintable()):
                    _check_text(name, _path(path, name), allowed_controls)
                stack.append((child, path, name, depth + 1))
        else:
            stack.extend((child, path, index, depth + 1) for index, child in enumerate(value))


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
    check_json(data, allowed_controls=allowed_controls)
    return data


class StrictJSONParser(JSONParser):
    """DRF's JSON parser with the limits above."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        view = (parser_context or {}).get("view")
        allowed = FREE_TEXT_CONTROLS + getattr(view, "json_control_characters_allowed", "")
        raw = stream.read() if stream is not None else b""
        return loads(raw, allowed_controls=allowed)
