"""A real browser (Chromium via Playwright) logs in as a worker on a phone-sized screen."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_worker_logs_in_and_sees_the_home_page(live_server: Any, page: Any) -> None:
    # given a worker account
    UserFactory(username="worker", password="worker", roles=["worker"])
    # when the worker opens lotpick and logs in
    page.goto(live_server.url + "/")
    assert "/login/" in page.url
    page.fill("#id_username", "worker")
    page.fill("#id_password", "worker")
    page.click("button[type=submit]")
    # then the home page greets them by name, with working styles (served locally, no CDN)
    page.wait_for_selector("[data-testid=username]")
    assert page.inner_text("[data-testid=username]") == "worker"
    assert page.evaluate("getComputedStyle(document.querySelector('.topbar')).display") == "grid"
