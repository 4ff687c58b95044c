"""The activity log: every change to a pick, its lines, a source document and its item tracking lines is
recorded with who, when, before and after, inside the change's transaction; supervisors read it per
document and per user, at their locations only; it outlives deleted picks."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import ActivityEntry
from picking.models import PostedPick, SourceLine
from picking.services.activity import pick_lines_values
from picking.services.item_tracking_lines import item_tracking_lines_replace
from picking.services.pick_assign import pick_assign
from picking.services.pick_create import pick_create_from_source
from picking.services.pick_delete import pick_delete, pick_line_delete
from picking.services.pick_line_split import pick_line_split
from picking.services.pick_line_update import pick_line_set_qty_to_handle
from picking.services.pick_post import pick_post, pick_post_and_delete_rest
from picking.services.pick_qty_to_handle import pick_autofill_qty_to_handle, pick_delete_qty_to_handle
from picking.services.source_lines import source_line_set_quantity
from tests.clients import api_client_for, browser_for, ok
from tests.world import World, document, make_pick, pick_from, source_line

pytestmark = pytest.mark.django_db


def entries(**filters: Any) -> list[tuple[str, str, str, str]]:
    """(user, action, operation, object) of the log, oldest first."""
    return [
        (e.username, e.action, e.operation, e.object_repr)
        for e in ActivityEntry.objects.filter(**filters).order_by("pk")
    ]


def test_every_change_of_a_pick_is_logged_and_outlives_the_pick(world: World) -> None:
    world.receive(world.plain, "A1", {"quantity": 10})
    sup = world.supervisor
    pick = make_pick(world, (world.plain, 5), no="SO-LOG1")
    line = pick.lines.get()
    pick_assign(pick_id=pick.pk, assigned_to_username=world.worker.username, user=sup)
    pick_line_split(pick_line_id=line.pk, quantity="2", user=sup)
    pick_line_set_qty_to_handle(pick_line_id=line.pk, qty_to_handle="3", user=world.worker)
    pick_delete_qty_to_handle(pick_id=pick.pk, user=sup)
    pick_autofill_qty_to_handle(pick_id=pick.pk, user=sup)
    pick_post(pick_id=pick.pk, user=sup)
    doc = document(world, (world.plain, 3), no="SO-LOG2")
    second = pick_from(world, doc)
    pick_line_delete(pick_line_id=second.lines.get().pk, user=sup)
    # then each change is in the log, by whom, in the order made
    no = pick.no
    assert entries(document_no=no) == [
        ("sup-main", "created", "pick_create", no),
        ("sup-main", "created", "pick_create", f"{no} line 10000"),
        ("sup-main", "changed", "pick_assign", no),
        ("sup-main", "changed", "pick_line_split", f"{no} line 10000"),
        ("sup-main", "changed", "pick_line_split", f"{no} line 20000"),
        ("worker-main", "changed", "pick_line_update", f"{no} line 10000"),
        ("sup-main", "changed", "pick_delete_qty_to_handle", f"{no} line 10000"),
        ("sup-main", "changed", "pick_autofill_qty_to_handle", f"{no} line 10000"),
        ("sup-main", "changed", "pick_autofill_qty_to_handle", f"{no} line 20000"),
        ("sup-main", "posted", "pick_post", no),
        ("sup-main", "posted", "pick_post", f"{no} line 10000"),
        ("sup-main", "posted", "pick_post", f"{no} line 20000"),
    ]
    split = ActivityEntry.objects.get(operation="pick_line_split", object_repr=f"{no} line 20000")
    assert (split.before, split.after and split.after["quantity"]) == (None, "2")
    update = ActivityEntry.objects.get(operation="pick_line_update")
    assert update.before is not None and update.after is not None
    assert (update.before["qty_to_handle"], update.after["qty_to_handle"]) == ("0", "3")
    assert ActivityEntry.objects.get(operation="pick_assign").after == {"assigned_to": "worker-main"}
    # and the deleted line of the second pick (and the pick, left without lines) stay in the log
    assert entries(document_no=second.no)[-2:] == [
        ("sup-main", "deleted", "pick_line_delete", second.no),
        ("sup-main", "deleted", "pick_line_delete", f"{second.no} line 10000"),
    ]


def test_the_entries_of_created_lines_hold_the_values_the_log_keeps_of_lines(world: World) -> None:
    """Creating a pick logs its lines from the rows inserted (built by PostgreSQL): the same entries as
    every other change, values as `pick_lines_values` reads them (quantities without trailing zeros)."""
    world.receive(world.plain, "A1", {"quantity": "2.5"}, {"quantity": 10})
    world.receive(world.lot_wh, "B1", {"quantity": 4, "lot_no": "L-7", "expiration_date": "2027-01-31"})
    doc = document(world, (world.plain, "7.25"), (world.lot_wh, 3), no="SO-LOG9")
    pick = pick_from(world, doc)
    # more lines for the same document: added to its open pick ("changed")
    SourceLine.objects.filter(document=doc, line_no=10000).update(quantity=Decimal("8.25"))
    pick_create_from_source(source_document_id=doc.pk, user=world.supervisor)
    logged = list(ActivityEntry.objects.filter(document_no=pick.no, object_type="pick_line").order_by("pk"))
    values = pick_lines_values(pick.pk)
    assert [(e.action, e.object_id, e.object_repr, e.before, e.after) for e in logged] == [
        (action, pk, f"{pick.no} line {values[pk]['line_no']}", None, values[pk])
        for action, pk in zip(["created"] * (len(values) - 1) + ["changed"], sorted(values), strict=True)
    ]
    assert sorted(e.after["quantity"] for e in logged if e.after) == ["1", "3", "7.25"]
    assert [(e.username, e.document_type, e.document_id, e.location_id) for e in logged[:1]] == [
        ("sup-main", "pick", pick.pk, world.location.pk)
    ]
    assert all(e.user_id == world.supervisor.pk and e.at is not None for e in logged)


def test_deleting_a_pick_and_post_and_delete_rest_are_logged(world: World) -> None:
    world.receive(world.plain, "A1", {"quantity": 10})
    sup = world.supervisor
    pick = make_pick(world, (world.plain, 2), (world.plain, 3), no="SO-LOG3")
    first = pick.lines.order_by("line_no").first()
    assert first is not None
    pick_line_set_qty_to_handle(pick_line_id=first.pk, qty_to_handle="2", user=sup)
    pick_post_and_delete_rest(pick_id=pick.pk, user=sup)
    assert [(a, o) for _, a, o, _ in entries(document_no=pick.no)][-3:] == [
        ("posted", "pick_post_and_delete_rest"),
        ("posted", "pick_post_and_delete_rest"),
        ("deleted", "pick_post_and_delete_rest"),
    ]
    other = make_pick(world, (world.plain, 1), no="SO-LOG4")
    pick_delete(pick_id=other.pk, user=sup)
    deleted = entries(document_no=other.no, action="deleted")
    assert deleted == [
        ("sup-main", "deleted", "pick_delete", other.no),
        ("sup-main", "deleted", "pick_delete", f"{other.no} line 10000"),
    ]
    gone = ActivityEntry.objects.get(operation="pick_delete", object_type="pick_line")
    assert gone.before is not None and gone.before["quantity"] == "1" and gone.after is None


def test_source_document_and_item_tracking_line_changes_are_logged(world: World) -> None:
    world.receive(world.lot_spec, "A1", {"quantity": 10, "lot_no": "L-A", "expiration_date": "2030-01-31"})
    doc = document(world, (world.lot_spec, 4), no="SO-LOG5")
    line = source_line(doc)
    item_tracking_lines_replace(
        source_line_id=line.pk, tracking=[{"lot_no": "L-A", "quantity": "2"}], user=world.supervisor
    )
    item_tracking_lines_replace(
        source_line_id=line.pk, tracking=[{"lot_no": "L-A", "quantity": "3"}], user=world.supervisor
    )
    item_tracking_lines_replace(source_line_id=line.pk, tracking=[], user=world.supervisor)
    source_line_set_quantity(source_line_id=line.pk, quantity="6", user=world.supervisor)
    logged = ActivityEntry.objects.filter(document_no="SO-LOG5").order_by("pk")
    assert [(e.object_type, e.before, e.after) for e in logged] == [
        (
            "item_tracking_line",
            None,
            {
                "serial_no": "",
                "lot_no": "L-A",
                "quantity": "2",
                "qty_handled": "0",
                "expiration_date": "2030-01-31",
            },
        ),
        (
            "item_tracking_line",
            {
                "serial_no": "",
                "lot_no": "L-A",
                "quantity": "2",
                "qty_handled": "0",
                "expiration_date": "2030-01-31",
            },
            {
                "serial_no": "",
                "lot_no": "L-A",
                "quantity": "3",
                "qty_handled": "0",
                "expiration_date": "2030-01-31",
            },
        ),
        (
            "item_tracking_line",
            {
                "serial_no": "",
                "lot_no": "L-A",
                "quantity": "3",
                "qty_handled": "0",
                "expiration_date": "2030-01-31",
            },
            None,
        ),
        ("source_line", {"quantity": "4"}, {"quantity": "6"}),
    ]
    assert {e.document_type for e in logged} == {"source_document"}


def test_source_documents_created_over_the_api_are_logged(world: World, erp_api: Any) -> None:
    body = {
        "type": "sales_order",
        "no": "SO-LOG6",
        "location": "MAIN",
        "lines": [{"line_no": 1, "item": "PLAIN", "quantity": 2}],
    }
    ok(erp_api.post("/api/v1/source-documents/", body, format="json"), 201)
    assert entries(document_no="SO-LOG6") == [
        ("erp", "created", "source_document_create", "Sales order SO-LOG6")
    ]


def test_logging_a_bulk_change_takes_the_same_queries_for_1_and_60_lines(world: World) -> None:
    world.receive(world.plain, "A1", {"quantity": 100})

    def autofill_queries(count: int, no: str) -> int:
        pick = make_pick(world, *((world.plain, 1) for _ in range(count)), no=no)
        with CaptureQueriesContext(connection) as queries:
            pick_autofill_qty_to_handle(pick_id=pick.pk, user=world.supervisor)
        assert (
            ActivityEntry.objects.filter(document_no=pick.no, operation="pick_autofill_qty_to_handle").count()
            == count
        )
        return len(queries)

    assert autofill_queries(1, "SO-Q1") == autofill_queries(60, "SO-Q60")


# --- Who may read it -------------------------------------------------------------------------------------


@pytest.fixture
def logged(world: World) -> str:
    """A pick at MAIN, created and deleted by MAIN's supervisor: its log entries."""
    world.receive(world.plain, "A1", {"quantity": 5})
    pick = make_pick(world, (world.plain, 1), no="SO-READ")
    pick_delete(pick_id=pick.pk, user=world.supervisor)
    return pick.no


