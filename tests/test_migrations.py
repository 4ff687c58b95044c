"""Models and migrations agree: a model change without its migration fails the suite."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_no_missing_migrations() -> None:
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exit_:
        pytest.fail(f"Missing migrations (run makemigrations):\n{out.getvalue()} ({exit_})")


@pytest.mark.postgres
@pytest.mark.django_db
def test_event_data_is_compressed_with_lz4_where_the_server_has_it() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'")
        (methods,) = cursor.fetchone()
        cursor.execute(
            "SELECT attcompression FROM pg_attribute"
            " WHERE attrelid = 'core_event'::regclass AND attname = 'data'"
        )
        (method,) = cursor.fetchone()
    assert method == ("l" if "lz4" in methods else "")


@pytest.mark.postgres
@pytest.mark.django_db
def test_pick_lines_leave_room_to_update_in_place() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE oid = 'picking_pickline'::regclass")
        (options,) = cursor.fetchone()
    assert "fillfactor=50" in (options or [])


@pytest.mark.postgres
@pytest.mark.django_db
def test_event_data_is_plain_json_and_reads_back_as_written() -> None:
    """`json`, not `jsonb` (core.model_fields.JSONDocumentField): written without being parsed into
    jsonb's binary form; read back as the value that was written, keys in the order they were sent."""
    from django.db import connection, transaction

    from core.events import EventType, event_emit
    from core.models import Event

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT format_type(atttypid, atttypmod) FROM pg_attribute"
            " WHERE attrelid = 'core_event'::regclass AND attname = 'data'"
        )
        (column_type,) = cursor.fetchone()
    assert column_type == "json"
    data = {"z": "last first", "a": [1, "2.50", None], "nested": {"b": True}}
    with transaction.atomic():
        event = event_emit(event_type=EventType.SOURCE_DOCUMENT_CREATED, data=data)
    stored = Event.objects.get(pk=event.pk).data
    assert stored == data
    assert list(stored) == ["z", "a", "nested"]
