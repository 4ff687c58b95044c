"""The event feed: the same events as the webhooks, oldest first by commit order, with a working cursor."""

from __future__ import annotations

import datetime
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import timezone

from core.events import EventType, event_emit, events_prune
from core.models import Event, WebhookDelivery, WebhookSubscription
from tests.clients import api_client_for, ok, problem
from tests.receiver import Receiver, start_receiver, stop_receiver
from tests.world import World, order, serials

FEED = "/api/v1/events/"


@pytest.fixture
def receiver(settings: Any) -> Iterator[Receiver]:
    settings.LOTPICK_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    started = start_receiver()
    yield started
    stop_receiver(started)


def read_all(client: Any, query: str = "", limit: int = 1) -> tuple[list[dict[str, Any]], str]:
    """Every event of the feed, `limit` at a time, following next_cursor."""
    events: list[dict[str, Any]] = []
    cursor = ""
    for _ in range(100):
        page = ok(client.get(f"{FEED}?limit={limit}&after={cursor}{query}"))
        cursor = page["next_cursor"]
        if not page["results"]:
            return events, cursor
        events.extend(page["results"])
    raise AssertionError("the feed did not end")


def test_the_feed_returns_the_webhook_events_in_order_with_a_working_cursor(
    world: World, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    # given an ERP subscribed to every event, which then sends an order, picks it and posts the pick
    erp = api_client_for(world.admin)
    ok(erp.post("/api/v1/webhooks/", {"url": receiver.url}, format="json"), 201)
    world.receive(world.sn_wh, world.a1, *serials(2, expiration=None))
    with django_capture_on_commit_callbacks(execute=True):
        doc = ok(
            erp.post(
                "/api/v1/source-documents/",
                order("SO-FEED", {"line_no": 1, "item": "SN-WH", "quantity": 2}),
                format="json",
            ),
            201,
        )
    with django_capture_on_commit_callbacks(execute=True):
        pick = ok(erp.post("/api/v1/picks/", {"source_document": doc["id"]}, format="json"), 201)
    with django_capture_on_commit_callbacks(execute=True):
        ok(erp.post(f"/api/v1/picks/{pick['id']}/autofill-qty-to-handle/"))
        posted = ok(erp.post(f"/api/v1/picks/{pick['id']}/post/"), 201)
    # when the feed is read one event at a time
    events, last_cursor = read_all(erp)
    # then it holds the same events as the webhooks delivered, in the same order, with the same data
    assert [e["type"] for e in events] == ["source_document.created", "pick.created", "pick.posted"]
    assert events == receiver.events()
    assert events[0]["data"]["no"] == "SO-FEED"
    assert events[2]["data"]["no"] == posted["no"]
    assert events[2]["data"]["lines"] == posted["lines"]
    # and reading from the last cursor gives nothing new until something happens
    page = ok(erp.get(f"{FEED}?after={last_cursor}"))
    assert (page["results"], page["next_cursor"]) == ([], last_cursor)
    with transaction.atomic():
        event_emit(event_type=EventType.SOURCE_DOCUMENT_CHANGED, data={"no": "SO-FEED"})
    assert [e["type"] for e in ok(erp.get(f"{FEED}?after={last_cursor}"))["results"]] == [
        "source_document.changed"
    ]
    # and a page of 100 holds the same as pages of one; the type filter keeps the order
    assert [e["id"] for e in ok(erp.get(FEED))["results"]][:3] == [e["id"] for e in events]
    typed, _ = read_all(erp, "&type=pick.posted,source_document.created")
    assert [e["type"] for e in typed] == ["source_document.created", "pick.posted"]


def test_a_cursor_that_the_feed_did_not_give_is_400(world: World) -> None:
    client = api_client_for(world.admin)
    for cursor in ("nonsense", "cDE6LTE", "cDE6"):
        problem(client.get(f"{FEED}?after={cursor}"), 400, "invalid_cursor")
    problem(client.get(f"{FEED}?type=pick.exploded"), 400, "invalid")
    problem(client.get(f"{FEED}?limit=0"), 400, "invalid")


def test_pruning_keeps_30_days_and_every_event_still_being_delivered(world: World, settings: Any) -> None:
    settings.LOTPICK_EVENTS_RETENTION_DAYS = 7  # never less than 30 days
    now = timezone.now()
    with transaction.atomic():
        old, recent, waiting = (
            event_emit(event_type=EventType.PICK_CREATED, data={"n": n}) for n in range(3)
        )
    from core.events import events_sequence

    events_sequence()
    Event.objects.filter(pk__in=[old.pk, waiting.pk]).update(occurred_at=now - datetime.timedelta(days=31))
    Event.objects.filter(pk=recent.pk).update(occurred_at=now - datetime.timedelta(days=29))
    subscription = WebhookSubscription.objects.create(url="http://10.0.0.1/", secret="whsec_QUJD")
    WebhookDelivery.objects.create(subscription=subscription, event=waiting, position=waiting.position or 0)
    WebhookDelivery.objects.create(
        subscription=subscription, event=old, position=old.position or 0, status="delivered"
    )
    # when the daily pruning runs
    assert events_prune() == 1
    # then only the old, delivered event is gone
    assert set(Event.objects.values_list("pk", flat=True)) == {recent.pk, waiting.pk}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_event_that_commits_late_is_not_skipped_by_a_reader_of_the_feed(world: World) -> None:
    # given a transaction that wrote an event (a lower id) and has not committed yet
    client = api_client_for(world.admin)
    written, finish = threading.Event(), threading.Event()

    def slow_change() -> None:
        try:
            with transaction.atomic():
                event_emit(event_type=EventType.SOURCE_DOCUMENT_CHANGED, data={"who": "slow"})
                written.set()
                finish.wait(30)
        finally:
            connection.close()

    thread = threading.Thread(target=slow_change)
    thread.start()
    assert written.wait(30)
    # when a later transaction commits an event (a higher id) and a reader reads the feed
    with transaction.atomic():
        event_emit(event_type=EventType.SOURCE_DOCUMENT_CHANGED, data={"who": "fast"})
    first = ok(client.get(FEED))
    assert [e["data"]["who"] for e in first["results"]] == ["fast"]
    finish.set()
    thread.join(30)
    # then the slow event comes after the reader's cursor: in commit order, not lost
    second = ok(client.get(f"{FEED}?after={first['next_cursor']}"))
    assert [e["data"]["who"] for e in second["results"]] == ["slow"]
    by_who = {e.data.get("who"): e for e in Event.objects.filter(type=EventType.SOURCE_DOCUMENT_CHANGED)}
    slow, fast = by_who["slow"], by_who["fast"]  # (data is `json`: read whole, never queried inside)
    assert slow.pk < fast.pk and slow.position is not None and fast.position is not None
    assert slow.position > fast.position
