"""Benchmarks: what picking costs, measured against the database's own speed (docs/performance.md).

`benchmarks/run.py` (`make bench`) creates a fresh database, runs the scenario grid and writes
`benchmarks/results/latest.json`. The modules here also work on any configured database (the smoke test
runs a tiny grid on the test database): `data` (master data, stock, documents), `baseline` (the same rows
written with COPY / executemany and set-based UPDATEs), `harness` (timing, query counts, output) and
`scenarios` (the grid, wired to the services as they exist).
"""
