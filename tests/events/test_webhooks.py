"""Events reach ERPs by signed webhooks: a real HTTP receiver on 127.0.0.1 (tests/receiver.py).

Celery runs eagerly here: the dispatcher that runs after each commit delivers in the test process. What a
periodic run of Celery beat does is `events_dispatch()`, called directly where a test needs it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from standardwebhooks.webhooks import Webhook

from core.events import EventType, event_emit
from core.models import Event, WebhookDelivery
from core.webhooks import events_dispatch
from tests.clients import api_client_for, ok, problem
from tests.receiver import Receiver, start_receiver, stop_receiver
from tests.world import World, document, pick_from, serials, ship

WEBHOOKS = "/api/v1/webhooks/"


@pytest.fixture(autouse=True)
def _loopback_allowed(settings: Any) -> None:
    settings.LOTPICK_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    settings.LOTPICK_WEBHOOK_TIMEOUT = 2


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    started = start_receiver()
    yield started
    stop_receiver(started)


def subscribe(world: World, url: str, *event_types: str) -> dict[str, Any]:
    """A subscription made by the ERP over the API (the answer holds the secret, this once)."""
    client = api_client_for(world.admin)
    return ok(client.post(WEBHOOKS, {"url": url, "event_types": list(event_types)}, format="json"), 201)


def stocked_serial_order(world: World, count: int = 3) -> Any:
    world.receive(world.sn_wh, world.a1, *serials(count, expiration=None))
    return document(world, (world.sn_wh, count), no="SO-HOOK")


def test_posting_a_pick_delivers_one_signed_pick_posted_listing_every_number_shipped(
    world: World, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    # given an ERP subscribed to pick.posted, and a pick of three serial numbers
    subscription = subscribe(world, receiver.url, "pick.posted")
    assert subscription["secret"].startswith("whsec_")
    pick = pick_from(world, stocked_serial_order(world))
    # when the pick is posted
    with django_capture_on_commit_callbacks(execute=True):
        posted = ship(world, pick)
    # then the receiver got exactly one request, signed with the subscription's secret
    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    event = Webhook(subscription["secret"]).verify(request.body, request.headers)
    assert request.headers["webhook-id"] == f"evt_{event['id']}"
    assert event["type"] == "pick.posted"
    # and its data is the posted pick as the API returns it, with every number shipped
    data = event["data"]
    assert (data["no"], data["pick_no"]) == (posted.no, pick.no)
    assert (data["source_document_type"], data["source_document_no"]) == ("sales_order", "SO-HOOK")
    assert sorted(line["serial_no"] for line in data["lines"]) == ["S00000", "S00001", "S00002"]
    api = ok(api_client_for(world.admin).get(f"/api/v1/posted-picks/{posted.pk}/"))
    assert data["lines"] == api["lines"]
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 200)


def test_a_signature_made_with_another_secret_does_not_verify(
    world: World, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    subscribe(world, receiver.url, "pick.posted")
    pick = pick_from(world, stocked_serial_order(world, 1))
    with django_capture_on_commit_callbacks(execute=True):
        ship(world, pick)
    request = receiver.requests[0]
    with pytest.raises(Exception, match="signature"):
        Webhook("whsec_" + "QUJD" * 8).verify(request.body, request.headers)


def test_a_receiver_answering_500_then_200_gets_the_event_on_the_retry(
    world: World, receiver: Receiver, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # given a receiver that fails once, and a first retry delay of 0.2 s
    settings.LOTPICK_WEBHOOK_RETRY_DELAYS = [0.2, 0.2]
    receiver.statuses = [500]
    subscription = subscribe(world, receiver.url, "pick.posted")
    pick = pick_from(world, stocked_serial_order(world, 1))
    with django_capture_on_commit_callbacks(execute=True):
        ship(world, pick)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("retrying", 1, 500)
    assert "try again later" in delivery.last_error
    # when the periodic dispatcher runs after the delay
    events_dispatch()
    assert len(receiver.requests) == 1  # not due yet
    time.sleep(0.3)
    events_dispatch()
    # then the same event arrives again, and is delivered
    assert len(receiver.requests) == 2
    first, second = receiver.requests
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    Webhook(subscription["secret"]).verify(second.body, second.headers)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 2, 200)


def test_a_rolled_back_posting_sends_nothing(
    world: World, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    # given a subscription to postings and a pick ready to post
    subscribe(world, receiver.url, "pick.posted")
    pick = pick_from(world, stocked_serial_order(world, 2))
    before = Event.objects.count()
    # when the posting is rolled back after the event was written (the transaction around it fails)
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        ship(world, pick)
        assert Event.objects.filter(type="pick.posted").exists()
        raise RuntimeError("the transaction fails after the posting")
    events_dispatch()
    # then no event is left and nothing was sent
    assert Event.objects.count() == before
    assert not Event.objects.filter(type="pick.posted").exists()
    assert receiver.requests == []


def test_a_subscription_gets_its_events_in_commit_order_and_waits_behind_a_failing_one(
    world: World, receiver: Receiver, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # given a receiver that fails the first request (retried after a second: long enough for the pick to
    # be created first on a loaded machine)
    settings.LOTPICK_WEBHOOK_RETRY_DELAYS = [1.0]
    receiver.statuses = [503]
    subscribe(world, receiver.url)
    world.receive(world.sn_wh, world.a1, *serials(1, expiration=None))
    # when a document is created and then picked
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        doc = document(world, (world.sn_wh, 1), no="SO-ORDER")
        event_emit(event_type=EventType.SOURCE_DOCUMENT_CREATED, subject=doc)
    with django_capture_on_commit_callbacks(execute=True):
        pick_from(world, doc)
    # then the second event waits while the first one is retried
    assert [e["type"] for e in receiver.events()] == ["source_document.created"]
    time.sleep(1.1)
    events_dispatch()
    assert [e["type"] for e in receiver.events()] == [
        "source_document.created",
        "source_document.created",
        "pick.created",
    ]
    ids = [e["id"] for e in receiver.events()]
    assert ids[1] < ids[2]


def test_deliveries_fail_after_the_retry_window_and_can_be_redelivered(
    world: World, receiver: Receiver, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # given a receiver that keeps failing and a retry window shorter than the first delay
    settings.LOTPICK_WEBHOOK_RETRY_DELAYS = [5]
    settings.LOTPICK_WEBHOOK_RETRY_WINDOW = 1
    receiver.statuses = [500, 500]
    subscription = subscribe(world, receiver.url, "pick.created")
    with django_capture_on_commit_callbacks(execute=True):
        pick_from(world, stocked_serial_order(world, 1))
    client = api_client_for(world.admin)
    failed = ok(client.get(f"{WEBHOOKS}{subscription['id']}/deliveries/?status=failed"))["results"]
    assert [(d["status"], d["attempts"], d["last_status_code"]) for d in failed] == [("failed", 1, 500)]
    assert ok(client.get(f"{WEBHOOKS}{subscription['id']}/deliveries/?status=delivered"))["results"] == []
    # when it is redelivered (the receiver works again after one more failure: a new window starts)
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(f"{WEBHOOKS}{subscription['id']}/deliveries/{failed[0]['id']}/redeliver/")
    assert ok(again, 202)["status"] == "pending"
    assert len(receiver.requests) == 2
    settings.LOTPICK_WEBHOOK_RETRY_WINDOW = 3600
    settings.LOTPICK_WEBHOOK_RETRY_DELAYS = [0.1]
    with django_capture_on_commit_callbacks(execute=True):
        ok(client.post(f"{WEBHOOKS}{subscription['id']}/deliveries/{failed[0]['id']}/redeliver/"), 202)
    # then it arrives
    assert len(receiver.requests) == 3
    assert WebhookDelivery.objects.get().status == "delivered"
    assert len({r.headers["webhook-id"] for r in receiver.requests}) == 1


def test_ping_sends_one_ping_now(
    world: World, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    subscription = subscribe(world, receiver.url, "pick.posted")
    client = api_client_for(world.admin)
    with django_capture_on_commit_callbacks(execute=True):
        delivery = ok(client.post(f"{WEBHOOKS}{subscription['id']}/ping/"), 202)
    assert delivery["event_type"] == "ping"
    assert [e["type"] for e in receiver.events()] == ["ping"]
    Webhook(subscription["secret"]).verify(receiver.requests[0].body, receiver.requests[0].headers)
    # a ping is not in the feed
    assert ok(client.get("/api/v1/events/?type=pick.posted"))["results"] == []
    assert all(e["type"] != "ping" for e in ok(client.get("/api/v1/events/"))["results"])


def test_the_secret_is_answered_once(world: World, receiver: Receiver) -> None:
    subscription = subscribe(world, receiver.url)
    client = api_client_for(world.admin)
    shown = ok(client.get(f"{WEBHOOKS}{subscription['id']}/"))
    assert "secret" not in shown
    assert all("secret" not in s for s in ok(client.get(WEBHOOKS))["results"])
    # and it cannot be set
    body = problem(
        client.patch(f"{WEBHOOKS}{subscription['id']}/", {"secret": "whsec_x"}, format="json"),
        400,
        "field_read_only",
    )
    assert body["errors"][0]["field"] == "secret"
    changed = ok(client.patch(f"{WEBHOOKS}{subscription['id']}/", {"active": False}, format="json"))
    assert changed["active"] is False


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata (link-local)
        "http://[fe80::1]/hook",  # IPv6 link-local
        "http://[::ffff:169.254.169.254]/hook",  # metadata behind an IPv4-mapped IPv6 address
        "http://100.100.100.200/hook",  # Alibaba Cloud metadata
        "http://127.0.0.2/hook",  # loopback not allowed by the setting
        "http://0.0.0.0/hook",
        "ftp://erp.example/hook",
        "http://user:secret@127.0.0.1/hook",
    ],
)
def test_webhook_urls_to_refused_addresses_are_400(world: World, url: str) -> None:
    client = api_client_for(world.admin)
    response = client.post(WEBHOOKS, {"url": url}, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["code"] in ("webhook_url_refused", "invalid")
    assert not client.get(WEBHOOKS).json()["results"]


def test_private_networks_are_allowed_by_default_but_metadata_never(settings: Any) -> None:
    from core.webhooks import address_refusal

    settings.LOTPICK_WEBHOOK_ALLOWED_NETWORKS = ["10.0.0.0/8", "169.254.0.0/16", "fc00::/7"]
    assert address_refusal("10.1.2.3") == ""
    assert address_refusal("8.8.8.8") == ""
    assert address_refusal("169.254.169.254")  # listed, but metadata is refused whatever the setting says
    assert address_refusal("fd00:ec2::254")
    assert address_refusal("127.0.0.1")
    assert address_refusal("192.168.1.1")  # not listed here


def test_a_webhook_url_that_resolves_to_a_refused_address_at_delivery_is_not_sent_to(
    world: World, receiver: Receiver, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # given a subscription made while loopback was allowed, then the setting changes
    subscribe(world, receiver.url, "pick.created")
    settings.LOTPICK_WEBHOOK_ALLOWED_NETWORKS = []
    with django_capture_on_commit_callbacks(execute=True):
        pick_from(world, stocked_serial_order(world, 1))
    assert receiver.requests == []
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "retrying"
    assert "127.0.0.1" in delivery.last_error


def test_workers_without_the_permission_cannot_read_events_nor_set_up_webhooks(world: World) -> None:
    client = api_client_for(world.worker)
    problem(client.get("/api/v1/events/"), 403, "permission_denied")
    problem(client.post(WEBHOOKS, {"url": "http://10.0.0.1/"}, format="json"), 403, "permission_denied")
