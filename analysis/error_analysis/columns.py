"""Which columns are sliced, and into which slices: computed once per frame, then shared by every model of a run.

Every column but the target is sliced (features or not: a sensitive attribute left out of the features is exactly
what a reviewer wants sliced), except identifiers, free text, dates and constant columns. A categorical (or boolean)
column gets one slice per value, its most frequent MAX_VALUES values, the rest together as "(other)"; a numeric column
with at most MAX_NUMERIC_VALUES distinct values is sliced per value too; other numeric columns into N_BINS quantile
bins named Q1 (lowest) to Q5, each with the range of values it holds. Missing values are their own slice, "(missing)".
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from analysis.baselines.setup import label_text
from analysis.column_types import DATETIME, ID, NUMERIC, TEXT, id_like_text
from analysis.error_analysis.model import CATEGORICAL
from analysis.error_analysis.model import NUMERIC as NUMERIC_SLICES

MAX_VALUES = 20            # values of a categorical column sliced one by one; the rest are "(other)"
MAX_NUMERIC_VALUES = 10    # a numeric column with at most this many distinct values is sliced per value
N_BINS = 5                 # quantile bins of other numeric columns (fifths)
MISSING, OTHER = "(missing)", "(other)"
CODE_DTYPE = np.int8       # slice codes (at most MAX_VALUES + 2 slices): one byte a row, as every row of the frame
                           # is coded
REASONS = {ID: "an identifier: it names rows", TEXT: "free text", DATETIME: "a date"}


@dataclass(frozen=True)
class SlicedColumn:
    """A column cut into slices: ``codes`` gives each row of the frame its slice (an index into ``labels``, CODE_DTYPE);
    ``ranges`` gives a numeric bin's range of values, aligned with ``labels`` (() for values)."""

    name: str
    kind: str
    labels: tuple[str, ...]
    codes: np.ndarray
    ranges: tuple[str, ...] = ()


def slice_columns(frame: pd.DataFrame, column_types: dict[str, str], target: str
                  ) -> tuple[list[SlicedColumn], dict[str, str]]:
    """(the sliced columns, in frame order; columns not sliced -> why)."""
    sliced, skipped = [], {}
    for name in frame.columns:
        if name == target:
            continue
        kind = column_types.get(name, NUMERIC)
        series = frame[name]
        why = REASONS.get(kind) or (id_like_text(series, kind) and "it names rows: a distinct value on most rows")
        if why:
            skipped[str(name)] = why
            continue
        column = _numeric(str(name), series) if kind == NUMERIC else None
        column = column or _values(str(name), series)
        if len([label for label in column.labels if label != MISSING]) < 2:
            skipped[str(name)] = "one value in every row"
            continue
        sliced.append(column)
    return sliced, skipped


def _numeric(name: str, series: pd.Series) -> SlicedColumn | None:
    """Quantile bins, or None when the column has few distinct values (then it is sliced per value)."""
    if not ptypes.is_numeric_dtype(series.dtype) or ptypes.is_bool_dtype(series.dtype):
        return None
    x = series.to_numpy(dtype=np.float64, na_value=np.nan)
    finite = np.isfinite(x)
    present = x[finite]
    if len(np.unique(present)) <= MAX_NUMERIC_VALUES:
        return None
    inner = np.unique(np.quantile(present, np.arange(1, N_BINS) / N_BINS))
    codes = np.searchsorted(inner, x, side="right")
    used = np.unique(codes[finite])
    remap = np.full(len(inner) + 1, -1)
    remap[used] = np.arange(len(used))
    codes = np.where(finite, remap[np.clip(codes, 0, len(inner))], len(used))
    labels = [f"Q{i + 1}" for i in range(len(used))]
    ranges = []
    for i in range(len(used)):
        held = x[finite & (codes == i)]
        ranges.append(f"{_number(held.min())} to {_number(held.max())}")
    if not finite.all():
        labels.append(MISSING)
        ranges.append("no value")
    return SlicedColumn(name, NUMERIC_SLICES, tuple(labels), codes.astype(CODE_DTYPE), tuple(ranges))


def _values(name: str, series: pd.Series) -> SlicedColumn:
    """One slice per value (the MAX_VALUES most frequent; "(other)", "(missing)"). Each distinct value is written
    as text once (factorize), not once per row: values that read the same (1 and 1.0) are one slice."""
    missing = series.isna().to_numpy()
    found, uniques = pd.factorize(series, use_na_sentinel=True)
    texts = [label_text(u) for u in uniques]
    first = list(dict.fromkeys(texts))                        # each text in order of first appearance, as counted
    where = {t: i for i, t in enumerate(first)}
    text_of = np.array([where[t] for t in texts] + [-1], dtype=np.int64)
    per_row = text_of[found]
    counts = pd.Series(np.bincount(per_row[per_row >= 0], minlength=len(first)), index=first, dtype=np.int64)
    counts = counts.sort_values(ascending=False)               # as Series.value_counts orders them
    top = [str(v) for v in counts.index[:MAX_VALUES]]
    if ptypes.is_numeric_dtype(series.dtype) and not ptypes.is_bool_dtype(series.dtype):
        top = sorted(top, key=lambda v: float(v))             # small whole numbers read in order
    labels = list(top)
    index = {v: i for i, v in enumerate(top)}
    code_of = np.array([index.get(t, len(top)) for t in first] + [-1], dtype=np.int64)
    codes = code_of[per_row]
    if len(counts) > MAX_VALUES:
        labels.append(OTHER)
    if missing.any():
        labels.append(MISSING)
        codes = np.where(missing, len(labels) - 1, codes)
    return SlicedColumn(name, CATEGORICAL, tuple(labels), codes.astype(CODE_DTYPE))


def _number(value: float) -> str:
    return f"{value:.4g}" if abs(value) < 1e6 else f"{value:.3g}"


def parse_value(column: SlicedColumn, value: str) -> str | None:
    """The label of ``column`` that ``value`` names (exact, else ignoring case and spaces), or None."""
    if value in column.labels:
        return value
    folded = {" ".join(label.lower().split()): label for label in column.labels}
    return folded.get(" ".join(str(value).lower().split()))
