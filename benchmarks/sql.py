"""Writing rows the fastest way the database offers (the baselines, and the stock the benchmarks need).

PostgreSQL: psycopg 3 `COPY ... FROM STDIN` for inserts and one `UPDATE ... FROM unnest(...)` per
updated table. SQLite has no COPY: `executemany` of plain `INSERT`s and `UPDATE`s.

Rows carry explicit primary keys taken from the tables' sequences beforehand (`next_ids`), so that rows
referring to each other can be written by COPY, which returns nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone


def db() -> BaseDatabaseWrapper:
    """The connection itself (not the `django.db.connection` proxy, which costs a lookup per use)."""
    return connections[DEFAULT_DB_ALIAS]


def is_postgresql() -> bool:
    return db().vendor == "postgresql"


def qn(name: str) -> str:
    return db().ops.quote_name(name)


def table(model: type[models.Model]) -> str:
    return qn(model._meta.db_table)


def model_field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    f = model._meta.get_field(name)
    assert isinstance(f, models.Field)
    return f


def _fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [f for f in model._meta.concrete_fields if not getattr(f, "generated", False)]


def _converter(f: models.Field[Any, Any], conn: BaseDatabaseWrapper) -> Callable[[Any], Any] | None:
    """None when the Python value can be sent as it is (psycopg adapts str, int, Decimal, date, bool)."""
    if conn.vendor == "postgresql":
        return None

    def convert(value: Any) -> Any:
        return f.get_db_prep_save(value, conn)

    return convert


def _pg_array_type(f: models.Field[Any, Any]) -> str:
    if isinstance(f, models.ForeignKey | models.AutoField | models.BigAutoField | models.IntegerField):
        return "bigint[]"
    if isinstance(f, models.DecimalField):
        return "numeric[]"
    if isinstance(f, models.BooleanField):
        return "boolean[]"
    if isinstance(f, models.DateTimeField):
        return "timestamptz[]"
    if isinstance(f, models.DateField):
        return "date[]"
    return "text[]"


@dataclass
class Rows:
    """Rows to INSERT, one tuple per row in the order of `columns` (every concrete column)."""

    model: type[models.Model]
    columns: list[str]
    values: list[tuple[Any, ...]]

    @classmethod
    def of(cls, model: type[models.Model], objs: Sequence[models.Model]) -> Rows:
        """From unsaved model instances with their `id` set (`auto_now_add` applied as on save)."""
        conn = db()
        fields = _fields(model)
        converters = [_converter(f, conn) for f in fields]
        values = [
            tuple(
                f.pre_save(o, True) if c is None else c(f.pre_save(o, True))
                for f, c in zip(fields, converters, strict=True)
            )
            for o in objs
        ]
        return cls(model, [f.column for f in fields], values)

    @classmethod
    def of_dicts(cls, model: type[models.Model], rows: Sequence[Mapping[str, Any]]) -> Rows:
        """From dicts keyed by attname (`item_id`); missing keys take the field's default (faster than
        model instances for hundreds of thousands of rows)."""
        conn = db()
        fields = _fields(model)
        now = timezone.now()
        defaults = [
            now if getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False) else f.get_default()
            for f in fields
        ]
        converters = [_converter(f, conn) for f in fields]
        names = [f.attname for f in fields]
        if rows:
            unknown = set(rows[0]) - set(names)
            if unknown:
                raise ValueError(f"{model.__name__} has no column(s) {sorted(unknown)}")
        values = [
            tuple(
                row.get(name, default) if c is None else c(row.get(name, default))
                for name, default, c in zip(names, defaults, converters, strict=True)
            )
            for row in rows
        ]
        return cls(model, [f.column for f in fields], values)


class Row(dict[str, Any]):
    """A row for `Rows.of_dicts` whose values can also be read as attributes (`row.item_id`)."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError as exc:
            raise AttributeError(name) from exc


@dataclass
class Update:
    """One set-based UPDATE: `set_values` replace, `add_values` are added (`col = col + v`), by `keys`."""

    model: type[models.Model]
    keys: list[int]
    set_values: dict[str, list[Any]] = field(default_factory=dict)
    add_values: dict[str, list[Any]] = field(default_factory=dict)


@dataclass
class Statement:
    sql: str
    params: list[Any]


