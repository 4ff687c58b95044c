"""What the browser tests share: logging in and out, a keyboard-wedge scanner, and the user guide's
screenshots (written only when LOTPICK_SCREENSHOTS=1, to docs/user-guide/img/; see docs/picks.md)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tests.factories import PASSWORD

IMG = Path(__file__).resolve().parents[2] / "docs" / "user-guide" / "img"


def log_in(page: Any, live_server: Any, username: str, password: str = PASSWORD) -> None:
    page.goto(live_server.url + "/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=username]")


def shot(page: Any, name: str, *, full_page: bool = False) -> None:
    """A phone screenshot for the user guide, when LOTPICK_SCREENSHOTS=1."""
    if os.environ.get("LOTPICK_SCREENSHOTS") != "1":
        return
    IMG.mkdir(parents=True, exist_ok=True)
    path = IMG / f"{name}.png"
    # caret="initial": hiding the caret leaves `style=""` on every input, which htmx then copies onto the
    # inputs it swaps in, and the Content-Security-Policy refuses (the test would fail only with screenshots)
    page.screenshot(path=str(path), full_page=full_page, caret="initial")
    assert path.stat().st_size < 200_000, f"{name}.png is too large"


def log_out(page: Any) -> None:
    page.click("form.logout button")
    page.wait_for_url("**/login/**")


def scanner(page: Any, *codes: str) -> None:
    """A keyboard-wedge scanner: each code typed, then Enter, with no pause and no tap."""
    for code in codes:
        page.keyboard.type(code)
        page.keyboard.press("Enter")


def wait_for_scans(page: Any, count: int) -> None:
    """Until the scan box has answered `count` scans and none is waiting."""
    page.wait_for_function(
        "n => { const b = document.querySelector('[data-scan-box]');"
        " return b && b.dataset.scans === String(n) && (b.dataset.pending || '0') === '0'; }",
        arg=count,
    )
