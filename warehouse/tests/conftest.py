"""Re-export the shared fixtures of tests/conftest.py for the app's own tests."""

from tests.conftest import erp_api, integration_user, supervisor, worker

__all__ = ["erp_api", "integration_user", "supervisor", "worker"]
