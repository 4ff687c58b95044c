"""Postings side by side, and the memory of a big posting (`concurrency` and `memory` scenarios).

Set-up (untimed, with COPY like the baselines): one-line picks (one serial number each, Qty. to Handle
set, the stock in its bin), each of its own item per client, and one big pick of `Config.big_posting`
serial numbers (30 lines) of other items. A gunicorn server (2 workers, 4 threads each) serves the
postings (`POST /api/v1/picks/{id}/post/`).

- `concurrency 1 client`: one client posts its one-line picks one after the other: the latency of a
  one-line posting on an idle database (median), and the throughput (postings per second).
- `concurrency 8 clients`: 8 clients (threads of this process, each waiting on its own HTTP request) post
  their picks at once; `ratio` is their throughput over one client's.
- `concurrency during big posting`: a separate process posts the big pick through the service
  (`pick_post`); while it runs, one client posts one-line picks of other items one after the other.
  `median` is their latency, `baseline` the idle latency above, `ratio` latency / idle latency.
- `memory post`: that separate process's peak resident memory (`ru_maxrss`) before and after posting the
  big pick: the increase is what posting it costs in memory (the event data of the posted pick, rendered
  after the commit in the same process without a broker, included).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import threading
import time
import traceback
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from benchmarks import baseline, data
from benchmarks.harness import FAILED, Result, log
from benchmarks.server import ROOT, Server, gunicorn_server, request, server_env
from benchmarks.sql import analyze, write

if TYPE_CHECKING:
    from benchmarks.scenarios import Suite

RESULTS = Path(__file__).resolve().parent / "results"
BIG_LINES = 30
ONE_CLIENT_POSTS = 12  # postings of the single client
PER_CLIENT_POSTS = 4  # postings of each of the concurrent clients
DURING_POSTS = 12  # at most, while the big posting runs

# The big posting, in its own process: prints START, posts, prints the JSON result.
_BIG_POSTING = """
import gc, json, resource, sys, time
import django
django.setup()
from config.gctuning import tune
tune()  # as a worker process does after start-up
from django.contrib.auth import get_user_model
from picking.services.pick_post import pick_post
user = get_user_model().objects.get(pk={user_id})
gc.collect()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print("START", flush=True)
started = time.perf_counter()
posted = pick_post(pick_id={pick_id}, user=user)
seconds = time.perf_counter() - started
print("DONE", flush=True)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
result = {{"seconds": seconds, "rss_before_kib": before, "rss_after_kib": after, "posted": posted.pk}}
print(json.dumps(result), flush=True)
"""


@dataclass
class Prepared:
    pick_id: int
    lines: int


def prepare_pick(master: data.Master, prefix: str, lines: int, per_line: int, tag: str) -> Prepared:
    """A pick of `lines` x `per_line` prescribed serial numbers of new items, Qty. to Handle set, with its
    source document and the stock it takes, written with COPY (as pick creation and a receipt leave them)."""
    items = data.create_items(prefix, lines, master.serial_code)
    shape = baseline.Shape(kind="serial", items=items, per_line=per_line, prefix=prefix)
    doc, doc_parts = baseline._document(master, shape, tag, qty_on_picks=True)
    pick, pick_parts = baseline._pick(master, shape, doc, tag, qty_to_handle=True)
    stock = [
        data.StockEntry(
            item_id=line.item_id, bin_id=line.bin_id, quantity=line.quantity, serial_no=line.serial_no
        )
        for line in pick.lines
    ]
    write([*doc_parts, *pick_parts])
    write(data.seed_parts(master, stock, f"R{tag}"[:30]))
    return Prepared(pick_id=pick.pick_id, lines=len(pick.lines))


def _post(server: Server, token: str, pick_id: int) -> float:
    answer = request("POST", f"{server.url}/api/v1/picks/{pick_id}/post/", token, expect=201)
    return answer.seconds


def _result(scenario: str, variant: str = "concurrency", serials: int = 1) -> Result:
    return Result(
        scenario=scenario,
        operation=scenario.split(" ", 1)[1],
        variant=variant,
        lines=1,
        serials=serials,
        serials_per_line=serials,
    )


def run_concurrency(suite: Suite) -> None:
    cfg = suite.config
    if not cfg.big_posting:
        return
    wanted_concurrency = cfg.selected("concurrency ")
    wanted_memory = cfg.selected(f"memory post {cfg.big_posting}")
    if not (wanted_concurrency or wanted_memory):
        return
    master = suite.master
    clients = cfg.concurrent_clients
    log(f"{suite.elapsed()} concurrency: setting up one-line picks and a pick of {cfg.big_posting} serials")
    try:
        single = [prepare_pick(master, f"CS{n}", 1, 1, f"CS{n}") for n in range(ONE_CLIENT_POSTS)]
        many = [
            [prepare_pick(master, f"CM{c}-{n}", 1, 1, f"CM{c}-{n}") for n in range(PER_CLIENT_POSTS)]
            for c in range(clients)
        ]
        during = [prepare_pick(master, f"CD{n}", 1, 1, f"CD{n}") for n in range(DURING_POSTS)]
        big = prepare_pick(master, "CBIG", BIG_LINES, cfg.big_posting // BIG_LINES, "CBIG")
        analyze()
    except Exception as exc:
        traceback.print_exc()
        suite.report(replace(_result("concurrency 1 client"), status=FAILED, detail=f"set-up: {exc}"))
        return
    token = master.token
    try:
        with gunicorn_server(workers=2, threads=4, log=RESULTS / "gunicorn-concurrency.log") as server:
            # One client, one posting after the other.
            started = time.perf_counter()
            idle = [_post(server, token, p.pick_id) for p in single]
            one_seconds = time.perf_counter() - started
            one_rate = len(single) / one_seconds
            result = _result("concurrency 1 client")
            result.runs = len(idle)
            result.median_s = round(statistics.median(idle), 6)
            result.min_s, result.max_s = round(min(idle), 6), round(max(idle), 6)
            result.detail = f"{one_rate:.1f} postings/s"
            result.extra = {"postings_per_s": round(one_rate, 2)}

            # Several clients at once.
            latencies: list[float] = []
            errors: list[str] = []
            barrier = threading.Barrier(clients + 1)

            def client(picks: list[Prepared]) -> None:
                barrier.wait()
                for p in picks:
                    try:
                        latencies.append(_post(server, token, p.pick_id))
                    except Exception as exc:  # reported below
                        errors.append(str(exc))

            threads = [threading.Thread(target=client, args=(picks,)) for picks in many]
            for t in threads:
                t.start()
            barrier.wait()
            started = time.perf_counter()
            for t in threads:
                t.join()
            many_seconds = time.perf_counter() - started
            if errors:
                raise RuntimeError(f"{len(errors)} concurrent postings failed: {errors[0]}")
            many_rate = len(latencies) / many_seconds
            concurrent = _result(f"concurrency {clients} clients")
            concurrent.runs = len(latencies)
            concurrent.median_s = round(statistics.median(latencies), 6)
            concurrent.min_s, concurrent.max_s = round(min(latencies), 6), round(max(latencies), 6)
            concurrent.baseline = "throughput of one client"
            concurrent.ratio = round(many_rate / one_rate, 2)
            concurrent.detail = f"{many_rate:.1f} postings/s, {concurrent.ratio:.2f}x one client's"
            concurrent.extra = {"postings_per_s": round(many_rate, 2), "throughput_ratio": concurrent.ratio}
            if wanted_concurrency:
                suite.report(result)
                suite.report(concurrent)

            # A one-line posting while the big posting runs in another process.
            log(f"{suite.elapsed()} concurrency: posting {big.lines} serial numbers in another process")
            big_result, during_latencies = _during_big_posting(server, token, master, big, during)
    except Exception as exc:
        traceback.print_exc()
        suite.report(
            replace(_result("concurrency 1 client"), status=FAILED, detail=f"{type(exc).__name__}: {exc}")
        )
        return
    if wanted_concurrency:
        loaded = _result("concurrency during big posting")
        if during_latencies:
            loaded.runs = len(during_latencies)
            loaded.median_s = round(statistics.median(during_latencies), 6)
            loaded.min_s, loaded.max_s = round(min(during_latencies), 6), round(max(during_latencies), 6)
            loaded.baseline = "the same posting on an idle database (1 client)"
            loaded.baseline_median_s = result.median_s
            loaded.ratio = round(loaded.median_s / (result.median_s or 1), 2)
            loaded.detail = f"while {big.lines} serial numbers were posted in {big_result['seconds']:.2f} s"
        else:
            loaded.status = FAILED
            loaded.detail = "the big posting ended before a one-line posting could start"
        suite.report(loaded)
    if wanted_memory:
        memory = _result(f"memory post {big.lines}", variant="memory", serials=big.lines)
        memory.lines = BIG_LINES
        memory.serials_per_line = big.lines // BIG_LINES
        memory.runs = 1
        memory.median_s = memory.min_s = memory.max_s = round(big_result["seconds"], 6)
        before_mb = big_result["rss_before_kib"] / 1024
        after_mb = big_result["rss_after_kib"] / 1024
        memory.detail = (
            f"peak RSS +{after_mb - before_mb:.0f} MiB ({before_mb:.0f} -> {after_mb:.0f} MiB), "
            "a one-line posting ran alongside"
        )
        memory.extra = {
            "peak_rss_before_mib": round(before_mb, 1),
            "peak_rss_after_mib": round(after_mb, 1),
            "peak_rss_increase_mib": round(after_mb - before_mb, 1),
        }
        suite.report(memory)


def _during_big_posting(
    server: Server, token: str, master: data.Master, big: Prepared, during: list[Prepared]
) -> tuple[dict[str, Any], list[float]]:
    script = _BIG_POSTING.format(user_id=master.supervisor.pk, pick_id=big.pick_id)
    errors = RESULTS / "big-posting.log"
    errors.parent.mkdir(parents=True, exist_ok=True)
    with errors.open("w") as stderr:
        proc = subprocess.Popen(
            [sys.executable, "-c", script],
            cwd=ROOT,
            env=server_env(),
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
    assert proc.stdout is not None
    stdout = proc.stdout
    lines: list[str] = []
    done = threading.Event()
    done_at: list[float] = []

    def read() -> None:
        for line in stdout:
            if line.strip() == "DONE":
                done_at.append(time.perf_counter())
                done.set()
            lines.append(line)
        done.set()

    latencies: list[tuple[float, float]] = []  # (started, seconds)
    err = ""
    try:
        line = stdout.readline()
        if line.strip() != "START":
            raise RuntimeError(f"the big posting did not start: {line} {errors.read_text()[-2000:]}")
        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        time.sleep(0.5)  # let it take its locks and start writing
        for p in during:
            if done.is_set():
                break
            started = time.perf_counter()
            latencies.append((started, _post(server, token, p.pick_id)))
        proc.wait(timeout=600)
        reader.join(timeout=30)
        err = errors.read_text()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"the big posting failed: {err[-2000:]}")
    # Only the postings sent while the big one was still being posted count.
    end = done_at[0] if done_at else float("inf")
    return json.loads(lines[-1]), [seconds for started, seconds in latencies if started < end]
