"""The OpenAPI schema and its interactive documentation, public only when LOTPICK_API_DOCS_PUBLIC is on
(the default with DJANGO_DEBUG=1); otherwise the schema needs a token or a session (401 problem details) and
the documentation pages a login (redirect to the login page)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated


class SchemaApi(SpectacularAPIView):
    def get_permissions(self) -> list[BasePermission]:
        return [AllowAny()] if settings.LOTPICK_API_DOCS_PUBLIC else [IsAuthenticated()]


def _login_unless_public(view: Callable[..., Any]) -> Callable[..., Any]:
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not settings.LOTPICK_API_DOCS_PUBLIC and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        response: HttpResponse = view(request, *args, **kwargs)
        return response

    return guarded


schema_view = SchemaApi.as_view()
# The split view serves Swagger UI's start-up script as a file: no inline script (Content-Security-Policy).
swagger_view = _login_unless_public(SpectacularSwaggerSplitView.as_view(url_name="schema"))
redoc_view = _login_unless_public(SpectacularRedocView.as_view(url_name="schema"))
