"""Schema pieces every API module shares (drf-spectacular): the problem-details response, the
Idempotency-Key header of idempotent POSTs (`core.api.idempotent`), and the hook that documents every
error answer of every operation as `application/problem+json`.

`problem_responses_hook` runs over the finished schema, so endpoints added later are covered without
anything to remember: every operation documents the answers any request may get (400 for a bad query
parameter, 401, 403, 404, 406, 429, 503; 413 and 415 when it takes a body), and each 4xx/5xx answer, the
ones a view documents itself (409, 422, ...) included, has the `Problem` schema as
`application/problem+json`.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

from core.api import IDEMPOTENCY_HEADER, PREFER_HEADER, PROBLEM_CONTENT_TYPE, RETURN_MINIMAL

PROBLEM = OpenApiResponse(OpenApiTypes.OBJECT, description="Problem details (application/problem+json).")

IDEMPOTENCY_KEY = OpenApiParameter(
    IDEMPOTENCY_HEADER,
    str,
    OpenApiParameter.HEADER,
    description="Repeat a request safely: same key and body return the first response.",
)

PREFER_MINIMAL = OpenApiParameter(
    PREFER_HEADER,
    str,
    OpenApiParameter.HEADER,
    enum=[RETURN_MINIMAL],
    description=(
        "`return=minimal` (RFC 7240): answer without the lines, with their number instead (`line_count`, "
        "an adjustment: `entry_count`); the answer says `Preference-Applied: return=minimal`. For big "
        "operations when the client only needs the outcome; GET the object (the `Location`) for the lines."
    ),
)

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Problem details (RFC 9457); `code` is stable, `detail` is for people.",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"type": "string", "description": "Path of the field, counting from 0."},
                    "line": {"description": "The line concerned (a line no., or an index counting from 0)."},
                    "code": {"type": "string"},
                    "detail": {"type": "string"},
                },
                "required": ["code", "detail"],
            },
        },
    },
    "required": ["type", "title", "status", "detail", "code"],
    "additionalProperties": True,
}

_ANY_REQUEST = {
    "400": "Invalid input (a query parameter or the body); `errors` names each field.",
    "401": "Not authenticated: send `Authorization: Token <key>`.",
    "403": "Your role does not allow this.",
    "404": "Not found, or not at a location you work at.",
    "406": "The Accept header asks for a format the API does not answer in.",
    "429": "Too many requests: wait as long as Retry-After says.",
    "503": "The database or the task queue is unavailable right now; nothing was changed. Retry after "
    "Retry-After seconds.",
}
_WITH_BODY = {
    "413": "The body is larger than the endpoint accepts (`limit` names it, in bytes).",
    "415": "The body is not JSON (Content-Type: application/json).",
}
_RETRY_AFTER = {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait."}}


def problem_responses_hook(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: see the module docstring."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    ref = {"$ref": "#/components/schemas/Problem"}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            generic = dict(_ANY_REQUEST)
            if method in ("post", "put", "patch"):
                generic.update(_WITH_BODY)
            for status_code, description in generic.items():
                responses.setdefault(status_code, {"description": description})
            for status_code, response in responses.items():
                if not str(status_code).startswith(("4", "5")):
                    continue
                response["content"] = {PROBLEM_CONTENT_TYPE: {"schema": ref}}
                if not response.get("description") or response["description"].startswith("Problem details"):
                    response["description"] = generic.get(str(status_code), "Problem details.")
                if str(status_code) in ("429", "503"):
                    response["headers"] = _RETRY_AFTER
    return result
