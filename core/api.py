"""API conventions shared by every app: problem details, pagination, authentication, idempotency."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.db import IntegrityError, transaction
from django.db import InterfaceError as DatabaseInterfaceError
from django.db import OperationalError as DatabaseOperationalError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import defaults
from django.views.csrf import csrf_failure as django_csrf_failure
from django.views.decorators.csrf import csrf_exempt
from kombu.exceptions import OperationalError as BrokerOperationalError
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import exception_handler as drf_exception_handler

from core.exceptions import DomainError, ErrorCode, IdempotencyKeyReused, InvalidInput

logger = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"

_DRF_CODES: dict[type[exceptions.APIException], tuple[ErrorCode, Any]] = {
    exceptions.NotAuthenticated: (ErrorCode.NOT_AUTHENTICATED, gettext_lazy("Authentication required.")),
    exceptions.AuthenticationFailed: (
        ErrorCode.AUTHENTICATION_FAILED,
        gettext_lazy("Authentication failed."),
    ),
    exceptions.PermissionDenied: (
        ErrorCode.PERMISSION_DENIED,
        gettext_lazy("You are not allowed to do this."),
    ),
    exceptions.NotFound: (ErrorCode.NOT_FOUND, gettext_lazy("Not found.")),
    exceptions.MethodNotAllowed: (ErrorCode.METHOD_NOT_ALLOWED, gettext_lazy("Method not allowed.")),
    exceptions.NotAcceptable: (ErrorCode.NOT_ACCEPTABLE, gettext_lazy("Not acceptable.")),
    exceptions.UnsupportedMediaType: (
        ErrorCode.UNSUPPORTED_MEDIA_TYPE,
        gettext_lazy("Unsupported media type."),
    ),
    exceptions.ParseError: (ErrorCode.PARSE_ERROR, gettext_lazy("Malformed request.")),
    exceptions.Throttled: (ErrorCode.THROTTLED, gettext_lazy("Too many requests.")),
    exceptions.ValidationError: (ErrorCode.INVALID, gettext_lazy("Invalid input.")),
}


def problem(
    status_code: int, code: str, title: str, detail: str, errors: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": f"https://lotpick.dev/problems/{code}",
        "title": title,
        "status": status_code,
        "detail": detail,
        "code": str(code),
    }
    if errors:
        body["errors"] = errors
    return body


def _flatten_validation(detail: Any, prefix: str = "") -> list[dict[str, Any]]:
    """Turn DRF's nested validation detail into a flat list of {field, code, detail}."""
    items: list[dict[str, Any]] = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            if isinstance(key, int) or (isinstance(key, str) and key.isdigit()):
                field = f"{prefix}[{key}]"  # ListField / ListSerializer errors are keyed by index
            else:
                name = str(key) if key != "non_field_errors" else ""
                field = f"{prefix}.{name}" if prefix and name else (prefix or name)
            items.extend(_flatten_validation(value, field))
    elif isinstance(detail, list):
        if all(isinstance(v, exceptions.ErrorDetail | str) for v in detail):
            for value in detail:
                items.append(_error_item(prefix, value))
        else:
            for index, value in enumerate(detail):
                items.extend(_flatten_validation(value, f"{prefix}[{index}]"))
    else:
        items.append(_error_item(prefix, detail))
    return items


def _error_item(field: str, value: Any) -> dict[str, Any]:
    code = getattr(value, "code", None) or ErrorCode.INVALID
    item: dict[str, Any] = {"code": code, "detail": str(value)}
    if field:
        item["field"] = field
    return item


