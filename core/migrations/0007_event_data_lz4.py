"""PostgreSQL: compress new events' `data` with lz4 instead of pglz (PostgreSQL 14 and newer, when the
server is built with lz4; otherwise nothing changes).

The data of a document, pick or posting of 10 000 serial numbers is about 1.5 MB of JSON, stored
compressed out of line. Writing one took about 95 ms with pglz and 77 ms with lz4 on the 2-core machine
(docs/performance.md, "Ingest (round five)"); reading decompresses faster too. Rows written before keep
their compression: PostgreSQL reads both.
"""

from typing import Any

from django.db import migrations


def _lz4_available(schema_editor: Any) -> bool:
    if schema_editor.connection.vendor != "postgresql":
        return False
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'")
        row = cursor.fetchone()
    return row is not None and "lz4" in (row[0] or [])


def _set_compression(method: str) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        if _lz4_available(schema_editor):
            schema_editor.execute(f"ALTER TABLE core_event ALTER COLUMN data SET COMPRESSION {method}")

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0006_drop_fk_indexes_covered_by_unique"),
    ]

    operations = [
        migrations.RunPython(_set_compression("lz4"), _set_compression("pglz"), elidable=True),
    ]
