"""`manage.py import_source_documents <file.json>`: import a JSON list of source documents as a job."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.exceptions import DomainError
from core.models import Job
from picking.services.source_document_import import source_document_import_start
from picking.tasks import source_documents_import_task


class Command(BaseCommand):
    help = (
        "Import source documents from a JSON file (a list in the format of POST /api/v1/source-documents/). "
        "Runs as a background job; bad documents are reported and do not stop the rest."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Path of the JSON file.")
        parser.add_argument(
            "--user",
            default="",
            help="Import as this user (only at the locations they may see). Default: a system import that "
            "may write at every location.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            documents = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.") from exc
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CommandError(f"{path} is not valid UTF-8 JSON: {exc}.") from exc
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"There is no user {options['user']}.")
        try:
            job = source_document_import_start(
                documents=documents,
                user=user,
                description=f"Import of {path.name}",
                enqueue=bool(settings.CELERY_BROKER_URL),
            )
        except DomainError as exc:
            raise CommandError(exc.detail) from exc
        if settings.CELERY_BROKER_URL:
            self.stdout.write(
                f"Import job {job.pk} queued for a Celery worker; progress at /jobs/{job.pk}/ and "
                f"/api/v1/jobs/{job.pk}/."
            )
            return
        self.stdout.write(f"Import job {job.pk}: importing {job.total} documents...")
        source_documents_import_task(job.pk)
        job = Job.objects.get(pk=job.pk)
        for error in job.errors:
            self.stderr.write(f"{error['ref']}: {error['detail']}")
        summary = job.result.get("summary", "")
        style = self.style.SUCCESS if job.failed == 0 else self.style.WARNING
        self.stdout.write(style(f"Import job {job.pk} {job.status}: {summary}"))
