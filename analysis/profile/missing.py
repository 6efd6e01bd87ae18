"""Where values are missing: per column (exact) and which columns go missing together (on a sample)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

TOP_PATTERNS = 10    # most common combinations of missing columns kept


@dataclass(frozen=True)
class RowPattern:
    """One combination of missing columns.

    columns: the columns missing together in these rows (all other columns have values).
    rows: rows of the sample with exactly this combination.
    share: rows / rows of the sample.
    """

    columns: tuple[str, ...]
    rows: int
    share: float


@dataclass(frozen=True)
class MissingPattern:
    """Missing values of a dataset.

    shares: column -> share of its rows that are missing, for the columns with any, most missing first (exact).
    rows_with_missing: rows with at least one missing value (exact).
    patterns: the TOP_PATTERNS most common combinations of missing columns among the sample's rows that miss
        anything, most common first.
    """

    shares: dict[str, float]
    rows_with_missing: int
    patterns: tuple[RowPattern, ...]


def describe_missing(frame: pd.DataFrame, sample: pd.DataFrame, missing_counts: dict[str, int]) -> MissingPattern:
    """Missing-value shares and row patterns; ``missing_counts`` (column -> missing values) comes from the column
    stats."""
    any_missing = np.zeros(len(frame), dtype=bool)
    for column in (c for c, k in missing_counts.items() if k):
        any_missing |= frame[column].isna().to_numpy()
    return missing_pattern(len(frame), missing_counts, int(any_missing.sum()), sample)


def missing_pattern(rows: int, missing_counts: dict[str, int], rows_with_missing: int,
                    sample: pd.DataFrame) -> MissingPattern:
    """The MissingPattern from exact counts (column -> missing values, rows missing anything) and the sample's rows;
    the data engine gives the counts by queries when the rows are not in memory."""
    columns = sorted((c for c, k in missing_counts.items() if k), key=lambda c: -missing_counts[c])
    shares = {c: missing_counts[c] / rows for c in columns}
    return MissingPattern(shares, rows_with_missing, _patterns(sample, columns))


def _patterns(sample: pd.DataFrame, columns: list[str]) -> tuple[RowPattern, ...]:
    if not columns or sample.empty:
        return ()
    mask = np.column_stack([sample[c].isna().to_numpy() for c in columns])
    mask = mask[mask.any(axis=1)]
    if not len(mask):
        return ()
    combos, counts = np.unique(np.packbits(mask, axis=1), axis=0, return_counts=True)
    order = np.argsort(-counts, kind="stable")[:TOP_PATTERNS]
    names = np.array(columns, dtype=object)
    patterns = []
    for i in order:
        missing = np.unpackbits(combos[i])[: len(columns)].astype(bool)
        patterns.append(RowPattern(tuple(names[missing]), int(counts[i]), float(counts[i] / len(sample))))
    return tuple(patterns)
