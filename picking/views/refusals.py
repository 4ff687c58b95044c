"""How the pages answer a refused service call (a DomainError): a PermissionDeniedError is the 403 page and a
NotFoundError the 404 page (templates/403.html, 404.html); any other refusal is its message at the top of
the page shown again (status 409 for a conflict, else 400), with the message of each line it names next to
that line. Nothing was changed. Shared by the pick pages and the warehouse shipment pages."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from core.exceptions import DomainError, NotFoundError, PermissionDeniedError


def refused_page(
    request: HttpRequest, exc: DomainError, page_again: Callable[[int], HttpResponse]
) -> HttpResponse:
    """403 / 404 for a refused permission or an object the user cannot see; otherwise the message at the
    top and `page_again(status)` (the page with the problem, or a redirect back to it)."""
    if isinstance(exc, PermissionDeniedError):
        raise PermissionDenied(exc.detail)
    if isinstance(exc, NotFoundError):
        raise Http404(exc.detail)
    messages.error(request, exc.detail)
    return page_again(409 if exc.status == 409 else 400)


class RowView(Protocol):
    """A line of a page that shows messages next to it (a pick line card, a shipment line card)."""

    errors: list[str]
    values: dict[str, str]


def problem_next_to_rows(
    problem: DomainError,
    *,
    by_id: Mapping[int, RowView],
    by_no: Mapping[int, RowView],
    id_key: str,
    row_id: int | None = None,
    values: dict[str, str] | None = None,
) -> None:
    """The problem's message next to the row acted on (`row_id`, which keeps the `values` typed), and each
    of its `errors` next to the row it names (by `id_key`, e.g. `pick_line_id`, else by line no.)."""
    target = by_id.get(row_id) if row_id is not None else None
    if target is not None:
        target.errors.append(problem.detail)
        target.values = values or {}
    for error in problem.errors:
        named: Any = by_id.get(error.get(id_key, -1)) or by_no.get(error.get("line", -1))
        if named is not None and named is not target:
            named.errors.append(error["detail"])
