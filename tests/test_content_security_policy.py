"""Every page carries a strict Content-Security-Policy, and no page needs an inline script or style."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.clients import browser_for
from tests.world import World, make_pick

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent


def policy(response: object) -> dict[str, str]:
    header = response["Content-Security-Policy"]  # type: ignore[index]
    return {part.split()[0]: part.strip() for part in header.split(";") if part.strip()}


def test_pages_forbid_inline_scripts_and_styles_and_other_origins(world: World) -> None:
    world.receive(world.plain, "A1", {"quantity": 3})
    pick = make_pick(world, (world.plain, 1))
    client = browser_for(world.supervisor)
    for url in ["/", f"/picks/{pick.pk}/", "/picks/", "/source-documents/", "/picks/create/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        rules = policy(response)
        assert rules["default-src"] == "default-src 'self'"
        # the pick page may also compile WebAssembly (the camera's barcode decoder), nothing else
        camera = " 'wasm-unsafe-eval'" if url == f"/picks/{pick.pk}/" else ""
        assert rules["script-src"] == f"script-src 'self'{camera}"
        assert rules["style-src"] == "style-src 'self'"
        assert rules["object-src"] == "object-src 'none'"
        assert rules["frame-ancestors"] == "frame-ancestors 'none'"
        html = response.content.decode()
        # and the page itself has no inline script, event handler or style
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
        assert not re.search(r"\son[a-z]+=", html), url
        assert not re.search(r"<style|\sstyle=", html), url
    assert "script-src 'self'" in browser_for(world.admin).get("/login/")["Content-Security-Policy"]


def test_templates_hold_no_inline_script_handler_or_style() -> None:
    for template in (ROOT / "templates").rglob("*.html"):
        text = template.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), template
        assert not re.search(r"\son[a-z]+=", text), template
        assert not re.search(r"<style|\sstyle=", text), template


def test_api_documentation_pages_work_without_inline_scripts(client: object) -> None:
    for url in ["/api/docs/", "/api/redoc/"]:
        response = client.get(url)  # type: ignore[attr-defined]
        assert response.status_code == 200
        rules = policy(response)
        assert rules["script-src"] == "script-src 'self'"
        assert "'unsafe-inline'" in rules["style-src"]
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", response.content.decode()), url
