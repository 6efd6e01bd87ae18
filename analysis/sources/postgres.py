"""A PostgreSQL source, read and never written: every query runs in a READ ONLY transaction with a time limit.

    with open_source(connection) as conn:                      # SourceConnection: read-only, limited (see below)
        tables = list_tables(conn)                             # [(schema, table), ...]
        columns = column_types_of(conn, query)                 # column -> PostgreSQL type name
        identity = source_identity(conn, connection.name, query)   # rows and checksum: what the query returns now
        frame, method = fetch_sample(conn, query, size, seed, strata="label")   # rows drawn by the database

Errors become SourceError with a message for people (connection refused, password refused, time limit, a
write refused by the read-only transaction, a query PostgreSQL cannot run); the address's password is never
in a message.

The time limit is Blueprint's, not only a server setting a query could change: the server's statement_timeout is
set, and before each statement it must still be what Blueprint set (a query that lifted it with set_config, itself
or through a function, is refused); a deadline per statement (the limit and DEADLINE_GRACE_S) cancels it on the
server from a timer thread whatever the server's settings say; stop_statements() (a job's Cancel, a worker's end)
cancels the statements this process runs, from any thread. Connections are named 'blueprint' in pg_stat_activity.
"""
from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone

import numpy as np
import pandas as pd
import psycopg
from psycopg import errors as pg_errors

from analysis.engine.sample import MIN_CLASS_ROWS
from analysis.errors import ReadError
from analysis.reading.read import table_from_source
from analysis.sources.query import quote_identifier as quote
from analysis.sources.settings import SqlConnection

CONNECT_TIMEOUT_S = 10
APPLICATION_NAME = "blueprint"      # what pg_stat_activity shows for Blueprint's connections
DEADLINE_GRACE_S = 1.0              # the deadline is the limit and this: the server's own timeout normally speaks first
CANCEL_TIMEOUT_S = 5.0              # how long a cancel request may take to reach the server
CHECK_CLIENT_MS = 1000              # PostgreSQL 14+: a statement whose client is gone (a killed worker) stops this soon
ROWS = "blueprint_rows"
SYSTEM_SCHEMAS = ("pg_catalog", "information_schema")


class SourceError(ValueError):
    """A SQL source cannot be read as asked; the message says why and what to do (no password in it)."""


class SourceCancelled(SourceError):
    """A statement stopped on the database because the work it served was cancelled or its process is ending."""


@dataclass(frozen=True)
class SourceIdentity:
    """What a query returned when it was read: the connection's name, the query, the row count and an
    order-independent checksum of the rows' text, stamped with the time (UTC, ISO 8601).

    key: SHA-256 of (connection, query, rows, checksum): the dataset's identity in the store (its content hash).
    """

    connection: str
    query: str
    rows: int
    checksum: str
    checked_at: str

    @property
    def key(self) -> str:
        text = json.dumps([self.connection, self.query, self.rows, self.checksum])
        return hashlib.sha256(("sql:" + text).encode("utf-8")).hexdigest()

    def to_dict(self) -> dict:
        return {"kind": "sql", "connection": self.connection, "query": self.query, "rows": self.rows,
                "checksum": self.checksum, "checked_at": self.checked_at, "identity": self.key}


def _message(error: psycopg.Error, connection: SqlConnection) -> str:
    if isinstance(error, pg_errors.QueryCanceled):
        return (f"The query ran past the time limit of {connection.timeout_s:g} s set for the connection "
                f"'{connection.name}' and was stopped on the database. Read fewer rows (a WHERE clause, a smaller "
                f"table), or ask an admin for a longer timeout_s under [blueprint.sql.{connection.name}].")
    if isinstance(error, pg_errors.ReadOnlySqlTransaction):
        return (f"'{connection.name}' refused the query because it would write: Blueprint runs every query in a "
                "read-only transaction and only reads data. Write a SELECT query that changes nothing.")
    if isinstance(error, pg_errors.InsufficientPrivilege):
        return (f"'{connection.name}' refused the query: its user may not read this ({_primary(error)}). Ask the "
                "database's owners for read access, or pick another table.")
    if isinstance(error, (pg_errors.SyntaxError, pg_errors.UndefinedTable, pg_errors.UndefinedColumn,
                          pg_errors.UndefinedFunction, pg_errors.DataError)):
        return (f"PostgreSQL cannot run the query on '{connection.name}': {_primary(error)}. "
                "Fix the query and send it again.")
    if isinstance(error, psycopg.OperationalError):
        text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        if "password" in text.lower() or "authentication" in text.lower():
            return (f"'{connection.name}' ({connection.where}) refused the sign-in: {text}. An admin checks the "
                    "user and password in its url.")
        return (f"Cannot reach the SQL source '{connection.name}' ({connection.where}): {text}. Is the database "
                "running and reachable from this server? An admin checks its url in the settings.")
    return f"'{connection.name}' could not run the query: {_primary(error)}."


