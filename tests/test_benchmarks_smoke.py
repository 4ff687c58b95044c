"""The benchmark harness cannot silently rot: it imports, runs a tiny grid on the test database and
measures every scenario against its baseline. No timing is asserted (figures: docs/performance.md);
query counts are, because they must not grow with lines or serial numbers.
"""

from __future__ import annotations

import json
import time
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from django.db import models

from benchmarks import data
from benchmarks.harness import FAILED, NOT_AVAILABLE, OK, SKIPPED, Result, markdown_table, records, table
from benchmarks.run import admin_conninfo, bench_database_url, config_from, parse_args
from benchmarks.scenarios import OPERATIONS, Config, Family, Suite, grid_budget, run_suite
from warehouse.models import (
    BinContent,
    ItemLedgerEntry,
    LotNoInformation,
    SerialNoInformation,
    WarehouseEntry,
)

TINY = Config(
    serial_lines=(1, 3),
    serials_per_line=(2,),
    lot_lines=(2,),
    big_pick=None,
    availability_serials=12,
    runs=1,
    warmup=1,  # the first call of a service may set up things once (a number series, caches)
)


def _by_scenario(results: list[Result]) -> dict[tuple[str, int], Result]:
    return {(r.scenario, r.lines): r for r in results}


@pytest.mark.django_db
def test_tiny_grid_runs_every_scenario_with_its_baseline() -> None:
    # Given the tiny grid (serial documents of 1 and 3 lines, a lot document, a small availability item)
    # When it runs on the test database
    results = run_suite(TINY)

    # Then every scenario is reported, none failed, and what exists was measured against its baseline
    expected = {(f"{op} serial", lines) for op in OPERATIONS for lines in (1, 3)}
    expected |= {(f"{op} lot", 2) for op in OPERATIONS}
    expected |= {("availability api", 0), ("availability selector", 0)}
    assert set(_by_scenario(results)) == expected
    problems = [
        f"{r.scenario} ({r.lines} lines): {r.status}: {r.detail}" for r in results if r.status == FAILED
    ]
    assert problems == []
    assert all(r.status in (OK, NOT_AVAILABLE, SKIPPED) for r in results)
    measured = [r for r in results if r.status == OK]
    # The source documents API and the availability selector exist: these always run.
    assert {"ingest serial", "ingest lot", "availability selector"} <= {r.scenario for r in measured}
    for r in measured:
        assert r.runs == 1
        assert r.median_s is not None and r.median_s > 0
        assert r.min_s is not None and r.max_s is not None and r.min_s <= r.median_s <= r.max_s
        assert r.queries is not None and r.queries > 0
        assert r.baseline_median_s is not None and r.baseline_median_s > 0, r.scenario
        assert r.baseline_rows is not None and r.baseline_rows > 0, r.scenario
        assert r.ratio is not None and r.ratio > 0

    # And the query count of each operation does not grow with the number of lines
    by = _by_scenario(results)
    for op in OPERATIONS:
        small, large = by[(f"{op} serial", 1)], by[(f"{op} serial", 3)]
        if small.status == OK and large.status == OK:
            assert small.queries == large.queries, f"{op}: {small.queries} vs {large.queries} queries"

    # And the results can be printed and written as JSON records with the database and machine
    printed = table(results)
    assert "ingest serial" in printed and "availability selector" in printed
    assert "| ingest serial |" in markdown_table(results)
    written = json.loads(json.dumps(records(results, database={"vendor": "test"}, machine={"cpu_count": 1})))
    assert {"scenario", "lines", "serials", "queries", "median_s", "baseline_median_s", "ratio"} <= set(
        written[0]
    )
    assert written[0]["database"] == {"vendor": "test"}


