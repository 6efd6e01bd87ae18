"""Associations between columns: Pearson and Spearman correlation between numeric columns, Cramér's V between
categorical and boolean columns. Computed on whatever frame is passed (the profile passes its sample)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.column_types import BOOLEAN, CATEGORICAL, NUMERIC

MAX_LEVELS = 100     # categorical columns with more distinct values are left out of Cramér's V
MAX_COLUMNS = 50     # at most this many columns per matrix (the first ones in frame order); pairs grow as n^2


@dataclass(frozen=True)
class Matrix:
    """A symmetric matrix of associations between columns.

    columns: the labels of the rows and of the columns, in order.
    values: values[i][j] is the association of columns i and j; None where it is undefined (a constant
        column, no rows where both have values).
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
    cramers_v: Cramér's V (no bias correction; 0 = independent, 1 = one determines the other) between
        categorical and boolean columns with 2 to MAX_LEVELS distinct values.
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
        pearson=_matrix(numbers.corr(method="pearson")),
        spearman=_matrix(numbers.rank().corr(method="pearson")),
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


def cramers_v(x: np.ndarray, y: np.ndarray) -> float | None:
    """Cramér's V between two code arrays (-1 = missing), over the rows where both have a value."""
    both = (x >= 0) & (y >= 0)
    if not both.any():
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
    return float(min(1.0, np.sqrt(chi2 / n / (min(rows, cols) - 1))))
