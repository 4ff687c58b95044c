"""Set-based SQL helpers: one statement for any number of rows, on PostgreSQL and on SQLite.

Django's `bulk_create` / `bulk_update` split their work into batches of at most 999 parameters on SQLite
and build a `CASE WHEN` per row for updates, so the number of queries grows with the number of rows. The
helpers here pass all rows as a fixed number of parameters instead:

- rows to write: one JSON document holding every row, unpacked with `jsonb_array_elements` on PostgreSQL
  (`INSERT ... SELECT FROM jsonb_array_elements`, `UPDATE ... FROM (...)`) and with `json_each` on SQLite
  (JSON1 is built in). One JSON text is encoded by orjson (`core.jsontext`) and passed as one parameter;
  an array per column is quoted by the driver value by value (about 2.5 us each). `jsonb`, not `json`:
  the document is parsed once, while each `->>` on a `json` value scans the row's text again (7 columns
  of 10 000 rows: twice as slow).
- keys to match (`keys_subquery`: `(a, b) IN (SELECT ...)`, a join on the wanted pairs): one array per
  key column, unpacked with `unnest(...)` on PostgreSQL (the planner knows the array's length and hashes
  the join), `json_each` on SQLite.

Rows whose ids nobody needs back (`insert_rows(..., returning_ids=False)`) are written with `COPY ... FROM
STDIN` on PostgreSQL, the database's own bulk load; a single row (an event holding a big document) as
`VALUES`, so its JSON is encoded and parsed once, with its values sent apart from the statement
(`_execute_bound`), so a big value is not quoted into the statement's text and parsed again by the server.

`insert_select` copies rows the database already has (an ORM query) into another table without reading
them into Python. `own_transaction_alias` gives a second connection whose work commits on its own (numbers
of documents, docs/architecture.md, "Document numbers"). This module is the only place that writes SQL by
hand.

Values go through each field's `get_db_prep_save`, exactly as the ORM would store them.
"""

from __future__ import annotations

import contextlib
import copy
import datetime
import threading
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any, TypeVar

import psycopg
from django.core.signals import request_finished, request_started
from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.expressions import RawSQL

from core.jsontext import compact_json

M = TypeVar("M", bound=models.Model)


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def _qn(name: str) -> str:
    return connection.ops.quote_name(name)


def _field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    return field


def _array_type(field: models.Field[Any, Any]) -> str:
    db_type = field.db_type(connection) or "text"
    if isinstance(field, models.ForeignKey | models.BigAutoField):
        db_type = "bigint"
    elif isinstance(field, models.AutoField):
        db_type = "integer"
    elif isinstance(field, models.CharField | models.TextField):
        db_type = "text"
    return f"{db_type}[]"


