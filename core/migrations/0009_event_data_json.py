"""PostgreSQL: an event's `data` becomes `json` (its text as sent) instead of `jsonb`
(`core.model_fields.JSONDocumentField`). Storing the 1.4 MB of data of a document of 10 000 serial numbers
took about 30 ms as `jsonb` (parsed into its binary form) and takes about 6 ms as `json`. Nothing queries
inside an event's data. Changing the type rewrites the column and resets its compression, so lz4 is set
again (as 0007 did, when the server has it). SQLite keeps its text column.
"""

from typing import Any

import django.core.serializers.json
from django.db import migrations

import core.model_fields


def _set_lz4(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'")
        row = cursor.fetchone()
    if row is not None and "lz4" in (row[0] or []):
        schema_editor.execute("ALTER TABLE core_event ALTER COLUMN data SET COMPRESSION lz4")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0008_activity_user_without_db_constraint"),
    ]

    operations = [
        migrations.AlterField(
            model_name="event",
            name="data",
            field=core.model_fields.JSONDocumentField(encoder=django.core.serializers.json.DjangoJSONEncoder),
        ),
        migrations.RunPython(_set_lz4, _set_lz4, elidable=True),
    ]
