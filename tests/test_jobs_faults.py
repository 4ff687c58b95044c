"""Jobs that survive faults (core/jobs.py): a job is claimed by one runner at a time, a re-run continues
where the last one stopped, the periodic check re-queues jobs whose worker vanished or that never reached
the broker, and a broker outage while creating a job neither fails nor hangs the request."""

from __future__ import annotations

import datetime
import json
import time
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from core.jobs import JobClaimLost, job_claim, jobs_requeue_stale
from core.models import Job
from core.tasks import jobs_requeue_stale_task
from picking.models import Pick, SourceDocument
from picking.services import pick_create_batch as creating
from picking.services import source_document_import as importing
from picking.services.pick_create_batch import BATCH_KIND, picks_create_batch, picks_create_batch_run
from picking.services.source_document_import import IMPORT_KIND, source_document_import_run
from tests.clients import api_client_for, browser_for, ok
from tests.world import World, document, order

pytestmark = pytest.mark.django_db

LONG_AGO = datetime.timedelta(hours=1)


class Killed(BaseException):
    """The worker process is killed here (nothing after this line of the task runs)."""


def import_job(world: World, count: int) -> Job:
    docs = [order(f"SO-J{i}", {"line_no": 1, "item": "PLAIN", "quantity": 1}) for i in range(count)]
    return Job.objects.create(
        kind=IMPORT_KIND,
        task=importing.IMPORT_TASK,
        total=count,
        payload={"documents": docs, "user_id": world.supervisor.pk},
        created_by=world.supervisor,
    )


def died(job: Job, **fields: Any) -> None:
    """The job's worker vanished an hour ago, with `fields` (processed, ...) committed."""
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.RUNNING, heartbeat_at=timezone.now() - LONG_AGO, claim="dead", **fields
    )


def test_a_job_is_claimed_by_one_runner_at_a_time(world: World) -> None:
    job = import_job(world, 1)
    # given a runner claimed the job
    first = job_claim(job_id=job.pk, kind=IMPORT_KIND)
    assert first is not None
    # then a second delivery of its task (a redelivery, a re-queue) finds it taken and leaves it alone
    assert job_claim(job_id=job.pk, kind=IMPORT_KIND) is None
    # but once the first runner has shown no sign of life for longer than the stale time, it may take over
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - LONG_AGO)
    second = job_claim(job_id=job.pk, kind=IMPORT_KIND)
    assert second is not None and second.token != first.token
    # and the first runner, should it come back, can no longer write progress
    with pytest.raises(JobClaimLost):
        first.progress(succeeded=1)
    assert Job.objects.get(pk=job.pk).attempts == 2