def _json_value(value: Any) -> Any:
    """JSON for the values `json` cannot encode itself (as Django stores them on SQLite)."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    raise TypeError(f"Cannot store {value!r} in a set-based statement.")


_PLAIN_FIELDS = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.AutoField,
    models.BigAutoField,
    models.BooleanField,
    models.DecimalField,
    models.ForeignKey,
)


class JSONText(str):
    """The value of a JSON field encoded already (e.g. an event's data that is also an API answer,
    `core.renderers.encoded_answer`): set-based writes store the text as it is instead of encoding again."""


def _preparer(field: models.Field[Any, Any], conn: Any) -> Any:
    """How to prepare a value of `field` for the database (plain values pass through unchanged)."""
    if isinstance(field, models.JSONField):
        encoder = field.encoder
        if conn.vendor == "postgresql":
            # The JSON text of the value (SQL NULL for None), cast to the column type (json, jsonb).
            return lambda value: (
                None
                if value is None
                else str(value)
                if isinstance(value, JSONText)
                else compact_json(value, encoder=encoder).decode()
            )
        return lambda value: (
            str(value) if isinstance(value, JSONText) else field.get_db_prep_save(value, conn)
        )
    if isinstance(field, models.DateTimeField):
        # The rows of one statement mostly share one timestamp (`created_at`): converted once each.
        converted: dict[Any, Any] = {}

        def prepare_datetime(value: Any) -> Any:
            try:
                return converted[value]
            except KeyError:
                converted[value] = prepared = field.get_db_prep_save(value, conn)
                return prepared

        return prepare_datetime
    if isinstance(field, _PLAIN_FIELDS) or type(field) is models.DateField:
        return None
    return lambda value: field.get_db_prep_save(value, conn)


def _prepared_rows(
    model: type[models.Model], names: Sequence[str], rows: Sequence[Sequence[Any]]
) -> tuple[list[models.Field[Any, Any]], Sequence[Sequence[Any]]]:
    """The fields of `names`, and `rows` with each value prepared for the database as the field stores it
    (`rows` itself when no field needs it)."""
    conn = connections[DEFAULT_DB_ALIAS]
    fields = [_field(model, name) for name in names]
    preparers = [_preparer(field, conn) for field in fields]
    if all(p is None for p in preparers):
        return fields, rows
    return fields, [[v if p is None else p(v) for p, v in zip(preparers, row, strict=True)] for row in rows]


def _columns_source(
    model: type[models.Model], names: Sequence[str], rows: Sequence[Sequence[Any]]
) -> tuple[str, list[Any]]:
    """A `SELECT` producing `rows` as columns named like the fields' columns, and its parameters: ONE
    JSON document holding every row (encoded by orjson, `core.jsontext`; an array per column would be
    quoted element by element by the driver, about 2.5 us per value)."""
    conn = connections[DEFAULT_DB_ALIAS]
    fields, prepared = _prepared_rows(model, names, rows)
    rows_list = prepared if isinstance(prepared, list) else list(prepared)
    document = compact_json(rows_list, default=_json_value).decode()
    names_sql = [field.column for field in fields]
    if conn.vendor == "postgresql":
        casts = ", ".join(
            f"(r.value ->> {i})::{_array_type(field)[:-2]} AS {_qn(column)}"
            for i, (field, column) in enumerate(zip(fields, names_sql, strict=True))
        )
        return f"SELECT {casts} FROM jsonb_array_elements(%s::jsonb) AS r(value)", [document]
    extracts = ", ".join(
        f"json_extract(value, '$[{i}]') AS {_qn(column)}" for i, column in enumerate(names_sql)
    )
    # `WHERE true` lets SQLite parse an `ON CONFLICT` clause after this `SELECT`.
    return f"SELECT {extracts} FROM json_each(%s) WHERE true", [document]


def _values_source(
    model: type[models.Model], names: Sequence[str], row: Sequence[Any]
) -> tuple[str, list[Any]]:
    """PostgreSQL: one row as `VALUES (...)`, a parameter per value. A single big JSON value (an event's
    data: a document of 10 000 numbers) is then encoded and parsed once, not again as a string inside the
    JSON document of `_columns_source`."""
    fields, (params,) = _prepared_rows(model, names, [row])
    casts = ", ".join(f"%s::{_array_type(field)[:-2]}" for field in fields)
    return f"VALUES ({casts})", list(params)


def _array_source(
    model: type[models.Model], names: Sequence[str], rows: Sequence[Sequence[Any]]
) -> tuple[str, list[Any]]:
    """PostgreSQL: `rows` as `unnest` of one array per column. The planner knows how many rows an array
    literal holds (it estimates 100 for a JSON document), so a join on many keys is hashed instead of
    looked up row by row; used for keys, which are few columns."""
    conn = connections[DEFAULT_DB_ALIAS]
    fields = [_field(model, name) for name in names]
    preparers = [_preparer(field, conn) for field in fields]
    columns: list[Any] = []
    for prepare, values in zip(preparers, zip(*rows, strict=True), strict=True):  # the rows transposed in C
        columns.append(_array_literal([prepare(v) for v in values] if prepare is not None else list(values)))
    unnest = ", ".join(f"%s::{_array_type(field)}" for field in fields)
    names_sql = ", ".join(_qn(field.column) for field in fields)
    return f"SELECT * FROM unnest({unnest}) AS v({names_sql})", columns


def _array_literal(values: list[Any]) -> Any:
    """The text of a PostgreSQL array of integers or strings (`{1,2}`, `{"A","B \\"C\\""}`), built by
    `str.join` in C; psycopg adapts a list element by element (about 2.5 us each: 50 ms for the 20 000
    values of 10 000 (item, serial number) keys). Anything else stays a list for psycopg to adapt."""
    types = set(map(type, values))
    if types <= {int}:  # an empty array too
        return "{" + ",".join(map(str, values)) + "}"
    if types == {str}:
        text = '","'.join(values)
        if "\\" in text or text.count('"') != 2 * (len(values) - 1):  # a value holds one: escape them all
            text = '","'.join(v.replace("\\", "\\\\").replace('"', '\\"') for v in values)
        return '{"' + text + '"}'
    return values


def insert_rows(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    returning_ids: bool = True,
    on_conflict: str = "",
) -> list[int]:
    """Insert `rows` (values in the order of `fields`) in ONE statement; return their ids in row order.

    `on_conflict` is appended as is (e.g. `ON CONFLICT DO NOTHING`, or an upsert).
    Ids are sequence values taken in row order within the statement, so sorting them gives row order.
    """
    if not rows:
        return []
    if not returning_ids and not on_conflict and is_postgresql():
        _copy_rows(model, fields, rows)
        return []
    table = _qn(model._meta.db_table)
    bound = len(rows) == 1 and is_postgresql()
    if bound:
        source, params = _values_source(model, fields, rows[0])
    else:
        source, params = _columns_source(model, fields, rows)
    columns = ", ".join(_qn(_field(model, name).column) for name in fields)
    pk_column = _qn(model._meta.pk.column)
    sql = f"INSERT INTO {table} ({columns}) {source} {on_conflict}"
    if returning_ids:
        sql += f" RETURNING {pk_column}"
    if bound:
        found = _execute_bound(sql, params)
    else:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            found = cursor.fetchall() if returning_ids else []
    return sorted(int(row[0]) for row in found) if returning_ids else []


def _execute_bound(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """PostgreSQL: execute `sql` with its parameters sent apart from the statement (server-side binding),
    not quoted into its text as Django's cursors do: a JSON value of 1.4 MB (the event of a document of
    10 000 numbers) is then neither escaped by the driver nor scanned by the server's parser (about 3 ms of
    7). Returns the rows it returns. The statement passes through the connection's execute wrappers and
    query log like any other."""
    found: list[tuple[Any, ...]] = []

    def execute(client: Any) -> None:
        with psycopg.Cursor(client.connection) as cursor:  # on the connection of Django's client cursor
            cursor.execute(sql, params, prepare=False)  # never a named statement (poolers, migrations)
            if cursor.description is not None:
                found.extend(cursor.fetchall())

    _through_django(sql, params, execute)
    return found


def _through_django(sql: str, params: Sequence[Any] | None, run: Callable[[Any], None]) -> None:
    """Run the statement `sql` as `run(cursor)` on the driver's cursor of Django's connection, as Django runs
    its own: through the connection's execute wrappers, in its query log (DEBUG, assertNumQueries), its
    errors raised as Django's (IntegrityError, ...)."""
    conn = connections[DEFAULT_DB_ALIAS]

    def executor(sql: str, params: Any, many: bool, context: dict[str, Any]) -> None:
        conn.validate_no_broken_transaction()
        with conn.wrap_database_errors:
            run(context["cursor"].cursor)

    with connection.cursor() as cursor:
        debug = getattr(cursor, "debug_sql", None)  # a CursorDebugWrapper (DEBUG, assertNumQueries)
        with debug(sql, params) if debug is not None else contextlib.nullcontext():
            cursor._execute_with_wrappers(sql, params, False, executor=executor)


