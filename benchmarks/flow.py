"""The whole flow over real HTTP: a gunicorn server (2 workers) on the benchmark database, a client
sending the requests an ERP or a handheld sends, one after the other, timed from sending each request to
having read its whole answer (JSON encoding of the bodies beforehand, not timed).

Inventory pick flow (`http` scenarios), at the location BENCH (require pick, FEFO), for N serial numbers of
one item (a new item per run, so every run sees the same stock):

1. `receive`: `POST /api/v1/inventory/adjustments/` with N entries of one serial number each;
2. `order`: `POST /api/v1/source-documents/`: a sales order of one line of N units, no numbers prescribed;
3. `create pick`: `POST /api/v1/picks/` for the order: N pick lines, the serial numbers proposed (case 1);
4. `autofill`: `POST /api/v1/picks/{id}/autofill-qty-to-handle/`;
5. `post`: `POST /api/v1/picks/{id}/post/`.

Warehouse flow (`http-warehouse`), at BENCHWH (require shipment and pick): receive and order as above,
then `shipment` (`POST /warehouse-shipments/`), `create pick` (`.../create-pick/`), `autofill`, `register`
(`POST /picks/{id}/register/`) and `post shipment` (`POST /warehouse-shipments/{id}/post/`).

The flows send `Prefer: return=minimal` on the steps that work on every serial number (receive, create
pick, autofill, post; register and post shipment), as an ERP that only needs the outcome does: the answers
carry the document and the number of its lines (docs/api.md, "Big answers"). `http-full` runs the
inventory flow again without it, every line answered, for comparison.

The server runs as production does (docs/operations.md): gunicorn with 2 workers and one Celery worker
on a Redis broker (database 11, its own queue), so the events dispatcher runs on the worker after each
commit, not in the request; each run starts once the worker has dispatched the previous run's events, and
after a `CHECKPOINT` (the writes before it are not flushed while it runs).
Without Redis the flows run without a broker (events rendered in the request) and the results say so.

Each step and the total are reported as the median (min, max) of the measured runs; a warm-up flow of 100
serial numbers runs first on each server, untimed.

Both flows are read against their database floor (`inventory_floor`, `warehouse_floor`): after the
measured runs of a size, the rows each step writes are written the fastest way the database offers
(`benchmarks.baseline` and `benchmarks.warehouse`: COPY and set-based UPDATEs, one transaction per step)
for a mirror item in the same database, `FLOOR_RUNS` times. Each step's row and the total then carry that
baseline and the ratio, so that a run on a slower machine reads against what the same database does
there. `make bench` measures the floor at 5 000 serial numbers, the goal's size (`Config.http_floor_sizes`;
a partial run at every size): each floor costs several seconds of set-up, which the grid's time budget
pays. The floor writes what the grid's baselines write (no activity log, no event); its orders prescribe
the serial numbers (case 4), so where case 1 inserts the order's item tracking lines when posting, the
floor updates them.
"""

from __future__ import annotations

import statistics
import time
import traceback
from contextlib import ExitStack
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from benchmarks import baseline, data
from benchmarks.harness import FAILED, Measurement, Result, baseline_once, log
from benchmarks.server import Server, broker_env, celery_worker, cpu_seconds, gunicorn_server, request
from benchmarks.sql import analyze, checkpoint, row_count, write
from core.models import Event
from core.quantities import ONE
from tracking.models import ItemTrackingCode

if TYPE_CHECKING:
    from benchmarks.scenarios import Suite
    from benchmarks.warehouse import Warehouse

INVENTORY_STEPS = ("receive", "order", "create pick", "autofill", "post")
WAREHOUSE_STEPS = ("receive", "order", "shipment", "create pick", "autofill", "register", "post shipment")
RESULTS = Path(__file__).resolve().parent / "results"
# Database floors per size of a flow: one (each costs about twice its timed part in untimed set-up, and
# what the flows take before the grid shrinks the grid's time budget: `scenarios.grid_budget`).
FLOOR_RUNS = 1
FLOOR = "the flow's rows by COPY and set-based UPDATEs, one transaction per step (benchmarks.flow)"

Floor = dict[str, tuple[float, int]]  # step -> (seconds, rows written)


def floor_seconds(floor: Floor) -> float:
    """The whole flow's floor: the seconds of its steps added up."""
    return sum(seconds for seconds, _ in floor.values())


