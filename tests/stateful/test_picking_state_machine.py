"""A stateful property test: random sequences of what users do, with every invariant checked after each
step (tests/stateful/invariants.py), on SQLite and on PostgreSQL.

Steps: receive stock (serials, lots, plain quantities), create source documents with and without
prescribed numbers, create picks, set Qty. to Handle, assign new numbers (case 2), select numbers from the
bin (case 3), split lines, post, delete lines and picks, post handled and delete the rest. Refusals
(`DomainError`) are part of the game: they must change nothing, which the invariants check too.

CI runs a bounded number of examples with a fixed seed (derandomized); a release runs more:

    LOTPICK_STATEFUL_EXAMPLES=500 LOTPICK_STATEFUL_STEPS=60 .venv/bin/pytest tests/stateful

`ShippingMachine` adds a location WHSE that ships through warehouse shipments and warehouse
picks (storage bins W1, W2; shipping bins SHIP, SHIP2): receive there, create source documents there, create
shipments (by document or by filter), warehouse picks (one shipment or a wave of two), register, register
handled and delete the rest, set Qty. to Ship, post shipments, delete shipments and shipment lines; and the
ERP's changes (a line's quantity up or down, cancel a document) at both locations. The steps of inventory
picks (handle, autofill, assign, select, split, delete lines and picks) act on warehouse picks' take lines
too. Its invariants include: no negative bin content, no unit shipped twice, shipping-bin content =
registered minus shipped, a place line follows its take line.
"""

from __future__ import annotations

import itertools
import os
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from django.db.models import F
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from core.exceptions import DomainError
from picking.models import (
    ItemTrackingLine,
    Pick,
    PickLine,
    SourceDocument,
    SourceLine,
    WarehouseShipment,
    WarehouseShipmentLine,
)
from picking.selectors.pick_lines import pick_line_available_tracking
from picking.services.pick_create import pick_create_from_source
from picking.services.pick_delete import pick_delete, pick_line_delete
from picking.services.pick_line_assign import pick_line_assign_lot_no, pick_line_assign_serial_nos
from picking.services.pick_line_split import pick_line_split
from picking.services.pick_line_update import pick_line_set_qty_to_handle, pick_line_update
from picking.services.pick_post import pick_post, pick_post_and_delete_rest
from picking.services.pick_qty_to_handle import pick_autofill_qty_to_handle
from picking.services.pick_register import pick_register, pick_register_and_delete_rest
from picking.services.shipment_create import warehouse_shipment_create
from picking.services.shipment_lines import (
    warehouse_shipment_delete,
    warehouse_shipment_line_delete,
    warehouse_shipment_line_update,
)
from picking.services.shipment_post import warehouse_shipment_post
from picking.services.source_document_change import source_document_cancel
from picking.services.source_document_create import source_document_create
from picking.services.source_lines import source_line_set_quantity
from picking.services.warehouse_pick_create import warehouse_pick_create
from tests.stateful.invariants import Prescribed, check_invariants
from tests.world import World, build_world, order
from warehouse.models import BinContent

EXAMPLES = int(os.environ.get("LOTPICK_STATEFUL_EXAMPLES", "10"))
STEPS = int(os.environ.get("LOTPICK_STATEFUL_STEPS", "40"))

# The items of the game: (attribute of the world, what its stock carries).
ITEMS = ["plain", "sn_wh", "lot_wh", "sn_spec", "lot_spec", "sn_out", "lot_out"]
index = st.integers(min_value=0, max_value=1000)
small = st.integers(min_value=1, max_value=4)


