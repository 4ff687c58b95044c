"""Events for ERPs: a transactional outbox, its commit order, the cursor feed and pruning.

Writing: a service calls `event_emit(event_type=..., subject=obj)` inside its own transaction, after its
writes. The event row (type, `data`) is inserted in that transaction, so an event exists exactly when the
change committed: nothing for a rollback, nothing lost when a process dies after the commit. `data` is the
object as the API returns it, made by the renderer registered for the subject's model
(`event_data_renderer_add`; picking registers its renderers in `PickingConfig.ready`, because the API's
serializers live in a higher layer than the services that emit).

Ordering: event ids are handed out when rows are inserted, not when transactions commit, so a reader going
by id could skip an event whose transaction commits late. `events_sequence` therefore gives each committed
event a `position`, one sequencer at a time (an advisory lock), in id order among the events committed so
far: positions follow the commit order, and a position is never handed out below one a reader has seen.
The feed and every webhook subscription read events by position. Sequencing runs right after each commit
(`dispatch_soon`, through Celery), every few seconds (Celery beat, `core.tasks.events_dispatch`), and before
each read of the feed, so the feed never depends on a worker.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import enum
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, Max, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from core.db import JSONText, bulk_insert, is_postgresql, update_rows
from core.exceptions import ErrorCode, InvalidInput
from core.locks import lock_event_sequencer
from core.models import Event, WebhookDelivery, WebhookSubscription

logger = logging.getLogger(__name__)


class EventType(enum.StrEnum):
    """Every event type an ERP can receive (docs/api.md, "Events and webhooks")."""

    SOURCE_DOCUMENT_CREATED = "source_document.created"
    SOURCE_DOCUMENT_CHANGED = "source_document.changed"
    PICK_CREATED = "pick.created"
    PICK_POSTED = "pick.posted"
    PICK_DELETED = "pick.deleted"
    PICK_REGISTERED = "pick.registered"
    WAREHOUSE_SHIPMENT_CREATED = "warehouse_shipment.created"
    WAREHOUSE_SHIPMENT_POSTED = "warehouse_shipment.posted"
    TRACKING_BLOCKED = "tracking.blocked"
    RECALL_OPENED = "recall.opened"
    RECALL_CLOSED = "recall.closed"
    PING = "ping"


FEED_TYPES = [t.value for t in EventType if t is not EventType.PING]

# --- Writing events ----------------------------------------------------------------------------------

Renderer = Callable[[Any], dict[str, Any]]
ManyRenderer = Callable[[Sequence[Any]], list[dict[str, Any]]]
DatabaseRenderer = Callable[[Any], Any]  # an expression for the UPDATE of `data`, or None


@dataclass(frozen=True)
class _Renderers:
    model: Any
    render: Renderer
    render_many: ManyRenderer | None
    render_in_database: DatabaseRenderer | None = None


_RENDERERS: dict[str, _Renderers] = {}  # by model label ("picking.pick")


def event_data_renderer_add(
    model: Any,
    render: Renderer,
    render_many: ManyRenderer | None = None,
    *,
    render_in_database: DatabaseRenderer | None = None,
) -> None:
    """Register how an object of `model` is written into an event's `data`: the object as the API returns
    it, plus its source document's `source_document_type` and `source_document_no` where it has one.
    `render_many` renders many objects in a fixed number of queries (imports, deferred rendering).
    `render_in_database` (PostgreSQL, deferred rendering): the same data as an expression the UPDATE of the
    event evaluates, for objects too large to go through Python (None: `render` it is)."""
    _RENDERERS[model._meta.label_lower] = _Renderers(model, render, render_many, render_in_database)


def _renderers(subject: Any) -> _Renderers:
    label = subject._meta.label_lower
    if label not in _RENDERERS:
        raise LookupError(f"No event data renderer for {label}; see event_data_renderer_add.")
    return _RENDERERS[label]


def _render_many(renderers: _Renderers, subjects: Sequence[Any]) -> list[dict[str, Any]]:
    if renderers.render_many is not None:
        return [dict(d) for d in renderers.render_many(subjects)]
    return [dict(renderers.render(s)) for s in subjects]


def event_emit(
    *,
    event_type: EventType,
    subject: Any = None,
    data: dict[str, Any] | None = None,
    render_later: bool = False,
) -> Event:
    """Write an event in the caller's transaction (call it inside the service's `transaction.atomic()`,
    after the writes it reports). `data` is rendered from `subject` unless given.

    `render_later`: the data is rendered when the event is sequenced, right after the commit, outside the
    caller's transaction (in bulk, off the request). For records that never change (a posted pick) it is
    the same data; for large objects that may still change (a new pick of thousands of lines) it is the
    object as it is then. The event holds `{"id": ...}` until then.
    """
    _require_transaction()
    if render_later:
        renderers = _renderers(subject)
        event = Event.objects.create(
            type=str(event_type),
            data={"id": subject.pk},
            subject_type=renderers.model._meta.label_lower,
            subject_id=subject.pk,
        )
    else:
        payload = data if data is not None else dict(_renderers(subject).render(subject))
        event = Event.objects.create(type=str(event_type), data=payload)
    dispatch_soon()
    return event


def events_emit(
    *,
    event_type: EventType,
    subjects: Sequence[Any],
    payloads: Sequence[dict[str, Any] | JSONText] | None = None,
) -> list[Event]:
    """`event_emit` for many objects of one model at once (an import): one INSERT, and the renderer's
    `render_many` keeps the number of queries fixed. `payloads`: the data of each subject, in order, when
    the caller has it already (what the renderer would answer; a new document's, rendered from its
    input), as a dict or as its JSON text (`core.db.JSONText`, stored as it is)."""
    if not subjects:
        return []
    _require_transaction()
    if payloads is None:
        payloads = _render_many(_renderers(subjects[0]), subjects)
    elif len(payloads) != len(subjects):
        raise ValueError("events_emit: one payload per subject")
    events = bulk_insert([Event(type=str(event_type), data=p) for p in payloads])
    dispatch_soon()
    return events


def _require_transaction() -> None:
    if not connection.in_atomic_block:
        raise RuntimeError("Events are emitted inside the transaction of the change they report.")


def dispatch_soon() -> None:
    """After the current transaction commits, sequence and deliver (a dispatcher that finds nothing new
    costs two queries, so a transaction that emits several events may start it several times)."""
    transaction.on_commit(_dispatch_after_commit)


def _dispatch_after_commit() -> None:
    """Best effort: when the broker is down the periodic dispatcher (Celery beat) sends them later."""
    from core.tasks import events_dispatch_task

    try:
        run_task(events_dispatch_task)
    except Exception:  # the change is committed; its events wait in the outbox
        logger.warning("events: could not enqueue the dispatcher; the periodic check will", exc_info=True)


def run_task(task: Any, *args: Any) -> None:
    """Enqueue a Celery task; without a broker (CELERY_TASK_ALWAYS_EAGER) call its body here instead.
    Celery's eager `apply` flips a process-wide flag that threads committing at the same moment (web
    threads, tests) can leave set; calling the body directly needs none of that."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        task.run(*args)
    else:
        task.delay(*args)


