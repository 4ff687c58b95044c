"""Clients for tests and checks of their answers: a token-authenticated API client, a logged-in page
client, the JSON of an accepted request, the problem details of a refused one, and the error a refused
service call raises."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.exceptions import DomainError


def api_client_for(user: Any) -> APIClient:
    """An API client that sends `user`'s token, as an ERP or script does."""
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def browser_for(user: Any) -> Client:
    """A page client logged in as `user`."""
    client = Client()
    client.force_login(user)
    return client


def ok(response: Any, status_code: int = 200) -> Any:
    """The JSON body, after checking the status (the body is shown when it differs)."""
    body = response.json() if response.content else None
    assert response.status_code == status_code, body
    return body


def problem(response: Any, status: int, code: str) -> dict[str, Any]:
    """The problem details of a refused request, after checking its status, content type and code."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    assert body["detail"]
    return body


def refused(call: Callable[[], object], code: str) -> DomainError:
    """The DomainError a service call raises, after checking its code."""
    with pytest.raises(DomainError) as info:
        call()
    assert info.value.code == code, (info.value.code, info.value.detail)
    return info.value