@dataclass
class FlowRun:
    seconds: dict[str, float] = field(default_factory=dict)
    sizes: dict[str, int] = field(default_factory=dict)  # bytes answered per step
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds of the web workers per step
    minimal: bool = True  # `Prefer: return=minimal` on the steps over every serial number

    @property
    def total(self) -> float:
        return sum(self.seconds.values())

    def step(
        self,
        server: Server,
        token: str,
        name: str,
        method: str,
        path: str,
        body: Any,
        expect: int,
        *,
        big: bool = True,
    ) -> Any:
        """Send one request of the flow to `/api/v1{path}`; keep its seconds, size and the workers' CPU
        seconds as the step `name`; the answer's body. `big`: a step over every serial number (it asks
        for a minimal answer when the flow does)."""
        headers = {"Prefer": "return=minimal"} if big and self.minimal else None
        cpu = cpu_seconds(server.process)
        answer = request(method, f"{server.url}/api/v1{path}", token, body, expect=expect, headers=headers)
        self.cpu[name] = cpu_seconds(server.process) - cpu
        self.seconds[name] = answer.seconds
        self.sizes[name] = answer.size
        return answer.body


def _warehouse_code() -> ItemTrackingCode:
    """Serial numbers with warehouse tracking, not specific: a warehouse pick proposes them (case 1)."""
    code, _ = ItemTrackingCode.objects.get_or_create(
        code="BENCH-SNW",
        defaults={
            "description": "Benchmark: serial numbers, warehouse tracking",
            "sn_warehouse_tracking": True,
        },
    )
    return code


def _entries(item_no: str, count: int) -> list[dict[str, str]]:
    return [{"quantity": "1", "serial_no": f"{item_no}-{k:05d}"} for k in range(count)]


def _order(no: str, location: str, item_no: str, count: int) -> dict[str, Any]:
    return {
        "type": "sales_order",
        "no": no,
        "location": location,
        "partner": "Benchmark customer",
        "shipment_date": data.SHIPMENT_DATE,
        "lines": [{"line_no": 10000, "item": item_no, "quantity": str(count)}],
    }


def inventory_flow(
    server: Server, token: str, item_no: str, count: int, tag: str, *, minimal: bool = True
) -> FlowRun:
    run = FlowRun(minimal=minimal)
    step = partial(run.step, server, token)

    adjustment = {"location": data.LOCATION, "bin": data.BIN_CODES[0], "item": item_no}
    adjustment["entries"] = _entries(item_no, count)  # type: ignore[assignment]
    step("receive", "POST", "/inventory/adjustments/", adjustment, 201)
    order = _order(f"HO-{tag}", data.LOCATION, item_no, count)
    document = step("order", "POST", "/source-documents/", order, 201, big=False)
    pick = step("create pick", "POST", "/picks/", {"source_document": document["id"]}, 201)
    if pick.get("not_picked"):
        raise RuntimeError(f"the pick did not cover the order: {pick['not_picked'][:2]}")
    lines = pick["line_count"] if minimal else len(pick["lines"])
    if lines != count:
        raise RuntimeError(f"the pick has {lines} lines, not {count}")
    step("autofill", "POST", f"/picks/{pick['id']}/autofill-qty-to-handle/", None, 200)
    step("post", "POST", f"/picks/{pick['id']}/post/", None, 201)
    return run


def warehouse_flow(server: Server, token: str, item_no: str, count: int, tag: str, location: str) -> FlowRun:
    run = FlowRun()
    step = partial(run.step, server, token)

    from benchmarks.warehouse import STORAGE_BINS

    adjustment: dict[str, Any] = {"location": location, "bin": STORAGE_BINS[0], "item": item_no}
    adjustment["entries"] = _entries(item_no, count)
    step("receive", "POST", "/inventory/adjustments/", adjustment, 201)
    order = _order(f"HW-{tag}", location, item_no, count)
    document = step("order", "POST", "/source-documents/", order, 201, big=False)
    gather = {"location": location, "source_documents": [document["id"]]}
    shipment = step("shipment", "POST", "/warehouse-shipments/", gather, 201, big=False)
    pick = step("create pick", "POST", f"/warehouse-shipments/{shipment['id']}/create-pick/", None, 201)
    if pick.get("not_picked"):
        raise RuntimeError(f"the warehouse pick did not cover the order: {pick['not_picked'][:2]}")
    step("autofill", "POST", f"/picks/{pick['id']}/autofill-qty-to-handle/", None, 200)
    step("register", "POST", f"/picks/{pick['id']}/register/", None, 201)
    step("post shipment", "POST", f"/warehouse-shipments/{shipment['id']}/post/", None, 201)
    return run


