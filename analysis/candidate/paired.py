"""Candidate against another model on the same rows: each metric's difference, a paired bootstrap interval, words.

    found = compare("gbm v3", "Logistic regression", "baseline", "binary", truth, candidate, baseline, positive=1,
                    threshold=0.35, rows_word="test rows")
    found.sentences()[0]   # "gbm v3 beats Logistic regression by 0.031 PR AUC (95 % interval 0.012 to 0.050) on
                           #  20,000 test rows"

Paired: every resample draws rows once and measures both models on the drawn rows (analysis.intervals.bootstrap over
the difference of their weighted_metrics), so what the rows share (rows that are hard for both) cancels out of the
difference, and the interval is that of the difference itself, not two intervals set side by side. The proportions
both models count on the same trials (accuracy, recall, specificity) get Newcombe's paired score interval instead
(paired_proportions), as a single proportion gets Wilson's. Above
BOOTSTRAP_MAX_ROWS rows it is the same m-out-of-n bootstrap as the metrics' intervals, seeded by the plan's
random_state. The other model is a baseline (its kept predictions on the same rows) or the dummy floor: the class
shares of these rows as every row's probabilities (the mean, for regression), as a dummy trained on them would give.
How well the interval covers: bench/candidate.py (paired_interval_ok) draws scores whose ROC AUCs are known exactly
and counts how often the interval holds the true difference.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis.baselines.metrics import LOWER_IS_BETTER, display_name
from analysis.intervals import (
    BOOTSTRAP_RESAMPLES,
    Interval,
    bootstrap,
    bootstrap_limit,
    paired_difference,
    weighted_metrics,
)
from analysis.target import BINARY, REGRESSION

BETTER, WORSE, LEVEL, UNDEFINED = "better", "worse", "level", "undefined"


@dataclass(frozen=True)
class Difference:
    """One metric of the candidate against the other model on the same rows.

    metric: its name (analysis.baselines.metrics). candidate, other: each model's value on the shared rows.
    difference: candidate minus other, with its paired 95 % interval. verdict: "better" (the whole interval is on the
    better side of 0: above for most metrics, below for errors and losses), "worse", "level" (it holds 0) or
    "undefined". sentence: the comparison in words."""

    metric: str
    candidate: float | None
    other: float | None
    difference: Interval
    verdict: str
    sentence: str


@dataclass(frozen=True)
class Comparison:
    """The candidate against one other model: ``role`` "baseline" or "dummy" (what a relative criterion names),
    ``other`` its name, ``rows`` the rows both predicted, ``differences`` per metric (in the task's metric order)."""

    role: str
    other: str
    rows: int
    differences: tuple[Difference, ...]
    note: str = ""

    def difference(self, metric: str) -> Difference | None:
        return next((d for d in self.differences if d.metric == metric), None)

    def sentences(self, first: str | None = None) -> list[str]:
        """Every difference in words, the metric ``first`` (the primary one) first."""
        ordered = sorted(self.differences, key=lambda d: d.metric != first)
        return [d.sentence for d in ordered]


def dummy_scores(task: str, truth: np.ndarray, classes: int) -> np.ndarray:
    """The dummy floor's predictions on these rows: each class's share of them as every row's probabilities, or the
    mean value for regression."""
    if task == REGRESSION:
        return np.full(len(truth), float(np.mean(truth)) if len(truth) else 0.0)
    shares = np.bincount(truth, minlength=classes) / max(len(truth), 1)
    return np.tile(shares, (len(truth), 1))


@dataclass(frozen=True)
class Other:
    """A model the candidate is compared with: ``role`` ("baseline" or "dummy"), ``name``, its ``scores`` on the
    candidate's rows (probabilities per class, or predicted values), the ``metrics`` compared (None: all)."""

    role: str
    name: str
    scores: np.ndarray
    metrics: tuple[str, ...] | None = None


def compare(candidate: str, other: str, role: str, task: str, truth: np.ndarray, mine: np.ndarray,
            theirs: np.ndarray, metrics: tuple[str, ...] | None = None, **options) -> Comparison:
    """Each metric (``metrics``; None: all) of ``mine`` against ``theirs`` on the same rows, with paired bootstrap
    intervals (see measure_together for the options)."""
    return measure_together(candidate, task, truth, mine, [Other(role, other, theirs, metrics)], **options)[1][0]


def measure_together(candidate: str, task: str, truth: np.ndarray, mine: np.ndarray, others: list[Other], *,
                     positive: int | None = None, threshold: float = 0.5, own: tuple[str, ...] = (),
                     random_state: int = 0, resamples: int = BOOTSTRAP_RESAMPLES,
                     rows_word: str = "rows") -> tuple[dict[str, Interval], tuple[Comparison, ...]]:
    """One paired bootstrap of the candidate and every model it is compared with, on the same resamples (the
    candidate is measured once per resample, whatever the number of others): (the candidate's own bootstrap
    intervals of the metrics in ``own``, one Comparison per other model, of its metrics)."""
    n = len(truth)

    def measure(scores, keep, weights):
        rows = truth if keep is None else truth[keep]
        return weighted_metrics(task, rows, scores if keep is None else scores[keep], weights, positive, threshold)

    def together(keep, weights):
        whole = keep is None and len(weights) == 1 and weights.min() == weights.max() == 1.0
        a = values[""] if whole else measure(mine, keep, weights)
        out = {f"|{name}": a[name] for name in own if name in a}
        for o in others:
            b = values[o.role] if whole else measure(o.scores, keep, weights)
            out.update({f"{o.role}|{name}": a[name] - b[name] for name in a
                        if (o.metrics is None or name in o.metrics) and name in b})
        return out

    ones = np.ones((1, n))
    with np.errstate(invalid="ignore", divide="ignore"):
        values = {"": measure(mine, None, ones), **{o.role: measure(o.scores, None, ones) for o in others}}
        found = bootstrap(together, n, bootstrap_limit(task, mine), random_state, resamples)
    mine_only = {key[1:]: interval for key, interval in found.items() if key.startswith("|")}
    compared = []
    for o in others:
        differences = []
        exact = paired_proportions(task, truth, mine, o.scores, positive, threshold)
        for key, interval in found.items():
            role, name = key.split("|", 1)
            if role != o.role:
                continue
            interval = exact.get(name) or Interval(interval.value, interval.low, interval.high, interval.method,
                                                   interval.rows, basis=f"paired {rows_word}",
                                                   resamples=interval.resamples, subsample=interval.subsample)
            verdict, sentence = _in_words(candidate, o.name, name, interval, n, rows_word)
            differences.append(Difference(name, _value(values[""][name]), _value(values[o.role][name]), interval,
                                          verdict, sentence))
        compared.append(Comparison(o.role, o.name, n, tuple(differences)))
    return mine_only, tuple(compared)


def paired_proportions(task: str, truth: np.ndarray, mine: np.ndarray, theirs: np.ndarray, positive: int | None,
                       threshold: float) -> dict[str, Interval]:
    """Newcombe's paired interval (analysis.intervals.paired_difference) of the proportions both models measure on
    the same trials: accuracy on every row; binary recall on the positive rows and specificity on the negative ones,
    at ``threshold``. A bootstrap of the few rows on which two close models disagree covers too little: on
    bench/candidate.py's draws (300 positive rows), the percentile bootstrap of the recall difference held the truth
    in 0.92 of 600 draws, this interval in 0.946 of 3,000."""
    if task == REGRESSION:
        return {}
    if task != BINARY:
        return {"accuracy": paired_difference(mine.argmax(axis=1) == truth, theirs.argmax(axis=1) == truth,
                                              "paired rows")}
    is_positive = truth == positive
    a, b = mine[:, positive] >= threshold, theirs[:, positive] >= threshold
    n = len(truth)
    return {"accuracy": paired_difference(a == is_positive, b == is_positive, "paired rows"),
            "recall": paired_difference(a[is_positive], b[is_positive], "paired positive rows", n),
            "specificity": paired_difference(~a[~is_positive], ~b[~is_positive], "paired negative rows", n)}


def _value(values: np.ndarray) -> float | None:
    value = float(values[0])
    return round(value, 6) if np.isfinite(value) else None


def _in_words(candidate: str, other: str, metric: str, d: Interval, rows: int, rows_word: str) -> tuple[str, str]:
    """(verdict, sentence): "gbm v3 beats Logistic regression by 0.031 PR AUC (95 % interval 0.012 to 0.050) on
    20,000 test rows"; "... is behind ..."; "... cannot be told apart on ...: difference ... (95 % interval ...)"."""
    label = display_name(metric)
    on = f"on {rows:,} {rows_word}"
    if d.value is None or not (np.isfinite(d.low) and np.isfinite(d.high)):
        return UNDEFINED, (f"{label} of {candidate} against {other} has no interval {on} (undefined on too many "
                           "resamples): more rows would tell.")
    sign = -1.0 if metric in LOWER_IS_BETTER else 1.0
    gain, low, high = sign * d.value, *sorted((sign * d.low, sign * d.high))
    if low > 0:
        return BETTER, (f"{candidate} beats {other} by {_fmt(gain)} {label} (95 % interval {_fmt(low)} to "
                        f"{_fmt(high)}) {on}")
    if high < 0:
        return WORSE, (f"{candidate} is behind {other} by {_fmt(-gain)} {label} (95 % interval {_fmt(-high)} to "
                       f"{_fmt(-low)}) {on}")
    return LEVEL, (f"{candidate} and {other} cannot be told apart on {label}: difference {_signed(d.value)} (95 % "
                   f"interval {_signed(d.low)} to {_signed(d.high)}) {on}")


def _fmt(x: float) -> str:
    return f"{x:.3f}" if abs(x) < 100 else f"{x:,.1f}"


def _signed(x: float) -> str:
    return ("+" if x > 0 else "") + _fmt(x)
