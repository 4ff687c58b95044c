"""The parts of `make bench` added in round two (docs/performance.md, "Round two") run on the test
database: receiving by adjustment against its COPY baseline, and the picks the concurrency and memory
scenarios prepare with COPY are picks the posting service accepts and posts completely. (The HTTP flows
need a server on a real database; `make bench` runs them.)"""

from __future__ import annotations

import pytest

from benchmarks import data
from benchmarks.concurrency import prepare_pick
from benchmarks.harness import OK
from benchmarks.scenarios import Config, run_suite
from picking.models import Pick, PostedPickLine
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
