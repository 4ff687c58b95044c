"""The scenario grid, wired to the services as they exist.

A document family is one grid cell: a sales order shape (lines x serial numbers per line, or lot lines).
For each family the chain ingest -> create -> render -> autofill -> post runs `warmup + runs` times, each
operation over all documents before the next one starts, so every run of an operation sees the same
amount of stock and open picks. Each operation is followed by its baseline (benchmarks/baseline.py).

A service, page or endpoint that does not exist yet makes its scenario (and those that need it) report
"not available yet"; an error in one scenario is reported as "failed" and the others still run.
"""

from __future__ import annotations

import importlib
import json
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from django.conf import settings
from django.test import Client
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from rest_framework.test import APIClient

from benchmarks import baseline, data
from benchmarks.harness import (
    FAILED,
    NOT_AVAILABLE,
    OK,
    SKIPPED,
    Measurement,
    Result,
    Unavailable,
    log,
    timed,
    timed_baseline,
)
from picking.models import PickLine, PostedPickLine

OPERATIONS = ("ingest", "create", "render", "autofill", "post")
# What each operation needs to have run before it (on the same documents).
NEEDS = {
    "ingest": (),
    "create": ("ingest",),
    "render": ("create",),
    "autofill": ("create",),
    "post": ("autofill",),
}


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
    scenarios: tuple[str, ...] = ()  # substrings of scenario names; empty: all
    profile_dir: Path | None = None

    def selected(self, scenario: str) -> bool:
        return not self.scenarios or any(token in scenario for token in self.scenarios)


