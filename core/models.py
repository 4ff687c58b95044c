from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.model_fields import JSONDocumentField


class IdempotencyKey(models.Model):
    """One `Idempotency-Key` per user: the request it answered and the response to replay."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    location = models.CharField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.method} {self.path})"


class Job(models.Model):
    """A background job (Celery task) whose progress is shown on a page and in the API."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=50)
    # The Celery task that runs the job (it takes the job's id); the periodic check queues it again.
    task = models.CharField(max_length=100, blank=True, default="")
    description = models.CharField(max_length=200, blank=True, default="")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    succeeded = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    payload = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Fault tolerance (core/jobs.py): when the task last reached the broker (empty: not yet, the broker was
    # down), the runner's claim token, its last sign of life, and how many runs claimed the job.
    queued_at = models.DateTimeField(null=True, blank=True)
    claim = models.CharField(max_length=32, blank=True, default="")
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-pk"]
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="job_status_heartbeat")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"

    @property
    def percent(self) -> int:
        if not self.total:
            return 100 if self.status in (self.Status.SUCCEEDED, self.Status.FAILED) else 0
        return min(100, int(self.processed * 100 / self.total))

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)


class ActivityEntry(models.Model):
    """One change a user made to a document or one of its lines: who, when, what, before and after.

    Written by `core.activity.activity_record` inside the transaction of the service that made the
    change, so it exists exactly when the change does. It names its object and document by type, id and
    number instead of foreign keys, so it is kept when they are deleted; `location_id` scopes who may
    read it (the supervisors of that location).
    """

    class Action(models.TextChoices):
        CREATED = "created", pgettext_lazy("activity action", "Created")
        CHANGED = "changed", _("Changed")
        POSTED = "posted", _("Posted")
        REGISTERED = "registered", _("Registered")
        DELETED = "deleted", _("Deleted")

    at = models.DateTimeField(default=timezone.now)
    # db_index=False: `activity_user_at` (user, at) serves lookups by user. No foreign key constraint: the
    # log names everything it refers to without one (docs/architecture.md, "Foreign keys"); deleting a user
    # still empties the column (SET_NULL) and `username` keeps the name.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    username = models.CharField(max_length=150, blank=True, default="")
    action = models.CharField(max_length=20, choices=Action.choices)
    # What the user did, in the words of the page or API: "split", "autofill_qty_to_handle", ...
    operation = models.CharField(max_length=50)
    object_type = models.CharField(max_length=30)  # pick, pick_line, source_document, item_tracking_line...
    object_id = models.BigIntegerField(null=True, blank=True)
    object_repr = models.CharField(max_length=200, blank=True, default="")
    document_type = models.CharField(max_length=30)  # pick, source_document (later: shipment)
    document_id = models.BigIntegerField()
    document_no = models.CharField(max_length=30, blank=True, default="")
    location_id = models.BigIntegerField(null=True, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-pk"]
        verbose_name_plural = _("activity entries")
        indexes = [
            models.Index(fields=["document_type", "document_id"], name="activity_document"),
            models.Index(fields=["user", "at"], name="activity_user_at"),
            models.Index(fields=["location_id", "at"], name="activity_location_at"),
        ]

    def __str__(self) -> str:
        return f"{self.username} {self.action} {self.object_repr}"


# --- Events for ERPs (core.events, core.webhooks) ----------------------------------------------------


class Event(models.Model):
    """A change an ERP is told about, written in the same transaction as the change (transactional outbox).

    `position` is the commit order: NULL while the event is not sequenced yet; `core.events.events_sequence`
    gives committed events their positions, one after the other, renders the `data` of events emitted with
    `render_later`, and fans them out to webhook deliveries.
    The feed and every subscription read events in `position` order. An event with a `subscription` (a ping)
    is for that subscription only: it is never sequenced nor listed in the feed.
    """

    type = models.CharField(max_length=60)
    data = JSONDocumentField(encoder=DjangoJSONEncoder)
    occurred_at = models.DateTimeField(default=timezone.now)
    position = models.BigIntegerField(null=True, blank=True, unique=True)
    # Set while `data` is still to be rendered from this object (`event_emit(..., render_later=True)`).
    subject_type = models.CharField(max_length=100, blank=True, default="")
    subject_id = models.BigIntegerField(null=True, blank=True)
    subscription = models.ForeignKey(
        "core.WebhookSubscription", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        ordering = ["position", "pk"]
        indexes = [
            models.Index(
                fields=["id"],
                condition=models.Q(position__isnull=True, subscription__isnull=True),
                name="event_not_sequenced",
            ),
            models.Index(fields=["occurred_at"], name="event_occurred_at"),
        ]

    def __str__(self) -> str:
        return f"{self.type} #{self.pk}"


class WebhookSubscription(models.Model):
    """Where and how an ERP is told about events: a URL, the event types (empty: all), a signing secret.

    `lease_until` / `lease_token`: the worker delivering this subscription's events right now (one at a time,
    so they arrive in order); a lease that is not renewed expires, so a worker that died is replaced.
    """

    url = models.URLField(max_length=2000)
    event_types = models.JSONField(default=list, blank=True)
    active = models.BooleanField(default=True)
    description = models.CharField(max_length=200, blank=True, default="")
    secret = models.CharField(max_length=100)
    lease_until = models.DateTimeField(null=True, blank=True)
    lease_token = models.CharField(max_length=32, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.url

    def wants(self, event_type: str) -> bool:
        return not self.event_types or event_type in self.event_types


class WebhookDelivery(models.Model):
    """One event for one subscription: sent (and retried) until delivered or failed."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        RETRYING = "retrying", "Retrying"
        FAILED = "failed", "Failed"

    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    # The event's position (0 for a ping): a subscription's deliveries go out in this order.
    position = models.BigIntegerField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True, default="")
    next_attempt_at = models.DateTimeField(default=timezone.now)
    retry_until = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "event"], name="one_delivery_per_event_subscription"
            )
        ]
        indexes = [
            models.Index(
                fields=["subscription", "position", "id"],
                condition=models.Q(status__in=["pending", "retrying"]),
                name="delivery_open_in_order",
            ),
            models.Index(fields=["status", "next_attempt_at"], name="delivery_status_due"),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} -> {self.subscription_id} ({self.status})"

    @property
    def open(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.RETRYING)


class UserPreferences(models.Model):
    """A user's own settings: the interface language (blank: the browser's Accept-Language, else English).

    Pages follow it (core.middleware.LanguageMiddleware); the API never does (Accept-Language only)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preferences", verbose_name=_("user")
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        blank=True,
        default="",
        choices=settings.LANGUAGES,
        help_text=_("Empty: the language of the browser."),
    )

    class Meta:
        verbose_name = _("user preferences")
        verbose_name_plural = _("user preferences")

    def __str__(self) -> str:
        return str(self.user)
