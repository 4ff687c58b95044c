"""The warehouse shipment benchmarks run: registering and posting a shipment are measured against their
baselines on the test database, and their query counts do not grow with lines or serial numbers."""

from __future__ import annotations

import pytest

from benchmarks.harness import OK
from benchmarks.scenarios import Config, run_suite

TINY = Config(
    serial_lines=(),
    lot_lines=(),
    big_pick=None,
    scenarios=("warehouse",),
    warehouse=((1, 2), (3, 2)),
    runs=1,
    warmup=1,
)


@pytest.mark.django_db
def test_register_and_ship_are_measured_against_their_baselines() -> None:
    results = {(r.scenario, r.lines): r for r in run_suite(TINY)}
    assert set(results) == {(f"{op} warehouse", lines) for op in ("register", "ship") for lines in (1, 3)}
    for r in results.values():
        assert r.status == OK, (r.scenario, r.detail)
        assert r.runs == 1 and r.median_s and r.baseline_median_s and r.ratio and r.baseline_rows
        assert r.serials == r.lines * 2
    for op in ("register", "ship"):
        assert results[(f"{op} warehouse", 1)].queries == results[(f"{op} warehouse", 3)].queries
