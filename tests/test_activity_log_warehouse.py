"""The activity log of the warehouse flow: creating, changing, posting and deleting warehouse shipments and
their lines, creating, registering and deleting warehouse picks, each with who, before and after; read per
shipment and per pick by supervisors of the location only."""

from __future__ import annotations

from typing import Any

import pytest

from core.models import ActivityEntry
from picking.services.pick_line_update import pick_line_set_qty_to_handle
from picking.services.pick_register import pick_register, pick_register_and_delete_rest
from picking.services.shipment_lines import (
    warehouse_shipment_delete,
    warehouse_shipment_line_delete,
    warehouse_shipment_line_update,
)
from tests.clients import api_client_for, browser_for, ok
from tests.world import (
    World,
    document,
    post_shipment,
    shipment_for,
    shipment_line,
    warehouse_pick_for,
)

pytestmark = pytest.mark.django_db


def entries(**filters: Any) -> list[tuple[str, str, str, str]]:
    """(user, action, operation, object) of the log, oldest first."""
    return [
        (e.username, e.action, e.operation, e.object_repr)
        for e in ActivityEntry.objects.filter(**filters).order_by("pk")
    ]


def test_the_warehouse_flow_is_logged_per_shipment_and_per_pick(world: World) -> None:
    # given 5 units at WHSE and an order of 3 + 2 on a shipment
    whse = world.add_warehouse()
    world.receive(world.plain, world.bin("W1", whse), {"quantity": 5})
    doc = document(world, (world.plain, 3), (world.plain, 2), no="SO-WLOG", location=whse)
    sup, worker = world.supervisor, world.worker
    shipment = shipment_for(world, doc)
    pick = warehouse_pick_for(world, shipment)
    first, second = pick.lines.filter(action="take").order_by("line_no")
    # when the worker handles 3 of the first pair and registers, then the supervisor registers the second
    # pair's 1 unit and deletes the rest, lowers Qty. to Ship and posts
    pick_line_set_qty_to_handle(pick_line_id=first.pk, qty_to_handle="3", user=worker)
    registered = pick_register(pick_id=pick.pk, user=worker)
    pick_line_set_qty_to_handle(pick_line_id=second.pk, qty_to_handle="1", user=sup)
    rest = pick_register_and_delete_rest(pick_id=pick.pk, user=sup)
    assert rest is not None
    warehouse_shipment_line_update(shipment_line_id=shipment_line(shipment).pk, qty_to_ship="2", user=sup)
    posted = post_shipment(world, shipment)

    # then the shipment's log says who created, changed and posted it, line by line
    no = shipment.no
    assert entries(document_type="warehouse_shipment", document_no=no) == [
        ("sup-main", "created", "warehouse_shipment_create", no),
        ("sup-main", "created", "warehouse_shipment_create", f"{no} line 10000"),
        ("sup-main", "created", "warehouse_shipment_create", f"{no} line 20000"),
        ("sup-main", "changed", "warehouse_shipment_line_update", f"{no} line 10000"),
        ("sup-main", "posted", "warehouse_shipment_post", no),
        ("sup-main", "posted", "warehouse_shipment_post", f"{no} line 10000"),
        ("sup-main", "posted", "warehouse_shipment_post", f"{no} line 20000"),
    ]
    change = ActivityEntry.objects.get(operation="warehouse_shipment_line_update")
    assert change.before is not None and change.after is not None
    assert (change.before["qty_to_ship"], change.after["qty_to_ship"]) == ("3", "2")
    post = ActivityEntry.objects.get(operation="warehouse_shipment_post", object_type="warehouse_shipment")
    assert post.after == {"posted_shipment": posted.no}
    shipped = ActivityEntry.objects.get(operation="warehouse_shipment_post", object_repr=f"{no} line 10000")
    assert shipped.after is not None and shipped.after["qty_shipped"] == "2"
    # and the pick's log: created, handled, registered (by the worker), registered and the rest deleted
    pick_log = [(u, a, o) for u, a, o, _ in entries(document_type="pick", document_no=pick.no)]
    assert ("sup-main", "created", "warehouse_pick_create") in pick_log
    created = ActivityEntry.objects.filter(operation="warehouse_pick_create", object_type="pick_line")
    assert created.count() == 4  # two take/place pairs, one entry per line, with its values
    assert all(e.before is None and e.after and e.after["qty_handled"] == "0" for e in created)
    assert sorted(e.after["quantity"] for e in created if e.after) == ["2", "2", "3", "3"]
    assert pick_log.count(("worker-main", "registered", "pick_register")) == 3  # the pick and one pair
    assert ("sup-main", "registered", "pick_register_and_delete_rest") in pick_log
    assert ("sup-main", "deleted", "pick_register_and_delete_rest") in pick_log
    reg = ActivityEntry.objects.get(operation="pick_register", object_type="pick")
    assert reg.after == {"registered_pick": registered.no, "status": "in_progress"}
    take = ActivityEntry.objects.get(operation="pick_register", object_repr=f"{pick.no} line {first.line_no}")
    assert take.before is not None and take.after is not None
    assert (take.before["qty_handled"], take.after["qty_handled"]) == ("0", "3")


