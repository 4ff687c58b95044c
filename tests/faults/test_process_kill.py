"""Processes killed with SIGKILL at the worst moment (PostgreSQL; the second test also needs Redis):

- a posting process killed in the middle of its transaction, after the ledger rows are written: nothing
  of it is left (all or nothing), and the pick can be posted again at once (its row locks are gone);
- a Celery worker killed in the middle of an import: the periodic check (Celery beat) notices the job's
  stale heartbeat, queues it again, and another worker finishes it with every document exactly once.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from core.models import Job
from picking.models import Pick, PickLine, PostedPick, SourceDocument
from picking.services.pick_post import pick_post
from picking.services.pick_qty_to_handle import pick_autofill_qty_to_handle
from picking.services.source_document_import import IMPORT_KIND, IMPORT_TASK
from tests.processes import django_env, process, stop
from tests.world import build_world, make_pick, order, serials
from tracking.models import NoSeries
from warehouse.models import BinContent, ItemLedgerEntry, WarehouseEntry

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def database_url() -> str:
    """The test database, for the processes the test starts."""
    db = settings.DATABASES["default"]
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


POST_AND_HANG = """
import os, time, django
django.setup()
from django.db import connection
from picking.services.pick_post import pick_post
from django.contrib.auth import get_user_model

def hang_before_the_posted_pick(execute, sql, params, many, context):
    if sql.startswith('INSERT INTO "picking_postedpick"'):
        open(os.environ["MARKER"], "w").close()  # ledger, warehouse entries and bin content are written
        time.sleep(600)
    return execute(sql, params, many, context)

user = get_user_model().objects.get(username="sup-main")
with connection.execute_wrapper(hang_before_the_posted_pick):
    pick_post(pick_id=int(os.environ["PICK_ID"]), user=user)
"""


def state() -> dict[str, Any]:
    return {
        "ledger": ItemLedgerEntry.objects.count(),
        "warehouse_entries": WarehouseEntry.objects.count(),
        "bin_content": sorted(BinContent.objects.values_list("serial_no", "quantity")),
        "posted": PostedPick.objects.count(),
        "handled": sorted(PickLine.objects.values_list("qty_handled", flat=True)),
    }


def last_posted_no() -> str:
    return NoSeries.objects.get(code="PPI").last_no_used


def test_a_posting_killed_mid_transaction_leaves_nothing_partial(tmp_path: Path) -> None:
    # given a pick of three serial numbers with Qty. to Handle set
    world = build_world()
    world.receive(world.sn_wh, "A1", *serials(3, expiration=None))
    pick = make_pick(world, (world.sn_wh, 3))
    pick_autofill_qty_to_handle(pick_id=pick.pk, user=world.supervisor)
    before = state()
    assert last_posted_no() == ""
    # when a process posting it is killed after writing the ledger, inside its transaction
    marker = tmp_path / "written"
    env = django_env(database_url(), MARKER=str(marker), PICK_ID=str(pick.pk))
    with process([sys.executable, "-c", POST_AND_HANG], env, tmp_path / "post.log") as poster:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert poster.poll() is None, (tmp_path / "post.log").read_text()[-3000:]
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert state() == before  # nothing is visible to others before the commit
        stop(poster, signal.SIGKILL)
    # then nothing of the posting is left; only its number may be gone: document numbers are taken in a
    # transaction of their own, and a killed posting leaves a gap (docs/architecture.md, "Document numbers")
    assert state() == before
    taken = last_posted_no()
    assert taken in ("", "PPI000001")
    # and the pick can be posted at once: the killed transaction's row locks are gone
    posted = pick_post(pick_id=pick.pk, user=world.supervisor)
    assert posted.lines.count() == 3
    assert posted.no == ("PPI000002" if taken else "PPI000001")
    assert not BinContent.objects.filter(quantity__gt=0).exists()


BROKER = "redis://127.0.0.1:6379/14"


def worker(env: dict[str, str], log: Path, *extra: str) -> Any:
    return process(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=prefork",
            "--concurrency=1",
            "--loglevel=INFO",
            *extra,
        ],
        env,
        log,
    )


@pytest.mark.celery_worker
def test_a_worker_killed_mid_import_leaves_a_job_the_periodic_check_completes(tmp_path: Path) -> None:
    from celery import Celery

    # given an import of 2 000 documents, queued for a Celery worker on the real Redis broker
    world = build_world()
    count = 2000
    docs = [
        order(f"SO-K{i:05d}", *({"line_no": n, "item": "PLAIN", "quantity": 1} for n in range(1, 4)))
        for i in range(count)
    ]
    job = Job.objects.create(
        kind=IMPORT_KIND,
        task=IMPORT_TASK,
        total=count,
        payload={"documents": docs, "user_id": world.supervisor.pk},
    )
    queue = f"lotpick-kill-{uuid.uuid4().hex[:8]}"
    env = django_env(
        database_url(),
        CELERY_BROKER_URL=BROKER,
        LOTPICK_CELERY_QUEUE=queue,
        LOTPICK_JOB_STALE_SECONDS="3",
        LOTPICK_JOB_CHECK_SECONDS="1",
    )
    client = Celery("kill-test", broker=BROKER)
    client.send_task(IMPORT_TASK, args=[job.pk], queue=queue, ignore_result=True)
    # when the worker is killed (SIGKILL, the whole worker) after the first chunks were committed
    with worker(env, tmp_path / "worker1.log", "-Q", queue) as first:
        deadline = time.monotonic() + 120
        while Job.objects.get(pk=job.pk).processed < 400:
            assert first.poll() is None, (tmp_path / "worker1.log").read_text()[-3000:]
            assert time.monotonic() < deadline, (tmp_path / "worker1.log").read_text()[-3000:]
            time.sleep(0.05)
        stop(first, signal.SIGKILL)
    killed = Job.objects.get(pk=job.pk)
    assert killed.status == "running" and 400 <= killed.processed < count
    # and another worker runs with Celery beat (the periodic check)
    with worker(env, tmp_path / "worker2.log", "-Q", queue, "-B", "-s", str(tmp_path / "beat-schedule")):
        deadline = time.monotonic() + 90
        while not Job.objects.get(pk=job.pk).finished:
            assert time.monotonic() < deadline, (tmp_path / "worker2.log").read_text()[-3000:]
            time.sleep(0.2)
    # then the job is finished by a second run that continued where the first stopped
    done = Job.objects.get(pk=job.pk)
    assert (done.status, done.processed, done.succeeded, done.failed) == ("succeeded", count, count, 0)
    assert done.attempts >= 2
    assert SourceDocument.objects.count() == count
    assert "re-queued by the periodic check" in (tmp_path / "worker2.log").read_text()
    assert not Pick.objects.exists()
    subprocess.run(["redis-cli", "-n", "14", "DEL", queue], capture_output=True, check=False)
