"""Create Inventory Pick (one source document) and Create Inventory Picks (a batch, as a background job).

One open inventory pick per source document and location: when one exists, what is still outstanding is
added to it as new lines. The lines are planned in memory by `picking.planning` against the stock
available at the location (bin content minus open picks, `picking.availability`), so a pick never holds
more than is available; what cannot be covered is reported back and stays outstanding on the source line.

Lock order (docs/architecture.md): the `IPI` number series (a new pick) or the open pick, the document's
source lines, the items' bin content. Queries do not grow with lines or serial numbers: the lines are
written in one INSERT (`core.db.insert_rows`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone

from core.db import insert_rows
from core.events import EventType, event_emit
from core.exceptions import Conflict, DomainError, ErrorCode, InvalidInput, NotFoundError
from core.jobs import job_add_errors, job_create, job_finish, job_progress, job_start
from core.models import Job
from core.permissions import require_perm
from core.quantities import ZERO, format_quantity
from picking.availability import available_stock
from picking.locks import lock_document_source_lines, lock_pick
from picking.models import ItemTrackingLine, Pick, PickLine, SourceDocument, SourceLine
from picking.planning import Budget, Demand, NotPicked, PlannedLine, Prescribed, plan_demand
from picking.selectors.picks import visible_filter
from picking.services.pick_common import LINE_NO_STEP, integrity_conflict, next_line_nos, refresh_qty_on_picks
from picking.services.source_document_events import refuse_cancelled
from tracking.rules import requirement
from tracking.services import no_series_take
from warehouse.locks import lock_bin_contents
from warehouse.models import Bin, BinContent, Item, Location
from warehouse.scoping import get_visible_location

PICK_SERIES = "IPI"

__all__ = [
    "NotPicked",
    "PickCreateResult",
    "batch_documents",
    "pick_create_from_source",
    "picks_create_batch",
    "picks_create_batch_run",
]


@dataclass
class PickCreateResult:
    pick: Pick | None
    not_picked: list[NotPicked] = field(default_factory=list)
    created: bool = True  # False: lines were added to the document's open pick
    lines_added: int = 0


def pick_create_from_source(*, source_document_id: int, user: Any) -> PickCreateResult:
    """Create the inventory pick of a source document (or add its outstanding lines to its open pick).

    One open inventory pick per source document and location: when one exists, the quantity still to be
    picked is added to it as new lines (`result.created` is False). What cannot be covered is reported in
    `result.not_picked` and stays outstanding on the source lines. Raises Conflict `nothing_to_pick` when
    no line can be made.
    """
    require_perm(user, "picking.add_pick", "Creating picks is for supervisors. Ask a supervisor.")
    document = (
        SourceDocument.objects.select_related("location")
        .filter(visible_filter(user), pk=source_document_id)
        .first()
    )
    if document is None:
        raise NotFoundError(
            f"There is no source document #{source_document_id}, or it is not at a location you work at."
        )
    with transaction.atomic():
        return _create_for_document(document=document, user=user)


def _create_for_document(*, document: SourceDocument, user: Any) -> PickCreateResult:
    """Inside a transaction: create (or extend) the document's inventory pick."""
    _check_location_makes_inventory_picks(document)
    existing, pick_no = _open_pick_or_new_number(document)
    open_lines = _source_lines_to_pick(document)
    planned, not_picked = _plan(document, open_lines)
    if not planned:
        detail = "; ".join(f"line {n.line_no}: {n.reason}" for n in not_picked[:5])
        raise Conflict(
            f"Nothing can be picked for {document}: {detail}",
            code=ErrorCode.NOTHING_TO_PICK,
            not_picked=[_not_picked_dict(n) for n in not_picked],
        )
    if existing is None:
        pick = _new_pick(document, pick_no=pick_no, user=user)
        line_nos = [(i + 1) * LINE_NO_STEP for i in range(len(planned))]
    else:
        pick = existing
        line_nos = next_line_nos(pick.pk, len(planned))
    pick.location = document.location
    pick.source_document = document
    _insert_lines(pick, planned, line_nos)
    refresh_qty_on_picks(document_id=document.pk)
    if existing is None:
        # Rendered right after the commit, off this transaction: a pick can have thousands of lines.
        event_emit(event_type=EventType.PICK_CREATED, subject=pick, render_later=True)
    return PickCreateResult(
        pick=pick, not_picked=not_picked, created=existing is None, lines_added=len(planned)
    )


