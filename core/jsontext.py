"""Compact JSON text of big values, made by orjson.

orjson (written in Rust) encodes the 1.4 MB document of a source document of 10 000 serial numbers in
about 3 ms where the standard library's C encoder takes about 17 ms (docs/performance.md, "Round
eight"). The text is the one `json.dumps(value, cls=encoder, default=default, ensure_ascii=False,
separators=(",", ":"))` makes: dates and times, decimals and every type orjson does not know go through the
same `default` hook (DRF's or Django's encoder), so they are written exactly as before. What orjson refuses
(keys that are not strings, integers beyond 64 bits, strings with lone surrogates) is encoded by `json`
instead, which encodes it or raises as it always did. Two differences, in floats only (no model here
holds one; quantities are decimal strings): a very small or large number may be written in another form
(`1e-7` or `0.00001` where `json` wrote `1e-07` or `1e-05`: the same number), and NaN or infinity becomes
`null`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import orjson

__all__ = ["compact_json"]

# Dates, times and dataclasses go to `default` as they do with `json` (orjson would write them itself,
# in another form: DRF writes "...Z" with milliseconds, for instance).
_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def compact_json(
    value: Any,
    *,
    encoder: type[json.JSONEncoder] | None = None,
    default: Callable[[Any], Any] | None = None,
) -> bytes:
    """`value` as compact UTF-8 JSON (see the module). `encoder`: a `json.JSONEncoder` class whose
    `default` handles the types JSON lacks (DRF's, `DjangoJSONEncoder`); or `default` itself."""
    hook = default if default is not None else (encoder().default if encoder is not None else None)
    try:
        return orjson.dumps(value, default=hook, option=_OPTIONS)
    except TypeError:  # orjson.JSONEncodeError: a value orjson refuses; `json` decides
        text = json.dumps(value, cls=encoder, default=default, ensure_ascii=False, separators=(",", ":"))
        return text.encode()
