"""Bulk import of source documents (ERP file drops): a background job that creates them in chunks.

`source_document_import_start` checks the file's shape, creates a `core.models.Job` holding the documents
and enqueues the Celery task (after commit). `source_document_import_run` (the task's body) creates the
documents chunk by chunk; each chunk is one transaction together with its progress update, so a task that
is run again (a worker crash, a redelivery) continues after the last committed chunk and never creates a
document twice. A bad document is reported in `Job.errors` as `{"ref": "<type> <no>", "detail", "errors"}`
and does not stop the rest. The number of queries per chunk does not depend on the number of lines.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from core.exceptions import ErrorCode, InvalidInput
from core.jobs import job_add_errors, job_create, job_finish, job_progress, job_start
from core.models import Job
from picking.services.source_document_create import source_documents_import

IMPORT_KIND = "source_document_import"
CHUNK_SIZE = 200
MAX_DOCUMENTS = 20_000


def source_document_import_start(
    *, documents: Any, user: Any, description: str = "", enqueue: bool = True
) -> Job:
    """Create the import job for a JSON list of source documents and enqueue it (after commit).

    `enqueue=False`: the caller runs it (the management command, when no Celery broker is configured).
    """
    if isinstance(documents, dict) and isinstance(documents.get("documents"), list):
        documents = documents["documents"]
    if not isinstance(documents, list):
        raise InvalidInput(
            'The import must be a JSON list of source documents: [{"type", "no", "location", '
            '"lines": [...]}, ...].',
            code=ErrorCode.INVALID_IMPORT,
        )
    if not documents:
        raise InvalidInput(
            "The import holds no source documents. Send at least one.", code=ErrorCode.INVALID_IMPORT
        )
    if len(documents) > MAX_DOCUMENTS:
        raise InvalidInput(
            f"The import holds {len(documents)} documents; at most {MAX_DOCUMENTS} are accepted at once. "
            "Split the file.",
            code=ErrorCode.INVALID_IMPORT,
        )
    authenticated = getattr(user, "is_authenticated", False)
    job = job_create(
        kind=IMPORT_KIND,
        description=description or f"Import of {len(documents)} source documents",
        total=len(documents),
        payload={"documents": documents, "user_id": user.pk if authenticated else None},
        user=user,
    )
    if enqueue:
        from picking.tasks import source_documents_import_task

        job_id = job.pk
        transaction.on_commit(lambda: source_documents_import_task.delay(job_id))
    return job


def source_document_import_run(*, job_id: int, chunk_size: int = CHUNK_SIZE) -> None:
    """Create the job's documents chunk by chunk; safe to run twice (continues where it stopped)."""
    job = Job.objects.filter(pk=job_id, kind=IMPORT_KIND).first()
    if job is None or job.finished:
        return
    documents: list[Any] = list(job.payload.get("documents") or [])
    user_id = job.payload.get("user_id")
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    if user_id and user is None:
        job_finish(
            job_id=job_id,
            failed=True,
            result={"summary": "The user who started the import no longer exists."},
        )
        return
    job_start(job_id=job_id, total=len(documents))
    try:
        for offset in range(job.processed, len(documents), chunk_size):
            chunk = documents[offset : offset + chunk_size]
            with transaction.atomic():
                result = source_documents_import(documents=chunk, user=user)
                job_progress(job_id=job_id, succeeded=len(result.created), failed=len(result.errors))
                job_add_errors(job_id=job_id, errors=result.errors)
    except Exception:
        job_finish(
            job_id=job_id,
            failed=True,
            result={
                "summary": "The import stopped on an unexpected error; the documents created so far stay."
            },
        )
        raise
    done = Job.objects.get(pk=job_id)
    job_finish(
        job_id=job_id,
        failed=done.succeeded == 0 and done.failed > 0,
        result={
            "summary": f"{done.succeeded} source documents created, {done.failed} refused.",
            "created": done.succeeded,
            "refused": done.failed,
        },
    )
