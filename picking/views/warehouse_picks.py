"""Register a warehouse pick, from its pick page (picking.views.pick_page shows a warehouse pick with a card
per take/place pair and Register instead of Post).

GET shows the confirmation (what moves where, pair by pair: picking.views.warehouse_pick_confirm); POST
calls one service. A refusal (`PickRegisterRefused`: every pair's problem at once) shows the pick page
again with each problem on its pair's card, and nothing moved.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from picking.models import PickLine, RegisteredPick
from picking.services.pick_register import pick_register, pick_register_and_delete_rest
from picking.views.pick_page import DELETE_PICK, REGISTER, VIEW_PICK
from picking.views.picks import _act, _confirm, _pick_or_list_url


def _registered(registered: RegisteredPick) -> str:
    count = registered.lines.filter(action=PickLine.Action.TAKE).count()
    text = ngettext(
        "Registered as {no}: {count} pair moved to the shipping bin.",
        "Registered as {no}: {count} pairs moved to the shipping bin.",
        count,
    )
    url = reverse("picking:registered-pick-detail", args=[registered.pk])
    return format_html(text, no=format_html('<a href="{}">{}</a>', url, registered.no), count=count)


@login_required
@permission_required(VIEW_PICK, raise_exception=True)
def pick_register_view(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the pairs that move now, with a Register button (the confirmation). POST: register."""
    if request.method != "POST":
        return _confirm(
            request,
            pk,
            "register",
            perms=(REGISTER,),
            refusal=_("You are not allowed to register picks. Ask a supervisor."),
        )
    return _act(request, pk, lambda: pick_register(pick_id=pk, user=request.user), _registered)


@login_required
@permission_required(VIEW_PICK, raise_exception=True)
def pick_register_and_delete_rest_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Supervisors: register what has a Qty. to Handle, delete the rest (back to the shipment lines)."""
    if request.method != "POST":
        return _confirm(
            request,
            pk,
            "register_and_delete_rest",
            perms=(REGISTER, DELETE_PICK),
            refusal=_("Registering and deleting the rest is for supervisors."),
        )
    return _act(
        request,
        pk,
        lambda: pick_register_and_delete_rest(pick_id=pk, user=request.user),
        lambda registered: (
            _("Registered as %(no)s; the rest of the pick was deleted and is back on the shipment lines.")
            % {"no": registered.no}
            if registered
            else _(
                "Nothing had a Qty. to Handle; the rest of the pick was deleted and is back on the shipment "
                "lines."
            )
        ),
        url=lambda _registered: _pick_or_list_url(pk),
    )


urlpatterns = [
    path("picks/<int:pk>/register/", pick_register_view, name="pick-register"),
    path(
        "picks/<int:pk>/register-and-delete-rest/",
        pick_register_and_delete_rest_view,
        name="pick-register-and-delete-rest",
    ),
]
