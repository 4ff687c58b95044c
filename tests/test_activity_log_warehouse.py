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


def _logged(pick: Any, operations: list[str]) -> list[tuple[str, str, Any, Any]]:
    """(operation, action, line no., (before, after)) of the pick's entries of `operations`, with the
    numbers a series gave written as "N" (twin picks get different numbers from the same series)."""

    def plain(values: Any) -> Any:
        if values is None:
            return None
        return {k: ("N" if k in ("serial_no", "lot_no") and v else v) for k, v in values.items()}

    logged = ActivityEntry.objects.filter(document_no=pick.no, operation__in=operations).order_by("pk")
    ids = dict(pick.lines.values_list("pk", "line_no"))
    return [
        (e.operation, e.action, ids.get(e.object_id or 0), (plain(e.before), plain(e.after))) for e in logged
    ]


def _compare_every_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on, changes to one line read and compare every line of the pick (as they used to)."""
    from picking.models import PickLine
    from picking.services import activity

    monkeypatch.setattr(
        activity.LinesConcerned, "queryset", lambda self: PickLine.objects.filter(pick_id=self.pick_id)
    )


def test_a_change_to_one_line_logs_what_comparing_the_whole_pick_logs(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Splitting a take line and setting Qty. to Handle read only the lines they can touch (the line, its
    place line, the lines they make); the log is what comparing every line of the pick before and after
    gives. Checked by running the same changes on a twin pick with the comparison of every line."""
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
        return _logged(pick, ["pick_line_split", "pick_line_update"])

    scoped = run("SO-SCOPE-1")
    _compare_every_line(monkeypatch)
    assert run("SO-SCOPE-2") == scoped
    # the split changed the take line and its place line, and made a take line with its place line
    split = [
        (line_no, values[0] is None)
        for operation, _a, line_no, values in scoped
        if operation == "pick_line_split"
    ]
    assert [made for _line_no, made in split] == [False, False, True, True]
    assert len({line_no for line_no, _made in split}) == 4


def test_numbers_assigned_from_a_series_log_what_comparing_the_whole_pick_logs(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Case 2 on an inventory pick: serial numbers and a lot number from the items' series, on a pick with
    other lines; the same entries as comparing every line of the pick."""
    from picking.services.pick_line_assign import pick_line_assign_lot_no, pick_line_assign_serial_nos
    from tests.world import make_pick

    world.receive(world.sn_out, "A1", {"quantity": 10})
    world.receive(world.lot_out, "A1", {"quantity": 20})
    world.receive(world.plain, "A1", {"quantity": 10})

    def run() -> list[tuple[str, str, Any, Any]]:
        pick = make_pick(world, (world.sn_out, 3), (world.lot_out, 6), (world.plain, 2))
        serial, lot = (pick.lines.get(item=item) for item in (world.sn_out, world.lot_out))
        pick_line_set_qty_to_handle(pick_line_id=serial.pk, qty_to_handle="2", user=world.worker)
        pick_line_assign_serial_nos(pick_line_id=serial.pk, user=world.worker)
        pick_line_assign_lot_no(pick_line_id=lot.pk, quantity="4", user=world.worker)
        return _logged(pick, ["pick_line_assign_serial_nos", "pick_line_assign_lot_no"])

    scoped = run()
    _compare_every_line(monkeypatch)
    assert run() == scoped
    # three serial numbers: the line kept one and two lines were made; the lot split off the rest
    assert [(operation, values[0] is None) for operation, _a, _no, values in scoped] == [
        ("pick_line_assign_serial_nos", False),
        ("pick_line_assign_serial_nos", True),
        ("pick_line_assign_serial_nos", True),
        ("pick_line_assign_lot_no", False),
        ("pick_line_assign_lot_no", True),
    ]
