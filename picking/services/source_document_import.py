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
from django.db import InterfaceError, OperationalError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.exceptions import ErrorCode, InvalidInput
from core.jobs import JobClaimLost, job_claim, job_create, job_enqueue
from core.models import Job
from picking.services.source_document_create import source_documents_import

IMPORT_KIND = "source_document_import"
IMPORT_TASK = "picking.source_documents_import"
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
            _(
                'The import must be a JSON list of source documents: [{"type", "no", "location", "lines": '
                "[...]}, ...]."
            ),
            code=ErrorCode.INVALID_IMPORT,
        )
    if not documents:
        raise InvalidInput(
            _("The import holds no source documents. Send at least one."), code=ErrorCode.INVALID_IMPORT
        )
    if len(documents) > MAX_DOCUMENTS:
        raise InvalidInput(
            _("The import holds %(count)s documents; at most %(max)s are accepted at once. Split the file.")
            % {"count": len(documents), "max": MAX_DOCUMENTS},
            code=ErrorCode.INVALID_IMPORT,
        )
    authenticated = getattr(user, "is_authenticated", False)
    job = job_create(
        kind=IMPORT_KIND,
        task=IMPORT_TASK,
        description=description
        or ngettext(
            "Import of %(count)s source documents", "Import of %(count)s source documents", len(documents)
        )
        % {"count": len(documents)},
        total=len(documents),
        payload={"documents": documents, "user_id": user.pk if authenticated else None},
        user=user,
    )
    if enqueue:
        job_enqueue(job)
    return job


def source_document_import_run(*, job_id: int, chunk_size: int = CHUNK_SIZE) -> None:
    """Create the job's documents chunk by chunk; safe to run twice (continues where it stopped).

    The job is claimed first (core.jobs): a finished job, or one another runner is alive on, is left
    alone. Each chunk commits with its progress; a runner that lost its claim rolls its chunk back.
    """
    run = job_claim(job_id=job_id, kind=IMPORT_KIND)
    if run is None:
        return
    job = run.job
    documents: list[Any] = list(job.payload.get("documents") or [])
    user_id = job.payload.get("user_id")
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    if user_id and user is None:
        run.finish(failed=True, result={"summary": _("The user who started the import no longer exists.")})
        return
    run.set_total(len(documents))
    try:
        for offset in range(job.processed, len(documents), chunk_size):
            chunk = documents[offset : offset + chunk_size]
            with transaction.atomic():
                result = source_documents_import(documents=chunk, user=user)
                run.progress(succeeded=len(result.created), failed=len(result.errors), errors=result.errors)
    except JobClaimLost:
        return  # taken for dead, another runner continues: this one's last chunk rolled back
    except (OperationalError, InterfaceError):
        raise  # the database went away: the periodic check re-queues the job once it is back
    except Exception:
        run.finish(
            failed=True,
            result={
                "summary": _("The import stopped on an unexpected error; the documents created so far stay.")
            },
        )
        raise
    done = run.job  # its counts include this run's progress
    run.finish(
        failed=done.succeeded == 0 and done.failed > 0,
        result={
            "summary": ngettext(
                "%(created)s source documents created, %(refused)s refused.",
                "%(created)s source documents created, %(refused)s refused.",
                done.succeeded,
            )
            % {"created": done.succeeded, "refused": done.failed},
            "created": done.succeeded,
            "refused": done.failed,
        },
    )
