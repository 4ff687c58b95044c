from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.exceptions import DomainError
from core.models import Job
from core.roles import sees_all_locations


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
    return render(request, "core/job_detail.html", {"job": job})


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