# --- The steps of creating a pick --------------------------------------------------------------------


def _check_location_makes_inventory_picks(document: SourceDocument) -> None:
    location = document.location
    if not location.require_pick or location.require_shipment:
        how = (
            "uses warehouse shipments and warehouse picks"
            if location.require_shipment
            else "does not use picks"
        )
        raise Conflict(
            f"Location {location.code} {how}; inventory picks cannot be created for {document}.",
            code=ErrorCode.LOCATION_WITHOUT_INVENTORY_PICKS,
        )


def _open_pick_or_new_number(document: SourceDocument) -> tuple[Pick | None, str]:
    """The document's open inventory pick (locked), or the number of a new one (the series is locked
    first in the lock order)."""
    existing = (
        Pick.objects.filter(
            source_document_id=document.pk, location_id=document.location_id, type=Pick.Type.INVENTORY_PICK
        )
        .exclude(status=Pick.Status.COMPLETED)
        .first()
    )
    if existing is None:
        return None, no_series_take(code=PICK_SERIES)[0]
    locked = lock_pick(pick_id=existing.pk)
    if locked is None:  # deleted meanwhile
        raise Conflict(
            "The open pick of this document was just deleted. Try again.", code=ErrorCode.PICK_EXISTS
        )
    return locked, ""


def _source_lines_to_pick(document: SourceDocument) -> list[SourceLine]:
    """The document's source lines (all locked) with a quantity neither shipped nor on picks."""
    source_lines = lock_document_source_lines(document_id=document.pk)
    document.refresh_from_db(fields=["status"])  # under the lock: a cancellation cannot slip in between
    refuse_cancelled(document)
    open_lines = [sl for sl in source_lines if sl.quantity - sl.qty_shipped - sl.qty_on_picks > 0]
    if not open_lines:
        raise Conflict(
            f"Nothing to pick for {document}: every line is shipped or already on a pick.",
            code=ErrorCode.NOTHING_TO_PICK,
        )
    return open_lines


def _plan(
    document: SourceDocument, open_lines: list[SourceLine]
) -> tuple[list[tuple[SourceLine, PlannedLine]], list[NotPicked]]:
    """The new lines of each source line, planned against the stock available at the location."""
    location = document.location
    items = {
        i.pk: i
        for i in Item.objects.select_related("tracking_code").filter(pk__in={sl.item_id for sl in open_lines})
    }
    # Lock the items' stock rows at the location before reading availability, so two picks being made at
    # the same moment (e.g. lines added to two open picks) cannot both count the same units.
    _lock_stock_of_items(location_id=location.pk, item_ids=items)
    stock = available_stock(item_ids=sorted(items), location_id=location.pk, on_date=timezone.localdate())
    budget = Budget.of(stock, fefo=location.pick_according_to_fefo)
    bin_codes = _bin_codes(open_lines, {r.stock.bin_id: r.stock.bin_code for r in stock.rows})
    prescribed = _prescribed_outstanding(document.pk)
    requirements = {pk: requirement(item.tracking_code) for pk, item in items.items()}
    planned: list[tuple[SourceLine, PlannedLine]] = []
    not_picked: list[NotPicked] = []
    for sl in open_lines:
        demand = Demand(
            line_no=sl.line_no,
            item_id=sl.item_id,
            item_no=items[sl.item_id].no,
            requirement=requirements[sl.item_id],
            quantity=sl.quantity - sl.qty_shipped - sl.qty_on_picks,
            bin_id=sl.bin_id,
            bin_code=bin_codes.get(sl.bin_id) if sl.bin_id else None,
            prescribed=prescribed.get(sl.pk, ()),
        )
        plan = plan_demand(demand, budget, location_code=location.code)
        planned.extend((sl, line) for line in plan.lines)
        not_picked.extend(plan.not_picked)
    return planned, not_picked


