"""Every foreign key is checked by the database except the few listed in docs/architecture.md ("Foreign
keys"): copies, in append-only history rows, of what another row of the same posting holds under a checked
foreign key, and the activity log's user. A new exception must be added here and there, on purpose."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.db import connection, models

from core.models import ActivityEntry
from picking.models import PostedPickLine, PostedShipmentLine, RegisteredPickLine
from warehouse.models import Bin, Item, WarehouseEntry

UNCHECKED = {
    "core.ActivityEntry.user",
    "warehouse.WarehouseEntry.item",
    "warehouse.WarehouseEntry.location",
    "warehouse.WarehouseEntry.created_by",
    "picking.PostedPickLine.item",
    "picking.PostedPickLine.bin",
    "picking.RegisteredPickLine.item",
    "picking.RegisteredPickLine.bin",
    "picking.PostedShipmentLine.item",
    "picking.PostedShipmentLine.bin",
}
OURS = ("core", "tracking", "warehouse", "picking")


def _foreign_keys() -> dict[str, Any]:
    found: dict[str, Any] = {}
    for model in apps.get_models():
        if model._meta.app_label not in OURS:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.ForeignKey):
                found[f"{model._meta.app_label}.{model.__name__}.{field.name}"] = field
    return found


def test_only_the_documented_foreign_keys_go_unchecked_by_the_database() -> None:
    unchecked = {name for name, field in _foreign_keys().items() if not field.db_constraint}
    assert unchecked == UNCHECKED


def test_the_unchecked_copies_keep_an_index_and_their_on_delete_rule() -> None:
    """Without the database's check, Django's `on_delete` still protects them, and needs the index to find
    the rows (deleting an item or a bin looks them up)."""
    fields = _foreign_keys()
    for name in UNCHECKED:
        field = fields[name]
        indexed = field.db_index or any(
            index.fields and index.fields[0] == field.name for index in field.model._meta.indexes
        )
        assert indexed, name
        assert field.remote_field.on_delete in (models.PROTECT, models.SET_NULL), name


@pytest.mark.django_db
def test_a_history_line_still_protects_its_item_and_bin() -> None:
    """The ORM refuses to delete an item or a bin a posted line names, as it did with the constraint."""
    from tests.world import build_world, make_pick, serials, ship

    world = build_world()
    world.receive(world.sn_wh, "A1", *serials(1, "FK", None))
    ship(world, make_pick(world, (world.sn_wh, 1)))
    assert PostedPickLine.objects.filter(item=world.sn_wh).exists()
    assert WarehouseEntry.objects.filter(item=world.sn_wh).exists()
    with pytest.raises(models.ProtectedError):
        Item.objects.filter(pk=world.sn_wh.pk).delete()
    with pytest.raises(models.ProtectedError):
        Bin.objects.filter(pk=world.a1.pk).delete()


HISTORY = (WarehouseEntry, PostedPickLine, RegisteredPickLine, PostedShipmentLine, ActivityEntry)


@pytest.mark.django_db
def test_the_database_has_no_constraint_for_the_unchecked_and_one_for_the_others() -> None:
    """What the migrations left in the database (PostgreSQL and SQLite alike)."""
    constrained: set[tuple[str, str]] = set()
    with connection.cursor() as cursor:
        for model in HISTORY:
            table = model._meta.db_table
            for info in connection.introspection.get_constraints(cursor, table).values():
                if info["foreign_key"]:
                    constrained |= {(table, column) for column in info["columns"]}
    checked = 0
    for name, field in _foreign_keys().items():
        if field.model in HISTORY:
            key = (field.model._meta.db_table, field.column)
            assert (key in constrained) == (name not in UNCHECKED), name
            checked += 1
    assert checked > len(UNCHECKED)  # the checked ones of these tables were looked at too
