"""Profile a dataset: overview, column statistics, missing values, correlations, alerts and target views.

    profile = describe_dataset(table.frame, table.column_types, target="churned")
    profile.overview.rows, profile.column("age").histogram, profile.alerts
    stored = json.dumps(profile.to_dict()); again = Profile.from_dict(json.loads(stored))

Exact over all rows: the overview (rows, memory, duplicate rows, missing cells), every column statistic
(counts, missing, distinct, min/max, mean/std/skew, quantiles, zeros, infinities, top values, histograms),
the missing share per column and the class counts of a target. Above ``sample_rows`` rows, the views that
relate columns to each other use a sample instead: correlations, missing-value patterns, features by class
and correlations with a numeric target. The sample is uniform, or stratified by class for a classification
target (each class keeps its share, and at least MIN_CLASS_ROWS rows or all it has); the Profile says so.

A stored dataset (a Parquet file) is profiled by describe_file: up to ``sample_rows`` rows it is read whole and
described as above; above that, the exact figures come from the data engine's queries on the file
(analysis.engine.figures: the rows are never all loaded) and the sampled views from rows the engine draws (the same
rows, for the same seed, as the sample of the whole frame). The Profile says which engine computed what.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from analysis.column_types import COLUMN_TYPES, infer_column_types
from analysis.correlations import Correlations, correlate
from analysis.engine.sample import MIN_CLASS_ROWS as MIN_CLASS_ROWS  # re-exported: the docstring names it
from analysis.engine.sample import draw_sample, sample_positions
from analysis.profile.alerts import Alert, find_alerts
from analysis.profile.column_stats import ColumnStats, describe_column
from analysis.profile.missing import MissingPattern, describe_missing, missing_pattern
from analysis.reading.read import table_from_source
from analysis.serialize import from_versioned, to_versioned
from analysis.target import REGRESSION, TargetView, check_target, describe_target

# Measured on the 1,000,000 x 20 file of bench/profile.py: the sampled views take 0.55 s of CPU on 100,000 rows
# (0.25 s on 50,000, 1.2 s on 200,000, 8.8 s and 2.7x the memory on all rows), and their correlations stay within
# 0.01 of the all-rows values (0.015 on 25,000, 0.005 on 200,000): twice the rows buy a third decimal nobody reads.
DEFAULT_SAMPLE_ROWS = 100_000
HASH_ROWS = 1 << 17             # rows hashed per step when looking for duplicates (bounds the memory it takes)
PROFILE_FORMAT = 3              # version of to_dict()'s layout and rules (2: associations need 30 pairs,
                                # V bias-corrected; 3: exact_engine and source_bytes; a format 2 profile reads as
                                # computed by pandas)
PANDAS, DUCKDB, POSTGRESQL = "pandas", "duckdb", "postgresql"


@dataclass(frozen=True)
class Overview:
    """The dataset at a glance (exact).

    rows, columns: shape of the frame.
    memory_bytes: memory the frame takes (deep, counting strings).
    duplicate_rows: rows that repeat an earlier row exactly (found by 64-bit row hashes).
    missing_cells: missing values over all cells; missing_share: missing_cells / (rows * columns).
    type_counts: column type -> number of columns of that type.
    """

    rows: int
    columns: int
    memory_bytes: int
    duplicate_rows: int
    missing_cells: int
    missing_share: float
    type_counts: dict[str, int]


@dataclass(frozen=True)
class Profile:
    """Everything describe_dataset found; JSON-ready through to_dict() / from_dict().

    overview: Overview.
    columns: ColumnStats per column, in frame order.
    missing: MissingPattern (per-column shares exact, row patterns on the sample).
    correlations: Correlations (on the sample).
    alerts: Alert tuple, dataset-level first, then by column.
    target: TargetView when a target was chosen, else None.
    sampled: True when the cross-column views used a sample rather than all rows.
    sample_rows: rows those views used (all rows when not sampled).
    sample_method: "all", "uniform" or "stratified" (by the target's classes).
    seed: the random seed of the sample.
    exact_engine: what computed the exact figures: "pandas" (every row in memory), "duckdb" (queries on the stored
        Parquet file, whose rows were never all loaded; overview.memory_bytes is then an estimate) or "postgresql"
        (queries run by a SQL source's own database: describe_sql).
    source_bytes: size of the stored file the engine queried; None when the frame was in memory.
    """

    overview: Overview
    columns: tuple[ColumnStats, ...]
    missing: MissingPattern
    correlations: Correlations
    alerts: tuple[Alert, ...]
    target: TargetView | None
    sampled: bool
    sample_rows: int
    sample_method: str
    seed: int
    exact_engine: str = PANDAS
    source_bytes: int | None = None

    def column(self, name: str) -> ColumnStats:
        """The statistics of column ``name``; KeyError naming the columns when there is none."""
        for stats in self.columns:
            if stats.name == name:
                return stats
        raise KeyError(f"No column '{name}' in this profile; it has {', '.join(s.name for s in self.columns)}.")

    def to_dict(self) -> dict:
        """Plain dicts, lists and JSON scalars (no NaN), tagged with PROFILE_FORMAT."""
        return to_versioned(self, PROFILE_FORMAT)

    @classmethod
    def from_dict(cls, data: dict) -> Profile:
        """Rebuild a Profile from to_dict() output; ValueError when it was written in another format (format 2, the
        layout before exact_engine and source_bytes, reads as a profile computed in memory)."""
        if data.get("format") == 2:
            data = {**data, "format": PROFILE_FORMAT}
        return from_versioned(cls, data, PROFILE_FORMAT, "profile", "Profile the dataset again.")


def describe_dataset(
    frame: pd.DataFrame,
    column_types: dict[str, str] | None = None,
    *,
    target: str | None = None,
    sample_rows: int = DEFAULT_SAMPLE_ROWS,
    random_state: int = 0,
) -> Profile:
    """Profile ``frame`` (see the module docstring for what is exact and what is sampled).

    column_types: column -> type, as Table.column_types gives it; None infers them.
    target: the column to predict, or None; checked with check_target (TargetError when unusable).
    sample_rows: row limit above which the cross-column views use a sample of this many rows.
    random_state: seed of that sample.
    """
    frame, column_types = _check_inputs(frame, column_types, sample_rows)
    target = None if target is None else str(target)
    task = check_target(frame, target, column_types) if target is not None else None
    sample, method = _sample(frame, target if task not in (None, REGRESSION) else None, sample_rows, random_state)
    columns = tuple(describe_column(frame[c], column_types[c]) for c in frame.columns)
    overview = _overview(frame, columns)
    correlations = correlate(sample, column_types)
    target_view = None
    if target is not None:
        target_stats = columns[frame.columns.get_loc(target)]
        target_view = describe_target(frame, sample, target, task, column_types, target_stats.histogram)
    return Profile(
        overview=overview,
        columns=columns,
        missing=describe_missing(frame, sample, {s.name: s.missing for s in columns}),
        correlations=correlations,
        alerts=find_alerts(overview.rows, overview.duplicate_rows, columns, correlations, target_view),
        target=target_view,
        sampled=method != "all",
        sample_rows=len(sample),
        sample_method=method,
        seed=random_state,
    )


def _check_inputs(frame, column_types, sample_rows) -> tuple[pd.DataFrame, dict[str, str]]:
    """The frame with text column labels (a shallow copy when some were not text) and its column types, checked."""
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"describe_dataset needs a pandas DataFrame, got {type(frame).__name__}.")
    if frame.shape[1] == 0 or len(frame) == 0:
        raise ValueError(f"The dataset has {len(frame)} rows and {frame.shape[1]} columns; "
                         "a profile needs at least one of each.")
    if isinstance(sample_rows, bool) or not isinstance(sample_rows, (int, np.integer)) or sample_rows < 1:
        raise ValueError(f"sample_rows == {sample_rows!r}, must be an integer >= 1.")
    if not all(isinstance(c, str) for c in frame.columns):
        frame = frame.copy(deep=False)
        frame.columns = [str(c) for c in frame.columns]
    if not frame.columns.is_unique:
        repeated = sorted(set(frame.columns[frame.columns.duplicated()]))
        raise ValueError(f"Column names must be unique; repeated: {', '.join(repeated)}. Rename them first.")
    if column_types is None:
        return frame, infer_column_types(frame)
    column_types = {str(c): t for c, t in column_types.items()}
    missing = [c for c in frame.columns if c not in column_types]
    if missing:
        raise ValueError(f"column_types has no type for {', '.join(missing)}; pass infer_column_types(frame).")
    unknown = {c: column_types[c] for c in frame.columns if column_types[c] not in COLUMN_TYPES}
    if unknown:
        raise ValueError(f"Unknown column types {unknown}; each must be one of {', '.join(COLUMN_TYPES)}.")
    return frame, {c: column_types[c] for c in frame.columns}


def _sample(frame: pd.DataFrame, strata: str | None, size: int, seed: int) -> tuple[pd.DataFrame, str]:
    """All rows when there are at most ``size``; else a uniform sample, or one stratified by column ``strata``
    (analysis.engine.sample.sample_positions, which the engine uses for stored files too)."""
    positions, method = sample_positions(len(frame), size, seed, None if strata is None else frame[strata])
    return (frame if positions is None else frame.take(positions)), method


def describe_file(
    path: str | Path,
    column_types: dict[str, str],
    *,
    target: str | None = None,
    sample_rows: int = DEFAULT_SAMPLE_ROWS,
    random_state: int = 0,
    engine_settings=None,
    use_engine: bool | None = None,
) -> Profile:
    """Profile the Parquet file at ``path`` (a stored dataset): read whole and describe_dataset when it has at most
    ``sample_rows`` rows; else exact figures by the data engine and the sampled views on rows it draws.

    column_types: column -> type, as stored with the dataset. engine_settings: analysis.engine EngineSettings.
    use_engine: True or False forces one way (tests compare them); None decides by the row count.
    """
    from analysis.engine.figures import file_figures  # noqa: PLC0415 (DuckDB: loaded by a profile job only)

    rows = pq.ParquetFile(path).metadata.num_rows
    if not (use_engine if use_engine is not None else rows > sample_rows):
        return describe_dataset(pd.read_parquet(path), column_types, target=target, sample_rows=sample_rows,
                                random_state=random_state)
    names = pq.read_schema(path).names
    header, column_types = _check_inputs(pd.DataFrame({c: [0] for c in names}), column_types, sample_rows)
    target = None if target is None else str(target)
    task, target_frame = None, None
    if target is not None:
        target_frame = pd.read_parquet(path, columns=[target]) if target in names else header
        task = check_target(target_frame, target, column_types)
    figures = file_figures(path, column_types, engine_settings)
    sample, method = draw_sample(path, sample_rows, random_state, target if task not in (None, REGRESSION) else None)
    return _from_figures(figures, names, column_types, target, task, target_frame, sample, method, random_state,
                         DUCKDB, figures.file_bytes)


def describe_sql(conn, query: str, pg_types: dict[str, str | None], column_types: dict[str, str], rows: int, *,
                 target: str | None = None, sample_rows: int = DEFAULT_SAMPLE_ROWS, random_state: int = 0) -> Profile:
    """Profile what ``query`` returns from a SQL source (``rows`` rows), inside its open read-only connection
    ``conn``: the exact figures computed by the database (analysis.engine.pushdown), the target's classes counted
    there too, and the sampled views on ``sample_rows`` rows it draws (seeded; stratified by a classification
    target). Only the sample's rows and aggregates leave the database."""
    from analysis.engine.pushdown import sql_figures  # noqa: PLC0415 (DuckDB: loaded by a profile job only)

    # imported here: psycopg: loaded for a SQL source only
    from analysis.sources.postgres import class_counts, fetch_sample  # noqa: PLC0415

    names = list(pg_types)
    header, column_types = _check_inputs(pd.DataFrame({c: [0] for c in names}), column_types, sample_rows)
    target = None if target is None else str(target)
    task, target_frame = None, None
    if target is not None:
        target_frame = class_counts(conn, query, target, pg_types) if target in names else header
        task = check_target(target_frame, target, column_types)
    figures = sql_figures(conn, query, pg_types, column_types)
    columns, method = fetch_sample(conn, query, sample_rows, random_state, pg_types, rows,
                                   target if task not in (None, REGRESSION) else None)

    sample = table_from_source(names, columns, "").frame
    return _from_figures(figures, names, column_types, target, task, target_frame, sample, method, random_state,
                         POSTGRESQL, None)


def _from_figures(figures, names, column_types, target, task, target_frame, sample, method, random_state, engine,
                  source_bytes) -> Profile:
    """A Profile from an engine's exact figures and the sample it drew."""
    columns = figures.columns
    missing_cells = sum(s.missing for s in columns)
    overview = Overview(
        rows=figures.rows, columns=len(names), memory_bytes=sum(s.memory_bytes for s in columns),
        duplicate_rows=figures.duplicate_rows, missing_cells=missing_cells,
        missing_share=missing_cells / (figures.rows * len(names)), type_counts=dict(Counter(s.type for s in columns)),
    )
    correlations = correlate(sample, column_types)
    target_view = None
    if target is not None:
        histogram = columns[names.index(target)].histogram
        target_view = describe_target(target_frame, sample, target, task, column_types, histogram)
    return Profile(
        overview=overview,
        columns=columns,
        missing=missing_pattern(figures.rows, {s.name: s.missing for s in columns}, figures.rows_with_missing, sample),
        correlations=correlations,
        alerts=find_alerts(overview.rows, overview.duplicate_rows, columns, correlations, target_view),
        target=target_view,
        sampled=method != "all",
        sample_rows=len(sample),
        sample_method=method,
        seed=random_state,
        exact_engine=engine,
        source_bytes=source_bytes,
    )


def _overview(frame: pd.DataFrame, columns: tuple[ColumnStats, ...]) -> Overview:
    rows = len(frame)
    missing = sum(s.missing for s in columns)
    return Overview(
        rows=rows,
        columns=frame.shape[1],
        memory_bytes=sum(s.memory_bytes for s in columns),
        duplicate_rows=count_duplicate_rows(frame),
        missing_cells=missing,
        missing_share=missing / (rows * frame.shape[1]),
        type_counts=dict(Counter(s.type for s in columns)),
    )


def count_duplicate_rows(frame: pd.DataFrame) -> int:
    """Rows equal to an earlier row: 64-bit row hashes (hashed HASH_ROWS rows at a time), sorted, repeats counted."""
    hashes = np.empty(len(frame), dtype=np.uint64)
    for start in range(0, len(frame), HASH_ROWS):
        hashes[start : start + HASH_ROWS] = pd.util.hash_pandas_object(frame.iloc[start : start + HASH_ROWS],
                                                                       index=False)
    hashes.sort()
    return int(np.count_nonzero(hashes[1:] == hashes[:-1]))