def _received_and_ordered(
    master: data.Master, count: int, name: str, receipt_no: str, order_prefix: str
) -> tuple[Floor, baseline.Shape, baseline.Shape]:
    """The first two steps of a flow's floor, for a new mirror item `name`: a receipt of `count` new serial
    numbers into the location's first bin (the rows `inventory_adjust` writes, `data.seed_parts`) and an
    order of one line of `count` units. Returns the floor so far, the order's shape (no numbers) and the
    shape whose orders prescribe the numbers, for the steps after."""
    mirror = data.create_items(name, 1, master.serial_code)[0]
    stock = [
        data.StockEntry(
            item_id=mirror.pk, bin_id=master.bins[0].pk, quantity=ONE, serial_no=f"{mirror.no}-{k:05d}"
        )
        for k in range(count)
    ]
    receipt = [*data.seed_parts(master, stock, receipt_no), baseline._series_update(master, receipt_no)]
    floor: Floor = {"receive": baseline_once(lambda: (write(receipt), row_count(receipt)))}
    order = baseline.Shape(kind="lot", items=[mirror], per_line=count, prefix=order_prefix)
    floor["order"] = baseline_once(lambda: baseline.ingest(master, order, 0))
    return floor, order, baseline.Shape(kind="serial", items=[mirror], per_line=count, prefix=name)


def inventory_floor(master: data.Master, count: int, tag: str) -> Floor:
    """The inventory flow's database floor for `count` serial numbers: the rows each step writes, written
    the fastest way the database offers (`benchmarks.baseline`) for a new mirror item, each step in one
    transaction; {step: (seconds, rows written)}."""
    floor, _, shape = _received_and_ordered(master, count, f"BHF{tag}", f"BHR{tag}", f"BHO{tag}")
    seconds, rows, pick_id = baseline.create_with_pick(master, shape, 0)
    floor["create pick"] = (seconds, rows)
    floor["autofill"] = baseline_once(lambda: baseline.autofill(pick_id))
    floor["post"] = baseline_once(lambda: baseline.post(master, shape, 0))
    return floor


def warehouse_floor(wh: Warehouse, count: int, tag: str) -> Floor:
    """The warehouse flow's database floor for `count` serial numbers (`benchmarks.warehouse` baselines),
    at BENCHWH for a new mirror item; {step: (seconds, rows written)}."""
    from benchmarks import warehouse

    floor, order, shape = _received_and_ordered(wh.master, count, f"BHW{tag}", f"BHWR{tag}", f"BHWO{tag}")
    floor["shipment"] = baseline_once(lambda: warehouse.shipment_baseline(wh, order, 0))
    seconds, rows, pick_id = warehouse.create_pick_baseline(wh, shape, 0)
    floor["create pick"] = (seconds, rows)
    floor["autofill"] = baseline_once(lambda: baseline.autofill(pick_id))
    floor["register"] = baseline_once(lambda: warehouse.register_baseline(wh, shape, 0))
    floor["post shipment"] = baseline_once(lambda: warehouse.ship_baseline(wh, shape, 0))
    return floor


def _results(
    variant: str,
    steps: tuple[str, ...],
    count: int,
    runs: list[FlowRun],
    note: str,
    floors: list[Floor] | None = None,
) -> list[Result]:
    out = []
    for name in (*steps, "total"):
        m = Measurement()
        m.times = [r.total if name == "total" else r.seconds[name] for r in runs]
        if floors:
            if name == "total":
                m.baseline_times = [floor_seconds(f) for f in floors]
                m.baseline_rows = sum(n for _, n in floors[0].values())
            else:
                m.baseline_times = [f[name][0] for f in floors]
                m.baseline_rows = floors[0][name][1]
        result = Result(
            scenario=f"{variant} {name}",
            operation=name,
            variant=variant,
            lines=1,
            serials=count,
            serials_per_line=count,
        ).fill(m, FLOOR if floors else "")
        cpu = statistics.median(sum(r.cpu.values()) if name == "total" else r.cpu[name] for r in runs)
        sizes = [r.sizes[name] for r in runs] if name != "total" else []
        notes = (note, f"web CPU {cpu:.2f} s", f"answer {max(sizes) // 1024} KiB" if sizes else "")
        result.detail = "; ".join(x for x in notes if x)
        out.append(result)
    return out


