"""Create Inventory Pick (one source document); the batch, "Create Inventory Picks", is pick_create_batch.

One open inventory pick per source document and location: when one exists, what is still outstanding is
added to it as new lines. The lines are planned in memory by `picking.planning` against the stock
available at the location (bin content minus open picks, `picking.availability`), so a pick never holds
more than is available; what cannot be covered is reported back and stays outstanding on the source line.

Lock order (docs/architecture.md): the open pick (if any), the document's source lines, the bin content of
the numbers (or items) planned from; a new pick's `IPI` number is taken last, in its own short transaction
(`picking.services.document_numbers`). Queries do not grow with lines or serial numbers: the lines are
written in one INSERT (`core.db.insert_rows`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core.activity import Action
from core.db import insert_rows
from core.events import EventType, event_emit
from core.exceptions import Conflict, ErrorCode, NotFoundError
from core.permissions import require_perm
from core.quantities import ZERO, format_quantity
from picking.availability import AvailableStock, available_stock
from picking.locks import lock_document_source_lines, lock_pick
from picking.models import (
    ItemTrackingLine,
    Pick,
    PickedStock,
    PickLine,
    SourceDocument,
    SourceLine,
    WarehouseShipmentLine,
)
from picking.planning import Budget, Demand, NotPicked, PlannedLine, Prescribed, plan_demand
from picking.rules import carries_numbers
from picking.selectors.picks import visible_filter
from picking.services.activity import record_pick_lines_created
from picking.services.document_numbers import INVENTORY_PICK_SERIES, take_document_no
from picking.services.pick_assign import find_assignee
from picking.services.pick_common import LINE_NO_STEP, integrity_conflict, next_line_nos, refresh_qty_on_picks
from picking.services.source_document_events import refuse_cancelled
from tracking.rules import Requirement, requirement, stock_key
from warehouse.locks import lock_bin_contents_of
from warehouse.models import Bin, BinContent, Item, Location
from warehouse.selectors import NumberScope

PICK_SERIES = INVENTORY_PICK_SERIES
__all__ = [
    "NotPicked",
    "PickCreateResult",
    "pick_create_from_source",
]


@dataclass
class PickCreateResult:
    pick: Pick | None
    not_picked: list[NotPicked] = field(default_factory=list)
    created: bool = True  # False: lines were added to the document's open pick
    lines_added: int = 0


def pick_create_from_source(
    *, source_document_id: int, user: Any, assigned_to: str | None = None
) -> PickCreateResult:
    """Create the inventory pick of a source document (or add its outstanding lines to its open pick).

    One open inventory pick per source document and location: when one exists, the quantity still to be
    picked is added to it as new lines (`result.created` is False). What cannot be covered is reported in
    `result.not_picked` and stays outstanding on the source lines. Raises Conflict `nothing_to_pick` when
    no line can be made. `assigned_to`: the username of a warehouse employee of the location to assign the
    pick to (InvalidInput `not_an_employee` otherwise, and nothing is created).
    """
    require_perm(user, "picking.add_pick", _("Creating picks is for supervisors. Ask a supervisor."))
    document = (
        SourceDocument.objects.select_related("location")
        .filter(visible_filter(user), pk=source_document_id)
        .first()
    )
    if document is None:
        raise NotFoundError(
            _("There is no source document #%(id)s, or it is not at a location you work at.")
            % {"id": source_document_id}
        )
    assignee = find_assignee(username=assigned_to, location=document.location)
    with transaction.atomic():
        result = _create_for_document(document=document, user=user)
        if assignee is not None and result.pick is not None:
            Pick.objects.filter(pk=result.pick.pk).update(assigned_to=assignee)
            result.pick.assigned_to = assignee
        return result


def _create_for_document(*, document: SourceDocument, user: Any) -> PickCreateResult:
    """Inside a transaction: create (or extend) the document's inventory pick."""
    _check_location_makes_inventory_picks(document)
    existing = _open_pick(document)
    open_lines = _source_lines_to_pick(document)
    planned, not_picked = _plan(document, open_lines)
    if not planned:
        detail = "; ".join(
            _("line %(line)s: %(reason)s") % {"line": n.line_no, "reason": n.reason} for n in not_picked[:5]
        )
        raise Conflict(
            _("Nothing can be picked for %(document)s: %(detail)s")
            % {"document": document, "detail": detail},
            code=ErrorCode.NOTHING_TO_PICK,
            not_picked=[not_picked_dict(n) for n in not_picked],
        )
    if existing is None:
        # The number last, once the pick is sure to be made: taken in its own short transaction.
        pick = _new_pick(document, pick_no=take_document_no(INVENTORY_PICK_SERIES), user=user)
        line_nos = [(i + 1) * LINE_NO_STEP for i in range(len(planned))]
    else:
        pick = existing
        line_nos = next_line_nos(pick.pk, len(planned))
    pick.location = document.location
    pick.source_document = document
    line_ids = insert_take_lines(pick, planned, line_nos, returning_ids=True)
    refresh_qty_on_picks(document_id=document.pk)
    # Only lines were added (the pick is new or locked): their entries are built from the rows inserted.
    record_pick_lines_created(
        user=user,
        pick=pick,
        operation="pick_create",
        action=Action.CREATED if existing is None else Action.CHANGED,
        line_ids=line_ids,
        pick_after={"source_document": str(document), "lines_added": len(planned)},
    )
    if existing is None:
        # Rendered right after the commit, off this transaction: a pick can have thousands of lines.
        event_emit(event_type=EventType.PICK_CREATED, subject=pick, render_later=True)
    return PickCreateResult(
        pick=pick, not_picked=not_picked, created=existing is None, lines_added=len(planned)
    )