# --- Commit order ------------------------------------------------------------------------------------


def events_sequence(*, batch_size: int = 1000) -> int:
    """Give committed events their positions (commit order) and create their webhook deliveries.

    One sequencer at a time; another caller returns at once (0) and the running one does the work. Returns
    the number of events sequenced. A fixed number of queries per batch.
    """
    done = 0
    while True:
        with transaction.atomic():
            if not lock_event_sequencer():
                return done
            pending = list(
                Event.objects.filter(position__isnull=True, subscription__isnull=True)
                .order_by("pk")
                .values_list("pk", "type", "subject_type", "subject_id")[:batch_size]
            )
            if not pending:
                return done
            _render_deferred(
                [(pk, label, subject_id) for pk, _type, label, subject_id in pending if label and subject_id]
            )
            last = Event.objects.aggregate(last=Max("position"))["last"] or 0
            positions = {pk: last + index + 1 for index, (pk, *_rest) in enumerate(pending)}
            update_rows(
                Event, [(pk, position) for pk, position in positions.items()], set_fields=["position"]
            )
            subscriptions = list(WebhookSubscription.objects.filter(active=True))
            now = timezone.now()
            bulk_insert(
                [
                    WebhookDelivery(
                        subscription=subscription,
                        event_id=pk,
                        position=positions[pk],
                        next_attempt_at=now,
                    )
                    for pk, event_type, _label, _subject in pending
                    for subscription in subscriptions
                    if subscription.wants(event_type)
                ]
            )
            done += len(pending)
        if len(pending) < batch_size:
            return done


