"""Supervisors read the activity log (core.view_activityentry): give the role groups their permissions again."""

from django.db import migrations


def forwards(apps, schema_editor):
    from core.roles import sync_roles

    sync_roles(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("picking", "0003_picks_posted_line_tracking_line"),
        ("core", "0003_activity_log"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