# --- The steps of creating a pick --------------------------------------------------------------------


def _check_location_makes_inventory_picks(document: SourceDocument) -> None:
    location = document.location
    if not location.require_pick and not location.require_shipment:
        raise Conflict(
            _(
                "Location %(location)s requires neither picks nor shipments, so there is nothing to pick "
                "there for %(document)s. Ask a supervisor to set how the location ships."
            )
            % {"location": location.code, "document": document},
            code=ErrorCode.LOCATION_NEEDS_NO_PICK,
        )
    if not location.require_pick or location.require_shipment:
        message = (
            _(
                "Location %(location)s uses warehouse shipments and warehouse picks; inventory picks cannot "
                "be "
                "created for %(document)s."
            )
            if location.require_shipment
            else _(
                "Location %(location)s does not use picks; inventory picks cannot be created for "
                "%(document)s."
            )
        )
        raise Conflict(
            message % {"location": location.code, "document": document},
            code=ErrorCode.LOCATION_WITHOUT_INVENTORY_PICKS,
        )


def _open_pick(document: SourceDocument) -> Pick | None:
    """The document's open inventory pick (locked), or None: a new one is made."""
    existing = (
        Pick.objects.filter(
            source_document_id=document.pk, location_id=document.location_id, type=Pick.Type.INVENTORY_PICK
        )
        .exclude(status=Pick.Status.COMPLETED)
        .first()
    )
    if existing is None:
        return None
    locked = lock_pick(pick_id=existing.pk)
    if locked is None:  # deleted meanwhile
        raise Conflict(
            _("The open pick of this document was just deleted. Try again."), code=ErrorCode.PICK_EXISTS
        )
    return locked


def _source_lines_to_pick(document: SourceDocument) -> list[SourceLine]:
    """The document's source lines (all locked) with a quantity neither shipped nor on picks."""
    source_lines = lock_document_source_lines(document_id=document.pk)
    document.refresh_from_db(fields=["status"])  # under the lock: a cancellation cannot slip in between
    refuse_cancelled(document)
    open_lines = [sl for sl in source_lines if sl.qty_to_pick > 0]
    if not open_lines:
        raise Conflict(
            _("Nothing to pick for %(document)s: every line is shipped or already on a pick.")
            % {"document": document},
            code=ErrorCode.NOTHING_TO_PICK,
        )
    return open_lines


def _plan(
    document: SourceDocument, open_lines: list[SourceLine]
) -> tuple[list[tuple[SourceLine, PlannedLine]], list[NotPicked]]:
    """The new lines of each source line, planned against the stock available at the location."""
    location = document.location
    prescribed = prescribed_outstanding(source_lines=SourceLine.objects.filter(document_id=document.pk))
    stock = planning_stock(
        location,
        {sl.item_id for sl in open_lines},
        demands=[(sl.item_id, sl.qty_to_pick, prescribed.get(sl.pk, ())) for sl in open_lines],
    )
    items, requirements, budget = stock.items, stock.requirements, stock.budget
    bin_codes = _bin_codes(open_lines, {r.stock.bin_id: r.stock.bin_code for r in stock.available.rows})
    planned: list[tuple[SourceLine, PlannedLine]] = []
    not_picked: list[NotPicked] = []
    for sl in open_lines:
        demand = Demand(
            line_no=sl.line_no,
            item_id=sl.item_id,
            item_no=items[sl.item_id].no,
            requirement=requirements[sl.item_id],
            quantity=sl.qty_to_pick,
            bin_id=sl.bin_id,
            bin_code=bin_codes.get(sl.bin_id) if sl.bin_id else None,
            prescribed=prescribed.get(sl.pk, ()),
        )
        plan = plan_demand(demand, budget, location_code=location.code)
        planned.extend((sl, line) for line in plan.lines)
        not_picked.extend(plan.not_picked)
    return planned, not_picked


