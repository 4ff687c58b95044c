"""Which change writes which event, with what data (the object as the API returns it)."""

from __future__ import annotations

from typing import Any

from core.events import events_sequence
from core.models import Event
from picking.services.pick_delete import pick_delete, pick_line_delete
from picking.services.source_document_import import source_document_import_run, source_document_import_start
from tests.clients import api_client_for, ok
from tests.world import World, document, order, pick_from, serials, ship


def events(event_type: str) -> list[dict[str, Any]]:
    return list(Event.objects.filter(type=event_type).order_by("pk").values_list("data", flat=True))


def test_creating_and_deleting_a_pick_are_events_with_the_pick_and_its_lines(world: World) -> None:
    world.receive(world.sn_wh, world.a1, *serials(2, expiration=None))
    pick = pick_from(world, document(world, (world.sn_wh, 2), no="SO-EV"))
    assert events("pick.created") == [{"id": pick.pk}]  # rendered when sequenced, after the commit
    events_sequence()
    (created,) = events("pick.created")
    api = ok(api_client_for(world.admin).get(f"/api/v1/picks/{pick.pk}/"))
    assert created == {**api, "source_document_type": "sales_order", "source_document_no": "SO-EV"}
    assert sorted(line["serial_no"] for line in created["lines"]) == ["S00000", "S00001"]
    pick_delete(pick_id=pick.pk, user=world.supervisor)
    (deleted,) = events("pick.deleted")
    assert deleted["no"] == pick.no and len(deleted["lines"]) == 2


def test_deleting_the_last_line_deletes_the_pick_and_says_so(world: World) -> None:
    world.receive(world.plain, world.a1, {"quantity": 3})
    pick = pick_from(world, document(world, (world.plain, 1)))
    pick_line_delete(pick_line_id=pick.lines.get().pk, user=world.supervisor)
    assert [d["no"] for d in events("pick.deleted")] == [pick.no]


def test_a_posting_that_leaves_the_pick_open_is_posted_not_deleted(world: World) -> None:
    world.receive(world.plain, world.a1, {"quantity": 3})
    pick = pick_from(world, document(world, (world.plain, 3)))
    ship(world, pick)
    assert len(events("pick.posted")) == 1 and events("pick.deleted") == []


def test_changing_prescribed_numbers_is_a_document_change(world: World) -> None:
    world.receive(world.sn_wh, world.a1, *serials(2, expiration=None))
    doc = document(world, (world.sn_wh, 2), no="SO-NUM")
    client = api_client_for(world.admin)
    body = {"tracking": [{"serial_no": "S00001"}]}
    ok(client.put(f"/api/v1/source-documents/{doc.pk}/lines/10000/tracking/", body, format="json"))
    (changed,) = events("source_document.changed")
    assert [t["serial_no"] for t in changed["lines"][0]["tracking"]] == ["S00001"]


def test_an_import_writes_one_created_event_per_document(world: World) -> None:
    documents = [order(f"SO-IMP-{i}", {"line_no": 1, "item": "PLAIN", "quantity": i + 1}) for i in range(3)]
    job = source_document_import_start(documents=documents, user=world.admin, enqueue=False)
    source_document_import_run(job_id=job.pk)
    created = events("source_document.created")
    assert [(d["no"], d["lines"][0]["quantity"]) for d in created] == [
        ("SO-IMP-0", "1"),
        ("SO-IMP-1", "2"),
        ("SO-IMP-2", "3"),
    ]


def test_a_pick_deleted_before_its_event_is_sent_out_is_named_by_its_id(world: World) -> None:
    world.receive(world.plain, world.a1, {"quantity": 3})
    pick = pick_from(world, document(world, (world.plain, 1)))
    pick_id, pick_no = pick.pk, pick.no
    pick_delete(pick_id=pick_id, user=world.supervisor)
    events_sequence()
    assert events("pick.created") == [{"id": pick_id}]
    assert [d["no"] for d in events("pick.deleted")] == [pick_no]
