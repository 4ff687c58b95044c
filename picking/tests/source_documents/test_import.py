"""Bulk import: chunks, progress, errors, safe to run twice, query counts, management command, page."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.jobs import job_create
from core.models import Job
from picking.models import ItemTrackingLine, SourceDocument, SourceLine
from picking.services.source_document_import import IMPORT_KIND, source_document_import_run
from tests.clients import browser_for
from tests.world import World, order

pytestmark = pytest.mark.django_db


def documents(prefix: str, count: int, lines: int) -> list[dict[str, Any]]:
    """`count` orders of `lines` lines each: lots from stock, outbound-only serials and untracked items."""
    result = []
    for d in range(count):
        body_lines = []
        for n in range(lines):
            if n % 3 == 0:
                body_lines.append(
                    {
                        "line_no": n + 1,
                        "item": "LOT-SPEC",
                        "quantity": 1,
                        "tracking": [{"lot_no": "L-A", "quantity": "0.001"}],
                    }
                )
            elif n % 3 == 1:
                body_lines.append(
                    {
                        "line_no": n + 1,
                        "item": "SN-OUT",
                        "quantity": 1,
                        "tracking": [{"serial_no": f"{prefix}-{d}-{n}"}],
                    }
                )
            else:
                body_lines.append({"line_no": n + 1, "item": "PLAIN", "quantity": 2})
        result.append(order(f"{prefix}-{d}", *body_lines))
    return result


def import_job(docs: list[dict[str, Any]], user: Any = None) -> Job:
    return job_create(
        kind=IMPORT_KIND, total=len(docs), payload={"documents": docs, "user_id": user.pk if user else None}
    )


def queries_for(docs: list[dict[str, Any]], chunk_size: int = 200) -> int:
    job = import_job(docs)
    with CaptureQueriesContext(connection) as queries:
        source_document_import_run(job_id=job.pk, chunk_size=chunk_size)
    job.refresh_from_db()
    assert (job.status, job.failed) == ("succeeded", 0), job.errors
    return len(queries)


def test_import_of_1000_documents_of_10_lines_takes_queries_per_chunk_not_per_line(
    stocked_world: World,
) -> None:
    # given 1 000 documents of 10 lines, and 1 000 documents of 3 lines (one of each kind)
    small = queries_for(documents("S", 1000, 3))
    large = queries_for(documents("L", 1000, 10))
    # then both take the same number of queries: a constant per chunk of 200 documents
    assert large == small
    # five chunks of 200 documents, about 14 queries each, plus 4 for their source_document.created events
    # (the documents read back as the API shows them: 3 queries, and one INSERT of 200 events)
    assert small <= 5 * (15 + 4) + 5, small
    assert SourceLine.objects.filter(document__no__startswith="L-").count() == 10_000
    assert ItemTrackingLine.objects.filter(source_line__document__no__startswith="L-").count() == 7_000


def test_import_queries_do_not_grow_with_documents_within_a_chunk(stocked_world: World) -> None:
    assert queries_for(documents("A", 10, 10)) == queries_for(documents("B", 150, 10))


def test_a_run_after_a_crash_continues_after_the_last_committed_chunk(stocked_world: World) -> None:
    docs = documents("C", 5, 2)
    job = import_job(docs)
    # given the first two documents were committed before the worker died
    Job.objects.filter(pk=job.pk).update(status="running", processed=2, succeeded=2)
    # when the task runs again
    source_document_import_run(job_id=job.pk, chunk_size=2)
    # then it creates the remaining three, not the first two
    assert sorted(SourceDocument.objects.values_list("no", flat=True)) == ["C-2", "C-3", "C-4"]
    job.refresh_from_db()
    assert (job.status, job.processed, job.succeeded, job.failed) == ("succeeded", 5, 5, 0)
    # and a third run does nothing
    source_document_import_run(job_id=job.pk)
    assert SourceDocument.objects.count() == 3


def test_management_command(stocked_world: World, tmp_path: Path, capsys: Any) -> None:
    good = documents("M", 3, 2)
    bad = order(
        "M-BAD", {"line_no": 1, "item": "SN-SPEC", "quantity": 1, "tracking": [{"serial_no": "SN-404"}]}
    )
    path = tmp_path / "orders.json"
    path.write_text(json.dumps([*good, bad]), encoding="utf-8")
    call_command("import_source_documents", str(path))
    out, err = capsys.readouterr()
    assert "3 source documents created, 1 refused." in out
    assert "sales_order M-BAD" in err and "SN-404" in err
    assert SourceDocument.objects.filter(no__startswith="M-").count() == 3
    broken = tmp_path / "broken.json"
    broken.write_text("[{", encoding="utf-8")
    with pytest.raises(CommandError, match="not valid UTF-8 JSON"):
        call_command("import_source_documents", str(broken))
    with pytest.raises(CommandError, match="no user nobody"):
        call_command("import_source_documents", str(path), "--user", "nobody")


def test_import_page_starts_a_job_and_redirects_to_its_progress(
    stocked_world: World, django_capture_on_commit_callbacks: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = browser_for(stocked_world.supervisor)
    page = client.get("/source-documents/import/")
    assert page.status_code == 200 and b'type="file"' in page.content
    upload = SimpleUploadedFile("orders.json", json.dumps(documents("P", 2, 3)).encode(), "application/json")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/source-documents/import/", {"file": upload})
    job = Job.objects.get(kind=IMPORT_KIND)
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    progress = client.get(response["Location"])
    assert b"<progress" in progress.content and b"2 succeeded" in progress.content
    # a file that is not JSON is refused next to the field
    upload = SimpleUploadedFile("orders.json", b"not json", "application/json")
    response = client.post("/source-documents/import/", {"file": upload})
    assert response.status_code == 400 and b"not valid JSON" in response.content
    assert Job.objects.count() == 1
