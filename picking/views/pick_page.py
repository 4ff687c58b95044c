"""The pick page a worker picks from, on a phone or a handheld with a scanner, and its scan box.

The page shows the pick's header, the lock explained once, the scan box with its result, a progress bar,
a search box and one page of line cards in walking order (bin, then line no.); "Show more lines" loads
the next page (htmx, or a link without JavaScript). Workers see the lines with something left to do; the
done ones are folded away (a toggle shows them). The first screen costs the same few queries for a pick
of 10 lines and one of 30 000 serial numbers.

The building blocks are shared with other pick pages (warehouse picks show a take/place pair as one card):
- `handheld_context(...)`: the scan box, progress, search and paging context for any pick;
- templates `picking/handheld/_scan_box.html`, `_scan_result.html`, `_progress.html`, `_line_tools.html`,
  `_line_page.html` (cards rendered with the `card_template` given), and the JS module
  `static/js/handheld.js` (scan loop: focus, empty box, sound, colour, camera; select-on-focus quantities).
- `scan_response(...)`: the answer to a scan, as the htmx partial or (without JavaScript) a redirect / the
  page again.

A warehouse pick is shown by the same page: one card per take/place pair ("take from W-01 -> place in
SHIP", the take line's numbers and ONE Qty. to Handle; the place bin changeable to another shipping bin),
the registrations and shipments in its header, and Register instead of Post
(templates/picking/warehouse_picks/detail.html extends the pick page's template). Every line action of
the page works on the pair through the take line (or the place line for its bin); the services keep the
place line following (picking.services.pick_pairs).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.csp import camera_scanning_csp
from core.exceptions import DomainError, NotFoundError, PermissionDeniedError
from core.forms import quantity_refusal
from core.quantities import format_quantity, localize_quantity
from core.roles import is_supervisor
from picking import rules
from picking.forms.picks import PickAssignForm, ScanForm
from picking.models import Pick, PickLine, PostedPick, RegisteredPick, WarehouseShipment
from picking.selectors.picks import (
    LINE_CARD_RELATED,
    get_visible_pick,
    pick_lines_page,
    pick_progress,
    walking_order,
)
from picking.selectors.recalls import RecallHold, hold_of, holds_of
from picking.services.pick_pairs import is_warehouse_pick
from picking.services.pick_scan import ScanKind, ScanResult, pick_scan
from picking.views.refusals import problem_next_to_rows
from tracking.rules import Requirement, requirement
from warehouse.models import Bin

VIEW_PICK = "picking.view_pick"
HANDLE = "picking.change_pickline"
POST = "picking.post_pick"
DELETE_PICK = "picking.delete_pick"
DELETE_LINE = "picking.delete_pickline"
ASSIGN = "picking.change_pick"
REGISTER = "picking.register_pick"
PAGE_SIZE = 25  # cards on the first screen (a phone shows one or two at a time)
LINE_CARD = "picking/picks/_line_card.html"


def get_pick_or_404(user: Any, pk: int) -> Pick:
    try:
        return get_visible_pick(pick_id=pk, user=user)
    except NotFoundError as exc:
        raise Http404(exc.detail) from exc


def pick_url(pk: int, line_id: int | None = None) -> str:
    """The pick page; with `line_id`, at that line (shown even when done lines are folded or it is not on
    the first page)."""
    url = reverse("picking:pick-detail", args=[pk])
    return f"{url}?line={line_id}#line-{line_id}" if line_id else url


@dataclass
class LineView:
    """What the pick page shows and offers for one line (no queries: item, tracking code and bin are
    read with the line)."""

    line: PickLine
    errors: list[str] = field(default_factory=list)
    values: dict[str, str] = field(default_factory=dict)
    can_handle: bool = False
    can_delete: bool = False
    place_bins: tuple[str, ...] = ()  # warehouse picks: the shipping bins a pair may place in
    recall: RecallHold | None = None  # an open recall holds the line's numbers: the reason is shown

    @property
    def place(self) -> PickLine | None:
        """A warehouse pick's pair: the place line of this take line (read with it); None otherwise."""
        return self.line.pair if self.line.pair_id and self.line.action == PickLine.Action.TAKE else None

    @property
    def can_change_place_bin(self) -> bool:
        """The pair may be placed in another shipping bin (never on a locked pair: case 4)."""
        return self.editable and self.place is not None and len(self.place_bins) > 1

    @property
    def open(self) -> bool:
        return self.line.action == PickLine.Action.TAKE and self.line.qty_handled < self.line.quantity

    @property
    def done(self) -> bool:
        """Nothing left for the worker: handled, or the Qty. to Handle covers what is outstanding."""
        return self.line.qty_to_handle >= self.line.qty_outstanding

    @property
    def locked(self) -> bool:
        return self.line.tracking_locked

    @cached_property
    def requirement(self) -> Requirement:
        return requirement(self.line.item.tracking_code)

    @property
    def tracks_serial(self) -> bool:
        return self.requirement.serial.tracked

    @property
    def tracks_lot(self) -> bool:
        return self.requirement.lot.tracked

    @property
    def editable(self) -> bool:
        """The line's numbers may be changed here (never on a tracking_locked line)."""
        return self.can_handle and self.open and not self.locked

    @property
    def can_assign_serial(self) -> bool:
        return (
            self.editable
            and self.requirement.serial.outbound_only
            and not self.line.serial_no
            and self.line.item.serial_nos_id is not None
        )

    @property
    def can_assign_lot(self) -> bool:
        return (
            self.editable
            and self.requirement.lot.outbound_only
            and not self.line.lot_no
            and self.line.item.lot_nos_id is not None
        )

    @property
    def can_select(self) -> bool:
        return self.editable and self.line.bin_id is not None and rules.carries_numbers(self.requirement)

    @property
    def can_split(self) -> bool:
        return self.editable and not self.line.serial_no and self.line.qty_outstanding > 1

    @property
    def missing(self) -> list[str]:
        return rules.missing_numbers(self.requirement, lot_no=self.line.lot_no, serial_no=self.line.serial_no)

    @property
    def qty_value(self) -> str:
        """The Qty. to Handle field's value: empty for 0, so that typing 4 gives 4 (not 40 or 04)."""
        if "qty_to_handle" in self.values:
            return self.values["qty_to_handle"]
        return (
            "" if self.line.qty_to_handle == 0 else localize_quantity(self.line.qty_to_handle, get_language())
        )

    @property
    def label(self) -> str:
        """How a worker names the line when choosing one."""
        line = self.line
        parts = [
            _("Line %(line)s") % {"line": line.line_no},
            _("bin %(bin)s") % {"bin": line.bin.code} if line.bin else "",
            line.item.no,
            line.lot_no,
            line.serial_no,
            _("%(qty)s outstanding") % {"qty": format_quantity(line.qty_outstanding)},
        ]
        return " · ".join(p for p in parts if p)


