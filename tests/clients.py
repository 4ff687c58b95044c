"""API clients and answers for tests: a token-authenticated client, problem details checked."""

from __future__ import annotations

from typing import Any

from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


def api_client_for(user: Any) -> APIClient:
    """An API client that sends `user`'s token, as an ERP or script does."""
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def problem(response: Any, status: int, code: str) -> dict[str, Any]:
    """The problem details of a refused request, after checking its status, content type and code."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    assert body["detail"]
    return body
