"""The foundation: every URL is protected, errors are problem details, production settings are sound."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from core.roles import ROLE_PERMISSIONS

ROOT = Path(__file__).resolve().parent.parent
PUBLIC = {"/login/", "/api/schema/", "/api/docs/", "/api/redoc/"}
SAMPLE = {"int": "1", "str": "X1", "slug": "x1", "path": "x1", "uuid": "00000000-0000-0000-0000-000000000000"}


def _walk(patterns: list[Any], prefix: str = "") -> list[str]:
    urls: list[str] = []
    for entry in patterns:
        route = str(entry.pattern)
        if isinstance(entry, URLResolver):
            if route == "admin/":
                urls.append("/admin/")
                continue
            urls.extend(_walk(entry.url_patterns, prefix + route))
        elif isinstance(entry, URLPattern):
            if route.startswith("^"):
                urls.append("/" + prefix + route.lstrip("^") + "unknown-endpoint/")
                continue
            concrete = re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLE.get(m.group(1) or "str", "x1"), route)
            urls.append("/" + prefix + concrete)
    return urls


@pytest.mark.django_db
def test_every_url_pattern_refuses_anonymous_users() -> None:
    # given every URL pattern of the project, with sample arguments
    urls = sorted(set(_walk(get_resolver().url_patterns)))
    assert "/api/v1/jobs/1/" in urls and "/" in urls
    client = Client()
    for url in urls:
        # when an anonymous user asks for it
        response = client.get(url)
        # then pages redirect to the login page and API endpoints answer 401 problem details
        if url in PUBLIC:
            assert response.status_code == 200, url
        elif url == "/logout/":
            assert response.status_code == 405, url  # logging out is a POST
        elif url.startswith("/api/v1/"):
            assert response.status_code == 401, url
            assert response["Content-Type"] == "application/problem+json", url
            body = response.json()
            assert body["code"] == "not_authenticated", url
            assert body["status"] == 401 and body["title"] and body["detail"], url
            assert response["WWW-Authenticate"] == "Token", url
        elif url.startswith("/api/"):
            assert response.status_code == 404, url
            assert response["Content-Type"] == "application/problem+json", url
        elif url == "/admin/":
            assert response.status_code == 302 and "/admin/login/" in response["Location"], url
        else:
            assert response.status_code == 302, url
            assert response["Location"].startswith("/login/?next="), url


@pytest.mark.django_db
def test_api_errors_are_problem_details(erp_api: Any) -> None:
    # given an authenticated integration
    # when it asks for an unknown endpoint or an unknown job
    for url in ("/api/v1/no-such-thing/", "/api/v1/jobs/999999/"):
        response = erp_api.get(url)
        # then the answer is a 404 problem with a stable code
        assert response.status_code == 404, url
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["code"] == "not_found"


@pytest.mark.django_db
def test_wrong_token_is_401_problem() -> None:
    client = Client(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = client.get("/api/v1/jobs/1/")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


@pytest.mark.django_db
def test_roles_are_groups_with_their_permissions() -> None:
    for role, names in ROLE_PERMISSIONS.items():
        group = Group.objects.get(name=role)
        have = {
            f"{p.content_type.app_label}.{p.codename}"
            for p in group.permissions.select_related("content_type")
        }
        assert have == set(names), role
    worker = Group.objects.get(name="worker")
    assert not worker.permissions.filter(codename="post_pick").exists()
    assert Group.objects.get(name="supervisor").permissions.filter(codename="post_pick").exists()


@pytest.mark.django_db
def test_worker_logs_in_and_sees_the_home_page(worker: Any) -> None:
    client = Client()
    response = client.post("/login/", {"username": "w1", "password": "secret-pass-123"})
    assert response.status_code == 302 and response["Location"] == "/"
    page = client.get("/").content.decode()
    assert 'data-testid="username">w1<' in page
    assert "/admin/" not in page  # no link a worker cannot follow (the admin is for staff)


@pytest.mark.django_db
def test_wrong_password_says_so() -> None:
    response = Client().post("/login/", {"username": "nobody", "password": "x"})
    assert response.status_code == 200
    assert "did not match" in response.content.decode()


def test_production_settings_pass_check_deploy() -> None:
    # given production settings from the environment
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "lotpick.example.com",
    }
    # when Django's deployment checklist runs
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    # then it finds nothing
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_require_a_secret_key() -> None:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SECRET_KEY"}
    env["DJANGO_DEBUG"] = "0"
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr
