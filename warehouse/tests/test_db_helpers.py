"""core.db set-based helpers: exact key matching, bulk insert with ids, one-statement updates."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.db import bulk_insert, insert_rows, keys_subquery, update_rows
from tests.world import World, serials
from warehouse.locks import lock_open_receipts, open_receipts_for_update
from warehouse.models import BinContent, LotNoInformation

pytestmark = pytest.mark.django_db


def test_keys_match_whole_tuples_not_the_cross_product(wh: World) -> None:
    item = wh.plain.pk
    rows = [
        BinContent(location=wh.location, bin=wh.a1, item_id=item, lot_no="L1", quantity=1),
        BinContent(location=wh.location, bin=wh.b1, item_id=item, lot_no="L2", quantity=2),
        BinContent(location=wh.location, bin=wh.a1, item_id=item, lot_no="L2", quantity=3),
    ]
    with CaptureQueriesContext(connection) as insert:
        bulk_insert(rows)
    assert len(insert.captured_queries) == 1
    assert [r.pk for r in rows] == list(BinContent.objects.order_by("pk").values_list("pk", flat=True))
    keys = [(wh.a1.pk, item, "L1", ""), (wh.b1.pk, item, "L2", "")]
    found = BinContent.objects.filter(
        pk__in=keys_subquery(BinContent, ["bin", "item", "lot_no", "serial_no"], keys)
    )
    assert sorted(found.values_list("quantity", flat=True)) == [1, 2]
    assert not BinContent.objects.filter(pk__in=keys_subquery(BinContent, ["bin", "item"], []))


def test_update_rows_sets_and_adds_in_one_statement(wh: World) -> None:
    rows = bulk_insert(
        [
            BinContent(location=wh.location, bin=wh.a1, item=wh.plain, lot_no=f"L{i}", quantity=5)
            for i in range(50)
        ]
    )
    with CaptureQueriesContext(connection) as update:
        count = update_rows(
            BinContent,
            [(r.pk, datetime.date(2027, 1, i % 28 + 1), Decimal("-1.5")) for i, r in enumerate(rows)],
            set_fields=["expiration_date"],
            add_fields=["quantity"],
        )
    assert count == 50 and len(update.captured_queries) == 1
    first = BinContent.objects.get(pk=rows[0].pk)
    assert first.quantity == Decimal("3.5") and first.expiration_date == datetime.date(2027, 1, 1)


def test_insert_on_conflict_do_nothing(wh: World) -> None:
    LotNoInformation.objects.create(item=wh.lot_strict, lot_no="L1", description="kept")
    insert_rows(
        LotNoInformation,
        ["item", "lot_no", "description", "certificate", "blocked"],
        [(wh.lot_strict.pk, "L1", "new", "", False), (wh.lot_strict.pk, "L2", "new", "", True)],
        returning_ids=False,
        on_conflict="ON CONFLICT (item_id, lot_no) DO NOTHING",
    )
    assert dict(LotNoInformation.objects.values_list("lot_no", "description")) == {"L1": "kept", "L2": "new"}
    assert LotNoInformation.objects.get(lot_no="L2").blocked


def test_receipts_of_serial_numbers_are_locked_through_the_unique_index(wh: World) -> None:
    """A posting looks its serial numbers' receipts up by (item, serial no.), which the unique index of
    serial numbers in stock answers with at most one row each, whatever the statistics say; lots by their
    whole key. Both in one query, in pk order."""
    received = wh.receive(wh.sn_wh, "A1", *serials(2, "SN-", expiration=None))
    lots = wh.receive(
        wh.lot_strict, "A1", {"lot_no": "L-1", "quantity": "3", "expiration_date": "2030-01-01"}
    )
    keys = [
        (wh.location.pk, wh.sn_wh.pk, "", "SN-00001"),
        (wh.location.pk, wh.lot_strict.pk, "L-1", ""),
        (wh.location.pk, wh.sn_wh.pk, "", "SN-9"),  # not in stock
        (wh.location.pk + 999, wh.sn_wh.pk, "", "SN-00000"),  # in stock, but at another location
    ]
    with CaptureQueriesContext(connection) as read:
        locked = lock_open_receipts(keys)
    assert len(read.captured_queries) == 1
    assert {key: [r.pk for r in rows] for key, rows in locked.items()} == {
        keys[0]: [received[1].pk],
        keys[1]: [lots[0].pk],
    }
    if connection.vendor == "postgresql":
        plan = open_receipts_for_update(keys[:1]).explain()
        assert "ile_serial_in_stock_once" in plan, plan


def test_keys_with_quotes_backslashes_commas_braces_and_spaces_match_exactly(wh: World) -> None:
    """On PostgreSQL the keys travel as array literals built in Python: every character must survive."""
    item = wh.plain.pk
    lots = ['L"1', "L\\2", "L,3", "{L4}", "L 5", "NULL", "Ä-6", 'L\\"7']
    bulk_insert(
        [BinContent(location=wh.location, bin=wh.a1, item_id=item, lot_no=lot, quantity=1) for lot in lots]
        + [BinContent(location=wh.location, bin=wh.a1, item_id=item, lot_no="L", quantity=1)]
    )
    found = BinContent.objects.filter(
        pk__in=keys_subquery(BinContent, ["item", "lot_no"], [(item, x) for x in lots])
    )
    assert sorted(found.values_list("lot_no", flat=True)) == sorted(lots)


def test_rows_without_ids_are_written_in_one_statement_that_fails_as_django_errors_do(wh: World) -> None:
    """`insert_rows(..., returning_ids=False)` (COPY on PostgreSQL, an INSERT on SQLite): one statement,
    seen by query counts; dates, decimals, empty strings and NULL stored as the ORM stores them; a broken
    constraint raises Django's IntegrityError and leaves nothing written."""
    from django.db import IntegrityError, transaction

    rows = [
        (
            wh.location.pk,
            wh.a1.pk,
            wh.lot_strict.pk,
            f"L{i}",
            "",
            datetime.date(2027, 2, i + 1),
            Decimal("1.25"),
        )
        for i in range(3)
    ]
    fields = ["location", "bin", "item", "lot_no", "serial_no", "expiration_date", "quantity"]
    with CaptureQueriesContext(connection) as write:
        assert insert_rows(BinContent, fields, rows, returning_ids=False) == []
    assert len(write.captured_queries) == 1
    stored = BinContent.objects.order_by("lot_no").values_list(
        "lot_no", "serial_no", "expiration_date", "quantity"
    )
    assert list(stored) == [(f"L{i}", "", datetime.date(2027, 2, i + 1), Decimal("1.25")) for i in range(3)]

    again = [(wh.location.pk, wh.a1.pk, wh.lot_strict.pk, "L9", "", None, Decimal(1)), rows[0]]
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(BinContent, fields, again, returning_ids=False)
    assert not BinContent.objects.filter(lot_no="L9").exists()
    assert BinContent.objects.count() == 3


