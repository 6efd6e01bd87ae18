"""A metric per slice, with counts and 95 % intervals, and the search for weak slices.

    prepared = Outcomes.of(task, truth, predicted, score, positive=1)
    report = slice_report(prepared, columns, rows, "roc auc", extra=("recall",))
    report.weak[0].label, report.weak[0].gap      # "region = north", 0.21 below the overall ROC AUC

The metric: the run's primary metric when it is defined per slice (SLICE_METRICS), else a stand-in said in the
report's note (PR AUC -> ROC AUC: average precision moves with each slice's share of positives, so it does not compare
slices; F1 and R2 likewise). Intervals: Wilson for proportions; for ROC AUC and means of per-row losses a normal
approximation (analysis.intervals.normal_interval, auc_se), fast enough for thousands of slices.

Every slice differs from the overall value a little by nature: within a narrow band of a feature the model relies on,
ROC AUC is lower and the Brier score higher because the rows there are harder to tell apart, not because the model
fails there. So the weak-slice search compares each slice with what the model's own scores expect on it: the scores
are recalibrated on all tested rows (isotonic regression of the outcome on the score, so they read as probabilities),
and the metric's expected value on the slice's rows follows from them (expected recall = the calibrated probabilities
of the rows called positive over those of all rows; expected ROC AUC = the probability-weighted share of ordered
pairs; regression: the squared and absolute errors of rows with similar predictions, in EXPECTED_BINS bins).
A slice where the model does worse than its scores promise, like a region whose labels it cannot learn, falls
below it. The test is one-sided, z = (expected - observed) / SE (the slice's own standard error), on every slice with
at least MIN_ROWS rows (MIN_TRIALS trials for a proportion, MIN_CLASS rows of each class for ROC AUC): each value of
each sliced column, then each pair of values of two columns (a pair inside a weak single slice says nothing new and is
not listed). Holm's step-down correction keeps the chance of listing any slice by luck at ALPHA over all the slices
tested. A slice is weak when its test passes and its own 95 % interval clears the overall value. Weak slices are
listed single columns first, then pairs, each by how far below overall they are. Multiclass slices compare accuracy
(the model's confidence in its predicted class gives its expected value; balanced accuracy has none).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import combinations

import numpy as np

from analysis.baselines.metrics import LOWER_IS_BETTER, display_name
from analysis.error_analysis.columns import SlicedColumn
from analysis.error_analysis.model import ColumnSlices, Slice, SliceReport
from analysis.intervals import Interval, auc_se, normal_interval, wilson
from analysis.target import BINARY, MULTICLASS, REGRESSION

MIN_ROWS = 30              # rows a slice needs to be tested (and listed as weak)
MIN_TRIALS = 10            # trials a proportion needs (recall: positive rows of the slice)
MIN_CLASS = 10             # rows of each class a slice's ROC AUC needs
ALPHA = 0.05               # family-wise error rate of the weak-slice search (Holm over every slice tested)
MAX_WEAK = 15              # weak slices listed
MAX_PAIR_COLUMNS = 25      # pairs among at most this many columns: those whose single slices fall furthest short
EXPECTED_BINS = 20         # regression: prediction bins whose errors give a row's expected error
PROPORTIONS = {"recall": ("pos", "tp"), "precision": ("called", "tp"), "specificity": ("neg", "tn"),
               "accuracy": ("all", "correct")}
MEANS = {"brier score": "brier", "log loss": "log loss", "mae": "abs", "mape": "ape"}
SLICE_METRICS = {
    BINARY: ("roc auc", "recall", "precision", "specificity", "accuracy", "balanced accuracy", "brier score",
             "log loss"),
    MULTICLASS: ("accuracy",),
    REGRESSION: ("rmse", "mae", "mape"),
}
STAND_IN = {BINARY: "roc auc", MULTICLASS: "accuracy", REGRESSION: "rmse"}
EPS = 1e-12


def slice_metric(task: str, primary: str) -> tuple[str, str]:
    """(the metric slices compare, why it is not the primary metric: "" when it is)."""
    if primary in SLICE_METRICS[task]:
        return primary, ""
    stand_in = STAND_IN[task]
    why = {"pr auc": "PR AUC moves with each slice's share of positives, so it does not compare slices",
           "r2": "R2 moves with each slice's spread of the target, so it does not compare slices",
           "balanced accuracy": "the model's confidence gives the accuracy it expects on a slice, not its balanced "
                                "accuracy"}.get(primary, f"{display_name(primary)} has no per-slice interval here")
    return stand_in, f"Slices compare {display_name(stand_in)}, not the primary metric: {why}."


@dataclass(frozen=True)
class Outcomes:
    """One model's predictions as arrays for slicing: ``truth`` and ``predicted`` class codes (or values),
    ``score`` (binary: probability of the positive class; multiclass: of the predicted class), ``positive`` the
    positive class code (binary)."""

    task: str
    truth: np.ndarray
    predicted: np.ndarray
    score: np.ndarray
    positive: int | None = None

    @classmethod
    def of(cls, task: str, truth, predicted, score=(), positive: int | None = None) -> Outcomes:
        if task == REGRESSION:
            return cls(task, np.asarray(truth, dtype=np.float64), np.asarray(predicted, dtype=np.float64), np.empty(0))
        return cls(task, np.asarray(truth, dtype=np.int64), np.asarray(predicted, dtype=np.int64),
                   np.asarray(score, dtype=np.float64), positive)

    def __len__(self) -> int:
        return len(self.truth)


def _isotonic(score: np.ndarray, outcome: np.ndarray) -> np.ndarray:
    """The outcome's probability given the score, fitted on these rows (monotone in the score)."""
    # imported here: scikit-learn takes ~2 s to import: loaded by the work, not the pages
    from sklearn.isotonic import IsotonicRegression  # noqa: PLC0415

    if len(score) == 0 or outcome.min() == outcome.max():
        return np.full(len(score), float(outcome.mean()) if len(score) else 0.0)
    fitted = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(score, outcome.astype(np.float64))
    return np.clip(fitted.predict(score), EPS, 1 - EPS)


