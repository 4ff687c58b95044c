"""Pages of picks for warehouse workers (phone or handheld scanner) and supervisors.

Every form is a plain POST that calls one service and redirects with a message (back to the line it
changed). When a service refuses, the pick page is rendered again (status 400/409) with the service's
message at the top and next to the line concerned, and nothing is changed. htmx is not needed: a scanner
types the code and sends Enter, which submits the form the cursor is in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, F, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from core.exceptions import DomainError, ErrorCode, InvalidInput, NotFoundError, PermissionDeniedError
from core.forms import quantity_refusal
from core.quantities import format_quantity
from core.roles import is_supervisor
from picking.forms.picks import (
    ACTIVE,
    PickBatchCreateForm,
    PickFilterForm,
    PickLineForm,
    PostedPickFilterForm,
    QuantityForm,
)
from picking.models import Pick, PickLine
from picking.selectors.pick_lines import pick_line_available_tracking
from picking.selectors.picks import pick_detail, pick_list, posted_pick_detail, posted_pick_list
from picking.services.pick_assign import pick_assign, pick_take_next
from picking.services.pick_common import numbers_text
from picking.services.pick_create import pick_create_from_source
from picking.services.pick_create_batch import picks_create_batch
from picking.services.pick_delete import pick_delete, pick_line_delete
from picking.services.pick_line_assign import pick_line_assign_lot_no, pick_line_assign_serial_nos
from picking.services.pick_line_split import pick_line_split
from picking.services.pick_line_update import pick_line_update
from picking.services.pick_pairs import is_warehouse_pick
from picking.services.pick_post import pick_post, pick_post_and_delete_rest
from picking.services.pick_qty_to_handle import pick_autofill_qty_to_handle, pick_delete_qty_to_handle
from picking.views.pick_page import (
    DELETE_LINE,
    DELETE_PICK,
    HANDLE,
    POST,
    VIEW_PICK,
    pick_url,
    render_pick,
)
from picking.views.refusals import refused_page
from picking.views.warehouse_pick_confirm import CONFIRM_TEMPLATE, REGISTER_FOR, pair_confirm_context
from warehouse.scoping import visible_locations

VIEW_POSTED_PICK = "picking.view_postedpick"
CREATE = "picking.add_pick"


# --- Helpers ------------------------------------------------------------------------------------


def _get_pick(user: Any, pk: int) -> Pick:
    try:
        return pick_detail(pick_id=pk, user=user)
    except NotFoundError as exc:
        raise Http404(exc.detail) from exc


_pick_url = pick_url


def _check_line_of_pick(user: Any, pk: int, line_id: int) -> None:
    """The line must belong to the pick in the URL (the services check the location)."""
    if not PickLine.objects.filter(pk=line_id, pick_id=pk).exists():
        raise Http404(_("Pick #%(pick)s has no line #%(line)s.") % {"pick": pk, "line": line_id})


def employees(location_ids: list[int]) -> list[str]:
    """Usernames of the warehouse employees of these locations (one query)."""
    return list(
        get_user_model()
        .objects.filter(is_active=True, warehouse_employees__location_id__in=location_ids)
        .order_by("username")
        .values_list("username", flat=True)
        .distinct()
    )


def _location_ids(user: Any) -> list[int]:
    return list(visible_locations(user).values_list("pk", flat=True))


def _numbers(line: PickLine) -> str:
    return numbers_text(line, empty="")


def _refused(
    request: HttpRequest,
    pk: int,
    exc: DomainError,
    *,
    line_id: int | None = None,
    values: dict[str, str] | None = None,
) -> HttpResponse:
    """The pick page again, with the service's message at the top and next to the line; nothing changed."""
    return refused_page(
        request,
        exc,
        lambda status: render_pick(request, pk, problem=exc, line_id=line_id, values=values, status=status),
    )


_Result = TypeVar("_Result")


def _act(
    request: HttpRequest,
    pk: int,
    call: Callable[[], _Result],
    message: str | Callable[[_Result], str],
    *,
    url: Callable[[_Result], str] | None = None,
    line_id: int | None = None,
    values: dict[str, str] | None = None,
) -> HttpResponse:
    """Run one service call: refused, the pick page again (`_refused`); done, `message` (or `message` of
    the call's result) and a redirect to `url` of the result (by default the pick page at the line)."""
    try:
        result = call()
    except DomainError as exc:
        return _refused(request, pk, exc, line_id=line_id, values=values)
    messages.success(request, message if isinstance(message, str) else message(result))
    return redirect(url(result) if url is not None else _pick_url(pk, line_id))