def test_one_row_is_one_statement_that_stores_a_big_json_value_as_sent(wh: World) -> None:
    """`insert_rows` of a single row (on PostgreSQL its values travel apart from the statement's text): one
    statement in the query log, its id returned, a JSON value of 1 MB stored as sent and read back equal,
    dates and empty strings as the ORM stores them; a broken constraint raises Django's IntegrityError and
    leaves nothing written."""
    from django.db import IntegrityError, transaction
    from django.utils import timezone

    from core.db import JSONText
    from core.models import Event

    data = {"tracking": [{"serial_no": f"SN-{i:06d}", "quantity": "1"} for i in range(30_000)]}
    text = json.dumps(data)
    assert len(text) > 1_000_000
    at = timezone.now()
    fields = ["type", "data", "occurred_at", "position", "subject_type"]
    with CaptureQueriesContext(connection) as write:
        (pk,) = insert_rows(Event, fields, [("test.big", JSONText(text), at, 7, "")])
    assert len(write.captured_queries) == 1
    stored = Event.objects.get(pk=pk)
    assert (stored.type, stored.data, stored.occurred_at, stored.position, stored.subject_type) == (
        "test.big",
        data,
        at,
        7,
        "",
    )

    with pytest.raises(IntegrityError), transaction.atomic():  # position is unique
        insert_rows(Event, fields, [("test.again", JSONText("{}"), at, 7, "")])
    assert not Event.objects.filter(type="test.again").exists()
    assert insert_rows(Event, fields, [("test.after", {"ok": True}, at, None, "")])  # the connection works on
