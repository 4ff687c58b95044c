"""The API's JSON renderer: DRF's, plus answers whose JSON text is already made.

A new source document of 10 000 serial numbers is about 1.3 MB of JSON, and the same document is its
`source_document.created` event's data. The service encodes it once (`encoded_answer`) for both: the event
row stores that text, and this renderer sends it as the answer instead of encoding the document again.
Answers are encoded by orjson (`core.jsontext.compact_json`): the same text as DRF's encoder, in about a
sixth of the time.
"""

from __future__ import annotations

from typing import Any

from rest_framework import renderers

from core.jsontext import compact_json

_LINE_SEPARATORS = (("\u2028".encode(), b"\\u2028"), ("\u2029".encode(), b"\\u2029"))


class EncodedAnswer(dict[str, Any]):
    """An answer as DRF and the idempotency store see it (a dict), with its JSON text made already."""

    def __init__(self, data: dict[str, Any], json_text: str) -> None:
        super().__init__(data)
        self.json_text = json_text


def answer_json(data: Any) -> bytes:
    """`data` as DRF's `JSONRenderer` renders it without indentation (compact, not ASCII-escaped, U+2028
    and U+2029 escaped as JavaScript needs; a test holds the two equal), encoded by orjson."""
    text = compact_json(data, encoder=renderers.JSONRenderer.encoder_class)
    for raw, escaped in _LINE_SEPARATORS:
        if raw in text:
            text = text.replace(raw, escaped)
    return text


def encoded_answer(data: dict[str, Any]) -> EncodedAnswer:
    """`data` with its JSON text exactly as `JSONRenderer` renders it (`answer_json`)."""
    return EncodedAnswer(data, answer_json(data).decode())


class JSONRenderer(renderers.JSONRenderer):
    """DRF's JSON renderer, encoding with orjson (`answer_json`); an `EncodedAnswer` is sent as its text.
    An answer with indentation asked for (`Accept: application/json; indent=2`) is DRF's own."""

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        if (
            data is None
            or not self.compact
            or self.ensure_ascii
            or self.get_indent(accepted_media_type or "", renderer_context or {}) is not None
        ):
            return super().render(data, accepted_media_type, renderer_context)
        if isinstance(data, EncodedAnswer):
            return data.json_text.encode()
        return answer_json(data)