def _primary(error: psycopg.Error) -> str:
    diag = getattr(error, "diag", None)
    primary = getattr(diag, "message_primary", None) if diag is not None else None
    return (primary or str(error).strip().splitlines()[0] or type(error).__name__).rstrip(".")


@contextmanager
def deadline(conn: psycopg.Connection, seconds: float) -> Iterator[None]:
    """Cancel on the server the statement ``conn`` runs in this block when it takes longer than ``seconds``: a timer
    thread sends PostgreSQL's cancel request (psycopg's cancel_safe), whatever the server's settings say, and the
    statement raises QueryCanceled. On leaving, a cancel already on its way has arrived (a late one would hit the
    next statement)."""
    timer = threading.Timer(seconds, _cancel, (conn,))
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
        timer.join()


def _cancel(conn: psycopg.Connection) -> None:
    try:
        conn.cancel_safe(timeout=CANCEL_TIMEOUT_S)
    except (psycopg.Error, OSError):       # closed meanwhile, or the server is unreachable: nothing runs there then
        pass


class _LimitedCursor(psycopg.Cursor):
    """A cursor whose statements run under its SourceConnection's limit (SourceConnection.limited)."""

    def execute(self, query, params=None, **options):
        return self.connection.limited(lambda: super(_LimitedCursor, self).execute(query, params, **options))

    def executemany(self, *args, **kwargs):
        raise TypeError("A SQL source runs one statement at a time: use execute().")

    stream = copy = executemany


class SourceConnection(psycopg.Connection):
    """A connection to a SQL source whose every statement runs under Blueprint's time limit (see the module's
    docstring): open it with open_source."""

    source: SqlConnection | None = None
    stop_reason: str | None = None       # set by stop(): the statements of this connection are refused
    running = False                      # a statement is on its way or running on the server
    limit_setting = ""                   # statement_timeout as the server states it once Blueprint has set it

    def start(self, source: SqlConnection) -> None:
        """Begin the read-only transaction with the source's limit, and note the limit as the server states it."""
        self.source = source
        self.read_only = True
        plain = psycopg.Cursor(self)
        plain.execute(f"SET LOCAL statement_timeout = {int(source.timeout_s * 1000)}")
        plain.execute("SET LOCAL TimeZone = 'UTC'")
        plain.execute("SET LOCAL extra_float_digits = 1")
        if self.info.server_version >= 140000:
            plain.execute(f"SET LOCAL client_connection_check_interval = {CHECK_CLIENT_MS}")
        self.limit_setting = plain.execute("SHOW statement_timeout").fetchone()[0]

    def limited(self, run):
        """``run()`` (one statement) under the limit: refused when the work was stopped or the query lifted the
        limit, cancelled on the server by the deadline; SourceCancelled when stop() cancelled it."""
        self.running = True
        try:
            if self.stop_reason:
                raise SourceCancelled(self._stopped())
            with deadline(self, self.source.timeout_s + DEADLINE_GRACE_S):
                self._check_limit()
                return run()
        except pg_errors.QueryCanceled:
            if self.stop_reason:
                raise SourceCancelled(self._stopped()) from None
            raise
        finally:
            self.running = False

    def _check_limit(self) -> None:
        found = psycopg.Cursor(self).execute("SHOW statement_timeout").fetchone()[0]
        if found != self.limit_setting:
            name, limit = self.source.name, self.source.timeout_s
            raise SourceError(
                f"The query changed its own time limit (statement_timeout is now {found}): Blueprint keeps the time "
                f"limit of {limit:g} s set for the connection '{name}' and does not run it further. Remove the "
                "set_config call (or the function that changes settings) from the query and send it again.")

    def stop(self, reason: str) -> None:
        """From any thread: cancel the statement running now on the server, and refuse the next ones."""
        self.stop_reason = reason
        if self.running:
            _cancel(self)

    def _stopped(self) -> str:
        return f"The query on '{self.source.name}' was stopped on the database: {self.stop_reason}. Nothing was stored."


