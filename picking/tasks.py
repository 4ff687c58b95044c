"""Celery tasks of the picking app (append-only: each area adds its own tasks below).

Tasks take ids, call one service, and are safe to run twice. Job tasks (imports, batches) claim their
job first (core.jobs), so a redelivered or re-queued message never runs a job twice at once.
"""

from __future__ import annotations

# --- Source documents: bulk import (issue 4) ----------------------------------------------------
from celery import shared_task


@shared_task(name="picking.source_documents_import", ignore_result=True)
def source_documents_import_task(job_id: int) -> None:
    """Run the source document import job `job_id` (continues after its last committed chunk)."""
    from picking.services.source_document_import import source_document_import_run

    source_document_import_run(job_id=job_id)


# --- Picks: "Create Inventory Picks" in a batch (issue 5) ---------------------------------------


@shared_task(name="picking.picks_create_batch", ignore_result=True)
def picks_create_batch_task(job_id: int) -> None:
    """Create one inventory pick per source document of the batch job `job_id` (a finished job is skipped)."""
    from picking.services.pick_create_batch import picks_create_batch_run

    picks_create_batch_run(job_id=job_id)