def line_views(
    user: Any,
    pick: Pick,
    lines: list[PickLine],
    *,
    problem: DomainError | None = None,
    line_id: int | None = None,
    values: dict[str, str] | None = None,
) -> list[LineView]:
    """The cards of `lines`, with the problem's messages next to the lines concerned."""
    can_handle = user.has_perm(HANDLE)
    can_delete = user.has_perm(DELETE_LINE)
    place_bins = shipping_bins(pick) if is_warehouse_pick(pick) and lines else ()
    views = []
    by_id: dict[int, LineView] = {}
    by_no: dict[int, LineView] = {}
    holds = holds_of(line for line in lines if line.qty_handled < line.quantity)
    for line in lines:
        line.pick = pick
        view = LineView(
            line=line,
            can_handle=can_handle,
            can_delete=can_delete,
            place_bins=place_bins,
            recall=hold_of(line, holds),
        )
        views.append(view)
        # a pair's card answers for both of its lines (a refusal may name either)
        for named in (line, view.place):
            if named is not None:
                by_id[named.pk] = view
                by_no[named.line_no] = view
    if problem is not None:
        problem_next_to_rows(
            problem, by_id=by_id, by_no=by_no, id_key="pick_line_id", row_id=line_id, values=values
        )
    return views


def shipping_bins(pick: Pick) -> tuple[str, ...]:
    """The codes of the shipping bins of a pick's location that are not blocked (one query)."""
    return tuple(
        Bin.objects.filter(location_id=pick.location_id, kind=Bin.Kind.SHIPPING, blocked=False)
        .order_by("code")
        .values_list("code", flat=True)
    )