def test_a_runner_taken_for_dead_rolls_back_its_chunk_and_stops(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = import_job(world, 4)
    real = importing.source_documents_import
    calls = []

    def slow_runner(**kwargs: Any) -> Any:
        # while this runner works on its second chunk, it is taken for dead and another claims the job
        calls.append(1)
        if len(calls) == 2:
            Job.objects.filter(pk=job.pk).update(claim="another-runner")
        return real(**kwargs)

    monkeypatch.setattr(importing, "source_documents_import", slow_runner)
    source_document_import_run(job_id=job.pk, chunk_size=2)
    # then only the first chunk stays; the second rolled back with the progress it could not write
    assert sorted(SourceDocument.objects.values_list("no", flat=True)) == ["SO-J0", "SO-J1"]
    # (in this test the other runner's claim was written in the same rolled back transaction)
    job.refresh_from_db()
    assert (job.status, job.processed, job.succeeded) == ("running", 2, 2)


def test_an_import_whose_worker_died_is_completed_by_the_periodic_check(world: World) -> None:
    job = import_job(world, 5)
    # given the worker died after committing two documents (a chunk with its progress)
    source_document_import_run(job_id=job.pk, chunk_size=2)
    SourceDocument.objects.filter(no__in=["SO-J2", "SO-J3", "SO-J4"]).delete()
    died(job, processed=2, succeeded=2, finished_at=None, result={})
    # when the periodic check runs (Celery beat; tasks run eagerly in tests)
    assert jobs_requeue_stale_task() == 1
    # then the job is run again from where it stopped, and finishes with each document once
    job.refresh_from_db()
    assert (job.status, job.processed, job.succeeded, job.attempts) == ("succeeded", 5, 5, 2)
    assert SourceDocument.objects.count() == 5


def test_a_batch_whose_worker_died_continues_with_the_next_document(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a batch of three documents whose worker was killed while creating the second pick
    world.receive(world.plain, "A1", {"quantity": 10})
    docs = [document(world, (world.plain, 1), no=f"SO-B{i}") for i in range(3)]
    job = picks_create_batch(location_code="MAIN", user=world.supervisor)
    real = creating.pick_create_from_source

    def killed_at_the_second(**kwargs: Any) -> Any:
        if kwargs["source_document_id"] == docs[1].pk:
            raise Killed
        return real(**kwargs)

    monkeypatch.setattr(creating, "pick_create_from_source", killed_at_the_second)
    with pytest.raises(Killed):
        picks_create_batch_run(job_id=job.pk)
    monkeypatch.setattr(creating, "pick_create_from_source", real)
    assert Job.objects.get(pk=job.pk).processed == 1
    died(job)
    # when its task runs again (re-queued by the periodic check)
    picks_create_batch_run(job_id=job.pk)
    # then the two remaining documents get their picks, and the first no second one
    job.refresh_from_db()
    assert (job.status, job.processed, job.succeeded) == ("succeeded", 3, 3)
    assert job.result["summary"] == "3 picks created"
    assert [p["no"] for p in job.result["picks"]] == sorted(p["no"] for p in job.result["picks"])
    assert len(job.result["picks"]) == 3
    assert sorted(Pick.objects.values_list("source_document__no", flat=True)) == ["SO-B0", "SO-B1", "SO-B2"]
    assert Pick.objects.get(source_document=docs[0]).lines.count() == 1


def test_the_periodic_check_leaves_live_and_fresh_jobs_alone(world: World) -> None:
    now = timezone.now()
    alive = import_job(world, 1)
    Job.objects.filter(pk=alive.pk).update(status="running", heartbeat_at=now, claim="alive")
    queued = import_job(world, 1)
    Job.objects.filter(pk=queued.pk).update(queued_at=now)
    just_created = import_job(world, 1)  # its task is being handed to the broker right now
    finished = import_job(world, 1)
    Job.objects.filter(pk=finished.pk).update(status="succeeded", heartbeat_at=now - LONG_AGO)
    assert jobs_requeue_stale() == []
    assert not SourceDocument.objects.exists()
    # a pending job that never reached the broker is queued once the grace time is over
    Job.objects.filter(pk=just_created.pk).update(created_at=now - LONG_AGO)
    assert jobs_requeue_stale() == [just_created.pk]
    assert Job.objects.get(pk=just_created.pk).status == "succeeded"


@pytest.fixture
def broker_down(settings: Any, monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """A broker that cannot be reached: publishing fails (after the short connection timeout)."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    attempts: list[float] = []

    def unreachable(self: Any, *args: Any, **kwargs: Any) -> None:
        attempts.append(time.monotonic())
        assert kwargs.get("retry") is False  # no endless retry inside a request
        raise BrokerError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr("celery.app.task.Task.apply_async", unreachable)
    return attempts


def test_with_the_broker_down_jobs_are_kept_and_queued_when_it_is_back(
    world: World, broker_down: list[float], settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    world.receive(world.plain, "A1", {"quantity": 10})
    document(world, (world.plain, 1), no="SO-OUT1")
    api = api_client_for(world.supervisor)
    page = browser_for(world.supervisor)
    body = [order("SO-OUT2", {"line_no": 1, "item": "PLAIN", "quantity": 1})]
    # when the supervisor imports and creates picks, over the API and on the pages, with the broker down
    with django_capture_on_commit_callbacks(execute=True):
        imported = api.post("/api/v1/source-documents/import/", body, format="json")
        batch = api.post("/api/v1/picks/batch/", {"location": "MAIN"}, format="json")
        page_batch = page.post("/picks/create/", {"location": "MAIN", "document_type": ""})
        upload = SimpleUploadedFile("orders.json", json.dumps([order("SO-OUT3")]).encode())
        page_import = page.post("/source-documents/import/", {"file": upload})
    # then every request is accepted (no 500): the jobs are kept, pending, not yet queued
    assert ok(imported, 202)["job"]["status"] == "pending"
    assert ok(batch, 202)["status"] == "pending"
    assert page_batch.status_code == page_import.status_code == 302
    assert len(broker_down) == 4
    jobs = Job.objects.order_by("pk")
    assert [(j.status, j.queued_at) for j in jobs] == [("pending", None)] * 4
    # and the job page says why it waits
    assert "waiting for the task queue" in page.get(page_batch["Location"]).content.decode()
    # when the broker is back, the periodic check queues them (a few seconds after they were created)
    settings.CELERY_TASK_ALWAYS_EAGER = True
    Job.objects.update(created_at=timezone.now() - LONG_AGO)
    jobs_requeue_stale()
    assert [j.status for j in Job.objects.order_by("pk")] == ["succeeded", "succeeded", "succeeded", "failed"]
    assert SourceDocument.objects.filter(no="SO-OUT2").exists()
    assert Pick.objects.filter(source_document__no__in=["SO-OUT1", "SO-OUT2"]).count() >= 1


def test_with_the_broker_still_down_the_check_stops_at_the_first_failure(
    world: World, broker_down: list[float]
) -> None:
    for _ in range(3):
        Job.objects.filter(pk=import_job(world, 1).pk).update(created_at=timezone.now() - LONG_AGO)
    assert jobs_requeue_stale() == []
    assert len(broker_down) == 1
    assert not Job.objects.exclude(status="pending").exists()


def test_a_batch_job_run_twice_creates_its_picks_once(world: World) -> None:
    world.receive(world.plain, "A1", {"quantity": 10})
    document(world, (world.plain, 1), no="SO-T1")
    job = picks_create_batch(location_code="MAIN", user=world.supervisor)
    picks_create_batch_run(job_id=job.pk)
    picks_create_batch_run(job_id=job.pk)
    assert Job.objects.get(pk=job.pk).kind == BATCH_KIND
    assert Pick.objects.count() == 1