def _pick_or_list_url(pk: int) -> str:
    """The pick page, or the list of picks when the pick is gone (its last line was deleted)."""
    if Pick.objects.filter(pk=pk).exists():
        return _pick_url(pk)
    return reverse("picking:pick-list")


# --- Lists --------------------------------------------------------------------------------------


@login_required
@permission_required(VIEW_PICK, raise_exception=True)
def pick_list_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    locations = list(visible_locations(user).order_by("code").values_list("pk", "code"))
    data = request.GET.copy()
    if "assigned_to" not in data:
        # Workers see their own picks first; supervisors every pick.
        data["assigned_to"] = "all" if is_supervisor(user) else "me"
    if "status" not in data and data.get("assigned_to") == "me":
        data["status"] = ACTIVE  # "My picks": the ones still to do, not the completed ones
    form = PickFilterForm(
        data, location_codes=[c for _, c in locations], usernames=employees([pk for pk, _ in locations])
    )
    filters: dict[str, Any] = {"assigned_to": None}
    document_no = ""
    if form.is_valid():
        cleaned = form.cleaned_data
        assigned = cleaned["assigned_to"]
        filters = {
            "location": cleaned["location"] or None,
            "status": cleaned["status"] or None,
            "assigned_to": None if assigned == "all" else assigned,
            "source_document": cleaned["source_document"],
        }
        document_no = cleaned["document_no"].strip()
    picks = pick_list(user=user, **filters)
    if not form.is_valid():
        picks = picks.none()  # the errors are shown at the filters
    if document_no:
        picks = picks.filter(source_document__no__icontains=document_no)
    take = Q(lines__action=PickLine.Action.TAKE)  # a warehouse pick's pair counts once
    picks = picks.annotate(
        line_count=Count("lines", filter=take),
        open_count=Count("lines", filter=take & Q(lines__qty_handled__lt=F("lines__quantity"))),
    )
    page = Paginator(picks, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "picking/picks/list.html", {"form": form, "page": page, "query": query.urlencode()}
    )


@login_required
@permission_required(VIEW_POSTED_PICK, raise_exception=True)
def posted_pick_list_view(request: HttpRequest) -> HttpResponse:
    form = PostedPickFilterForm(request.GET or None)
    filters: dict[str, Any] = {}
    if form.is_valid():
        filters = {
            "pick_no": form.cleaned_data["pick_no"].strip() or None,
            "source_document": form.cleaned_data["source_document"],
        }
    posted = posted_pick_list(user=request.user, **filters).annotate(line_count=Count("lines"))
    page = Paginator(posted, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "picking/posted_picks/list.html", {"form": form, "page": page, "query": query.urlencode()}
    )


@login_required
@permission_required(VIEW_POSTED_PICK, raise_exception=True)
def posted_pick_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        posted = posted_pick_detail(posted_pick_id=pk, user=request.user)
    except NotFoundError as exc:
        raise Http404(exc.detail) from exc
    return render(request, "picking/posted_picks/detail.html", {"posted": posted})


# --- Creating -----------------------------------------------------------------------------------


@login_required
@require_POST
def pick_create_view(request: HttpRequest, document_pk: int) -> HttpResponse:
    """ "Create Inventory Pick" on the source document page."""
    document_url = reverse("picking:source-document-detail", args=[document_pk])
    try:
        result = pick_create_from_source(
            source_document_id=document_pk,
            user=request.user,
            assigned_to=request.POST.get("assigned_to", "").strip() or None,
        )
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.detail) from exc
    except NotFoundError as exc:
        raise Http404(exc.detail) from exc
    except DomainError as exc:
        messages.error(request, exc.detail)
        return redirect(document_url)
    pick = result.pick
    assert pick is not None
    if result.created:
        message = ngettext(
            "Pick %(no)s was created with %(count)s line(s).",
            "Pick %(no)s was created with %(count)s line(s).",
            result.lines_added,
        )
    else:
        message = ngettext(
            "%(count)s line(s) were added to the open pick %(no)s.",
            "%(count)s line(s) were added to the open pick %(no)s.",
            result.lines_added,
        )
    messages.success(request, message % {"no": pick.no, "count": result.lines_added})
    for n in result.not_picked:
        messages.warning(
            request,
            _("Line %(line)s, item %(item)s: %(quantity)s could not be picked: %(reason)s")
            % {
                "line": n.line_no,
                "item": n.item_no,
                "quantity": format_quantity(n.quantity),
                "reason": n.reason,
            },
        )
    return redirect(_pick_url(pick.pk))


