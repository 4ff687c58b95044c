"""The number series of warehouse shipments, registered picks, posted shipments and movements, and the
roles' new permissions (warehouse shipments, registering picks, movements)."""

from django.db import migrations

NO_SERIES = [
    ("WSH", "Warehouse shipments", "WSH000001"),
    ("RWP", "Registered warehouse picks", "RWP000001"),
    ("PSH", "Posted warehouse shipments", "PSH000001"),
    ("MOV", "Movements between bins", "MOV000001"),
]


def forwards(apps, schema_editor):
    from core.roles import sync_roles

    sync_roles(apps)
    no_series = apps.get_model("tracking", "NoSeries")
    for code, description, starting_no in NO_SERIES:
        no_series.objects.get_or_create(code=code, defaults={"description": description, "starting_no": starting_no})


class Migration(migrations.Migration):
    dependencies = [
        ("picking", "0005_warehouse_shipments"),
        ("warehouse", "0003_bin_kind_movement"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
