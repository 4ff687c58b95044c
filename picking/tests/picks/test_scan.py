"""Reading a scan on a pick (picking.services.pick_scan): one table of cases, every kind of code and every
refusal, run three ways with the same results: the service, `POST /api/v1/picks/{id}/scan/` and the pick
page's scan box (the htmx answer). A refused scan changes nothing."""

from __future__ import annotations

import datetime
import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.exceptions import DomainError, NotFoundError, PermissionDeniedError
from picking.models import Pick, PickLine
from picking.services.pick_scan import pick_scan
from tests.clients import api_client_for, browser_for
from tests.world import EXP_EARLY, EXP_LATE, TODAY, World, build_world, make_pick, serials
from warehouse.models import Item

pytestmark = pytest.mark.django_db

GS = "\x1d"
GTIN_SN = "4012345000009"  # SN-SPEC
GTIN_LOT = "4012345000016"  # LOT-WH
GTIN_PLAIN = "4012345000023"  # PLAIN
GTIN_SNLOT = "4012345000030"  # SNLOT: serial and lot in stock
SN_EXP = datetime.date(2027, 6, 30)


@pytest.fixture
def sw(db: Any) -> World:
    """The scan world: SN-SPEC (X1, X2 in A1, expiring 2027-06-30), LOT-WH (L1: 10 in A1), PLAIN (5 in A1,
    5 in B1), SNLOT (serial Q1 of lot LQ in A1), SN-OUT / LOT-OUT (no numbers in stock); GTINs on the
    first four."""
    world = build_world(expiring_serials=True, posting_date=TODAY)
    snlot = world.add_item("SNLOT", "SNLOTWH")
    for item, gtin in (
        (world.sn_spec, GTIN_SN),
        (world.lot_wh, GTIN_LOT),
        (world.plain, GTIN_PLAIN),
        (snlot, GTIN_SNLOT),
    ):
        Item.objects.filter(pk=item.pk).update(gtin=gtin)
    world.receive(
        world.sn_spec,
        "A1",
        {"quantity": 1, "serial_no": "X1", "expiration_date": SN_EXP},
        {"quantity": 1, "serial_no": "X2", "expiration_date": SN_EXP},
    )
    world.receive(world.lot_wh, "A1", {"quantity": 10, "lot_no": "L1", "expiration_date": EXP_EARLY})
    world.receive(world.plain, "A1", {"quantity": 5})
    world.receive(world.plain, "B1", {"quantity": 5})
    world.receive(
        snlot, "A1", {"quantity": 1, "serial_no": "Q1", "lot_no": "LQ", "expiration_date": EXP_LATE}
    )
    world.receive(world.sn_out, "A1", {"quantity": 5})
    world.receive(world.lot_out, "A1", {"quantity": 5})
    return world


def snlot(world: World) -> Item:
    return Item.objects.get(no="SNLOT")


def state(pick: Pick) -> list[tuple[int, str, str, str, Decimal, Decimal, Any]]:
    return [
        (
            pl.line_no,
            pl.bin.code if pl.bin else "",
            pl.lot_no,
            pl.serial_no,
            pl.quantity,
            pl.qty_to_handle,
            pl.expiration_date,
        )
        for pl in PickLine.objects.filter(pick=pick).select_related("bin").order_by("line_no")
    ]


def lines(pick: Pick) -> list[tuple[str, str, str, Decimal, Decimal]]:
    """(bin, lot, serial, quantity, qty to handle) of the pick's lines, in line order."""
    return [(bin_, lot, serial, qty, to_handle) for _, bin_, lot, serial, qty, to_handle, _ in state(pick)]


# --- The table of cases --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    name: str
    given: Callable[[World], tuple[Pick, dict[str, Any]]]  # the pick, and what is scanned
    status: int  # HTTP status of the API and the page
    outcome: str  # the result kind, or the refusal's code
    detail: str = ""  # part of what the worker is told
    then: Callable[[World, Pick], Any] | None = None  # the pick's lines afterwards (None: unchanged)
    parsed: dict[str, Any] = field(default_factory=dict)  # part of the API's `parsed`


def _serial_pick(world: World) -> Pick:
    return make_pick(world, (world.sn_spec, 1))  # case 3: a blank line of 1 in A1


def _lot_pick(world: World) -> Pick:
    return make_pick(world, (world.lot_wh, 4))  # case 1: L1 proposed, 4 in A1


def _snlot_pick(world: World) -> Pick:
    return make_pick(world, (snlot(world), 1))  # case 1: Q1 / LQ proposed


