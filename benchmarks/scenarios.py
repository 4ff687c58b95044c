"""The scenario grid, wired to the services as they exist.

A document family is one grid cell: a sales order shape (lines x serial numbers per line, or lot lines)
with its own items and stock for `warmup + runs` documents. The chain is ingest -> create -> render ->
autofill -> post:

1. warm-up: document 0 goes through the whole chain (and each operation's baseline once); not recorded.
   Its cost tells how many measured runs the time budget affords (see `Suite.affordable_runs`).
2. measured runs: each operation runs over all measured documents before the next operation starts, then
   its baseline runs as often, so every run of an operation sees the same stock and open picks.

A service, page or endpoint that does not exist yet makes its scenario (and those that need it) report
"not available yet"; an error in one scenario is reported as "failed" and the others still run.
"""

from __future__ import annotations

import gc
import importlib
import json
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

from django.conf import settings
from django.test import Client
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from rest_framework.test import APIClient

from benchmarks import baseline, data
from benchmarks.concurrency import run_concurrency
from benchmarks.flow import INVENTORY_STEPS, WAREHOUSE_STEPS, run_flows
from benchmarks.harness import (
    FAILED,
    NOT_AVAILABLE,
    OK,
    SKIPPED,
    Measurement,
    Result,
    Unavailable,
    baseline_once,
    log,
    measure_once,
)
from benchmarks.receive import run_receive
from benchmarks.sql import checkpoint
from benchmarks.tracing import run_tracing
from benchmarks.warehouse import run_warehouse
from config import gctuning
from picking.models import PickLine, PostedPickLine

OPERATIONS = ("ingest", "create", "render", "scan", "autofill", "post")
# A family the time budget leaves fewer measured runs than this gets this many samples of each baseline
# that takes under CHEAP_BASELINE_S and can be repeated (`Step.resample`: ingest, create, render, scan,
# autofill; not post, 2-8 s), and the median of them counts: in four full runs on one machine one sample
# of the ingest baseline at 10 000 serial numbers took 117-197 ms (ratio 2.2x-3.8x), of the create
# baseline 570-960 ms (ratio 1.8x-3.1x).
BASELINE_SAMPLES = 3
CHEAP_BASELINE_S = 2.5
# What each operation needs to have run before it (on the same documents).
NEEDS: dict[str, tuple[str, ...]] = {
    "ingest": (),
    "create": ("ingest",),
    "render": ("create",),  # the pick page's first screen (one page of lines in walking order)
    "scan": ("create",),  # one scan of the number on the pick's last line (the scan service)
    "autofill": ("create",),
    "post": ("autofill",),
}
VARIANTS = (
    "serial",
    "lot",
    "serial-big",
    "api",
    "selector",
    "warehouse",
    "adjustment",
    "http",
    "http-full",
    "http-warehouse",
    "concurrency",
    "memory",
    "tracing",
)


