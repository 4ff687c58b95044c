"""The pick pages: what a worker and a supervisor see and may do, bad input, scoping, query counts."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import Job
from picking.models import Pick, PickLine, PostedPick
from picking.services.pick_assign import pick_assign
from picking.tests.picks_pages.pages import (
    card,
    create_pick,
    follow,
    inputs,
    line_url,
    lines_of,
    set_qty,
    text,
)
from tests.clients import browser_for
from tests.world import World, document, make_pick, source_line

pytestmark = pytest.mark.django_db


def state(pick: Pick) -> list[tuple[int, str, str, str, str, str]]:
    """Everything a refused action must leave as it was."""
    return [
        (
            ln.line_no,
            ln.bin.code if ln.bin else "",
            ln.lot_no,
            ln.serial_no,
            str(ln.quantity),
            str(ln.qty_to_handle),
        )
        for ln in lines_of(pick)
    ]


# --- Bad input: a clear message next to the line, nothing changed ---------------------------------


def test_bad_quantities_are_refused_next_to_the_line(world: World) -> None:
    # given a lot line of 4 and a serial line, both proposed (case 1)
    world.receive(world.lot_wh, "A1", {"quantity": 5, "lot_no": "L1"})
    world.receive(world.sn_wh, "A1", {"quantity": 1, "serial_no": "S1"})
    pick = make_pick(world, (world.lot_wh, 4), (world.sn_wh, 1))
    lot_line, serial_line = lines_of(pick)
    worker = browser_for(world.worker)
    before = state(pick)
    cases = [
        (lot_line, {"qty_to_handle": "5"}, "Qty. to Handle 5 is more than the 4 still outstanding"),
        (lot_line, {"qty_to_handle": "-1"}, "Qty. to Handle cannot be negative"),
        (lot_line, {"qty_to_handle": "abc"}, "'abc' is not a quantity"),
        (lot_line, {"qty_to_handle": ""}, "Enter the Qty. to Handle"),
        (serial_line, {"qty_to_handle": "2"}, "Serial number S1 is one unit: Qty. to Handle is 0 or 1"),
        (lot_line, {"lot_no": "NOPE"}, "Lot NOPE of item LOT-WH is not in bin A1"),
        (serial_line, {"serial_no": "S404"}, "Serial number S404 of item SN-WH is not in bin A1"),
    ]
    for line, data, message in cases:
        # when the worker sends it
        response = worker.post(line_url(line), data)
        # then the page comes back with the message at the top and next to the line
        assert response.status_code in (400, 409), data
        page = text(response)
        fragment = card(page, line)
        assert message in fragment, (data, fragment)
        assert 'role="alert"' in fragment and 'class="messages"' in page
        # and the value typed stays in the field so the worker can correct it
        if data.get("qty_to_handle"):
            assert f'value="{data["qty_to_handle"]}"' in fragment
    # and nothing changed
    assert state(pick) == before
    # but a decimal comma is understood
    follow(worker, set_qty(worker, lot_line, "2,5"))
    lot_line.refresh_from_db()
    assert lot_line.qty_to_handle == Decimal("2.5")


def test_bad_split_scan_and_post_are_refused_with_clear_messages(world: World) -> None:
    # given a lot line of 4 (case 1)
    world.receive(world.lot_wh, "A1", {"quantity": 5, "lot_no": "L1"})
    pick = make_pick(world, (world.lot_wh, 4))
    (line,) = lines_of(pick)
    worker, supervisor = browser_for(world.worker), browser_for(world.supervisor)
    before = state(pick)
    # when the worker splits off nothing, everything, or no quantity
    for quantity, message in (
        ("0", "Enter a quantity above 0 to split off"),
        ("4", "Split off less than the 4 outstanding"),
        ("", "Enter the quantity to split off"),
    ):
        response = worker.post(line_url(line, "split"), {"quantity": quantity})
        assert response.status_code == 400 and message in card(text(response), line), quantity
    # and scans a number no line can take, or nothing
    response = worker.post(f"/picks/{pick.pk}/scan/", {"code": "ZZZ-9"})
    assert response.status_code == 409
    assert f"No open line of pick {pick.no} can take ZZZ-9" in text(response)
    # (the scan box is empty again, so the next scan is not glued onto the refused one)
    assert 'value="ZZZ-9"' not in text(response) and 'name="code" id="id_code" value=""' in text(response)
    assert worker.post(f"/picks/{pick.pk}/scan/", {"code": "  "}).status_code == 400
    # and the supervisor posts with nothing to handle
    response = supervisor.post(f"/picks/{pick.pk}/post/")
    assert response.status_code == 409 and "Nothing to post on pick" in text(response)
    # then nothing changed and nothing was posted
    assert state(pick) == before and not PostedPick.objects.exists()


def test_a_refused_posting_shows_each_problem_next_to_its_line(world: World) -> None:
    # given a pick of a specific serial item (case 3) and a plain item, both set to handle, no serial chosen
    world.receive(world.sn_spec, "A1", {"quantity": 1, "serial_no": "X1"})
    world.receive(world.plain, "A1", {"quantity": 3})
    pick = make_pick(world, (world.sn_spec, 1), (world.plain, 2))
    serial_line, plain_line = lines_of(pick)
    supervisor = browser_for(world.supervisor)
    follow(supervisor, supervisor.post(f"/picks/{pick.pk}/autofill-qty-to-handle/"))
    # when the supervisor posts
    response = supervisor.post(f"/picks/{pick.pk}/post/")
    # then it is refused: the serial line says what is missing, the plain line has no error
    assert response.status_code == 409
    page = text(response)
    assert "was not posted; nothing was changed" in page
    assert "needs a serial number before it can be posted" in card(page, serial_line)
    assert 'data-testid="line-error"' not in card(page, plain_line)
    assert not PostedPick.objects.exists()
    assert source_line(pick.source_document, 20000).qty_shipped == 0  # type: ignore[arg-type]


# --- Locked lines ---------------------------------------------------------------------------------


def test_locked_line_offers_only_qty_to_handle_and_refuses_forged_changes(world: World) -> None:
    # given a pick line of a prescribed serial next to an unlocked one (case 4 and case 3)
    world.receive(world.sn_spec, "A1", {"quantity": 1, "serial_no": "X1"}, {"quantity": 1, "serial_no": "X2"})
    pick = make_pick(world, (world.sn_spec, 1, {"tracking": [("X1", "", 1)]}), (world.sn_spec, 1))
    locked, free = lines_of(pick)
    assert locked.tracking_locked and not free.tracking_locked
    worker = browser_for(world.worker)
    # when the worker opens the pick
    page = text(worker.get(f"/picks/{pick.pk}/"))
    # then the locked line has only Qty. to Handle; the free line has its serial field and Select
    assert inputs(card(page, locked)) == ["csrfmiddlewaretoken", "qty_to_handle"]
    assert 'data-testid="lock"' in card(page, locked) and "X1" in card(page, locked)
    assert 'data-testid="lock"' not in card(page, free)
    # and the lock is explained once, above the lines
    assert page.count("prescribed by Sales order") == 1 and 'data-testid="lock-note"' in page
    assert "serial_no" in inputs(card(page, free)) and "/select/" in card(page, free)
    # and the Select page of the locked line lists nothing to choose
    select = text(worker.get(line_url(locked, "select")))
    assert "prescribed by the source document and cannot be changed" in select
    assert "number-choice" not in select and 'name="serial_no"' not in select
    before = state(pick)
    # when a forged POST tries to change the prescribed serial, together with Qty. to Handle
    response = worker.post(line_url(locked), {"serial_no": "X2", "qty_to_handle": "1"})
    # then it is refused with the lock message and nothing changes, not even Qty. to Handle
    assert response.status_code == 409
    assert "picks numbers prescribed by the source document" in card(text(response), locked)
    assert state(pick) == before
    # but Qty. to Handle alone may change
    follow(worker, set_qty(worker, locked, 1))
    locked.refresh_from_db()
    assert locked.qty_to_handle == 1


# --- Scanning -------------------------------------------------------------------------------------


def test_scanning_never_puts_another_number_on_a_locked_line(world: World) -> None:
    # given a pick whose only line is the prescribed serial X1; X2 is in the same bin
    world.receive(world.sn_spec, "A1", {"quantity": 1, "serial_no": "X1"}, {"quantity": 1, "serial_no": "X2"})
    pick = make_pick(world, (world.sn_spec, 1, {"tracking": [("X1", "", 1)]}))
    (locked,) = lines_of(pick)
    worker = browser_for(world.worker)
    before = state(pick)
    # when the worker scans X2
    response = worker.post(f"/picks/{pick.pk}/scan/", {"code": "X2"})
    # then it is refused with the reason: the locked line prescribes X1; the line keeps X1
    assert response.status_code == 409
    assert "picks serial no. X1, prescribed by the source document: X2 cannot take its place" in text(
        response
    )
    assert state(pick) == before
    # when the worker scans the prescribed X1: Qty. to Handle 1 on the locked line
    follow(worker, worker.post(f"/picks/{pick.pk}/scan/", {"code": "X1"}))
    locked.refresh_from_db()
    assert (locked.serial_no, locked.qty_to_handle) == ("X1", 1)


def test_scanning_a_serial_on_a_line_of_several_splits_off_one_unit(world: World) -> None:
    # given a blank line of 3 of a specific serial item (case 3)
    world.receive(
        world.sn_spec,
        "A1",
        {"quantity": 1, "serial_no": "X1"},
        {"quantity": 1, "serial_no": "X2"},
        {"quantity": 1, "serial_no": "X3"},
    )
    pick = make_pick(world, (world.sn_spec, 3))
    (line,) = lines_of(pick)
    worker = browser_for(world.worker)
    # when the worker types X2 into the line's serial field
    page = follow(worker, worker.post(line_url(line), {"serial_no": "X2"}))
    # then a one-unit line is split off carrying X2, to handle 1
    new = PickLine.objects.get(pick=pick, serial_no="X2")
    assert f"Serial number X2 was split off to a new line {new.line_no} of one unit." in page
    assert [(ln.serial_no, ln.quantity, ln.qty_to_handle) for ln in lines_of(pick)] == [
        ("", 2, 0),
        ("X2", 1, 1),
    ]
    # when X2 is scanned again at the top: it is already on its line, Qty. to Handle stays 1
    page = follow(worker, worker.post(f"/picks/{pick.pk}/scan/", {"code": "X2"}))
    assert "Serial number X2: line" in page
    assert PickLine.objects.filter(pick=pick).count() == 2


# --- Lists, scoping, permissions ------------------------------------------------------------------


def test_pick_list_shows_my_picks_first_and_filters(world: World) -> None:
    # given two picks at MAIN, one assigned to the worker, and one at EAST
    world.receive(world.plain, "A1", {"quantity": 10})
    mine = make_pick(world, (world.plain, 1))
    other = make_pick(world, (world.plain, 1))
    pick_assign(pick_id=mine.pk, assigned_to_username=world.worker.username, user=world.supervisor)
    worker, supervisor = browser_for(world.worker), browser_for(world.supervisor)
    # when the worker opens Picks: only their own pick
    page = text(worker.get("/picks/"))
    assert mine.no in page and other.no not in page
    assert '<option value="me" selected>My picks</option>' in page
    # when they choose Everyone, or Not assigned
    assert other.no in text(worker.get("/picks/", {"assigned_to": "all"}))
    unassigned = text(worker.get("/picks/", {"assigned_to": "none"}))
    assert other.no in unassigned and mine.no not in unassigned
    # then supervisors see every pick by default, and filter by status, location and document
    page = text(supervisor.get("/picks/"))
    assert mine.no in page and other.no in page
    assert "No picks match" in text(supervisor.get("/picks/", {"status": "completed"}))
    assert mine.no in text(supervisor.get("/picks/", {"location": "MAIN"}))
    not_mine = text(supervisor.get("/picks/", {"location": "EAST"}))  # not a location of theirs
    assert "Select a valid choice" in not_mine and mine.no not in not_mine
    by_doc = text(
        supervisor.get("/picks/", {"source_document": str(other.source_document_id), "assigned_to": "all"})
    )
    assert other.no in by_doc and mine.no not in by_doc
    assert other.source_document is not None
    by_no = text(supervisor.get("/picks/", {"document_no": other.source_document.no}))
    assert other.no in by_no and mine.no not in by_no
    # and a supervisor of another location sees none of them, and gets 404 on the pick and its actions
    outsider = browser_for(world.outsider)
    assert mine.no not in text(outsider.get("/picks/", {"assigned_to": "all"}))
    line = lines_of(mine)[0]
    assert outsider.get(f"/picks/{mine.pk}/").status_code == 404
    assert outsider.post(line_url(line), {"qty_to_handle": "1"}).status_code == 404
    assert outsider.post(f"/picks/{mine.pk}/delete/").status_code == 404
    assert Pick.objects.filter(pk=mine.pk).exists()
    # and a line id from another pick is 404 too
    assert worker.post(f"/picks/{other.pk}/lines/{line.pk}/", {"qty_to_handle": "1"}).status_code == 404


def test_worker_sees_no_supervisor_actions_and_cannot_use_them(world: World) -> None:
    world.receive(world.plain, "A1", {"quantity": 10})
    pick = make_pick(world, (world.plain, 2))
    (line,) = lines_of(pick)
    worker = browser_for(world.worker)
    page = text(worker.get(f"/picks/{pick.pk}/"))
    assert "Autofill Qty. to Handle" in page and "Delete Qty. to Handle" in page
    for absent in (
        "Delete pick",
        "Delete line",
        "Post handled + delete rest",
        f"/picks/{pick.pk}/post/",
        "Assign</button>",
    ):
        assert absent not in page, absent
    assert worker.get(f"/picks/{pick.pk}/delete/").status_code == 403
    assert worker.post(f"/picks/{pick.pk}/delete/").status_code == 403
    assert worker.post(line_url(line, "delete")).status_code == 403
    assert worker.post(f"/picks/{pick.pk}/post-and-delete-rest/").status_code == 403
    assert worker.post(f"/picks/{pick.pk}/assign/", {"assigned_to": "worker-main"}).status_code == 403
    assert worker.post(f"/source-documents/{pick.source_document_id}/create-pick/").status_code == 403
    assert worker.get("/picks/create/").status_code == 403
    assert state(pick) == [(line.line_no, "A1", "", "", "2.00000", "0.00000")]


def test_worker_with_the_post_permission_posts(world: World) -> None:
    from django.contrib.auth.models import Permission

    world.receive(world.plain, "A1", {"quantity": 10})
    pick = make_pick(world, (world.plain, 2))
    world.worker.user_permissions.add(Permission.objects.get(codename="post_pick"))
    worker = browser_for(world.worker)
    follow(worker, worker.post(f"/picks/{pick.pk}/autofill-qty-to-handle/"))
    page = text(worker.get(f"/picks/{pick.pk}/"))
    assert f'href="/picks/{pick.pk}/post/"' in page and "Delete pick" not in page
    page = follow(worker, worker.post(f"/picks/{pick.pk}/post/"))
    assert "1 line(s) shipped" in page and PostedPick.objects.get().posted_by == world.worker


# --- Supervisor actions ---------------------------------------------------------------------------


def test_supervisor_assigns_deletes_a_line_and_posts_handled_deleting_the_rest(world: World) -> None:
    # given a pick with a prescribed lot line and a plain line
    world.receive(world.lot_spec, "A1", {"quantity": 5, "lot_no": "L1"})
    world.receive(world.plain, "A1", {"quantity": 10})
    pick = make_pick(world, (world.lot_spec, 3, {"tracking": [("", "L1", 3)]}), (world.plain, 4))
    lot_line, plain_line = lines_of(pick)
    supervisor = browser_for(world.supervisor)
    # when the supervisor assigns the pick to the worker
    page = follow(supervisor, supervisor.post(f"/picks/{pick.pk}/assign/", {"assigned_to": "worker-main"}))
    assert (
        f"Pick {pick.no} is assigned to worker-main." in page
        and 'data-testid="assigned-to">worker-main<' in page
    )
    refused = supervisor.post(f"/picks/{pick.pk}/assign/", {"assigned_to": "sup-east"})
    assert refused.status_code == 400 and "is not a warehouse employee at location MAIN" in text(refused)
    # and opens Delete line on the prescribed line: the CAUTION is shown
    confirm = text(supervisor.get(line_url(lot_line, "delete")))
    assert "CAUTION: prescribed numbers." in confirm and "lot L1" in confirm
    # but on the plain line there is no caution
    assert "CAUTION" not in text(supervisor.get(line_url(plain_line, "delete")))
    page = follow(supervisor, supervisor.post(line_url(plain_line, "delete")))
    assert f"Line {plain_line.line_no} was deleted" in page
    assert source_line(pick.source_document, 20000).qty_on_picks == 0  # type: ignore[arg-type]
    # when the worker handled 2 of the lot and the supervisor posts handled, deleting the rest
    follow(supervisor, set_qty(supervisor, lot_line, 2))
    confirm = text(supervisor.get(f"/picks/{pick.pk}/post-and-delete-rest/"))
    assert "These 1 line(s) ship now" in confirm and "CAUTION: prescribed numbers." in confirm
    response = supervisor.post(f"/picks/{pick.pk}/post-and-delete-rest/")
    posted = PostedPick.objects.get()
    page = follow(supervisor, response)
    assert f"Posted as {posted.no}; the rest of the pick was deleted" in page
    # then 2 shipped, 1 back on the source line, the prescribed tracking line unchanged but for handled
    lot_source = source_line(pick.source_document, 10000)  # type: ignore[arg-type]
    assert (lot_source.qty_shipped, lot_source.qty_on_picks) == (2, 0)
    assert [(t.lot_no, t.quantity, t.qty_handled, t.origin) for t in lot_source.tracking_lines.all()] == [
        ("L1", 3, 2, "source")
    ]


def test_batch_create_page_starts_a_job_and_checks_the_range(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    world.receive(world.plain, "A1", {"quantity": 10})
    document(world, (world.plain, 1), no="SO-A1")
    document(world, (world.plain, 1), no="SO-A2")
    supervisor = browser_for(world.supervisor)
    page = text(supervisor.get("/picks/create/"))
    assert "Create Inventory Picks" in page and '<option value="MAIN">' in page and "EAST" not in page
    # when the range is reversed: the form says so, no job
    refused = supervisor.post("/picks/create/", {"location": "MAIN", "no_from": "SO-B", "no_to": "SO-A"})
    assert refused.status_code == 400 and "'from' comes after 'to'" in text(refused)
    assert not Job.objects.exists()
    # when the supervisor creates picks for SO-A1..SO-A2 (Celery runs eagerly in tests)
    with django_capture_on_commit_callbacks(execute=True):
        response = supervisor.post(
            "/picks/create/",
            {"location": "MAIN", "document_type": "sales_order", "no_from": "SO-A1", "no_to": "SO-A2"},
        )
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    # then the job page shows the result
    page = follow(supervisor, response)
    assert "2 picks created" in page
    assert Pick.objects.count() == 2


def test_create_pick_reports_what_could_not_be_picked(world: World) -> None:
    world.receive(world.plain, "A1", {"quantity": 1})
    doc = document(world, (world.plain, 3))
    supervisor = browser_for(world.supervisor)
    pick, page = create_pick(supervisor, doc)
    assert f"Pick {pick.no} was created with 1 line(s)." in page
    assert "Line 10000, item PLAIN: 2 could not be picked:" in page
    # and a second press with nothing left to pick says so on the document page
    page = follow(supervisor, supervisor.post(f"/source-documents/{doc.pk}/create-pick/"))
    assert 'class="message message-error"' in page


# --- Query counts ---------------------------------------------------------------------------------


def _pick_of(world: World, serials: int, no: str) -> Pick:
    world.receive(world.sn_wh, "A1", *({"quantity": 1, "serial_no": f"{no}-{i:04d}"} for i in range(serials)))
    world.receive(world.lot_spec, "B1", {"quantity": 5, "lot_no": f"{no}-L"})
    return make_pick(
        world,
        (world.sn_wh, serials),
        (world.lot_spec, 2, {"tracking": [("", f"{no}-L", 2)]}),
        (world.lot_spec, 1),
    )


@pytest.mark.parametrize("role", ["worker", "supervisor"])
def test_pick_page_queries_do_not_grow_with_lines(world: World, role: str) -> None:
    # given a pick of 10 serial lines and one of 200, each with a locked and a blank line too
    small, large = _pick_of(world, 10, "S"), _pick_of(world, 200, "L")
    assert small.lines.count() == 12 and large.lines.count() == 202
    client = browser_for(getattr(world, role))
    client.get(f"/picks/{small.pk}/")  # warm the session
    # when the page of each is opened
    with CaptureQueriesContext(connection) as few:
        response = client.get(f"/picks/{small.pk}/")
    with CaptureQueriesContext(connection) as many:
        large_response = client.get(f"/picks/{large.pk}/")
    # then both take the same number of queries
    assert response.status_code == 200 and large_response.status_code == 200
    # (the first 25 lines in walking order, and a button for the next ones)
    assert text(large_response).count("data-line-no=") == 25
    assert 'data-testid="more-lines"' in text(large_response)
    assert len(few) == len(many), [q["sql"] for q in many.captured_queries]
    assert len(many) <= 12, len(many)
