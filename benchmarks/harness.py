"""Timing, query counting and output of the benchmarks.

Wall time: `time.perf_counter()` around one call, after `gc.collect()`; the first `warmup` runs are
discarded, the median, min and max of the rest are reported. Queries: every statement the operation sends
through Django's connection, counted with `connection.execute_wrapper` (like `CaptureQueriesContext`, but
exact beyond its 9 000-query log and without keeping the SQL text).
"""

from __future__ import annotations

import cProfile
import datetime
import gc
import io
import json
import os
import platform
import pstats
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from django.db import connection

OK = "ok"
NOT_AVAILABLE = "not available yet"
FAILED = "failed"
SKIPPED = "skipped"


class Unavailable(Exception):
    """The service, page or endpoint a scenario needs does not exist (yet)."""


class QueryCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


@dataclass
class Measurement:
    times: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    baseline_times: list[float] = field(default_factory=list)
    baseline_rows: int = 0


@dataclass
class Result:
    scenario: str  # "<operation> <variant>", e.g. "post serial"
    operation: str  # ingest, create, render, autofill, post, availability
    variant: str  # serial, lot, serial-big, api, selector
    lines: int
    serials: int  # serial numbers on the document / pick / in stock (0 for lots)
    serials_per_line: int
    status: str = OK
    detail: str = ""
    runs: int = 0
    queries: int | None = None
    median_s: float | None = None
    min_s: float | None = None
    max_s: float | None = None
    baseline: str = ""
    baseline_rows: int | None = None
    baseline_median_s: float | None = None
    baseline_min_s: float | None = None
    baseline_max_s: float | None = None
    ratio: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # figures of their own (throughput, memory)

    def fill(self, m: Measurement, baseline: str) -> Result:
        if m.times:
            self.runs = len(m.times)
            self.median_s = round(statistics.median(m.times), 6)
            self.min_s = round(min(m.times), 6)
            self.max_s = round(max(m.times), 6)
            self.queries = max(m.queries) if m.queries else None
        if m.baseline_times:
            self.baseline = baseline
            self.baseline_rows = m.baseline_rows
            self.baseline_median_s = round(statistics.median(m.baseline_times), 6)
            self.baseline_min_s = round(min(m.baseline_times), 6)
            self.baseline_max_s = round(max(m.baseline_times), 6)
        if self.median_s is not None and self.baseline_median_s:
            self.ratio = round(self.median_s / self.baseline_median_s, 2)
        return self


def measure_once(op: Callable[[], object], *, profile: Path | None = None) -> tuple[float, int]:
    """Call `op()` once: (seconds, queries). With `profile`, under cProfile, saved to `<profile>.prof`
    with the top functions in `<profile>.txt` (only ever used on warm-up runs)."""
    connection.ensure_connection()
    gc.collect()
    counter = QueryCounter()
    profiler = cProfile.Profile() if profile is not None else None
    with connection.execute_wrapper(counter):
        if profiler is not None:
            profiler.enable()
        start = time.perf_counter()
        op()
        elapsed = time.perf_counter() - start
        if profiler is not None:
            profiler.disable()
    if profiler is not None and profile is not None:
        save_profile(profiler, profile, elapsed, counter.count)
    return elapsed, counter.count


def baseline_once(fn: Callable[[], tuple[float, int]]) -> tuple[float, int]:
    """`fn()` times its own database work and returns (seconds, rows)."""
    gc.collect()
    return fn()