_open: set[SourceConnection] = set()
_open_lock = threading.Lock()


def stop_statements(reason: str) -> int:
    """Cancel, on their databases, the statements every open source connection of this process runs, and refuse
    their next ones (``reason``, e.g. "the job was cancelled", ends up in the SourceCancelled they raise). Safe
    from any thread; returns how many connections were open."""
    with _open_lock:
        found = list(_open)
    for conn in found:
        conn.stop(reason)
    return len(found)


@contextmanager
def open_source(connection: SqlConnection) -> Iterator[SourceConnection]:
    """A connection to ``connection`` inside one READ ONLY transaction, each statement limited to its timeout_s
    by the server and by Blueprint (SourceConnection), times in UTC; closed (the transaction rolled back) on
    leaving. Errors become SourceError."""
    conn = None
    try:
        conn = SourceConnection.connect(connection.url, connect_timeout=CONNECT_TIMEOUT_S, autocommit=False,
                                        application_name=APPLICATION_NAME, cursor_factory=_LimitedCursor)
        with _open_lock:
            _open.add(conn)
        conn.start(connection)
        yield conn
    except psycopg.Error as error:
        raise SourceError(_message(error, connection)) from None
    finally:
        if conn is not None:
            with _open_lock:
                _open.discard(conn)
            try:
                conn.rollback()
            except psycopg.Error:
                pass
            conn.close()


def list_tables(conn: psycopg.Connection) -> list[tuple[str, str]]:
    """The tables and views the connection's user may read, as (schema, name), system schemas left out."""
    rows = conn.execute(
        "SELECT table_schema, table_name FROM information_schema.tables "
        "WHERE table_schema NOT IN ('pg_catalog', 'information_schema') AND table_schema NOT LIKE 'pg\\_%' "
        "AND has_table_privilege(quote_ident(table_schema) || '.' || quote_ident(table_name), 'SELECT') "
        "ORDER BY table_schema, table_name"
    ).fetchall()
    return [(s, t) for s, t in rows]


def column_types_of(conn: psycopg.Connection, query: str) -> dict[str, str | None]:
    """column -> PostgreSQL type name (int8, float8, text, timestamptz, ...; None for a type psycopg does not
    know, such as an enum) of what ``query`` returns; SourceError when names repeat or are blank."""
    cursor = conn.execute(f"SELECT * FROM (\n{query}\n) AS {ROWS} LIMIT 0")
    names = [d.name for d in cursor.description]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise SourceError(f"The query returns several columns named {', '.join(repeated)}; give each its own name "
                          "(SELECT a.id AS order_id, b.id AS customer_id ...).")
    if not names:
        raise SourceError("The query returns no columns. Select at least one.")
    types = {}
    for d in cursor.description:
        info = conn.adapters.types.get(d.type_code)
        types[d.name] = info.name if info is not None else None
    return types


def source_identity(conn: psycopg.Connection, connection_name: str, query: str) -> SourceIdentity:
    """The identity of what ``query`` returns now: its row count and an order-independent checksum (the sum of
    a 64-bit hash of each row's text), computed by the database."""
    rows, checksum = conn.execute(
        f"SELECT count(*), coalesce(sum(hashtextextended(CAST({ROWS} AS text), 0)), 0) FROM (\n{query}\n) AS {ROWS}"
    ).fetchone()
    stamp = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    return SourceIdentity(connection_name, query, int(rows), str(checksum), stamp)


def fetch_sample(conn: psycopg.Connection, query: str, size: int, seed: int, pg_types: dict[str, str | None],
                 rows: int, strata: str | None = None) -> tuple[list[np.ndarray | pd.Categorical], str]:
    """(columns of the sample, method): every row when ``rows`` <= ``size``; else ``size`` rows drawn by the
    database, ordered by md5 of the row's text and the seed ("uniform"), or per class of column ``strata``
    ("stratified": each class keeps its share, and at least MIN_CLASS_ROWS rows or all it has, as
    analysis.engine.sample draws from files). Only the sample's rows leave the database."""
    names = list(pg_types)
    picked = ", ".join(quote(n) for n in names)
    key = f"md5(CAST({ROWS} AS text) || ':{int(seed)}')"
    if rows <= size:
        sql, method = f"SELECT {picked} FROM (\n{query}\n) AS {ROWS}", "all"
    elif strata is None:
        sql, method = f"SELECT {picked} FROM (\n{query}\n) AS {ROWS} ORDER BY {key} LIMIT {int(size)}", "uniform"
    else:
        s = quote(strata)
        sql = (f"SELECT {picked} FROM (SELECT {ROWS}.*, row_number() OVER (PARTITION BY {s} ORDER BY {key}) AS "
               f"blueprint_rank, count(*) OVER (PARTITION BY {s}) AS blueprint_members FROM (\n{query}\n) AS {ROWS}) "
               f"AS ranked WHERE blueprint_rank <= least(blueprint_members, greatest(round({int(size)}::numeric * "
               f"blueprint_members / {int(rows)}), {MIN_CLASS_ROWS}))")
        method = "stratified"
    records = conn.execute(sql).fetchall()
    return [_column([r[i] for r in records], pg_types[name]) for i, name in enumerate(names)], method


