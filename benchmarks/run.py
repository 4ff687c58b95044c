#!/usr/bin/env python
"""`make bench`: picking cost against the database's own speed (docs/performance.md).

Creates a FRESH benchmark database, migrates it, creates master data and stock, runs the scenario grid,
prints a table and writes `benchmarks/results/latest.json` (and the table as Markdown in `latest.md`).

- PostgreSQL (`DATABASE_URL=postgres://...`): the script drops and creates the database `lotpick_bench`
  on that server (and drops it at the end unless `--keep-db`); no other database is touched.
- Otherwise SQLite: a database file in a temporary directory, removed at the end.

Options: `--quick` (smaller grid, 3 runs), `--scenarios post,serial-big` (run the scenarios whose name
contains one of the words; what they need still runs, untimed), `--runs`, `--budget SECONDS` (the suite
reduces measured runs of the largest scenarios to stay within it; 0: no budget), `--profile` (cProfile of
the warm-up run of each scenario into benchmarks/results/profiles/; the HTTP flows: every request, in
the web workers), `--http-sizes 5000`, `--http-full-sizes 0` and `--http-warehouse-sizes 0` (the HTTP
flows' sizes), `--keep-db`,
`--output`. `LOTPICK_BENCH_DB` names the benchmark database (default `lotpick_bench`).
Only a full run writes latest.json by default; others write partial.json.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sys
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:
    from benchmarks.scenarios import Config

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

BENCH_DB = os.environ.get("LOTPICK_BENCH_DB", "lotpick_bench")  # another name lets two runs share a server
RESULTS = ROOT / "benchmarks" / "results"
POSTGRES_SCHEMES = {"postgres", "postgresql", "pgsql"}


def is_postgres_url(url: str) -> bool:
    return urlsplit(url).scheme in POSTGRES_SCHEMES


def bench_database_url(url: str) -> str:
    """The same server and credentials as `url`, database `lotpick_bench`."""
    parts = urlsplit(url)
    if parts.scheme not in POSTGRES_SCHEMES:
        raise ValueError(f"not a PostgreSQL URL: {url}")
    return urlunsplit(parts._replace(path=f"/{BENCH_DB}"))


def admin_conninfo(url: str) -> str:
    """Where to run CREATE/DROP DATABASE: the database of `url` (or `postgres` if it is the bench one)."""
    parts = urlsplit(url)
    database = parts.path.lstrip("/")
    if not database or database == BENCH_DB:
        parts = parts._replace(path="/postgres")
    return urlunsplit(parts._replace(scheme="postgresql"))


def _recreate(conninfo: str, *, create: bool) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(BENCH_DB)))
        if create:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(BENCH_DB)))


@contextmanager
def bench_database(url: str, *, keep: bool) -> Iterator[str]:
    """Yield the DATABASE_URL of a fresh benchmark database; remove it afterwards unless `keep`."""
    if url and is_postgres_url(url):
        conninfo = admin_conninfo(url)
        _recreate(conninfo, create=True)
        try:
            yield bench_database_url(url)
        finally:
            from django.db import connections

            connections.close_all()
            if not keep:
                _recreate(conninfo, create=False)
        return
    if url and not url.startswith("sqlite"):
        raise SystemExit(f"benchmarks run on PostgreSQL or SQLite; DATABASE_URL is {url.split(':', 1)[0]}")
    folder = tempfile.mkdtemp(prefix="lotpick-bench-")
    try:
        yield f"sqlite:///{folder}/bench.sqlite3"
    finally:
        from django.db import connections

        connections.close_all()
        if keep:
            print(f"SQLite benchmark database kept in {folder}", file=sys.stderr)
        else:
            shutil.rmtree(folder, ignore_errors=True)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="lotpick benchmarks (docs/performance.md)")
    parser.add_argument("--quick", action="store_true", help="smaller grid and 3 runs")
    parser.add_argument(
        "--scenarios",
        default="",
        help="comma-separated words; run the scenarios whose name contains one (e.g. post,serial-big)",
    )
    parser.add_argument("--runs", type=int, default=None, help="measured runs per scenario (default 5)")
    parser.add_argument(
        "--profile",
        nargs="?",
        const=str(RESULTS / "profiles"),
        default=None,
        help="cProfile the warm-up run of each scenario into this folder",
    )
    parser.add_argument(
        "--budget",
        type=float,
        default=None,
        help="seconds for the availability reads and the grid (default 330, 120 with --quick; 0: no limit)",
    )
    parser.add_argument(
        "--http-sizes",
        default=None,
        help="serial numbers of the HTTP flows, comma-separated (e.g. 5000); 0: none",
    )
    parser.add_argument(
        "--http-full-sizes",
        default=None,
        help="serial numbers of the HTTP inventory flows with full answers, comma-separated; 0: none",
    )
    parser.add_argument(
        "--http-warehouse-sizes",
        default=None,
        help="serial numbers of the HTTP warehouse flows, comma-separated; 0: none",
    )
    parser.add_argument("--keep-db", action="store_true", help="keep the benchmark database afterwards")
    parser.add_argument("--output", default=None, help="JSON file to write (default: results/latest.json)")
    return parser.parse_args(argv)


def _sizes(text: str) -> tuple[int, ...]:
    return tuple(n for n in (int(t) for t in text.split(",") if t.strip()) if n > 0)


def config_from(args: argparse.Namespace) -> Config:
    """The suite's configuration from the command line: the full one (or `--quick`) with the options given.
    A run given its HTTP flow sizes measures every one of them against its database floor."""
    from benchmarks.scenarios import FULL, QUICK

    config = QUICK if args.quick else FULL
    tokens = tuple(t.strip() for t in args.scenarios.split(",") if t.strip())
    config = replace(config, scenarios=tokens)
    if args.runs is not None:
        config = replace(config, runs=max(1, args.runs), http_runs=max(1, args.runs))
    if args.budget is not None:
        config = replace(config, budget_s=args.budget or None)
    if args.http_sizes is not None:
        config = replace(config, http_sizes=_sizes(args.http_sizes))
    if args.http_full_sizes is not None:
        config = replace(config, http_full_sizes=_sizes(args.http_full_sizes))
    if args.http_warehouse_sizes is not None:
        config = replace(config, http_warehouse_sizes=_sizes(args.http_warehouse_sizes))
    if args.profile:
        config = replace(config, profile_dir=Path(args.profile))
    if (args.http_sizes, args.http_full_sizes, args.http_warehouse_sizes) != (None, None, None):
        config = replace(config, http_floor_sizes=None)
    return config


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # A TERM (a timeout, Ctrl-C of a wrapper) unwinds like an exception: the gunicorn servers and the
    # benchmark database are cleaned up by their context managers.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    with bench_database(os.environ.get("DATABASE_URL", ""), keep=args.keep_db) as url:
        os.environ["DATABASE_URL"] = url
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")  # no "pick ... posted" line per posting
        warnings.filterwarnings("ignore", message="No directory at")  # whitenoise: no collectstatic here
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command

        from benchmarks.harness import (
            FAILED,
            database_info,
            log,
            machine_info,
            markdown_table,
            records,
            table,
            write_json,
        )
        from benchmarks.scenarios import FULL, run_suite

        # Production-like: no SQL log, no template debug information.
        settings.DEBUG = False
        config = config_from(args)
        full = config == FULL
        output = Path(args.output) if args.output else RESULTS / ("latest.json" if full else "partial.json")

        log(f"benchmark database: {url.split('@')[-1]}; migrating")
        call_command("migrate", verbosity=0, interactive=False)
        database, machine = database_info(), machine_info()
        log(f"{database['version']}; {machine['cpu_count']} CPUs; Python {machine['python']}")
        results = run_suite(config)
        print()
        cpus = f"{machine['cpu_count']} CPUs {machine['cpu_model']}"
        print(f"{database['version']} | {cpus} | Python {machine['python']}")
        print(table(results))
        write_json(output, records(results, database=database, machine=machine))
        header = f"{database['version']}; {cpus}; Python {machine['python']}\n\n"
        output.with_suffix(".md").write_text(header + markdown_table(results) + "\n")
        print(f"\nwritten to {output.relative_to(ROOT) if output.is_relative_to(ROOT) else output}")
    return 1 if any(r.status == FAILED for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
