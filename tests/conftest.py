"""Fixtures shared by the cross-app tests."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import UserFactory


@pytest.fixture
def worker(db: Any) -> Any:
    return UserFactory(username="w1", roles=["worker"])


@pytest.fixture
def supervisor(db: Any) -> Any:
    return UserFactory(username="s1", roles=["supervisor"])


@pytest.fixture
def integration_user(db: Any) -> Any:
    return UserFactory(username="erp", roles=["integration"])


def api_client_for(user: Any) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def erp_api(integration_user: Any) -> APIClient:
    """An API client authenticated with the integration user's token."""
    return api_client_for(integration_user)