class _Rows:
    """Per-row quantities the metrics sum per slice, observed and expected (computed once per model)."""

    def __init__(self, o: Outcomes) -> None:
        self.o = o
        self.n = len(o)
        ones = np.ones(self.n, dtype=bool)
        if o.task == BINARY:
            pos = o.truth == o.positive
            called = o.predicted == o.positive
            self.flags = {"pos": pos, "neg": ~pos, "called": called, "all": ones,
                          "tp": pos & called, "tn": ~pos & ~called, "correct": pos == called}
            q = _isotonic(o.score, pos)            # calibrated probability of the positive class
            self.q = q
            self.expected_flags = {"pos": q, "neg": 1 - q, "called": called * 1.0, "all": ones * 1.0,
                                   "tp": called * q, "tn": ~called * (1 - q), "correct": np.where(called, q, 1 - q)}
            s = np.clip(o.score, EPS, 1 - EPS)
            self.loss = {"brier": (o.score - pos) ** 2, "log loss": -np.where(pos, np.log(s), np.log(1 - s))}
            self.expected_loss = {"brier": (o.score - q) ** 2 + q * (1 - q),
                                  "log loss": -(q * np.log(s) + (1 - q) * np.log(1 - s))}
            self.order = np.argsort(o.score, kind="stable")
            ranked = o.score[self.order]
            self.dense = np.cumsum(np.r_[True, ranked[1:] != ranked[:-1]]) - 1   # tie groups, in score order
        elif o.task == MULTICLASS:
            correct = o.truth == o.predicted
            self.flags = {"all": ones, "correct": correct}
            self.expected_flags = {"all": ones * 1.0, "correct": _isotonic(o.score, correct)}
            self.loss = self.expected_loss = {}
        else:
            error = o.truth - o.predicted
            self.flags = self.expected_flags = {}
            ape = np.abs(error) / np.maximum(np.abs(o.truth), np.finfo(float).eps)
            self.loss = {"abs": np.abs(error), "ape": ape, "sq": error ** 2}
            self.expected_loss = {k: _binned_mean(o.predicted, v) for k, v in self.loss.items()}


