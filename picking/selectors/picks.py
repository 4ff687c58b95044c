"""Reads of picks and posted picks for pages and the API, with the prefetching that keeps query counts
constant whatever the number of lines. Every selector shows only picks at locations the user may see."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Prefetch, Q, QuerySet, Sum, prefetch_related_objects
from django.utils.translation import gettext as _

from core.exceptions import NotFoundError
from core.quantities import ZERO
from picking.models import Pick, PickLine, PostedPick, PostedPickLine
from warehouse.scoping import visible_location_ids


def visible_filter(user: Any, prefix: str = "location") -> Q:
    ids = visible_location_ids(user)
    if ids is None:
        return Q()
    return Q(**{f"{prefix}_id__in": sorted(ids)})


def _lines() -> Prefetch[Any]:
    return Prefetch(
        "lines",
        queryset=PickLine.objects.select_related("item__tracking_code", "bin", "source_line").order_by(
            "line_no"
        ),
    )


def walking_order(lines: QuerySet[PickLine]) -> QuerySet[PickLine]:
    """Lines in the order a worker walks them: by bin code (lines without a bin last), then line no."""
    return lines.order_by(F("bin__code").asc(nulls_last=True), "line_no")


def pick_list(
    *,
    user: Any,
    location: str | None = None,
    status: str | None = None,
    assigned_to: str | None = None,
    source_document: int | str | None = None,
) -> QuerySet[Pick]:
    """Picks the user may see, newest first. `location` is a location code, `status` a status or
    `"active"` (not completed), `assigned_to` a username (`"me"`: the user; `"none"`: unassigned),
    `source_document` a source document id."""
    picks = (
        Pick.objects.filter(visible_filter(user))
        .select_related("location", "source_document", "assigned_to")
        .order_by("-pk")
    )
    if location:
        picks = picks.filter(location__code=location)
    if status == "active":
        picks = picks.exclude(status=Pick.Status.COMPLETED)
    elif status:
        picks = picks.filter(status=status)
    if assigned_to == "me":
        picks = picks.filter(assigned_to_id=user.pk)
    elif assigned_to == "none":
        picks = picks.filter(assigned_to__isnull=True)
    elif assigned_to:
        picks = picks.filter(assigned_to__username=assigned_to)
    if source_document not in (None, ""):
        try:
            picks = picks.filter(source_document_id=int(source_document))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            picks = picks.none()
    return picks


def pick_detail(*, pick_id: int, user: Any, with_lines: bool = True) -> Pick:
    """One pick with its lines (item, tracking code, bin, source line), in a constant number of queries
    (`with_lines=False`: the header only; the API reads the lines as rows, `picking.apis.rows`)."""
    picks = Pick.objects.filter(visible_filter(user), pk=pick_id).select_related(
        "location", "source_document", "assigned_to"
    )
    pick = (picks.prefetch_related(_lines()) if with_lines else picks).first()
    if pick is None:
        raise NotFoundError(
            _("There is no pick #%(id)s, or it is not at a location you work at.") % {"id": pick_id}
        )
    return pick


def get_visible_pick(*, pick_id: int, user: Any) -> Pick:
    """The pick (with location and source document) if its location is visible to the user; NotFoundError
    otherwise. Services read it before locking."""
    pick = (
        Pick.objects.select_related("location", "source_document")
        .filter(visible_filter(user), pk=pick_id)
        .first()
    )
    if pick is None:
        raise NotFoundError(
            _("There is no pick #%(id)s, or it is not at a location you work at.") % {"id": pick_id}
        )
    return pick


def get_visible_pick_line(*, pick_line_id: int, user: Any) -> PickLine:
    """The pick line (with its pick's location, item, tracking code, bin, source line) if its location is
    visible to the user; NotFoundError otherwise."""
    line = (
        PickLine.objects.select_related("pick__location", "item__tracking_code", "bin", "source_line")
        .filter(visible_filter(user, "pick__location"), pk=pick_line_id)
        .first()
    )
    if line is None:
        raise NotFoundError(
            _("There is no pick line #%(id)s, or it is not at a location you work at.") % {"id": pick_line_id}
        )
    return line


def _posted_lines() -> Prefetch[Any]:
    return Prefetch(
        "lines",
        queryset=PostedPickLine.objects.select_related("item", "bin", "source_line").order_by("line_no"),
    )


def posted_pick_list(
    *, user: Any, source_document: int | str | None = None, pick_no: str | None = None
) -> QuerySet[PostedPick]:
    posted = (
        PostedPick.objects.filter(visible_filter(user))
        .select_related("location", "source_document", "posted_by")
        .prefetch_related(_posted_lines())
        .order_by("-pk")
    )
    if source_document not in (None, ""):
        try:
            posted = posted.filter(source_document_id=int(source_document))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            posted = posted.none()
    if pick_no:
        posted = posted.filter(pick_no=pick_no)
    return posted


def posted_pick_detail(*, posted_pick_id: int, user: Any, with_lines: bool = True) -> PostedPick:
    posted_picks = PostedPick.objects.filter(visible_filter(user), pk=posted_pick_id).select_related(
        "location", "source_document", "posted_by"
    )
    posted = (posted_picks.prefetch_related(_posted_lines()) if with_lines else posted_picks).first()
    if posted is None:
        raise NotFoundError(
            _("There is no posted pick #%(id)s, or it is not at a location you work at.")
            % {"id": posted_pick_id}
        )
    return posted


def pick_lines_load(pick: Pick) -> Pick:
    """`pick` (read without its lines) with its lines loaded as `pick_with_lines` loads them: one query,
    not a second read of the pick."""
    prefetch_related_objects([pick], _lines())
    return pick


def pick_with_lines(*, pick_id: int, with_lines: bool = True) -> Pick:
    """One pick with its lines as `pick_detail` reads it, whoever asks (the data of events for ERPs)."""
    picks = Pick.objects.select_related("location", "source_document", "assigned_to")
    return (picks.prefetch_related(_lines()) if with_lines else picks).get(pk=pick_id)


def posted_pick_with_lines(*, posted_pick_id: int, with_lines: bool = True) -> PostedPick:
    """One posted pick with its lines as `posted_pick_detail` reads it, whoever asks (events for ERPs)."""
    posted = PostedPick.objects.select_related("location", "source_document", "posted_by")
    return (posted.prefetch_related(_posted_lines()) if with_lines else posted).get(pk=posted_pick_id)


# --- The pick page: progress, and one page of lines in walking order --------------------------------


@dataclass(frozen=True)
class PickProgress:
    """Counts of a pick's take lines for the page (one aggregate query)."""

    total: Decimal  # units on the pick's take lines
    done: Decimal  # units handled (posted) or to handle now
    to_handle: int  # lines with a Qty. to Handle (what posting would post)
    open: int  # lines with something outstanding
    locked_open: int  # open lines whose numbers are prescribed (locked)

    @property
    def percent(self) -> int:
        return int(self.done * 100 / self.total) if self.total else 100


def _done() -> Q:
    """A line the worker has nothing left to do on: handled, or its Qty. to Handle covers the rest."""
    return Q(qty_to_handle__gte=F("quantity") - F("qty_handled"))


def pick_progress(*, pick_id: int) -> PickProgress:
    open_ = Q(qty_handled__lt=F("quantity"))
    counts = PickLine.objects.filter(pick_id=pick_id, action=PickLine.Action.TAKE).aggregate(
        total=Sum("quantity"),
        done=Sum(F("qty_handled") + F("qty_to_handle")),
        to_handle=Count("pk", filter=Q(qty_to_handle__gt=0)),
        open=Count("pk", filter=open_),
        locked_open=Count("pk", filter=open_ & Q(tracking_locked=True)),
    )
    return PickProgress(
        total=counts["total"] or ZERO,
        done=counts["done"] or ZERO,
        to_handle=counts["to_handle"] or 0,
        open=counts["open"] or 0,
        locked_open=counts["locked_open"] or 0,
    )


# What a line card shows besides the line: item, tracking code, bin and (warehouse picks) the place line.
LINE_CARD_RELATED = ("item__tracking_code", "bin", "pair__bin")


def pick_lines_page(
    *, pick: Pick, search: str = "", show_done: bool = True, page: int = 1, page_size: int = 50
) -> tuple[list[PickLine], bool]:
    """One page of the pick's lines in walking order (bin, then line no.), with item, tracking code and
    bin; `search` finds a line by item no. or description, bin, lot or serial number or line no.;
    `show_done=False` folds away the lines with nothing left to do. Returns the lines and whether more
    follow. One query, whatever the number of lines.

    A warehouse pick shows a card per take/place pair: its take lines, each with its place line
    (`line.pair`, with its bin), in the walking order of the take line's bin; the search finds the place
    bin too. Inventory picks have take lines only."""
    lines = PickLine.objects.filter(pick_id=pick.pk, action=PickLine.Action.TAKE).select_related(
        *LINE_CARD_RELATED
    )
    if not show_done:
        lines = lines.exclude(_done())
    text = search.strip()
    if text:
        found = (
            Q(item__no__icontains=text)
            | Q(item__description__icontains=text)
            | Q(bin__code__iexact=text)
            | Q(pair__bin__code__iexact=text)
            | Q(lot_no__icontains=text)
            | Q(serial_no__icontains=text)
        )
        if text.isdigit():
            found |= Q(line_no=int(text))
        lines = lines.filter(found)
    start = (max(page, 1) - 1) * page_size
    rows = list(walking_order(lines)[start : start + page_size + 1])
    for line in rows:
        line.pick = pick
    return rows[:page_size], len(rows) > page_size
