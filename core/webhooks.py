"""Webhook subscriptions and the delivery of events to them (docs/api.md, "Events and webhooks").

Delivery: at least once, in commit order per subscription. A subscription's deliveries go out one at a
time, oldest position first, by the worker holding the subscription's lease (`core.locks`); the next one
waits until the one before it is delivered or failed. Each attempt is a `POST` of the event as JSON with
the Standard Webhooks headers (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64
HMAC-SHA256 of "id.timestamp.body">`, signed by the `standardwebhooks` library), 10 seconds at most. Any
2xx is delivered; anything else is retried with growing delays (`LOTPICK_WEBHOOK_RETRY_DELAYS`) for 24 hours
from the first failure (`LOTPICK_WEBHOOK_RETRY_WINDOW`), then failed. A ping is tried once and never
holds up the events behind it.

Addresses: a URL must be http(s) and every address its host resolves to must be public, or inside
`LOTPICK_WEBHOOK_ALLOWED_NETWORKS` (private ranges by default, so an on-premise ERP can be reached); link-
local, metadata, unspecified and multicast addresses are always refused. The host is resolved again at each
attempt and the request goes to the address that was checked (no second lookup an attacker could steer).
"""

from __future__ import annotations

import base64
import datetime
import ipaddress
import json
import logging
import secrets
import socket
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

import httpx
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from standardwebhooks.webhooks import Webhook

from core.events import EventType, events_sequence, run_task
from core.exceptions import Conflict, ErrorCode, InvalidInput, NotFoundError
from core.locks import lease_subscription, release_subscription
from core.models import Event, WebhookDelivery, WebhookSubscription
from core.permissions import require_perm

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

logger = logging.getLogger(__name__)

Status = WebhookDelivery.Status

# Never a webhook target, whatever LOTPICK_WEBHOOK_ALLOWED_NETWORKS says: link-local (cloud metadata at
# 169.254.169.254 and fd00:ec2::254 among them), Alibaba's metadata address, "this network", multicast.
ALWAYS_REFUSED = [
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8",
        "169.254.0.0/16",
        "100.100.100.200/32",
        "224.0.0.0/4",
        "255.255.255.255/32",
        "::/128",
        "fe80::/10",
        "fd00:ec2::254/128",
        "ff00::/8",
    )
]


# --- Webhook URLs --------------------------------------------------------------------------------------


class WebhookUrlRefused(InvalidInput):
    code = ErrorCode.WEBHOOK_URL_REFUSED
    title: StrOrPromise = gettext_lazy("Webhook URL refused.")


def _allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(n, strict=False) for n in settings.LOTPICK_WEBHOOK_ALLOWED_NETWORKS]


