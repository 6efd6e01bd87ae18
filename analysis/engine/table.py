"""A stored Parquet file seen as a table whose rows are never all in memory, for the analyses that need rows.

    table = open_table(path, memory_rows=100_000)   # a DataFrame (read whole) up to memory_rows rows, else a FileTable
    table["age"]                                     # one column, read whole (a pandas Series, RangeIndex)
    table.take([5, 17, 3])                           # those rows (a DataFrame indexed by the positions)
    table.subset(positions)                          # a FileTable of some of the rows (one side of a split)

A FileTable answers the few DataFrame questions the leakage checks, the baselines and the drift check ask of their
data (``columns``, ``len``, ``shape``, ``index``, one column, ``take`` / ``iloc`` by position), so the analyses
run unchanged on it: whatever looks at a whole column does so exactly, one column at a time (target classes,
missing values, distinct counts, row hashes), and the rows that must be in memory together (a sample, example
rows) are read by position, one Parquet row group at a time (analysis.engine.sample.take_rows). The values and
dtypes are those ``pandas.read_parquet`` gives, so an analysis computes the same result either way.
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

PANDAS, FILE = "pandas", "file"   # how an analysis read its data: every row in memory, or a FileTable
CELLS_PER_READ = 1 << 22          # values read at once when taking rows (4M: about 32 MB of numbers)


def file_rows(path: str | Path) -> int:
    """Rows of the Parquet file at ``path`` (from its footer; nothing else is read)."""
    return pq.ParquetFile(path).metadata.num_rows


def open_table(path: str | Path, memory_rows: int, use_engine: bool | None = None) -> pd.DataFrame | FileTable:
    """The Parquet file at ``path``: read whole into pandas when it has at most ``memory_rows`` rows, else a
    FileTable. ``use_engine`` True or False forces one way (tests and benchmarks compare them)."""
    rows = file_rows(path)
    if use_engine if use_engine is not None else rows > memory_rows:
        return FileTable(path)
    return pd.read_parquet(path)


def engine_of(table) -> str:
    """"file" for a FileTable, else "pandas"."""
    return FILE if isinstance(table, FileTable) else PANDAS


def reading_note(table) -> str:
    """' (read from the stored file, never whole)' for a FileTable, else '': for progress messages."""
    return " (read from the stored file, never whole)" if isinstance(table, FileTable) else ""


class FileTable:
    """The rows of a Parquet file (or some of them, in file order: ``positions``), read a column or a few rows at
    a time. Positions given to ``take`` / ``iloc`` count the rows of this table (0 to len - 1), as for a DataFrame
    with a RangeIndex; the frame returned is indexed by them."""

    def __init__(self, path: str | Path, positions: np.ndarray | None = None):
        self.path = Path(path)
        self._file = pq.ParquetFile(self.path)
        self._total = self._file.metadata.num_rows
        self.positions = None if positions is None else np.asarray(positions, dtype=np.int64)
        self.columns = pd.Index(self._file.schema_arrow.names)
        self._last: tuple[str, pd.Series] | None = None      # the column read last (analyses often ask twice)

    # --- what a DataFrame answers ------------------------------------------------------------------------------
    def __len__(self) -> int:
        return self._total if self.positions is None else len(self.positions)

    @property
    def shape(self) -> tuple[int, int]:
        return len(self), len(self.columns)

    @property
    def index(self) -> pd.RangeIndex:
        return pd.RangeIndex(len(self))

    @property
    def total_rows(self) -> int:
        """Rows of the whole file (a subset has fewer)."""
        return self._total

    def __contains__(self, name) -> bool:
        return name in self.columns

    def __getitem__(self, name: str) -> pd.Series:
        """Column ``name``, whole (for this table's rows), as pandas.read_parquet gives it, with a RangeIndex."""
        if not isinstance(name, str):
            raise TypeError(f"A FileTable gives one column by its name, not {type(name).__name__}; "
                            "use take() for rows.")
        if name not in self.columns:
            raise KeyError(name)
        if self._last is not None and self._last[0] == name:
            return self._last[1]
        series = pd.read_parquet(self.path, columns=[name])[name]
        if self.positions is not None:
            series = series.take(self.positions).reset_index(drop=True)
        self._last = (name, series)
        return series

    def take(self, positions: Sequence[int] | np.ndarray) -> pd.DataFrame:
        """The rows at ``positions`` (any order, repeats allowed), all columns, indexed by the positions."""
        positions = np.asarray(positions, dtype=np.int64).reshape(-1)
        if len(positions) and (positions.min() < 0 or positions.max() >= len(self)):
            raise IndexError(f"Row positions must be between 0 and {len(self) - 1}.")
        if len(positions) == 0:
            frame = self._file.schema_arrow.empty_table().to_pandas()
            return frame.set_axis(pd.Index(positions), axis=0)
        rows = positions if self.positions is None else self.positions[positions]
        unique, inverse = np.unique(rows, return_inverse=True)
        frame = take_sorted(self._file, unique)
        if len(unique) != len(rows) or not np.array_equal(unique, rows):
            frame = frame.iloc[inverse]
        return frame.set_axis(pd.Index(positions), axis=0)

    @property
    def iloc(self) -> _Positions:
        return _Positions(self)

    # --- beyond a DataFrame ----------------------------------------------------------------------------------
    def subset(self, positions: np.ndarray) -> FileTable:
        """A FileTable of the rows at ``positions`` of this one (sorted: file order is kept)."""
        positions = np.asarray(positions, dtype=np.int64)
        return FileTable(self.path, positions if self.positions is None else self.positions[positions])

    def __repr__(self) -> str:
        part = "" if self.positions is None else f", {len(self):,} of its rows"
        return f"FileTable({str(self.path)!r}{part}: {self._total:,} rows × {len(self.columns)} columns)"


def take_sorted(file: pq.ParquetFile, positions: np.ndarray) -> pd.DataFrame:
    """The rows at sorted, distinct ``positions`` of a Parquet file, indexed 0..n-1: only the row groups holding
    some are read, each a few columns at a time (CELLS_PER_READ), and only the rows asked for are kept."""
    schema = file.schema_arrow
    names = schema.names
    parts, start = [], 0
    for group in range(file.num_row_groups):
        rows = file.metadata.row_group(group).num_rows
        lo, hi = np.searchsorted(positions, [start, start + rows])
        if hi > lo:
            index = pa.array(positions[lo:hi] - start)
            step = max(1, CELLS_PER_READ // max(rows, 1))
            columns = []
            for first in range(0, len(names), step):
                columns.extend(file.read_row_group(group, columns=names[first:first + step]).take(index).columns)
            parts.append(pa.Table.from_arrays(columns, schema=schema))
        start += rows
    return pa.concat_tables(parts).to_pandas()


class _Positions:
    """``table.iloc[positions]`` or ``table.iloc[start:stop]``: rows by position, as a DataFrame."""

    def __init__(self, table: FileTable):
        self.table = table

    def __getitem__(self, key) -> pd.DataFrame:
        if isinstance(key, slice):
            key = np.arange(len(self.table))[key]
        return self.table.take(key)