def test_supervisors_read_the_log_per_document_and_per_user(world: World, logged: str) -> None:
    api = api_client_for(world.supervisor)
    by_document = ok(api.get("/api/v1/activity/", {"document": logged}))["results"]
    assert [(e["action"], e["object_repr"]) for e in by_document][:2] == [
        ("deleted", f"{logged} line 10000"),
        ("deleted", logged),
    ]
    by_user = ok(api.get("/api/v1/activity/", {"user": "sup-main"}))["results"]
    assert {e["document_no"] for e in by_user} == {logged}
    assert ok(api.get("/api/v1/activity/", {"user": "worker-main"}))["results"] == []
    page = browser_for(world.supervisor).get("/activity/", {"document": logged})
    assert page.status_code == 200 and f"{logged} line 10000" in page.content.decode()


def test_a_supervisor_of_another_location_reads_nothing_of_it(world: World, logged: str) -> None:
    api = api_client_for(world.outsider)
    assert ok(api.get("/api/v1/activity/", {"document": logged}))["results"] == []
    assert ok(api.get("/api/v1/activity/"))["results"] == []
    page = browser_for(world.outsider).get("/activity/", {"document": logged})
    assert page.status_code == 200 and logged not in page.content.decode().replace(f'value="{logged}"', "")


@pytest.mark.parametrize("who", ["worker", "integration"])
def test_workers_and_integrations_may_not_read_it(world: World, logged: str, who: str) -> None:
    user = world.worker if who == "worker" else world.add_user("erp-read", "integration")
    assert ok(api_client_for(user).get("/api/v1/activity/"), 403)["code"] == "permission_denied"
    assert browser_for(user).get("/activity/").status_code == 403


