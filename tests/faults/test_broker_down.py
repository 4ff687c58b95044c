"""With the broker (Redis) down, creating jobs through a real server answers within a few seconds, keeps
the job pending and writes nothing else (gunicorn, a SQLite file, a broker address where nothing listens)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from tests.processes import django_env, free_port, gunicorn, migrate, request, run_python

SEED = """
import json
from rest_framework.authtoken.models import Token
from tests.world import build_world, document
world = build_world()
document(world, (world.plain, 1), no="SO-DOWN1")
print(json.dumps(Token.objects.create(user=world.supervisor).key))
"""

JOBS = """
import json
from core.models import Job
from picking.models import Pick, SourceDocument
print(json.dumps({
    "jobs": [[j.kind, j.status, j.queued_at is None] for j in Job.objects.order_by("pk")],
    "documents": SourceDocument.objects.count(),
    "picks": Pick.objects.count(),
}))
"""


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3",
    reason="runs its own SQLite file: once, in the SQLite run of the suite",
)
@pytest.mark.django_db(transaction=True)
def test_jobs_created_while_the_broker_is_down_answer_fast_and_wait(tmp_path: Path) -> None:
    env = django_env(
        f"sqlite:///{tmp_path / 'lotpick.sqlite3'}", CELERY_BROKER_URL=f"redis://127.0.0.1:{free_port()}/0"
    )
    migrate(env)
    token = run_python(SEED, env)
    body = [{"type": "sales_order", "no": "SO-DOWN2", "location": "MAIN", "lines": []}]
    with gunicorn(env, tmp_path / "gunicorn.log", workers=1, threads=2) as url:
        imported = request("POST", f"{url}/api/v1/source-documents/import/", token, body)
        batch = request("POST", f"{url}/api/v1/picks/batch/", token, {"location": "MAIN"})
    # then both are accepted within a few seconds, not a 500 after a long hang
    for status, answer, seconds in (imported, batch):
        assert status == 202, answer
        assert seconds < 5, seconds
    # and the jobs wait, pending and not queued, for the periodic check; nothing else was written
    assert run_python(JOBS, env) == {
        "jobs": [["source_document_import", "pending", True], ["picks_create_batch", "pending", True]],
        "documents": 1,
        "picks": 0,
    }