def _plain_pick(world: World) -> Pick:
    return make_pick(world, (world.plain, 8))  # 5 from A1, 3 from B1


def _locked_pick(world: World) -> Pick:
    return make_pick(world, (world.sn_spec, 1, {"tracking": [("X1", "", 1)]}))  # case 4: X1 prescribed


def _two_new_items(world: World) -> Pick:
    other = world.add_item("SN-OUT-2", "SNOUT")
    world.receive(other, "A1", {"quantity": 5})
    return make_pick(world, (world.sn_out, 1), (other, 1))


def given(build: Callable[[World], Pick], **scan: Any) -> Callable[[World], tuple[Pick, dict[str, Any]]]:
    def make(world: World) -> tuple[Pick, dict[str, Any]]:
        pick = build(world)
        values = {k: (v(pick) if callable(v) else v) for k, v in scan.items()}
        return pick, values

    return make


def first_line_id(pick: Pick) -> int:
    return PickLine.objects.filter(pick=pick).order_by("line_no").values_list("pk", flat=True)[0]


HRI_SN = f"(01)0{GTIN_SN}(17)270630(21)X2"
CASES = [
    # plain serial and lot numbers
    Case(
        "serial in the bin of a blank line",
        given(_serial_pick, code="X2"),
        200,
        "line_updated",
        "Serial number X2 is on line 10000, Qty. to Handle 1.",
        lambda w, p: lines(p) == [("A1", "", "X2", 1, 1)],
        {"serial_no": "X2"},
    ),
    Case(
        "serial in another letter case (one number fits)",
        given(_serial_pick, code="x2"),
        200,
        "line_updated",
        "Serial number X2 is on line 10000",
        lambda w, p: lines(p) == [("A1", "", "X2", 1, 1)],
    ),
    Case(
        "lot on a line, with a quantity",
        given(_lot_pick, code="l1", quantity="3"),
        200,
        "line_updated",
        "Lot L1: line 10000, Qty. to Handle 3.",
        lambda w, p: lines(p) == [("A1", "L1", "", 4, 3)],
        {"lot_no": "L1", "quantity": "3"},
    ),
    Case(
        "new serial number (case 2)",
        given(lambda w: make_pick(w, (w.sn_out, 2)), code="NEW-1"),
        200,
        "line_updated",
        "New serial number NEW-1 is on line",
        lambda w, p: sorted(lines(p)) == [("A1", "", "", 1, 0), ("A1", "", "NEW-1", 1, 1)],
    ),
    Case(
        "new number several items could take: choose the line",
        given(_two_new_items, code="NEW-7"),
        200,
        "choose_line",
        "NEW-7 fits 2 lines: choose the line it goes on.",
    ),
    Case(
        "new number a serial line and a lot line could take: choose the line",
        given(lambda w: make_pick(w, (w.sn_out, 1), (w.lot_out, 2)), code="NEW-8"),
        200,
        "choose_line",
        "NEW-8 fits 2 lines: choose the line it goes on.",
    ),
    Case(
        "new number, the line chosen",
        given(_two_new_items, code="NEW-7", line_id=lambda p: first_line_id(p)),
        200,
        "line_updated",
        "New serial number NEW-7 is on line 10000",
        lambda w, p: lines(p)[0] == ("A1", "", "NEW-7", 1, 1),
    ),
    # GS1 codes
    Case(
        "GS1 element string with the group separator",
        given(_snlot_pick, code=f"010{GTIN_SNLOT}17300630" + "10LQ" + GS + "21Q1"),
        200,
        "line_updated",
        "Serial number Q1: line 10000, Qty. to Handle 1.",
        lambda w, p: lines(p) == [("A1", "LQ", "Q1", 1, 1)],
        {"gtin": "0" + GTIN_SNLOT, "lot_no": "LQ", "serial_no": "Q1", "expiration_date": "2030-06-30"},
    ),
    Case(
        "GS1 human-readable form (parentheses)",
        given(_serial_pick, code=HRI_SN),
        200,
        "line_updated",
        "Serial number X2 is on line 10000",
        lambda w, p: lines(p) == [("A1", "", "X2", 1, 1)],
        {"gtin": "0" + GTIN_SN, "serial_no": "X2", "expiration_date": "2027-06-30"},
    ),
    Case(
        "GS1 with a symbology identifier (DataMatrix)",
        given(_serial_pick, code=f"]d2010{GTIN_SN}21X1"),
        200,
        "line_updated",
        "Serial number X1 is on line 10000",
        lambda w, p: lines(p) == [("A1", "", "X1", 1, 1)],
    ),
    Case(
        "GS1 Digital Link URI",
        given(_serial_pick, code=f"https://id.example.com/01/0{GTIN_SN}/21/X2?17=270630"),
        200,
        "line_updated",
        "Serial number X2 is on line 10000",
        lambda w, p: lines(p) == [("A1", "", "X2", 1, 1)],
    ),
    Case(
        "GS1 lot with a count (AI 37)",
        given(_lot_pick, code=f"(01)0{GTIN_LOT}(10)L1(37)2"),
        200,
        "line_updated",
        "Lot L1: line 10000, Qty. to Handle 2.",
        lambda w, p: lines(p) == [("A1", "L1", "", 4, 2)],
        {"quantity": "2"},
    ),
    Case(
        "GS1 element string without any marker (starts with a GTIN)",
        given(_serial_pick, code=f"010{GTIN_SN}21X2"),
        200,
        "line_updated",
        "Serial number X2 is on line 10000",
        lambda w, p: lines(p) == [("A1", "", "X2", 1, 1)],
    ),
    Case(
        "GS1 expiration date differs from the number's",
        given(_serial_pick, code=f"(01)0{GTIN_SN}(17)270531(21)X2"),
        409,
        "expiration_mismatch",
        "expires on 2027-05-31, but it expires on 2027-06-30 in stock",
    ),
    Case(
        "GS1 lot differs from the serial number's lot",
        given(_snlot_pick, code=f"(01)0{GTIN_SNLOT}(10)OTHER(21)Q1"),
        409,
        "lot_mismatch",
        "The code says lot OTHER, but serial number Q1 is lot LQ",
    ),
    Case(
        "GS1 GTIN of no item on the pick",
        given(_serial_pick, code=f"(01)0{GTIN_PLAIN}(21)X2"),
        409,
        "scan_no_match",
        f"GTIN 0{GTIN_PLAIN} is not the GTIN of an item on an open line",
    ),
    Case(
        "GS1 code that cannot be read",
        given(_serial_pick, code="(01)12345(21)X2"),
        400,
        "scan_unreadable",
        "cannot be read as a GS1 code",
    ),
    # GTINs, item numbers, bins
    Case(
        "GTIN of an untracked item: one more unit",
        given(lambda w: make_pick(w, (w.plain, 3)), code=GTIN_PLAIN),
        200,
        "line_updated",
        "Item PLAIN: line 10000, Qty. to Handle 1.",
        lambda w, p: lines(p) == [("A1", "", "", 3, 1)],
    ),
    Case(
        "item number whose lines are in two bins: choose the line",
        given(_plain_pick, code="plain"),
        200,
        "choose_line",
        "fits 2 lines",
    ),
    Case(
        "GTIN of a tracked item alone",
        given(_serial_pick, code=GTIN_SN),
        409,
        "scan_needs_number",
        "Item SN-SPEC is tracked by serial number: scan the number",
    ),
    Case(
        "bin code: the open lines in that bin",
        given(_plain_pick, code="b1"),
        200,
        "bin_confirmed",
        "Bin B1: 1 open line(s) here: 20000.",
        None,
        {"bin": "B1"},
    ),
    Case(
        "bin code with a line: the line takes from that bin",
        given(lambda w: make_pick(w, (w.plain, 2)), code="B1", line_id=lambda p: first_line_id(p)),
        200,
        "line_updated",
        "Line 10000 takes from bin B1 now.",
        lambda w, p: lines(p) == [("B1", "", "", 2, 0)],
    ),
    Case(
        "bin code with no open line",
        given(_serial_pick, code="B1"),
        409,
        "scan_no_match",
        "No open line of pick",
    ),
    # refusals
    Case(
        "a locked line refuses another number, with the reason",
        given(_locked_pick, code="X2"),
        409,
        "tracking_locked",
        "picks serial no. X1, prescribed by the source document: X2 cannot take its place",
    ),
    Case(
        "the prescribed number on a locked line",
        given(_locked_pick, code="X1"),
        200,
        "line_updated",
        "Serial number X1: line 10000, Qty. to Handle 1.",
        lambda w, p: lines(p) == [("A1", "", "X1", 1, 1)],
    ),
    Case("nothing fits", given(_serial_pick, code="ZZZ-9"), 409, "scan_no_match", "can take ZZZ-9"),
    Case(
        "a number on another open pick",
        given(
            lambda w: (make_pick(w, (w.sn_spec, 1, {"tracking": [("X1", "", 1)]})), _serial_pick(w))[1],
            code="X1",
        ),
        409,
        "serial_not_available",
        "X1",
    ),
    Case(
        "a quantity that is no number",
        given(_lot_pick, code="L1", quantity="abc"),
        400,
        "invalid",
        "'abc' is not a quantity",
    ),
    Case(
        "a quantity of 0",
        given(_lot_pick, code="L1", quantity="0"),
        400,
        "quantity_not_positive",
        "greater than 0",
    ),
    Case(
        "a fraction of an item counted in whole units",
        given(
            lambda w: (Item.objects.filter(pk=w.lot_wh.pk).update(whole_units=True), _lot_pick(w))[1],
            code="L1",
            quantity="0.5",
        ),
        400,
        "fraction_not_allowed",
        "is counted in whole units: 0.5 is not a whole number",
    ),
]