class PickingMachine(RuleBasedStateMachine):
    """Inventory picks at MAIN (bins A1, B1) with the items of every tracking case."""

    def __init__(self) -> None:
        super().__init__()
        self._transaction = transaction.atomic()
        self._transaction.__enter__()
        self.world: World = build_world()
        self.prescribed: Prescribed = {}
        self.numbers = itertools.count(1)
        self.documents = itertools.count(1)

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._transaction.__exit__(None, None, None)

    # --- helpers ---------------------------------------------------------------------------------------

    def attempt(self, action: Callable[[], Any]) -> Any:
        """Do what a user does; a refusal is a fine answer (and must leave everything as it was)."""
        try:
            with transaction.atomic():
                return action()
        except DomainError:
            return None

    @staticmethod
    def pick_of(i: int) -> Pick | None:
        picks = list(Pick.objects.exclude(status=Pick.Status.COMPLETED).order_by("pk"))
        return picks[i % len(picks)] if picks else None

    @staticmethod
    def open_line(i: int) -> PickLine | None:
        lines = list(
            PickLine.objects.filter(action=PickLine.Action.TAKE, pick__status__in=["open", "in_progress"])
            .select_related("item__tracking_code")
            .order_by("pk")
        )
        lines = [ln for ln in lines if ln.qty_handled < ln.quantity]
        return lines[i % len(lines)] if lines else None

    @staticmethod
    def has_open_picks() -> bool:
        return Pick.objects.exclude(status=Pick.Status.COMPLETED).exists()

    @staticmethod
    def has_open_lines() -> bool:
        return PickLine.objects.filter(
            action=PickLine.Action.TAKE,
            qty_handled__lt=F("quantity"),
            pick__status__in=["open", "in_progress"],
        ).exists()

    @property
    def sup(self) -> Any:
        return self.world.supervisor

    # --- steps -----------------------------------------------------------------------------------------

    @initialize()
    def stock_of_every_item(self) -> None:
        for item in ITEMS:
            self.receive(item=item, bin_code="A1", count=3)

    @rule(item=st.sampled_from(ITEMS), bin_code=st.sampled_from(["A1", "B1"]), count=small)
    def receive(self, item: str, bin_code: str, count: int) -> None:
        it = getattr(self.world, item)
        n = next(self.numbers)
        if item in ("sn_wh", "sn_spec"):
            entries = [{"quantity": 1, "serial_no": f"S{n}-{i}"} for i in range(count)]
        elif item in ("lot_wh", "lot_spec"):
            entries = [{"quantity": count, "lot_no": f"L{n % 3}", "expiration_date": "2030-01-31"}]
        else:
            entries = [{"quantity": count}]
        self.world.receive(it, bin_code, *entries)

    @rule(
        item=st.sampled_from(ITEMS), quantity=small, prescribe=st.booleans(), i=index, pick_now=st.booleans()
    )
    def create_source_document(
        self, item: str, quantity: int, prescribe: bool, i: int, pick_now: bool
    ) -> None:
        it = getattr(self.world, item)
        line: dict[str, Any] = {"line_no": 1, "item": it.no, "quantity": quantity}
        if prescribe and item != "plain":
            line["tracking"] = self._numbers_to_prescribe(item, quantity, i)
        no = f"SO-{next(self.documents):04d}"
        document = self.attempt(lambda: source_document_create(data=order(no, line), user=self.sup))
        if document is not None:
            for t in ItemTrackingLine.objects.filter(source_line__document=document):
                self.prescribed[(t.source_line_id, t.serial_no, t.lot_no)] = t.quantity
            if pick_now:
                self.attempt(lambda: pick_create_from_source(source_document_id=document.pk, user=self.sup))

    def _numbers_to_prescribe(self, item: str, quantity: int, i: int) -> list[dict[str, Any]]:
        if item == "sn_out":
            n = next(self.numbers)
            return [{"serial_no": f"NEW{n}-{k}"} for k in range(quantity)]
        if item == "lot_out":
            return [{"lot_no": f"NL{i % 2}", "quantity": quantity}]
        stock = list(
            BinContent.objects.filter(item__no=getattr(self.world, item).no, quantity__gt=0).order_by("pk")
        )
        if not stock:
            return []
        if item.startswith("sn"):
            chosen = [stock[(i + k) % len(stock)].serial_no for k in range(min(quantity, len(stock)))]
            return [{"serial_no": s} for s in dict.fromkeys(chosen)]
        return [{"lot_no": stock[i % len(stock)].lot_no, "quantity": quantity}]

    @rule(i=index)
    def create_pick(self, i: int) -> None:
        documents = list(
            SourceDocument.objects.exclude(status=SourceDocument.Status.SHIPPED).order_by("-pk")[:3]
        )
        if documents:
            doc = documents[i % len(documents)]
            self.attempt(lambda: pick_create_from_source(source_document_id=doc.pk, user=self.sup))

    @precondition(lambda self: self.has_open_lines())
    @rule(i=index, fraction=st.sampled_from([0, 1, 2]))
    def handle(self, i: int, fraction: int) -> None:
        line = self.open_line(i)
        if line is not None:
            outstanding = line.quantity - line.qty_handled
            qty = {0: Decimal(0), 1: outstanding, 2: min(Decimal(1), outstanding)}[fraction]
            self.attempt(
                lambda: pick_line_set_qty_to_handle(
                    pick_line_id=line.pk, qty_to_handle=str(qty), user=self.sup
                )
            )

    @precondition(lambda self: self.has_open_picks())
    @rule(i=index)
    def autofill(self, i: int) -> None:
        pick = self.pick_of(i)
        if pick is not None:
            self.attempt(lambda: pick_autofill_qty_to_handle(pick_id=pick.pk, user=self.sup))

    @precondition(lambda self: self.has_open_lines())
    @rule(i=index, quantity=small)
    def assign_numbers(self, i: int, quantity: int) -> None:
        line = self.open_line(i)
        if line is not None and line.item.no in ("SN-OUT", "LOT-OUT"):
            if line.item.no == "SN-OUT":
                self.attempt(
                    lambda: pick_line_assign_serial_nos(
                        pick_line_id=line.pk, quantity=quantity, user=self.sup
                    )
                )
            else:
                self.attempt(lambda: pick_line_assign_lot_no(pick_line_id=line.pk, user=self.sup))

    @precondition(lambda self: self.has_open_lines())
    @rule(i=index, j=index)
    def select_number(self, i: int, j: int) -> None:
        line = self.open_line(i)
        if line is None:
            return
        available = self.attempt(lambda: pick_line_available_tracking(pick_line_id=line.pk, user=self.sup))
        if available:
            number = available[j % len(available)]
            self.attempt(
                lambda: (
                    pick_line_update(
                        pick_line_id=line.pk, serial_no=number.serial_no, lot_no=number.lot_no, user=self.sup
                    )
                    if number.serial_no
                    else pick_line_update(pick_line_id=line.pk, lot_no=number.lot_no, user=self.sup)
                )
            )

    @precondition(lambda self: self.has_open_lines())
    @rule(i=index, quantity=small)
    def split(self, i: int, quantity: int) -> None:
        line = self.open_line(i)
        if line is not None:
            self.attempt(lambda: pick_line_split(pick_line_id=line.pk, quantity=str(quantity), user=self.sup))

    @precondition(lambda self: self.has_open_picks())
    @rule(i=index, autofill_first=st.booleans())
    def post(self, i: int, autofill_first: bool) -> None:
        pick = self.pick_of(i)
        if pick is not None:
            if autofill_first:
                self.attempt(lambda: pick_autofill_qty_to_handle(pick_id=pick.pk, user=self.sup))
            self.attempt(lambda: pick_post(pick_id=pick.pk, user=self.sup))

    @precondition(lambda self: self.has_open_picks())
    @rule(i=index)
    def post_handled_and_delete_rest(self, i: int) -> None:
        pick = self.pick_of(i)
        if pick is not None:
            self.attempt(lambda: pick_post_and_delete_rest(pick_id=pick.pk, user=self.sup))

    @precondition(lambda self: self.has_open_lines())
    @rule(i=index)
    def delete_line(self, i: int) -> None:
        line = self.open_line(i)
        if line is not None:
            self.attempt(lambda: pick_line_delete(pick_line_id=line.pk, user=self.sup))

    @precondition(lambda self: self.has_open_picks())
    @rule(i=index)
    def delete_pick(self, i: int) -> None:
        pick = self.pick_of(i)
        if pick is not None:
            self.attempt(lambda: pick_delete(pick_id=pick.pk, user=self.sup))

    # --- after every step ------------------------------------------------------------------------------

    @invariant()
    def every_invariant_holds(self) -> None:
        check_invariants(self.prescribed)


