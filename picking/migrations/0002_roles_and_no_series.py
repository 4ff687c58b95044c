"""Create the role groups (worker, supervisor, integration) and the pick number series."""

from django.db import migrations


def forwards(apps, schema_editor):
    from core.roles import sync_roles

    sync_roles(apps)
    no_series = apps.get_model("tracking", "NoSeries")
    for code, description, starting_no in (
        ("IPI", "Inventory picks", "IPI000001"),
        ("WPI", "Warehouse picks", "WPI000001"),
        ("PPI", "Posted inventory picks", "PPI000001"),
    ):
        no_series.objects.get_or_create(code=code, defaults={"description": description, "starting_no": starting_no})


class Migration(migrations.Migration):
    dependencies = [
        ("picking", "0001_initial"),
        ("warehouse", "0001_initial"),
        ("tracking", "0001_initial"),
        ("core", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("authtoken", "0004_alter_tokenproxy_options"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
