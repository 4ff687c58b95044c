"""Accessibility: axe-core (vendored in tests/browser/vendor/) runs on every page of tests/browser/pages.py,
at phone size (390x844) and desktop size (1280x800), as the user who works there: no critical and no
serious violation. The list of pages is checked against the URL patterns, so a new page cannot be left out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.helpers import log_in
from tests.browser.pages import NOT_PAGES, PAGES, build_page_data, page_url_names

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
VIEWPORTS = [{"width": 390, "height": 844}, {"width": 1280, "height": 800}]
FAILING = ("critical", "serious")


@pytest.mark.django_db
def test_every_page_is_listed() -> None:
    """Every named URL outside the admin and the API is a page axe visits, or says why it is not one."""
    names = page_url_names()
    assert names - set(PAGES) - set(NOT_PAGES) == set(), "add the new page to tests/browser/pages.py"
    assert set(NOT_PAGES) - names == set(), "NOT_PAGES names URLs that no longer exist"
    assert set(PAGES) - names - {"403", "404"} == set(), "PAGES names URLs that no longer exist"


def _run_axe(page: Any) -> list[dict[str, Any]]:
    page.evaluate(AXE)  # evaluated by the browser's debugger: no script tag, fine under a strict CSP
    result = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations.map(v => ({"
        " id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ': ' + n.failureSummary) }))"
    )
    return [v for v in result if v["impact"] in FAILING]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_no_critical_or_serious_violation_on_any_page(live_server: Any, browser: Any) -> None:
    data = build_page_data()
    users = {"worker": data.world.worker, "supervisor": data.world.supervisor}
    problems: list[str] = []
    for viewport in VIEWPORTS:
        contexts: dict[str, Any] = {}
        try:
            for name, visits in PAGES.items():
                for visit in visits:
                    if visit.role not in contexts:
                        contexts[visit.role] = browser.new_context(viewport=viewport)
                        tab = contexts[visit.role].new_page()
                        tab.set_default_timeout(15000)
                        if visit.role != "anonymous":
                            log_in(tab, live_server, users[visit.role].username)
                    tab = contexts[visit.role].pages[0]
                    response = tab.goto(live_server.url + visit.path(data))
                    assert response is not None and response.status == visit.status, (name, visit.role)
                    for violation in _run_axe(tab):
                        problems.append(
                            f"{viewport['width']}px {name} ({visit.role}): {violation['impact']} "
                            f"{violation['id']} ({violation['help']}): {violation['nodes']}"
                        )
        finally:
            for context in contexts.values():
                context.close()
    assert problems == [], "\n".join(problems)
