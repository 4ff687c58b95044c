"""The one place that says "this source document changed" to ERPs (`source_document.changed`), and the
one refusal of changes to a cancelled document."""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.events import EventType, event_emit
from core.exceptions import Conflict, ErrorCode
from picking.models import SourceDocument


def source_document_changed(*, document_id: int) -> None:
    """Inside the transaction of a change to a document's lines or numbers: emit the event with the
    document as it is now (rendered before the commit, so later changes never leak into it)."""
    event_emit(event_type=EventType.SOURCE_DOCUMENT_CHANGED, subject=SourceDocument(pk=document_id))


def refuse_cancelled(document: SourceDocument) -> None:
    """409 `document_cancelled`: a cancelled document is not picked nor changed any more."""
    if document.status == SourceDocument.Status.CANCELLED:
        raise Conflict(
            _("%(document)s is cancelled: it is not picked nor changed any more.") % {"document": document},
            code=ErrorCode.DOCUMENT_CANCELLED,
        )
