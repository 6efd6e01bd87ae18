"""Latencies from a load test, one value per request: percentiles with distribution-free 95 % intervals.

    column, unit = latency_column(frame, asked_column, asked_unit)          # Found-style choice, or LatencyError
    report = latency_report(values, "ms", wanted=("p95 latency ms",))
    report.intervals["p95 latency ms"]   # Interval(value=183.2, low=176.0, high=191.5, method="order statistics", ...)

The interval of the q-th quantile lies between two order statistics of the n sorted latencies, x_(l) and x_(u), with
l the binomial(n, q) quantile at 2.5 % and u one above its 97.5 % quantile: the number of requests below the true
quantile is binomial(n, q), so the interval holds it with probability at least 95 % whatever the latencies'
distribution (no bootstrap, exact). With too few requests the upper order statistic does not exist (a p99 needs about
300 requests): the interval is then open above, and a criterion on it is inconclusive and says more requests would
tell. The value is the sample quantile (linear interpolation, numpy's default).
Criteria name a percentile and a unit (``p95 latency_ms <= 200``, ``p99 latency_s <= 0.5``, ``median latency_ms``):
each gets its key as analysis.baselines.metrics.canonical_metric writes it ("p95 latency ms"), converted from the
file's unit; p50, p95 and p99 in the file's unit are always measured.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.intervals import ORDER, Interval

LEVEL = 0.95
ALWAYS = (50.0, 95.0, 99.0)
MIN_REQUESTS = 20                      # fewer latencies make no percentile worth a verdict
TO_MS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "min": 60_000.0}
UNIT_WORDS = {"us": "us", "µs": "us", "micros": "us", "ms": "ms", "msec": "ms", "millis": "ms", "milliseconds": "ms",
              "s": "s", "sec": "s", "secs": "s", "seconds": "s", "min": "min", "minutes": "min"}
LATENCY_WORDS = ("latency", "duration", "elapsed", "response_time", "response time", "time")
_PERCENTILE = re.compile(r"^(?:p(?P<p>\d{1,2}(?:\.\d+)?)|(?P<median>median))\s+(?:latency|response time|inference "
                         r"time)\s+(?P<unit>us|ms|s|min)$")


class LatencyError(ValueError):
    """A load test's latencies cannot give percentiles; the message says what to change."""


@dataclass(frozen=True)
class LatencyReport:
    """Percentiles of a load test. column: where the latencies were. unit: their unit ("ms", "s", "us", "min").
    requests: latencies measured. intervals: "p95 latency ms" (as canonical_metric names a criterion's metric) ->
    the percentile with its 95 % interval. mean, largest: in ``unit``."""

    column: str
    unit: str
    requests: int
    intervals: dict[str, Interval] = field(default_factory=dict)
    mean: float | None = None
    largest: float | None = None


def latency_column(frame: pd.DataFrame, column: str | None = None, unit: str | None = None) -> tuple[str, str, str]:
    """(the column of latencies, its unit, why, in words): the ones asked for, else the column named like a
    latency (or the only numeric one) and the unit its name says (latency_ms, seconds, ...), else milliseconds."""
    if column is not None and column not in frame.columns:
        raise LatencyError(f"The latency column '{column}' is not in the load test's file; its columns are "
                           f"{', '.join(map(str, frame.columns[:15]))}. Name one of them.")
    if column is None:
        named = [c for c in frame.columns if any(w in str(c).lower() for w in LATENCY_WORDS)]
        numeric = [c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c].dtype)]
        found = named if len(named) == 1 else numeric if len(numeric) == 1 else []
        if len(found) != 1:
            raise LatencyError("Name the column holding one latency per request: the load test's file has "
                               f"{', '.join(map(str, frame.columns[:15]))}.")
        column = found[0]
    said = unit is not None
    if unit is None:
        words = re.split(r"[\s_()\[\]/.-]+", str(column).lower())
        unit = next((UNIT_WORDS[w] for w in reversed(words) if w in UNIT_WORDS), None)
    elif unit not in TO_MS:
        unit = UNIT_WORDS.get(str(unit).lower(), unit)
        if unit not in TO_MS:
            raise LatencyError(f"The latency unit '{unit}' is not one Blueprint reads; write ms, s, us or min.")
    why = (f"Latencies in '{column}', in {unit or 'ms'}"
           + (", as chosen." if said else " (as its name says)." if unit else
              " (its name gives no unit, so milliseconds are assumed: name the unit if not)."))
    return str(column), unit or "ms", why


