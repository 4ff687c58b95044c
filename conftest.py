"""Root pytest configuration: the fixtures every test folder shares, and service requirements.

Fixtures: a fast password hasher for every test; the users of each role without a location (`worker`,
`supervisor`, `integration_user`) and an API client with the integration user's token (`erp_api`); the
test world of tests/world.py: `world` (the base world), `wh` (the inventory tests' world: SN-SPEC with
expiration dates, receipts posted on TODAY) and `stocked_world` (the source document tests' world: stock
to prescribe numbers from). This is the only conftest.py that defines shared fixtures; a test module
extends a world in its own fixtures.

Marked tests skip with a clear reason when their service is missing; with LOTPICK_REQUIRE_SERVICES=1
(set by .ci/run) a missing service fails the run instead, so CI cannot go green by skipping.
"""

from __future__ import annotations

import os
import shutil
import socket
from typing import Any

import pytest
from django.conf import settings

CHROMIUM = "/usr/bin/chromium"


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


def _is_postgres() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    required = os.environ.get("LOTPICK_REQUIRE_SERVICES") == "1"
    missing: dict[str, str] = {}
    if not (os.path.exists(CHROMIUM) and shutil.which(CHROMIUM)):
        missing["browser"] = (
            f"Chromium not found at {CHROMIUM} (apt-get install -y chromium); browser test skipped"
        )
    if not _redis_up():
        missing["celery_worker"] = "Redis not reachable on 127.0.0.1:6379; Celery worker round trip skipped"
    if not _is_postgres():
        missing["postgres"] = "needs PostgreSQL: set DATABASE_URL=postgres://...; skipped on SQLite"
    for item in items:
        for marker, reason in missing.items():
            if marker in item.keywords:
                if required and marker != "postgres":
                    item.stash[_MISSING] = reason
                else:
                    item.add_marker(pytest.mark.skip(reason=reason))


_MISSING = pytest.StashKey[str]()


def pytest_runtest_setup(item: pytest.Item) -> None:
    reason = item.stash.get(_MISSING, None)
    if reason is not None:
        pytest.fail(f"LOTPICK_REQUIRE_SERVICES=1 but {reason}", pytrace=False)


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    skipped = terminalreporter.stats.get("skipped", [])
    if skipped:
        terminalreporter.write_line(
            f"NOTE: {len(skipped)} test(s) skipped; the reasons are listed above.",
            yellow=True,
        )


MIGRATION_NO_SERIES = [
    ("IPI", "Inventory picks", "IPI000001"),
    ("WPI", "Warehouse picks", "WPI000001"),
    ("PPI", "Posted inventory picks", "PPI000001"),
    ("ADJ", "Inventory adjustments", "ADJ000001"),
    ("WSH", "Warehouse shipments", "WSH000001"),
    ("RWP", "Registered warehouse picks", "RWP000001"),
    ("PSH", "Posted warehouse shipments", "PSH000001"),
    ("MOV", "Movements between bins", "MOV000001"),
    ("RCL", "Recalls", "RCL000001"),
]


def restore_migration_data() -> None:
    """Recreate what the data migrations create (content types, permissions, role groups with exactly
    their permissions, the pick and adjustment number series). A transactional test (live server,
    browser, threads) flushes every table when it ends, so the tests after it would otherwise find no
    groups and no series, depending on test order."""
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    from core.roles import sync_roles
    from tracking.models import NoSeries

    ContentType.objects.clear_cache()
    sync_roles(apps)
    for code, description, starting_no in MIGRATION_NO_SERIES:
        NoSeries.objects.get_or_create(
            code=code, defaults={"description": description, "starting_no": starting_no}
        )


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any) -> Any:
    """pytest-django's test databases; before they are dropped, the connections that documents take their
    numbers on (`core.db.own_transaction_alias`) are closed, or PostgreSQL would refuse the drop."""
    yield django_db_setup
    from core.db import close_own_connections

    close_own_connections()


@pytest.fixture(autouse=True)
def _migration_data_in_transactional_tests(request: pytest.FixtureRequest) -> None:
    marker = request.node.get_closest_marker("django_db")
    transactional = marker is not None and (
        marker.kwargs.get("transaction", False) or (len(marker.args) > 0 and bool(marker.args[0]))
    )
    if transactional:
        request.getfixturevalue("transactional_db")
        restore_migration_data()


# --- Shared fixtures ------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """Test users get passwords; a fast hasher keeps building them cheap."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def worker(db: Any) -> Any:
    from tests.factories import UserFactory

    return UserFactory(username="w1", roles=["worker"])


@pytest.fixture
def supervisor(db: Any) -> Any:
    from tests.factories import UserFactory

    return UserFactory(username="s1", roles=["supervisor"])


@pytest.fixture
def integration_user(db: Any) -> Any:
    from tests.factories import UserFactory

    return UserFactory(username="erp", roles=["integration"])


@pytest.fixture
def erp_api(integration_user: Any) -> Any:
    """An API client authenticated with the integration user's token."""
    from tests.clients import api_client_for

    return api_client_for(integration_user)


@pytest.fixture
def world(db: Any) -> Any:
    """The base world: MAIN and EAST, an item per tracking case, a worker and supervisors, no stock."""
    from tests.world import build_world

    return build_world()


@pytest.fixture
def wh(db: Any) -> Any:
    """The inventory tests' world: the base world with SN-SPEC using expiration dates, posting on TODAY."""
    from tests.world import TODAY, build_world

    return build_world(expiring_serials=True, posting_date=TODAY)


@pytest.fixture
def stocked_world(db: Any) -> Any:
    """The source document tests' world: stock to prescribe numbers from (tests.world's
    `with_source_document_stock`), SN-SPEC using expiration dates."""
    from tests.world import build_world, with_source_document_stock

    return with_source_document_stock(build_world(expiring_serials=True))