def address_refusal(address: str) -> str:
    """Why `address` may not receive webhooks ("" when it may)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if any(ip in network for network in ALWAYS_REFUSED):
        return _("%(address)s is a link-local, metadata or reserved address.") % {"address": ip}
    if any(ip in network for network in _allowed_networks()):
        return ""
    if ip.is_global:
        return ""
    return _(
        "%(address)s is a private, loopback or reserved address that LOTPICK_WEBHOOK_ALLOWED_NETWORKS does "
        "not allow."
    ) % {"address": ip}


@dataclass(frozen=True)
class Target:
    """Where one attempt goes: the checked address, and the host name for the Host header and TLS."""

    url: str
    host: str
    port: int
    scheme: str
    address: str


def webhook_url_check(url: str, *, field: str = "url") -> list[Target]:
    """Refuse a URL that is not http(s) or whose host resolves to an address that may not receive
    webhooks (WebhookUrlRefused, 400); otherwise the targets it resolves to, in resolver order."""

    def refuse(detail: str) -> WebhookUrlRefused:
        return WebhookUrlRefused(
            detail, errors=[{"field": field, "code": ErrorCode.WEBHOOK_URL_REFUSED, "detail": detail}]
        )

    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise refuse(_("The URL is not valid.")) from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise refuse(_("The URL must start with http:// or https:// and name a host."))
    if parts.username or parts.password:
        raise refuse(_("Leave user names and passwords out of the URL: the signature authenticates lotpick."))
    host = parts.hostname
    port = port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise refuse(_("The host %(host)s cannot be resolved.") % {"host": host}) from exc
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not addresses:
        raise refuse(_("The host %(host)s cannot be resolved.") % {"host": host})
    for address in addresses:
        reason = address_refusal(address)
        if reason:
            raise refuse(
                _("Webhooks cannot be sent to %(host)s: %(reason)s") % {"host": host, "reason": reason}
            )
    return [Target(url=url, host=host, port=port, scheme=parts.scheme, address=a) for a in addresses]


# --- Subscriptions -------------------------------------------------------------------------------------


def _new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def _clean_event_types(event_types: Any) -> list[str]:
    from core.events import FEED_TYPES

    if event_types is None:
        return []
    if not isinstance(event_types, list) or not all(isinstance(t, str) for t in event_types):
        raise InvalidInput(
            _("event_types must be a list of event types (empty: all)."),
            errors=[
                {"field": "event_types", "code": ErrorCode.INVALID, "detail": _("A list of event types.")}
            ],
        )
    errors = [
        {
            "field": f"event_types[{index}]",
            "code": ErrorCode.INVALID_CHOICE,
            "detail": _("%(type)s is not an event type.") % {"type": t},
        }
        for index, t in enumerate(event_types)
        if t not in FEED_TYPES
    ]
    if errors:
        raise InvalidInput(
            _("Unknown event type. Event types: %(known)s.") % {"known": ", ".join(FEED_TYPES)}, errors=errors
        )
    return list(dict.fromkeys(event_types))


def webhook_subscription_create(
    *, url: str, event_types: Any = None, active: bool = True, description: str = "", user: Any
) -> WebhookSubscription:
    """A new subscription with a new secret (`whsec_...`), which the caller shows once."""
    require_perm(user, "core.add_webhooksubscription", _("Webhooks are set up by supervisors and ERPs."))
    webhook_url_check(url)
    return WebhookSubscription.objects.create(
        url=url,
        event_types=_clean_event_types(event_types),
        active=active,
        description=description,
        secret=_new_secret(),
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )


_UNSET: Any = object()


def webhook_subscription_update(
    *,
    subscription_id: int,
    user: Any,
    url: str = _UNSET,
    event_types: Any = _UNSET,
    active: bool = _UNSET,
    description: str = _UNSET,
) -> WebhookSubscription:
    require_perm(user, "core.change_webhooksubscription", _("Webhooks are set up by supervisors and ERPs."))
    subscription = webhook_subscription_get(subscription_id=subscription_id)
    if url is not _UNSET:
        webhook_url_check(url)
        subscription.url = url
    if event_types is not _UNSET:
        subscription.event_types = _clean_event_types(event_types)
    if active is not _UNSET:
        subscription.active = active
    if description is not _UNSET:
        subscription.description = description
    subscription.save(update_fields=["url", "event_types", "active", "description"])
    return subscription


def webhook_subscription_delete(*, subscription_id: int, user: Any) -> None:
    require_perm(user, "core.delete_webhooksubscription", _("Webhooks are set up by supervisors and ERPs."))
    webhook_subscription_get(subscription_id=subscription_id).delete()


def webhook_subscription_get(*, subscription_id: int) -> WebhookSubscription:
    subscription = WebhookSubscription.objects.filter(pk=subscription_id).first()
    if subscription is None:
        raise NotFoundError(_("There is no webhook subscription #%(id)s.") % {"id": subscription_id})
    return subscription


def webhook_subscriptions_overview() -> list[WebhookSubscription]:
    """Every subscription with `open_count` and `failed_count` of its deliveries (one query)."""
    return list(
        WebhookSubscription.objects.annotate(
            open_count=Count(
                "deliveries", filter=Q(deliveries__status__in=[Status.PENDING, Status.RETRYING])
            ),
            failed_count=Count("deliveries", filter=Q(deliveries__status=Status.FAILED)),
        ).order_by("pk")
    )


def webhook_ping(*, subscription_id: int, user: Any) -> WebhookDelivery:
    """Send a `ping` event to one subscription now (one attempt, ahead of its queue)."""
    require_perm(user, "core.change_webhooksubscription", _("Webhooks are set up by supervisors and ERPs."))
    subscription = webhook_subscription_get(subscription_id=subscription_id)
    with transaction.atomic():
        event = Event.objects.create(
            type=EventType.PING,
            subscription=subscription,
            data={"subscription": subscription.pk, "url": subscription.url},
        )
        delivery = WebhookDelivery.objects.create(
            subscription=subscription, event=event, position=0, next_attempt_at=timezone.now()
        )
        _deliver_after_commit(subscription.pk)
    return delivery


def webhook_redeliver(*, subscription_id: int, delivery_id: int, user: Any) -> WebhookDelivery:
    """Send a delivery again (a failed one, or a delivered one the ERP lost): it goes back in the queue at
    its event's position with a new 24-hour window."""
    require_perm(user, "core.change_webhooksubscription", _("Webhooks are set up by supervisors and ERPs."))
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.filter(pk=delivery_id, subscription_id=subscription_id)
            .select_related("event")
            .first()
        )
        if delivery is None:
            raise NotFoundError(
                _("Webhook subscription #%(subscription)s has no delivery #%(delivery)s.")
                % {"subscription": subscription_id, "delivery": delivery_id}
            )
        if delivery.open:
            raise Conflict(
                _("Delivery #%(delivery)s is still being sent (status %(status)s); wait for it.")
                % {"delivery": delivery.pk, "status": delivery.status},
                code=ErrorCode.DELIVERY_IN_PROGRESS,
            )
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=Status.PENDING, next_attempt_at=timezone.now(), retry_until=None, last_error=""
        )
        delivery.refresh_from_db()
        _deliver_after_commit(subscription_id)
    return delivery


