"""Permission checks built from Django permissions (roles are groups, see core.roles): `require_perm` for
services, DRF permission classes for the API."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from core.exceptions import PermissionDeniedError


def require_perm(user: Any, perm: str, detail: str) -> None:
    """In a service: refuse with PermissionDeniedError (`detail` says who may do it) unless `user` is
    authenticated and has `perm`. Services repeat the check the page or API already made."""
    if not (user is not None and getattr(user, "is_authenticated", False) and user.has_perm(perm)):
        raise PermissionDeniedError(detail, permission=perm)


def require_perms(*perms: str) -> type[BasePermission]:
    """A permission class: the user must be authenticated and have every one of `perms`."""

    class HasPerms(BasePermission):
        message = gettext_lazy(
            "You are not allowed to do this. Ask a supervisor for the role that allows it."
        )

        def has_permission(self, request: Request, view: Any) -> bool:
            user = request.user
            return bool(user and user.is_authenticated and user.has_perms(perms))

    HasPerms.__name__ = "HasPerms_" + "_".join(p.replace(".", "_") for p in perms)
    return HasPerms


class ModelPermsForMethod(BasePermission):
    """Read needs `view_<model>`, writes need `add_` / `change_` / `delete_<model>` of `view.perm_model`."""

    method_actions = {
        "GET": "view",
        "HEAD": "view",
        "OPTIONS": "view",
        "POST": "add",
        "PUT": "change",
        "PATCH": "change",
        "DELETE": "delete",
    }

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        label = getattr(view, "perm_model", None)
        if not label:
            return True
        app_label, model = label.split(".")
        action = self.method_actions.get(request.method or "GET", "view")
        return bool(user.has_perm(f"{app_label}.{action}_{model}"))