def latency_problems(frame: pd.DataFrame, column: str) -> list[str]:
    """What keeps these latencies from giving percentiles: text, empty cells, negative values, too few requests."""
    series = frame[column]
    values = pd.to_numeric(series.astype(object) if not pd.api.types.is_numeric_dtype(series.dtype) else series,
                           errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    present = series.notna().to_numpy()
    problems = []
    text = present & ~np.isfinite(values)
    if text.any():
        problems.append(f"Latency column '{column}' holds text: {int(text.sum()):,} values are not numbers (for "
                        f"example {', '.join(repr(str(v)) for v in series[text].head(3))}). Write each latency as a "
                        "number, the unit in the column's name (latency_ms).")
    if (values < 0).any():
        problems.append(f"Latency column '{column}' has {int((values < 0).sum()):,} negative values: a latency is a "
                        "duration. Check the load test's export.")
    if int(np.isfinite(values).sum()) < MIN_REQUESTS:
        problems.append(f"Latency column '{column}' has {int(np.isfinite(values).sum())} latencies; a percentile "
                        f"needs at least {MIN_REQUESTS} requests (a p99 about 300). Run a longer load test.")
    return problems


def latency_values(frame: pd.DataFrame, column: str) -> np.ndarray:
    """The latencies of ``column`` (empty cells left out)."""
    series = frame[column]
    values = pd.to_numeric(series.astype(object) if not pd.api.types.is_numeric_dtype(series.dtype) else series,
                           errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    return values[np.isfinite(values)]


def wanted_percentiles(metrics) -> list[tuple[float, str]]:
    """(percentile, unit) of each criterion metric that names a latency percentile ("p95 latency ms" -> (95, "ms"))."""
    found = []
    for metric in metrics:
        match = _PERCENTILE.match(str(metric))
        if match:
            found.append((50.0 if match["median"] else float(match["p"]), match["unit"]))
    return found


def latency_report(values: np.ndarray, column: str, unit: str, wanted=()) -> LatencyReport:
    """p50, p95 and p99 in ``unit``, and each (percentile, unit) of ``wanted``, with their intervals."""
    ordered = np.sort(np.asarray(values, dtype=np.float64))
    intervals = {}
    for p, in_unit in [*((p, unit) for p in ALWAYS), *wanted]:
        scale = TO_MS[unit] / TO_MS[in_unit]
        found = percentile_interval(ordered * scale if scale != 1.0 else ordered, p / 100)
        intervals[f"p{p:g} latency {in_unit}"] = found
        if p == 50.0:
            intervals[f"median latency {in_unit}"] = found
    mean = round(float(ordered.mean()), 6) if len(ordered) else None
    return LatencyReport(column, unit, len(ordered), intervals, mean, float(ordered[-1]) if len(ordered) else None)


def percentile_interval(ordered: np.ndarray, q: float) -> Interval:
    """The ``q`` quantile of the sorted ``ordered`` values with its distribution-free 95 % interval (see the module
    docstring); open (-inf or inf) on a side whose order statistic does not exist."""
    from scipy.stats import binom  # noqa: PLC0415 (SciPy: loaded by the work, not the pages)

    n = len(ordered)
    if n == 0:
        return Interval(None, 0.0, math.inf, ORDER, 0, basis="requests")
    value = float(np.quantile(ordered, q))
    lower = int(binom.ppf((1 - LEVEL) / 2, n, q))           # x_(lower), 1-based: P(B < lower) <= 2.5 %
    upper = int(binom.ppf((1 + LEVEL) / 2, n, q)) + 1       # x_(upper): P(B >= upper) <= 2.5 %
    low = float(ordered[lower - 1]) if lower >= 1 else -math.inf
    high = float(ordered[upper - 1]) if upper <= n else math.inf
    return Interval(round(value, 6), round(min(low, value), 6), round(max(high, value), 6), ORDER, n,
                    basis="requests")

