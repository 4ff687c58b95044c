from django.db import migrations


def forwards(apps, schema_editor):
    no_series = apps.get_model("tracking", "NoSeries")
    no_series.objects.get_or_create(
        code="ADJ", defaults={"description": "Inventory adjustments", "starting_no": "ADJ000001"}
    )


class Migration(migrations.Migration):
    dependencies = [("tracking", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
