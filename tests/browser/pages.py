"""Every page of lotpick, for the tests that visit them all (accessibility with axe-core, and more).

The list is derived from the URL patterns: `page_url_names()` finds every named page (not the admin, not
the API), and `test_every_page_is_listed` (tests/browser/test_accessibility.py) fails when one is neither
in `PAGES` (how to open it, as whom) nor in `NOT_PAGES` (why it is no page of its own). A new page cannot be
forgotten: add it to `PAGES` with the data it needs in `PageData`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from core.jobs import job_create
from core.models import Job
from picking.models import (
    Pick,
    PickLine,
    PostedPick,
    PostedShipment,
    Recall,
    RegisteredPick,
    SourceDocument,
    WarehouseShipment,
)
from picking.services.pick_create_batch import batch_summary
from picking.services.recalls import recall_open
from tests.world import (
    EXP_EARLY,
    TODAY,
    World,
    build_world,
    document,
    make_pick,
    post_shipment,
    register,
    ship,
    shipment_for,
    warehouse_pick_for,
)


@dataclass
class PageData:
    """The rows the pages show: built once per run."""

    world: World
    pick: Pick  # open, with a locked line, a line to select (case 3) and a case-2 line
    select_line: PickLine
    posted: PostedPick
    document: SourceDocument
    job_id: int
    shipment: WarehouseShipment  # at WHSE, with an open warehouse pick (a locked pair, a pair to select)
    warehouse_pick: Pick
    registered: RegisteredPick
    posted_shipment: PostedShipment
    recall: Recall | None = None  # open, for lot L1 of LOT-WH: the pick's LOT-WH line is held


def build_page_data() -> PageData:
    world = build_world(expiring_serials=True, posting_date=TODAY)
    world.receive(
        world.sn_spec,
        "A1",
        *({"quantity": 1, "serial_no": f"X{i}", "expiration_date": EXP_EARLY} for i in range(4)),
    )
    world.receive(world.lot_wh, "A1", {"quantity": 10, "lot_no": "L1", "expiration_date": EXP_EARLY})
    world.receive(world.sn_out, "B1", {"quantity": 5})
    world.receive(world.plain, "A1", {"quantity": 20})
    posted = ship(world, make_pick(world, (world.plain, 2)))
    pick = make_pick(
        world,
        (world.sn_spec, 1, {"tracking": [("X1", "", 1)]}),
        (world.sn_spec, 2),
        (world.lot_wh, 3),
        (world.sn_out, 2),
        (world.plain, 4),
    )
    Pick.objects.filter(pk=pick.pk).update(assigned_to=world.worker)
    PickLine.objects.filter(pick=pick, item=world.plain).update(qty_to_handle=4)  # a done line
    select_line = PickLine.objects.get(pick=pick, item=world.sn_spec, tracking_locked=False)
    doc = document(world, (world.lot_spec, 2), (world.plain, 1))
    job = job_create(
        kind="picks_create_batch", description="Create inventory picks at MAIN", user=world.supervisor
    )
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.SUCCEEDED,
        finished_at=timezone.now(),
        result={**batch_summary(1, 1, 0), "picks": [{"id": pick.pk, "no": pick.no}]},
    )
    shipment, warehouse_pick, registered, posted_shipment = _warehouse_page_data(world)
    recall = recall_open(
        item_no="LOT-WH", lot_nos=["L1"], reason="Supplier reports contamination", user=world.supervisor
    )
    return PageData(
        world,
        pick,
        select_line,
        posted,
        doc,
        job.pk,
        shipment,
        warehouse_pick,
        registered,
        posted_shipment,
        recall,
    )


def _warehouse_page_data(world: World) -> tuple[WarehouseShipment, Pick, RegisteredPick, PostedShipment]:
    """WHSE: a shipment whose warehouse pick is open (a locked pair, a pair to select, one to handle), and
    another one registered and posted."""
    whse = world.add_warehouse()
    world.receive(
        world.sn_spec, world.bin("W1", whse), *({"quantity": 1, "serial_no": f"W{i}"} for i in range(3))
    )
    world.receive(world.plain, world.bin("W2", whse), {"quantity": 10})
    shipped = shipment_for(world, document(world, (world.plain, 2), location=whse))
    registered = register(world, warehouse_pick_for(world, shipped))
    posted = post_shipment(world, shipped)
    shipment = shipment_for(
        world,
        document(
            world,
            (world.sn_spec, 1, {"tracking": [("W0", "", 1)]}),
            (world.sn_spec, 2),
            (world.plain, 3),
            location=whse,
        ),
    )
    warehouse_pick = warehouse_pick_for(world, shipment)
    Pick.objects.filter(pk=warehouse_pick.pk).update(assigned_to=world.worker)
    PickLine.objects.filter(pick=warehouse_pick, item=world.plain).update(qty_to_handle=3)
    return shipment, warehouse_pick, registered, posted


@dataclass(frozen=True)
class Page:
    role: str  # "worker", "supervisor" or "anonymous"
    path: Callable[[PageData], str]
    status: int = 200


def _recall(d: PageData) -> int:
    assert d.recall is not None
    return d.recall.pk


def _line(d: PageData, action: str) -> str:
    return f"/picks/{d.pick.pk}/lines/{d.select_line.pk}/{action}/"


def _pair(d: PageData, action: str) -> str:
    take = PickLine.objects.filter(pick=d.warehouse_pick, action="take", tracking_locked=False).first()
    assert take is not None
    return f"/picks/{d.warehouse_pick.pk}/lines/{take.pk}/{action}/"


def _shipment(name: str, d: PageData) -> str:
    return reverse(f"picking:{name}", args=[d.shipment.pk])


def _shipment_line(d: PageData, action: str) -> str:
    line = d.shipment.lines.order_by("line_no").first()
    assert line is not None
    return f"{_shipment('shipment-detail', d)}lines/{line.pk}/{action}/"


PAGES: dict[str, list[Page]] = {
    "home": [Page("worker", lambda d: reverse("home")), Page("supervisor", lambda d: reverse("home"))],
    "login": [Page("anonymous", lambda d: reverse("login"))],
    "profile": [
        Page("worker", lambda d: reverse("profile")),
        Page("supervisor", lambda d: reverse("profile")),
    ],
    "job-detail": [Page("supervisor", lambda d: reverse("job-detail", args=[d.job_id]))],
    "warehouse:availability": [Page("worker", lambda d: reverse("warehouse:availability") + "?item=SN-SPEC")],
    "picking:source-document-list": [Page("supervisor", lambda d: reverse("picking:source-document-list"))],
    "picking:source-document-import": [
        Page("supervisor", lambda d: reverse("picking:source-document-import"))
    ],
    "picking:source-document-detail": [
        Page("supervisor", lambda d: reverse("picking:source-document-detail", args=[d.document.pk]))
    ],
    "picking:item-tracking-lines": [
        Page("supervisor", lambda d: reverse("picking:item-tracking-lines", args=[d.document.pk, 10000]))
    ],
    "picking:pick-list": [Page("worker", lambda d: reverse("picking:pick-list"))],
    "picking:pick-batch-create": [Page("supervisor", lambda d: reverse("picking:pick-batch-create"))],
    "picking:pick-detail": [
        Page("worker", lambda d: reverse("picking:pick-detail", args=[d.pick.pk])),
        Page("supervisor", lambda d: reverse("picking:pick-detail", args=[d.pick.pk]) + "?done=1"),
        # a warehouse pick: a card per take/place pair
        Page("worker", lambda d: reverse("picking:pick-detail", args=[d.warehouse_pick.pk]) + "?done=1"),
        Page("supervisor", lambda d: reverse("picking:pick-detail", args=[d.warehouse_pick.pk])),
    ],
    "picking:pick-print": [Page("worker", lambda d: reverse("picking:pick-print", args=[d.pick.pk]))],
    "picking:pick-line-select": [Page("worker", lambda d: _line(d, "select"))],
    "picking:pick-post": [Page("supervisor", lambda d: reverse("picking:pick-post", args=[d.pick.pk]))],
    "picking:pick-post-and-delete-rest": [
        Page("supervisor", lambda d: reverse("picking:pick-post-and-delete-rest", args=[d.pick.pk]))
    ],
    "picking:pick-delete": [Page("supervisor", lambda d: reverse("picking:pick-delete", args=[d.pick.pk]))],
    "picking:pick-line-delete": [
        Page("supervisor", lambda d: _line(d, "delete")),
        Page("supervisor", lambda d: _pair(d, "delete")),
    ],
    "picking:pick-register": [
        Page("worker", lambda d: reverse("picking:pick-register", args=[d.warehouse_pick.pk]))
    ],
    "picking:pick-register-and-delete-rest": [
        Page(
            "supervisor",
            lambda d: reverse("picking:pick-register-and-delete-rest", args=[d.warehouse_pick.pk]),
        )
    ],
    "picking:shipment-list": [
        Page("supervisor", lambda d: reverse("picking:shipment-list")),
        Page("worker", lambda d: reverse("picking:shipment-list")),
    ],
    "picking:shipment-create": [
        Page("supervisor", lambda d: reverse("picking:shipment-create") + "?preview=1&location=WHSE")
    ],
    "picking:shipment-detail": [
        Page("supervisor", lambda d: _shipment("shipment-detail", d)),
        Page("worker", lambda d: _shipment("shipment-detail", d)),
    ],
    "picking:shipment-post": [Page("supervisor", lambda d: _shipment("shipment-post", d))],
    "picking:shipment-delete": [Page("supervisor", lambda d: _shipment("shipment-delete", d))],
    "picking:shipment-line-delete": [Page("supervisor", lambda d: _shipment_line(d, "delete"))],
    "picking:registered-pick-list": [Page("worker", lambda d: reverse("picking:registered-pick-list"))],
    "picking:registered-pick-detail": [
        Page("worker", lambda d: reverse("picking:registered-pick-detail", args=[d.registered.pk]))
    ],
    "picking:posted-shipment-list": [Page("worker", lambda d: reverse("picking:posted-shipment-list"))],
    "picking:posted-shipment-detail": [
        Page("worker", lambda d: reverse("picking:posted-shipment-detail", args=[d.posted_shipment.pk]))
    ],
    "picking:posted-pick-list": [Page("worker", lambda d: reverse("picking:posted-pick-list"))],
    "picking:posted-pick-detail": [
        Page("worker", lambda d: reverse("picking:posted-pick-detail", args=[d.posted.pk]))
    ],
    "picking:activity": [
        Page("supervisor", lambda d: reverse("picking:activity") + f"?document={d.pick.no}")
    ],
    "webhooks": [Page("supervisor", lambda d: reverse("webhooks"))],
    "picking:tracing": [
        Page("worker", lambda d: reverse("picking:tracing") + "?item=LOT-WH&lot_no=L1"),
        Page(
            "supervisor", lambda d: reverse("picking:tracing") + "?item=LOT-WH&lot_no=L1&direction=backward"
        ),
    ],
    "picking:recall-list": [
        Page("supervisor", lambda d: reverse("picking:recall-list")),
        Page("worker", lambda d: reverse("picking:recall-list")),
    ],
    "picking:recall-detail": [
        Page("supervisor", lambda d: reverse("picking:recall-detail", args=[_recall(d)])),
        Page("worker", lambda d: reverse("picking:recall-detail", args=[_recall(d)])),
    ],
    "picking:recall-print": [
        Page("supervisor", lambda d: reverse("picking:recall-print", args=[_recall(d)]))
    ],
    # the refusal pages
    "403": [Page("worker", lambda d: reverse("picking:pick-post", args=[d.pick.pk]), status=403)],
    "404": [Page("worker", lambda d: "/picks/999999/", status=404)],
}

# Named URLs that are no page of their own, and why.
NOT_PAGES: dict[str, str] = {
    "logout": "POST only: logs out",
    "set-language": "POST only: the top bar's language switcher saves the user's language",
    "picking:pick-next": "POST only: opens the pick taken (picking:pick-detail)",
    "picking:pick-create": "POST only: opens the pick made",
    "picking:pick-autofill": "POST only: back to the pick page",
    "picking:pick-delete-qty": "POST only: back to the pick page",
    "picking:pick-assign": "POST only: back to the pick page",
    "picking:pick-line-update": "POST only: back to the pick page",
    "picking:pick-line-split": "POST only: back to the pick page",
    "picking:pick-line-assign-serial-nos": "POST only: back to the pick page",
    "picking:pick-line-assign-lot-no": "POST only: back to the pick page",
    "picking:pick-scan": "POST only: the scan result inside the pick page",
    "picking:pick-lines": "a part of the pick page (more lines, search), checked there",
    "picking:pick-pdf": "a PDF download",
    "webhook-redeliver": "POST only: back to the webhooks page",
    "picking:shipment-line-update": "POST only: back to the shipment page",
    "picking:shipment-create-from-document": "POST only: opens the shipment made",
    "picking:warehouse-pick-create": "POST only: opens the warehouse pick made",
    "picking:tracing-csv": "a CSV download",
    "picking:recall-close": "POST only: back to the recall page",
    "picking:recall-pdf": "a PDF download",
}


def page_url_names() -> set[str]:
    """The names of every URL outside the admin and the API."""

    def walk(patterns: list[Any], prefix: str, namespace: str | None) -> Iterator[tuple[str, str | None]]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(
                    pattern.url_patterns, prefix + str(pattern.pattern), pattern.namespace or namespace
                )
            elif isinstance(pattern, URLPattern):
                name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
                yield prefix + str(pattern.pattern), name

    return {
        name
        for path, name in walk(get_resolver().url_patterns, "", None)
        if name and not path.startswith(("admin/", "api/", "^api/"))
    }