def _render_deferred(events: list[tuple[int, str, int]]) -> None:
    """Render the data of events emitted with `render_later`: per model, the objects in bulk (a fixed
    number of queries), then one UPDATE per event. An object deleted meanwhile keeps `{"id": ...}`."""
    by_label: dict[str, list[tuple[int, int]]] = {}
    for pk, label, subject_id in events:
        by_label.setdefault(label, []).append((pk, subject_id))
    for label, items in by_label.items():
        renderers = _RENDERERS.get(label)
        if renderers is None:
            logger.error("events: no renderer for %s; events %s keep their ids only", label, items)
            continue
        subjects = {s.pk: s for s in renderers.model._default_manager.filter(pk__in=[i for _, i in items])}
        alive = [subjects[i] for _, i in items if i in subjects]
        rendered: dict[int, Any] = {}
        if renderers.render_in_database is not None and is_postgresql():
            for subject in alive:
                expression = renderers.render_in_database(subject)
                if expression is not None:
                    rendered[subject.pk] = expression
            alive = [s for s in alive if s.pk not in rendered]
        if alive:
            rendered.update(zip([s.pk for s in alive], _render_many(renderers, alive), strict=True))
        for pk, subject_id in items:
            Event.objects.filter(pk=pk).update(
                data=rendered.get(subject_id, {"id": subject_id}), subject_type="", subject_id=None
            )


# --- The feed ------------------------------------------------------------------------------------------

FEED_DEFAULT_LIMIT = 100
_CURSOR_PREFIX = "p1:"


def cursor_encode(position: int) -> str:
    return base64.urlsafe_b64encode(f"{_CURSOR_PREFIX}{position}".encode()).decode().rstrip("=")


def cursor_decode(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        if not text.startswith(_CURSOR_PREFIX):
            raise ValueError(text)
        position = int(text[len(_CURSOR_PREFIX) :])
        if position < 0:
            raise ValueError(text)
        return position
    except (ValueError, UnicodeDecodeError, binascii.Error) as exc:
        raise InvalidInput(
            _("The cursor is not one this feed gave out: pass the next_cursor of an earlier answer."),
            code=ErrorCode.INVALID_CURSOR,
            errors=[
                {
                    "field": "after",
                    "code": ErrorCode.INVALID_CURSOR,
                    "detail": _("Not a cursor of this feed."),
                }
            ],
        ) from exc


@dataclass
class FeedPage:
    events: list[Event]
    next_cursor: str


def event_feed(*, after: str = "", types: Sequence[str] = (), limit: int = FEED_DEFAULT_LIMIT) -> FeedPage:
    """Events after the cursor, oldest first (by commit order). Sequences what committed meanwhile first,
    so the feed is complete without a Celery worker. `next_cursor` continues after the last event returned
    (or stays where it was when there is nothing new)."""
    position = cursor_decode(after) if after else 0
    unknown = sorted(set(types) - set(FEED_TYPES))
    if unknown:
        raise InvalidInput(
            _("Unknown event type %(types)s. Event types: %(known)s.")
            % {"types": ", ".join(unknown), "known": ", ".join(FEED_TYPES)},
            errors=[{"field": "type", "code": ErrorCode.INVALID_CHOICE, "detail": _("Unknown event type.")}],
        )
    events_sequence()
    events = Event.objects.filter(position__gt=position).order_by("position")
    if types:
        events = events.filter(type__in=list(types))
    page = list(events[:limit])
    last = page[-1].position if page else position
    assert last is not None
    return FeedPage(events=page, next_cursor=cursor_encode(last))


# --- Keeping events ------------------------------------------------------------------------------------


def events_prune(*, now: datetime.datetime | None = None) -> int:
    """Delete events older than the retention (LOTPICK_EVENTS_RETENTION_DAYS, at least 30 days) whose
    deliveries are all finished, with those deliveries. Returns the number of events deleted."""
    days = max(30, int(settings.LOTPICK_EVENTS_RETENTION_DAYS))
    cutoff = (now or timezone.now()) - datetime.timedelta(days=days)
    still_open = WebhookDelivery.objects.filter(
        event=OuterRef("pk"), status__in=[WebhookDelivery.Status.PENDING, WebhookDelivery.Status.RETRYING]
    )
    old = Event.objects.filter(occurred_at__lt=cutoff).exclude(
        position__isnull=True, subscription__isnull=True
    )
    doomed = old.exclude(Exists(still_open))
    with transaction.atomic():
        WebhookDelivery.objects.filter(event__in=doomed.values("pk")).delete()
        deleted, _by_model = Event.objects.filter(pk__in=doomed.values("pk")).delete()
    return deleted
