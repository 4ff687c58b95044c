"""Roles are Django groups with permissions; superusers see everything.

`ROLE_PERMISSIONS` is the single source of truth. A data migration creates the groups from it; later
migrations that add permissions call `sync_roles` again.
"""

from __future__ import annotations

from typing import Any

WORKER = "worker"
SUPERVISOR = "supervisor"
INTEGRATION = "integration"
ROLES = (WORKER, SUPERVISOR, INTEGRATION)

_MASTER_DATA_VIEW = [
    "tracking.view_itemtrackingcode",
    "tracking.view_noseries",
    "warehouse.view_item",
    "warehouse.view_location",
    "warehouse.view_bin",
    "warehouse.view_lotnoinformation",
    "warehouse.view_serialnoinformation",
    "warehouse.view_itemledgerentry",
    "warehouse.view_warehouseentry",
    "warehouse.view_bincontent",
]
_MASTER_DATA_CHANGE = [
    "tracking.add_itemtrackingcode",
    "tracking.change_itemtrackingcode",
    "tracking.add_noseries",
    "tracking.change_noseries",
    "warehouse.add_item",
    "warehouse.change_item",
    "warehouse.add_location",
    "warehouse.change_location",
    "warehouse.add_bin",
    "warehouse.change_bin",
    "warehouse.add_lotnoinformation",
    "warehouse.change_lotnoinformation",
    "warehouse.add_serialnoinformation",
    "warehouse.change_serialnoinformation",
    "warehouse.add_itemledgerentry",  # inventory adjustments
]
_DOCUMENTS_VIEW = [
    "picking.view_sourcedocument",
    "picking.view_sourceline",
    "picking.view_itemtrackingline",
    "picking.view_pick",
    "picking.view_pickline",
    "picking.view_postedpick",
    "picking.view_postedpickline",
    "picking.view_warehouseshipment",
    "picking.view_warehouseshipmentline",
    "picking.view_pickedstock",
    "picking.view_registeredpick",
    "picking.view_registeredpickline",
    "picking.view_postedshipment",
    "picking.view_postedshipmentline",
]
# Warehouse shipments and movements between bins (supervisors and ERPs).
_SHIPMENTS_CHANGE = [
    "picking.add_warehouseshipment",
    "picking.change_warehouseshipment",
    "picking.delete_warehouseshipment",
    "picking.post_warehouseshipment",
    "picking.register_pick",
    "warehouse.add_warehouseentry",  # movements between bins
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    WORKER: [
        *_MASTER_DATA_VIEW,
        *_DOCUMENTS_VIEW,
        "picking.change_pickline",  # handle lines: qty to handle, numbers
        "picking.register_pick",  # register warehouse picks
    ],
    SUPERVISOR: [
        *_MASTER_DATA_VIEW,
        *_MASTER_DATA_CHANGE,
        *_DOCUMENTS_VIEW,
        "picking.add_sourcedocument",
        "picking.change_sourcedocument",
        "picking.change_itemtrackingline",
        "picking.add_pick",
        "picking.change_pick",
        "picking.delete_pick",
        "picking.change_pickline",
        "picking.delete_pickline",
        "picking.post_pick",
        "core.view_activityentry",  # the activity log of their locations
        *_SHIPMENTS_CHANGE,
    ],
    INTEGRATION: [
        *_MASTER_DATA_VIEW,
        *_MASTER_DATA_CHANGE,
        *_DOCUMENTS_VIEW,
        "picking.add_sourcedocument",
        "picking.change_sourcedocument",
        "picking.change_itemtrackingline",
        "picking.add_pick",
        "picking.change_pick",
        "picking.change_pickline",
        "picking.post_pick",
        "picking.delete_pick",
        "picking.delete_pickline",
        *_SHIPMENTS_CHANGE,
    ],
}


# Events for ERPs: the feed, webhook subscriptions and their deliveries (core.events, core.webhooks).
_EVENTS = [
    "core.view_event",
    "core.view_webhooksubscription",
    "core.add_webhooksubscription",
    "core.change_webhooksubscription",
    "core.delete_webhooksubscription",
    "core.view_webhookdelivery",
]
ROLE_PERMISSIONS[SUPERVISOR] += _EVENTS
ROLE_PERMISSIONS[INTEGRATION] += _EVENTS

# Item tracing and recalls: everyone reads (scoped to their locations); supervisors and ERPs open and close.
_RECALLS_VIEW = ["picking.view_recall", "picking.view_recallnumber"]
_RECALLS_CHANGE = ["picking.add_recall", "picking.close_recall"]
ROLE_PERMISSIONS[WORKER] += _RECALLS_VIEW
ROLE_PERMISSIONS[SUPERVISOR] += _RECALLS_VIEW + _RECALLS_CHANGE
ROLE_PERMISSIONS[INTEGRATION] += _RECALLS_VIEW + _RECALLS_CHANGE


def sync_roles(apps: Any) -> None:
    """Create the role groups and give them exactly their permissions (historical-model safe)."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        # Historical (migration) app configs have no models module; create_permissions skips those.
        stub = getattr(app_config, "models_module", None) is None
        if stub:
            app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)  # creates missing content types too
        if stub:
            app_config.models_module = None

    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for role, names in ROLE_PERMISSIONS.items():
        group, _ = group_model.objects.get_or_create(name=role)
        wanted = []
        for name in names:
            app_label, codename = name.split(".", 1)
            perm = permission_model.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if perm is not None:
                wanted.append(perm)
        group.permissions.set(wanted)


def user_roles(user: Any) -> set[str]:
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    cached = getattr(user, "_lotpick_roles", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        if user.is_superuser:
            cached |= set(ROLES)
        user._lotpick_roles = cached
    return set(cached)


def is_supervisor(user: Any) -> bool:
    return bool(getattr(user, "is_superuser", False)) or SUPERVISOR in user_roles(user)


def sees_all_locations(user: Any) -> bool:
    """Superusers and the integration role see every location; others only where they are employees."""
    return bool(getattr(user, "is_superuser", False)) or INTEGRATION in user_roles(user)