def _lock_stock_of_items(*, location_id: int, item_ids: Iterable[int]) -> None:
    """Lock the bin content rows (with stock) of the items at the location: two queries for any number."""
    keys = BinContent.objects.filter(
        location_id=location_id, item_id__in=sorted(item_ids), quantity__gt=0
    ).values_list("bin_id", "item_id", "lot_no", "serial_no")
    lock_bin_contents(list(keys))


def _bin_codes(open_lines: list[SourceLine], known: dict[int, str]) -> dict[int, str]:
    """Codes of the bins in stock (`known`) and of the bins the source lines name."""
    missing = {sl.bin_id for sl in open_lines if sl.bin_id and sl.bin_id not in known}
    if missing:
        known.update(dict(Bin.objects.filter(pk__in=missing).values_list("pk", "code")))
    return known


def _prescribed_outstanding(document_id: int) -> dict[int, list[Prescribed]]:
    """Per source line: prescribed tracking lines with the quantity neither handled nor on open picks."""
    on_picks = dict(
        PickLine.objects.filter(
            item_tracking_line__source_line__document_id=document_id,
            action=PickLine.Action.TAKE,
            qty_handled__lt=F("quantity"),
        )
        .values("item_tracking_line_id")
        .annotate(total=Sum(F("quantity") - F("qty_handled")))
        .values_list("item_tracking_line_id", "total")
    )
    result: dict[int, list[Prescribed]] = defaultdict(list)
    tracking_lines = ItemTrackingLine.objects.filter(
        source_line__document_id=document_id, origin=ItemTrackingLine.Origin.SOURCE
    ).order_by("source_line_id", "pk")
    for t in tracking_lines:
        outstanding = t.quantity - t.qty_handled - on_picks.get(t.pk, ZERO)
        if outstanding > 0:
            result[t.source_line_id].append(
                Prescribed(t.pk, t.lot_no, t.serial_no, t.expiration_date, outstanding)
            )
    return dict(result)


def _new_pick(document: SourceDocument, *, pick_no: str, user: Any) -> Pick:
    try:
        with transaction.atomic():
            return Pick.objects.create(
                no=pick_no,
                type=Pick.Type.INVENTORY_PICK,
                location=document.location,
                source_document=document,
                status=Pick.Status.OPEN,
                created_by=user if getattr(user, "is_authenticated", False) else None,
            )
    except IntegrityError as exc:
        raise integrity_conflict(exc) from exc


_LINE_FIELDS = [
    "pick",
    "line_no",
    "action",
    "source_line",
    "item",
    "bin",
    "quantity",
    "qty_handled",
    "qty_to_handle",
    "serial_no",
    "lot_no",
    "expiration_date",
    "tracking_locked",
    "item_tracking_line",
]


def _insert_lines(pick: Pick, planned: list[tuple[SourceLine, PlannedLine]], line_nos: list[int]) -> None:
    """The planned take lines, in one INSERT."""
    take = PickLine.Action.TAKE.value
    rows = [
        (
            pick.pk,
            line_no,
            take,
            source_line.pk,
            source_line.item_id,
            n.bin_id,
            n.quantity,
            ZERO,
            ZERO,
            n.serial_no,
            n.lot_no,
            n.expiration_date,
            n.tracking_locked,
            n.item_tracking_line_id,
        )
        for line_no, (source_line, n) in zip(line_nos, planned, strict=True)
    ]
    try:
        with transaction.atomic():
            insert_rows(PickLine, _LINE_FIELDS, rows, returning_ids=False)
    except IntegrityError as exc:
        raise integrity_conflict(exc) from exc