@pytest.mark.django_db
def test_a_family_with_few_runs_samples_its_cheap_baselines_three_times() -> None:
    # Given a family the configuration measures once (as the time budget leaves the largest ones)
    results = _by_scenario(run_suite(replace(TINY, serial_lines=(3,))))

    # Then the baselines cheap enough to repeat (ingest, create, render, scan, autofill) are the median of
    # 3 samples, and the posting's (stock, a document and a pick written before each) stays one sample
    for op in ("ingest", "create", "render", "scan", "autofill"):
        r = results[(f"{op} serial", 3)]
        assert r.status == OK and r.runs == 1
        assert "baseline: median of 3 samples" in r.detail, (op, r.detail)
        assert r.baseline_min_s is not None and r.baseline_max_s is not None
        assert r.baseline_min_s <= r.baseline_median_s <= r.baseline_max_s  # type: ignore[operator]
    assert "samples" not in results[("post serial", 3)].detail


@pytest.mark.django_db
def test_five_runs_take_one_baseline_sample_each() -> None:
    results = run_suite(
        replace(TINY, serial_lines=(1,), lot_lines=(), runs=5, warmup=0, scenarios=("ingest serial",))
    )
    assert [(r.scenario, r.runs) for r in results] == [("ingest serial", 5)]
    assert "samples" not in results[0].detail


@pytest.mark.django_db
def test_a_filtered_run_reports_only_the_chosen_scenarios_but_runs_what_they_need() -> None:
    # Given only "post lot" is asked for
    results = run_suite(replace(TINY, scenarios=("post lot",)))

    # Then only it is reported, measured against its baseline (ingest, create, autofill ran untimed first)
    assert [(r.scenario, r.status) for r in results] == [("post lot", OK)]
    assert results[0].runs == 1 and results[0].baseline_median_s is not None


@pytest.mark.parametrize(
    ("budget", "expected_warmup", "expected_runs"),
    [
        (100.0, (0, "no warm-up: time budget (100 s)"), (1, "1 of 5 runs: time budget (100 s)")),
        (1000.0, (1, ""), (5, "")),
    ],
)
def test_the_time_budget_cuts_runs_of_large_families_but_always_measures_one(
    budget: float, expected_warmup: tuple[int, str], expected_runs: tuple[int, str]
) -> None:
    # Given 60 s spent, a run costing 1 s plus 1 ms per unit, a family of 11 000 units (12 s per run) to plan
    # and one of 30 030 units (31 s per run) still to come after it
    large, big = Family("serial", 1000, 10, "L"), Family("serial-big", 30, 1000, "B")
    suite = Suite(config=Config(runs=5, warmup=1, budget_s=budget), master=None)  # type: ignore[arg-type]
    suite.started = suite.budget_origin = time.perf_counter() - 60
    suite.fixed_cost, suite.per_unit = 1.0, 0.001
    suite.pending = [big]

    # When the large family plans its warm-up and measured runs (one run of the big one is reserved first)
    # Then a short budget drops the warm-up and measures once, saying so; a long one changes nothing
    assert suite.plan_warmup(large) == expected_warmup
    assert suite.affordable_runs(large, 12.0) == expected_runs


@pytest.mark.parametrize(
    ("spent", "expected"),
    [(125.0, 270.0), (209.0, 176.0), (400.0, 54.0), (0.0, 270.0)],
)
def test_a_slower_machine_gives_the_grid_less_time_so_make_bench_stays_within_10_minutes(
    spent: float, expected: float
) -> None:
    # Given the full suite's budgets (270 s for the grid, 510 s in all) and `spent` seconds before the grid
    config = Config(budget_s=270.0, total_s=510.0)
    # Then the grid keeps its 270 s on a fast machine, and what is left (at least a fifth) on a slow one
    assert grid_budget(config, spent=spent) == expected
    assert grid_budget(Config(budget_s=270.0), spent=400.0) == 270.0  # no total: the budget as set
    assert grid_budget(Config(budget_s=None, total_s=510.0), spent=400.0) is None  # --budget 0


