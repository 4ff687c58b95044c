"""Load the demo data for `make run`. Idempotent: running it again changes nothing that exists."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from rest_framework.authtoken.models import Token

DEMO_USERS = [
    # username, password, role, superuser
    ("worker", "worker", "worker", False),
    ("supervisor", "supervisor", "supervisor", False),
    ("integration", "integration", "integration", False),
    ("admin", "admin", None, True),
]


class Command(BaseCommand):
    help = "Create the demo users, master data and stock (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            users = self._users()
            from picking.demo import load_demo_master_data

            load_demo_master_data(users=users)
        token, _ = Token.objects.get_or_create(user=users["integration"])
        self.stdout.write(self.style.SUCCESS("Demo data ready. Log in at http://127.0.0.1:8000/ as:"))
        for username, password, role, superuser in DEMO_USERS:
            what = "superuser, Django admin" if superuser else role
            self.stdout.write(f"  {username:<12} password {password:<12} ({what})")
        self.stdout.write(f"  API token of 'integration': {token.key}")
        self.stdout.write(
            f"  e.g. curl -H 'Authorization: Token {token.key}' http://127.0.0.1:8000/api/v1/items/"
        )

    def _users(self) -> dict[str, Any]:
        user_model = get_user_model()
        users = {}
        for username, password, role, superuser in DEMO_USERS:
            user = user_model.objects.filter(username=username).first()
            if user is None:
                user = user_model(username=username, is_superuser=superuser, is_staff=superuser)
                user.set_password(password)
                user.save()
            if role:
                user.groups.add(Group.objects.get(name=role))
            users[username] = user
        return users
