"""What events about picking objects carry in `data`: the object as the API returns it (the same
serializers as `picking/apis/`), plus its source document's `source_document_type` and `source_document_no`.

Services emit events (`core.events.event_emit`) but may not import API modules; `PickingConfig.ready`
registers these renderers with `core.events.event_data_renderer_add` instead. Each read is unscoped (the
event is for the ERP, not for the user who made the change) and takes a fixed number of queries.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from core.events import event_data_renderer_add
from picking.apis.picks import pick_data as pick_answer
from picking.apis.picks import posted_pick_data as posted_pick_answer
from picking.apis.source_documents import SourceDocumentSerializer
from picking.models import Pick, PostedPick, SourceDocument
from picking.selectors.picks import pick_with_lines, posted_pick_with_lines
from picking.selectors.source_documents import source_document_with_lines, source_documents_with_lines


def _with_document(data: dict[str, Any], document: SourceDocument | None) -> dict[str, Any]:
    data["source_document_type"] = document.type if document else None
    data["source_document_no"] = document.no if document else None
    return data


def source_document_data(document: SourceDocument) -> dict[str, Any]:
    fresh = source_document_with_lines(pk=document.pk)
    return _with_document(dict(SourceDocumentSerializer(fresh).data), fresh)


def source_documents_data(documents: Sequence[SourceDocument]) -> list[dict[str, Any]]:
    fresh = source_documents_with_lines(pks=[d.pk for d in documents])
    return [_with_document(dict(SourceDocumentSerializer(d).data), d) for d in fresh]


def pick_data(pick: Pick) -> dict[str, Any]:
    fresh = pick_with_lines(pick_id=pick.pk, with_lines=False)
    return _with_document(pick_answer(fresh), fresh.source_document)


def posted_pick_data(posted: PostedPick) -> dict[str, Any]:
    fresh = posted_pick_with_lines(posted_pick_id=posted.pk, with_lines=False)
    return _with_document(posted_pick_answer(fresh), fresh.source_document)


def register() -> None:
    event_data_renderer_add(SourceDocument, source_document_data, source_documents_data)
    event_data_renderer_add(Pick, pick_data)
    event_data_renderer_add(PostedPick, posted_pick_data)
