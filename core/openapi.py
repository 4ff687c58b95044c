"""Schema pieces every API module shares (drf-spectacular): the problem-details response and the
Idempotency-Key header of idempotent POSTs (`core.api.idempotent`)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

from core.api import IDEMPOTENCY_HEADER

PROBLEM = OpenApiResponse(OpenApiTypes.OBJECT, description="Problem details (application/problem+json).")

IDEMPOTENCY_KEY = OpenApiParameter(
    IDEMPOTENCY_HEADER,
    str,
    OpenApiParameter.HEADER,
    description="Repeat a request safely: same key and body return the first response.",
)
