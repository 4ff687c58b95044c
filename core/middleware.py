"""Guards in front of every `/api/` view (docs/api.md, "Conventions"): what must be refused before a view
reads anything, answered as problem details.

- A body larger than the view accepts (`max_body_bytes` on the view, otherwise Django's
  DATA_UPLOAD_MAX_MEMORY_SIZE) is refused with 413 `body_too_large` naming the limit, before it is read.
- A NUL or other control character in a query parameter (name or value) is 400 `control_character`.
- An id in the path beyond 64 bits is 404 (no such object), before a database sees it.
- Problem details are always rendered as JSON (`application/problem+json`), whatever renderer the view
  negotiated.
- An exception that escapes a non-DRF view under `/api/` becomes problem details too (the DRF views have
  `core.api.problem_exception_handler`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from core.api import (
    PROBLEM_CONTENT_TYPE,
    is_api_request,
    problem,
    problem_for_exception,
    problem_json_response,
)
from core.exceptions import ErrorCode
from core.language import request_language
from core.validation import describe_character, first_control_character

# Ids in URLs are 64-bit integers: a larger one names nothing (and must not reach the database).
MAX_ID = 2**63 - 1


def _limit_text(limit: int) -> str:
    if limit >= 1024 * 1024:
        return f"{limit / (1024 * 1024):g} MB"
    return f"{limit / 1024:g} KB" if limit >= 1024 else f"{limit} bytes"


def _problem_as_json(response: HttpResponse) -> None:
    """Problem details are JSON whatever renderer the view negotiated (the schema view's YAML, the
    browsable API's HTML for a browser's Accept header)."""
    if not isinstance(response, Response) or response.status_code < 400:
        return
    renderer = getattr(response, "accepted_renderer", None)
    if (
        isinstance(renderer, JSONRenderer)
        or not isinstance(response.data, dict)
        or "code" not in response.data
    ):
        return
    response.content = JSONRenderer().render(response.data)
    response["Content-Type"] = PROBLEM_CONTENT_TYPE


class ApiGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if is_api_request(request):
            _problem_as_json(response)
        return response

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        if not is_api_request(request):
            return None
        too_big = [name for name, value in view_kwargs.items() if isinstance(value, int) and value > MAX_ID]
        if too_big:
            return problem_json_response(
                problem(404, ErrorCode.NOT_FOUND, _("Not found."), _("There is no object with this id."))
            )
        view_class = getattr(view_func, "cls", None) or getattr(view_func, "view_class", None)
        limit = getattr(view_class, "max_body_bytes", None) or settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if limit is not None and length > limit:
            detail = _(
                "The body is %(size)s; this endpoint accepts at most %(limit)s (%(bytes)s bytes). "
                "Send less at once."
            ) % {"size": _limit_text(length), "limit": _limit_text(limit), "bytes": limit}
            body = problem(413, ErrorCode.BODY_TOO_LARGE, _("Request body too large."), detail)
            body["limit"] = limit
            return problem_json_response(body)
        for key, values in request.GET.lists():
            for text in [key, *values]:
                char = first_control_character(text, allowed="")
                if char is not None:
                    detail = _("The query parameter %(name)s holds the control character %(char)s.") % {
                        "name": key if first_control_character(key, allowed="") is None else repr(key),
                        "char": describe_character(char),
                    }
                    return problem_json_response(
                        problem(
                            400,
                            ErrorCode.CONTROL_CHARACTER,
                            _("Invalid input."),
                            detail,
                            [
                                {
                                    "field": repr(key)[1:-1],
                                    "code": ErrorCode.CONTROL_CHARACTER,
                                    "detail": detail,
                                }
                            ],
                        )
                    )
        return None

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_api_request(request):
            return None
        return problem_for_exception(exception)


class LanguageMiddleware:
    """The language of each request (core.language): pages follow the user's setting, else the browser's
    Accept-Language, else English; /api/ follows Accept-Language only (English by default). Answers say
    `Vary: Accept-Language` and `Content-Language`. Comes after AuthenticationMiddleware (it reads the
    user's setting) and stands in for Django's LocaleMiddleware (which would also read a cookie)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = request_language(request, api=is_api_request(request))
        request.LANGUAGE_CODE = language
        with translation.override(language):
            response = self.get_response(request)
        patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", language)
        return response