def _column(values: list, pg_type: str | None):
    """One column of fetched values as the reader types a file's column: numbers float64 (int64 when whole and
    complete), booleans bool (pandas "boolean" with a missing value), times datetime64[ns] (UTC, no zone), text a
    Categorical (analysis.reading.read keeps it categorical or makes it plain text)."""
    from analysis.engine.pushdown import NUMBER, TIME, pg_kind  # noqa: PLC0415 (DuckDB: loaded by a profile job only)

    kind = pg_kind(pg_type)
    missing = [v is None for v in values]
    if kind == NUMBER:
        if pg_type in ("int2", "int4", "int8", "oid") and not any(missing):
            return np.asarray(values, dtype=np.int64)
        return np.asarray([np.nan if v is None else float(v) for v in values], dtype=np.float64)
    if kind == TIME:
        stamps = pd.to_datetime(pd.Series(values, dtype=object), utc=True)
        return stamps.dt.tz_localize(None).astype("datetime64[ns]").to_numpy()
    if pg_type == "bool":
        return pd.array(values, dtype="boolean") if any(missing) else np.asarray(values, dtype=bool)
    return pd.Categorical([None if v is None else v if isinstance(v, str) else str(v) for v in values])


def class_counts(conn: psycopg.Connection, query: str, target: str, pg_types: dict[str, str | None]) -> pd.DataFrame:
    """A frame holding column ``target`` alone, as many of each value as the source has (missing values too),
    in no particular order: the target's exact distribution, counted by the database (only the counts travel)."""
    q = quote(target)
    counted = conn.execute(f"SELECT {q}, count(*) FROM (\n{query}\n) AS {ROWS} GROUP BY {q}").fetchall()
    values = np.repeat(np.array([v for v, _ in counted] + [None], dtype=object)[:-1], [int(n) for _, n in counted])
    return pd.DataFrame({target: _column(list(values), pg_types[target])})


def read_source(connection: SqlConnection, query: str, sample_rows: int, seed: int = 0, target: str | None = None):
    """Read a SQL source for storing: (Table of the sample, source dict for the store, rows in the source).
    The identity (rows, checksum) and the sample (seeded; stratified by ``target`` when given) are drawn by the
    database in one read-only transaction; only the sample's rows are fetched."""
    with open_source(connection) as conn:
        pg_types = column_types_of(conn, query)
        if target is not None and target not in pg_types:
            raise SourceError(f"The query returns no column '{target}' to stratify the sample by; pick one of "
                              f"{', '.join(pg_types)}.")
        identity = source_identity(conn, connection.name, query)
        if identity.rows == 0:
            raise SourceError("The source returned no rows. Pick a table or write a query that returns rows.")
        columns, method = fetch_sample(conn, query, sample_rows, seed, pg_types, identity.rows, target)
    fetched = len(columns[0])
    note = (f"Read from the SQL connection '{connection.name}': all {identity.rows:,} rows." if method == "all" else
            f"Read from the SQL connection '{connection.name}': {identity.rows:,} rows there; a {method} sample of "
            f"{fetched:,} rows (seed {seed}{', by ' + target if target else ''}) is kept here, and the profile's exact "
            "figures are computed by the database.")
    try:
        table = table_from_source(list(pg_types), columns, identity.key, (note,))
    except ReadError as error:
        raise SourceError(str(error)) from None
    source = {**identity.to_dict(), "pg_types": pg_types, "sample_rows": fetched, "sample_method": method,
              "seed": seed, "target": target}
    return table, source, identity.rows
