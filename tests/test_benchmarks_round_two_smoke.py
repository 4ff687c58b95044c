"""The parts of `make bench` added in round two (docs/performance.md, "Round two") run on the test
database: receiving by adjustment against its COPY baseline, the picks the concurrency and memory
scenarios prepare with COPY are picks the posting service accepts and posts completely, and the inventory
flow's database floor. (The HTTP flows need a server on a real database; `make bench` runs them.)"""

from __future__ import annotations

import pytest

from benchmarks import data
from benchmarks.concurrency import prepare_pick
from benchmarks.flow import (
    INVENTORY_STEPS,
    WAREHOUSE_STEPS,
    FlowRun,
    _results,
    inventory_floor,
    warehouse_floor,
)
from benchmarks.harness import OK
from benchmarks.scenarios import Config, run_suite
from benchmarks.warehouse import create_warehouse
from picking.models import Pick, PickLine, PostedPickLine, RegisteredPickLine, WarehouseShipment
from picking.services.pick_post import pick_post
from warehouse.models import BinContent, ItemLedgerEntry

pytestmark = pytest.mark.django_db


def test_receive_by_adjustment_is_measured_against_its_baseline() -> None:
    config = Config(
        serial_lines=(),
        lot_lines=(),
        big_pick=None,
        runs=1,
        warmup=1,
        receive_sizes=(4, 12),
        scenarios=("receive",),
    )
    results = run_suite(config)
    assert [(r.scenario, r.serials, r.status) for r in results] == [
        ("receive adjustment", 4, OK),
        ("receive adjustment", 12, OK),
    ]
    for r in results:
        assert r.median_s is not None and r.baseline_median_s is not None and r.ratio is not None
        # the baseline wrote the same rows: ledger, warehouse entry, bin content, serial information each
        assert r.baseline_rows == 4 * r.serials
    # the queries do not grow with the serial numbers received
    assert results[0].queries == results[1].queries
    assert ItemLedgerEntry.objects.filter(item__no__startswith="RC12-").count() == 2 * 12


def test_prepared_picks_post_completely() -> None:
    master = data.create_master_data()
    prepared = prepare_pick(master, "TP", 3, 4, "TP")
    assert prepared.lines == 12
    posted = pick_post(pick_id=prepared.pick_id, user=master.supervisor)
    assert PostedPickLine.objects.filter(posted_pick=posted).count() == 12
    assert Pick.objects.get(pk=prepared.pick_id).status == Pick.Status.COMPLETED
    assert not BinContent.objects.filter(item__no__startswith="TP-", quantity__gt=0).exists()


def test_the_inventory_flow_has_a_database_floor_per_step() -> None:
    # Given the master data of the benchmark (the flow itself needs a server: `make bench` runs it)
    master = data.create_master_data()

    # When the floor of a flow of 6 serial numbers is written
    floor = inventory_floor(master, 6, "T")

    # Then every step of the inventory flow has its seconds and the rows it wrote
    assert list(floor) == list(INVENTORY_STEPS)
    assert all(seconds > 0 and rows > 0 for seconds, rows in floor.values()), floor
    # receipt: ledger entry, warehouse entry, bin content and serial information per number
    assert floor["receive"][1] == 4 * 6
    # the autofill floor updated the lines of the pick the create floor wrote
    lines = PickLine.objects.filter(item__no__startswith="BHFT-")
    assert lines.count() == 2 * 6  # the create floor's pick, and the pick the post floor ships
    assert floor["autofill"][1] == 6
    created = lines.order_by("id")[:6]
    assert all(line.qty_to_handle == line.quantity - line.qty_handled for line in created)


def test_the_warehouse_flow_has_a_database_floor_per_step() -> None:
    # Given the benchmark's warehouse location (shipment and pick)
    wh = create_warehouse(data.create_master_data())

    # When the floor of a warehouse flow of 5 serial numbers is written
    floor = warehouse_floor(wh, 5, "T")

    # Then every step of the warehouse flow has its seconds and the rows it wrote
    assert list(floor) == list(WAREHOUSE_STEPS)
    assert all(seconds > 0 and rows > 0 for seconds, rows in floor.values()), floor
    # the create floor wrote a pair per number, which the autofill floor then updated
    created = PickLine.objects.filter(pick__no="PBHWT-W0")
    assert created.count() == 2 * 5 and floor["autofill"][1] == 2 * 5
    assert all(line.qty_to_handle == line.quantity for line in created)
    # the register floor wrote its registered lines, the shipment floor its shipment
    assert RegisteredPickLine.objects.filter(item__no__startswith="BHWT-").count() == 2 * 5
    assert WarehouseShipment.objects.filter(no__startswith="SBHWOT").exists()


def test_flow_results_carry_the_floor_as_their_baseline() -> None:
    # Given two measured runs of a flow and two floors
    runs = [FlowRun(seconds=dict.fromkeys(INVENTORY_STEPS, 0.2)) for _ in range(2)]
    for run in runs:
        run.cpu = dict.fromkeys(INVENTORY_STEPS, 0.01)
        run.sizes = dict.fromkeys(INVENTORY_STEPS, 100)
    floors = [dict.fromkeys(INVENTORY_STEPS, (0.1, 10)), dict.fromkeys(INVENTORY_STEPS, (0.05, 10))]

    # When they are reported
    results = {r.operation: r for r in _results("http", INVENTORY_STEPS, 6, runs, "", floors)}

    # Then each step reads against the median floor of that step, the total against the whole floor
    assert results["post"].baseline_median_s == pytest.approx(0.075)
    assert results["post"].ratio == pytest.approx(2.67, abs=0.01)
    assert results["total"].median_s == pytest.approx(1.0)
    assert results["total"].baseline_median_s == pytest.approx(0.375)
    assert results["total"].baseline_rows == 50
    # And without floors (the warehouse flow) there is no baseline
    bare = _results("http-warehouse", INVENTORY_STEPS, 6, runs, "", None)
    assert all(r.baseline_median_s is None and r.ratio is None for r in bare)
