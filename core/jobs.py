"""Services for background jobs: create, report progress, finish. Progress writes are tiny updates."""

from __future__ import annotations

from typing import Any

from django.db.models import F
from django.utils import timezone

from core.models import Job


def job_create(
    *, kind: str, description: str = "", total: int = 0, payload: Any = None, user: Any = None
) -> Job:
    return Job.objects.create(
        kind=kind,
        description=description,
        total=total,
        payload=payload if payload is not None else {},
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )


def job_start(*, job_id: int, total: int | None = None) -> None:
    fields: dict[str, Any] = {"status": Job.Status.RUNNING, "started_at": timezone.now()}
    if total is not None:
        fields["total"] = total
    Job.objects.filter(pk=job_id).update(**fields)


def job_progress(*, job_id: int, succeeded: int = 0, failed: int = 0) -> None:
    Job.objects.filter(pk=job_id).update(
        processed=F("processed") + succeeded + failed,
        succeeded=F("succeeded") + succeeded,
        failed=F("failed") + failed,
    )


def job_add_errors(*, job_id: int, errors: list[dict[str, Any]]) -> None:
    if not errors:
        return
    job = Job.objects.get(pk=job_id)
    job.errors = [*job.errors, *errors]
    job.save(update_fields=["errors"])


def job_finish(*, job_id: int, result: dict[str, Any] | None = None, failed: bool = False) -> None:
    Job.objects.filter(pk=job_id).update(
        status=Job.Status.FAILED if failed else Job.Status.SUCCEEDED,
        finished_at=timezone.now(),
        result=result or {},
    )
