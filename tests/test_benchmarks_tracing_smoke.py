"""The tracing benchmark (benchmarks/tracing.py) runs on the test database with tiny shapes: both directions
measured, with the same number of queries for few and more documents."""

from __future__ import annotations

import pytest

from benchmarks.harness import OK
from benchmarks.scenarios import Config, run_suite

TINY = Config(
    serial_lines=(), lot_lines=(), big_pick=None, runs=1, warmup=1, scenarios=("trace",), tracing=(2, 20)
)


@pytest.mark.django_db
def test_tracing_scenarios_run_with_a_fixed_number_of_queries() -> None:
    results = {(r.scenario, r.lines): r for r in run_suite(TINY)}
    assert set(results) == {(f"trace {d}", n) for d in ("forward", "backward") for n in (2, 20)}
    assert all(r.status == OK and r.runs == 1 and r.median_s for r in results.values())
    for direction in ("forward", "backward"):
        assert results[f"trace {direction}", 2].queries == results[f"trace {direction}", 20].queries