@login_required
@permission_required(CREATE, raise_exception=True)
def pick_batch_create_view(request: HttpRequest) -> HttpResponse:
    """ "Create Inventory Picks" for many source documents, as a job with a progress page."""
    codes = list(visible_locations(request.user).order_by("code").values_list("code", flat=True))
    form = PickBatchCreateForm(
        request.POST or None, location_codes=codes, usernames=employees(_location_ids(request.user))
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                job = picks_create_batch(
                    location_code=data["location"],
                    document_type=data["document_type"] or None,
                    no_from=data["no_from"].strip() or None,
                    no_to=data["no_to"].strip() or None,
                    assigned_to=data["assigned_to"] or None,
                    user=request.user,
                )
            except PermissionDeniedError as exc:
                raise PermissionDenied(exc.detail) from exc
            except DomainError as exc:
                fields = [e["field"] for e in exc.errors if e.get("field") in form.fields]
                if fields:
                    for name in fields:
                        form.add_error(name, exc.detail)
                else:
                    form.add_error(None, exc.detail)
            else:
                # the job page says whether it runs or has finished, and what it made
                return redirect(reverse("job-detail", args=[job.pk]))
    return render(request, "picking/picks/batch_create.html", {"form": form}, status=status)


# --- The pick page and its actions ---------------------------------------------------------------


@login_required
@permission_required(VIEW_PICK, raise_exception=True)
@require_POST
def pick_line_update_view(request: HttpRequest, pk: int, line_id: int) -> HttpResponse:
    """Qty. to Handle, or a serial/lot number typed or scanned on the line."""
    _check_line_of_pick(request.user, pk, line_id)
    form = PickLineForm(request.POST)
    form.is_valid()  # every field is optional text; the service checks the values
    changes = form.changes(request.POST)
    values = {k: str(v) for k, v in changes.items()}
    if (ambiguous := quantity_refusal(form, "qty_to_handle")) is not None:
        values["qty_to_handle"] = request.POST.get("qty_to_handle", "")
        return _refused(request, pk, ambiguous, line_id=line_id, values=values)
    if changes.get("serial_no") and "qty_to_handle" not in changes:
        changes["qty_to_handle"] = "1"  # a scanned serial number is one unit in the worker's hand
    if "qty_to_handle" in changes and changes["qty_to_handle"] == "":
        exc: DomainError = InvalidInput(
            _("Enter the Qty. to Handle: 0 up to the outstanding quantity."),
            errors=[{"field": "qty_to_handle", "code": ErrorCode.REQUIRED, "detail": _("Enter a quantity.")}],
        )
        return _refused(request, pk, exc, line_id=line_id, values=values)
    if not changes:
        messages.info(request, _("Nothing was changed."))
        return redirect(_pick_url(pk, line_id))
    try:
        line = pick_line_update(pick_line_id=line_id, user=request.user, **changes)
    except DomainError as exc:
        return _refused(request, pk, exc, line_id=line_id, values=values)
    if line.pk != line_id:
        messages.success(
            request,
            _("Serial number %(serial)s was split off to a new line %(line)s of one unit.")
            % {"serial": line.serial_no, "line": line.line_no},
        )
    elif line.action == PickLine.Action.PLACE and line.pair is not None:
        # a warehouse pick's place line: the worker sees its pair's card (numbered by the take line)
        messages.success(
            request,
            _("Line %(line_no)s: the goods are placed in bin %(bin)s, Qty. to Handle %(qty)s.")
            % {
                "line_no": line.pair.line_no,
                "bin": line.bin.code if line.bin else "-",
                "qty": format_quantity(line.qty_to_handle),
            },
        )
    else:
        what = []
        if "serial_no" in changes or "lot_no" in changes:
            what.append(_numbers(line) or _("numbers cleared"))
        if "qty_to_handle" in changes:
            what.append(_("Qty. to Handle %(qty)s") % {"qty": format_quantity(line.qty_to_handle)})
        if "bin_code" in changes:
            what.append(_("bin %(bin)s") % {"bin": line.bin.code if line.bin else ""})
        messages.success(
            request, _("Line %(line)s: %(changes)s.") % {"line": line.line_no, "changes": ", ".join(what)}
        )
    return redirect(_pick_url(pk, line.pk))


@login_required
@permission_required(VIEW_PICK, raise_exception=True)
@require_POST
def pick_line_split_view(request: HttpRequest, pk: int, line_id: int) -> HttpResponse:
    _check_line_of_pick(request.user, pk, line_id)
    form = QuantityForm(request.POST)
    form.is_valid()
    quantity = form.cleaned_data.get("quantity", "").strip()
    values = {"split_quantity": quantity}
    if (ambiguous := quantity_refusal(form, "quantity")) is not None:
        values = {"split_quantity": request.POST.get("quantity", "")}
        return _refused(request, pk, ambiguous, line_id=line_id, values=values)
    if not quantity:
        exc: DomainError = InvalidInput(_("Enter the quantity to split off to a new line."))
        return _refused(request, pk, exc, line_id=line_id, values=values)
    return _act(
        request,
        pk,
        lambda: pick_line_split(pick_line_id=line_id, quantity=quantity, user=request.user),
        lambda new: (
            _("%(quantity)s was split off to the new line %(line)s.")
            % {"quantity": format_quantity(new.quantity), "line": new.line_no}
        ),
        url=lambda new: _pick_url(pk, new.pk),
        line_id=line_id,
        values=values,
    )


@login_required
@permission_required(VIEW_PICK, raise_exception=True)
@require_POST
def pick_line_assign_view(request: HttpRequest, pk: int, line_id: int, kind: str) -> HttpResponse:
    """Case 2: Assign Serial Nos. / Assign Lot No. from the item's number series."""
    _check_line_of_pick(request.user, pk, line_id)
    form = QuantityForm(request.POST)
    form.is_valid()
    if (ambiguous := quantity_refusal(form, "quantity")) is not None:
        values = {"assign_quantity": request.POST.get("quantity", "")}
        return _refused(request, pk, ambiguous, line_id=line_id, values=values)
    quantity = form.cleaned_data.get("quantity", "").strip() or None
    service = pick_line_assign_serial_nos if kind == "serial" else pick_line_assign_lot_no
    done = _("New serial numbers were assigned.") if kind == "serial" else _("A new lot number was assigned.")
    return _act(
        request,
        pk,
        lambda: service(pick_line_id=line_id, quantity=quantity, user=request.user),
        done,
        line_id=line_id,
        values={"assign_quantity": quantity or ""},
    )


@login_required
@permission_required(VIEW_PICK, raise_exception=True)
def pick_line_select_view(request: HttpRequest, pk: int, line_id: int) -> HttpResponse:
    """Case 3: the numbers available in the line's bin; one tap picks one (GET lists, POST chooses)."""
    _check_line_of_pick(request.user, pk, line_id)
    if request.method == "POST":
        serial_no = request.POST.get("serial_no", "").strip()
        lot_no = request.POST.get("lot_no", "").strip()
        changes: dict[str, Any] = {}
        if serial_no:
            changes = {"serial_no": serial_no, "qty_to_handle": "1"}
        elif lot_no:
            changes = {"lot_no": lot_no}
        else:
            messages.error(request, _("Choose a number from the list."))
            return redirect(reverse("picking:pick-line-select", args=[pk, line_id]))
        try:
            line = pick_line_update(pick_line_id=line_id, user=request.user, **changes)
        except DomainError as exc:
            return _refused(request, pk, exc, line_id=line_id)
        messages.success(
            request,
            _("Line %(line)s: %(numbers)s selected.") % {"line": line.line_no, "numbers": _numbers(line)},
        )
        return redirect(_pick_url(pk, line.pk))
    pick = _get_pick(request.user, pk)
    line = next(ln for ln in pick.lines.all() if ln.pk == line_id)
    try:
        numbers = pick_line_available_tracking(pick_line_id=line_id, user=request.user)
    except DomainError as exc:
        raise Http404(exc.detail) from exc
    return render(
        request,
        "picking/picks/select.html",
        {"pick": pick, "line": line, "numbers": numbers, "locked": line.tracking_locked},
    )


@login_required
@permission_required(HANDLE, raise_exception=True)
@require_POST
def pick_next_view(request: HttpRequest) -> HttpResponse:
    """ "Next pick": the oldest pick nobody is assigned to at the worker's locations, now theirs."""
    try:
        pick = pick_take_next(user=request.user, location_code=request.POST.get("location") or None)
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.detail) from exc
    except DomainError as exc:
        messages.info(request, exc.detail)
        return redirect(reverse("picking:pick-list"))
    messages.success(request, _("Pick %(no)s is yours now.") % {"no": pick.no})
    return redirect(pick_url(pick.pk))


