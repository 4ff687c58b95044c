"""Recalls: open one for an item's lots or serial numbers (they are blocked at once), close it (what it
blocked is unblocked, and only that).

Blocking uses the lots' and serial numbers' information cards (`blocked`), the flag the planner,
availability, registering and the ledger primitive already respect: no new pick proposes a blocked number,
and no posting takes it out. On top of that, open pick lines carrying a recalled number are *held*: the
pick page shows the recall's reason on the line, and posting, registering and shipment posting refuse
them with `recalled` and the reason (`picking.services.recall_checks`).

A number already blocked before the recall (by hand, or by another open recall) is recorded with
`blocked_by_recall=False` and stays blocked when the recall closes. When a recall that blocked a number
closes while another open recall of the item names the same number, the other recall takes it over.

Lock order: the recall's number (series `RCL`), then the item's recalls (`picking.locks.lock_item_recalls`);
recall services lock nothing else. Events: `tracking.blocked` (the numbers this recall blocked) and
`recall.opened` on opening, `recall.closed` on closing, in the same transaction.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.events import EventType, event_emit
from core.exceptions import Conflict, ErrorCode, InvalidInput, NotFoundError
from core.permissions import require_perm
from core.validation import code_problem
from picking.locks import lock_item_recalls
from picking.models import Recall, RecallNumber
from picking.selectors.recalls import get_visible_recall
from picking.services.document_numbers import RECALL_SERIES, take_document_no
from tracking.rules import requirement
from warehouse.models import Item, ItemLedgerEntry, LotNoInformation, SerialNoInformation
from warehouse.scoping import visible_location_ids

MAX_NUMBERS = 1000
MAX_REASON = 500


def recall_open(
    *,
    item_no: str,
    lot_nos: list[str] | None = None,
    serial_nos: list[str] | None = None,
    reason: str,
    user: Any,
) -> Recall:
    """Open a recall (supervisors and ERPs: `picking.add_recall`): the numbers are blocked at once.

    Refused (nothing changed) when the item is unknown (404), the reason is blank, no number is given, a
    kind is not tracked for the item, or a number never came into the item's stock at the user's locations
    (`number_unknown`)."""
    require_perm(user, "picking.add_recall", _("Only supervisors open recalls. Ask a supervisor."))
    item = Item.objects.select_related("tracking_code").filter(no=item_no).first()
    if item is None:
        raise NotFoundError(
            _("There is no item %(item)s. Check the number.") % {"item": item_no}, field="item"
        )
    lots, serials = _check_input(item, lot_nos or [], serial_nos or [], reason, user)
    with transaction.atomic():
        recall_no = take_document_no(RECALL_SERIES)
        lock_item_recalls(item_id=item.pk)
        recall = Recall.objects.create(no=recall_no, item=item, reason=reason.strip(), opened_by=_user(user))
        blocked_lots = _block(LotNoInformation, "lot_no", item, lots)
        blocked_serials = _block(SerialNoInformation, "serial_no", item, serials)
        RecallNumber.objects.bulk_create(
            [RecallNumber(recall=recall, lot_no=n, blocked_by_recall=n in blocked_lots) for n in lots]
            + [
                RecallNumber(recall=recall, serial_no=n, blocked_by_recall=n in blocked_serials)
                for n in serials
            ]
        )
        if blocked_lots or blocked_serials:
            event_emit(
                event_type=EventType.TRACKING_BLOCKED,
                data={
                    "item": item.no,
                    "lot_nos": sorted(blocked_lots),
                    "serial_nos": sorted(blocked_serials),
                    "blocked": True,
                    "recall": recall.no,
                    "reason": recall.reason,
                },
            )
        event_emit(event_type=EventType.RECALL_OPENED, subject=recall)
    return recall


def recall_close(*, recall_id: int, user: Any) -> Recall:
    """Close a recall (`picking.close_recall`): unblock the numbers it blocked, except those another open
    recall of the item still names (that recall takes them over). `recall_not_open` when closed already."""
    require_perm(user, "picking.close_recall", _("Only supervisors close recalls. Ask a supervisor."))
    visible = get_visible_recall(recall_id=recall_id, user=user)
    with transaction.atomic():
        recalls = {r.pk: r for r in lock_item_recalls(item_id=visible.item_id)}
        recall = recalls.get(visible.pk)
        if recall is None or recall.status != Recall.Status.OPEN:
            raise Conflict(
                _("Recall %(no)s is closed already; nothing was changed.") % {"no": visible.no},
                code=ErrorCode.RECALL_NOT_OPEN,
            )
        others = [pk for pk, r in recalls.items() if pk != recall.pk and r.status == Recall.Status.OPEN]
        mine = list(RecallNumber.objects.filter(recall=recall, blocked_by_recall=True))
        taken_over = _hand_over(mine, others)
        to_unblock = [n for n in mine if (n.lot_no, n.serial_no) not in taken_over]
        lots = [n.lot_no for n in to_unblock if n.lot_no]
        serials = [n.serial_no for n in to_unblock if n.serial_no]
        if lots:
            LotNoInformation.objects.filter(item_id=recall.item_id, lot_no__in=lots).update(blocked=False)
        if serials:
            SerialNoInformation.objects.filter(item_id=recall.item_id, serial_no__in=serials).update(
                blocked=False
            )
        recall.status = Recall.Status.CLOSED
        recall.closed_by = _user(user)
        recall.closed_at = timezone.now()
        recall.save(update_fields=["status", "closed_by", "closed_at"])
        recall.item = visible.item
        event_emit(event_type=EventType.RECALL_CLOSED, subject=recall)
    return recall


# --- Helpers --------------------------------------------------------------------------------------------


def _user(user: Any) -> Any:
    return user if getattr(user, "is_authenticated", False) else None


def _check_input(
    item: Item, lot_nos: list[str], serial_nos: list[str], reason: str, user: Any
) -> tuple[list[str], list[str]]:
    """The distinct numbers, in the order given; InvalidInput naming every problem."""
    errors: list[dict[str, Any]] = []
    if not reason or not reason.strip():
        errors.append(
            {
                "field": "reason",
                "code": ErrorCode.REQUIRED,
                "detail": _("Say why the numbers are recalled: the reason is shown to every worker."),
            }
        )
    elif len(reason.strip()) > MAX_REASON:
        errors.append(
            {
                "field": "reason",
                "code": ErrorCode.MAX_LENGTH,
                "detail": _("The reason is at most %(max)s characters.") % {"max": MAX_REASON},
            }
        )
    lots = list(dict.fromkeys(n.strip() for n in lot_nos if n and n.strip()))
    serials = list(dict.fromkeys(n.strip() for n in serial_nos if n and n.strip()))
    if not lots and not serials:
        errors.append(
            {
                "field": "lot_nos",
                "code": ErrorCode.REQUIRED,
                "detail": _("Give the lot numbers or the serial numbers to recall."),
            }
        )
    if len(lots) + len(serials) > MAX_NUMBERS:
        errors.append(
            {
                "field": "lot_nos",
                "code": ErrorCode.MAX_LENGTH,
                "detail": _("A recall names at most %(max)s numbers.") % {"max": MAX_NUMBERS},
            }
        )
    req = requirement(item.tracking_code)
    for name, numbers, tracked, code in (
        ("lot_nos", lots, req.lot.tracked, ErrorCode.LOT_NOT_TRACKED),
        ("serial_nos", serials, req.serial.tracked, ErrorCode.SERIAL_NOT_TRACKED),
    ):
        for number in numbers:
            problem = code_problem(number) or (
                _("is longer than 50 characters.") if len(number) > 50 else None
            )
            if problem:
                errors.append({"field": name, "code": ErrorCode.INVALID, "detail": f"{number}: {problem}"})
        if numbers and not tracked:
            errors.append(
                {
                    "field": name,
                    "code": code,
                    "detail": (
                        _("Item %(item)s does not track lot numbers.")
                        if name == "lot_nos"
                        else _("Item %(item)s does not track serial numbers.")
                    )
                    % {"item": item.no},
                }
            )
    if errors:
        raise InvalidInput(errors[0]["detail"], errors=errors)
    errors += _unknown(item, "lot_nos", "lot_no", lots, user) + _unknown(
        item, "serial_nos", "serial_no", serials, user
    )
    if errors:
        raise InvalidInput(errors[0]["detail"], errors=errors)
    return lots, serials


def _unknown(item: Item, name: str, field: str, numbers: list[str], user: Any) -> list[dict[str, Any]]:
    """Numbers that never came into the item's stock (nor left it) at the user's locations (one query)."""
    if not numbers:
        return []
    entries = ItemLedgerEntry.objects.filter(item_id=item.pk, **{f"{field}__in": numbers})
    location_ids = visible_location_ids(user)
    if location_ids is not None:
        entries = entries.filter(location_id__in=location_ids)
    known = set(entries.values_list(field, flat=True).distinct())
    return [
        {
            "field": name,
            "code": ErrorCode.NUMBER_UNKNOWN,
            "detail": _("%(number)s of item %(item)s was never in stock at your locations. Check the number.")
            % {"number": number, "item": item.no},
        }
        for number in numbers
        if number not in known
    ]


def _block(model: Any, field: str, item: Item, numbers: list[str]) -> set[str]:
    """Block these numbers of the item (their information cards, created when missing); the numbers that
    were not blocked before (two queries and one insert)."""
    if not numbers:
        return set()
    cards = dict(
        model.objects.filter(item_id=item.pk, **{f"{field}__in": numbers}).values_list(field, "blocked")
    )
    newly = {n for n in numbers if not cards.get(n, False)}
    existing = [n for n in newly if n in cards]
    if existing:
        model.objects.filter(item_id=item.pk, **{f"{field}__in": existing}).update(blocked=True)
    missing = [n for n in numbers if n not in cards]
    if missing:
        model.objects.bulk_create([model(item_id=item.pk, blocked=True, **{field: n}) for n in missing])
    return newly


def _hand_over(mine: list[RecallNumber], others: list[int]) -> set[tuple[str, str]]:
    """Numbers this recall blocked that another open recall names: that recall now counts as the one that
    blocked them (so closing it unblocks them). Returns them as (lot_no, serial_no)."""
    if not mine or not others:
        return set()
    keys = {(n.lot_no, n.serial_no) for n in mine}
    theirs = [
        n
        for n in RecallNumber.objects.filter(
            recall_id__in=others,
            lot_no__in={k[0] for k in keys},
            serial_no__in={k[1] for k in keys},
        ).order_by("recall_id", "pk")
        if (n.lot_no, n.serial_no) in keys
    ]
    first: dict[tuple[str, str], RecallNumber] = {}
    for n in theirs:
        first.setdefault((n.lot_no, n.serial_no), n)
    if first:
        RecallNumber.objects.filter(pk__in=[n.pk for n in first.values()]).update(blocked_by_recall=True)
    return set(first)