FULL = Config()
QUICK = Config(
    serial_lines=(10, 100),
    serials_per_line=(1, 10),
    lot_lines=(10, 100),
    big_pick=(10, 300),
    availability_serials=10_000,
    runs=3,
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


# --- Running -----------------------------------------------------------------------------------------


@dataclass
class Suite:
    config: Config
    master: data.Master
    started: float = field(default_factory=time.perf_counter)
    results: list[Result] = field(default_factory=list)

    def elapsed(self) -> str:
        return f"[{time.perf_counter() - self.started:6.1f}s]"

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
                f"median {result.median_s:.4f} s, {result.queries} queries, "
                f"baseline {result.baseline_median_s or 0:.4f} s, ratio {ratio}"
            )
        else:
            log(f"{self.elapsed()} {result.scenario} lines={result.lines}: {result.status}: {result.detail}")

    # -- document families --

    def run_family(self, fam: Family) -> None:
        wanted = [op for op in OPERATIONS if self.config.selected(f"{op} {fam.variant}")]
        if not wanted:
            return
        needed: set[str] = set()
        stack = list(wanted)
        while stack:
            op = stack.pop()
            if op not in needed:
                needed.add(op)
                stack.extend(NEEDS[op])
        cfg = self.config
        total = cfg.warmup + cfg.runs

        def result(op: str) -> Result:
            return Result(
                scenario=f"{op} {fam.variant}",
                operation=op,
                variant=fam.variant,
                lines=fam.lines,
                serials=fam.serials,
                serials_per_line=fam.per_line if fam.kind == "serial" else 0,
            )

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
        shape = baseline.Shape(kind=fam.kind, items=mirror, per_line=fam.per_line, prefix=f"B{fam.prefix}")
        bodies = [
            data.encode(
                data.serial_document(f"SO-{fam.prefix}-{r}", items, per_line=fam.per_line, run=r)
                if fam.kind == "serial"
                else data.lot_document(f"SO-{fam.prefix}-{r}", items, quantity=fam.per_line)
            )
            for r in range(total)
        ]
        doc_ids: list[int] = []
        pick_ids: list[int] = []
        blocked: dict[str, str] = {}  # op -> why it cannot run

        def attempt(op: str, steps: Callable[[Measurement, bool], None], base: str) -> None:
            """Run `steps` (timed when the op is wanted) and report; record why later ops cannot run."""
            for need in NEEDS[op]:
                if need in blocked:
                    if op in wanted:
                        status = NOT_AVAILABLE if blocked[need].startswith(NOT_AVAILABLE) else SKIPPED
                        self.report(
                            replace(result(op), status=status, detail=f"needs {need}: {blocked[need]}")
                        )
                    blocked[op] = blocked[need]
                    return
            m = Measurement()
            try:
                steps(m, op in wanted)
            except Unavailable as exc:
                blocked[op] = f"{NOT_AVAILABLE} ({exc})"
                if op in wanted:
                    self.report(replace(result(op), status=NOT_AVAILABLE, detail=str(exc)))
                return
            except Exception as exc:
                traceback.print_exc()
                blocked[op] = f"{op} failed"
                if op in wanted:
                    self.report(replace(result(op), status=FAILED, detail=f"{type(exc).__name__}: {exc}"))
                return
            if op in wanted:
                self.report(result(op).fill(m, base))

        def run(op: str, fn: Callable[[int], object], m: Measurement, measure: bool) -> None:
            if measure:
                profile = self.profile_path(f"{op} {fam.variant}", fam.lines, fam.per_line)
                timed(fn, runs=cfg.runs, warmup=cfg.warmup, into=m, profile=profile)
            else:
                for r in range(total):
                    fn(r)

        # (a) ingest through the REST API
        def ingest(m: Measurement, measure: bool) -> None:
            url = api_path("api-source-document-list")
            client = self.api()
            responses: list[Any] = [None] * total

            def op(r: int) -> None:
                responses[r] = client.post(url, data=bodies[r], content_type="application/json")

            run("ingest", op, m, measure)
            for response in responses:
                _check_status(response, 201, "POST /api/v1/source-documents/")
                doc_ids.append(int(json.loads(response.content)["id"]))
            if measure:
                timed_baseline(
                    lambda r: baseline.ingest(self.master, shape, r), runs=cfg.runs, warmup=cfg.warmup, into=m
                )

        attempt("ingest", ingest, baseline.describe())
        if "create" not in needed:
            return

        # (b) create the pick
        def create(m: Measurement, measure: bool) -> None:
            create_fn = service("picking.services.picks", "pick_create_from_source")
            results: list[Any] = [None] * total

            def op(r: int) -> None:
                results[r] = create_fn(source_document_id=doc_ids[r], user=self.master.supervisor)

            run("create", op, m, measure)
            for res in results:
                pick = res.pick
                if pick is None:
                    raise BenchFailure("pick_create_from_source returned no pick")
                not_picked = getattr(res, "not_picked", None)
                if not_picked:
                    raise BenchFailure(f"stock not picked: {not_picked[:3]}")
                pick_ids.append(pick.pk)
            lines = PickLine.objects.filter(pick_id__in=pick_ids).count()
            if lines != fam.pick_lines * total:
                raise BenchFailure(f"expected {fam.pick_lines * total} pick lines, found {lines}")
            if measure:
                timed_baseline(
                    lambda r: baseline.create(self.master, shape, r), runs=cfg.runs, warmup=cfg.warmup, into=m
                )

        attempt("create", create, baseline.describe())

        # (d) render the pick page
        def render(m: Measurement, measure: bool) -> None:
            page_path("picking:pick-detail", pick_ids[0])
            client = self.page_client()

            def op(r: int) -> None:
                response = client.get(page_path("picking:pick-detail", pick_ids[r]))
                _check_status(response, 200, "the pick page")

            run("render", op, m, measure)
            if measure:
                timed_baseline(
                    lambda r: baseline.render(pick_ids[r]), runs=cfg.runs, warmup=cfg.warmup, into=m
                )

        if "render" in needed:
            attempt("render", render, "one SELECT of the pick and one of its lines (with item, bin)")

        # Autofill Qty. to Handle (measured too: posting needs it)
        def autofill(m: Measurement, measure: bool) -> None:
            fn = service("picking.services.picks", "pick_autofill_qty_to_handle")
            run("autofill", lambda r: fn(pick_id=pick_ids[r], user=self.master.supervisor), m, measure)
            if measure:
                timed_baseline(
                    lambda r: baseline.autofill(pick_ids[r]), runs=cfg.runs, warmup=cfg.warmup, into=m
                )

        if "autofill" in needed:
            attempt("autofill", autofill, "one UPDATE ... WHERE pick_id = %s")

        # (c) post the pick
        def post(m: Measurement, measure: bool) -> None:
            fn = service("picking.services.posting", "pick_post")
            run("post", lambda r: fn(pick_id=pick_ids[r], user=self.master.supervisor), m, measure)
            posted = PostedPickLine.objects.filter(posted_pick__pick_id__in=pick_ids).count()
            if posted != fam.pick_lines * total:
                raise BenchFailure(f"expected {fam.pick_lines * total} posted pick lines, found {posted}")
            if measure:
                timed_baseline(
                    lambda r: baseline.post(self.master, shape, r), runs=cfg.runs, warmup=cfg.warmup, into=m
                )

        if "post" in needed:
            attempt("post", post, baseline.describe())

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

                    def api_op(
                        r: int, url: str = url, client: APIClient = client, query: dict[str, str] = query
                    ) -> None:
                        response = client.get(url, query)
                        _check_status(response, 200, "GET /api/v1/inventory/availability/")
                        body = json.loads(response.content)
                        if body.get("count") != count:
                            raise BenchFailure(f"expected {count} rows, the API counts {body.get('count')}")

                    timed(api_op, runs=cfg.runs, warmup=cfg.warmup, into=m, profile=profile)
                    timed_baseline(
                        lambda r: baseline.availability(item.pk, location_id, page_size=page_size),
                        runs=cfg.runs,
                        warmup=cfg.warmup,
                        into=m,
                    )
                    description = f"one COUNT and one SELECT of the first {page_size} rows"
                else:
                    available_stock = service("picking.availability", "available_stock")

                    def selector_op(r: int, fn: Callable[..., Any] = available_stock) -> None:
                        stock = fn(item_ids=[item.pk], location_id=location_id)
                        if len(stock.rows) != count:
                            raise BenchFailure(f"expected {count} rows, got {len(stock.rows)}")

                    timed(selector_op, runs=cfg.runs, warmup=cfg.warmup, into=m, profile=profile)
                    timed_baseline(
                        lambda r: baseline.availability(item.pk, location_id, page_size=None),
                        runs=cfg.runs,
                        warmup=cfg.warmup,
                        into=m,
                    )
                    description = "one SELECT of all rows"
            except Unavailable as exc:
                self.report(replace(result(variant), status=NOT_AVAILABLE, detail=str(exc)))
                continue
            except Exception as exc:
                traceback.print_exc()
                self.report(replace(result(variant), status=FAILED, detail=f"{type(exc).__name__}: {exc}"))
                continue
            self.report(result(variant).fill(m, description))


def run_suite(config: Config) -> list[Result]:
    """Create the master data and run every selected scenario on the current database."""
    suite = Suite(config=config, master=data.create_master_data())
    for fam in families(config):
        suite.run_family(fam)
    suite.run_availability()
    return suite.results
