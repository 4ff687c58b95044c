"""Celery tasks of core: the periodic check of background jobs (run by Celery beat, see
`CELERY_BEAT_SCHEDULE` in config/settings.py and docs/operations.md)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="core.jobs_requeue_stale", ignore_result=True)
def jobs_requeue_stale_task() -> int:
    """Queue again every job whose worker vanished or that never reached the broker."""
    from core.jobs import jobs_requeue_stale

    return len(jobs_requeue_stale())
