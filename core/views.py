from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

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
