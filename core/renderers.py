"""The API's JSON renderer: DRF's, plus answers whose JSON text is already made.

A new source document of 10 000 serial numbers is about 1.3 MB of JSON, and the same document is its
`source_document.created` event's data. The service encodes it once (`encoded_answer`) for both: the event
row stores that text, and this renderer sends it as the answer instead of encoding the document again.
"""

from __future__ import annotations

import json
from typing import Any

from rest_framework import renderers
from rest_framework.compat import LONG_SEPARATORS, SHORT_SEPARATORS


class EncodedAnswer(dict[str, Any]):
    """An answer as DRF and the idempotency store see it (a dict), with its JSON text made already."""

    def __init__(self, data: dict[str, Any], json_text: str) -> None:
        super().__init__(data)
        self.json_text = json_text


def encoded_answer(data: dict[str, Any]) -> EncodedAnswer:
    """`data` with its JSON text exactly as `JSONRenderer` renders it (compact, not ASCII-escaped, U+2028
    and U+2029 escaped; a test holds the two equal)."""
    r = renderers.JSONRenderer
    text = json.dumps(
        data,
        cls=r.encoder_class,
        ensure_ascii=r.ensure_ascii,
        allow_nan=not r.strict,
        separators=SHORT_SEPARATORS if r.compact else LONG_SEPARATORS,
    )
    return EncodedAnswer(data, text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


class JSONRenderer(renderers.JSONRenderer):
    """DRF's JSON renderer; an `EncodedAnswer` is sent as its text unless indentation is asked for."""

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        if (
            isinstance(data, EncodedAnswer)
            and self.get_indent(accepted_media_type or "", renderer_context or {}) is None
        ):
            return data.json_text.encode()
        return super().render(data, accepted_media_type, renderer_context)