@login_required
@permission_required(VIEW_PICK, raise_exception=True)
@require_POST
def pick_autofill_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda: pick_autofill_qty_to_handle(pick_id=pk, user=request.user),
        _("Qty. to Handle is now the outstanding quantity on every line."),
    )


@login_required
@permission_required(VIEW_PICK, raise_exception=True)
@require_POST
def pick_delete_qty_to_handle_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda: pick_delete_qty_to_handle(pick_id=pk, user=request.user),
        _("Qty. to Handle is now 0 on every line."),
    )


@login_required
@permission_required(VIEW_PICK, raise_exception=True)
@require_POST
def pick_assign_view(request: HttpRequest, pk: int) -> HttpResponse:
    username = request.POST.get("assigned_to", "").strip()
    return _act(
        request,
        pk,
        lambda: pick_assign(pick_id=pk, assigned_to_username=username or None, user=request.user),
        lambda pick: (
            _("Pick %(no)s is assigned to %(user)s.") % {"no": pick.no, "user": username}
            if username
            else _("Pick %(no)s is unassigned.") % {"no": pick.no}
        ),
    )


def _posted_message(posted: Any) -> str:
    count = posted.lines.count()
    text = ngettext(
        "Posted as {no}: {count} line(s) shipped.", "Posted as {no}: {count} line(s) shipped.", count
    )
    url = reverse("picking:posted-pick-detail", args=[posted.pk])
    return format_html(text, no=format_html('<a href="{}">{}</a>', url, posted.no), count=count)


