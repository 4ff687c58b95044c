"""The number series of recalls and the roles' new permissions (reading, opening and closing recalls)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from core.roles import sync_roles

    sync_roles(apps)
    no_series = apps.get_model("tracking", "NoSeries")
    no_series.objects.get_or_create(code="RCL", defaults={"description": "Recalls", "starting_no": "RCL000001"})


class Migration(migrations.Migration):
    dependencies = [("picking", "0008_recalls")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