@dataclass(frozen=True)
class LineFilter:
    """What the worker asked the line list for: a search, the done lines shown or folded, a page."""

    search: str = ""
    show_done: bool = True
    page: int = 1

    @classmethod
    def of(cls, request: HttpRequest) -> LineFilter:
        params = request.GET
        try:
            page = max(1, int(params.get("page", "1")))
        except ValueError:
            page = 1
        default = "1" if is_supervisor(request.user) else "0"
        return cls(
            search=params.get("q", "").strip()[:100],
            show_done=params.get("done", default) == "1",
            page=page,
        )

    def query(self, **changes: Any) -> str:
        values = {"q": self.search, "done": "1" if self.show_done else "0", "page": self.page, **changes}
        return urlencode({k: v for k, v in values.items() if v not in ("", None)})


def handheld_context(
    request: HttpRequest,
    pick: Pick,
    *,
    scan_url: str,
    lines_url: str,
    card_template: str = LINE_CARD,
    line_filter: LineFilter | None = None,
    problem: DomainError | None = None,
    line_id: int | None = None,
    values: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The scan box, progress, search and one page of line cards of a pick (a fixed number of queries)."""
    wanted = line_filter or LineFilter.of(request)
    lines, more = pick_lines_page(
        pick=pick, search=wanted.search, show_done=wanted.show_done, page=wanted.page, page_size=PAGE_SIZE
    )
    progress = pick_progress(pick_id=pick.pk)
    return {
        "pick": pick,
        "progress": progress,
        "lines": line_views(request.user, pick, lines, problem=problem, line_id=line_id, values=values),
        "more_url": f"{lines_url}?{wanted.query(page=wanted.page + 1)}" if more else "",
        "more_page_url": f"?{wanted.query(page=wanted.page + 1)}" if more else "",
        "line_filter": wanted,
        "toggle_done_query": wanted.query(done="0" if wanted.show_done else "1", page=None),
        "scan_url": scan_url,
        "lines_url": lines_url,
        "card_template": card_template,
        "can_handle": request.user.has_perm(HANDLE),
    }


def render_pick(
    request: HttpRequest,
    pk: int,
    *,
    problem: DomainError | None = None,
    line_id: int | None = None,
    values: dict[str, str] | None = None,
    scan_form: ScanForm | None = None,
    scan_result: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The pick page (with a refused action's message next to its line when `problem` is given)."""
    pick = get_pick_or_404(request.user, pk)
    user = request.user
    context = handheld_context(
        request,
        pick,
        scan_url=reverse("picking:pick-scan", args=[pick.pk]),
        lines_url=reverse("picking:pick-lines", args=[pick.pk]),
        problem=problem,
        line_id=line_id,
        values=values,
    )
    # The line acted on, and the lines a refusal names, are shown first when they are folded away or not
    # on the first page (with their messages); a warehouse pick's place line is shown on its pair's card.
    shown = {line_id if line_id is not None else _int(request.GET.get("line"))} - {None}
    shown |= {e["pick_line_id"] for e in (problem.errors if problem else []) if e.get("pick_line_id")}
    shown -= {pk for v in context["lines"] for pk in (v.line.pk, v.line.pair_id)}
    if shown:
        extra = list(
            walking_order(
                PickLine.objects.filter(
                    Q(pk__in=shown) | Q(pair_id__in=shown), pick_id=pick.pk, action=PickLine.Action.TAKE
                ).select_related(*LINE_CARD_RELATED)
            )[:PAGE_SIZE]
        )
        context["lines"] = (
            line_views(user, pick, extra, problem=problem, line_id=line_id, values=values) + context["lines"]
        )
    can_assign = user.has_perm(ASSIGN)
    progress = context["progress"]
    context.update(
        {
            "problem": problem,
            "scan_form": scan_form or ScanForm(),
            "scan_result": scan_result,
            "can_post": user.has_perm(POST),
            "can_delete": user.has_perm(DELETE_PICK),
            "can_assign": can_assign,
            "is_supervisor": is_supervisor(user),
            "assign_form": _assign_form(pick) if can_assign else None,
            "any_open": progress.open > 0,
            "to_post_count": progress.to_handle,
            "postings": list(PostedPick.objects.filter(pick_id=pick.pk).order_by("pk").values("pk", "no")),
        }
    )
    if is_warehouse_pick(pick):
        context.update(_warehouse_pick_context(pick, user))
        return render(request, "picking/warehouse_picks/detail.html", context, status=status)
    return render(request, "picking/picks/detail.html", context, status=status)


def _warehouse_pick_context(pick: Pick, user: Any) -> dict[str, Any]:
    """What a warehouse pick's page shows besides the pick page: the shipments it picks for, its
    registrations, and whether the user may register (two queries)."""
    return {
        "shipments": list(
            WarehouseShipment.objects.filter(lines__pick_lines__pick_id=pick.pk)
            .distinct()
            .order_by("pk")
            .values("pk", "no")
        ),
        "registrations": list(
            RegisteredPick.objects.filter(pick_id=pick.pk).order_by("pk").values("pk", "no")
        ),
        "can_register": user.has_perm(REGISTER),
    }


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _assign_form(pick: Pick) -> PickAssignForm:
    from picking.views.picks import employees

    return PickAssignForm(
        initial={"assigned_to": pick.assigned_to.username if pick.assigned_to else ""},
        usernames=employees([pick.location_id]),
    )


# --- Views ---------------------------------------------------------------------------------------------


@login_required
@permission_required(VIEW_PICK, raise_exception=True)
@camera_scanning_csp
def pick_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    return render_pick(request, pk)


@login_required
@permission_required(VIEW_PICK, raise_exception=True)
def pick_lines_view(request: HttpRequest, pk: int) -> HttpResponse:
    """One page of line cards (search, done lines folded or shown, "Show more lines")."""
    pick = get_pick_or_404(request.user, pk)
    context = handheld_context(
        request,
        pick,
        scan_url=reverse("picking:pick-scan", args=[pick.pk]),
        lines_url=reverse("picking:pick-lines", args=[pick.pk]),
    )
    return render(request, "picking/handheld/_line_page.html", context)


@login_required
@permission_required(VIEW_PICK, raise_exception=True)
@require_POST
def pick_scan_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The scan box: one call of the scan service (picking.services.pick_scan)."""
    form = ScanForm(request.POST)
    pick = get_pick_or_404(request.user, pk)
    if not form.is_valid():
        problem = quantity_refusal(form, "quantity") or DomainError(
            _("Scan or type a code: a serial or lot number, a GS1 code, an item or a bin.")
        )
        return scan_response(request, pick, problem=problem, form=form, status=400)
    try:
        result = pick_scan(
            pick_id=pk,
            code=form.cleaned_data["code"],
            quantity=form.cleaned_data["quantity"].strip(),
            line_id=form.cleaned_data.get("line_id"),
            user=request.user,
        )
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.detail) from exc
    except NotFoundError as exc:
        raise Http404(exc.detail) from exc
    except DomainError as exc:
        return scan_response(request, pick, problem=exc, form=form, status=409 if exc.status == 409 else 400)
    return scan_response(request, pick, result=result, form=form)


def scan_response(
    request: HttpRequest,
    pick: Pick,
    *,
    result: ScanResult | None = None,
    problem: DomainError | None = None,
    form: ScanForm,
    status: int = 200,
    card_template: str = LINE_CARD,
) -> HttpResponse:
    """The answer to a scan: with htmx, the scan result (and the changed line card and progress, swapped
    out of band) without leaving the page; without JavaScript, a redirect to the line (done) or the page
    again with the reason at the scan box (refused) or the lines to choose from."""
    context = scan_result_context(request, pick, result=result, problem=problem, form=form)
    if getattr(request, "htmx", False):
        context["result"] = dict(context)
        context["scan_url"] = reverse("picking:pick-scan", args=[pick.pk])
        context.update(
            {"pick": pick, "progress": pick_progress(pick_id=pick.pk), "card_template": card_template}
        )
        return render(request, "picking/handheld/_scan_response.html", context, status=status)
    if result is not None and result.kind == ScanKind.LINE_UPDATED and result.line is not None:
        messages.success(request, result.message)
        return redirect(pick_url(pick.pk, result.line.pk))
    if result is not None and result.kind == ScanKind.BIN_CONFIRMED:
        messages.success(request, result.message)
        return redirect(f"{pick_url(pick.pk)}?{urlencode({'q': result.parsed.bin, 'done': '1'})}")
    if problem is not None:
        messages.error(request, problem.detail)
    # the box is empty again after every scan, right or wrong: the result says what was scanned
    return render_pick(request, pick.pk, scan_form=ScanForm(), scan_result=context, status=status)


def scan_result_context(
    request: HttpRequest,
    pick: Pick,
    *,
    result: ScanResult | None,
    problem: DomainError | None,
    form: ScanForm,
) -> dict[str, Any]:
    """What the scan result shows: the outcome (a result kind or a refusal's code), its tone (colour and
    sound: ok, refused, choose), the message, and the line(s) concerned as cards."""
    if problem is not None:
        return {
            "outcome": problem.code,
            "tone": "refused",
            "message": problem.detail,
            "code": form.data.get("code", ""),
        }
    assert result is not None
    lines = [result.line] if result.line is not None else list(result.lines)
    origin: PickLine | None = None
    if lines:
        ids = [ln.pk for ln in lines]
        fresh = {
            ln.pk: ln
            for ln in PickLine.objects.filter(
                Q(pk__in=[*ids, result.split_from or 0]), pick_id=pick.pk
            ).select_related(*LINE_CARD_RELATED)
        }
        lines = [fresh[i] for i in ids if i in fresh]
        origin = fresh.get(result.split_from or 0)
    views = line_views(request.user, pick, lines)
    # the cards swapped into the list after the scan: the changed line's; after a split, the line it was
    # split off (changed in place) and the new line's card right after it
    list_cards: list[dict[str, Any]] = [{"v": v, "after": ""} for v in views]
    if origin is not None:
        (origin_view,) = line_views(request.user, pick, [origin])
        list_cards = [{"v": origin_view, "after": ""}] + [
            {"v": v, "after": f"line-{origin.pk}"} for v in views
        ]
    return {
        "outcome": result.kind.value,
        "tone": {ScanKind.CHOOSE_LINE: "choose", ScanKind.BIN_CONFIRMED: "info"}.get(result.kind, "ok"),
        "message": result.message,
        "code": result.code,
        "quantity": form.cleaned_data.get("quantity", "") if hasattr(form, "cleaned_data") else "",
        "result_lines": views,
        "list_cards": list_cards,
        "choose": result.kind == ScanKind.CHOOSE_LINE,
    }


urlpatterns = [
    path("picks/<int:pk>/", pick_detail_view, name="pick-detail"),
    path("picks/<int:pk>/lines/", pick_lines_view, name="pick-lines"),
    path("picks/<int:pk>/scan/", pick_scan_view, name="pick-scan"),
]