@pytest.mark.django_db
def test_random_picking_keeps_every_invariant() -> None:
    run_state_machine_as_test(
        PickingMachine,
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS,
            derandomize=True,  # a fixed seed: CI runs the same sequences every time
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )


class ShippingMachine(PickingMachine):
    """Location WHSE shipping through warehouse shipments and warehouse picks, and the ERP's changes to
    source documents. The line steps of PickingMachine (handle, autofill, assign, select, split, delete
    lines and picks) act on the warehouse picks' take lines; its steps for MAIN's inventory picks are left
    out (plain methods, not rules), so that the warehouse flow gets the steps."""

    def stock_of_every_item(self) -> None:  # not a step here
        return None

    def receive(self, item: str, bin_code: str, count: int) -> None:
        return None

    def create_source_document(self, *args: Any, **kwargs: Any) -> None:
        return None

    def create_pick(self, i: int) -> None:
        return None

    def post(self, i: int, autofill_first: bool) -> None:
        return None

    def post_handled_and_delete_rest(self, i: int) -> None:
        return None

    @initialize()
    def warehouse_with_stock(self) -> None:
        self.whse = self.world.add_warehouse()
        for item in ITEMS:
            self.receive_at_warehouse(item=item, bin_code="W1", count=3)

    # --- helpers ---------------------------------------------------------------------------------------

    # what succeeded over all examples: the test checks that the warehouse flow really was played
    done: Counter[str] = Counter()

    def counted(self, what: str, action: Callable[[], Any]) -> Any:
        try:
            with transaction.atomic():
                result = action()
        except DomainError as exc:
            ShippingMachine.done[f"{what}: {exc.code}"] += 1
            return None
        if result is not None:
            ShippingMachine.done[what] += 1
        return result

    @staticmethod
    def nth(rows: list[Any], i: int) -> Any:
        return rows[i % len(rows)] if rows else None

    def warehouse_picks(self) -> list[Pick]:
        return list(
            Pick.objects.filter(type=Pick.Type.WAREHOUSE_PICK)
            .exclude(status=Pick.Status.COMPLETED)
            .order_by("pk")
        )

    @staticmethod
    def open_shipments() -> list[WarehouseShipment]:
        return list(WarehouseShipment.objects.exclude(status=WarehouseShipment.Status.SHIPPED).order_by("pk"))

    @staticmethod
    def has_shipments() -> bool:
        return WarehouseShipment.objects.exists()

    @staticmethod
    def has_lines_to_pick() -> bool:
        return WarehouseShipmentLine.objects.filter(qty_picked__lt=F("quantity") - F("qty_on_picks")).exists()

    @staticmethod
    def has_picked_stock() -> bool:
        return WarehouseShipmentLine.objects.filter(qty_picked__gt=F("qty_shipped")).exists()

    def has_warehouse_picks(self) -> bool:
        return bool(self.warehouse_picks())

    # --- steps at WHSE ---------------------------------------------------------------------------------

    @rule(item=st.sampled_from(ITEMS), bin_code=st.sampled_from(["W1", "W2"]), count=small)
    def receive_at_warehouse(self, item: str, bin_code: str, count: int) -> None:
        n = next(self.numbers)
        if item in ("sn_wh", "sn_spec"):
            entries = [{"quantity": 1, "serial_no": f"WS{n}-{i}"} for i in range(count)]
        elif item in ("lot_wh", "lot_spec"):
            entries = [{"quantity": count, "lot_no": f"WL{n % 3}", "expiration_date": "2030-01-31"}]
        else:
            entries = [{"quantity": count}]
        self.world.receive(getattr(self.world, item), self.world.bin(bin_code, self.whse), *entries)

    @rule(
        item=st.sampled_from(ITEMS),
        quantity=small,
        prescribe=st.booleans(),
        i=index,
        then=st.sampled_from(["nothing", "ship", "pick", "register", "post"]),
    )
    def create_warehouse_document(self, item: str, quantity: int, prescribe: bool, i: int, then: str) -> None:
        it = getattr(self.world, item)
        line: dict[str, Any] = {"line_no": 1, "item": it.no, "quantity": quantity}
        if prescribe and item != "plain":
            line["tracking"] = self._numbers_to_prescribe(item, quantity, i)
        no = f"WSO-{next(self.documents):04d}"
        data = order(no, line, location="WHSE")
        document = self.attempt(lambda: source_document_create(data=data, user=self.sup))
        if document is not None:
            for t in ItemTrackingLine.objects.filter(source_line__document=document):
                self.prescribed[(t.source_line_id, t.serial_no, t.lot_no)] = t.quantity
            self._then(document.pk, then)

    def _then(self, document_id: int, then: str) -> None:
        """Carry a new document on through the flow: ship, pick, register (handled by Autofill), post."""
        flow = ["nothing", "ship", "pick", "register", "post"]
        if flow.index(then) < 1:
            return
        shipment = self.counted(
            "shipment",
            lambda: warehouse_shipment_create(
                location_code="WHSE", source_document_ids=[document_id], user=self.sup
            ),
        )
        if shipment is None or flow.index(then) < 2:
            return
        created = self.counted(
            "warehouse pick", lambda: warehouse_pick_create(shipment_ids=[shipment.pk], user=self.sup)
        )
        if created is None or created.pick is None or flow.index(then) < 3:
            return
        self.attempt(lambda: pick_autofill_qty_to_handle(pick_id=created.pick.pk, user=self.sup))
        self.counted("register", lambda: pick_register(pick_id=created.pick.pk, user=self.sup))
        if flow.index(then) >= 4:
            self.counted(
                "post shipment", lambda: warehouse_shipment_post(shipment_id=shipment.pk, user=self.sup)
            )

    @rule(i=index, by_filter=st.booleans())
    def create_shipment(self, i: int, by_filter: bool) -> None:
        if by_filter:
            self.counted("shipment", lambda: warehouse_shipment_create(location_code="WHSE", user=self.sup))
            return
        documents = list(SourceDocument.objects.filter(location=self.whse).order_by("-pk")[:3])
        doc = self.nth(documents, i)
        if doc is not None:
            self.counted(
                "shipment",
                lambda: warehouse_shipment_create(
                    location_code="WHSE", source_document_ids=[doc.pk], user=self.sup
                ),
            )

    @precondition(lambda self: self.has_lines_to_pick())
    @rule(i=index, wave=st.booleans())
    def create_warehouse_pick(self, i: int, wave: bool) -> None:
        shipments = [s for s in self.open_shipments() if s.status in ("open", "released", "partially_picked")]
        if shipments:
            ids = {shipments[i % len(shipments)].pk, shipments[(i + 1) % len(shipments)].pk if wave else 0}
            ids.discard(0)
            self.counted(
                "warehouse pick", lambda: warehouse_pick_create(shipment_ids=sorted(ids), user=self.sup)
            )

    @precondition(lambda self: self.has_warehouse_picks())
    @rule(i=index, autofill_first=st.booleans(), delete_rest=st.booleans())
    def register(self, i: int, autofill_first: bool, delete_rest: bool) -> None:
        pick = self.nth(self.warehouse_picks(), i)
        if pick is None:
            return
        if autofill_first:
            self.attempt(lambda: pick_autofill_qty_to_handle(pick_id=pick.pk, user=self.sup))
        if delete_rest:
            self.counted("register", lambda: pick_register_and_delete_rest(pick_id=pick.pk, user=self.sup))
        else:
            self.counted("register", lambda: pick_register(pick_id=pick.pk, user=self.sup))

    @precondition(lambda self: self.has_picked_stock())
    @rule(i=index, how=st.sampled_from(["none", "all", "one"]))
    def set_qty_to_ship(self, i: int, how: str) -> None:
        lines = list(WarehouseShipmentLine.objects.filter(qty_picked__gt=F("qty_shipped")).order_by("pk"))
        line = self.nth(lines, i)
        if line is not None:
            qty = {"none": Decimal(0), "all": line.qty_picked - line.qty_shipped, "one": Decimal(1)}[how]
            self.attempt(
                lambda: warehouse_shipment_line_update(
                    shipment_line_id=line.pk, qty_to_ship=str(qty), user=self.sup
                )
            )

    @precondition(lambda self: self.has_picked_stock())
    @rule(i=index)
    def post_shipment(self, i: int) -> None:
        shipment = self.nth(self.open_shipments(), i)
        if shipment is not None:
            self.counted(
                "post shipment", lambda: warehouse_shipment_post(shipment_id=shipment.pk, user=self.sup)
            )

    @precondition(lambda self: self.has_shipments())
    @rule(i=index, whole=st.booleans())
    def delete_shipment(self, i: int, whole: bool) -> None:
        if whole:
            shipment = self.nth(list(WarehouseShipment.objects.order_by("pk")), i)
            if shipment is not None:
                self.attempt(lambda: warehouse_shipment_delete(shipment_id=shipment.pk, user=self.sup))
        else:
            line = self.nth(list(WarehouseShipmentLine.objects.order_by("pk")), i)
            if line is not None:
                self.attempt(lambda: warehouse_shipment_line_delete(shipment_line_id=line.pk, user=self.sup))

    # --- the ERP's changes (both locations) ------------------------------------------------------------

    @rule(i=index, change=st.sampled_from(["lower", "raise", "cancel"]))
    def erp_changes_a_document(self, i: int, change: str) -> None:
        line = self.nth(list(SourceLine.objects.order_by("-pk")[:6]), i)
        if line is None:
            return
        if change == "cancel":
            self.attempt(lambda: source_document_cancel(document_id=line.document_id, user=self.sup))
        else:
            quantity = line.quantity + (1 if change == "raise" else -1)
            self.counted(
                "erp change",
                lambda: source_line_set_quantity(
                    source_line_id=line.pk, quantity=str(quantity), user=self.sup
                ),
            )


@pytest.mark.django_db
def test_random_shipping_keeps_every_invariant() -> None:
    ShippingMachine.done.clear()
    run_state_machine_as_test(
        ShippingMachine,
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS,
            derandomize=True,  # a fixed seed: CI runs the same sequences every time
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
    # and the warehouse flow was really played, each step succeeding several times
    done = ShippingMachine.done
    steps = ["shipment", "warehouse pick", "register", "post shipment", "erp change"]
    assert all(done[step] >= 3 for step in steps), done