def _ambiguous_given(world: World) -> tuple[Pick, dict[str, Any]]:
    # lots "AB-1" and "Ab-1" both in A1: "ab-1" fits two numbers
    world.receive(
        world.lot_spec,
        "A1",
        {"quantity": 2, "lot_no": "AB-1", "expiration_date": EXP_EARLY},
        {"quantity": 2, "lot_no": "Ab-1", "expiration_date": EXP_EARLY},
    )
    return make_pick(world, (world.lot_spec, 1)), {"code": "ab-1"}


CASES.append(
    Case(
        "numbers that differ only in letter case fit twice",
        _ambiguous_given,
        409,
        "scan_ambiguous",
        "fits several numbers that differ only in letter case (AB-1, Ab-1)",
    )
)


# --- Three ways to scan ----------------------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    outcome: str
    detail: str
    parsed: dict[str, Any] = field(default_factory=dict)


def by_service(world: World, pick: Pick, scan: dict[str, Any]) -> Answer:
    try:
        result = pick_scan(pick_id=pick.pk, user=world.worker, **scan)
    except DomainError as exc:
        return Answer(exc.status, exc.code, exc.detail)
    parsed = {
        k: (v.isoformat() if isinstance(v, datetime.date) else str(v))
        for k, v in result.parsed.as_dict().items()
    }
    parsed = {
        k: (v.rstrip("0").rstrip(".") if k == "quantity" and "." in v else v) for k, v in parsed.items()
    }
    return Answer(200, result.kind.value, result.message, parsed)


