"""Kept only for `from tests.conftest import api_client_for` in the source document tests: the helper lives
in tests/clients.py and the shared fixtures in the root conftest.py. Remove this module once no test
imports it any more."""

from __future__ import annotations

from tests.clients import api_client_for

__all__ = ["api_client_for"]
