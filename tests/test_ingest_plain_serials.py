"""Ingest shortcuts of round five, each held to the path it shortcuts.

- Prescribed serial numbers that are plainly available (`picking.availability.serials_plainly_available`,
  one COUNT) pass the stock checks without reading their stock rows. Every other state of stock must give
  exactly what reading the rows gives: the same refusals and the same lots and expiration dates taken from
  stock.
- A line made only of such numbers passes as a whole (`tracking_checks._plainly_fine`, set operations);
  every line must give what checking it entry by entry gives.
- The `source_document.created` data is rendered from the checked input instead of read back; it must be
  what reading the document back renders, key for key and in the same order.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from rest_framework.renderers import JSONRenderer

from core.models import Event
from picking.availability import serials_plainly_available
from picking.event_data import source_document_data, source_documents_data
from picking.models import SourceDocument
from picking.services import source_document_create as create_module
from picking.services import tracking_checks
from picking.services.source_document_create import (
    source_document_create_with_data,
    source_documents_import,
    validate_documents,
)
from tests.world import World, document, order, put_on_pick
from warehouse.models import Bin, Item
from warehouse.services.master_data import serial_info_set

pytestmark = pytest.mark.django_db


def _line(no: int, item: str, *serials: str, quantity: str | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "line_no": no,
        "item": item,
        "quantity": quantity or str(len(serials)),
        "tracking": [{"serial_no": s} for s in serials],
        **extra,
    }


@pytest.fixture
def serial_world(stocked_world: World) -> World:
    """SN-WH (serial warehouse tracking, no expiration dates) in every state stock can be in, and SN-LOT
    (serial and lot warehouse tracking) whose serial numbers carry a lot."""
    w = stocked_world
    w.receive(
        w.sn_wh, "A1", *({"quantity": 1, "serial_no": f"W-{n}"} for n in ("P1", "P2", "BLOCKED", "PICKED"))
    )
    w.receive(w.sn_wh, "A1", {"quantity": 1, "serial_no": "W-BINBLK"})
    w.receive(w.sn_wh, "B1", {"quantity": 1, "serial_no": "W-B1"})
    w.receive(w.sn_wh, w.e1, {"quantity": 1, "serial_no": "W-EAST"})
    serial_info_set(item=w.sn_wh, serial_no="W-BLOCKED", blocked=True)
    on_pick = document(w, (w.sn_wh, 1), no="SO-HOLDS")
    put_on_pick(on_pick.lines.get(), serial_no="W-PICKED")
    # a blocked bin and a shipping bin, each holding one serial number
    blocked_bin = Bin.objects.create(location=w.location, code="BLK")
    shipping_bin = Bin.objects.create(location=w.location, code="SHIPX")
    w.receive(w.sn_wh, blocked_bin, {"quantity": 1, "serial_no": "W-INBLK"})
    w.receive(w.sn_wh, shipping_bin, {"quantity": 1, "serial_no": "W-SHIP"})
    Bin.objects.filter(pk=blocked_bin.pk).update(blocked=True)
    Bin.objects.filter(pk=shipping_bin.pk).update(kind=Bin.Kind.SHIPPING)
    sn_lot = w.add_item("SN-LOT", "SNLOTWH")
    w.receive(sn_lot, "A1", {"quantity": 1, "serial_no": "L-S1", "lot_no": "LX"})
    return w


def _outcome(
    data: dict[str, Any], user: Any
) -> tuple[list[tuple[str, str, Any]], list[list[dict[str, Any]]]]:
    """What checking a document gives: the numbers it would write (with what stock filled in), or its
    problems."""
    good, bad = validate_documents([data], user=user)
    numbers = [
        (e.serial_no, e.lot_no, e.expiration_date) for d in good for ln in d.lines for e in ln.tracking
    ]
    return numbers, [errors for _index, _ref, errors in bad]


# (line, whether every serial number of it is plainly available, the codes of the refusal)
CASES = [
    pytest.param(_line(10000, "SN-WH", "W-P1", "W-P2"), True, [], id="plain"),
    pytest.param(_line(10000, "SN-WH", "W-NONE"), False, ["serial_not_available"], id="not-in-stock"),
    pytest.param(_line(10000, "SN-WH", "W-BLOCKED"), False, ["serial_blocked"], id="serial-blocked"),
    pytest.param(_line(10000, "SN-WH", "W-INBLK"), False, ["serial_blocked"], id="bin-blocked"),
    pytest.param(_line(10000, "SN-WH", "W-SHIP"), False, ["serial_not_available"], id="shipping-bin"),
    pytest.param(_line(10000, "SN-WH", "W-EAST"), False, ["serial_not_available"], id="other-location"),
    pytest.param(_line(10000, "SN-WH", "W-PICKED"), False, ["serial_not_available"], id="on-an-open-pick"),
    pytest.param(
        _line(10000, "SN-WH", "W-P1", "W-NONE"), False, ["serial_not_available"], id="one-plain-one-missing"
    ),
    pytest.param(_line(10000, "SN-SPEC", "SN-001"), False, [], id="expiration-date-in-stock"),
    pytest.param(_line(10000, "SN-LOT", "L-S1"), False, [], id="lot-in-stock"),
]


@pytest.mark.parametrize(("line", "plain", "codes"), CASES)
def test_plain_serials_check_like_their_stock_rows(
    serial_world: World, monkeypatch: pytest.MonkeyPatch, line: dict[str, Any], plain: bool, codes: list[str]
) -> None:
    w = serial_world
    item = Item.objects.get(no=line["item"])
    pairs = [(item.pk, e["serial_no"]) for e in line["tracking"]]
    assert serials_plainly_available(location_id=w.location.pk, serials=pairs) is plain

    # when the numbers are checked with the shortcut, and again by reading every stock row
    with_shortcut = _outcome(order("SO-PLAIN", line), w.supervisor)
    monkeypatch.setattr(create_module, "serials_plainly_available", lambda **kwargs: False)
    by_rows = _outcome(order("SO-PLAIN", line), w.supervisor)

    # then both say the same: the same refusal, or the same numbers with what stock filled in
    assert with_shortcut == by_rows
    numbers, problems = with_shortcut
    assert [e["code"] for errors in problems for e in errors] == codes
    assert bool(numbers) is (not codes)


def test_a_document_of_plain_serials_reads_no_stock_row(
    serial_world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_stock_read(**kwargs: Any) -> Any:
        raise AssertionError(f"stock rows read for {kwargs.get('numbers')}")

    monkeypatch.setattr(create_module, "available_stock", no_stock_read)
    numbers, problems = _outcome(
        order("SO-PLAIN", _line(10000, "SN-WH", "W-P1", "W-P2")), serial_world.supervisor
    )
    assert problems == [] and numbers == [("W-P1", "", None), ("W-P2", "", None)]


def test_a_line_with_a_bin_checks_its_serials_against_the_bin(serial_world: World) -> None:
    # W-B1 is plainly available at the location, but in B1, not in the line's bin A1
    numbers, problems = _outcome(
        order("SO-BIN", _line(10000, "SN-WH", "W-B1", bin="A1")), serial_world.supervisor
    )
    assert numbers == [] and [e["code"] for e in problems[0]] == ["serial_not_available"]
    assert "bin A1" in problems[0][0]["detail"]


# (lines of one document, how many of them pass as a whole, the codes of the refusal)
WHOLE_LINE_CASES = [
    pytest.param([_line(10000, "SN-WH", "W-P1", "W-P2")], 1, [], id="plain"),
    pytest.param([_line(10000, "SN-WH", "W-P1", quantity="3")], 1, [], id="fewer-numbers-than-quantity"),
    pytest.param([_line(10000, "SN-WH", "W-P1"), _line(20000, "SN-WH", "W-P2")], 2, [], id="two-plain-lines"),
    pytest.param(
        [_line(10000, "SN-WH", "W-P1", "W-P1")], 0, ["duplicate_serial"], id="same-number-twice-on-a-line"
    ),
    pytest.param(
        [_line(10000, "SN-WH", "W-P1"), _line(20000, "SN-WH", "W-P1", "W-P2")],
        1,
        ["duplicate_serial"],
        id="same-number-on-two-lines",
    ),
    pytest.param(
        [_line(10000, "SN-WH", "W-P1", "W-P2", quantity="1")],
        0,
        ["tracking_exceeds_quantity"],
        id="more-numbers-than-quantity",
    ),
    pytest.param(
        [
            {
                "line_no": 10000,
                "item": "SN-WH",
                "quantity": "2",
                "tracking": [{"serial_no": "W-P1", "quantity": "2"}],
            }
        ],
        0,
        ["serial_quantity_not_one"],
        id="serial-quantity-two",
    ),
    pytest.param(
        [
            {
                "line_no": 10000,
                "item": "SN-WH",
                "quantity": "1",
                "tracking": [{"serial_no": "W-P1", "lot_no": "L"}],
            }
        ],
        0,
        ["lot_not_tracked"],
        id="lot-on-an-item-without-lots",
    ),
    pytest.param([_line(10000, "SN-WH", "W-P1", bin="A1")], 0, [], id="line-with-a-bin"),
]


@pytest.mark.parametrize(("lines", "passed", "codes"), WHOLE_LINE_CASES)
def test_a_plain_line_passing_as_a_whole_checks_like_entry_by_entry(
    serial_world: World,
    monkeypatch: pytest.MonkeyPatch,
    lines: list[dict[str, Any]],
    passed: int,
    codes: list[str],
) -> None:
    walk = tracking_checks._plainly_fine
    outcomes: list[bool] = []

    def counted(*args: Any) -> bool:
        outcomes.append(walk(*args))
        return outcomes[-1]

    # when the document is checked with the whole-line pass, and again entry by entry
    monkeypatch.setattr(tracking_checks, "_plainly_fine", counted)
    whole = _outcome(order("SO-WHOLE", *lines), serial_world.supervisor)
    monkeypatch.setattr(tracking_checks, "_plainly_fine", lambda *args: False)
    by_entry = _outcome(order("SO-WHOLE", *lines), serial_world.supervisor)

    # then both say the same, and the pass took the lines it should
    assert whole == by_entry
    assert outcomes.count(True) == passed
    numbers, problems = whole
    assert [e["code"] for errors in problems for e in errors] == codes
    assert bool(numbers) is (not codes)


def _dumped(data: Any) -> str:
    return json.dumps(data)


def test_created_event_data_is_what_reading_the_document_back_renders(serial_world: World) -> None:
    w = serial_world
    data = order(
        "SO-EVENT",
        _line(30000, "SN-WH", "W-P1", "W-P2"),  # plain serial numbers, out of line order
        _line(10000, "SN-SPEC", "SN-001", "SN-002", quantity="3"),  # expiration from stock, one unnumbered
        {
            "line_no": 20000,
            "item": "LOT-SPEC",
            "quantity": "2.50",
            "bin": "A1",
            "tracking": [{"lot_no": "L-A", "quantity": "2.5"}],
        },
        {"line_no": 40000, "item": "PLAIN", "quantity": "0.12345"},
        _line(50000, "SN-LOT", "L-S1"),  # the lot taken from stock
    )
    created = source_document_create_with_data(data=data, user=w.supervisor)
    event = Event.objects.get(type="source_document.created")
    read_back = source_document_data(created.document)
    answer = {k: v for k, v in read_back.items() if k not in ("source_document_type", "source_document_no")}
    # the answer: the same keys in the same order, and its text as the API's renderer makes it
    assert _dumped(created.answer) == _dumped(answer)
    assert created.answer.json_text.encode() == JSONRenderer().render(answer)
    # the event: the answer plus the document's type and no.
    assert event.data == read_back  # (PostgreSQL's jsonb keeps its own order of keys)
    assert [ln["line_no"] for ln in read_back["lines"]] == [10000, 20000, 30000, 40000, 50000]


def test_imported_documents_events_are_what_reading_them_back_renders(serial_world: World) -> None:
    w = serial_world
    result = source_documents_import(
        documents=[
            order(
                "SO-IMP-1",
                _line(10000, "SN-WH", "W-P1"),
                {"line_no": 20000, "item": "PLAIN", "quantity": "2"},
            ),
            order("SO-IMP-2", _line(20000, "SN-WH", "W-P2"), _line(10000, "SN-SPEC", "SN-003")),
        ],
        user=w.supervisor,
    )
    assert result.errors == []
    events = list(Event.objects.filter(type="source_document.created").order_by("pk"))
    documents = list(SourceDocument.objects.filter(no__startswith="SO-IMP").order_by("no"))
    assert [e.data for e in events] == source_documents_data(documents)


@pytest.mark.parametrize(
    "data",
    [
        {"a": "plain", "n": 1, "none": None, "list": [1, "2", {"x": []}]},
        {"text": "Ünïcödé, 中文, emoji \U0001f4e6, line\u2028and paragraph\u2029separators", "q": '"quoted"'},
    ],
)
def test_an_answer_encoded_once_is_what_the_api_renderer_renders(data: dict[str, Any]) -> None:
    from core.renderers import JSONRenderer as OurRenderer
    from core.renderers import encoded_answer

    encoded = encoded_answer(data)
    assert encoded == data
    assert encoded.json_text.encode() == JSONRenderer().render(data) == OurRenderer().render(encoded)
    # pretty-printing (the browsable API, `indent` in Accept) renders the data again
    assert OurRenderer().render(encoded, "application/json; indent=4") == JSONRenderer().render(
        data, "application/json; indent=4"
    )


@pytest.mark.postgres
def test_the_open_pick_line_check_looks_each_number_up_in_the_unique_index(serial_world: World) -> None:
    """A pick line stays after its pick is posted, so an item shipped often has many; checking a number
    against them must be one look-up in `serial_on_one_open_pick_line`, not a walk of the item's lines
    (30 000 numbers of an item picked 30 000 times before took 3 s that way)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    item = Item.objects.get(no="SN-WH")
    pairs = [(item.pk, "W-P1"), (item.pk, "W-P2")]
    with CaptureQueriesContext(connection) as queries:
        assert serials_plainly_available(location_id=serial_world.location.pk, serials=pairs)
    (query,) = queries.captured_queries
    with connection.cursor() as cursor:
        # with the table this small a scan is cheaper; without scans, the index the plan can use shows
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN (FORMAT JSON) " + query["sql"])
        (plan,) = cursor.fetchone()
    assert "serial_on_one_open_pick_line" in json.dumps(plan)