def by_api(world: World, pick: Pick, scan: dict[str, Any]) -> Answer:
    response = api_client_for(world.worker).post(f"/api/v1/picks/{pick.pk}/scan/", scan, format="json")
    body = response.json()
    if response.status_code == 200:
        assert set(body) == {"result", "line", "lines", "parsed", "detail"}
        return Answer(200, body["result"], body["detail"], body["parsed"])
    assert response["Content-Type"] == "application/problem+json"
    return Answer(response.status_code, body["code"], body["detail"])


def by_page(world: World, pick: Pick, scan: dict[str, Any]) -> Answer:
    client = browser_for(world.worker)
    data = {k: str(v) for k, v in scan.items()}
    response = client.post(f"/picks/{pick.pk}/scan/", data, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    outcome = re.search(r'data-scan-outcome="([^"]+)"', page)
    message = re.search(r"<span data-scan-message>(.*?)</span>", page, flags=re.S)
    assert outcome and message, page[:2000]
    return Answer(response.status_code, outcome.group(1), html.unescape(message.group(1)).strip())


WAYS = {"service": by_service, "api": by_api, "page": by_page}


@pytest.mark.parametrize("way", list(WAYS))
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_scan(sw: World, case: Case, way: str) -> None:
    # given the case's pick
    pick, scan = case.given(sw)
    before = state(pick)
    # when the worker scans (through the service, the API or the page)
    answer = WAYS[way](sw, pick, scan)
    # then the same outcome and message, whatever the way
    assert (answer.status, answer.outcome) == (case.status, case.outcome), answer
    assert case.detail in answer.detail, answer.detail
    if way != "page":
        assert case.parsed.items() <= answer.parsed.items(), answer.parsed
    # and the lines changed as the case says, or not at all
    if case.then is None:
        assert state(pick) == before
    else:
        assert case.then(sw, pick), lines(pick)


# --- Beyond the table -------------------------------------------------------------------------------------


def test_a_lot_on_lines_adds_units_to_the_first_line_with_room(world: World) -> None:
    # given two lines of lot L1 (one per bin)
    world.receive(world.lot_wh, "A1", {"quantity": 2, "lot_no": "L1", "expiration_date": EXP_EARLY})
    world.receive(world.lot_wh, "B1", {"quantity": 5, "lot_no": "L1", "expiration_date": EXP_EARLY})
    pick = make_pick(world, (world.lot_wh, 7))
    first, second = PickLine.objects.filter(pick=pick).order_by("line_no")
    # when L1 is scanned three times, the last time with a quantity of 2
    pick_scan(pick_id=pick.pk, code="L1", user=world.worker)
    pick_scan(pick_id=pick.pk, code="L1", quantity="", user=world.worker)
    result = pick_scan(pick_id=pick.pk, code="L1", quantity="2", user=world.worker)
    # then the first line is full (2) and the second got the 2 units of the last scan
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.qty_to_handle, second.qty_to_handle) == (2, 2)
    assert result.line == second and (result.lot_no, result.quantity) == ("L1", 2)


