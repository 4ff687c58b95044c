"""Posting inventory picks: all or nothing, in ONE transaction, rows locked in the fixed order.

Lock order (docs/architecture.md): pick, pick lines, source lines, then bin content and open receipts
(inside `warehouse.services.inventory_post_outbound`). The posted pick's number is taken once every check
has passed, in its own short transaction (`picking.services.document_numbers`): postings of different
items never wait for each other on the number series.

A posting handles only lines with qty_to_handle > 0. It checks EVERY such line and refuses with one error
listing each line's problem (tracking incomplete, blocked or expired number, not in the bin any more,
serial number used before); nothing is written then. Otherwise it writes, with a number of queries that
does not grow with the number of lines or serial numbers:

- item ledger entries applied to the exact receipts, warehouse entries and bin content
  (`inventory_post_outbound`);
- the pick lines' qty_handled, the source lines' qty_shipped and qty_on_picks, the prescribed item
  tracking lines' qty_handled, and the numbers assigned or selected on the pick written back to the source
  lines as item tracking lines with origin `pick`;
- the source document's status, the pick's status (open -> in_progress -> completed) and a posted pick.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Case, CharField, Exists, F, OuterRef, Q, QuerySet, Value, When, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.activity import Action
from core.db import insert_select, update_rows
from core.events import EventType, event_emit
from core.exceptions import Conflict, ErrorCode
from core.permissions import require_perm
from core.quantities import ZERO
from picking import rules
from picking.exceptions import PickPostRefused, PickRegisterRefused
from picking.locks import LockedLine, lock_document_source_lines, lock_pick, lock_pick_line_rows
from picking.models import (
    Pick,
    PickLine,
    PostedPick,
    PostedPickLine,
    SourceDocument,
    SourceLine,
)
from picking.selectors.picks import get_visible_pick
from picking.services.activity import pick_lines_handled
from picking.services.document_numbers import POSTED_PICK_SERIES, take_document_no
from picking.services.pick_delete import pick_delete_rest_locked
from picking.services.recall_checks import pick_line_recall_error, recall_errors
from picking.services.tracking_write_back import Chosen, NumbersKey, chosen_add, tracking_lines_write_back
from tracking.rules import requirement
from warehouse.exceptions import OutboundRefused
from warehouse.models import EntryType, Item
from warehouse.services.posting import OutboundMovement, inventory_post_outbound

logger = logging.getLogger(__name__)

DOCUMENT_TYPE = "posted_pick"

ENTRY_TYPES = {
    SourceDocument.Type.SALES_ORDER: EntryType.SALE,
    SourceDocument.Type.PURCHASE_RETURN_ORDER: EntryType.PURCHASE_RETURN,
    SourceDocument.Type.OUTBOUND_TRANSFER: EntryType.TRANSFER,
}

# Codes of the ledger primitive that mean "the line's numbers are incomplete".
_INCOMPLETE_CODES = {ErrorCode.SERIAL_MISSING, ErrorCode.LOT_MISSING}

__all__ = ["PickPostRefused", "pick_post", "pick_post_and_delete_rest"]


def pick_post(*, pick_id: int, user: Any) -> PostedPick:
    """Post the lines with qty_to_handle > 0 (needs `picking.post_pick`); all or nothing."""
    require_perm(user, "picking.post_pick", _("You are not allowed to post picks. Ask a supervisor."))
    posted = _post(pick_id=pick_id, user=user, delete_rest=False)
    assert posted is not None
    return posted


def pick_post_and_delete_rest(*, pick_id: int, user: Any) -> PostedPick | None:
    """Supervisors, the recommended procedure for unavailable items in one step: post what was handled,
    then delete the rest of the pick (its outstanding quantity returns to the source lines; the source
    document's item tracking lines stay as they are). Returns the posted pick, or None when nothing had a
    Qty. to Handle (then the pick is only deleted)."""
    require_perm(user, "picking.post_pick", _("You are not allowed to post picks. Ask a supervisor."))
    require_perm(user, "picking.delete_pick", _("Deleting picks is for supervisors. Ask a supervisor."))
    return _post(pick_id=pick_id, user=user, delete_rest=True)


def _post(*, pick_id: int, user: Any, delete_rest: bool) -> PostedPick | None:
    visible = get_visible_pick(pick_id=pick_id, user=user)
    if visible.type == Pick.Type.WAREHOUSE_PICK:
        raise Conflict(
            _(
                "Pick %(pick)s is a warehouse pick: register it (the goods move to the shipping bin), then "
                "post its warehouse shipment."
            )
            % {"pick": visible.no},
            code=ErrorCode.REGISTER_INSTEAD,
        )
    # The posted pick's number is taken once the checks have passed, in its own short transaction (no
    # lock on the series for the rest of this one). When only the rest is to be deleted, no number is taken.
    anything = PickLine.objects.filter(pick_id=pick_id, qty_to_handle__gt=0).exists()
    with transaction.atomic():
        pick = lock_pick(pick_id=pick_id)
        if pick is None:
            raise Conflict(
                _("Pick %(pick)s was deleted meanwhile; nothing was posted.") % {"pick": visible.no},
                code=ErrorCode.PICK_DELETED,
            )
        pick.location = visible.location
        pick.source_document = visible.source_document
        if pick.source_document is None:
            raise Conflict(
                _("Pick %(pick)s has no source document to ship.") % {"pick": pick.no},
                code=ErrorCode.NO_SOURCE_DOCUMENT,
            )
        operation = "pick_post_and_delete_rest" if delete_rest else "pick_post"
        posted = (
            _post_locked(pick=pick, user=user, operation=operation) if anything or not delete_rest else None
        )
        if posted is None and not delete_rest:
            raise Conflict(
                _(
                    "Nothing to post on pick %(pick)s: no line has a Qty. to Handle. Set Qty. to Handle on "
                    "the "
                    "lines you picked (or use Autofill Qty. to Handle), then post."
                )
                % {"pick": pick.no},
                code=ErrorCode.NOTHING_TO_HANDLE,
            )
        if posted is not None:
            # A posted pick never changes: rendered right after the commit, off this transaction.
            event_emit(event_type=EventType.PICK_POSTED, subject=posted, render_later=True)
        if delete_rest:
            pick_delete_rest_locked(pick=pick, user=user)
        pick_no, posted_pick_no = pick.no, posted.no if posted else ""
        transaction.on_commit(
            lambda: logger.info("pick %s posted as %s by %s", pick_no, posted_pick_no or "(nothing)", user)
        )
    return posted


def _post_locked(*, pick: Pick, user: Any, operation: str) -> PostedPick | None:
    """With the pick locked: lock, check, take the posted pick's number, write, log (`operation`). None
    when nothing to handle."""
    lines = lock_pick_line_rows(pick_id=pick.pk)
    to_post = [line for line in lines if line.action == PickLine.Action.TAKE and line.qty_to_handle > 0]
    if not to_post:
        return None
    document = pick.source_document
    assert document is not None
    lock_document_source_lines(document_id=document.pk)
    items = {
        i.pk: i
        for i in Item.objects.select_related("tracking_code").filter(pk__in={ln.item_id for ln in to_post})
    }
    errors = handled_line_errors(to_post, items)
    posting_date = timezone.localdate()
    taken: list[str] = []

    def posted_no() -> str:
        """The number, taken when the ledger primitive's checks have passed (once)."""
        if not taken:
            taken.append(take_document_no(POSTED_PICK_SERIES))
        return taken[0]

    errors += _post_to_ledger(
        pick=pick,
        document=document,
        lines=to_post,
        # Refused anyway when the pick itself has problems: no number is taken for it.
        posted_no=posted_no if not errors else "",
        posting_date=posting_date,
        user=user,
        reported={(e["line"], e["code"]) for e in errors},
    )
    errors = recall_errors(
        errors,
        ((ln.line_no, ln.item_id, ln.lot_no, ln.serial_no) for ln in to_post),
        line_error=pick_line_recall_error({ln.line_no: ln for ln in to_post}),
    )
    if errors:
        errors.sort(key=lambda e: (e.get("line") is None, e.get("line") or 0))
        raise pick_refusal(errors, pick)
    # The ledger is written; everything below is derived from the pick lines in SQL.
    posted = PostedPick.objects.create(
        no=posted_no(),
        pick_no=pick.no,
        pick=pick,
        type=pick.type,
        location_id=pick.location_id,
        source_document_id=document.pk,
        posting_date=posting_date,
        posted_by=user if getattr(user, "is_authenticated", False) else None,
    )
    # Every line of the pick is locked and read: whether it is complete once these are handled.
    handling = {line.pk: line.qty_to_handle for line in to_post}
    done = all(line.qty_handled + handling.get(line.pk, ZERO) >= line.quantity for line in lines)
    pick.status = Pick.Status.COMPLETED if done else Pick.Status.IN_PROGRESS

    handled = _write_from_pick_lines(pick_id=pick.pk, posted_pick_id=posted.pk, lines=to_post)
    pick_lines_handled(
        user=user,
        pick=pick,
        operation=operation,
        action=Action.POSTED,
        handled=handled,
        pick_after={"posted_pick": posted.no, "status": pick.status},
    )
    _update_document_status(document.pk)
    Pick.objects.filter(pk=pick.pk).update(status=pick.status)
    return posted


# --- Checking ------------------------------------------------------------------------------------


def _missing_text(missing: list[str]) -> str:
    """The numbers a line lacks, as a worker reads them ("a serial number and a lot number")."""
    if missing == ["serial", "lot"]:
        return _("a serial number and a lot number")
    return _("a serial number") if missing == ["serial"] else _("a lot number")


def handled_line_errors(
    lines: list[LockedLine], items: dict[int, Item], *, verb: str = "posted"
) -> list[dict[str, Any]]:
    """Problems the pick itself can see, per line: numbers missing, no bin (`verb`: what is refused)."""
    errors: list[dict[str, Any]] = []
    reqs = {pk: requirement(item.tracking_code) for pk, item in items.items()}  # once per item, not per line
    for line in lines:
        item = items[line.item_id]
        missing = rules.missing_numbers(reqs[line.item_id], lot_no=line.lot_no, serial_no=line.serial_no)
        if missing:
            what = _missing_text(missing)
            values = {"line": line.line_no, "item": item.no, "what": what}
            detail = (
                _(
                    "Line %(line)s (item %(item)s) needs %(what)s before it can be registered: scan, select "
                    "or "
                    "assign it, or set Qty. to Handle to 0."
                )
                if verb == "registered"
                else _(
                    "Line %(line)s (item %(item)s) needs %(what)s before it can be posted: scan, select or "
                    "assign it, or set Qty. to Handle to 0."
                )
            ) % values
            errors.append(
                {
                    "line": line.line_no,
                    "pick_line_id": line.pk,
                    "code": ErrorCode.TRACKING_INCOMPLETE,
                    "detail": detail,
                }
            )
        if line.bin_id is None:
            errors.append(
                {
                    "line": line.line_no,
                    "pick_line_id": line.pk,
                    "code": ErrorCode.BIN_REQUIRED,
                    "detail": _("Line %(line)s (item %(item)s) has no bin: choose the bin to take from.")
                    % {"line": line.line_no, "item": item.no},
                }
            )
    return errors


def _post_to_ledger(
    *,
    pick: Pick,
    document: SourceDocument,
    lines: list[LockedLine],
    posted_no: str | Callable[[], str],
    posting_date: datetime.date,
    user: Any,
    reported: set[tuple[Any, Any]],
) -> list[dict[str, Any]]:
    """Ship the lines through the ledger primitive (which locks bin content and receipts and checks every
    movement); the problems it refuses with, per line, except those already `reported`."""
    source_line_nos = dict(
        SourceLine.objects.filter(pk__in={ln.source_line_id for ln in lines}).values_list("pk", "line_no")
    )
    movements = [
        OutboundMovement(
            ref=line.line_no,
            location_id=pick.location_id,
            bin_id=line.bin_id,
            item_id=line.item_id,
            quantity=line.qty_to_handle,
            lot_no=line.lot_no,
            serial_no=line.serial_no,
        )
        for line in lines
        if line.bin_id is not None
    ]
    try:
        inventory_post_outbound(
            movements=movements,
            entry_type=ENTRY_TYPES.get(SourceDocument.Type(document.type), EntryType.SALE),
            document_type=DOCUMENT_TYPE,
            document_no=posted_no,
            posting_date=posting_date,
            user=user,
            source_document_type=document.type,
            source_document_no=document.no,
            source_line_nos={line.line_no: source_line_nos[line.source_line_id] for line in lines},
            returning=False,
        )
    except OutboundRefused as exc:
        return ledger_line_errors(exc.errors, {line.line_no: line for line in lines}, reported)
    return []


def ledger_line_errors(
    refused: list[dict[str, Any]], by_ref: dict[int, LockedLine], reported: set[tuple[Any, Any]]
) -> list[dict[str, Any]]:
    """The ledger primitive's problems as the pick's per-line errors (missing numbers as
    `tracking_incomplete`)."""
    errors = []
    for error in refused:
        code = ErrorCode.TRACKING_INCOMPLETE if error.get("code") in _INCOMPLETE_CODES else error.get("code")
        ref = error.get("line")
        if (ref, code) in reported:
            continue
        line = by_ref.get(ref) if isinstance(ref, int) else None
        detail = str(error.get("detail", ""))
        if line is not None:
            detail = _("Line %(line)s: %(problem)s") % {"line": ref, "problem": detail}
        errors.append(
            {
                "line": ref,
                "pick_line_id": line.pk if line is not None else None,
                "code": code,
                "detail": detail,
            }
        )
    return errors


def pick_refusal(
    errors: list[dict[str, Any]],
    pick: Pick,
    *,
    cls: type[PickPostRefused] | type[PickRegisterRefused] = PickPostRefused,
    verb: str = "posted",
) -> PickPostRefused | PickRegisterRefused:
    """Every line's problem in one refusal; the code all problems share, else the refusal's own."""
    lines = sorted({e["line"] for e in errors if e.get("line") is not None})
    first = errors[0]["detail"]
    values = {"pick": pick.no, "count": len(lines), "first": first}
    if len(errors) > 1:
        more = len(errors) - 1
        if verb == "registered":
            message = ngettext(
                "Pick %(pick)s was not registered; nothing was changed. %(count)s line(s) have problems: "
                "%(first)s (%(more)s more problem(s) listed per line)",
                "Pick %(pick)s was not registered; nothing was changed. %(count)s line(s) have problems: "
                "%(first)s (%(more)s more problem(s) listed per line)",
                more,
            )
        else:
            message = ngettext(
                "Pick %(pick)s was not posted; nothing was changed. %(count)s line(s) have problems: "
                "%(first)s (%(more)s more problem(s) listed per line)",
                "Pick %(pick)s was not posted; nothing was changed. %(count)s line(s) have problems: "
                "%(first)s (%(more)s more problem(s) listed per line)",
                more,
            )
        text = message % {**values, "more": more}
    elif verb == "registered":
        text = (
            ngettext(
                "Pick %(pick)s was not registered; nothing was changed. %(count)s line(s) have problems: "
                "%(first)s",
                "Pick %(pick)s was not registered; nothing was changed. %(count)s line(s) have problems: "
                "%(first)s",
                len(lines),
            )
            % values
        )
    else:
        text = (
            ngettext(
                "Pick %(pick)s was not posted; nothing was changed. %(count)s line(s) have problems: "
                "%(first)s",
                "Pick %(pick)s was not posted; nothing was changed. %(count)s line(s) have problems: "
                "%(first)s",
                len(lines),
            )
            % values
        )
    return cls(
        text,
        code=errors[0]["code"] if len({e["code"] for e in errors}) == 1 else cls.code,
        errors=errors,
    )


# --- Writing -------------------------------------------------------------------------------------


def _write_from_pick_lines(
    *, pick_id: int, posted_pick_id: int, lines: list[LockedLine]
) -> QuerySet[PickLine]:
    """Everything a posting writes besides the ledger, from the pick lines being posted (qty_to_handle
    > 0), in set-based statements: posted pick lines, the source lines' item tracking lines (prescribed
    lines' qty_handled, numbers chosen on the pick written back) and source lines. The pick lines' own
    change is left to `pick_lines_handled`: the lines handled are returned."""
    handled = PickLine.objects.filter(pick_id=pick_id, action=PickLine.Action.TAKE, qty_to_handle__gt=0)
    _insert_posted_lines(handled, posted_pick_id=posted_pick_id)

    prescribed: dict[int, Decimal] = defaultdict(lambda: ZERO)
    chosen: dict[NumbersKey, Chosen] = {}
    shipped: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for line in lines:
        shipped[line.source_line_id] += line.qty_to_handle
        if line.item_tracking_line_id:
            prescribed[line.item_tracking_line_id] += line.qty_to_handle
        elif line.serial_no or line.lot_no:
            key = (line.source_line_id, line.lot_no, line.serial_no)
            chosen_add(chosen, key, line.qty_to_handle, line.expiration_date)
    tracking_lines_write_back(prescribed=prescribed, chosen=chosen)

    # Source lines: shipped up, on picks down, in one statement (the check constraint holds throughout).
    update_rows(
        SourceLine,
        [(pk, qty, -qty) for pk, qty in shipped.items()],
        add_fields=["qty_shipped", "qty_on_picks"],
    )
    # Last: the pick lines themselves.
    return handled


def _insert_posted_lines(handled: Any, *, posted_pick_id: int) -> None:
    """One posted pick line per handled pick line (its Qty. to Handle as quantity), numbered 1, 2, ...
    in line order: one INSERT ... SELECT."""
    rows = handled.order_by().values(
        "line_no",
        "action",
        "source_line_id",
        "item_id",
        "bin_id",
        "qty_to_handle",
        "serial_no",
        "lot_no",
        "expiration_date",
        "item_tracking_line_id",
        posted_pick=Value(posted_pick_id),
        row_no=Window(RowNumber(), order_by=F("line_no").asc()),
    )
    insert_select(
        PostedPickLine,
        rows,
        {
            "posted_pick": "posted_pick",
            "line_no": "row_no",
            "pick_line_no": "line_no",
            "action": "action",
            "source_line": "source_line_id",
            "item": "item_id",
            "bin": "bin_id",
            "quantity": "qty_to_handle",
            "serial_no": "serial_no",
            "lot_no": "lot_no",
            "expiration_date": "expiration_date",
            "item_tracking_line": "item_tracking_line_id",
        },
    )


def _update_document_status(document_id: int) -> None:
    update_documents_status(documents=Q(pk=document_id))


def update_documents_status(*, documents: Q) -> None:
    """Open, partially shipped or shipped, from the documents' lines (one UPDATE)."""
    lines = SourceLine.objects.filter(document_id=OuterRef("pk"))
    SourceDocument.objects.filter(documents).update(
        status=_status_case(
            any_open=Exists(lines.filter(qty_shipped__lt=F("quantity"))),
            any_shipped=Exists(lines.filter(qty_shipped__gt=0)),
        )
    )


def _status_case(*, any_open: Any, any_shipped: Any) -> Any:
    return Case(
        When(~Q(any_open), then=Value(SourceDocument.Status.SHIPPED.value)),
        When(Q(any_shipped), then=Value(SourceDocument.Status.PARTIALLY_SHIPPED.value)),
        default=Value(SourceDocument.Status.OPEN.value),
        output_field=CharField(),
    )
