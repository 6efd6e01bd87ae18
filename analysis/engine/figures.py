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

import shutil
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.column_types import CATEGORICAL
from analysis.engine.connection import EngineSettings, connect, literal, parquet_source, quote
from analysis.profile.column_stats import (
    HISTOGRAM_BINS, QUANTILES, TOP_K, ColumnStats, Histogram, ValueCount, bin_edges, iso, label_stats, number_label,
    time_edges,
)

LABEL_GROUPS = 100_000   # a categorical column with at most this many distinct values has them all counted exactly
NUMBER, TIME, LABEL = "number", "time", "label"
NUMBER_TYPES = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT",
                "UHUGEINT", "FLOAT", "DOUBLE", "DECIMAL"}
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
    """Exact figures of every column of the Parquet file (or CSV file, .csv or .csv.gz, read by DuckDB's CSV
    reader) at ``path`` (see the module docstring)."""
    start = time.perf_counter()
    source = file_source(path)
    con = connect(settings)
    converted = None
    try:
        if not source.startswith("read_parquet"):   # text is parsed once: into a Parquet file the queries then read
            converted = Path(tempfile.mkdtemp(prefix="blueprint-engine-")) / "data.parquet"
            con.execute(f"COPY (SELECT * FROM {source}) TO {literal(str(converted))} (FORMAT parquet)")
            source = parquet_source(converted)
        schema = con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()
        types = {row[0]: row[1] for row in schema}
        kinds = {name: _kind(t) for name, t in types.items()}
        overall = _overall(con, source, kinds)
        rows = overall["rows"]
        stats = []
        for name, kind in kinds.items():
            base = {"name": name, "type": column_types[name], "memory_bytes": 0}
            if kind == NUMBER:
                stats.append(ColumnStats(**base, **_numbers(con, source, name, rows, overall)))
            elif kind == TIME:
                stats.append(ColumnStats(**base, **_times(con, source, name, rows, overall)))
            else:
                stats.append(ColumnStats(**base, **_labels(con, source, name, rows, column_types[name] == CATEGORICAL
                                                           and types[name] != "BOOLEAN")))
        stats = _with_histograms(con, source, stats, kinds, overall)
        stats = [replace(c, memory_bytes=_memory(types[c.name], column_types[c.name], c, overall["columns"][c.name]))
                 for c in stats]
        hashed = ", ".join(quote(name) for name in kinds)
        distinct_rows = con.execute(f"SELECT count(DISTINCT hash({hashed})) FROM {source}").fetchone()[0]
    finally:
        con.close()
        if converted is not None:
            shutil.rmtree(converted.parent, ignore_errors=True)
    return FileFigures(rows, tuple(stats), rows - int(distinct_rows), overall["rows_with_missing"],
                       Path(path).stat().st_size, time.perf_counter() - start)


def file_source(path: str | Path) -> str:
    """The FROM clause reading the file at ``path``: Parquet, or CSV (.csv, .csv.gz: DuckDB finds the dialect)."""
    name = str(path).lower()
    if name.endswith((".csv", ".csv.gz", ".tsv", ".txt")):
        return f"read_csv({literal(str(path))}, header = true)"
    return parquet_source(path)


def _kind(duckdb_type: str) -> str:
    """number, time or label for a DuckDB column type (booleans and text are labels)."""
    base = duckdb_type.split("(")[0].upper()
    if base in NUMBER_TYPES:
        return NUMBER
    if base.startswith(("TIMESTAMP", "DATE")):
        return TIME
    return LABEL


def _x(name: str) -> str:
    """A number column as DOUBLE (as the in-memory path sorts float64 values)."""
    return f"CAST({quote(name)} AS DOUBLE)"


