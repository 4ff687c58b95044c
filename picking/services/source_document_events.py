"""The one place that says "this source document changed" to ERPs (`source_document.changed`)."""

from __future__ import annotations

from core.events import EventType, event_emit
from picking.models import SourceDocument


def source_document_changed(*, document_id: int) -> None:
    """Inside the transaction of a change to a document's lines or numbers: emit the event with the
    document as it is now (rendered before the commit, so later changes never leak into it)."""
    event_emit(event_type=EventType.SOURCE_DOCUMENT_CHANGED, subject=SourceDocument(pk=document_id))
