"""Background jobs (core.models.Job): create, hand to the broker, claim, report progress, finish, and the
periodic check that re-queues jobs nobody is running.

How a job survives faults (docs/operations.md, "Faults"):

- **Handing a job to the broker** (`job_enqueue`): after the transaction that created the job has
  committed, its task is published once, with short broker timeouts and no retry. When the broker is down
  the request still succeeds: the job stays `pending` with `queued_at` empty (outbox style) and
  `jobs_requeue_stale` queues it when the broker is back. A request never hangs on the broker for more than
  a few seconds and never answers 500 because of it.
- **Never twice at once** (`job_claim`): a task starts by claiming its job with one conditional `UPDATE`
  (pending, or running with a heartbeat older than `JOB_STALE_AFTER`), which writes a fresh claim token.
  Every progress write (`JobRun.progress`) is conditional on that token and is part of the transaction of
  the work it reports; a runner that lost its claim gets `JobClaimLost` and its last piece of work rolls
  back with it.
- **A re-run continues where it stopped**: the work and its progress commit together, so a new claim
  starts after the last committed piece (`Job.processed`).
- **Worker vanished** (killed, machine gone): tasks are acknowledged late and rejected when their worker
  dies (settings: `CELERY_TASK_ACKS_LATE`, `CELERY_TASK_REJECT_ON_WORKER_LOST`); when a whole worker
  disappears, `jobs_requeue_stale` (Celery beat, every `JOB_CHECK_INTERVAL` seconds) re-queues each
  running job whose heartbeat is older than `JOB_STALE_AFTER`, and each pending job that never reached the
  broker or waited longer than that.
- **Database restarted**: a runner that loses its connection stops without marking the job failed; its
  heartbeat goes stale and the periodic check re-queues it.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from core.models import Job

logger = logging.getLogger(__name__)


class JobClaimLost(Exception):
    """Another runner claimed the job (this one was taken for dead): stop, and roll back the last piece."""


def job_stale_after() -> datetime.timedelta:
    """How long a running job may go without a heartbeat before it is taken for dead."""
    return datetime.timedelta(seconds=settings.LOTPICK_JOB_STALE_AFTER)


def job_create(
    *,
    kind: str,
    task: str = "",
    description: str = "",
    total: int = 0,
    payload: Any = None,
    user: Any = None,
) -> Job:
    """A pending job; `task` is the name of the Celery task that runs it (it takes the job's id)."""
    return Job.objects.create(
        kind=kind,
        task=task,
        description=description,
        total=total,
        payload=payload if payload is not None else {},
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )


def job_enqueue(job: Job) -> None:
    """Hand the job's task to the broker once the current transaction has committed.

    Never raises because of the broker: when it cannot be reached the job stays pending (not queued) and
    the periodic check queues it later.
    """
    job_id, task = job.pk, job.task
    transaction.on_commit(lambda: _publish(job_id=job_id, task=task))


def _task(name: str) -> Any:
    """The registered Celery task `name` (the apps' tasks modules are imported on first use)."""
    from celery import current_app

    if name not in current_app.tasks:
        current_app.loader.import_default_modules()
    return current_app.tasks[name]


def _publish(*, job_id: int, task: str) -> bool:
    """Publish the task of one job (short timeouts, no retry); note when it reached the broker."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        # No broker: the task runs here and now (its own exceptions propagate, as eager tasks do).
        Job.objects.filter(pk=job_id).update(queued_at=timezone.now())
        _task(task).apply(args=[job_id], throw=True)
        return True
    try:
        _task(task).apply_async(args=[job_id], retry=False, ignore_result=True)
    except Exception:  # the broker is unreachable, whatever the transport says
        logger.warning(
            "Job %s not queued: the broker is unreachable; the periodic check will queue it.", job_id
        )
        return False
    Job.objects.filter(pk=job_id).update(queued_at=timezone.now())
    return True


@dataclass
class JobRun:
    """A claimed job: what a task reports its progress through."""

    job: Job
    token: str
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def job_id(self) -> int:
        return self.job.pk

    def set_total(self, total: int, *, payload: dict[str, Any] | None = None) -> None:
        if total == self.job.total and payload is None:
            return
        fields: dict[str, Any] = {"total": total, "heartbeat_at": timezone.now()}
        if payload is not None:
            fields["payload"] = payload
            self.job.payload = payload
        self._update(**fields)
        self.job.total = total

    def progress(
        self,
        *,
        succeeded: int = 0,
        failed: int = 0,
        errors: Sequence[dict[str, Any]] = (),
        result: dict[str, Any] | None = None,
    ) -> None:
        """Count processed items and add their errors, in the caller's transaction (with its work).
        `result`: the job's result so far (a tally a resumed run continues from), replaced as a whole."""
        fields: dict[str, Any] = {
            "processed": F("processed") + succeeded + failed,
            "succeeded": F("succeeded") + succeeded,
            "failed": F("failed") + failed,
            "heartbeat_at": timezone.now(),
        }
        if errors:
            fields["errors"] = [*self.errors, *errors]
        if result is not None:
            fields["result"] = result
        self._update(**fields)
        if result is not None:
            self.job.result = result
        if errors:
            self.errors = fields["errors"]
        self.job.processed += succeeded + failed
        self.job.succeeded += succeeded
        self.job.failed += failed

    def finish(self, *, result: dict[str, Any] | None = None, failed: bool = False) -> None:
        self._update(
            status=Job.Status.FAILED if failed else Job.Status.SUCCEEDED,
            finished_at=timezone.now(),
            heartbeat_at=timezone.now(),
            result=result or {},
        )

    def _update(self, **fields: Any) -> None:
        if not Job.objects.filter(pk=self.job.pk, claim=self.token).update(**fields):
            raise JobClaimLost(f"Job {self.job.pk} was claimed by another runner.")


def job_claim(*, job_id: int, kind: str) -> JobRun | None:
    """Claim the job for this runner, or None when it is finished or another runner is alive on it.

    One conditional UPDATE: a pending job, or a running one whose heartbeat is older than
    `JOB_STALE_AFTER` (its runner is taken for dead), becomes running with a new claim token.
    """
    now = timezone.now()
    token = uuid.uuid4().hex
    claimable = Q(status=Job.Status.PENDING) | (
        Q(status=Job.Status.RUNNING)
        & (Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=now - job_stale_after()))
    )
    claimed = Job.objects.filter(claimable, pk=job_id, kind=kind).update(
        status=Job.Status.RUNNING,
        claim=token,
        heartbeat_at=now,
        attempts=F("attempts") + 1,
        started_at=now,
    )
    if not claimed:
        return None
    job = Job.objects.get(pk=job_id)
    return JobRun(job=job, token=token, errors=list(job.errors))


