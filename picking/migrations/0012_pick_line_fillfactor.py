"""PostgreSQL: leave half of each page of pick lines free (fillfactor 50), so that setting Qty. to Handle
(autofill, a scan, the worker's entry) rewrites a line in place (a HOT update) instead of writing a new
version of it into every one of the table's ten indexes.

`qty_to_handle` is in no index, but a page filled to the brim (the default for a table) leaves no room for
the line's new version, so every update moved it and updated every index. Half a page is room for the new
version of each line on it (at 70 %, only about a fifth of the updates of an autofill stayed in place).
Measured on the 2-core machine (docs/performance.md, "Pick lines: room to update in place"): the UPDATE of
an autofill of 5 000 lines went from about 57 ms to 11 ms, the autofill over HTTP from 0.177 s to 0.129 s. Pick lines are working rows (a pick's lines live until it is
posted or deleted), so the room costs little. Pages written before keep their fill; new ones get the room.
SQLite has no fillfactor: nothing changes there.
"""

from typing import Any

from django.db import migrations


def _set_fillfactor(value: int | None) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        if value is None:
            schema_editor.execute("ALTER TABLE picking_pickline RESET (fillfactor)")
        else:
            schema_editor.execute(f"ALTER TABLE picking_pickline SET (fillfactor = {value})")

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("picking", "0011_drop_fk_indexes_covered_by_unique"),
    ]

    operations = [
        migrations.RunPython(_set_fillfactor(50), _set_fillfactor(None), elidable=True),
    ]
