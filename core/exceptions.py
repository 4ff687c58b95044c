"""The one error hierarchy of lotpick.

Services raise `DomainError` subclasses. Each has a stable machine-readable `code`, an HTTP `status`
for the API, a message a warehouse worker understands (what is wrong and how to fix it), and data:
`errors` is a list of `{"field" | "line", "code", "detail"}` items for per-field or per-line problems.
The API renders them as problem details (core.api), the pages as messages next to the field or line.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    status: int = 400
    code: str = "invalid"
    title: str = "The request cannot be carried out."
    default_detail: str = "The request cannot be carried out."

    def __init__(
        self,
        detail: str | None = None,
        *,
        code: str | None = None,
        errors: list[dict[str, Any]] | None = None,
        **data: Any,
    ) -> None:
        self.detail = detail or self.default_detail
        if code is not None:
            self.code = code
        self.errors = list(errors or [])
        self.data = data
        super().__init__(self.detail)

    def as_problem(self) -> dict[str, Any]:
        problem: dict[str, Any] = {
            "type": f"https://lotpick.dev/problems/{self.code}",
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "code": self.code,
        }
        if self.errors:
            problem["errors"] = self.errors
        problem.update({k: v for k, v in self.data.items() if k not in problem})
        return problem


class InvalidInput(DomainError):
    """400: the input itself is wrong (missing, malformed, out of range)."""

    status = 400
    code = "invalid"
    title = "Invalid input."


class PermissionDeniedError(DomainError):
    status = 403
    code = "permission_denied"
    title = "You are not allowed to do this."
    default_detail = "You are not allowed to do this. Ask a supervisor."


class NotFoundError(DomainError):
    status = 404
    code = "not_found"
    title = "Not found."
    default_detail = "Not found, or not at a location you work at."


class Conflict(DomainError):
    """409: the input is well formed but conflicts with the current state."""

    status = 409
    code = "conflict"
    title = "Conflicts with the current state."


class DuplicateDocument(Conflict):
    code = "duplicate_document"
    title = "Duplicate document."


class TrackingLocked(Conflict):
    code = "tracking_locked"
    title = "Item tracking is locked."


class InsufficientQuantity(Conflict):
    code = "insufficient_quantity"
    title = "Not enough quantity."


class SerialNotAvailable(Conflict):
    code = "serial_not_available"
    title = "Serial number not available."


class TrackingIncomplete(Conflict):
    code = "tracking_incomplete"
    title = "Item tracking is incomplete."


class NoSeriesExhausted(Conflict):
    code = "no_series_exhausted"
    title = "Number series exhausted."


class IdempotencyKeyReused(DomainError):
    status = 422
    code = "idempotency_key_reused"
    title = "Idempotency key reused with another body."
    default_detail = (
        "This Idempotency-Key was already used with a different request body. "
        "Use a new key for a new request."
    )
