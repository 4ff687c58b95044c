"""Create Inventory Picks: a batch of source documents, as a background job (core.jobs), each document
through `pick_create`'s Create Inventory Pick in a transaction of its own, so one refused document stops
none of the others and a re-run continues where the last one stopped."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.exceptions import DomainError, ErrorCode, InvalidInput
from core.jobs import JobClaimLost, JobRun, job_claim, job_create, job_enqueue
from core.models import Job
from core.permissions import require_perm
from picking.models import (
    SourceDocument,
)
from picking.services.pick_assign import find_assignee
from picking.services.pick_create import pick_create_from_source
from warehouse.models import Location
from warehouse.scoping import get_visible_location

BATCH_KIND = "picks_create_batch"
BATCH_TASK = "picking.picks_create_batch"

__all__ = ["BATCH_KIND", "batch_documents", "batch_summary", "picks_create_batch", "picks_create_batch_run"]


def picks_create_batch(
    *,
    location_code: str,
    document_type: str | None = None,
    no_from: str | None = None,
    no_to: str | None = None,
    assigned_to: str | None = None,
    user: Any,
) -> Job:
    """ "Create Inventory Picks" for every matching source document, as a background job.

    The job (core.models.Job) shows progress; its result says what happened ("12 picks created, 4
    documents had nothing to pick") and lists the picks made (`picks: [{id, no}]`); each refusal is in
    `job.errors` as `{"ref", "detail"}`. `assigned_to`: every pick made is assigned to this warehouse
    employee. Runs on a Celery worker (eagerly without a broker).
    """
    require_perm(user, "picking.add_pick", _("Creating picks is for supervisors. Ask a supervisor."))
    location = get_visible_location(user, code=location_code)
    if document_type and document_type not in SourceDocument.Type.values:
        raise InvalidInput(
            _("Unknown document type '%(type)s'. Use one of: %(types)s.")
            % {"type": document_type, "types": ", ".join(SourceDocument.Type.values)},
            errors=[
                {
                    "field": "document_type",
                    "code": ErrorCode.INVALID_CHOICE,
                    "detail": _("Unknown document type."),
                }
            ],
        )
    if no_from and no_to and no_from > no_to:
        raise InvalidInput(
            _("The number range %(from)s to %(to)s is empty: 'from' comes after 'to'.")
            % {"from": no_from, "to": no_to},
            errors=[
                {
                    "field": "no_to",
                    "code": ErrorCode.INVALID_RANGE,
                    "detail": _("'to' must not come before 'from'."),
                }
            ],
        )
    find_assignee(username=assigned_to, location=location)  # refused now, not per document
    payload = {
        "location": location.code,
        "document_type": document_type or "",
        "no_from": no_from or "",
        "no_to": no_to or "",
        "assigned_to": assigned_to or "",
    }
    description = _("Create inventory picks at %(location)s") % {"location": location.code}
    job = job_create(kind=BATCH_KIND, task=BATCH_TASK, description=description, payload=payload, user=user)
    job_enqueue(job)
    return job


def batch_documents(*, location_id: int, document_type: str, no_from: str, no_to: str) -> list[int]:
    """Ids of the source documents a batch covers: at the location, open or partially shipped, in range."""
    documents = SourceDocument.objects.filter(location_id=location_id).exclude(
        status__in=[SourceDocument.Status.SHIPPED, SourceDocument.Status.CANCELLED]
    )
    if document_type:
        documents = documents.filter(type=document_type)
    if no_from:
        documents = documents.filter(no__gte=no_from)
    if no_to:
        documents = documents.filter(no__lte=no_to)
    return list(documents.order_by("type", "no").values_list("pk", flat=True))


def picks_create_batch_run(*, job_id: int) -> None:
    """The work of a batch job: one pick per matching document, each in its own transaction together with
    its progress. The documents are fixed at the first run (in the job's payload), so a run after a crash
    continues with the first document not yet counted; a finished job, or one another runner is alive
    on, is left alone (core.jobs.job_claim)."""
    run = job_claim(job_id=job_id, kind=BATCH_KIND)
    if run is None:
        return
    job = run.job
    user = job.created_by
    location = Location.objects.filter(code=job.payload.get("location", "")).first()
    if user is None or location is None:
        run.finish(failed=True, result={"summary": _("The user or the location no longer exists.")})
        return
    ids = job.payload.get("document_ids")
    if ids is None:
        ids = batch_documents(
            location_id=location.pk,
            document_type=job.payload.get("document_type", ""),
            no_from=job.payload.get("no_from", ""),
            no_to=job.payload.get("no_to", ""),
        )
        run.set_total(len(ids), payload={**job.payload, "document_ids": ids})
    assigned_to = job.payload.get("assigned_to") or None
    try:
        for document_id in ids[job.processed :]:
            _create_in_batch(run=run, document_id=document_id, user=user, assigned_to=assigned_to)
    except JobClaimLost:
        return  # taken for dead, another runner continues: this one's last document rolled back
    tally = run.job.result  # kept with each document's progress, so a resumed run counts the earlier ones
    picks = list(tally.get("picks", []))
    run.finish(
        result={
            **batch_summary(len(picks), tally.get("nothing_to_pick", 0), tally.get("refused", 0)),
            "picks": picks,
        }
    )


def batch_summary(created: int, nothing: int, refused: int) -> dict[str, Any]:
    """What a finished batch says: "12 picks created, 4 documents had nothing to pick, 1 was refused"."""
    parts = [ngettext("%(count)s pick created", "%(count)s picks created", created) % {"count": created}]
    if nothing:
        parts.append(
            ngettext(
                "%(count)s document had nothing to pick", "%(count)s documents had nothing to pick", nothing
            )
            % {"count": nothing}
        )
    if refused:
        parts.append(
            ngettext("%(count)s document was refused", "%(count)s documents were refused", refused)
            % {"count": refused}
        )
    return {
        "summary": ", ".join(parts),
        "created": created,
        "nothing_to_pick": nothing,
        "refused": refused,
        "total": created + nothing + refused,
    }


def _create_in_batch(*, run: JobRun, document_id: int, user: Any, assigned_to: str | None) -> None:
    """One document of a batch: its pick and the job's progress in one transaction. The job's result keeps
    the tally (picks made `{"id", "no"}`, documents with nothing to pick, refusals); refusals and shortages
    are added to the job's errors. A document with nothing to pick is not a failure."""
    document = SourceDocument.objects.filter(pk=document_id).first()
    ref = str(document) if document else f"#{document_id}"
    tally = {"picks": [], "nothing_to_pick": 0, "refused": 0, **run.job.result}
    with transaction.atomic():
        try:
            result = pick_create_from_source(
                source_document_id=document_id, user=user, assigned_to=assigned_to
            )
        except DomainError as exc:
            nothing = exc.code == ErrorCode.NOTHING_TO_PICK
            key = "nothing_to_pick" if nothing else "refused"
            run.progress(
                succeeded=1 if nothing else 0,
                failed=0 if nothing else 1,
                errors=[{"ref": ref, "detail": exc.detail}],
                result={**tally, key: tally[key] + 1},
            )
            return
        assert result.pick is not None
        errors = [
            {"ref": ref, "detail": _("line %(line)s: %(reason)s") % {"line": n.line_no, "reason": n.reason}}
            for n in result.not_picked
        ]
        picks = [*tally["picks"], {"id": result.pick.pk, "no": result.pick.no}]
        run.progress(succeeded=1, errors=errors, result={**tally, "picks": picks})