def deliveries_list(*, subscription_id: int, status: str = "") -> Any:
    webhook_subscription_get(subscription_id=subscription_id)
    deliveries = WebhookDelivery.objects.filter(subscription_id=subscription_id).select_related("event")
    if status:
        deliveries = deliveries.filter(status=status)
    return deliveries.order_by("-pk")


def failed_deliveries(*, limit: int = 200) -> list[WebhookDelivery]:
    return list(
        WebhookDelivery.objects.filter(status=Status.FAILED)
        .select_related("event", "subscription")
        .order_by("-pk")[:limit]
    )


# --- Dispatching ---------------------------------------------------------------------------------------


def events_dispatch() -> int:
    """Sequence committed events, then start a delivery run for each subscription with a delivery due and
    no live lease. Run after each commit and periodically (Celery beat), so nothing committed waits for
    long when a broker or worker was down. Returns the number of delivery runs started."""
    events_sequence()
    now = timezone.now()
    due = (
        WebhookDelivery.objects.filter(
            status__in=[Status.PENDING, Status.RETRYING],
            next_attempt_at__lte=now,
            subscription__active=True,
        )
        .filter(Q(subscription__lease_until__isnull=True) | Q(subscription__lease_until__lt=now))
        .values_list("subscription_id", flat=True)
        .distinct()
    )
    subscription_ids = sorted(set(due))
    for subscription_id in subscription_ids:
        _enqueue_delivery(subscription_id)
    return len(subscription_ids)


def _enqueue_delivery(subscription_id: int) -> None:
    from core.tasks import webhook_deliver_task

    try:
        run_task(webhook_deliver_task, subscription_id)
    except Exception:
        logger.warning(
            "webhooks: could not enqueue delivery of subscription %s", subscription_id, exc_info=True
        )


def _deliver_after_commit(subscription_id: int) -> None:
    transaction.on_commit(lambda: _enqueue_delivery(subscription_id))


# --- Delivering ----------------------------------------------------------------------------------------


def _lease_seconds() -> float:
    configured = getattr(settings, "LOTPICK_WEBHOOK_LEASE_SECONDS", None)
    return float(configured) if configured else 2 * float(settings.LOTPICK_WEBHOOK_TIMEOUT) + 5


def webhook_deliveries_run(*, subscription_id: int, max_attempts: int = 100) -> int:
    """Deliver a subscription's due deliveries in order, holding its lease; stop at the first one that is
    not due or fails (it waits for its retry). Safe to run twice at once: the second finds the lease taken.
    Returns the number of attempts made."""
    token = lease_subscription(subscription_id=subscription_id, seconds=_lease_seconds())
    if not token:
        return 0
    attempts = 0
    try:
        while attempts < max_attempts:
            delivery = (
                WebhookDelivery.objects.filter(
                    subscription_id=subscription_id, status__in=[Status.PENDING, Status.RETRYING]
                )
                .select_related("event", "subscription")
                .order_by("position", "pk")
                .first()
            )
            if delivery is None or delivery.next_attempt_at > timezone.now():
                break
            if not lease_subscription(subscription_id=subscription_id, seconds=_lease_seconds(), token=token):
                break  # the lease expired and another worker took over
            attempts += 1
            if not _attempt(delivery) and delivery.event.type != EventType.PING:
                break
    finally:
        release_subscription(subscription_id=subscription_id, token=token)
    return attempts


