"""Rows for leakage checks: value hashes of rows (exact, over all rows), the train/test split, a sample.

    hashes = RowHashes(frame, column_types)          # per-column hashes, computed once, combined on demand
    h = hashes.rows(["age", "city"])                 # one uint64 per row; equal rows, equal hashes
    sides = split_rows(frame, split, test_frame, 0)  # positions of train and test rows (or None: no split)

Hashes compare values, not storage: an integer 3 and a float 3.0 hash alike, a Categorical and plain text
with the same words hash alike, and every kind of missing value hashes alike, so a second dataset read on its
own compares with the first. Two different rows share a 64-bit hash with negligible probability.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from pandas.util import hash_array, hash_pandas_object

from analysis.leakage.model import Split

MISSING_HASH = np.uint64(0x9E3779B97F4A7C15)   # the hash of a missing value, whatever its type
_MIX = np.uint64(0x100000001B3)                # FNV-1a 64-bit prime, to combine column hashes
HASH_ROWS = 1 << 18                            # values hashed per step (bounds the temporary memory)


def hash_column(series: pd.Series, kind: str | None = None) -> np.ndarray:
    """One uint64 per value, equal for equal values whatever the dtype (see the module docstring). ``kind`` is
    the column type in the dataset: "numeric" / "boolean" values are compared as numbers and "datetime" values
    as instants (UTC) even when this frame holds them as text."""
    out = np.empty(len(series), dtype=np.uint64)
    for start in range(0, len(series), HASH_ROWS):
        out[start : start + HASH_ROWS] = _hash_part(series.iloc[start : start + HASH_ROWS], kind)
    return out


def _hash_part(series: pd.Series, kind: str | None) -> np.ndarray:
    dtype = series.dtype
    numeric = pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)
    if pd.api.types.is_datetime64_any_dtype(dtype) or (kind == "datetime" and not numeric):
        values = as_dates(series)
        hashed = hash_array(values.view(np.int64))
        missing = np.isnat(values)
    elif numeric or kind in ("numeric", "boolean"):
        if not numeric:
            series = pd.to_numeric(series.astype(object), errors="coerce")
        values = series.to_numpy(dtype=np.float64, na_value=np.nan) + 0.0   # + 0.0 turns -0.0 into 0.0
        missing = np.isnan(values)
        hashed = hash_array(np.where(missing, 0.0, values))
    else:
        hashed = hash_pandas_object(series, index=False, categorize=True).to_numpy()
        missing = series.isna().to_numpy()
    hashed = hashed.copy()
    hashed[missing] = MISSING_HASH
    return hashed


def combine_hashes(columns: list[np.ndarray], rows: int) -> np.ndarray:
    """Row hashes from column hashes (order matters; wraps around in uint64)."""
    out = np.full(rows, 0xCBF29CE484222325, dtype=np.uint64)
    for hashed in columns:
        out ^= hashed
        out *= _MIX
    return out


class RowHashes:
    """Column hashes of one frame, each computed once; ``rows(columns)`` combines them per row.
    ``column_types``: the dataset's column types (for a test dataset, those of the dataset it is compared with).
    On a FileTable (analysis.engine.table: a stored file whose rows are not all in memory) the column hashes that
    ``rows`` combines are not kept (8 bytes a row each): each is computed from its column, read alone, and folded
    into the row hashes at once; only the columns asked for by name (``column``) are kept. The hashes are the same."""

    def __init__(self, frame: pd.DataFrame, column_types: dict[str, str] | None = None):
        self.frame = frame
        self.column_types = column_types or {}
        self._columns: dict[str, np.ndarray] = {}
        self._rows: dict[tuple[str, ...], np.ndarray] = {}
        self._keep = isinstance(frame, pd.DataFrame)

    def column(self, name: str) -> np.ndarray:
        if name not in self._columns:
            self._columns[name] = hash_column(self.frame[name], self.column_types.get(name))
        return self._columns[name]

    def rows(self, columns: list[str]) -> np.ndarray:
        key = tuple(columns)
        if key not in self._rows:
            if self._keep:
                self._rows[key] = combine_hashes([self.column(c) for c in columns], len(self.frame))
            else:
                out = combine_hashes([], len(self.frame))
                for name in columns:
                    hashed = self._columns.get(name)
                    out ^= hash_column(self.frame[name], self.column_types.get(name)) if hashed is None else hashed
                    out *= _MIX
                self._rows[key] = out
        return self._rows[key]


def repeat_count(hashes: np.ndarray) -> tuple[int, np.ndarray]:
    """(rows equal to an earlier row, the repeated hash values in sorted order). Sorts values, not positions:
    np.sort of uint64 is several times faster than argsort or a hash table."""
    ordered = np.sort(hashes)
    again = ordered[1:] == ordered[:-1]
    return int(again.sum()), ordered[1:][again]


def in_sorted(values: np.ndarray, pool: np.ndarray) -> np.ndarray:
    """Mask of the ``values`` found in the sorted ``pool`` (binary search; fastest when ``values`` are sorted too,
    or the pool is small, as the searches then walk memory in order)."""
    if len(pool) == 0:
        return np.zeros(len(values), dtype=bool)
    at = np.minimum(np.searchsorted(pool, values), len(pool) - 1)
    return pool[at] == values


def distinct_sorted(ordered: np.ndarray) -> int:
    """Distinct values of a sorted array."""
    return int(len(ordered) > 0) + int(np.count_nonzero(ordered[1:] != ordered[:-1]))


def first_rows(hashes: np.ndarray, values: np.ndarray, limit: int) -> list[np.ndarray]:
    """For the first ``limit`` rows (in row order) whose hash is among the sorted ``values``: all rows with that
    hash, one array per distinct hash."""
    candidates = hashes[np.flatnonzero(in_sorted(hashes, values))[: limit * 8]]
    return [np.flatnonzero(hashes == value) for value in pd.unique(candidates)[:limit]]


@dataclass(frozen=True)
class SplitRows:
    """The two sides of a split.

    train: positions of the training rows in the dataset.
    test: positions of the test rows, in the dataset, or in the test dataset when ``external``.
    external: True for a "test_dataset" split.
    notes: what the split left out, in words (rows without a date or group).
    """

    train: np.ndarray
    test: np.ndarray
    external: bool
    notes: tuple[str, ...] = ()


def split_rows(frame: pd.DataFrame, split: Split, test_frame: pd.DataFrame | None, seed: int) -> SplitRows | None:
    """Positions of the train and test rows for ``split`` (None for kind "none"); deterministic for a seed.
    A side left empty is said in the notes (the checks comparing sides then find nothing)."""
    sides = _split_rows(frame, split, test_frame, seed)
    if sides is not None:
        for name, rows in (("training", sides.train), ("test", sides.test)):
            if len(rows) == 0:
                why = (f" (no date in '{split.date_column}' is "
                       f"{'before' if name == 'training' else 'on or after'} the cut)" if split.kind == "date" else "")
                sides = SplitRows(sides.train, sides.test, sides.external,
                                  sides.notes + (f"The split leaves no {name} rows{why}; "
                                                 "nothing is compared across it.",))
    return sides


def _split_rows(frame: pd.DataFrame, split: Split, test_frame: pd.DataFrame | None, seed: int) -> SplitRows | None:
    n = len(frame)
    everything = np.arange(n)
    if split.kind == "none":
        return None
    if split.kind == "test_dataset":
        return SplitRows(everything, np.arange(len(test_frame)), True)
    if split.kind == "random":
        in_test = np.random.default_rng(seed).random(n) < split.test_share
        return SplitRows(everything[~in_test], everything[in_test], False)
    if split.kind == "date":
        dates = as_dates(frame[split.date_column])
        known = ~np.isnat(dates)
        cut = (np.datetime64(pd.Timestamp(split.cut).to_datetime64(), "ns") if split.cut
               else _date_at(dates[known], 1 - split.test_share))
        train = known & (dates < cut)
        notes = ((f"{int((~known).sum()):,} rows with no date in '{split.date_column}' "
                  "are in neither side of the split.",) if (~known).any() else ())
        return SplitRows(everything[train], everything[known & ~train], False, notes)
    codes = pd.factorize(frame[split.group_column], use_na_sentinel=True)[0]
    groups = int(codes.max()) + 1 if n else 0
    chosen = (np.random.default_rng(seed).permutation(groups)[: max(1, round(groups * split.test_share))] if groups
              else [])
    in_test_group = np.zeros(max(groups, 1), dtype=bool)
    in_test_group[chosen] = True
    known = codes >= 0
    test = known & in_test_group[np.where(known, codes, 0)]
    notes = ((f"{int((~known).sum()):,} rows with no value in '{split.group_column}' "
              "are in neither side of the split.",) if (~known).any() else ())
    return SplitRows(everything[known & ~test], everything[test], False, notes)


def as_dates(series: pd.Series) -> np.ndarray:
    """The column as datetime64[ns] (NaT where missing or not a date); time zones dropped after moving to UTC."""
    if not pd.api.types.is_datetime64_any_dtype(series.dtype):
        series = pd.to_datetime(series, errors="coerce", format="mixed")
    if getattr(series.dtype, "tz", None) is not None:
        series = series.dt.tz_convert("UTC").dt.tz_localize(None)
    return series.to_numpy(dtype="datetime64[ns]")


def _date_at(dates: np.ndarray, share: float) -> np.datetime64:
    """The date below which ``share`` of ``dates`` fall (a date split without a cut)."""
    ordered = np.sort(dates)
    return ordered[min(int(len(ordered) * share), len(ordered) - 1)]


def sample_positions(labels: pd.Series | None, rows: np.ndarray, size: int, min_class_rows: int,
                     seed: int) -> np.ndarray:
    """``rows`` (sorted positions) when there are at most ``size``; else a sorted sample of ``size``: stratified by
    ``labels`` (each class keeps its share, and at least ``min_class_rows`` or all it has), or uniform when None."""
    if len(rows) <= size:
        return rows
    rng = np.random.default_rng(seed)
    if labels is None:
        return np.sort(rng.choice(rows, size, replace=False))
    codes = pd.factorize(labels.to_numpy()[rows])[0]
    chosen = []
    for code in range(int(codes.max()) + 1):
        members = rows[codes == code]
        take = min(len(members), max(round(size * len(members) / len(rows)), min_class_rows))
        chosen.append(rng.choice(members, take, replace=False))
    return np.sort(np.concatenate(chosen))
