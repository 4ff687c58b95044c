"""The supervisors' webhook page: subscriptions, failed deliveries, Send again."""

from __future__ import annotations

from typing import Any

import pytest

from core.models import Event, WebhookDelivery, WebhookSubscription
from tests.clients import browser_for
from tests.world import World


@pytest.fixture
def failed(world: World) -> WebhookDelivery:
    subscription = WebhookSubscription.objects.create(
        url="http://10.1.2.3/erp/hooks", secret="whsec_QUJD", description="ERP production"
    )
    event = Event.objects.create(type="pick.posted", data={}, position=1)
    return WebhookDelivery.objects.create(
        subscription=subscription,
        event=event,
        position=1,
        status="failed",
        attempts=11,
        last_status_code=502,
        last_error="The receiver answered 502: Bad gateway",
    )


def test_supervisors_see_subscriptions_and_failed_deliveries_and_send_them_again(
    world: World, failed: WebhookDelivery, django_capture_on_commit_callbacks: Any
) -> None:
    page = browser_for(world.supervisor)
    html = page.get("/webhooks/").content.decode()
    assert "http://10.1.2.3/erp/hooks" in html and "ERP production" in html
    assert "pick.posted" in html and "Bad gateway" in html and "Send again" in html
    # when the supervisor sends it again (the receiver is not reachable from the test: it stays open)
    with django_capture_on_commit_callbacks(execute=False):
        response = page.post(f"/webhooks/{failed.subscription_id}/deliveries/{failed.pk}/redeliver/")
    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.status == "pending"
    assert "will be sent again" in page.get("/webhooks/").content.decode()


def test_workers_do_not_see_the_webhook_page(world: World, failed: WebhookDelivery) -> None:
    assert browser_for(world.worker).get("/webhooks/").status_code == 403
    assert browser_for(world.worker).post(
        f"/webhooks/{failed.subscription_id}/deliveries/{failed.pk}/redeliver/"
    ).status_code in (302, 403)
    failed.refresh_from_db()
    assert failed.status == "failed"
