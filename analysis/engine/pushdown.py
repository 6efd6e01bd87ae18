"""Exact figures of a SQL source computed in its own database (pushdown): the queries of analysis.engine.figures
written for PostgreSQL, so only aggregates leave the database, never its rows.

    figures = sql_figures(conn, query, pg_types, column_types)    # FileFigures (file_bytes 0)

``conn`` is an open psycopg connection in a read-only transaction (analysis.sources.postgres.open_source);
``query`` a checked read-only query (analysis.sources.query), read as a subquery by every pass.
The passes, figures and rules are those of engine.figures (see its docstring), with PostgreSQL's spelling:
finite values are those not NaN nor +/- Infinity; quantiles by percentile_cont (linear interpolation); skewness
from the second and third central moments (a second pass, once the mean is known); text ordered by code point
(COLLATE "C", as DuckDB and Python order it); times binned by date_trunc in UTC; duplicate rows by the distinct
text of whole rows. A read-only transaction cannot create a temporary table, so each pass runs the query again:
a costly query is better saved as a view or table by the source's owners.
"""
from __future__ import annotations

import time
from dataclasses import replace

import numpy as np
import pandas as pd

from analysis.column_types import CATEGORICAL
from analysis.engine.figures import LABEL, LABEL_GROUPS, NUMBER, TIME, FileFigures, _memory
from analysis.profile.column_stats import (
    HISTOGRAM_BINS, QUANTILES, TOP_K, ColumnStats, Histogram, ValueCount, bin_edges, iso, label_stats, number_label,
    time_edges,
)
from analysis.sources.query import quote_identifier as quote

NUMBER_TYPES = {"int2", "int4", "int8", "float4", "float8", "numeric", "oid"}
TIME_TYPES = {"timestamp", "timestamptz", "date"}
TEXT_TYPES = {"text", "varchar", "bpchar", "name", "char", "citext"}
ROWS = "blueprint_rows"          # the alias of the source's rows in every pass
FINITE = "({x} NOT IN ('NaN'::float8, 'Infinity'::float8, '-Infinity'::float8))"
NUMBER_TEXT = r"^[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|inf(inity)?|nan)$"


def pg_kind(pg_type: str | None) -> str:
    """number, time or label for a PostgreSQL type name (booleans, text and anything else are labels)."""
    if pg_type in NUMBER_TYPES:
        return NUMBER
    if pg_type in TIME_TYPES:
        return TIME
    return LABEL


def _duckdb_like(pg_type: str | None) -> str:
    """The DuckDB type name engine.figures._memory estimates memory by."""
    return "BOOLEAN" if pg_type == "bool" else {NUMBER: "DOUBLE", TIME: "TIMESTAMP", LABEL: "VARCHAR"}[pg_kind(pg_type)]


def _finite(x: str) -> str:
    return FINITE.format(x=x)


def _x(name: str) -> str:
    return f"CAST({quote(name)} AS float8)"


def sql_figures(conn, query: str, pg_types: dict[str, str | None], column_types: dict[str, str]) -> FileFigures:
    """Exact figures of every column of what ``query`` returns (column -> PostgreSQL type name in ``pg_types``),
    computed by PostgreSQL; the same fields and rules as engine.figures.file_figures."""
    start = time.perf_counter()
    source = f"(\n{query}\n) AS {ROWS}"
    kinds = {name: pg_kind(t) for name, t in pg_types.items()}
    run = _runner(conn)
    overall = _overall(run, source, kinds)
    rows = overall["rows"]
    stats = []
    for name, kind in kinds.items():
        base = {"name": name, "type": column_types[name], "memory_bytes": 0}
        if kind == NUMBER:
            stats.append(ColumnStats(**base, **_numbers(run, source, name, rows, overall)))
        elif kind == TIME:
            stats.append(ColumnStats(**base, **_times(run, source, name, rows, overall)))
        else:
            counted = column_types[name] == CATEGORICAL and pg_types[name] != "bool"
            stats.append(ColumnStats(**base, **_labels(run, source, name, rows, counted, pg_types[name])))
    stats = _with_histograms(run, source, stats, kinds, overall)
    stats = [replace(c, memory_bytes=_memory(_duckdb_like(pg_types[c.name]), column_types[c.name], c,
                                             overall["columns"][c.name])) for c in stats]
    distinct_rows = run(f"SELECT count(DISTINCT CAST({ROWS} AS text)) FROM {source}").fetchone()[0]
    return FileFigures(rows, tuple(stats), rows - int(distinct_rows), overall["rows_with_missing"], 0,
                       time.perf_counter() - start)


def _runner(conn):
    def run(sql: str):
        return conn.execute(sql)
    return run


