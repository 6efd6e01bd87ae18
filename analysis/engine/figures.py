"""Exact figures of a Parquet file by DuckDB queries, never loading its rows into Python.

    figures = file_figures(path, column_types)     # FileFigures: rows, ColumnStats per column, duplicates, ...

The figures are those of analysis.profile.column_stats (same fields, same rules), so a profile reads the same
whichever way it was computed. Queries, each a scan of the columns it needs:
  1. one pass over every column: counts, missing, NaN / infinite / zero counts, min / max / mean / std / skew of
     the finite values, whether they are whole, string lengths (for the memory estimate), rows missing anything;
  2. per number column: the quantiles of its finite values (quantile_cont: linear interpolation, as numpy);
  3. one pass: histogram counts, as values >= each bin edge (the edges computed as the in-memory path does);
  4. per column: its distinct values grouped and counted (distinct count, top values; for a categorical column
     with at most LABEL_GROUPS distinct values, all of them, so the share that reads as numbers is exact);
  5. duplicate rows: rows minus distinct 64-bit row hashes.
Only ``memory_bytes`` is an estimate: the memory the column would take in pandas (the rows are never loaded).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from analysis.column_types import CATEGORICAL
from analysis.engine.connection import EngineSettings, connect, parquet_source, quote
from analysis.profile.column_stats import (
    HISTOGRAM_BINS, QUANTILES, TOP_K, ColumnStats, Histogram, ValueCount, bin_edges, iso, label_stats, number_label,
    time_edges,
)

LABEL_GROUPS = 100_000   # a categorical column with at most this many distinct values has them all counted exactly
NUMBER, TIME, LABEL = "number", "time", "label"
OBJECT_BYTES = 49        # sys.getsizeof("") in CPython: a pandas object column holds one str object per value


@dataclass(frozen=True)
class FileFigures:
    """What file_figures found (all exact but memory_bytes).

    rows: rows in the file. columns: ColumnStats per column, in file order.
    duplicate_rows: rows whose 64-bit hash of all values repeats an earlier row's.
    rows_with_missing: rows with at least one missing value.
    file_bytes: size of the Parquet file. seconds: time the queries took.
    """

    rows: int
    columns: tuple[ColumnStats, ...]
    duplicate_rows: int
    rows_with_missing: int
    file_bytes: int
    seconds: float


def file_figures(path: str | Path, column_types: dict[str, str], settings: EngineSettings | None = None) -> FileFigures:
    """Exact figures of every column of the Parquet file at ``path`` (see the module docstring)."""
    start = time.perf_counter()
    schema = pq.read_schema(path)
    kinds = {f.name: _kind(f.type) for f in schema}
    source = parquet_source(path)
    con = connect(settings)
    try:
        overall = _overall(con, source, kinds)
        rows = overall["rows"]
        stats = []
        for field in schema:
            name, kind = field.name, kinds[field.name]
            base = {"name": name, "type": column_types[name], "memory_bytes": 0}
            if kind == NUMBER:
                stats.append(ColumnStats(**base, **_numbers(con, source, name, rows, overall)))
            elif kind == TIME:
                stats.append(ColumnStats(**base, **_times(con, source, name, rows, overall)))
            else:
                stats.append(ColumnStats(**base, **_labels(con, source, name, rows, column_types[name] == CATEGORICAL
                                                           and not pa.types.is_boolean(field.type))))
        stats = _with_histograms(con, source, stats, kinds, overall)
        stats = [replace(c, memory_bytes=_memory(f.type, c, overall["columns"][c.name])) for f, c in zip(schema, stats)]
        hashed = ", ".join(quote(f.name) for f in schema)
        distinct_rows = con.execute(f"SELECT count(DISTINCT hash({hashed})) FROM {source}").fetchone()[0]
    finally:
        con.close()
    return FileFigures(rows, tuple(stats), rows - int(distinct_rows), overall["rows_with_missing"],
                       Path(path).stat().st_size, time.perf_counter() - start)


def _kind(arrow_type: pa.DataType) -> str:
    if pa.types.is_dictionary(arrow_type):
        return LABEL
    if pa.types.is_integer(arrow_type) or pa.types.is_floating(arrow_type) or pa.types.is_decimal(arrow_type):
        return NUMBER
    if pa.types.is_timestamp(arrow_type) or pa.types.is_date(arrow_type):
        return TIME
    return LABEL


def _x(name: str) -> str:
    """A number column as DOUBLE (as the in-memory path sorts float64 values)."""
    return f"CAST({quote(name)} AS DOUBLE)"


def _overall(con, source: str, kinds: dict[str, str]) -> dict:
    """Query 1: one pass over every column."""
    parts, missing = ["count(*) AS rows"], []
    for i, (name, kind) in enumerate(kinds.items()):
        q = quote(name)
        parts.append(f"count({q}) AS n_{i}")
        if kind == NUMBER:
            x, finite = _x(name), f"isfinite({_x(name)})"
            parts += [f"count_if(isnan({x})) AS nan_{i}", f"count_if({x} = 'inf'::DOUBLE) AS pinf_{i}",
                      f"count_if({x} = '-inf'::DOUBLE) AS ninf_{i}", f"count_if({x} = 0) AS zero_{i}",
                      f"min({x}) FILTER (WHERE {finite}) AS lo_{i}", f"max({x}) FILTER (WHERE {finite}) AS hi_{i}",
                      f"avg({x}) FILTER (WHERE {finite}) AS mean_{i}",
                      f"stddev_samp({x}) FILTER (WHERE {finite}) AS std_{i}",
                      f"var_pop({x}) FILTER (WHERE {finite}) AS var_{i}",
                      f"skewness({x}) FILTER (WHERE {finite}) AS skew_{i}",
                      f"bool_and({x} = trunc({x})) FILTER (WHERE {finite}) AS whole_{i}"]
            missing.append(f"{q} IS NULL OR isnan({x})")
        else:
            missing.append(f"{q} IS NULL")
        if kind == TIME:
            parts += [f"epoch_ns(min({q})) AS lo_{i}", f"epoch_ns(max({q})) AS hi_{i}"]
        if kind == LABEL:
            parts.append(f"sum(strlen(CAST({q} AS VARCHAR))) AS chars_{i}")
    parts.append(f"count_if({' OR '.join(missing)}) AS rows_with_missing")
    cursor = con.execute(f"SELECT {', '.join(parts)} FROM {source}")
    row = dict(zip([d[0] for d in cursor.description], cursor.fetchone()))
    columns = {name: {} for name in kinds}
    names = list(kinds)
    for key, value in row.items():
        stat, _, i = key.rpartition("_")
        if stat and i.isdigit():
            columns[names[int(i)]][stat] = value
    return {"rows": int(row["rows"]), "rows_with_missing": int(row["rows_with_missing"]), "columns": columns}


def _numbers(con, source: str, name: str, rows: int, overall: dict) -> dict:
    o = overall["columns"][name]
    nan, pinf, ninf = int(o["nan"]), int(o["pinf"]), int(o["ninf"])
    count = int(o["n"]) - nan
    finite_count = count - pinf - ninf
    x = _x(name)
    groups, top = _groups(con, source, x, f"isfinite({x})", numeric=True)
    stats = {"count": count, "missing": rows - count, "infinite": pinf + ninf, "zeros": int(o["zero"]),
             "distinct": groups + (ninf > 0) + (pinf > 0)}
    if finite_count == 0:
        return stats
    mean = float(o["mean"])
    var = o["var"]
    constant = finite_count < 3 or var is None or var <= 1e-14 * max(mean * mean, 1e-300)
    quantiles = con.execute(
        f"SELECT quantile_cont({x}, [{', '.join(repr(q) for q in QUANTILES.values())}]) FROM {source} WHERE isfinite({x})"
    ).fetchone()[0]
    stats.update(
        min=float(o["lo"]), max=float(o["hi"]), mean=mean,
        std=float(o["std"]) if finite_count > 1 else None,
        skew=None if constant else float(o["skew"]),
        quantiles={label: float(v) for label, v in zip(QUANTILES, quantiles)},
        top=top if top and top[0].count >= 2 else (),
    )
    return stats


def _times(con, source: str, name: str, rows: int, overall: dict) -> dict:
    o = overall["columns"][name]
    q = quote(name)
    count = int(o["n"])
    distinct = con.execute(f"SELECT count(DISTINCT {q}) FROM {source}").fetchone()[0]
    stats = {"count": count, "missing": rows - count, "distinct": int(distinct)}
    if count:
        stats.update(min=iso(o["lo"]), max=iso(o["hi"]))
    return stats


def _labels(con, source: str, name: str, rows: int, count_numbers: bool) -> dict:
    q = quote(name)
    count = con.execute(f"SELECT count({q}) FROM {source}").fetchone()[0]
    if count_numbers:
        groups = con.execute(f"SELECT count(DISTINCT {q}) FROM {source}").fetchone()[0]
        if groups <= LABEL_GROUPS:
            counted = con.execute(f"SELECT {q}, count(*) AS n FROM {source} WHERE {q} IS NOT NULL GROUP BY {q} "
                                  f"ORDER BY n DESC, {q}").fetchall()
            counts = pd.Series([n for _, n in counted], index=pd.Index([v for v, _ in counted], dtype=object), dtype=np.int64)
            return label_stats(counts, rows - int(count), count_numbers=True)
    groups, top = _groups(con, source, q, f"{q} IS NOT NULL", numeric=False)
    stats = {"count": int(count), "missing": rows - int(count), "distinct": groups, "top": top}
    if count_numbers and count:      # more distinct values than LABEL_GROUPS: the share by DuckDB's number cast
        numeric = con.execute(f"SELECT count_if(TRY_CAST(trim(CAST({q} AS VARCHAR)) AS DOUBLE) IS NOT NULL) "
                              f"FROM {source}").fetchone()[0]
        stats["numeric_share"] = float(numeric / count)
    return stats


def _groups(con, source: str, value: str, where: str, numeric: bool) -> tuple[int, tuple[ValueCount, ...]]:
    """(distinct values, the TOP_K most frequent: count descending, then value ascending) of ``value``."""
    found = con.execute(
        f"SELECT v, n, count(*) OVER () AS groups FROM (SELECT {value} AS v, count(*) AS n FROM {source} WHERE {where} "
        f"GROUP BY v) ORDER BY n DESC, v LIMIT {TOP_K}"
    ).fetchall()
    if not found:
        return 0, ()
    label = number_label if numeric else str
    return int(found[0][2]), tuple(ValueCount(label(v), int(n)) for v, n, _ in found)


def _with_histograms(con, source: str, stats: list[ColumnStats], kinds: dict[str, str], overall: dict) -> list[ColumnStats]:
    """Query 3: every histogram in one pass, counting the values at or above each inner bin edge."""
    plans, parts = {}, []
    for s in stats:
        o = overall["columns"][s.name]
        if kinds[s.name] == NUMBER and s.min is not None:
            edges = bin_edges(s.min, s.max, bool(o["whole"]), HISTOGRAM_BINS)
            value, period, total = _x(s.name), None, s.count - s.infinite
            bounds = [repr(float(e)) for e in edges[1:-1]]
            cond = f"isfinite({value}) AND "
        elif kinds[s.name] == TIME and s.count:
            edges, period = time_edges(int(o["lo"]), int(o["hi"]))
            value, total, cond = f"epoch_ns({quote(s.name)})", s.count, ""
            bounds = [str(int(e)) for e in edges[1:-1]]
        else:
            continue
        first = len(parts)
        parts += [f"count(*) FILTER (WHERE {cond}{value} >= {b})" for b in bounds]
        plans[s.name] = (edges, period, total, first, len(bounds))
    if not plans:
        return stats
    at_or_above = con.execute(f"SELECT {', '.join(parts)} FROM {source}").fetchone() if parts else ()
    out = []
    for s in stats:
        if s.name not in plans:
            out.append(s)
            continue
        edges, period, total, first, n = plans[s.name]
        below = [total - int(c) for c in at_or_above[first : first + n]]
        counts = np.diff(np.concatenate(([0], below, [total]))).astype(np.int64)
        shown = tuple(iso(e) for e in edges) if period else tuple(float(e) for e in edges)
        out.append(replace(s, histogram=Histogram(shown, tuple(int(c) for c in counts), period)))
    return out


def _memory(arrow_type: pa.DataType, stats: ColumnStats, o: dict) -> int:
    """Estimated bytes of the column in pandas, as pandas.read_parquet gives it (deep, counting strings): 8 per
    number or time, 1 per boolean (2 with a missing value), text as one str object per value (OBJECT_BYTES plus
    its characters), categorical text as codes plus its distinct values."""
    rows = stats.rows
    if pa.types.is_boolean(arrow_type):
        return rows * (2 if stats.missing else 1)
    if _kind(arrow_type) != LABEL:
        return rows * 8
    chars = int(o.get("chars") or 0)
    if pa.types.is_dictionary(arrow_type):
        code_bytes = 1 if stats.distinct < 2**7 else 2 if stats.distinct < 2**15 else 4
        per_value = chars / stats.count if stats.count else 0
        return int(rows * code_bytes + stats.distinct * (OBJECT_BYTES + 8 + per_value))
    return rows * 8 + stats.count * OBJECT_BYTES + chars
