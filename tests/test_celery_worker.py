"""A real Celery worker process consumes a task from the real Redis broker (a round trip)."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from celery import Celery

ROOT = Path(__file__).resolve().parent.parent
BROKER = "redis://127.0.0.1:6379/15"


@pytest.mark.celery_worker
def test_a_worker_process_consumes_a_task_from_redis(tmp_path: Path) -> None:
    # given a Celery worker process started on the real Redis broker, on a queue of its own
    queue = f"roundtrip-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "CELERY_BROKER_URL": BROKER, "CELERY_RESULT_BACKEND": BROKER}
    env.pop("DATABASE_URL", None)
    log = tmp_path / "worker.log"
    with log.open("w") as log_file:
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "-Q",
                queue,
                "--loglevel=INFO",
            ],
            cwd=ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        client = Celery("roundtrip-client", broker=BROKER, backend=BROKER)
        # when a task is sent through the broker
        token = uuid.uuid4().hex
        result = client.send_task("core.ping", args=[token], queue=queue)
        # then the worker runs it and the result comes back
        assert result.get(timeout=90) == token
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
    assert "core.ping" in log.read_text()
