"""Associations between columns: Pearson and Spearman correlation between numeric columns, Cramér's V between
categorical and boolean columns. Computed on whatever frame is passed (the profile passes its sample).

Every value needs at least MIN_PAIRS complete pairs (rows where both columns have a value); with fewer it is
undefined (None), so it raises no alert. Why 30: the standard error of a correlation is about 1 / sqrt(n), so
below 30 pairs chance alone reaches |r| 0.36 at one standard error and 0.9 is not rare on a handful of rows;
a column with 4 filled rows used to get Cramér's V = 1.00 with every categorical column. 30 is also the usual
floor for the normal approximations behind these measures, and a rule a reviewer can check by eye.

Cramér's V is bias-corrected (Bergsma 2013, "A bias-correction for Cramér's V and Tschuprow's T", J. Korean
Stat. Soc. 42: 323-328): the plain V is inflated on small tables and many levels (two independent 10-level
columns on 100 rows get V about 0.3); the corrected one is near 0 for independent columns at any size and is
still 1 for a column that determines the other one-to-one.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.column_types import BOOLEAN, CATEGORICAL, NUMERIC

MAX_LEVELS = 100     # categorical columns with more distinct values are left out of Cramér's V
MAX_COLUMNS = 50     # at most this many columns per matrix (the first ones in frame order); pairs grow as n^2
MIN_PAIRS = 30       # complete pairs (rows where both columns have a value) a value needs; fewer: undefined


@dataclass(frozen=True)
class Matrix:
    """A symmetric matrix of associations between columns.

    columns: the labels of the rows and of the columns, in order.
    values: values[i][j] is the association of columns i and j; None where it is undefined (a constant
        column, fewer than MIN_PAIRS rows where both have values).
    """

    columns: tuple[str, ...]
    values: tuple[tuple[float | None, ...], ...]

    def to_frame(self) -> pd.DataFrame:
        """The matrix as a DataFrame (NaN where undefined)."""
        return pd.DataFrame(self.values, index=list(self.columns), columns=list(self.columns), dtype=float)

    def pairs(self) -> list[tuple[str, str, float]]:
        """Each pair of different columns once, as (first, second, value), leaving out undefined values."""
        return [
            (a, b, self.values[i][j])
            for i, a in enumerate(self.columns)
            for j, b in enumerate(self.columns)
            if i < j and self.values[i][j] is not None
        ]


@dataclass(frozen=True)
class Correlations:
    """How columns go together.

    pearson: linear correlation between numeric columns, over the rows where both have finite values.
    spearman: rank correlation between numeric columns (each column ranked over its own values, then Pearson
        over the rows where both have values; exact Spearman when nothing is missing).
    cramers_v: bias-corrected Cramér's V (Bergsma 2013; 0 = independent, 1 = one determines the other) between
        categorical and boolean columns with 2 to MAX_LEVELS distinct values.
    Each value is over at least MIN_PAIRS rows where both columns have a value, else None.
    """

    pearson: Matrix
    spearman: Matrix
    cramers_v: Matrix


def correlate(frame: pd.DataFrame, column_types: dict[str, str]) -> Correlations:
    """Pearson, Spearman and Cramér's V matrices for the columns of ``frame`` that they apply to."""
    numeric = [c for c in frame.columns if column_types[c] == NUMERIC][:MAX_COLUMNS]
    numbers = float_frame(frame, numeric)
    labels = [
        c for c in frame.columns
        if column_types[c] in (CATEGORICAL, BOOLEAN) and 2 <= frame[c].nunique() <= MAX_LEVELS
    ][:MAX_COLUMNS]
    return Correlations(
        pearson=_matrix(numbers.corr(method="pearson", min_periods=MIN_PAIRS)),
        spearman=_matrix(numbers.rank().corr(method="pearson", min_periods=MIN_PAIRS)),
        cramers_v=_cramers_matrix(frame, labels),
    )


def float_frame(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """``columns`` of ``frame`` as one float64 block (a single copy), with missing values and infinities as NaN."""
    block = np.empty((len(frame), len(columns)), order="F")
    for i, column in enumerate(columns):
        block[:, i] = frame[column].to_numpy(dtype=np.float64, na_value=np.nan)
    block[np.isinf(block)] = np.nan
    return pd.DataFrame(block, index=frame.index, columns=columns, copy=False)


def _matrix(corr: pd.DataFrame) -> Matrix:
    values = np.clip(corr.to_numpy(dtype=np.float64), -1.0, 1.0)
    return Matrix(tuple(map(str, corr.columns)), tuple(tuple(_value(v) for v in row) for row in values))


def _value(v: float) -> float | None:
    return None if np.isnan(v) else float(v)


def _cramers_matrix(frame: pd.DataFrame, columns: list[str]) -> Matrix:
    codes = [codes_of(frame[c]) for c in columns]
    size = len(columns)
    values = [[1.0 if i == j else None for j in range(size)] for i in range(size)]
    for i in range(size):
        for j in range(i + 1, size):
            values[i][j] = values[j][i] = cramers_v(codes[i], codes[j])
    return Matrix(tuple(columns), tuple(tuple(row) for row in values))


def codes_of(series: pd.Series) -> np.ndarray:
    """Integer codes of a column's values, -1 where missing."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        return series.cat.codes.to_numpy().astype(np.int64)
    return pd.factorize(series, use_na_sentinel=True)[0].astype(np.int64)


def cramers_v(x: np.ndarray, y: np.ndarray, min_pairs: int = MIN_PAIRS) -> float | None:
    """Bias-corrected Cramér's V (Bergsma 2013) between two code arrays (-1 = missing), over the rows where both
    have a value; None with fewer than ``min_pairs`` such rows or fewer than 2 values on either side."""
    both = (x >= 0) & (y >= 0)
    if int(both.sum()) < max(min_pairs, 2):
        return None
    x = np.unique(x[both], return_inverse=True)[1]
    y = np.unique(y[both], return_inverse=True)[1]
    rows, cols = int(x.max()) + 1, int(y.max()) + 1
    if min(rows, cols) < 2:
        return None
    table = np.bincount(x * cols + y, minlength=rows * cols).reshape(rows, cols).astype(np.float64)
    n = table.sum()
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / n
    chi2 = float(((table - expected) ** 2 / expected).sum())
    # Bergsma's correction: phi^2 less its expectation under independence, and the table's shape shrunk to match.
    phi2 = max(0.0, chi2 / n - (rows - 1) * (cols - 1) / (n - 1))
    rows_c = rows - (rows - 1) ** 2 / (n - 1)
    cols_c = cols - (cols - 1) ** 2 / (n - 1)
    shape = min(rows_c, cols_c) - 1
    if shape <= 0:
        return None
    return float(min(1.0, np.sqrt(phi2 / shape)))
