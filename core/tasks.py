"""Celery tasks of the core app: the periodic check of background jobs and the events for ERPs
(dispatching, delivering, pruning); Celery beat runs the periodic ones (`CELERY_BEAT_SCHEDULE` in
config/settings.py and docs/operations.md). Tasks take ids, call one service, and are safe to run twice.
"""

from __future__ import annotations

from celery import shared_task


@shared_task(name="core.jobs_requeue_stale", ignore_result=True)
def jobs_requeue_stale_task() -> int:
    """Queue again every job whose worker vanished or that never reached the broker."""
    from core.jobs import jobs_requeue_stale

    return len(jobs_requeue_stale())


# --- Events for ERPs: dispatching, delivering, pruning (issue 12) --------------------------------


@shared_task(name="core.events_dispatch")
def events_dispatch_task() -> int:
    """Sequence committed events and start the delivery of every subscription with a delivery due. Run
    after each commit that wrote events, and by Celery beat every LOTPICK_EVENTS_DISPATCH_INTERVAL seconds."""
    from core.webhooks import events_dispatch

    return events_dispatch()


@shared_task(name="core.webhook_deliver")
def webhook_deliver_task(subscription_id: int) -> int:
    """Deliver one subscription's due events in order (one worker at a time per subscription)."""
    from core.webhooks import webhook_deliveries_run

    return webhook_deliveries_run(subscription_id=subscription_id)


@shared_task(name="core.events_prune")
def events_prune_task() -> int:
    """Delete events past their retention (daily, by Celery beat)."""
    from core.events import events_prune

    return events_prune()