@dataclass(frozen=True)
class Config:
    serial_lines: tuple[int, ...] = (10, 100, 1000)
    serials_per_line: tuple[int, ...] = (1, 10)
    lot_lines: tuple[int, ...] = (10, 100, 1000)
    lot_quantity: int = 10  # per line: two lots of data.LOT_SIZE
    big_pick: tuple[int, int] | None = (30, 1000)  # (lines, serial numbers per line): one 30 000-serial pick
    availability_serials: int = 100_000
    runs: int = 5
    warmup: int = 1
    # Seconds the availability scenarios and the grid may take; measured runs are reduced (never below one)
    # to stay within it.
    budget_s: float | None = None
    # Seconds the whole suite should take: on a slower machine, where the parts before the grid took
    # longer, the grid's budget shrinks so that `make bench` stays within 10 minutes (`grid_budget`).
    total_s: float | None = None
    scenarios: tuple[str, ...] = ()  # substrings of scenario names; empty: all
    profile_dir: Path | None = None
    # (lines, serial numbers per line) of the warehouse shipment scenarios (benchmarks/warehouse.py)
    warehouse: tuple[tuple[int, int], ...] = ()
    warehouse_runs: int = 3  # measured runs of each warehouse shape (not reduced by the time budget)
    # documents a lot is shipped on, of the tracing scenarios (benchmarks/tracing.py)
    tracing: tuple[int, ...] = ()
    # Receiving by adjustment (service level) against its COPY baseline: serial numbers per receipt.
    receive_sizes: tuple[int, ...] = ()
    # The whole flow over HTTP through gunicorn (benchmarks/flow.py): serial numbers per flow, and runs.
    http_sizes: tuple[int, ...] = ()
    http_warehouse_sizes: tuple[int, ...] = ()
    # the inventory flow again with full answers (no `Prefer: return=minimal`): serial numbers per flow
    http_full_sizes: tuple[int, ...] = ()
    http_runs: int = 3
    # The sizes whose flows are also measured against their database floor (benchmarks.flow); None: all.
    # Each floor costs several seconds of set-up, which the grid's time budget pays on a slower machine.
    http_floor_sizes: tuple[int, ...] | None = None
    # Concurrency and memory (benchmarks/concurrency.py): serial numbers of the big posting; 0: not run.
    big_posting: int = 0
    concurrent_clients: int = 8

    def selected(self, scenario: str) -> bool:
        return not self.scenarios or any(token in scenario for token in self.scenarios)


FULL = Config(
    budget_s=270.0,  # the availability scenarios and the grid; the HTTP flows and the rest come on top
    total_s=510.0,
    warehouse=((10, 1), (100, 10), (1000, 10)),
    warehouse_runs=2,
    receive_sizes=(1000, 10_000),
    http_sizes=(1000, 5000, 10_000),
    http_warehouse_sizes=(1000, 5000),
    http_full_sizes=(5000,),
    http_runs=5,
    http_floor_sizes=(5000,),  # the size of the goal (docs/performance.md)
    big_posting=30_000,
    tracing=(100, 10_000),
)
QUICK = Config(
    serial_lines=(10, 100),
    serials_per_line=(1, 10),
    lot_lines=(10, 100),
    big_pick=(10, 300),
    availability_serials=10_000,
    runs=3,
    budget_s=120.0,
    warehouse=((10, 1), (100, 10)),
    tracing=(100, 1000),
    receive_sizes=(1000,),
    http_sizes=(1000, 5000),
    http_warehouse_sizes=(1000,),
    http_runs=1,
    big_posting=10_000,
)


