"""Root pytest configuration: service requirements for marked tests.

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
            f"NOTE: {len(skipped)} test(s) skipped for a missing service (see the reasons above).",
            yellow=True,
        )