@dataclass
class PlanningStock:
    """What a new pick is planned against: its items with their tracking requirements, the stock available
    at the location and the planner's budget of it."""

    items: dict[int, Item]
    requirements: dict[int, Requirement]
    available: AvailableStock
    budget: Budget


# (item_id, quantity to pick, the numbers prescribed for it) of each line a new pick is planned for
PlanDemand = tuple[int, Decimal, Sequence[Prescribed]]


def planning_stock(
    location: Location, item_ids: Iterable[int], *, demands: Sequence[PlanDemand] | None = None
) -> PlanningStock:
    """The items, and their stock available at the location for a new pick (inventory or warehouse pick).

    With `demands`, an item whose lines are covered entirely by prescribed numbers has only the stock rows
    of those numbers read (`planning_scope`): a pick of 10 000 prescribed serial numbers reads and locks
    10 000 rows, however many the items have. The rows read are locked before availability is read, so two
    picks being made at the same moment (e.g. lines added to two open picks) cannot both count the same
    units. Four queries, five when an item read by number also has open pick lines without numbers (then
    all its rows are read: the bin's total is needed)."""
    items = {i.pk: i for i in Item.objects.select_related("tracking_code").filter(pk__in=set(item_ids))}
    requirements = {pk: requirement(item.tracking_code) for pk, item in items.items()}
    today = timezone.localdate()
    if demands is None:
        lock_stock_of_items(location_id=location.pk, item_ids=items)
        available = available_stock(
            item_ids=sorted(items), location_id=location.pk, on_date=today, ordered=False
        )
    else:
        scope = planning_scope(requirements, demands)
        lock_stock_of_items(location_id=location.pk, item_ids=(), numbers=scope)
        available = available_stock(
            item_ids=None, location_id=location.pk, on_date=today, numbers=scope, ordered=False
        )
        partial = {item_id for _, item_id in available.unassigned_on_picks} - scope.items
        if partial:
            # Reservations without numbers are subtracted from the bin's total: read all of those items.
            scope = replace(scope, items=scope.items | partial)
            lock_stock_of_items(location_id=location.pk, item_ids=partial)
            available = available_stock(
                item_ids=None, location_id=location.pk, on_date=today, numbers=scope, ordered=False
            )
    return PlanningStock(
        items=items,
        requirements=requirements,
        available=available,
        budget=Budget.of(available, fefo=location.pick_according_to_fefo),
    )


def planning_scope(requirements: dict[int, Requirement], demands: Sequence[PlanDemand]) -> NumberScope:
    """The stock a plan can use: the rows of the prescribed numbers of an item whose every line is covered
    by prescribed numbers naming a row (a serial number, or a lot, its stock carries); all rows of the
    other items (numbers proposed or left open, untracked items)."""
    full: set[int] = set()
    serials: set[tuple[int, str]] = set()
    lots: set[tuple[int, str]] = set()
    for item_id, quantity, prescribed in demands:
        req = requirements[item_id]
        keys = [stock_key(req, p.lot_no, p.serial_no) for p in prescribed]
        covered = sum((p.quantity for p in prescribed), ZERO)
        unnamed = any(not lot and not serial for lot, serial in keys)
        if covered < quantity or not carries_numbers(req) or unnamed:
            full.add(item_id)
            continue
        for lot, serial in keys:
            if serial:
                serials.add((item_id, serial))
            else:
                lots.add((item_id, lot))
    by_number = {item_id for item_id, _, _ in demands} - full
    return NumberScope(
        serials=frozenset(k for k in serials if k[0] in by_number),
        lots=frozenset(k for k in lots if k[0] in by_number),
        items=frozenset(full),
        blank_serial_items=frozenset(i for i in by_number if requirements[i].serial.warehouse),
        blank_lot_items=frozenset(i for i in by_number if requirements[i].lot.warehouse),
    )


def lock_stock_of_items(
    *, location_id: int, item_ids: Iterable[int], numbers: NumberScope | None = None
) -> None:
    """Lock the bin content rows (with stock) of the items (or of the `numbers` scope) at the location: one
    query for any number of rows."""
    rows = BinContent.objects.filter(location_id=location_id, quantity__gt=0)
    rows = numbers.filter(rows) if numbers is not None else rows.filter(item_id__in=sorted(item_ids))
    lock_bin_contents_of(rows)