def test_deleting_shipments_and_shipment_lines_is_logged_and_outlives_them(world: World) -> None:
    whse = world.add_warehouse()
    sup = world.supervisor
    doc = document(world, (world.plain, 3), (world.plain, 2), no="SO-WDEL", location=whse)
    shipment = shipment_for(world, doc)
    warehouse_shipment_line_delete(shipment_line_id=shipment_line(shipment, 20000).pk, user=sup)
    warehouse_shipment_delete(shipment_id=shipment.pk, user=sup)
    no = shipment.no
    assert entries(document_no=no, action="deleted") == [
        ("sup-main", "deleted", "warehouse_shipment_line_delete", f"{no} line 20000"),
        ("sup-main", "deleted", "warehouse_shipment_delete", no),
        ("sup-main", "deleted", "warehouse_shipment_delete", f"{no} line 10000"),
    ]
    gone = ActivityEntry.objects.get(operation="warehouse_shipment_delete", object_type="shipment_line")
    assert gone.before is not None and gone.before["quantity"] == "3" and gone.after is None
    # a supervisor of WHSE reads it over the API and on the page, one of another location does not
    api = ok(api_client_for(sup).get("/api/v1/activity/", {"document": no}))["results"]
    assert [e["action"] for e in api] == ["deleted"] * 3 + ["created"] * 3
    page = browser_for(sup).get("/activity/", {"document": no})
    assert page.status_code == 200 and f"{no} line 20000" in page.content.decode()
    assert ok(api_client_for(world.outsider).get("/api/v1/activity/", {"document": no}))["results"] == []
    assert ok(api_client_for(world.worker).get("/api/v1/activity/"), 403)["code"] == "permission_denied"


def test_a_change_to_one_line_logs_what_comparing_the_whole_pick_logs(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Splitting a take line and setting Qty. to Handle read only the lines they can touch (the line, its
    place line, the lines they make); the log is what comparing every line of the pick before and after
    gives. Checked by running the same changes on a twin pick with the comparison of every line."""
    from picking.services import activity
    from picking.services.pick_line_split import pick_line_split

    whse = world.add_warehouse()
    world.receive(world.plain, world.bin("W1", whse), {"quantity": 20})

    def run(no: str) -> list[tuple[str, str, Any, Any]]:
        doc = document(world, (world.plain, 4), (world.plain, 3), no=no, location=whse)
        pick = warehouse_pick_for(world, shipment_for(world, doc))
        first, second = pick.lines.filter(action="take").order_by("line_no")
        new = pick_line_split(pick_line_id=first.pk, quantity="1", user=world.supervisor)
        pick_line_set_qty_to_handle(pick_line_id=new.pk, qty_to_handle="1", user=world.worker)
        pick_line_set_qty_to_handle(pick_line_id=second.pk, qty_to_handle="2", user=world.worker)
        logged = ActivityEntry.objects.filter(
            document_no=pick.no, operation__in=["pick_line_split", "pick_line_update"]
        ).order_by("pk")
        ids = dict(pick.lines.values_list("pk", "line_no"))
        return [(e.operation, e.action, ids.get(e.object_id or 0), (e.before, e.after)) for e in logged]

    scoped = run("SO-SCOPE-1")
    everything = activity.pick_lines_values

    def whole_pick(pick_id: int, line_ids: Any) -> Any:
        last = activity.PickLine.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        concerned = activity.LinesConcerned(pick_id=pick_id, line_ids=(), last_pk=last)
        monkeypatch.setattr(
            concerned.__class__,
            "queryset",
            lambda self: activity.PickLine.objects.filter(pick_id=self.pick_id),
        )
        return concerned, everything(pick_id)

    monkeypatch.setattr("picking.services.pick_line_split.pick_lines_values_concerned", whole_pick)
    monkeypatch.setattr("picking.services.pick_line_update.pick_lines_values_concerned", whole_pick)
    assert run("SO-SCOPE-2") == scoped
    # the split changed the take line and its place line, and made a take line with its place line
    split = [
        (line_no, values[0] is None)
        for operation, _a, line_no, values in scoped
        if operation == "pick_line_split"
    ]
    assert [made for _line_no, made in split] == [False, False, True, True]
    assert len({line_no for line_no, _made in split}) == 4
