"""The WSGI application under cProfile: one profile per request (`benchmarks/run.py --profile` with the
HTTP flow). Each request writes `<LOTPICK_BENCH_PROFILE_DIR>/<n>-<method>-<path>.prof` and a `.txt` with
the top functions; the response is read completely inside the profile, so rendering the reply counts."""

from __future__ import annotations

import cProfile
import io
import itertools
import os
import pstats
import re
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from config.wsgi import application as django_application

_DIR = Path(os.environ.get("LOTPICK_BENCH_PROFILE_DIR", "benchmarks/results/profiles/http"))
_COUNTER = itertools.count(1)


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    body = b"".join(django_application(environ, start_response))
    profiler.disable()
    elapsed = time.perf_counter() - started
    path = re.sub(r"[^A-Za-z0-9]+", "-", environ.get("PATH_INFO", "")).strip("-")[:80]
    name = f"{os.getpid()}-{next(_COUNTER):03d}-{environ.get('REQUEST_METHOD', '')}-{path}"
    _DIR.mkdir(parents=True, exist_ok=True)
    profiler.dump_stats(str(_DIR / f"{name}.prof"))
    out = io.StringIO()
    out.write(f"{name}: {elapsed:.3f} s under the profiler, {len(body)} bytes answered\n\n")
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(45)
    stats.sort_stats("tottime").print_stats(25)
    (_DIR / f"{name}.txt").write_text(out.getvalue())
    return [body]
