"""The Django admin is for superusers only: staff supervisors, workers and integrations are turned away from
every admin page, whatever location the object is at (core/admin.py)."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.clients import browser_for
from tests.world import World
from warehouse.models import BinContent

pytestmark = pytest.mark.django_db


def admin_pages(world: World) -> list[str]:
    """The index, and the list and add page of every registered model, and MAIN's bin and location."""
    pages = [reverse("admin:index")]
    for model in admin.site._registry:
        meta = model._meta
        pages.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
    pages.append(reverse("admin:warehouse_bin_change", args=[world.a1.pk]))
    pages.append(reverse("admin:warehouse_location_change", args=[world.location.pk]))
    pages.append(reverse("admin:warehouse_bincontent_changelist"))
    return pages


@pytest.mark.parametrize("who", ["worker", "supervisor", "outsider", "integration"])
def test_only_superusers_get_into_the_admin(world: World, who: str) -> None:
    # given MAIN holds stock, and the user is staff (as the demo supervisors are)
    world.receive(world.plain, "A1", {"quantity": 5})
    user = world.add_user("erp-admin", "integration") if who == "integration" else getattr(world, who)
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    client = browser_for(user)
    # when they open any admin page
    for page in admin_pages(world):
        response = client.get(page)
        # then they are sent to the admin login, which tells them they may not enter: nothing is shown
        assert response.status_code == 302, page
        assert response["Location"].startswith(reverse("admin:login")), page
    login = client.get(reverse("admin:login"))
    assert "not authorized" in login.content.decode()
    # and they cannot change anything there either
    response = client.post(reverse("admin:warehouse_bin_change", args=[world.a1.pk]), {"code": "HACK"})
    assert response.status_code == 302
    world.a1.refresh_from_db()
    assert world.a1.code == "A1"


def test_superusers_use_the_admin(world: World) -> None:
    world.receive(world.plain, "A1", {"quantity": 5})
    client = browser_for(world.admin)
    for page in admin_pages(world):
        assert client.get(page).status_code == 200, page
    changelist = client.get(reverse("admin:warehouse_bincontent_changelist")).content.decode()
    assert BinContent.objects.count() == 1 and "PLAIN" in changelist
