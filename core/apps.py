from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("lotpick core")


class LotpickAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with lotpick's admin site: superusers only (core/admin.py)."""

    default = False  # CoreConfig stays the configuration of the core app
    default_site = "core.admin.LotpickAdminSite"