def problem_response(body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    response = Response(body, status=body["status"], headers=headers)
    response.content_type = PROBLEM_CONTENT_TYPE
    return response


# Exceptions that mean "a service this request needs is unavailable right now": the database (down, or
# busy: SQLite's "database is locked", a PostgreSQL lock timeout) or the Celery broker.
UNAVAILABLE_ERRORS: tuple[type[Exception], ...] = (
    DatabaseOperationalError,
    DatabaseInterfaceError,
    BrokerOperationalError,
)


def unavailable_problem() -> tuple[dict[str, Any], dict[str, str]]:
    """503 problem details and the Retry-After header (LOTPICK_API_RETRY_AFTER seconds)."""
    retry_after = int(settings.LOTPICK_API_RETRY_AFTER)
    body = problem(
        503,
        ErrorCode.SERVICE_UNAVAILABLE,
        _("Temporarily unavailable."),
        _(
            "The database or the task queue is unavailable or busy right now; nothing was changed. Try "
            "again in %(seconds)s seconds."
        )
        % {"seconds": retry_after},
    )
    return body, {"Retry-After": str(retry_after)}


def _special_problem(exc: Exception) -> tuple[dict[str, Any], dict[str, str]] | None:
    """Problem details for errors that are not DRF's nor ours: unavailable services, oversized bodies."""
    if isinstance(exc, UNAVAILABLE_ERRORS):
        logger.warning("API: a service is unavailable: %s", exc)
        return unavailable_problem()
    if isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        body = problem(
            413,
            ErrorCode.BODY_TOO_LARGE,
            _("Request body too large."),
            _("The body is larger than the %(limit)s bytes this endpoint accepts. Send less at once.")
            % {"limit": limit},
        )
        body["limit"] = limit
        return body, {}
    if isinstance(exc, SuspiciousOperation):
        return problem(
            400, ErrorCode.INVALID, _("Invalid input."), _("The request was refused as malformed.")
        ), {}
    return None


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF exception handler: every error becomes RFC 9457 problem details with a stable `code`."""
    if isinstance(exc, DomainError):
        return problem_response(exc.as_problem())
    special = _special_problem(exc)
    if special is not None:
        return problem_response(*special)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        logger.exception("Unhandled error in API view", exc_info=exc)
        return problem_response(
            problem(
                500,
                ErrorCode.SERVER_ERROR,
                _("Server error."),
                _(
                    "Something went wrong on the server; nothing was changed. Try again, or tell your "
                    "administrator."
                ),
            )
        )

    assert isinstance(exc, exceptions.APIException)
    code, title = ErrorCode.ERROR, _("Error.")
    for klass in type(exc).__mro__:
        if klass in _DRF_CODES:
            code, title = _DRF_CODES[klass]
            break
    errors: list[dict[str, Any]] = []
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten_validation(exc.detail)
        detail = "; ".join(
            f"{e['field']}: {e['detail']}" if e.get("field") else e["detail"] for e in errors
        ) or _("Invalid input.")
    else:
        detail = str(exc.detail) if not isinstance(exc.detail, list | dict) else str(title)
    if isinstance(exc, exceptions.NotAuthenticated):
        detail = _("Log in, or send 'Authorization: Token <key>' with the request.")
    if isinstance(exc, exceptions.PermissionDenied) and detail.startswith("CSRF Failed"):
        # DRF's session authentication checks CSRF itself (SessionAuthentication.enforce_csrf)
        code, title = ErrorCode.CSRF_FAILED, _("CSRF check failed.")
    headers = {k: v for k, v in response.items() if k in ("WWW-Authenticate", "Allow", "Retry-After")}
    return problem_response(problem(response.status_code, code, str(title), detail, errors), headers=headers)


@csrf_exempt
def api_not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    """404 for unknown URLs under /api/, whatever the method: problem details, never an HTML page."""
    body = problem(
        404,
        ErrorCode.NOT_FOUND,
        _("Not found."),
        _("There is no API endpoint at %(path)s.") % {"path": request.path},
    )
    return JsonResponse(body, status=404, content_type=PROBLEM_CONTENT_TYPE)


# --- Problem details outside DRF's views: the Django handlers for /api/ paths -------------------------


def is_api_request(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def problem_json_response(body: dict[str, Any], headers: dict[str, str] | None = None) -> JsonResponse:
    response = JsonResponse(body, status=body["status"], content_type=PROBLEM_CONTENT_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def problem_for_exception(exc: Exception) -> JsonResponse:
    """Problem details for any exception (outside a DRF view): ours, unavailable services, 404/403, 500."""
    if isinstance(exc, DomainError):
        return problem_json_response(exc.as_problem())
    special = _special_problem(exc)
    if special is not None:
        return problem_json_response(*special)
    if isinstance(exc, Http404):
        return problem_json_response(problem(404, ErrorCode.NOT_FOUND, _("Not found."), _("Not found.")))
    if isinstance(exc, DjangoPermissionDenied):
        return problem_json_response(
            problem(403, ErrorCode.PERMISSION_DENIED, _("You are not allowed to do this."), _("Not allowed."))
        )
    logger.error("Unhandled error under /api/", exc_info=exc)
    return problem_json_response(_server_error_problem())


def _server_error_problem() -> dict[str, Any]:
    return problem(
        500,
        ErrorCode.SERVER_ERROR,
        _("Server error."),
        _("Something went wrong on the server; nothing was changed. Try again, or tell your administrator."),
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: problem details under /api/, Django's page elsewhere."""
    if not is_api_request(request):
        return django_csrf_failure(request, reason)
    detail = _(
        "The request was refused by the CSRF check (%(reason)s). API clients send 'Authorization: Token "
        "<key>'; a browser session must send the CSRF token."
    ) % {"reason": reason}
    return problem_json_response(problem(403, ErrorCode.CSRF_FAILED, _("CSRF check failed."), detail))


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler400: problem details under /api/."""
    if is_api_request(request):
        return problem_for_exception(exception)
    return defaults.bad_request(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: problem details under /api/."""
    if is_api_request(request):
        return problem_json_response(_server_error_problem())
    return defaults.server_error(request)


# --- Throttling --------------------------------------------------------------------------------------


class TokenRateThrottle(SimpleRateThrottle):
    """At most LOTPICK_API_THROTTLE_RATE requests per user (token or session), or per address for
    anonymous requests, when LOTPICK_API_THROTTLE is on (the default when DJANGO_DEBUG=0). 429 problem
    details with Retry-After beyond it. Counts are kept in the default cache: set DJANGO_CACHE_URL (Redis)
    so that every web process shares them."""

    scope = "token"

    def __init__(self) -> None:
        if settings.LOTPICK_API_THROTTLE:
            super().__init__()

    def get_rate(self) -> str | None:
        return str(settings.LOTPICK_API_THROTTLE_RATE)

    def allow_request(self, request: Any, view: Any) -> bool:
        if not settings.LOTPICK_API_THROTTLE:
            return True
        return super().allow_request(request, view)

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        user = request.user
        ident = f"user-{user.pk}" if user and user.is_authenticated else f"ip-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


def valid_input(serializer_class: Any, data: Any) -> dict[str, Any]:
    """The validated data of `serializer_class` for `data` (a body or query parameters); 400 otherwise."""
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


# --- PATCH: fields that cannot change --------------------------------------------------------------------


def refuse_read_only_fields(data: Any, *, writable: Any, known: Any) -> None:
    """400 `field_read_only` naming each field of a PATCH body that is one of the object's fields
    (`known`) but cannot be changed through this endpoint (not in `writable`). Never a silent 200."""
    if not isinstance(data, dict):
        return
    writable_set, known_set = set(writable), set(known)
    errors = [
        {
            "field": name,
            "code": ErrorCode.FIELD_READ_ONLY,
            "detail": _("%(field)s cannot be changed here.") % {"field": name},
        }
        for name in data
        if name in known_set and name not in writable_set
    ]
    if errors:
        raise InvalidInput(
            _("These fields cannot be changed here: %(fields)s. Only %(writable)s can.")
            % {
                "fields": ", ".join(e["field"] for e in errors),
                "writable": ", ".join(sorted(writable_set)) or "-",
            },
            code=ErrorCode.FIELD_READ_ONLY,
            errors=errors,
        )


# --- Idempotency keys -------------------------------------------------------------------------

IDEMPOTENCY_HEADER = "Idempotency-Key"


def _body_hash(data: Any) -> str:
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


class _Rollback(Exception):
    def __init__(self, response: Response) -> None:
        self.response = response


def idempotent(request: Request, create: Callable[[], Response]) -> Response:
    """Run `create` at most once per (user, Idempotency-Key).

    The key row is inserted in the same transaction as the document, so two concurrent requests with
    one key serialise on the key's unique index: the second waits, then replays the first response.
    Only successful (2xx) responses are stored; a refused request stores nothing and may be retried.
    """
    from core.models import IdempotencyKey

    key = request.headers.get(IDEMPOTENCY_HEADER)
    if not key:
        return create()
    if len(key) > 255:
        raise InvalidInput(
            _("The Idempotency-Key header is longer than 255 characters. Use a shorter key."),
            code=ErrorCode.INVALID_IDEMPOTENCY_KEY,
        )
    user: Any = request.user
    body_hash = _body_hash(request.data)
    path = request.path

    def replay(record: IdempotencyKey) -> Response:
        if record.request_hash != body_hash or record.path != path:
            raise IdempotencyKeyReused()
        headers = {"Idempotency-Replayed": "true"}
        if record.location:
            headers["Location"] = record.location
        return Response(record.response_body, status=record.status_code, headers=headers)

    existing = IdempotencyKey.objects.filter(user=user, key=key).first()
    if existing is not None:
        return replay(existing)
    try:
        with transaction.atomic():
            record = IdempotencyKey.objects.create(
                user=user, key=key, method=request.method or "", path=path, request_hash=body_hash
            )
            response = create()
            if not 200 <= response.status_code < 300:
                raise _Rollback(response)
            record.status_code = response.status_code
            record.response_body = response.data
            record.location = response.get("Location", "")
            record.save(update_fields=["status_code", "response_body", "location"])
            return response
    except _Rollback as rollback:
        return rollback.response
    except IntegrityError:
        # Another request with the same key committed first: replay it.
        existing = IdempotencyKey.objects.filter(user=user, key=key).first()
        if existing is None:
            raise
        return replay(existing)


__all__ = [
    "TokenRateThrottle",
    "api_not_found",
    "csrf_failure",
    "idempotent",
    "problem",
    "problem_exception_handler",
    "problem_response",
    "refuse_read_only_fields",
    "status",
    "valid_input",
]


# --- Prefer: return=minimal (RFC 7240) ----------------------------------------------------------

PREFER_HEADER = "Prefer"
RETURN_MINIMAL = "return=minimal"


def prefers_minimal(request: HttpRequest | Request) -> bool:
    """True when the request asks for `Prefer: return=minimal` (RFC 7240): the client wants the outcome
    of a big operation without its lines. Preferences are comma-separated, each may carry `;` parameters;
    names and values are compared without case and spaces, an unknown preference is ignored."""
    header = request.headers.get(PREFER_HEADER, "")
    for preference in header.split(","):
        token = preference.split(";", 1)[0]
        if "".join(token.split()).lower() == RETURN_MINIMAL:
            return True
    return False


def lines_answer(
    request: HttpRequest | Request,
    header: dict[str, Any],
    *,
    rows: Callable[[], list[dict[str, Any]]],
    count: Callable[[], int],
    key: str = "lines",
    count_key: str = "line_count",
) -> tuple[dict[str, Any], dict[str, str]]:
    """The answer of an operation on many lines and its extra headers: `header` with every line under
    `key` (`rows()`), or, when the client sent `Prefer: return=minimal`, `header` with only the number of
    lines under `count_key` (`count()`: no line is read) and `Preference-Applied: return=minimal`."""
    if prefers_minimal(request):
        return {**header, count_key: count()}, {"Preference-Applied": RETURN_MINIMAL}
    return {**header, key: rows()}, {}


def lines_created(
    request: HttpRequest | Request,
    header: dict[str, Any],
    *,
    location: str,
    rows: Callable[[], list[dict[str, Any]]],
    count: Callable[[], int],
    key: str = "lines",
    count_key: str = "line_count",
) -> Response:
    """201 with `lines_answer` and `Location: location`: what posting, registering, shipping and
    adjusting answer."""
    data, extra = lines_answer(request, header, rows=rows, count=count, key=key, count_key=count_key)
    return Response(data, status=status.HTTP_201_CREATED, headers={"Location": location, **extra})