def _going_back(action: str, lines: list[PickLine]) -> list[dict[str, Any]]:
    """The lines whose quantity goes back to the source document, and how much: the outstanding quantity,
    or (posting handled first) only what is not posted now."""
    rests = []
    for ln in lines:
        rest = ln.quantity - ln.qty_handled
        if action == "post_and_delete_rest":
            rest -= ln.qty_to_handle
        if rest > 0:
            rests.append({"line": ln, "rest": rest})
    return rests


def _confirm(
    request: HttpRequest,
    pk: int,
    action: str,
    *,
    perms: tuple[str, ...],
    refusal: str,
    line_id: int | None = None,
) -> HttpResponse:
    """The confirmation page of `action` (a GET), for users with all of `perms`; others get `refusal`."""
    if not all(request.user.has_perm(perm) for perm in perms):
        raise PermissionDenied(refusal)
    pick = _get_pick(request.user, pk)
    if is_warehouse_pick(pick):
        if action in REGISTER_FOR:  # a warehouse pick is registered, not posted
            return redirect(reverse(f"picking:pick-{REGISTER_FOR[action].replace('_', '-')}", args=[pk]))
        return render(request, CONFIRM_TEMPLATE, pair_confirm_context(pick, action, line_id))
    lines = list(pick.lines.all())
    line = next(ln for ln in lines if ln.pk == line_id) if line_id is not None else None
    return render(
        request,
        "picking/picks/confirm.html",
        {
            "pick": pick,
            "action": action,
            "line": line,
            "to_post": [ln for ln in lines if ln.qty_to_handle > 0],
            "to_delete": _going_back(action, [line] if line else lines),
            "prescribed": [
                ln
                for ln in ([line] if line else lines)
                if ln.tracking_locked and ln.qty_handled < ln.quantity
            ],
        },
    )


