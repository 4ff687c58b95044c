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


# --- Picks pages (issue 5): data migrations' rows after a transactional test's flush ---------------

MIGRATION_NO_SERIES = [
    ("IPI", "Inventory picks", "IPI000001"),
    ("WPI", "Warehouse picks", "WPI000001"),
    ("PPI", "Posted inventory picks", "PPI000001"),
    ("ADJ", "Inventory adjustments", "ADJ000001"),
]


def restore_migration_data() -> None:
    """Recreate what the data migrations create (role groups with their permissions, the pick and
    adjustment number series). A transactional test (live server, browser) flushes every table when it
    ends, so the tests after it would otherwise find no groups and no series, depending on test order."""
    from django.contrib.auth.models import Group, Permission

    from core.roles import ROLE_PERMISSIONS
    from tracking.models import NoSeries

    for code, description, starting_no in MIGRATION_NO_SERIES:
        NoSeries.objects.get_or_create(
            code=code, defaults={"description": description, "starting_no": starting_no}
        )
    for role, names in ROLE_PERMISSIONS.items():
        group, created = Group.objects.get_or_create(name=role)
        if created or not group.permissions.exists():
            wanted = [name.split(".", 1) for name in names]
            perms = Permission.objects.select_related("content_type").filter(
                content_type__app_label__in={a for a, _ in wanted}
            )
            group.permissions.set([p for p in perms if [p.content_type.app_label, p.codename] in wanted])


@pytest.fixture(autouse=True)
def _migration_data_in_transactional_tests(request: pytest.FixtureRequest) -> None:
    marker = request.node.get_closest_marker("django_db")
    transactional = marker is not None and (
        marker.kwargs.get("transaction", False) or (len(marker.args) > 0 and bool(marker.args[0]))
    )
    if transactional:
        request.getfixturevalue("transactional_db")
        restore_migration_data()
