"""Statistics of one column, exact over all its rows.

Numbers and dates are sorted once (numpy's sort is a few ms per million values); every statistic is then
read off the sorted array: min/max, quantiles, distinct values, zeros, infinities, the most frequent values
and histogram counts. Text is counted through its category codes, or a hash table for plain strings.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from analysis.cells import shorten
from analysis.column_types import CATEGORICAL

TOP_K = 10                 # most frequent values kept per column
HISTOGRAM_BINS = 30        # equal-width bins for numbers (whole numbers with a small range get one bin per value)
MAX_TIME_BINS = 120        # the finest period (hour, day, week, ...) with at most this many bins is used for dates
QUANTILES = {"p5": 0.05, "p25": 0.25, "p50": 0.5, "p75": 0.75, "p95": 0.95}
CHUNK = 1 << 16            # values per step when summing moments
EXAMPLES = 3               # values quoted when a text column mixes numbers and words


@dataclass(frozen=True)
class Histogram:
    """Rows per bin.

    edges: len(counts) + 1 bin edges: numbers for numeric columns; ISO 8601 period starts for datetime columns.
    counts: rows per bin; a bin holds edge[i] <= value < edge[i + 1] (the last numeric bin includes its right edge).
    period: for datetime columns the width of a bin ("hour", "day", "week", "month", "quarter", "year"); else None.
    """

    edges: tuple[float | str, ...]
    counts: tuple[int, ...]
    period: str | None = None


@dataclass(frozen=True)
class ValueCount:
    """One value of a column (as text) and the number of rows holding it."""

    value: str
    count: int


@dataclass(frozen=True)
class ColumnStats:
    """Statistics of one column (all exact, over every row).

    name, type: the column and its type (one of analysis.column_types.COLUMN_TYPES).
    count: non-missing values; missing: missing values; distinct: distinct non-missing values.
    memory_bytes: memory the column takes in the DataFrame (deep, counting strings).
    min, max: smallest and largest finite value (numbers) or time (ISO 8601 text, datetimes); None for text.
    mean, std, skew: of the finite values of numeric columns (std with ddof=1; skew is the adjusted
        Fisher-Pearson coefficient, as pandas computes it); None otherwise or when undefined.
    quantiles: numeric columns: "p5", "p25", "p50", "p75", "p95" of the finite values (linear interpolation).
    zeros, infinite: numeric columns: values equal to 0, values equal to +/- infinity; None otherwise.
    top: the TOP_K most frequent values, most frequent first (numbers only when some value repeats).
    histogram: numeric and datetime columns; None otherwise or when there are no finite values.
    numeric_share: categorical columns: share of the non-missing values that read as numbers; None otherwise.
    text_examples: categorical columns that mix numbers and words: the most frequent values that are not numbers.
    """

    name: str
    type: str
    count: int
    missing: int
    distinct: int
    memory_bytes: int
    min: float | str | None = None
    max: float | str | None = None
    mean: float | None = None
    std: float | None = None
    skew: float | None = None
    quantiles: dict[str, float] = field(default_factory=dict)
    zeros: int | None = None
    infinite: int | None = None
    top: tuple[ValueCount, ...] = ()
    histogram: Histogram | None = None
    numeric_share: float | None = None
    text_examples: tuple[str, ...] = ()

    @property
    def rows(self) -> int:
        return self.count + self.missing

    @property
    def missing_share(self) -> float:
        return self.missing / self.rows if self.rows else 0.0


def describe_column(series: pd.Series, column_type: str) -> ColumnStats:
    """Exact statistics of ``series``, labelled ``column_type``."""
    base = {"name": str(series.name), "type": column_type,
            "memory_bytes": int(series.memory_usage(deep=True, index=False))}
    dtype = series.dtype
    if ptypes.is_numeric_dtype(dtype) and not ptypes.is_bool_dtype(dtype):
        return ColumnStats(**base, **_numbers(series))
    if ptypes.is_datetime64_any_dtype(dtype):
        return ColumnStats(**base, **_times(series))
    return ColumnStats(**base, **_labels(series, count_numbers=column_type == CATEGORICAL))


def _numbers(series: pd.Series) -> dict:
    values = series.to_numpy()
    if values.dtype.kind not in "iuf":                       # nullable extension arrays
        values = series.to_numpy(dtype=np.float64, na_value=np.nan)
    ordered = np.sort(values).astype(np.float64, copy=False)  # NaN sorts last, -inf first, +inf before NaN
    count = int(np.searchsorted(ordered, np.nan))
    low = int(np.searchsorted(ordered[:count], -np.inf, side="right"))
    high = int(np.searchsorted(ordered[:count], np.inf, side="left"))
    finite = ordered[low:high]
    stats = {
        "count": count,
        "missing": len(values) - count,
        "infinite": count - len(finite),
        "distinct": _distinct_sorted(finite) + (low > 0) + (high < count),
        "zeros": int(np.searchsorted(finite, 0.0, side="right") - np.searchsorted(finite, 0.0, side="left")),
    }
    if len(finite) == 0:
        return stats
    mean = float(finite.mean())
    std, skew = _spread(finite, mean)
    stats.update(
        min=float(finite[0]),
        max=float(finite[-1]),
        mean=mean,
        std=std,
        skew=skew,
        quantiles={name: _quantile(finite, q) for name, q in QUANTILES.items()},
        top=_top_sorted(finite, number_label),
        histogram=_number_histogram(finite, values.dtype.kind in "iu" or all_whole(finite)),
    )
    return stats


def _distinct_sorted(ordered: np.ndarray) -> int:
    return int(np.count_nonzero(ordered[1:] != ordered[:-1])) + 1 if len(ordered) else 0


def _quantile(ordered: np.ndarray, q: float) -> float:
    below, above, fraction = quantile_positions(len(ordered), q)
    return float(ordered[below] + (ordered[above] - ordered[below]) * fraction)


def quantile_positions(n: int, q: float) -> tuple[int, int, float]:
    """(below, above, fraction): the ``q`` quantile of ``n`` sorted values is value[below] + (value[above] -
    value[below]) * fraction (linear interpolation, as numpy); shared by the in-memory path and the engine."""
    position = q * (n - 1)
    below = int(np.floor(position))
    return below, min(below + 1, n - 1), position - below


def _spread(values: np.ndarray, mean: float) -> tuple[float | None, float | None]:
    """Standard deviation (ddof=1) and adjusted Fisher-Pearson skewness (as pandas computes them), from central
    moments summed CHUNK values at a time, so no column-sized temporary is made."""
    n = len(values)
    m2 = m3 = 0.0
    for start in range(0, n, CHUNK):
        deviation = values[start : start + CHUNK] - mean
        squared = deviation * deviation
        m2 += float(squared.sum())
        squared *= deviation
        m3 += float(squared.sum())
    return spread_of(n, mean, m2, m3)


def spread_of(n: int, mean: float, m2: float, m3: float) -> tuple[float | None, float | None]:
    """Standard deviation (ddof=1) and adjusted Fisher-Pearson skewness of ``n`` values with this ``mean`` and sums
    of squared (``m2``) and cubed (``m3``) deviations from it; shared by the in-memory path and the engine."""
    std = float(np.sqrt(m2 / (n - 1))) if n > 1 else None
    m2, m3 = m2 / n, m3 / n
    if n < 3 or m2 <= 1e-14 * max(mean * mean, 1e-300):    # too few values, or constant up to rounding
        return std, None
    return std, float(m3 / m2**1.5 * np.sqrt(n * (n - 1)) / (n - 2))


def _top_sorted(ordered: np.ndarray, label) -> tuple[ValueCount, ...]:
    """The most frequent values of a sorted array: runs of equal values, counted CHUNK values at a time (a run
    crossing a chunk border is carried over); empty when no value repeats."""
    values, counts = [], []
    carry_value, carry_count = None, 0
    for start in range(0, len(ordered), CHUNK):
        chunk = ordered[start : start + CHUNK]
        starts = np.flatnonzero(np.concatenate(([True], chunk[1:] != chunk[:-1])))
        run_counts = np.diff(np.append(starts, len(chunk)))
        run_values = chunk[starts]
        if carry_count and run_values[0] == carry_value:
            run_counts[0] += carry_count
        elif carry_count:
            values.append([carry_value])
            counts.append([carry_count])
        carry_value, carry_count = run_values[-1], int(run_counts[-1])
        best = _largest(run_counts[:-1])
        values.append(run_values[best])
        counts.append(run_counts[best])
    values.append([carry_value])
    counts.append([carry_count])
    values, counts = np.concatenate(values), np.concatenate(counts)
    if counts.max() < 2:
        return ()
    best = _largest(counts)
    return tuple(ValueCount(label(values[i]), int(counts[i])) for i in best)


def _largest(counts: np.ndarray) -> np.ndarray:
    """Positions of the TOP_K largest counts, largest first."""
    if len(counts) > TOP_K:
        candidates = np.argpartition(-counts, TOP_K - 1)[:TOP_K]
    else:
        candidates = np.arange(len(counts))
    return candidates[np.lexsort((candidates, -counts[candidates]))]


def number_label(value: float) -> str:
    return str(int(value)) if value == int(value) and abs(value) < 2**53 else repr(float(value))


def _number_histogram(finite: np.ndarray, whole: bool) -> Histogram:
    edges = bin_edges(float(finite[0]), float(finite[-1]), whole, HISTOGRAM_BINS)
    inner = np.searchsorted(finite, edges[1:-1], side="left")
    counts = np.diff(np.concatenate(([0], inner, [len(finite)])))
    return Histogram(tuple(float(e) for e in edges), tuple(int(c) for c in counts))


def bin_edges(low: float, high: float, whole: bool, bins: int) -> np.ndarray:
    """Edges of at most ``bins`` equal-width bins covering low..high. Whole numbers get bins a whole number wide,
    centred on the values (one bin per value when the range is small), so no bin holds more values than another."""
    if whole:
        width = max(1.0, float(np.ceil((high - low + 1) / bins)))
        return low - 0.5 + width * np.arange(int(np.ceil((high - low + 1) / width)) + 1)
    if low == high:
        return np.array([low - 0.5, high + 0.5])
    return np.linspace(low, high, bins + 1)


def all_whole(values: np.ndarray) -> bool:
    """True when every value is a whole number (checked CHUNK values at a time, stopping at the first fraction)."""
    if values.dtype.kind in "iu":
        return True
    return all(np.all(np.mod(values[i : i + CHUNK], 1) == 0) for i in range(0, len(values), CHUNK))


def _times(series: pd.Series) -> dict:
    if getattr(series.dtype, "tz", None) is not None:
        series = series.dt.tz_convert(None)
    ints = np.sort(series.to_numpy(dtype="datetime64[ns]").view(np.int64))   # NaT is the smallest int64: first
    missing = int(np.searchsorted(ints, np.iinfo(np.int64).min, side="right"))
    values = ints[missing:]
    stats = {"count": len(values), "missing": missing, "distinct": _distinct_sorted(values)}
    if len(values):
        stats.update(min=iso(values[0]), max=iso(values[-1]), histogram=time_histogram(values))
    return stats


def iso(nanoseconds) -> str:
    return pd.Timestamp(int(nanoseconds)).isoformat()


def time_histogram(ordered_ns: np.ndarray) -> Histogram:
    edges, period = time_edges(int(ordered_ns[0]), int(ordered_ns[-1]))
    inner = np.searchsorted(ordered_ns, edges[1:-1], side="left")
    counts = np.diff(np.concatenate(([0], inner, [len(ordered_ns)])))
    return Histogram(tuple(iso(e) for e in edges), tuple(int(c) for c in counts), period)


def time_edges(first_ns: int, last_ns: int) -> tuple[np.ndarray, str]:
    """(bin edges in nanoseconds, period) of a time histogram from ``first_ns`` to ``last_ns``: the finest period
    with at most MAX_TIME_BINS bins."""
    first, last = np.array([first_ns, last_ns], dtype=np.int64).view("datetime64[ns]")
    for period in ("hour", "day", "week", "month", "quarter", "year"):
        edges = period_edges(first, last, period)
        if len(edges) - 1 <= MAX_TIME_BINS:
            break
    return edges.astype("datetime64[ns]").view(np.int64), period


def period_edges(first: np.datetime64, last: np.datetime64, period: str) -> np.ndarray:
    """Starts of the periods from the one holding ``first`` to the one after ``last``."""
    if period == "hour":
        return np.arange(first.astype("datetime64[h]"), last.astype("datetime64[h]") + 2)
    if period == "day":
        return np.arange(first.astype("datetime64[D]"), last.astype("datetime64[D]") + 2)
    if period == "week":
        monday = first.astype("datetime64[D]") - (first.astype("datetime64[D]").astype(np.int64) + 3) % 7
        return np.arange(monday, last.astype("datetime64[D]") + 8, 7)
    if period in ("month", "quarter"):
        step = 1 if period == "month" else 3
        start = first.astype("datetime64[M]")
        start -= start.astype(np.int64) % step
        return np.arange(start, last.astype("datetime64[M]") + step + 1, step)
    return np.arange(first.astype("datetime64[Y]"), last.astype("datetime64[Y]") + 2)


def _labels(series: pd.Series, count_numbers: bool) -> dict:
    """Counts of the values of a text, categorical or boolean column; with ``count_numbers``, the share of the
    values that read as numbers (a categorical column mixing numbers and words)."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        counts = np.bincount(series.cat.codes.to_numpy().astype(np.int64) + 1, minlength=len(series.cat.categories) + 1)
        missing, counts = int(counts[0]), pd.Series(counts[1:], index=series.cat.categories)
        counts = counts[counts > 0]
    else:
        counts = series.value_counts(dropna=True)
        missing = int(len(series) - counts.sum())
    return label_stats(counts, missing, count_numbers and not ptypes.is_bool_dtype(series.dtype))


def label_stats(counts: pd.Series, missing: int, count_numbers: bool) -> dict:
    """count, missing, distinct, top (and with ``count_numbers`` numeric_share, text_examples) from the counts of
    every distinct value (value -> rows); shared by the in-memory path and the engine."""
    counts = counts.sort_values(ascending=False, kind="stable")
    stats = {
        "count": int(counts.sum()),
        "missing": missing,
        "distinct": len(counts),
        "top": tuple(ValueCount(shorten(str(v)), int(c)) for v, c in counts.iloc[:TOP_K].items()),
    }
    if count_numbers and len(counts):
        numeric = pd.to_numeric(pd.Series(counts.index.astype(str)).str.strip(), errors="coerce").notna().to_numpy()
        stats["numeric_share"] = float(counts.to_numpy()[numeric].sum() / counts.sum())
        if numeric.any() and not numeric.all():
            stats["text_examples"] = tuple(shorten(str(v)) for v in counts.index[~numeric][:EXAMPLES])
    return stats