@login_required
@permission_required(VIEW_PICK, raise_exception=True)
def pick_post_view(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: what will be posted, with a Post button (the confirmation). POST: post."""
    if request.method != "POST":
        return _confirm(
            request,
            pk,
            "post",
            perms=(POST,),
            refusal=_("You are not allowed to post picks. Ask a supervisor."),
        )
    return _act(
        request,
        pk,
        lambda: pick_post(pick_id=pk, user=request.user),
        lambda posted: _posted_message(posted),
    )


@login_required
@permission_required(VIEW_PICK, raise_exception=True)
def pick_post_and_delete_rest_view(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method != "POST":
        return _confirm(
            request,
            pk,
            "post_and_delete_rest",
            perms=(POST, DELETE_PICK),
            refusal=_("Posting and deleting the rest is for supervisors."),
        )
    return _act(
        request,
        pk,
        lambda: pick_post_and_delete_rest(pick_id=pk, user=request.user),
        lambda posted: (
            _("Posted as %(no)s; the rest of the pick was deleted and returned to the source document.")
            % {"no": posted.no}
            if posted
            else _(
                "Nothing had a Qty. to Handle; the rest of the pick was deleted and returned to the source "
                "document."
            )
        ),
        url=lambda _: _pick_or_list_url(pk),
    )


@login_required
@permission_required(VIEW_PICK, raise_exception=True)
def pick_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method != "POST":
        return _confirm(
            request,
            pk,
            "delete",
            perms=(DELETE_PICK,),
            refusal=_("Deleting picks is for supervisors. Ask a supervisor."),
        )
    pick = _get_pick(request.user, pk)
    outstanding = any(ln.qty_handled < ln.quantity for ln in pick.lines.all())
    if not outstanding:
        done = _("Pick %(no)s was deleted; nothing of it was outstanding, so nothing went back.")
    elif is_warehouse_pick(pick):
        done = _("Pick %(no)s was deleted; its outstanding quantity is back on the shipment lines.")
    else:
        done = _("Pick %(no)s was deleted; its outstanding quantity is back on the source document.")
    done %= {"no": pick.no}
    return _act(
        request,
        pk,
        lambda: pick_delete(pick_id=pk, user=request.user),
        done,
        url=lambda _: reverse("picking:pick-list"),
    )


@login_required
@permission_required(VIEW_PICK, raise_exception=True)
def pick_line_delete_view(request: HttpRequest, pk: int, line_id: int) -> HttpResponse:
    _check_line_of_pick(request.user, pk, line_id)
    if request.method != "POST":
        return _confirm(
            request,
            pk,
            "delete_line",
            perms=(DELETE_LINE,),
            refusal=_("Deleting pick lines is for supervisors. Ask a supervisor."),
            line_id=line_id,
        )
    line = PickLine.objects.select_related("pair").get(pk=line_id)
    if line.pair is not None:  # a warehouse pick's pair, named by its take line
        take_no = line.line_no if line.action == PickLine.Action.TAKE else line.pair.line_no
        done = _(
            "The pair of line %(line_no)s was deleted; its outstanding quantity is back on the shipment line."
        ) % {"line_no": take_no}
    else:
        done = _("Line %(line)s was deleted; its outstanding quantity is back on the source line.") % {
            "line": line.line_no
        }
    return _act(
        request,
        pk,
        lambda: pick_line_delete(pick_line_id=line_id, user=request.user),
        done,
        url=lambda _: _pick_or_list_url(pk),
        line_id=line_id,
    )


urlpatterns = [
    path("picks/", pick_list_view, name="pick-list"),
    path("picks/create/", pick_batch_create_view, name="pick-batch-create"),
    path("picks/next/", pick_next_view, name="pick-next"),
    path("source-documents/<int:document_pk>/create-pick/", pick_create_view, name="pick-create"),
    path("picks/<int:pk>/autofill-qty-to-handle/", pick_autofill_view, name="pick-autofill"),
    path("picks/<int:pk>/delete-qty-to-handle/", pick_delete_qty_to_handle_view, name="pick-delete-qty"),
    path("picks/<int:pk>/assign/", pick_assign_view, name="pick-assign"),
    path("picks/<int:pk>/post/", pick_post_view, name="pick-post"),
    path(
        "picks/<int:pk>/post-and-delete-rest/",
        pick_post_and_delete_rest_view,
        name="pick-post-and-delete-rest",
    ),
    path("picks/<int:pk>/delete/", pick_delete_view, name="pick-delete"),
    path("picks/<int:pk>/lines/<int:line_id>/", pick_line_update_view, name="pick-line-update"),
    path("picks/<int:pk>/lines/<int:line_id>/split/", pick_line_split_view, name="pick-line-split"),
    path(
        "picks/<int:pk>/lines/<int:line_id>/assign-serial-nos/",
        pick_line_assign_view,
        {"kind": "serial"},
        name="pick-line-assign-serial-nos",
    ),
    path(
        "picks/<int:pk>/lines/<int:line_id>/assign-lot-no/",
        pick_line_assign_view,
        {"kind": "lot"},
        name="pick-line-assign-lot-no",
    ),
    path("picks/<int:pk>/lines/<int:line_id>/select/", pick_line_select_view, name="pick-line-select"),
    path("picks/<int:pk>/lines/<int:line_id>/delete/", pick_line_delete_view, name="pick-line-delete"),
    path("posted-picks/", posted_pick_list_view, name="posted-pick-list"),
    path("posted-picks/<int:pk>/", posted_pick_detail_view, name="posted-pick-detail"),
]
