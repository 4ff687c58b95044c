"""A real gunicorn server on the benchmark database, and a small HTTP client for it.

`gunicorn_server()` starts `python -m gunicorn` (the one installed in the virtualenv by `make install`) as a
subprocess on a free port of 127.0.0.1, against the database of `DATABASE_URL`, as production runs it
(`DJANGO_DEBUG=0`, the repository's `gunicorn.conf.py`), with the API throttle and the HTTPS redirect off
(plain HTTP on the loopback). No broker unless `env` names one (`broker_env()`, with `celery_worker()`
next to it, as the HTTP flows do); without one, tasks (the events dispatcher after a commit) run in the
request, as `config/settings.py` does without `CELERY_BROKER_URL`.

With `profile_dir`, the server runs `benchmarks.profiled_wsgi:application` instead: every request is
profiled with cProfile into that folder.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def server_env(**extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY") or "lotpick-benchmark-server-" + "k" * 30,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "LOTPICK_API_THROTTLE": "0",
        "DJANGO_LOG_LEVEL": "WARNING",
        "PYTHONWARNINGS": "ignore",
    }
    env.pop("CELERY_BROKER_URL", None)
    env.pop("CELERY_RESULT_BACKEND", None)
    env.update(extra)
    return env


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log: Path


@contextmanager
def gunicorn_server(
    *,
    workers: int = 2,
    threads: int = 1,
    log: Path,
    profile_dir: Path | None = None,
    env: dict[str, str] | None = None,
) -> Iterator[Server]:
    """gunicorn with `workers` processes of `threads` threads; yields once it answers."""
    port = free_port()
    app = "config.wsgi:application"
    extra = dict(env or {})
    if profile_dir is not None:
        app = "benchmarks.profiled_wsgi:application"
        extra["LOTPICK_BENCH_PROFILE_DIR"] = str(profile_dir)
    args = [
        sys.executable,
        "-m",
        "gunicorn",
        app,
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--timeout",
        "300",
    ]
    proc = _spawn(args, env=extra, log=log)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"gunicorn stopped: {log.read_text()[-2000:]}")
            try:
                urllib.request.urlopen(f"{url}/api/v1/", timeout=2)
                break
            except urllib.error.HTTPError:
                break  # it answers (401 without a token)
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn did not answer: {log.read_text()[-2000:]}") from None
                time.sleep(0.2)
        # Each worker imports Django lazily on its first request: warm both up before anything is timed.
        for _ in range(4 * workers):
            with suppress(urllib.error.HTTPError):
                urllib.request.urlopen(f"{url}/api/v1/items/?page_size=1", timeout=30)
        yield Server(url=url, process=proc, log=log)
    finally:
        stop(proc)


BENCH_BROKER_URL = "redis://127.0.0.1:6379/11"
BENCH_QUEUE = "lotpick-bench"


def broker_env() -> dict[str, str] | None:
    """The settings of a Celery broker for the benchmark (Redis database 11, its own queue, emptied), or
    None when Redis does not answer (the flows then run without a broker, and say so)."""
    import redis

    url = os.environ.get("LOTPICK_BENCH_BROKER_URL", BENCH_BROKER_URL)
    try:
        connection = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        connection.ping()
        connection.flushdb()
    except (redis.RedisError, OSError):
        return None
    return {"CELERY_BROKER_URL": url, "CELERY_RESULT_BACKEND": url, "LOTPICK_CELERY_QUEUE": BENCH_QUEUE}


@contextmanager
def celery_worker(*, env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """One Celery worker process (`celery -A config worker --concurrency 1`), as production runs it next
    to gunicorn (docs/operations.md); yields once it is ready to take tasks."""
    args = [sys.executable, "-m", "celery", "-A", "config", "worker", "--concurrency", "1"]
    args += [
        "--queues",
        env.get("LOTPICK_CELERY_QUEUE", BENCH_QUEUE),
        "--loglevel",
        "INFO",
        "--without-gossip",
    ]
    proc = _spawn(args, env=env, log=log)
    try:
        deadline = time.monotonic() + 60
        while b" ready." not in log.read_bytes():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the Celery worker did not start: {log.read_text()[-2000:]}")
            time.sleep(0.2)
        yield proc
    finally:
        stop(proc)


def _spawn(args: list[str], *, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """Start `args` in the repository with the server environment plus `env`, its output to `log`, in a
    session of its own (`stop` ends it with its children)."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        return subprocess.Popen(
            args,
            cwd=ROOT,
            env=server_env(**env),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)


def cpu_seconds(proc: subprocess.Popen[bytes]) -> float:
    """CPU time (user + system) used so far by the server's worker processes (Linux `/proc`; 0 elsewhere):
    what the requests cost the web processes, whatever else the machine is doing meanwhile."""
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    total = 0.0
    try:
        children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
    except OSError:
        return 0.0
    for pid in children:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


class HttpFailure(Exception):
    pass


@dataclass
class Answer:
    status: int
    body: Any
    seconds: float
    size: int


def request(
    method: str,
    url: str,
    token: str,
    body: Any = None,
    *,
    expect: int | None = None,
    timeout: float = 300,
    headers: dict[str, str] | None = None,
) -> Answer:
    """One API request with a token (the body encoded before the clock starts): status, JSON body, seconds
    from sending to having read the whole answer, and its size in bytes."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    req.add_header("Authorization", f"Token {token}")
    req.add_header("Accept", "application/json")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    taken = time.perf_counter() - started
    try:
        parsed = json.loads(raw) if raw else None
    except ValueError:
        parsed = raw.decode(errors="replace")[:500]
    if expect is not None and status != expect:
        raise HttpFailure(f"{method} {url} answered {status}: {str(parsed)[:400]}")
    return Answer(status=status, body=parsed, seconds=taken, size=len(raw))