def _not_picked_dict(n: NotPicked) -> dict[str, Any]:
    return {
        "line_no": n.line_no,
        "item": n.item_no,
        "quantity": format_quantity(n.quantity),
        "reason": n.reason,
    }


# --- Create Inventory Picks: a batch ----------------------------------------------------------------


def picks_create_batch(
    *,
    location_code: str,
    document_type: str | None = None,
    no_from: str | None = None,
    no_to: str | None = None,
    user: Any,
) -> Job:
    """ "Create Inventory Picks" for every matching source document, as a background job.

    The job (core.models.Job) shows progress; its result says "n picks created out of m", each refusal is
    in `job.errors` as `{"ref", "detail"}`. Runs on a Celery worker (eagerly without a broker).
    """
    from picking.tasks import picks_create_batch_task

    require_perm(user, "picking.add_pick", "Creating picks is for supervisors. Ask a supervisor.")
    location = get_visible_location(user, code=location_code)
    if document_type and document_type not in SourceDocument.Type.values:
        raise InvalidInput(
            f"Unknown document type '{document_type}'. Use one of: {', '.join(SourceDocument.Type.values)}.",
            errors=[
                {
                    "field": "document_type",
                    "code": ErrorCode.INVALID_CHOICE,
                    "detail": "Unknown document type.",
                }
            ],
        )
    if no_from and no_to and no_from > no_to:
        raise InvalidInput(
            f"The number range {no_from} to {no_to} is empty: 'from' comes after 'to'.",
            errors=[
                {
                    "field": "no_to",
                    "code": ErrorCode.INVALID_RANGE,
                    "detail": "'to' must not come before 'from'.",
                }
            ],
        )
    payload = {
        "location": location.code,
        "document_type": document_type or "",
        "no_from": no_from or "",
        "no_to": no_to or "",
    }
    description = f"Create inventory picks at {location.code}"
    job = job_create(kind="picks_create_batch", description=description, payload=payload, user=user)
    transaction.on_commit(lambda: picks_create_batch_task.delay(job.pk))
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
    """The work of a batch job: one pick per matching document, each in its own transaction."""
    job = Job.objects.select_related("created_by").get(pk=job_id)
    if job.finished or job.status == Job.Status.RUNNING:
        return  # safe to run twice
    user = job.created_by
    location = Location.objects.filter(code=job.payload.get("location", "")).first()
    if user is None or location is None:
        job_finish(
            job_id=job_id, failed=True, result={"summary": "The user or the location no longer exists."}
        )
        return
    ids = batch_documents(
        location_id=location.pk,
        document_type=job.payload.get("document_type", ""),
        no_from=job.payload.get("no_from", ""),
        no_to=job.payload.get("no_to", ""),
    )
    job_start(job_id=job_id, total=len(ids))
    created = 0
    for document_id in ids:
        if _create_in_batch(job_id=job_id, document_id=document_id, user=user):
            created += 1
    job_finish(
        job_id=job_id,
        result={
            "summary": f"{created} picks created out of {len(ids)}",
            "created": created,
            "total": len(ids),
        },
    )


def _create_in_batch(*, job_id: int, document_id: int, user: Any) -> bool:
    """One document of a batch: its pick, with refusals and shortages added to the job's errors."""
    document = SourceDocument.objects.filter(pk=document_id).first()
    ref = str(document) if document else f"#{document_id}"
    try:
        result = pick_create_from_source(source_document_id=document_id, user=user)
    except DomainError as exc:
        job_add_errors(job_id=job_id, errors=[{"ref": ref, "detail": exc.detail}])
        job_progress(job_id=job_id, failed=1)
        return False
    errors = [{"ref": ref, "detail": f"line {n.line_no}: {n.reason}"} for n in result.not_picked]
    job_add_errors(job_id=job_id, errors=errors)
    job_progress(job_id=job_id, succeeded=1)
    return True