def test_bulk_changes_are_logged_with_exactly_the_values_before_and_after(world: World) -> None:
    """Autofill, Delete Qty. to Handle, posting and registering log their lines through the database
    (`record_pick_lines_update`): the entries hold the same values the line-by-line log would (quantities
    without trailing zeros, the bin's id, the numbers), for exactly the lines that change."""
    world.receive(world.plain, "A1", {"quantity": 10})
    sup = world.supervisor
    pick = make_pick(world, (world.plain, Decimal("4.5")), no="SO-LOGV")
    line = pick.lines.get()
    pick_line_split(pick_line_id=line.pk, quantity="1.5", user=sup)
    pick_line_set_qty_to_handle(pick_line_id=line.pk, qty_to_handle="3", user=sup)
    expected_fill = {
        pk: (values, {**values, "qty_to_handle": values["quantity"]})
        for pk, values in pick_lines_values(pick.pk).items()
        if values["qty_to_handle"] != values["quantity"]
    }
    pick_autofill_qty_to_handle(pick_id=pick.pk, user=sup)
    before_post = pick_lines_values(pick.pk)
    pick_post(pick_id=pick.pk, user=sup)

    def logged(operation: str) -> dict[int | None, tuple[Any, Any]]:
        return {
            e.object_id: (e.before, e.after)
            for e in ActivityEntry.objects.filter(operation=operation, object_type="pick_line")
        }

    # only the split-off line (Qty. to Handle 0) changed on autofill; the other had 3 of 3 already
    assert len(expected_fill) == 1
    assert logged("pick_autofill_qty_to_handle") == expected_fill
    assert logged("pick_post") == {
        pk: (values, {**values, "qty_handled": values["quantity"], "qty_to_handle": "0"})
        for pk, values in before_post.items()
    }
    assert {v["quantity"] for v in before_post.values()} == {"3", "1.5"}
    assert ActivityEntry.objects.get(operation="pick_post", object_type="pick").after == {
        "posted_pick": PostedPick.objects.get(pick=pick).no,
        "status": "completed",
    }