Part = Rows | Update | Statement


def _apply(cursor: Any, part: Part) -> None:
    if isinstance(part, Rows):
        if not part.values:
            return
        column_list = ", ".join(qn(c) for c in part.columns)
        if is_postgresql():
            with cursor.cursor.copy(f"COPY {table(part.model)} ({column_list}) FROM STDIN") as copy:
                for row in part.values:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(part.columns))
            cursor.executemany(
                f"INSERT INTO {table(part.model)} ({column_list}) VALUES ({marks})", part.values
            )
    elif isinstance(part, Update):
        if not part.keys:
            return
        conn = db()
        model, name = part.model, table(part.model)
        values = part.set_values | part.add_values
        names = [*part.set_values, *part.add_values]
        fields = [model_field(model, n) for n in names]
        columns = [f.column for f in fields]
        prepared = [
            [f.get_db_prep_save(v, conn) for v in values[n]] for f, n in zip(fields, names, strict=True)
        ]
        n_set = len(part.set_values)
        if is_postgresql():
            sets = [f"{qn(c)} = v.{qn(c)}" for c in columns[:n_set]]
            sets += [f"{qn(c)} = {name}.{qn(c)} + v.{qn(c)}" for c in columns[n_set:]]
            arrays = ", ".join(["%s::bigint[]", *(f"%s::{_pg_array_type(f)}" for f in fields)])
            aliases = ", ".join(["id", *(qn(c) for c in columns)])
            cursor.execute(
                f"UPDATE {name} SET {', '.join(sets)} FROM unnest({arrays}) AS v({aliases}) "
                f"WHERE {name}.id = v.id",
                [part.keys, *prepared],
            )
        else:
            assignments = [f"{qn(c)} = %s" for c in columns[:n_set]]
            assignments += [f"{qn(c)} = {qn(c)} + %s" for c in columns[n_set:]]
            rows = [(*row, key) for key, *row in zip(part.keys, *prepared, strict=True)]
            cursor.executemany(f"UPDATE {name} SET {', '.join(assignments)} WHERE id = %s", rows)
    else:
        cursor.execute(part.sql, part.params)


def analyze() -> None:
    """Give the planner statistics of the tables just filled (PostgreSQL and SQLite: `ANALYZE`).

    The benchmark database is new and filled with COPY right before it is measured; autovacuum has not
    analysed it yet, so PostgreSQL plans on sizes it guesses. A production database has statistics: without
    them the posting's receipt lookup chose the index on (item, lot no.) for serial numbers (lot no. empty:
    every entry of the item, per serial number) and took 20 s instead of a fraction of a second."""
    with db().cursor() as cursor:
        cursor.execute("ANALYZE")


def checkpoint() -> None:
    """PostgreSQL: `CHECKPOINT`, so that what earlier scenarios wrote is on disk and no checkpoint they
    caused runs while the next measurement does (the HTTP flows come after gigabytes of the grid's writes).
    Skipped elsewhere, and where the user may not (it needs the pg_checkpoint role or a superuser)."""
    conn = db()
    if conn.vendor != "postgresql":
        return
    try:
        with conn.cursor() as cursor:
            cursor.execute("CHECKPOINT")
    except DatabaseError:
        return


def write(parts: Sequence[Part]) -> float:
    """Apply `parts` in ONE transaction (committed); return the seconds it took, commit included."""
    conn = db()
    start = time.perf_counter()
    with transaction.atomic(), conn.cursor() as cursor:
        for part in parts:
            _apply(cursor, part)
    return time.perf_counter() - start


def row_count(parts: Sequence[Part]) -> int:
    total = 0
    for part in parts:
        if isinstance(part, Rows):
            total += len(part.values)
        elif isinstance(part, Update):
            total += len(part.keys)
    return total


def next_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` fresh primary keys of the table (from its sequence on PostgreSQL)."""
    if count == 0:
        return []
    with db().cursor() as cursor:
        if is_postgresql():
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [model._meta.db_table, count],
            )
            return [int(r[0]) for r in cursor.fetchall()]
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table(model)}")
        row = cursor.fetchone()
        start = int(row[0]) + 1
        return list(range(start, start + count))


def fetch(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with db().cursor() as cursor:
        cursor.execute(sql, list(params))
        return list(cursor.fetchall())