def _bin_codes(open_lines: list[SourceLine], known: dict[int, str]) -> dict[int, str]:
    """Codes of the bins in stock (`known`) and of the bins the source lines name."""
    missing = {sl.bin_id for sl in open_lines if sl.bin_id and sl.bin_id not in known}
    if missing:
        known.update(dict(Bin.objects.filter(pk__in=missing).values_list("pk", "code")))
    return known


def prescribed_outstanding(
    *, source_lines: QuerySet[SourceLine], picked_stock: bool = False
) -> dict[int, list[Prescribed]]:
    """Per source line of `source_lines` (read as a subquery): prescribed tracking lines with the quantity
    neither handled nor on open picks (nor, with `picked_stock`, registered on a shipment line and not
    shipped yet). Two or three queries."""
    on_picks: dict[int, Decimal] = dict(
        PickLine.objects.filter(
            item_tracking_line__source_line__in=source_lines,
            action=PickLine.Action.TAKE,
            qty_handled__lt=F("quantity"),
        )
        .values("item_tracking_line_id")
        .annotate(total=Sum(F("quantity") - F("qty_handled")))
        .values_list("item_tracking_line_id", "total")
    )
    if picked_stock:
        registered = (
            PickedStock.objects.filter(
                item_tracking_line__source_line__in=source_lines, qty_shipped__lt=F("quantity")
            )
            .values("item_tracking_line_id")
            .annotate(total=Sum(F("quantity") - F("qty_shipped")))
            .values_list("item_tracking_line_id", "total")
        )
        for tracking_line_id, total in registered:
            on_picks[tracking_line_id] = on_picks.get(tracking_line_id, ZERO) + total
    result: dict[int, list[Prescribed]] = defaultdict(list)
    tracking_lines = (
        ItemTrackingLine.objects.filter(source_line__in=source_lines, origin=ItemTrackingLine.Origin.SOURCE)
        .order_by("source_line_id", "pk")
        .values_list(
            "pk", "source_line_id", "lot_no", "serial_no", "expiration_date", "quantity", "qty_handled"
        )
    )
    for pk, source_line_id, lot_no, serial_no, expiration_date, quantity, qty_handled in tracking_lines:
        outstanding = quantity - qty_handled - on_picks.get(pk, ZERO)
        if outstanding > 0:
            result[source_line_id].append(Prescribed(pk, lot_no, serial_no, expiration_date, outstanding))
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
    "shipment_line",
]


def insert_take_lines(
    pick: Pick,
    planned: Sequence[tuple[SourceLine | WarehouseShipmentLine, PlannedLine]],
    line_nos: list[int],
    *,
    returning_ids: bool = False,
) -> list[int]:
    """The planned take lines, each for its source line (an inventory pick) or shipment line (a warehouse
    pick), in one INSERT; their ids in order when `returning_ids`."""
    take = PickLine.Action.TAKE.value
    pick_id = pick.pk
    # The text `core.db.insert_rows` writes for a quantity, once per distinct quantity (10 000 lines of 1).
    quantity_texts: dict[Decimal, str] = {}
    rows = []
    for line_no, (demand, n) in zip(line_nos, planned, strict=True):
        if isinstance(demand, WarehouseShipmentLine):
            source_line_id, shipment_line_id = demand.source_line_id, demand.id
        else:
            source_line_id, shipment_line_id = demand.id, None
        rows.append(
            (
                pick_id,
                line_no,
                take,
                source_line_id,
                demand.item_id,
                n.bin_id,
                quantity_texts.get(n.quantity) or quantity_texts.setdefault(n.quantity, f"{n.quantity:f}"),
                0,
                0,
                n.serial_no,
                n.lot_no,
                n.expiration_date,
                n.tracking_locked,
                n.item_tracking_line_id,
                shipment_line_id,
            )
        )
    try:
        with transaction.atomic():
            return insert_rows(PickLine, _LINE_FIELDS, rows, returning_ids=returning_ids)
    except IntegrityError as exc:
        raise integrity_conflict(exc) from exc


def not_picked_dict(n: NotPicked) -> dict[str, Any]:
    result = {
        "line_no": n.line_no,
        "item": n.item_no,
        "quantity": format_quantity(n.quantity),
        "reason": n.reason,
    }
    if n.shipment_no:
        result["shipment"] = n.shipment_no
    return result