def _overall(con, source: str, kinds: dict[str, str]) -> dict:
    """Query 1: one pass over every column (numbers' finite values picked once, in a subquery)."""
    parts, missing, inner = ["count(*) AS rows"], [], []
    for i, (name, kind) in enumerate(kinds.items()):
        q = quote(name)
        inner.append(f"{q} AS c_{i}")
        c = f"c_{i}"
        parts.append(f"count({c}) AS n_{i}")
        if kind == NUMBER:
            x = f"CAST({q} AS DOUBLE)"
            inner.append(f"CASE WHEN isfinite({x}) THEN {x} END AS f_{i}")
            inner.append(f"{x} AS x_{i}")
            f = f"f_{i}"
            parts += [f"count_if(isnan(x_{i})) AS nan_{i}", f"count_if(x_{i} = 'inf'::DOUBLE) AS pinf_{i}",
                      f"count_if(x_{i} = '-inf'::DOUBLE) AS ninf_{i}", f"count_if({f} = 0) AS zero_{i}",
                      f"min({f}) AS lo_{i}", f"max({f}) AS hi_{i}", f"avg({f}) AS mean_{i}",
                      f"stddev_samp({f}) AS std_{i}", f"var_pop({f}) AS var_{i}", f"skewness({f}) AS skew_{i}",
                      f"bool_and({f} = trunc({f})) AS whole_{i}"]
            missing.append(f"{c} IS NULL OR isnan(x_{i})")
        else:
            missing.append(f"{c} IS NULL")
        if kind == TIME:
            parts += [f"epoch_ns(min({c})) AS lo_{i}", f"epoch_ns(max({c})) AS hi_{i}"]
        if kind == LABEL:
            parts.append(f"sum(strlen(CAST({c} AS VARCHAR))) AS chars_{i}")
    parts.append(f"count_if({' OR '.join(missing)}) AS rows_with_missing")
    source = f"(SELECT {', '.join(inner)} FROM {source})"
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
    """Query 3, per column: rows per bin, grouped by bin. Numbers: the bin found by arithmetic, then moved by one
    where a value falls on the other side of an edge (edges as the in-memory path computes them, so a value sits in
    the same bin: edge[i] <= value < edge[i + 1], the last bin closed). Times: the period start (date_trunc),
    which is exactly the bin's left edge."""
    out = []
    for s in stats:
        o = overall["columns"][s.name]
        if kinds[s.name] == NUMBER and s.min is not None:
            edges = bin_edges(s.min, s.max, bool(o["whole"]), HISTOGRAM_BINS)
            counts = _number_bins(con, source, s.name, edges)
            out.append(replace(s, histogram=Histogram(tuple(float(e) for e in edges), counts)))
        elif kinds[s.name] == TIME and s.count:
            edges, period = time_edges(int(o["lo"]), int(o["hi"]))
            counts = _time_bins(con, source, s.name, edges, period)
            out.append(replace(s, histogram=Histogram(tuple(iso(e) for e in edges), counts, period)))
        else:
            out.append(s)
    return out


def _number_bins(con, source: str, name: str, edges: np.ndarray) -> tuple[int, ...]:
    bins = len(edges) - 1
    listed = "(CAST([" + ", ".join(repr(float(e)) for e in edges) + "] AS DOUBLE[]))"
    low, width = float(edges[0]), float(edges[1] - edges[0])
    x = _x(name)
    rows = con.execute(
        f"SELECT least(greatest(b + CAST(v >= {listed}[b + 2] AS INTEGER) - CAST(v < {listed}[b + 1] AS INTEGER), 0), "
        f"{bins - 1}) AS bin, count(*) FROM (SELECT v, least(greatest(CAST(floor((v - {low!r}) / {width!r}) AS INTEGER), 0), "
        f"{bins - 1}) AS b FROM (SELECT {x} AS v FROM {source}) WHERE isfinite(v)) GROUP BY bin"
    ).fetchall()
    counts = np.zeros(bins, dtype=np.int64)
    for b, n in rows:
        counts[int(b)] += int(n)
    return tuple(int(c) for c in counts)


def _time_bins(con, source: str, name: str, edges: np.ndarray, period: str) -> tuple[int, ...]:
    rows = con.execute(
        f"SELECT epoch_ns(date_trunc('{period}', CAST({quote(name)} AS TIMESTAMP))) AS start, count(*) "
        f"FROM {source} WHERE {quote(name)} IS NOT NULL GROUP BY start"
    ).fetchall()
    position = {int(e): i for i, e in enumerate(edges[:-1])}
    counts = np.zeros(len(edges) - 1, dtype=np.int64)
    for start, n in rows:
        counts[position[int(start)]] += int(n)
    return tuple(int(c) for c in counts)


def _memory(duckdb_type: str, column_type: str, stats: ColumnStats, o: dict) -> int:
    """Estimated bytes of the column in pandas, as the reader keeps it (deep, counting strings): 8 per number or
    time, 1 per boolean (2 with a missing value), text as one str object per value (OBJECT_BYTES plus its
    characters), categorical text as codes plus its distinct values."""
    rows = stats.rows
    if duckdb_type == "BOOLEAN":
        return rows * (2 if stats.missing else 1)
    if _kind(duckdb_type) != LABEL:
        return rows * 8
    chars = int(o.get("chars") or 0)
    if column_type == CATEGORICAL:
        code_bytes = 1 if stats.distinct < 2**7 else 2 if stats.distinct < 2**15 else 4
        per_value = chars / stats.count if stats.count else 0
        return int(rows * code_bytes + stats.distinct * (OBJECT_BYTES + 8 + per_value))
    return rows * 8 + stats.count * OBJECT_BYTES + chars