def _normalised(model: type[models.Model], item_ids: dict[int, str]) -> list[dict[str, Any]]:
    """Rows of the items without ids, timestamps and document numbers; numbers without the item no."""
    skip = {"id", "created_at", "document_no", "item_ledger_entry", "applies_to_entry"}
    rows = []
    for obj in model.objects.filter(item_id__in=item_ids).order_by("pk"):  # type: ignore[attr-defined]
        row: dict[str, Any] = {}
        for f in model._meta.concrete_fields:
            if f.name in skip:
                continue
            value = getattr(obj, f.attname)
            if f.name == "item":
                value = "item"
            elif f.name in ("serial_no", "lot_no"):
                value = value.replace(item_ids[obj.item_id], "X")
            elif isinstance(value, Decimal):
                value = value.normalize()
            row[f.name] = value
        rows.append(row)
    return sorted(rows, key=lambda r: sorted((k, str(v)) for k, v in r.items()))


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["serial", "lot"])
def test_seeded_stock_is_what_the_receipt_service_writes(kind: str) -> None:
    # Given two items with the same tracking code
    master = data.create_master_data()
    code = master.serial_code if kind == "serial" else master.lot_code
    by_service, seeded = (
        data.create_items(f"RS{kind[0]}", 2, code),
        data.create_items(f"RC{kind[0]}", 2, code),
    )

    def stock(items: list[Any]) -> list[data.StockEntry]:
        if kind == "serial":
            return data.serial_stock(master, items, runs=2, per_run=3)
        return data.lot_stock(master, items, lots=3)

    # When one receives its stock through warehouse.services and the other through the benchmark's COPY
    data.receive(master, stock(by_service), label="SVC", through_service=True)
    data.receive(master, stock(seeded), label="SEED")

    # Then both wrote the same ledger, warehouse entries, bin content and lot/serial information
    service_items = {i.pk: i.no for i in by_service}
    seeded_items = {i.pk: i.no for i in seeded}
    for model in (ItemLedgerEntry, WarehouseEntry, BinContent, LotNoInformation, SerialNoInformation):
        assert _normalised(model, seeded_items) == _normalised(model, service_items), model.__name__
    assert ItemLedgerEntry.objects.filter(item_id__in=seeded_items, open=True).count() == len(stock(seeded))


def test_the_benchmark_database_is_its_own() -> None:
    # Given a PostgreSQL URL, the benchmark uses database lotpick_bench on the same server
    url = "postgres://postgres:secret@db.example:5433/lotpick?sslmode=require"
    assert (
        bench_database_url(url) == "postgres://postgres:secret@db.example:5433/lotpick_bench?sslmode=require"
    )
    # and creates it from the given database, or from `postgres` when given lotpick_bench itself
    assert admin_conninfo(url) == "postgresql://postgres:secret@db.example:5433/lotpick?sslmode=require"
    assert admin_conninfo(bench_database_url(url)).startswith(
        "postgresql://postgres:secret@db.example:5433/postgres"
    )
    # and refuses anything that is not PostgreSQL
    with pytest.raises(ValueError, match="not a PostgreSQL URL"):
        bench_database_url("sqlite:///tmp/x.sqlite3")


def test_command_line_options() -> None:
    args = parse_args(["--quick", "--scenarios", "post,serial-big", "--runs", "3", "--profile"])
    assert args.quick and args.runs == 3 and args.scenarios == "post,serial-big"
    assert args.profile.endswith("profiles")
    assert parse_args([]).profile is None


def test_a_run_given_its_http_sizes_floors_every_one_and_make_bench_only_the_goals() -> None:
    assert config_from(parse_args([])).http_floor_sizes == (5000,)
    assert config_from(parse_args(["--scenarios", "ingest"])).http_floor_sizes == (5000,)
    given = config_from(parse_args(["--http-sizes", "1000", "--http-warehouse-sizes", "0"]))
    assert given.http_sizes == (1000,) and given.http_warehouse_sizes == ()
    assert given.http_floor_sizes is None  # every size