def save_profile(profiler: cProfile.Profile, path: Path, elapsed: float, queries: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    profiler.dump_stats(str(path.with_suffix(".prof")))
    out = io.StringIO()
    out.write(f"{path.name}: {elapsed:.3f} s under the profiler, {queries} queries\n\n")
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(40)
    stats.sort_stats("tottime").print_stats(25)
    path.with_suffix(".txt").write_text(out.getvalue())


# --- Environment -------------------------------------------------------------------------------------


def database_info() -> dict[str, Any]:
    connection.ensure_connection()
    info: dict[str, Any] = {"vendor": connection.vendor, "name": str(connection.settings_dict.get("NAME"))}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            info["server_version"] = cursor.fetchone()[0]
            cursor.execute("SELECT version()")
            info["version"] = cursor.fetchone()[0]
            import psycopg

            info["driver"] = f"psycopg {psycopg.__version__}"
        elif connection.vendor == "sqlite":
            cursor.execute("SELECT sqlite_version()")
            info["server_version"] = cursor.fetchone()[0]
            info["version"] = f"SQLite {info['server_version']}"
            info["driver"] = "sqlite3"
        else:
            info["server_version"] = ""
            info["version"] = connection.display_name
    return info


def machine_info() -> dict[str, Any]:
    import django

    cpu_model = ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu_model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        cpu_model = platform.processor()
    memory = ""
    try:
        with open("/proc/meminfo") as f:
            first = f.readline().split()
            memory = f"{int(first[1]) // 1024} MiB"
    except (OSError, IndexError, ValueError):
        memory = ""
    return {
        "cpu_count": os.cpu_count(),
        "cpu_model": cpu_model,
        "memory": memory,
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "django": django.get_version(),
        "platform": platform.platform(),
    }


# --- Output ------------------------------------------------------------------------------------------


def _seconds(value: float | None) -> str:
    if value is None:
        return "-"
    if value < 1:
        return f"{value * 1000:.1f} ms"
    return f"{value:.2f} s"


def table(results: list[Result]) -> str:
    headers = [
        "scenario",
        "lines",
        "serials",
        "runs",
        "queries",
        "median",
        "min",
        "max",
        "baseline",
        "ratio",
        "status",
    ]
    rows = []
    for r in results:
        rows.append(
            [
                r.scenario,
                str(r.lines),
                str(r.serials),
                str(r.runs) if r.runs else "-",
                "-" if r.queries is None else str(r.queries),
                _seconds(r.median_s),
                _seconds(r.min_s),
                _seconds(r.max_s),
                _seconds(r.baseline_median_s),
                "-" if r.ratio is None else f"{r.ratio:.1f}x",
                (r.status if r.status == OK and not r.detail else f"{r.status}: {r.detail}")[:90],
            ]
        )
    widths = [max(len(h), *(len(row[i]) for row in rows)) if rows else len(h) for i, h in enumerate(headers)]
    right = {1, 2, 3, 4, 5, 6, 7, 8, 9}

    def fmt(row: list[str]) -> str:
        cells = [c.rjust(widths[i]) if i in right else c.ljust(widths[i]) for i, c in enumerate(row)]
        return "  ".join(cells).rstrip()

    lines = [fmt(headers), fmt(["-" * w for w in widths])]
    lines += [fmt(row) for row in rows]
    return "\n".join(lines)


def markdown_table(results: list[Result]) -> str:
    out = [
        "| scenario | lines | serials | runs | queries | median | min | max | baseline | ratio | note |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in results:
        if r.status != OK:
            out.append(f"| {r.scenario} | {r.lines} | {r.serials} | | | | | | | | {r.status}: {r.detail} |")
            continue
        ratio = "-" if r.ratio is None else f"{r.ratio:.1f}x"
        out.append(
            f"| {r.scenario} | {r.lines} | {r.serials} | {r.runs} | {r.queries} | {_seconds(r.median_s)} | "
            f"{_seconds(r.min_s)} | {_seconds(r.max_s)} | {_seconds(r.baseline_median_s)} | {ratio} | "
            f"{r.detail} |"
        )
    return "\n".join(out)


def records(
    results: list[Result], *, database: dict[str, Any], machine: dict[str, Any]
) -> list[dict[str, Any]]:
    """The JSON records: one object per scenario, each carrying the database and machine it ran on."""
    run_at = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    return [{**asdict(r), "database": database, "machine": machine, "run_at": run_at} for r in results]


def write_json(path: Path, data: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
