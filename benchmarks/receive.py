"""Receiving by adjustment, at service level, against its COPY baseline (`receive adjustment`).

Each run receives N new serial numbers of a new item into bin B01 of BENCH through
`warehouse.services.inventory_adjust` (what `POST /api/v1/inventory/adjustments/` calls, without HTTP and
JSON); the baseline writes the same rows (open item ledger entry, warehouse entry, bin content, serial
number information, one each per serial number) for a mirror item with COPY in one transaction
(`benchmarks.data.seed_parts`), plus the one-row UPDATE of a number series.
"""

from __future__ import annotations

import traceback
from dataclasses import replace
from typing import TYPE_CHECKING

from benchmarks import data
from benchmarks.baseline import _series_update, describe
from benchmarks.harness import FAILED, Measurement, Result, baseline_once, log, measure_once
from benchmarks.sql import Part, analyze, row_count, write
from core.quantities import ONE

if TYPE_CHECKING:
    from benchmarks.scenarios import Suite

RUNS = 3  # measured runs at most (each receives up to 10 000 new serial numbers)


def _result(count: int) -> Result:
    return Result(
        scenario="receive adjustment",
        operation="receive",
        variant="adjustment",
        lines=1,
        serials=count,
        serials_per_line=count,
    )


def run_receive(suite: Suite) -> None:
    cfg = suite.config
    if not cfg.receive_sizes or not cfg.selected("receive adjustment"):
        return
    from warehouse.services import inventory_adjust

    master = suite.master
    bin_ = master.bins[0]
    for count in cfg.receive_sizes:
        log(f"{suite.elapsed()} receive adjustment: {count} serial numbers")
        m = Measurement()
        runs = cfg.warmup + min(cfg.runs, RUNS)
        try:
            items = data.create_items(f"RC{count}", runs, master.serial_code)
            mirrors = data.create_items(f"BRC{count}", runs, master.serial_code)
            analyze()
            for r in range(runs):
                item, mirror = items[r], mirrors[r]
                entries: list[dict[str, object]] = [
                    {
                        "quantity": ONE,
                        "serial_no": f"{item.no}-{k:05d}",
                        "lot_no": "",
                        "expiration_date": None,
                    }
                    for k in range(count)
                ]
                profile = suite.profile_path("receive adjustment", 1, count) if r == 0 else None

                def call(item_no: str = item.no, entries: list[dict[str, object]] = entries) -> None:
                    inventory_adjust(
                        location_code=data.LOCATION,
                        bin_code=bin_.code,
                        item_no=item_no,
                        entries=entries,
                        user=master.supervisor,
                    )

                elapsed, queries = measure_once(call, profile=profile)
                stock = [
                    data.StockEntry(
                        item_id=mirror.pk, bin_id=bin_.pk, quantity=ONE, serial_no=f"{mirror.no}-{k:05d}"
                    )
                    for k in range(count)
                ]
                parts = [*data.seed_parts(master, stock, f"BRC-{count}-{r}"), _series_update(master, f"R{r}")]

                def base(parts: list[Part] = parts) -> tuple[float, int]:
                    return write(parts), row_count(parts)

                seconds, rows = baseline_once(base)
                if r >= cfg.warmup:
                    m.times.append(elapsed)
                    m.queries.append(queries)
                    m.baseline_times.append(seconds)
                    m.baseline_rows = rows
        except Exception as exc:
            traceback.print_exc()
            suite.report(replace(_result(count), status=FAILED, detail=f"{type(exc).__name__}: {exc}"))
            continue
        suite.report(_result(count).fill(m, describe()))