def _overall(run, source: str, kinds: dict[str, str]) -> dict:
    """Pass 1: one scan over every column (numbers' finite values picked once, in a subquery)."""
    parts, missing, inner = ["count(*) AS rows"], [], []
    for i, (name, kind) in enumerate(kinds.items()):
        q = quote(name)
        inner.append(f"{q} AS c_{i}")
        c = f"c_{i}"
        parts.append(f"count({c}) AS n_{i}")
        if kind == NUMBER:
            x = f"CAST({q} AS float8)"
            inner.append(f"CASE WHEN {_finite(x)} THEN {x} END AS f_{i}")
            inner.append(f"{x} AS x_{i}")
            f = f"f_{i}"
            parts += [f"count(*) FILTER (WHERE x_{i} = 'NaN'::float8) AS nan_{i}",
                      f"count(*) FILTER (WHERE x_{i} = 'Infinity'::float8) AS pinf_{i}",
                      f"count(*) FILTER (WHERE x_{i} = '-Infinity'::float8) AS ninf_{i}",
                      f"count(*) FILTER (WHERE {f} = 0) AS zero_{i}", f"min({f}) AS lo_{i}", f"max({f}) AS hi_{i}",
                      f"avg({f}) AS mean_{i}", f"stddev_samp({f}) AS std_{i}", f"var_pop({f}) AS var_{i}",
                      f"bool_and({f} = trunc({f})) AS whole_{i}"]
            missing.append(f"{c} IS NULL OR x_{i} = 'NaN'::float8")
        else:
            missing.append(f"{c} IS NULL")
        if kind == TIME:
            parts += [f"CAST(extract(epoch FROM min({c})) * 1000000000 AS int8) AS lo_{i}",
                      f"CAST(extract(epoch FROM max({c})) * 1000000000 AS int8) AS hi_{i}"]
        if kind == LABEL:
            parts.append(f"sum(octet_length(CAST({c} AS text))) AS chars_{i}")
    parts.append(f"count(*) FILTER (WHERE {' OR '.join(missing)}) AS rows_with_missing")
    cursor = run(f"SELECT {', '.join(parts)} FROM (SELECT {', '.join(inner)} FROM {source}) AS picked")
    row = dict(zip([d.name for d in cursor.description], cursor.fetchone()))
    columns = {name: {} for name in kinds}
    names = list(kinds)
    for key, value in row.items():
        stat, _, i = key.rpartition("_")
        if stat and i.isdigit():
            columns[names[int(i)]][stat] = value
    return {"rows": int(row["rows"]), "rows_with_missing": int(row["rows_with_missing"]), "columns": columns}


def _numbers(run, source: str, name: str, rows: int, overall: dict) -> dict:
    o = overall["columns"][name]
    nan, pinf, ninf = int(o["nan"]), int(o["pinf"]), int(o["ninf"])
    count = int(o["n"]) - nan
    finite_count = count - pinf - ninf
    x = _x(name)
    groups, top = _groups(run, source, x, _finite(x), numeric=True, text=False)
    stats = {"count": count, "missing": rows - count, "infinite": pinf + ninf, "zeros": int(o["zero"]),
             "distinct": groups + (ninf > 0) + (pinf > 0)}
    if finite_count == 0:
        return stats
    mean = float(o["mean"])
    var = o["var"]
    constant = finite_count < 3 or var is None or var <= 1e-14 * max(mean * mean, 1e-300)
    listed = ", ".join(repr(q) for q in QUANTILES.values())
    quantiles, m3 = run(
        f"SELECT percentile_cont(ARRAY[{listed}]::float8[]) WITHIN GROUP (ORDER BY v), "
        f"avg((v - {mean!r}) * (v - {mean!r}) * (v - {mean!r})) "
        f"FROM (SELECT {x} AS v FROM {source}) AS picked WHERE {_finite('v')}"
    ).fetchone()
    skew = None
    if not constant:     # the adjusted Fisher-Pearson coefficient, as pandas (and DuckDB's skewness) compute it
        n = finite_count
        skew = float(np.sqrt(n * (n - 1)) / (n - 2) * float(m3) / float(var) ** 1.5)
    stats.update(
        min=float(o["lo"]), max=float(o["hi"]), mean=mean,
        std=float(o["std"]) if finite_count > 1 else None,
        skew=skew,
        quantiles={label: float(v) for label, v in zip(QUANTILES, quantiles)},
        top=top if top and top[0].count >= 2 else (),
    )
    return stats


def _times(run, source: str, name: str, rows: int, overall: dict) -> dict:
    o = overall["columns"][name]
    count = int(o["n"])
    distinct = run(f"SELECT count(DISTINCT {quote(name)}) FROM {source}").fetchone()[0]
    stats = {"count": count, "missing": rows - count, "distinct": int(distinct)}
    if count:
        stats.update(min=iso(int(o["lo"])), max=iso(int(o["hi"])))
    return stats


def _order(value: str, text: bool) -> str:
    return f'{value} COLLATE "C"' if text else value