@dataclass
class Family:
    variant: str  # serial, lot, serial-big
    lines: int
    per_line: int
    prefix: str

    @property
    def kind(self) -> str:
        return "lot" if self.variant == "lot" else "serial"

    @property
    def serials(self) -> int:
        return self.lines * self.per_line if self.kind == "serial" else 0

    @property
    def pick_lines(self) -> int:
        return self.lines * (self.per_line if self.kind == "serial" else -(-self.per_line // data.LOT_SIZE))

    @property
    def units(self) -> int:
        """What the cost grows with: source lines plus pick lines."""
        return self.lines + self.pick_lines


def families(config: Config) -> list[Family]:
    out = [
        Family("serial", lines, per_line, f"S{lines}x{per_line}")
        for per_line in config.serials_per_line
        for lines in config.serial_lines
    ]
    out += [Family("lot", lines, config.lot_quantity, f"L{lines}") for lines in config.lot_lines]
    if config.big_pick is not None:
        lines, per_line = config.big_pick
        out.append(Family("serial-big", lines, per_line, f"S{lines}x{per_line}"))
    return out


# --- Finding the services ---------------------------------------------------------------------------


def service(module: str, name: str) -> Callable[..., Any]:
    """The function `module.name`, or Unavailable (missing, or the module does not import right now)."""
    try:
        mod = importlib.import_module(module)
    except ImportError as exc:
        raise Unavailable(f"{module} does not exist") from exc
    except Exception as exc:  # a module being edited by its owner at this moment
        raise Unavailable(f"{module} does not import: {type(exc).__name__}: {exc}") from exc
    fn = getattr(mod, name, None)
    if fn is None:
        raise Unavailable(f"{module}.{name} does not exist")
    return fn


def api_path(name: str, **kwargs: Any) -> str:
    try:
        path = reverse(name, kwargs=kwargs or None)
        resolve(path)
    except (NoReverseMatch, Resolver404) as exc:
        raise Unavailable(f"URL {name} does not exist") from exc
    return path


def page_path(name: str, pk: int) -> str:
    try:
        return reverse(name, kwargs={"pk": pk})
    except NoReverseMatch as exc:
        raise Unavailable(f"page {name} does not exist") from exc


class BenchFailure(Exception):
    pass


def _check_status(response: Any, expected: int, what: str) -> None:
    if response.status_code != expected:
        body = response.content[:400].decode(errors="replace")
        raise BenchFailure(f"{what} answered HTTP {response.status_code}: {body}")


@dataclass
class Step:
    """One operation of the chain: `call(r)` is timed, `check(r, value)` verifies it (untimed),
    `baseline(r)` returns (seconds, rows) of the same rows written or read the fastest way."""

    call: Callable[[int], object]
    check: Callable[[int, object], None]
    baseline: Callable[[int], tuple[float, int]]
    baseline_label: str
    # Another sample of run r's baseline (the k-th, from 1), for a baseline cheap enough to repeat:
    # `Suite.run_family` takes BASELINE_SAMPLES of it when the time budget leaves fewer measured runs.
    resample: Callable[[int, int], tuple[float, int]] | None = None


# --- Running -----------------------------------------------------------------------------------------


@dataclass
class Suite:
    config: Config
    master: data.Master
    started: float = field(default_factory=time.perf_counter)
    budget_origin: float = field(default_factory=time.perf_counter)
    results: list[Result] = field(default_factory=list)
    pending: list[Family] = field(default_factory=list)  # families still to run after the current one
    fixed_cost: float | None = None  # seconds per run of the smallest family (the budget's estimate)
    per_unit: float | None = None  # seconds per run and unit beyond it, of the largest family so far

    def spent(self) -> float:
        return time.perf_counter() - self.started

    def budget_spent(self) -> float:
        """Seconds counted against `Config.budget_s`: since the availability scenarios and the grid started
        (the fixed-size parts before them, HTTP flows, receiving, concurrency, are not budgeted)."""
        return time.perf_counter() - self.budget_origin

    def elapsed(self) -> str:
        return f"[{self.spent():6.1f}s]"

    def api(self) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {self.master.token}")
        return client

    def page_client(self) -> Client:
        client = Client()
        client.force_login(self.master.supervisor)
        return client

    def profile_path(self, scenario: str, lines: int, per_line: int) -> Path | None:
        if self.config.profile_dir is None:
            return None
        return self.config.profile_dir / f"{scenario.replace(' ', '-')}-{lines}x{per_line}"

    def report(self, result: Result) -> None:
        self.results.append(result)
        if result.status == OK:
            ratio = "-" if result.ratio is None else f"{result.ratio:.1f}x"
            log(
                f"{self.elapsed()} {result.scenario} lines={result.lines} serials={result.serials}: "
                f"median {result.median_s:.4f} s of {result.runs}, {result.queries} queries, "
                f"baseline {result.baseline_median_s or 0:.4f} s, ratio {ratio}"
            )
        else:
            log(f"{self.elapsed()} {result.scenario} lines={result.lines}: {result.status}: {result.detail}")

    def estimate(self, fam: Family) -> float | None:
        """Seconds one run of the family's chain (with baselines) should take, from what ran before: the
        fixed cost of the smallest family plus the cost per unit of the largest one so far."""
        if self.fixed_cost is None or self.per_unit is None:
            return None
        return self.fixed_cost + self.per_unit * fam.units

    def learn(self, fam: Family, cost_per_run: float) -> None:
        if cost_per_run <= 0:
            return
        if self.fixed_cost is None:
            self.fixed_cost = cost_per_run
        self.per_unit = max(cost_per_run - self.fixed_cost, 0.0) / max(fam.units, 1)

    def left_for(self, fam: Family) -> float:
        """Budget left for this family after reserving one run for each family still to come."""
        assert self.config.budget_s is not None
        reserve = sum(self.estimate(later) or 0.0 for later in self.pending)
        return self.config.budget_s - self.budget_spent() - reserve

    def plan_warmup(self, fam: Family) -> tuple[int, str]:
        """The configured warm-up, or none when the budget cannot afford it and a measured run."""
        cfg = self.config
        est = self.estimate(fam)
        if cfg.budget_s is None or est is None or cfg.warmup == 0:
            return cfg.warmup, ""
        if self.left_for(fam) < (cfg.warmup + 1) * est:
            return 0, f"no warm-up: time budget ({cfg.budget_s:.0f} s)"
        return cfg.warmup, ""

    def documents_to_prepare(self, fam: Family) -> int:
        """Documents (and their stock) to prepare: the warm-up and the measured runs, fewer (never none)
        when the budget can already not afford them all (the stock of 6 x 30 000 serial numbers takes a
        minute to write, for a family the budget lets run once)."""
        cfg = self.config
        total = cfg.warmup + cfg.runs
        est = self.estimate(fam)
        if cfg.budget_s is None or not est:
            return total
        return max(1, min(total, int(self.left_for(fam) // est)))

    def affordable_runs(self, fam: Family, cost_per_run: float | None) -> tuple[int, str]:
        """Measured runs: `config.runs`, fewer (never none) when the budget is short."""
        cfg = self.config
        if cfg.budget_s is None or not cost_per_run:
            return cfg.runs, ""
        runs = max(1, min(cfg.runs, int(self.left_for(fam) // cost_per_run)))
        if runs < cfg.runs:
            return runs, f"{runs} of {cfg.runs} runs: time budget ({cfg.budget_s:.0f} s)"
        return runs, ""

    # -- document families --

    def run_family(self, fam: Family) -> None:
        cfg = self.config
        wanted = [op for op in OPERATIONS if cfg.selected(f"{op} {fam.variant}")]
        if not wanted:
            return
        needed: set[str] = set()
        stack = list(wanted)
        while stack:
            op = stack.pop()
            if op not in needed:
                needed.add(op)
                stack.extend(NEEDS[op])
        chain = [op for op in OPERATIONS if op in needed]
        total = self.documents_to_prepare(fam)

        def result(op: str) -> Result:
            return Result(
                scenario=f"{op} {fam.variant}",
                operation=op,
                variant=fam.variant,
                lines=fam.lines,
                serials=fam.serials,
                serials_per_line=fam.per_line if fam.kind == "serial" else 0,
            )

        if cfg.budget_s is not None and self.budget_spent() > cfg.budget_s:
            for op in wanted:
                detail = f"the time budget ({cfg.budget_s:.0f} s) was used up"
                self.report(replace(result(op), status=SKIPPED, detail=detail))
            return

        # Set-up: the family's items and their stock, mirror items for the baseline, the documents.
        log(f"{self.elapsed()} setting up {fam.variant} {fam.lines} lines x {fam.per_line}")
        code = self.master.serial_code if fam.kind == "serial" else self.master.lot_code
        try:
            items = data.create_items(fam.prefix, fam.lines, code)
            mirror = data.create_items(f"B{fam.prefix}", fam.lines, code)
            if fam.kind == "serial":
                stock = data.serial_stock(self.master, items, runs=total, per_run=fam.per_line)
            else:
                lots = total * -(-fam.per_line // data.LOT_SIZE)
                stock = data.lot_stock(self.master, items, lots=lots)
            data.receive(self.master, stock, label=fam.prefix)
        except Exception as exc:
            traceback.print_exc()
            for op in wanted:
                self.report(replace(result(op), status=FAILED, detail=f"set-up: {type(exc).__name__}: {exc}"))
            return
        _freeze()
        shape = baseline.Shape(kind=fam.kind, items=mirror, per_line=fam.per_line, prefix=f"B{fam.prefix}")
        bodies = [
            data.encode(
                data.serial_document(f"SO-{fam.prefix}-{r}", items, per_line=fam.per_line, run=r)
                if fam.kind == "serial"
                else data.lot_document(f"SO-{fam.prefix}-{r}", items, quantity=fam.per_line)
            )
            for r in range(total)
        ]
        doc_ids: dict[int, int] = {}
        pick_ids: dict[int, int] = {}
        scan_codes: dict[int, str] = {}
        master = self.master

        def build(op: str) -> Step:
            if op == "ingest":
                url = api_path("api-source-document-list")
                client = self.api()

                def ingest_check(r: int, response: object) -> None:
                    _check_status(response, 201, "POST /api/v1/source-documents/")
                    doc_ids[r] = int(json.loads(response.content)["id"])  # type: ignore[attr-defined]

                return Step(
                    call=lambda r: client.post(url, data=bodies[r], content_type="application/json"),
                    check=ingest_check,
                    baseline=lambda r: baseline.ingest(master, shape, r),
                    baseline_label=baseline.describe(),
                    # a document of its own each time (the numbers must be new)
                    resample=lambda r, k: baseline.ingest(master, shape, r + 1000 * k),
                )
            if op == "create":
                create = service("picking.services.pick_create", "pick_create_from_source")

                def create_check(r: int, res: object) -> None:
                    pick = getattr(res, "pick", None)
                    if pick is None:
                        raise BenchFailure("pick_create_from_source returned no pick")
                    not_picked = getattr(res, "not_picked", None)
                    if not_picked:
                        raise BenchFailure(f"stock not picked: {list(not_picked)[:3]}")
                    pick_ids[r] = pick.pk
                    last = PickLine.objects.filter(pick_id=pick.pk).order_by("-line_no").first()
                    scan_codes[r] = (last.serial_no or last.lot_no) if last else ""
                    lines = PickLine.objects.filter(pick_id=pick.pk).count()
                    if lines != fam.pick_lines:
                        raise BenchFailure(f"expected {fam.pick_lines} pick lines, found {lines}")

                return Step(
                    call=lambda r: create(source_document_id=doc_ids[r], user=master.supervisor),
                    check=create_check,
                    baseline=lambda r: baseline.create(master, shape, r),
                    baseline_label=baseline.describe(),
                    # a document of its own each time
                    resample=lambda r, k: baseline.create(master, shape, r + 1000 * k),
                )
            if op == "render":
                page_path("picking:pick-detail", 0)
                client_page = self.page_client()

                def render_check(r: int, response: object) -> None:
                    _check_status(response, 200, "the pick page")

                return Step(
                    call=lambda r: client_page.get(page_path("picking:pick-detail", pick_ids[r])),
                    check=render_check,
                    baseline=lambda r: baseline.render(pick_ids[r]),
                    baseline_label="one SELECT of the pick, one of its first 25 lines in walking order",
                    resample=lambda r, k: baseline.render(pick_ids[r]),
                )
            if op == "scan":
                scan = service("picking.services.pick_scan", "pick_scan")

                def scan_check(r: int, result: object) -> None:
                    if getattr(result, "line", None) is None:
                        raise BenchFailure(f"the scan of {scan_codes[r]} changed no line")

                return Step(
                    call=lambda r: scan(pick_id=pick_ids[r], code=scan_codes[r], user=master.supervisor),
                    check=scan_check,
                    baseline=lambda r: baseline.scan(pick_ids[r], scan_codes[r]),
                    baseline_label="one UPDATE of the line carrying the number",
                    resample=lambda r, k: baseline.scan(pick_ids[r], scan_codes[r]),  # the same value again
                )
            if op == "autofill":
                autofill = service("picking.services.pick_qty_to_handle", "pick_autofill_qty_to_handle")
                return Step(
                    call=lambda r: autofill(pick_id=pick_ids[r], user=master.supervisor),
                    check=lambda r, value: None,
                    baseline=lambda r: baseline.autofill(pick_ids[r]),
                    baseline_label="one UPDATE ... WHERE pick_id = %s",
                    resample=lambda r, k: baseline.autofill(pick_ids[r]),  # the same values again
                )
            post = service("picking.services.pick_post", "pick_post")

            def post_check(r: int, posted: object) -> None:
                lines = PostedPickLine.objects.filter(posted_pick_id=getattr(posted, "pk", None)).count()
                if lines != fam.pick_lines:
                    raise BenchFailure(f"expected {fam.pick_lines} posted pick lines, found {lines}")

            return Step(
                call=lambda r: post(pick_id=pick_ids[r], user=master.supervisor),
                check=post_check,
                baseline=lambda r: baseline.post(master, shape, r),
                baseline_label=baseline.describe(),
            )

        steps: dict[str, Step] = {}
        blocked: dict[str, tuple[str, str]] = {}  # op -> (status, why)
        measured = {op: Measurement() for op in chain}

        def run_op(op: str, r: int, *, record: bool, profile: bool = False) -> None:
            if op in blocked:
                return
            for need in NEEDS[op]:
                if need in blocked:
                    status, why = blocked[need]
                    blocked[op] = (
                        NOT_AVAILABLE if status == NOT_AVAILABLE else SKIPPED,
                        f"needs {need}: {why}",
                    )
                    return
            try:
                if op not in steps:
                    steps[op] = build(op)
                step = steps[op]
                value: list[object] = []
                path = self.profile_path(f"{op} {fam.variant}", fam.lines, fam.per_line) if profile else None
                elapsed, queries = measure_once(lambda: value.append(step.call(r)), profile=path)
                step.check(r, value[0])
            except Unavailable as exc:
                blocked[op] = (NOT_AVAILABLE, str(exc))
                return
            except Exception as exc:
                traceback.print_exc()
                blocked[op] = (FAILED, f"{type(exc).__name__}: {exc}")
                return
            if record:
                measured[op].times.append(elapsed)
                measured[op].queries.append(queries)

        def run_baseline(op: str, r: int, *, record: bool, samples: int = 1) -> None:
            """Run r's baseline; with `samples` > 1, as many samples of it if it is cheap (`resample`)."""
            if op in blocked or op not in wanted:
                return
            try:
                seconds, rows = baseline_once(lambda: steps[op].baseline(r))
                more: list[float] = []
                resample = steps[op].resample
                if record and resample is not None and seconds < CHEAP_BASELINE_S:
                    for k in range(1, samples):
                        more.append(baseline_once(partial(resample, r, k))[0])
            except Exception as exc:
                traceback.print_exc()
                blocked[op] = (FAILED, f"baseline: {type(exc).__name__}: {exc}")
                return
            if record:
                measured[op].baseline_times += [seconds, *more]
                measured[op].baseline_rows = rows

        warmup, notes = self.plan_warmup(fam)
        if warmup >= total:  # stock was prepared for fewer documents: measure, do not warm up
            warmup, notes = 0, f"no warm-up: time budget ({cfg.budget_s:.0f} s)"
        cost: float | None = None
        for r in range(warmup):
            start = time.perf_counter()
            for op in chain:
                run_op(op, r, record=False, profile=r == 0)
                run_baseline(op, r, record=False)
            cost = time.perf_counter() - start
        runs, note = self.affordable_runs(fam, cost if warmup else self.estimate(fam))
        if warmup + runs > total:
            runs = total - warmup
            note = f"{runs} of {cfg.runs} runs: time budget ({cfg.budget_s:.0f} s)"
        notes = "; ".join(n for n in (notes, note) if n)
        indexes = range(warmup, warmup + runs)
        checkpoint()  # the stock just written (and the families before) is flushed before anything is timed
        start = time.perf_counter()
        samples = BASELINE_SAMPLES if runs < BASELINE_SAMPLES else 1
        for op in chain:
            for r in indexes:
                run_op(op, r, record=op in wanted)
            for r in indexes:
                run_baseline(op, r, record=True, samples=samples)
        self.learn(fam, cost if cost is not None else (time.perf_counter() - start) / max(runs, 1))
        for op in wanted:
            if op in blocked:
                status, why = blocked[op]
                self.report(replace(result(op), status=status, detail=why))
            else:
                done = result(op).fill(measured[op], steps[op].baseline_label)
                sampled = len(measured[op].baseline_times)
                resampled = f"baseline: median of {sampled} samples" if sampled > len(indexes) else ""
                done.detail = "; ".join(n for n in (notes, resampled) if n)
                self.report(done)

    # -- availability --

    def run_availability(self) -> None:
        cfg = self.config
        variants = [v for v in ("api", "selector") if cfg.selected(f"availability {v}")]
        if not variants:
            return
        count = cfg.availability_serials
        log(f"{self.elapsed()} setting up availability: one item with {count} serial numbers")

        def result(variant: str) -> Result:
            return Result(
                scenario=f"availability {variant}",
                operation="availability",
                variant=variant,
                lines=0,
                serials=count,
                serials_per_line=0,
            )

        try:
            item = data.create_items("AV", 1, self.master.serial_code)[0]
            data.receive(
                self.master, data.serial_stock(self.master, [item], runs=1, per_run=count), label="AV"
            )
        except Exception as exc:
            traceback.print_exc()
            for v in variants:
                self.report(replace(result(v), status=FAILED, detail=f"set-up: {type(exc).__name__}: {exc}"))
            return
        location_id = self.master.location.pk
        page_size = int(str(settings.REST_FRAMEWORK.get("PAGE_SIZE") or 50))

        for variant in variants:
            m = Measurement()
            profile = self.profile_path(f"availability {variant}", 0, count)
            try:
                if variant == "api":
                    url = api_path("api-inventory-availability")
                    client = self.api()
                    query = {"item": item.no, "location": data.LOCATION}

                    def call(
                        url: str = url, client: APIClient = client, query: dict[str, str] = query
                    ) -> None:
                        response = client.get(url, query)
                        _check_status(response, 200, "GET /api/v1/inventory/availability/")
                        body = json.loads(response.content)
                        if body.get("count") != count:
                            raise BenchFailure(f"expected {count} rows, the API counts {body.get('count')}")

                    def base() -> tuple[float, int]:
                        return baseline.availability(item.pk, location_id, page_size=page_size)

                    description = f"one COUNT and one SELECT of the first {page_size} rows"
                else:
                    available_stock = service("picking.availability", "available_stock")

                    def call(  # type: ignore[misc]
                        fn: Callable[..., Any] = available_stock,
                    ) -> None:
                        stock = fn(item_ids=[item.pk], location_id=location_id)
                        if len(stock.rows) != count:
                            raise BenchFailure(f"expected {count} rows, got {len(stock.rows)}")

                    def base() -> tuple[float, int]:
                        return baseline.availability(item.pk, location_id, page_size=None)

                    description = "one SELECT of all rows"
                start = time.perf_counter()
                for _ in range(cfg.warmup):
                    measure_once(call, profile=profile)
                    baseline_once(base)
                runs, note = cfg.runs, ""
                if cfg.warmup and cfg.budget_s is not None:
                    # Each availability variant may use a tenth of the budget, its warm-up included.
                    spent = time.perf_counter() - start
                    per_run = spent / cfg.warmup
                    runs = max(1, min(cfg.runs, int((cfg.budget_s * 0.1 - spent) // per_run)))
                    if runs < cfg.runs:
                        note = f"{runs} of {cfg.runs} runs: time budget ({cfg.budget_s:.0f} s)"
                for _ in range(runs):
                    elapsed, queries = measure_once(call)
                    m.times.append(elapsed)
                    m.queries.append(queries)
                for _ in range(runs):
                    seconds, rows = baseline_once(base)
                    m.baseline_times.append(seconds)
                    m.baseline_rows = rows
            except Unavailable as exc:
                self.report(replace(result(variant), status=NOT_AVAILABLE, detail=str(exc)))
                continue
            except Exception as exc:
                traceback.print_exc()
                self.report(replace(result(variant), status=FAILED, detail=f"{type(exc).__name__}: {exc}"))
                continue
            done = result(variant).fill(m, description)
            done.detail = note
            self.report(done)


_STEPS = {
    "http": (*INVENTORY_STEPS, "total"),
    "http-full": (*INVENTORY_STEPS, "total"),
    "http-warehouse": (*WAREHOUSE_STEPS, "total"),
}


def _order(r: Result) -> tuple[int, int, int, int, int]:
    steps = _STEPS.get(r.variant, (*OPERATIONS, "register", "ship"))
    op = steps.index(r.operation) if r.operation in steps else len(steps)
    variant = VARIANTS.index(r.variant) if r.variant in VARIANTS else len(VARIANTS)
    return (variant, r.serials_per_line, r.lines, r.serials, op)


def run_suite(config: Config) -> list[Result]:
    """Create the master data and run every selected scenario on the current database.

    Availability first (fixed cost), then the families from the smallest to the largest, so the time
    budget is spent on what it can afford; the results come back in grid order.
    """
    started = time.perf_counter()
    suite = Suite(config=config, master=data.create_master_data())
    thresholds = gc.get_threshold()
    _freeze()
    # The fixed-size parts first (a bounded number of runs each), then the budgeted availability and grid.
    run_receive(suite)
    run_flows(suite)
    run_concurrency(suite)
    budget = grid_budget(config, spent=time.perf_counter() - started)
    if budget != config.budget_s:
        log(
            f"{suite.elapsed()} a slower machine: the grid's budget is {budget:.0f} s,"
            f" not {config.budget_s:.0f} s"
        )
        suite.config = replace(config, budget_s=budget)
    suite.budget_origin = time.perf_counter()
    suite.run_availability()
    order = sorted(families(config), key=lambda f: f.units)
    for i, fam in enumerate(order):
        suite.pending = [
            f for f in order[i + 1 :] if any(config.selected(f"{op} {f.variant}") for op in OPERATIONS)
        ]
        suite.run_family(fam)
    run_warehouse(suite)
    run_tracing(suite)
    gc.unfreeze()
    gc.set_threshold(*thresholds)
    return sorted(suite.results, key=_order)


# What comes after the grid (the warehouse shapes, tracing) took about 0.6 of what comes before it (set-up,
# receiving, the HTTP flows, concurrency) in full runs on the 2-core machine.
_TAIL_SHARE = 0.6


def grid_budget(config: Config, *, spent: float) -> float | None:
    """The grid's time budget once the parts before it took `spent` seconds: `config.budget_s`, or less
    when the whole suite would otherwise exceed `config.total_s` (never below a fifth of the budget)."""
    if config.budget_s is None or config.total_s is None:
        return config.budget_s
    affordable = config.total_s - spent * (1 + _TAIL_SHARE)
    return max(config.budget_s / 5, min(config.budget_s, round(affordable)))


def _freeze() -> None:
    """The garbage collector as in the web and worker processes (`config.gctuning`: what exists now
    frozen, the thresholds raised; `LOTPICK_GC_TUNING=0` leaves the thresholds as Python sets them): the
    `gc.collect()` before each timed call then only looks at what the benchmark created since (a full
    collection of a Django process takes about 0.1 s). Objects are still freed as soon as nothing refers
    to them."""
    if not gctuning.tune():
        gc.collect()
        gc.freeze()