def test_a_serial_on_a_line_of_several_splits_off_one_unit_then_fills_the_blank_line(world: World) -> None:
    world.receive(world.sn_spec, "A1", *({"quantity": 1, "serial_no": f"X{i}"} for i in range(3)))
    pick = make_pick(world, (world.sn_spec, 3))
    (line,) = PickLine.objects.filter(pick=pick)
    result = pick_scan(pick_id=pick.pk, code="X2", user=world.worker)
    assert result.line is not None and result.line.pk != line.pk
    assert (result.line.serial_no, result.line.quantity, result.line.qty_to_handle) == ("X2", 1, 1)
    again = pick_scan(pick_id=pick.pk, code="X0", user=world.worker)
    assert again.line is not None and again.line.pk not in (line.pk, result.line.pk)
    assert sorted(PickLine.objects.filter(pick=pick).values_list("serial_no", "quantity")) == [
        ("", 1),
        ("X0", 1),
        ("X2", 1),
    ]


def test_scanning_needs_a_visible_pick_and_the_right_to_handle_lines(world: World) -> None:
    world.receive(world.sn_wh, "A1", {"quantity": 1, "serial_no": "W1"})
    pick = make_pick(world, (world.sn_wh, 1))
    with pytest.raises(NotFoundError):
        pick_scan(pick_id=pick.pk, code="W1", user=world.outsider)
    viewer = world.add_user("viewer", "", world.location)
    viewer.user_permissions.add(*_perms("view_pick"))
    with pytest.raises(PermissionDeniedError):
        pick_scan(pick_id=pick.pk, code="W1", user=type(viewer).objects.get(pk=viewer.pk))
    assert (
        api_client_for(world.outsider)
        .post(f"/api/v1/picks/{pick.pk}/scan/", {"code": "W1"}, format="json")
        .status_code
        == 404
    )
    with pytest.raises(NotFoundError):  # a line of another pick
        pick_scan(pick_id=pick.pk, code="W1", line_id=first_line_id(pick) + 999, user=world.worker)
    assert PickLine.objects.get(pick=pick).qty_to_handle == 0


def test_scan_queries_do_not_grow_with_the_lines_of_the_pick(world: World) -> None:
    # given a pick of 3 serial numbers and one of 300 (one line each)
    world.receive(world.sn_wh, "A1", *serials(303, prefix="W", expiration=None))
    small = make_pick(world, (world.sn_wh, 3))
    large = make_pick(world, (world.sn_wh, 300))
    small_serial = PickLine.objects.filter(pick=small).order_by("line_no")[1].serial_no
    large_serial = PickLine.objects.filter(pick=large).order_by("-line_no")[0].serial_no
    first = PickLine.objects.filter(pick=small).order_by("line_no")[0].serial_no
    pick_scan(pick_id=small.pk, code=first, user=world.worker)  # the user's roles are read once
    # when a serial number on each is scanned
    with CaptureQueriesContext(connection) as few:
        pick_scan(pick_id=small.pk, code=small_serial, user=world.worker)
    with CaptureQueriesContext(connection) as many:
        pick_scan(pick_id=large.pk, code=large_serial, user=world.worker)
    # then both cost the same number of queries
    assert len(few) == len(many), [q["sql"] for q in many.captured_queries]


def _perms(*codenames: str) -> Any:
    from django.contrib.auth.models import Permission

    return Permission.objects.filter(content_type__app_label="picking", codename__in=codenames)