def _labels(run, source: str, name: str, rows: int, count_numbers: bool, pg_type: str | None) -> dict:
    q = quote(name)
    text = pg_type in TEXT_TYPES
    count = run(f"SELECT count({q}) FROM {source}").fetchone()[0]
    if count_numbers:
        groups = run(f"SELECT count(DISTINCT {q}) FROM {source}").fetchone()[0]
        if groups <= LABEL_GROUPS:
            counted = run(f"SELECT {q}, count(*) AS n FROM {source} WHERE {q} IS NOT NULL GROUP BY {q} "
                          f"ORDER BY n DESC, {_order(q, text)}").fetchall()
            counts = pd.Series([n for _, n in counted], index=pd.Index([v for v, _ in counted], dtype=object),
                               dtype=np.int64)
            return label_stats(counts, rows - int(count), count_numbers=True)
    groups, top = _groups(run, source, q, f"{q} IS NOT NULL", numeric=False, text=text)
    stats = {"count": int(count), "missing": rows - int(count), "distinct": groups, "top": top}
    if count_numbers and count:      # more distinct values than LABEL_GROUPS: the share that reads as a number
        numeric = run(f"SELECT count(*) FILTER (WHERE trim(CAST({q} AS text)) ~* '{NUMBER_TEXT}') "
                      f"FROM {source}").fetchone()[0]
        stats["numeric_share"] = float(numeric / count)
    return stats


def _groups(run, source: str, value: str, where: str, numeric: bool, text: bool) -> tuple[int, tuple[ValueCount, ...]]:
    """(distinct values, the TOP_K most frequent: count descending, then value ascending) of ``value``."""
    found = run(
        f"SELECT v, n, count(*) OVER () AS groups FROM (SELECT {value} AS v, count(*) AS n FROM {source} "
        f"WHERE {where} GROUP BY v) AS counted ORDER BY n DESC, {_order('v', text)} LIMIT {TOP_K}"
    ).fetchall()
    if not found:
        return 0, ()
    label = number_label if numeric else str
    return int(found[0][2]), tuple(ValueCount(label(v), int(n)) for v, n, _ in found)


def _with_histograms(run, source: str, stats: list[ColumnStats], kinds: dict[str, str], overall: dict) -> list[ColumnStats]:
    """Pass 3, per column: rows per bin (as engine.figures: the arithmetic bin moved by one across an edge;
    times by date_trunc, the bin's left edge)."""
    out = []
    for s in stats:
        o = overall["columns"][s.name]
        if kinds[s.name] == NUMBER and s.min is not None:
            edges = bin_edges(s.min, s.max, bool(o["whole"]), HISTOGRAM_BINS)
            out.append(replace(s, histogram=Histogram(tuple(float(e) for e in edges), _number_bins(run, source, s.name, edges))))
        elif kinds[s.name] == TIME and s.count:
            edges, period = time_edges(int(o["lo"]), int(o["hi"]))
            out.append(replace(s, histogram=Histogram(tuple(iso(e) for e in edges),
                                                      _time_bins(run, source, s.name, edges, period), period)))
        else:
            out.append(s)
    return out


def _number_bins(run, source: str, name: str, edges: np.ndarray) -> tuple[int, ...]:
    bins = len(edges) - 1
    listed = "(ARRAY[" + ", ".join(repr(float(e)) for e in edges) + "]::float8[])"
    low, width = float(edges[0]), float(edges[1] - edges[0])
    rows = run(
        f"SELECT least(greatest(b + CAST(v >= {listed}[b + 2] AS int4) - CAST(v < {listed}[b + 1] AS int4), 0), "
        f"{bins - 1}) AS bin, count(*) FROM (SELECT v, least(greatest(CAST(floor((v - {low!r}::float8) / {width!r}::float8) "
        f"AS int4), 0), {bins - 1}) AS b FROM (SELECT {_x(name)} AS v FROM {source}) AS picked WHERE {_finite('v')}) "
        f"AS binned GROUP BY bin"
    ).fetchall()
    counts = np.zeros(bins, dtype=np.int64)
    for b, n in rows:
        counts[int(b)] += int(n)
    return tuple(int(c) for c in counts)


def _time_bins(run, source: str, name: str, edges: np.ndarray, period: str) -> tuple[int, ...]:
    q = quote(name)
    rows = run(
        f"SELECT CAST(extract(epoch FROM date_trunc('{period}', CAST({q} AS timestamp))) * 1000000000 AS int8) AS start, "
        f"count(*) FROM {source} WHERE {q} IS NOT NULL GROUP BY start"
    ).fetchall()
    position = {int(e): i for i, e in enumerate(edges[:-1])}
    counts = np.zeros(len(edges) - 1, dtype=np.int64)
    for start, n in rows:
        counts[position[int(start)]] += int(n)
    return tuple(int(c) for c in counts)