def jobs_requeue_stale() -> list[int]:
    """The periodic check: queue again every job nobody runs. Returns the ids queued.

    - running, with a heartbeat older than `JOB_STALE_AFTER`: its worker vanished;
    - pending and never queued (the broker was down when it was created), created more than a few
      seconds ago;
    - pending and queued longer ago than `JOB_STALE_AFTER`: its message was lost (a broker restarted
      without persistence). A duplicate message is harmless: the claim lets one runner at a time.
    """
    now = timezone.now()
    stale = now - job_stale_after()
    grace = now - datetime.timedelta(seconds=settings.LOTPICK_JOB_QUEUE_GRACE)
    jobs = Job.objects.filter(
        Q(status=Job.Status.RUNNING, heartbeat_at__lt=stale)
        | Q(status=Job.Status.RUNNING, heartbeat_at__isnull=True, started_at__lt=stale)
        | Q(status=Job.Status.PENDING, queued_at__isnull=True, created_at__lt=grace)
        | Q(status=Job.Status.PENDING, queued_at__lt=stale)
    ).exclude(task="")
    queued = []
    for job_id, task in jobs.order_by("pk").values_list("pk", "task"):
        if not _publish(job_id=job_id, task=task):
            break  # the broker is still down: the next check tries again
        logger.info("Job %s re-queued by the periodic check.", job_id)
        queued.append(job_id)
    return queued
