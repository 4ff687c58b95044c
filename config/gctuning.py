"""Python's garbage collector in the web and worker processes (docs/performance.md, "Garbage collector").

A request that answers thousands of lines creates hundreds of thousands of container objects; with the
default thresholds (700, 10, 10) the collector runs a young collection every 700 of them and, every
hundred young ones, a full collection that walks every object of the process: Django, DRF, the URL
resolver, the translations, the templates, everything loaded at start-up, again and again.

`tune()` runs once per process after start-up (gunicorn: `post_worker_init` in `gunicorn.conf.py`;
Celery: `worker_process_init` in `config/celery.py`):

- `gc.freeze()` moves everything loaded so far into a permanent generation that collections skip (it is
  still freed normally when nothing refers to it; only cycles among it are never collected, and it
  holds no such garbage worth collecting);
- the young generation's threshold goes up (`LOTPICK_GC_THRESHOLD`, default "50000,20,20"), so big
  answers trigger a handful of collections instead of hundreds.

`LOTPICK_GC_TUNING=0` leaves the collector as Python sets it (to compare, or if a process must).
"""

from __future__ import annotations

import gc
import os

DEFAULT_THRESHOLD = (50_000, 20, 20)


def threshold() -> tuple[int, int, int]:
    raw = os.environ.get("LOTPICK_GC_THRESHOLD", "")
    try:
        parts = tuple(int(p) for p in raw.split(",")) if raw else DEFAULT_THRESHOLD
    except ValueError:
        return DEFAULT_THRESHOLD
    if len(parts) != 3 or min(parts) < 1:
        return DEFAULT_THRESHOLD
    return (parts[0], parts[1], parts[2])


def enabled() -> bool:
    return os.environ.get("LOTPICK_GC_TUNING", "1").strip().lower() not in {"0", "false", "no", "off"}


def tune() -> bool:
    """Freeze what is loaded and raise the thresholds, unless turned off; True when it did."""
    if not enabled():
        return False
    gc.collect()
    gc.freeze()
    gc.set_threshold(*threshold())
    return True
