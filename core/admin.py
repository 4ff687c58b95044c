"""The Django admin is for superusers only (docs/operations.md, "Users and roles").

Master data, ledgers and users span every location, and the admin has no notion of the locations a user
works at: a staff supervisor of one location would read and change another's stock and bins there. So the
admin site lets in active superusers only; supervisors work in lotpick's own pages and API, which are
scoped to their locations. `LotpickAdminSite` is the default admin site (`core.apps.LotpickAdminConfig`
replaces `django.contrib.admin` in INSTALLED_APPS), so every registered model is covered.
"""

from __future__ import annotations

from django.contrib.admin import AdminSite
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _


class LotpickAdminSite(AdminSite):
    site_header = _("lotpick administration")
    site_title = _("lotpick administration")

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_superuser)
