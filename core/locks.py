"""Locks of the core app: the event sequencer's advisory lock (core.events) and webhook subscription
leases (core.webhooks). No `select_for_update` is needed here: the sequencer is one advisory lock, and a
subscription lease is taken by one conditional UPDATE (a worker that dies simply lets its lease expire)."""

from __future__ import annotations

import datetime
import secrets

from django.db.models import Q
from django.utils import timezone

from core.db import try_advisory_xact_lock
from core.models import WebhookSubscription

# Any constant shared by every process; only the event sequencer takes it.
EVENT_SEQUENCER_LOCK = 0x6C6F747069636B01  # "lotpick" + 1


def lock_event_sequencer() -> bool:
    """Inside a transaction: become the one sequencer of events (False: another one is at work)."""
    return try_advisory_xact_lock(EVENT_SEQUENCER_LOCK)


def lease_subscription(*, subscription_id: int, seconds: float, token: str = "") -> str:
    """Take (or, with the `token` of the current lease, renew) the delivery lease of an active subscription
    for `seconds`. Returns the lease token, or "" when another worker holds an unexpired lease."""
    now = timezone.now()
    free = Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    if token:
        free |= Q(lease_token=token)
    new_token = token or secrets.token_hex(16)
    taken = WebhookSubscription.objects.filter(free, pk=subscription_id, active=True).update(
        lease_until=now + datetime.timedelta(seconds=seconds), lease_token=new_token
    )
    return new_token if taken else ""


def release_subscription(*, subscription_id: int, token: str) -> None:
    WebhookSubscription.objects.filter(pk=subscription_id, lease_token=token).update(
        lease_until=None, lease_token=""
    )