def event_json(event: Event) -> dict[str, Any]:
    """An event as the feed lists it and as a webhook receives it."""
    occurred_at = event.occurred_at.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")
    return {"id": event.pk, "type": event.type, "occurred_at": occurred_at, "data": event.data}


def signed_request(
    event: Event, secret: str, *, now: datetime.datetime | None = None
) -> tuple[bytes, dict[str, str]]:
    """The body and Standard Webhooks headers of one attempt to deliver `event`."""
    body = json.dumps(event_json(event), cls=DjangoJSONEncoder, separators=(",", ":"))
    timestamp = (now or timezone.now()).astimezone(datetime.UTC)
    message_id = f"evt_{event.pk}"
    headers = {
        "content-type": "application/json",
        "user-agent": "lotpick-webhooks/1",
        "webhook-id": message_id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": Webhook(secret).sign(message_id, timestamp, body),
    }
    return body.encode(), headers


def _attempt(delivery: WebhookDelivery) -> bool:
    """One attempt; records the outcome. True when delivered."""
    subscription = delivery.subscription
    status_code, error = _send(subscription.url, *signed_request(delivery.event, subscription.secret))
    now = timezone.now()
    fields: dict[str, Any] = {
        "attempts": delivery.attempts + 1,
        "last_status_code": status_code,
        "last_error": error[:500],
    }
    delivered = status_code is not None and 200 <= status_code < 300
    if delivered:
        fields.update(status=Status.DELIVERED, delivered_at=now, last_error="")
    elif delivery.event.type == EventType.PING:
        fields.update(status=Status.FAILED)
    else:
        retry_until = delivery.retry_until or now + datetime.timedelta(
            seconds=float(settings.LOTPICK_WEBHOOK_RETRY_WINDOW)
        )
        next_at = now + datetime.timedelta(seconds=retry_delay(delivery.attempts + 1))
        if next_at > retry_until:
            fields.update(status=Status.FAILED, retry_until=retry_until)
        else:
            fields.update(status=Status.RETRYING, next_attempt_at=next_at, retry_until=retry_until)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(**fields)
    return delivered


def retry_delay(failed_attempts: int) -> float:
    """Seconds to wait after the `failed_attempts`-th failed attempt (the last delay repeats)."""
    delays = [float(d) for d in settings.LOTPICK_WEBHOOK_RETRY_DELAYS]
    return delays[min(failed_attempts, len(delays)) - 1]


def _send(url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str]:
    """POST to the first checked address of the URL's host; (status code, error) with None for no answer."""
    try:
        targets = webhook_url_check(url)
    except WebhookUrlRefused as exc:
        return None, exc.detail
    target = targets[0]
    parts = urlsplit(url)
    address = f"[{target.address}]" if ":" in target.address else target.address
    default_port = 443 if target.scheme == "https" else 80
    netloc = address if target.port == default_port else f"{address}:{target.port}"
    pinned = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
    host_header = target.host if target.port == default_port else f"{target.host}:{target.port}"
    extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
    timeout = float(settings.LOTPICK_WEBHOOK_TIMEOUT)
    try:
        with (
            httpx.Client(timeout=httpx.Timeout(timeout), follow_redirects=False, trust_env=False) as client,
            client.stream(
                "POST", pinned, content=body, headers={**headers, "host": host_header}, extensions=extensions
            ) as response,
        ):
            if 200 <= response.status_code < 300:
                return response.status_code, ""
            snippet = b""
            for chunk in response.iter_bytes():
                snippet += chunk
                if len(snippet) >= 300:
                    break
            text = snippet[:300].decode("utf-8", "replace")
            return response.status_code, _("The receiver answered %(status)s: %(body)s") % {
                "status": response.status_code,
                "body": text,
            }
    except httpx.TimeoutException:
        return None, _("No answer within %(seconds)s seconds.") % {"seconds": int(timeout)}
    except httpx.HTTPError as exc:
        return None, _("The receiver could not be reached: %(error)s") % {"error": exc}
