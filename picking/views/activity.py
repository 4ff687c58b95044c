"""The activity log page (supervisors): who changed what, per document or per user, at their locations."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from picking.selectors.activity import activity_entries


@login_required
@permission_required("core.view_activityentry", raise_exception=True)
def activity_view(request: HttpRequest) -> HttpResponse:
    document = request.GET.get("document", "").strip()
    username = request.GET.get("user", "").strip()
    entries = activity_entries(user=request.user, document=document, username=username)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    query = urlencode({k: v for k, v in (("document", document), ("user", username)) if v})
    context = {"page": page, "document": document, "username": username, "query": query}
    return render(request, "picking/activity.html", context)


urlpatterns = [path("activity/", activity_view, name="activity")]