def _binned_mean(predicted: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Each row's ``values`` averaged over the rows with similar predictions (EXPECTED_BINS quantile bins)."""
    if len(predicted) == 0:
        return values
    edges = np.unique(np.quantile(predicted, np.linspace(0, 1, EXPECTED_BINS + 1)[1:-1]))
    bins = np.searchsorted(edges, predicted, side="right")
    means = np.bincount(bins, weights=values) / np.maximum(np.bincount(bins), 1)
    return means[bins]


@dataclass
class _Stats:
    """A metric on each of G slices: observed value, expected value (from the calibrated scores), rows, the standard
    error of the observed value, and what a proportion counts (successes, trials)."""

    value: np.ndarray
    expected: np.ndarray
    rows: np.ndarray
    se: np.ndarray
    testable: np.ndarray
    successes: np.ndarray | None = None
    trials: np.ndarray | None = None
    kind: str = "mean"          # "proportion", "mean", "auc", "balanced"

    def interval(self, i: int, basis: str) -> Interval:
        if self.kind == "proportion":
            return wilson(int(self.successes[i]), int(self.trials[i]), basis, int(self.rows[i]))
        value = float(self.value[i]) if np.isfinite(self.value[i]) else None
        bounds = (0.0, 1.0) if self.kind in ("auc", "balanced") else (0.0, math.inf)
        return normal_interval(value, float(self.se[i]) if np.isfinite(self.se[i]) else None, int(self.rows[i]),
                               basis, bounds)


def _count(g: np.ndarray, G: int, weights=None) -> np.ndarray:
    return np.bincount(g, weights=None if weights is None else np.asarray(weights, dtype=np.float64), minlength=G)[:G]


def group_stats(metric: str, rows: _Rows, g: np.ndarray, G: int, min_rows: int = MIN_ROWS) -> _Stats:
    """``metric`` on each group of rows (``g``: each row's group, 0..G-1), observed and expected."""
    n = _count(g, G)
    with np.errstate(invalid="ignore", divide="ignore"):
        if metric in PROPORTIONS:
            trial, success = PROPORTIONS[metric]
            t, s = _count(g, G, rows.flags[trial]), _count(g, G, rows.flags[success])
            et, es = _count(g, G, rows.expected_flags[trial]), _count(g, G, rows.expected_flags[success])
            adjusted = (s + 2) / (t + 4)                                 # Agresti-Coull: no zero SE at 0 or 1
            return _Stats(s / t, es / et, n, np.sqrt(adjusted * (1 - adjusted) / t),
                          (n >= min_rows) & (t >= MIN_TRIALS), s, t, "proportion")
        if metric == "balanced accuracy":
            value, expected, variance, ok = 0.0, 0.0, 0.0, n >= min_rows
            for trial, success in (("pos", "tp"), ("neg", "tn")):
                t, s = _count(g, G, rows.flags[trial]), _count(g, G, rows.flags[success])
                et, es = _count(g, G, rows.expected_flags[trial]), _count(g, G, rows.expected_flags[success])
                adjusted = (s + 2) / (t + 4)
                value, expected = value + s / t / 2, expected + es / et / 2
                variance = variance + adjusted * (1 - adjusted) / t / 4
                ok = ok & (t >= MIN_TRIALS)
            return _Stats(value, expected, n, np.sqrt(variance), ok, kind="balanced")
        if metric == "roc auc":
            auc, expected, n1, n0 = _group_auc(rows, g, G)
            least = np.maximum(np.minimum(n1, n0), 1)
            clipped = np.clip(auc, 0.5 / least, 1 - 0.5 / least)
            ok = (n >= min_rows) & (n1 >= MIN_CLASS) & (n0 >= MIN_CLASS)
            return _Stats(auc, expected, n, auc_se(clipped, n1, n0), ok, kind="auc")
        key = "sq" if metric == "rmse" else MEANS[metric]
        loss = rows.loss[key]
        total, total2 = _count(g, G, loss), _count(g, G, loss * loss)
        mean = total / n
        var = np.maximum(total2 / n - mean * mean, 0.0) * n / np.maximum(n - 1, 1)
        se = np.sqrt(var / n)
        expected = _count(g, G, rows.expected_loss[key]) / n
        if metric == "rmse":                                             # delta method: SE(sqrt(m)) = SE(m) / 2 sqrt(m)
            rmse = np.sqrt(mean)
            return _Stats(rmse, np.sqrt(expected), n, se / (2 * np.maximum(rmse, EPS)), n >= min_rows)
        return _Stats(mean, expected, n, se, n >= min_rows)


def _group_auc(rows: _Rows, g: np.ndarray, G: int):
    """ROC AUC of each group (ties counted half, as scikit-learn does), the AUC the calibrated scores expect there
    (probability-weighted pairs), and the group's positive and negative rows. Rows are sorted by score once per
    model, then stably by group (a radix sort for small group codes)."""
    pos = rows.flags["pos"]
    n1, n0 = _count(g, G, pos), _count(g, G, ~pos)
    m = len(g)
    if m == 0:
        return np.full(G, np.nan), np.full(G, np.nan), n1, n0
    in_score_order = g[rows.order]
    by_group = np.argsort(in_score_order.astype(np.uint16 if G < 65_536 else np.int64), kind="stable")
    order = rows.order[by_group]
    gs, ties, ps, q = g[order], rows.dense[by_group], pos[order], rows.q[order]
    position = np.arange(m)
    new_run = np.r_[True, (gs[1:] != gs[:-1]) | (ties[1:] != ties[:-1])]
    run_id = np.cumsum(new_run) - 1
    starts = np.flatnonzero(new_run)
    ends = np.r_[starts[1:], m] - 1
    new_group = np.r_[True, gs[1:] != gs[:-1]]
    group_start = np.maximum.accumulate(np.where(new_group, position, 0))
    rank = (starts + ends)[run_id] / 2.0 - group_start + 1.0
    rank_sum = np.bincount(gs, weights=rank * ps, minlength=G)[:G]
    # Expected: each row's calibrated chance of being positive times the expected negatives scored below it.
    w = 1.0 - q
    cum = np.cumsum(w)
    before_group = (cum - w)[group_start]
    run_below = (cum - w)[starts] - before_group[starts]              # negatives' weight below each run, in its group
    run_weight = np.add.reduceat(w, starts)
    below = run_below[run_id] + 0.5 * (run_weight[run_id] - w)
    numerator = np.bincount(gs, weights=q * below, minlength=G)[:G]
    sq, sw = np.bincount(gs, weights=q, minlength=G)[:G], np.bincount(gs, weights=w, minlength=G)[:G]
    denominator = sq * sw - np.bincount(gs, weights=q * w, minlength=G)[:G]
    with np.errstate(invalid="ignore", divide="ignore"):
        auc = (rank_sum - n1 * (n1 + 1) / 2) / (n1 * n0)
        expected = numerator / denominator
    auc[(n1 == 0) | (n0 == 0)] = np.nan
    return auc, expected, n1, n0


def holm(p: np.ndarray, alpha: float = ALPHA) -> np.ndarray:
    """Which hypotheses Holm's step-down procedure rejects at family-wise error rate ``alpha``."""
    m = len(p)
    rejected = np.zeros(m, dtype=bool)
    if m == 0:
        return rejected
    order = np.argsort(p, kind="stable")
    passes = p[order] <= alpha / (m - np.arange(m))
    k = m if passes.all() else int(np.argmin(passes))
    rejected[order[:k]] = True
    return rejected


def _sign(metric: str) -> float:
    """+1 when lower values are worse (recall), -1 when higher values are worse (RMSE)."""
    return -1.0 if metric in LOWER_IS_BETTER else 1.0


BASIS = {"recall": "positive rows", "precision": "predicted positives", "specificity": "negative rows",
         "accuracy": "rows"}


def _z(st: _Stats, sign: float) -> tuple[np.ndarray, np.ndarray]:
    """(z of "worse than expected", which slices can be tested)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        z = sign * (st.expected - st.value) / st.se
    return z, st.testable & np.isfinite(z)


def slice_report(outcomes: Outcomes, columns: list[SlicedColumn], positions: np.ndarray, metric: str, *,
                 note: str = "", extra: tuple[str, ...] = (), alpha: float = ALPHA, min_rows: int = MIN_ROWS,
                 skipped: dict[str, str] | None = None) -> SliceReport:
    """The slices of one model's predictions (``positions``: each prediction's row in the frame the columns were cut
    from), compared on ``metric``; ``extra``: other metrics to measure per single-column slice (for slice criteria)."""
    from scipy.special import ndtr  # noqa: PLC0415 (SciPy: loaded by the work, not the pages)

    rows = _Rows(outcomes)
    n = rows.n
    sign = _sign(metric)
    basis = BASIS.get(metric, "rows")
    overall = group_stats(metric, rows, np.zeros(n, dtype=np.int64), 1, min_rows).interval(0, basis)
    reference = overall.value if overall.value is not None else math.nan
    codes = [c.codes[positions].astype(np.int64) for c in columns]

    singles, z_all, where = [], [], []
    for ci, (column, g) in enumerate(zip(columns, codes, strict=True)):
        st = group_stats(metric, rows, g, len(column.labels), min_rows)
        z, ok = _z(st, sign)
        made = []
        for i, label in enumerate(column.labels):
            gap = sign * (reference - st.value[i])
            made.append({"columns": (column.name,), "values": (label,), "rows": int(st.rows[i]),
                         "metric": st.interval(i, basis), "gap": float(gap) if np.isfinite(gap) else None,
                         "p_value": None, "weak": False})
            if ok[i]:
                z_all.append(z[i])
                where.append((ci, i))
        singles.append((column, st, made))

    pair_columns = _pair_columns(singles, MAX_PAIR_COLUMNS)
    pairs = {}
    for a, b in combinations(pair_columns, 2):
        Gb = len(columns[b].labels)
        st = group_stats(metric, rows, codes[a] * Gb + codes[b], len(columns[a].labels) * Gb, min_rows)
        z, ok = _z(st, sign)
        for i in np.flatnonzero(ok):
            z_all.append(z[i])
            where.append(((a, b), int(i)))
        pairs[(a, b)] = st

    p_all = ndtr(-np.asarray(z_all, dtype=np.float64))
    rejected = holm(p_all, alpha)
    found_pairs = []
    for (key, i), p, reject in zip(where, p_all, rejected, strict=True):
        if isinstance(key, int):
            made = singles[key][2][i]
            made["p_value"] = float(p)
            made["weak"] = bool(reject) and _clears(made["metric"], reference, sign)
        elif reject:
            found_pairs.append((key, i, float(p)))

    column_slices = []
    for (column, _, made), g in zip(singles, codes, strict=True):
        extras = {}
        for name in extra:
            if name != metric:
                other = group_stats(name, rows, g, len(column.labels), min_rows)
                extras[name] = tuple(other.interval(i, BASIS.get(name, "rows")) for i in range(len(column.labels)))
        column_slices.append(ColumnSlices(column.name, column.kind, tuple(Slice(**m) for m in made), column.ranges,
                                          extras))
    weak = sorted((s for c in column_slices for s in c.slices if s.weak), key=lambda s: -(s.gap or 0.0))
    weak_cells = {(s.columns[0], s.values[0]) for s in weak}
    weak_pairs = []
    for (a, b), i, p in found_pairs:
        Gb = len(columns[b].labels)
        cells = ((columns[a].name, columns[a].labels[i // Gb]), (columns[b].name, columns[b].labels[i % Gb]))
        interval = pairs[(a, b)].interval(i, basis)
        if weak_cells.intersection(cells) or not _clears(interval, reference, sign):
            continue                                   # inside a weak single slice: nothing new
        gap = sign * (reference - pairs[(a, b)].value[i])
        weak_pairs.append(Slice(tuple(c for c, _ in cells), tuple(v for _, v in cells), int(pairs[(a, b)].rows[i]),
                                interval, float(gap), p, True))
    weak_pairs.sort(key=lambda s: -(s.gap or 0.0))
    listed = tuple((weak + weak_pairs)[:MAX_WEAK])
    limited = f" (the {MAX_PAIR_COLUMNS} whose slices fall furthest short)" if len(columns) > MAX_PAIR_COLUMNS else ""
    how = (f"{len(z_all):,} slices with at least {min_rows} rows tested: each value of {len(columns)} columns, then "
           f"pairs of values of {len(pair_columns)} columns{limited}, each against the {display_name(metric)} the "
           f"model's own calibrated scores expect on its rows. Holm's correction keeps the chance of listing a slice "
           f"by luck at {alpha:.0%} over all of them, and a weak slice's own 95 % interval clears the overall value.")
    return SliceReport(metric, " ".join(x for x in (note, how) if x), overall, tuple(column_slices), listed,
                       len(z_all), alpha, min_rows, n, dict(skipped or {}))


def _clears(interval: Interval, reference: float, sign: float) -> bool:
    """The slice's 95 % interval lies wholly on the worse side of the overall ``reference``."""
    if interval.value is None or not (math.isfinite(interval.low) and math.isfinite(interval.high)):
        return False
    return interval.high < reference if sign > 0 else interval.low > reference


def _pair_columns(singles, limit: int) -> list[int]:
    """The columns whose pairs are searched: all of them up to ``limit``, else the ``limit`` whose single slices fall
    furthest short of what the scores expect."""
    if len(singles) <= limit:
        return list(range(len(singles)))
    short = []
    for ci, (_, st, _) in enumerate(singles):
        z, ok = _z(st, 1.0)
        short.append((float(np.max(np.abs(z[ok]))) if ok.any() else -math.inf, ci))
    return sorted(ci for _, ci in sorted(short, reverse=True)[:limit])
