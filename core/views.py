from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import select_template
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.exceptions import DomainError
from core.forms import LanguageForm
from core.language import (
    DEFAULT_LANGUAGE,
    language_from_accept,
    request_language,
    set_user_language,
    user_language,
)
from core.models import Job
from core.roles import is_supervisor, sees_all_locations


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    locations = []
    if hasattr(user, "warehouse_employees") and not sees_all_locations(user):
        locations = [e.location for e in user.warehouse_employees.select_related("location")]
    return render(request, "core/home.html", {"locations": locations})


@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    jobs = Job.objects.all()
    if not request.user.is_superuser:
        jobs = jobs.filter(created_by_id=request.user.pk)
    job = get_object_or_404(jobs, pk=pk)
    # an app may show a job's result its own way: templates/jobs/<kind>.html (e.g. links to what was made)
    try:
        result_template: str | None = select_template([f"jobs/{job.kind}.html"]).template.name
    except TemplateDoesNotExist:
        result_template = None
    return render(request, "core/job_detail.html", {"job": job, "result_template": result_template})


# --- Refusals as pages -------------------------------------------------------------------------------


def _refusal(request: HttpRequest, exception: Exception | None, status: int, default: str) -> HttpResponse:
    """The page of a refusal: what was refused and why, with the navigation to go on from there. Inside
    a page (htmx), only the message, in the style of a refused scan."""
    reason = str(exception or "").strip()
    if not reason or reason.startswith(("{", "Resolver404")) or reason == "None":
        reason = default
    template = "core/_refusal.html" if getattr(request, "htmx", False) else f"{status}.html"
    return render(request, template, {"reason": reason, "status": status}, status=status)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    user = getattr(request, "user", None)
    if is_supervisor(user):
        default = _("Your role does not allow this. An administrator can give you the permission it needs.")
    else:
        default = _("Your role does not allow this. If you need it, ask a supervisor.")
    return _refusal(request, exception, 403, default)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    default = _("There is no such page, or it is not at a location you work at.")
    return _refusal(request, exception, 404, default)


# --- Webhooks for supervisors: subscriptions and failed deliveries (core.webhooks) ----------------------


@login_required
@permission_required("core.view_webhooksubscription", raise_exception=True)
def webhooks(request: HttpRequest) -> HttpResponse:
    """Subscriptions with their open and failed deliveries, and the failed deliveries to send again."""
    from core.webhooks import failed_deliveries, webhook_subscriptions_overview

    return render(
        request,
        "core/webhooks.html",
        {"subscriptions": webhook_subscriptions_overview(), "failed": failed_deliveries()},
    )


@login_required
@require_POST
def webhook_redeliver_page(request: HttpRequest, subscription_id: int, delivery_id: int) -> HttpResponse:
    from core.webhooks import webhook_redeliver

    try:
        webhook_redeliver(subscription_id=subscription_id, delivery_id=delivery_id, user=request.user)
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(
            request, _("Delivery #%(delivery)s will be sent again now.") % {"delivery": delivery_id}
        )
    return redirect("webhooks")


# --- The user's language: the profile page and the top bar's switcher (core.language) -----------------


def _safe_next(request: HttpRequest, target: str) -> str:
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if target and allowed else reverse("home")


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    """The user's own settings: the interface language (empty: the browser's)."""
    if request.method == "POST":
        form = LanguageForm(request.POST)
        if form.is_valid():
            saved = set_user_language(request.user, form.cleaned_data["language"], session=request.session)
            with translation.override(saved or request_language(request, api=False)):
                messages.success(request, _("Your language was saved."))
            return redirect("profile")
    else:
        form = LanguageForm(initial={"language": user_language(request.user)})
    browser = language_from_accept(request.META.get("HTTP_ACCEPT_LANGUAGE")) or DEFAULT_LANGUAGE
    return render(
        request,
        "core/profile.html",
        {"form": form, "browser_language": dict(settings.LANGUAGES).get(browser, browser)},
    )


@login_required
@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """The top bar's switcher: save the user's language and go back to the page it was on."""
    form = LanguageForm(request.POST)
    if form.is_valid():
        saved = set_user_language(request.user, form.cleaned_data["language"], session=request.session)
        with translation.override(saved or request_language(request, api=False)):
            messages.success(request, _("Your language was saved."))
    else:
        messages.error(request, _("This language is not available."))
    return redirect(_safe_next(request, request.POST.get("next", "")))