def _copy_rows(model: type[models.Model], names: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """PostgreSQL: write `rows` with `COPY ... FROM STDIN`, the database's own bulk load (about half the
    time of `INSERT ... SELECT FROM jsonb_array_elements` for 10 000 rows: no JSON document to build and
    parse). Constraints and triggers hold as for an INSERT; errors arrive as Django's (IntegrityError), and
    the statement passes through the connection's execute wrappers and query log like any other."""
    fields, prepared = _prepared_rows(model, names, rows)
    columns = ", ".join(_qn(field.column) for field in fields)
    sql = f"COPY {_qn(model._meta.db_table)} ({columns}) FROM STDIN"

    def copy(cursor: Any) -> None:
        with cursor.copy(sql) as copying:
            write = copying.write_row
            for row in prepared:
                write(row)

    _through_django(sql, None, copy)


def insert_select(model: type[models.Model], query: models.QuerySet[Any], columns: Mapping[str, str]) -> int:
    """`INSERT INTO <model> (...) SELECT ... FROM (<query>)`: ONE statement; the rows stay in the database.

    `query` is an ORM query (usually `.values(...)`, grouped or annotated as needed); `columns` maps each
    field of `model` to fill to the name `query` selects its value under: the column name for a field
    (`source_line_id`), the alias for an annotation. Returns the number of rows inserted.
    """
    inner, params = query.query.sql_with_params()
    table = _qn(model._meta.db_table)
    targets = ", ".join(_qn(_field(model, name).column) for name in columns)
    values = ", ".join(f"src.{_qn(name)}" for name in columns.values())
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({targets}) SELECT {values} FROM ({inner}) AS src", params)
        return int(cursor.rowcount)


def bulk_insert(objs: Sequence[M], *, exclude: Iterable[str] = ()) -> list[M]:
    """Insert unsaved model instances in one statement and set their primary keys.

    `auto_now_add` / `default` values are applied as `Model.save()` would (via `pre_save`).
    """
    if not objs:
        return list(objs)
    model = type(objs[0])
    skip = set(exclude)
    fields = [
        f
        for f in model._meta.concrete_fields
        if not f.primary_key and f.name not in skip and not getattr(f, "generated", False)
    ]
    rows = [[f.pre_save(obj, True) for f in fields] for obj in objs]
    ids = insert_rows(model, [f.name for f in fields], rows)
    for obj, pk in zip(objs, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = connection.alias
    return list(objs)


def update_rows(
    model: type[models.Model],
    rows: Sequence[Sequence[Any]],
    *,
    set_fields: Sequence[str] = (),
    add_fields: Sequence[str] = (),
    key: str = "id",
) -> int:
    """One `UPDATE ... FROM (rows)`: each row is `(key, *set_values, *add_values)`.

    `set_fields` take the row's value, `add_fields` are incremented by it (`quantity = quantity + v`).
    Returns the number of rows updated.
    """
    if not rows:
        return 0
    table = _qn(model._meta.db_table)
    names = [key, *set_fields, *add_fields]
    source, params = _columns_source(model, names, rows)
    assignments = [f"{_qn(_field(model, n).column)} = v.{_qn(_field(model, n).column)}" for n in set_fields]
    for name in add_fields:
        column = _qn(_field(model, name).column)
        if is_postgresql():
            assignments.append(f"{column} = {table}.{column} + v.{column}")
        else:
            assignments.append(f"{column} = {table}.{column} + CAST(v.{column} AS NUMERIC)")
    key_column = _qn(_field(model, key).column)
    sql = (
        f"UPDATE {table} SET {', '.join(assignments)} FROM ({source}) AS v "
        f"WHERE {table}.{key_column} = v.{key_column}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.rowcount)


def keys_subquery(
    model: type[models.Model], fields: Sequence[str], keys: Iterable[Sequence[Any]], *, where: str = ""
) -> RawSQL:
    """`SELECT pk FROM table WHERE (fields) IN (keys)` as an expression for `filter(pk__in=...)`.

    A fixed number of parameters whatever the number of keys, and an exact match on the tuple (not the
    cross product of each column's values). `where`: a further condition in SQL (no parameters), e.g. the
    predicate of a partial index the lookup should use.
    """
    key_rows = keys if isinstance(keys, (list, tuple)) else list(keys)
    table = _qn(model._meta.db_table)
    pk_column = _qn(model._meta.pk.column)
    columns = ", ".join(_qn(_field(model, name).column) for name in fields)
    if not key_rows:
        return RawSQL(f"SELECT {pk_column} FROM {table} WHERE 1 = 0", [])
    if is_postgresql():
        source, params = _array_source(model, fields, key_rows)
    else:
        source, params = _columns_source(model, fields, key_rows)
    sql = f"SELECT {pk_column} FROM {table} WHERE ({columns}) IN (SELECT * FROM ({source}) AS k)"
    if where:
        sql += f" AND {where}"
    return RawSQL(sql, params)


def union_all(parts: Sequence[RawSQL]) -> RawSQL:
    """The rows of several `keys_subquery` (each `SELECT pk ...`) as one subquery for `filter(pk__in=...)`:
    one semi-join on their `UNION ALL` (an `OR` of several `IN (subquery)` would make PostgreSQL test every
    row of the table against each)."""
    if len(parts) == 1:
        return parts[0]
    sql = " UNION ALL ".join(f"SELECT * FROM ({part.sql}) AS u{i}" for i, part in enumerate(parts))
    return RawSQL(sql, [param for part in parts for param in part.params])


def keys_condition(model: type[models.Model], fields: Sequence[str], keys: Iterable[Sequence[Any]]) -> RawSQL:
    """`(fields) IN (keys)` on the rows of `model` itself, as a condition for `filter(...)` / `Q(...)`:
    the same join on the wanted keys as `keys_subquery`, without going through the table a second time
    (a self `pk IN (...)` lets the planner loop over the whole table when its statistics are stale)."""
    key_rows = keys if isinstance(keys, (list, tuple)) else list(keys)
    if not key_rows:
        return RawSQL("1 = 0", [], output_field=models.BooleanField())
    table = _qn(model._meta.db_table)
    columns = ", ".join(f"{table}.{_qn(_field(model, name).column)}" for name in fields)
    if is_postgresql():
        source, params = _array_source(model, fields, key_rows)
    else:
        source, params = _columns_source(model, fields, key_rows)
    return RawSQL(
        f"({columns}) IN (SELECT * FROM ({source}) AS k)", params, output_field=models.BooleanField()
    )


def try_advisory_xact_lock(key: int) -> bool:
    """Take the transaction-level advisory lock `key` without waiting (PostgreSQL); False when another
    transaction holds it. On SQLite, writers are serialised by the database lock: always True.
    Must be called inside `transaction.atomic()`; the lock is released when the transaction ends."""
    if not is_postgresql():
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [key])
        row = cursor.fetchone()
    return bool(row and row[0])


# --- A connection of its own: work that commits at once, whatever transaction the caller is in ------------

OWN_ALIAS = "lotpick_own"
_own = threading.local()
_own_connections: weakref.WeakSet[BaseDatabaseWrapper] = weakref.WeakSet()
_own_lock = threading.Lock()


def own_transaction_alias() -> str | None:
    """The alias of this thread's second connection to the database (PostgreSQL), for a short transaction
    that commits on its own while the caller's transaction goes on: a row it locks is locked for that short
    transaction only. None when that is not wanted or possible: SQLite (one writer at a time anyway), no
    transaction open on the default connection (the caller's own `atomic` is just as short), or inside a
    test case's transaction (its work must roll back with the test).

    The connection opens on first use and is closed like Django's own (`CONN_MAX_AGE`) at the start and end
    of each request, and by `close_own_connections`.
    """
    if connection.vendor != "postgresql" or not connection.in_atomic_block:
        return None
    if any(getattr(block, "_from_testcase", False) for block in connection.atomic_blocks):
        return None
    wrapper = getattr(_own, "wrapper", None)
    if wrapper is None:
        default = connections[DEFAULT_DB_ALIAS]
        wrapper = type(default)(copy.deepcopy(default.settings_dict), OWN_ALIAS)
        wrapper.inc_thread_sharing()  # `close_own_connections` may close it from another thread
        _own.wrapper = wrapper
        with _own_lock:
            _own_connections.add(wrapper)
    connections[OWN_ALIAS] = wrapper
    return OWN_ALIAS


def set_lock_timeout(alias: str, milliseconds: int) -> None:
    """`SET LOCAL lock_timeout` on the connection `alias` (PostgreSQL; inside a transaction)."""
    with connections[alias].cursor() as cursor:
        cursor.execute(f"SET LOCAL lock_timeout = {int(milliseconds)}")


def close_own_connections() -> None:
    """Close every thread's own connection (e.g. before a test database is dropped)."""
    with _own_lock:
        wrappers = list(_own_connections)
    for wrapper in wrappers:
        wrapper.close()


def _close_old_own_connection(**kwargs: Any) -> None:
    wrapper = getattr(_own, "wrapper", None)
    if wrapper is not None:
        wrapper.close_if_unusable_or_obsolete()


request_started.connect(_close_old_own_connection, dispatch_uid="lotpick_own_connection_started")
request_finished.connect(_close_old_own_connection, dispatch_uid="lotpick_own_connection_finished")
