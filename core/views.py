from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template import TemplateDoesNotExist
from django.template.loader import select_template
from django.utils.translation import gettext as _

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
