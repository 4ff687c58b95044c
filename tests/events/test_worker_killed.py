"""Nothing committed is lost when a Celery worker dies while delivering: real worker processes with
Celery beat embedded, on the real Redis broker and the test's PostgreSQL database, and a real receiver."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlunsplit

import pytest
from django.db import connection

from core.models import WebhookDelivery
from core.webhooks import webhook_subscription_create
from tests.receiver import start_receiver, stop_receiver
from tests.world import World, document, pick_from, serials

ROOT = Path(__file__).resolve().parents[2]
BROKER = "redis://127.0.0.1:6379/13"


def start_worker(tmp_path: Path, name: str, queue: str) -> subprocess.Popen[bytes]:
    db = connection.settings_dict  # the test database, which this test commits to (transaction=True)
    password = f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    env = {
        **os.environ,
        "DATABASE_URL": urlunsplit(
            ("postgres", f"{quote(db['USER'])}{password}@{db['HOST']}:{db['PORT']}", f"/{db['NAME']}", "", "")
        ),
        "CELERY_BROKER_URL": BROKER,
        "CELERY_RESULT_BACKEND": "",
        "LOTPICK_CELERY_QUEUE": queue,
        "LOTPICK_WEBHOOK_ALLOWED_NETWORKS": "127.0.0.1/32",
        "LOTPICK_WEBHOOK_TIMEOUT": "2",
        "LOTPICK_WEBHOOK_LEASE_SECONDS": "3",
        "LOTPICK_EVENTS_DISPATCH_INTERVAL": "0.5",
    }
    log = (tmp_path / f"{name}.log").open("w")
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "-B",
            "-s",
            str(tmp_path / f"{name}-beat-schedule"),
            "-Q",
            queue,
            "--loglevel=INFO",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def kill(worker: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=20)


@pytest.mark.celery_worker
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_event_whose_worker_is_killed_during_delivery_arrives_after_a_restart(
    world: World, tmp_path: Path, settings: Any, monkeypatch: Any
) -> None:
    # given a receiver that holds the first request without answering, subscribed to pick.created
    settings.LOTPICK_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    receiver = start_receiver(hold_next=True)
    queue = f"events-{uuid.uuid4().hex[:8]}"
    workers: list[subprocess.Popen[bytes]] = []
    try:
        webhook_subscription_create(url=receiver.url, event_types=["pick.created"], user=world.admin)
        # and a committed pick.created event that only the workers deliver (not this test process)
        monkeypatch.setattr("core.events._dispatch_after_commit", lambda: None)
        world.receive(world.sn_wh, world.a1, *serials(1, expiration=None))
        pick_from(world, document(world, (world.sn_wh, 1), no="SO-KILL"))
        # when a worker (with beat) starts delivering it and is killed before the receiver answers
        workers.append(start_worker(tmp_path, "first", queue))
        assert receiver.arrived.wait(90), (tmp_path / "first.log").read_text()
        kill(workers[0])
        receiver.release()
        delivery = WebhookDelivery.objects.get()
        assert delivery.status == "pending" and delivery.delivered_at is None
        # and another worker starts
        workers.append(start_worker(tmp_path, "second", queue))
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and delivery.status != "delivered":
            time.sleep(0.2)
            delivery.refresh_from_db()
        # then the event arrives (again: at least once) and is delivered
        assert delivery.status == "delivered", (tmp_path / "second.log").read_text()
        assert len(receiver.requests) == 2
        first, second = receiver.requests
        assert first.headers["webhook-id"] == second.headers["webhook-id"]
        assert second.event["type"] == "pick.created"
        assert second.event["data"]["source_document_no"] == "SO-KILL"
    finally:
        for worker in workers:
            kill(worker)
        stop_receiver(receiver)