def run_flows(suite: Suite) -> None:
    """The selected HTTP flows of the suite's config (`Config.http_sizes`, `Config.http_runs`)."""
    cfg = suite.config
    variants = [
        v for v in ("http", "http-full", "http-warehouse") if cfg.selected(f"{v} ") or cfg.selected(v)
    ]
    sizes = {
        "http": cfg.http_sizes,
        "http-full": cfg.http_full_sizes,
        "http-warehouse": cfg.http_warehouse_sizes,
    }
    variants = [v for v in variants if sizes[v]]
    if not variants:
        return
    master = suite.master
    from benchmarks.warehouse import WH_LOCATION, create_warehouse

    try:
        wh_code = _warehouse_code()
        wh = create_warehouse(master)
    except Exception as exc:
        traceback.print_exc()
        suite.report(Result("http total", "total", "http", 1, 0, 0, status=FAILED, detail=f"set-up: {exc}"))
        return
    profile_dir = cfg.profile_dir / "http" if cfg.profile_dir is not None else None
    broker = broker_env()
    note = "" if broker else "no broker: events rendered in the request"
    log(
        f"{suite.elapsed()} starting gunicorn (2 workers) on the benchmark database, "
        + ("with a Celery worker (Redis broker)" if broker else "without a broker (Redis does not answer)")
    )
    try:
        with ExitStack() as stack:
            if broker:
                stack.enter_context(celery_worker(env=broker, log=RESULTS / "celery.log"))
            server = stack.enter_context(
                gunicorn_server(workers=2, log=RESULTS / "gunicorn.log", profile_dir=profile_dir, env=broker)
            )
            counter = iter(range(1_000_000))

            def flow(variant: str, count: int) -> FlowRun:
                n = next(counter)
                if variant in ("http", "http-full"):
                    item = data.create_items(f"HF{n}", 1, master.serial_code)[0]
                    minimal = variant == "http"
                    return inventory_flow(server, master.token, item.no, count, f"{n}", minimal=minimal)
                item = data.create_items(f"HW{n}", 1, wh_code)[0]
                return warehouse_flow(server, master.token, item.no, count, f"{n}", WH_LOCATION)

            def settled() -> None:
                """Wait until the worker has dispatched the flow's events: the next run starts idle."""
                deadline = time.monotonic() + 120
                while Event.objects.filter(position__isnull=True).exists():
                    if time.monotonic() > deadline:
                        raise RuntimeError("the Celery worker did not dispatch the events within 120 s")
                    time.sleep(0.05)

            floors: dict[tuple[bool, int], list[Floor]] = {}  # the flows' database floors by kind and size

            def floors_of(variant: str, count: int) -> list[Floor]:
                wanted = variant == "http-warehouse", count
                if wanted not in floors:
                    floors[wanted] = [
                        warehouse_floor(wh, count, f"{count}-{k}")
                        if variant == "http-warehouse"
                        else inventory_floor(master, count, f"{count}-{k}")
                        for k in range(FLOOR_RUNS)
                    ]
                    analyze()
                    checkpoint()
                return floors[wanted]

            for variant in variants:
                flow(variant, 100)  # warm-up, untimed
                settled()
                analyze()  # statistics of what the grid and the warm-up wrote (benchmarks.sql.analyze)
                checkpoint()
                for count in sizes[variant]:
                    steps = WAREHOUSE_STEPS if variant == "http-warehouse" else INVENTORY_STEPS
                    log(f"{suite.elapsed()} {variant} flow of {count} serial numbers")
                    runs: list[FlowRun] = []
                    try:
                        for _ in range(cfg.http_runs):
                            runs.append(flow(variant, count))
                            settled()
                            analyze()
                            checkpoint()
                    except Exception as exc:
                        traceback.print_exc()
                        suite.report(
                            Result(
                                f"{variant} total", "total", variant, 1, count, count, FAILED, detail=str(exc)
                            )
                        )
                        continue
                    floor_note = note
                    try:
                        floored = cfg.http_floor_sizes is None or count in cfg.http_floor_sizes
                        floor = floors_of(variant, count) if floored else None
                    except Exception as exc:  # the flow's figures stand, without their baseline
                        traceback.print_exc()
                        floor = None
                        floor_note = "; ".join(x for x in (note, f"no database floor: {exc}") if x)
                    for result in _results(variant, steps, count, runs, floor_note, floor):
                        suite.report(result)
                    floor_s = [floor_seconds(f) for f in floor or []]
                    log(
                        f"{suite.elapsed()} {variant} {count}: "
                        + ", ".join(f"{s} {statistics.median(r.seconds[s] for r in runs):.3f}" for s in steps)
                        + (f"; database floor {statistics.median(floor_s):.3f}" if floor_s else "")
                    )
    except Exception as exc:
        traceback.print_exc()
        suite.report(Result("http total", "total", "http", 1, 0, 0, status=FAILED, detail=f"server: {exc}"))
