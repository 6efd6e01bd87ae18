"""95 % intervals for the metrics of pooled out-of-fold predictions: Wilson for proportions, a seeded bootstrap for
the rest. A verdict on a success criterion reads the interval, never the point alone (design.checks).

    found = metric_intervals("binary", y, proba, ("benign", "malignant"), positive=1, threshold=0.35)
    found["precision"]   # Interval(value=0.53, low=0.19, high=0.85, method="wilson", successes=5, trials=10, ...)
    found["precision"].counts_text()   # "from 10 predicted positives"

Proportions, each row a trial: accuracy (correct / rows) and, for binary tasks at the decision threshold, recall
(true positives / positive rows), precision (true positives / predicted positives) and specificity (true negatives /
negative rows) get the Wilson score interval, which keeps its coverage on small counts (0 of 5 gives 0.00-0.43 where
the normal approximation gives 0.00-0.00). The counts behind it are kept, so the page can say "from 10 predicted
positives".
Everything else (ROC AUC, PR AUC, brier score, log loss, balanced accuracy, F1, macro averages of a multiclass task,
RMSE, MAE, R2, MAPE) gets the percentile interval of BOOTSTRAP_RESAMPLES resamples of the tested rows, seeded by the
run's random_state. Each resample is a row of resample counts used as weights, so a metric of all resamples is a few
matrix products (ranking metrics sort once). Above m = BOOTSTRAP_MAX_ROWS rows (BOOTSTRAP_MAX_CELLS / classes for a
multiclass task, whose ranking metrics rank each class) the resamples are drawn from a random m of the rows and their
deviations from those rows' value are scaled by sqrt(m / n) around the value on all n rows (an m-out-of-n bootstrap):
the time stays bounded, about a second per model at most, and the interval says so.

Slices (analysis.error_analysis) need intervals for hundreds of groups of rows at once, where a bootstrap per group
would take minutes: proportions still get Wilson; ROC AUC gets the Hanley & McNeil (1982) standard error, and means
of per-row losses (Brier score, log loss, MAE, MAPE; RMSE through the mean squared error) the standard error of a
mean, each as value +- 1.96 SE (method "normal", normal_interval).

The difference of two models' proportion on the same trials (recall, specificity, accuracy of a candidate and a
baseline on the same rows) gets Newcombe's paired score interval (paired_difference, method "paired score").
A percentile of measured values (a p95 latency from a load test) gets the distribution-free interval between two
order statistics (method "order statistics", analysis.candidate.latency). A difference between two models on the same
rows gets a paired bootstrap: bootstrap() with both models' weighted_metrics on the same resamples.

What these intervals cover: the sampling of the tested rows, given the models as fitted. They leave out how much
the models would change if trained on other rows, which matters little next to it for the baselines' simple models
once a few hundred rows are tested (bench/honesty.py measures how often a verdict is wrong anyway).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

from analysis.target import BINARY, REGRESSION

LEVEL = 0.95
Z = NormalDist().inv_cdf(0.5 + LEVEL / 2)        # 1.96
BOOTSTRAP_RESAMPLES = 400                        # resamples per model: percentiles at 2.5 % / 97.5 % settle at ~400
BOOTSTRAP_MAX_ROWS = 20_000                      # rows per resample; above, an m-out-of-n bootstrap (see above)
BOOTSTRAP_MAX_CELLS = 25_000                     # rows x classes per resample of a multiclass task (its K rankings)
RESAMPLE_CHUNK = 50                              # resamples computed together (memory: chunk x rows floats)
MIN_RESAMPLES = 20                               # fewer resamples with a value: no interval (-inf to inf)
EPS = float(np.finfo(np.float64).eps)            # probabilities are clipped to [EPS, 1 - EPS] for the log loss
WILSON, BOOTSTRAP, NORMAL, ORDER, PAIRED = "wilson", "bootstrap", "normal", "order statistics", "paired score"


@dataclass(frozen=True)
class Interval:
    """A metric on all tested rows (pooled out-of-fold predictions) with its 95 % interval.

    value: the metric on all tested rows (None when undefined, e.g. precision with no predicted positive).
    low, high: the 95 % interval (0 and 1 for an undefined proportion).
    method: "wilson" (a proportion), "bootstrap", "normal" (slices), "order statistics" (a percentile of values,
    e.g. a latency: analysis.candidate.latency) or "paired score" (a difference of two proportions on the same
    trials: paired_difference).
    rows: rows tested. successes / trials: the counts of a proportion (5 true positives of 10 predicted positives),
    0 for a bootstrap. basis: what the trials are, in words ("predicted positives", "positive ('malignant') rows").
    resamples: bootstrap resamples that gave a value (0 for Wilson). subsample: rows per resample when fewer than
    rows were drawn (an m-out-of-n bootstrap), else 0.
    """

    value: float | None
    low: float
    high: float
    method: str
    rows: int
    successes: int = 0
    trials: int = 0
    basis: str = ""
    resamples: int = 0
    subsample: int = 0

    def counts_text(self) -> str:
        """Where the interval comes from, in words: "from 10 predicted positives" or "bootstrap of 569 rows"."""
        if self.method == WILSON:
            return f"from {self.trials:,} {self.basis}"
        if self.method == NORMAL:
            return f"normal approximation on {self.rows:,} {self.basis or 'rows'}"
        if self.method == ORDER:
            return f"order statistics of {self.rows:,} {self.basis or 'values'}"
        if self.method == PAIRED:
            return f"paired score interval (Newcombe) on {self.trials:,} {self.basis or 'rows'}"
        sub = f" (resamples of {self.subsample:,} rows, spread scaled to all rows)" if self.subsample else ""
        return f"bootstrap of {self.rows:,} {self.basis or 'out-of-fold predictions'}, {self.resamples} resamples{sub}"

    def complement(self) -> Interval:
        """The interval of 1 - metric (false positive rate from specificity, error rate from accuracy)."""
        value = None if self.value is None else 1.0 - self.value
        successes = self.trials - self.successes if self.method == WILSON else 0
        return Interval(value, 1.0 - self.high, 1.0 - self.low, self.method, self.rows, successes, self.trials,
                        self.basis, self.resamples, self.subsample)


def wilson(successes: int, trials: int, basis: str = "rows", rows: int | None = None) -> Interval:
    """The Wilson score interval of ``successes`` out of ``trials`` (value None and 0-1 when there is no trial)."""
    if trials <= 0:
        return Interval(None, 0.0, 1.0, WILSON, rows if rows is not None else 0, 0, 0, basis)
    p = successes / trials
    z2 = Z * Z
    centre = (p + z2 / (2 * trials)) / (1 + z2 / trials)
    half = Z * math.sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials)) / (1 + z2 / trials)
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == trials else min(1.0, centre + half)
    return Interval(_round(p), _round(low), _round(high), WILSON, rows if rows is not None else trials, int(successes),
                    int(trials), basis)


def paired_difference(mine: np.ndarray, theirs: np.ndarray, basis: str = "rows", rows: int | None = None) -> Interval:
    """The difference of two proportions on the same trials (``mine`` and ``theirs``: each trial's success, as
    booleans), with Newcombe's (1998, method 10) interval: the Wilson intervals of each proportion combined with
    the correlation of the paired outcomes. Like Wilson for one proportion, it keeps its coverage where a bootstrap of
    the few trials on which the two disagree would not. Method "paired score"; value None and -1 to 1 without trials."""
    mine, theirs = np.asarray(mine, dtype=bool), np.asarray(theirs, dtype=bool)
    n = len(mine)
    if n == 0:
        return Interval(None, -1.0, 1.0, PAIRED, rows or 0, 0, 0, basis)
    a, b = int(np.sum(mine & theirs)), int(np.sum(mine & ~theirs))
    c = int(np.sum(~mine & theirs))
    d = n - a - b - c
    first, second = wilson(a + b, n), wilson(a + c, n)
    p1, p2 = (a + b) / n, (a + c) / n
    margins = (a + b) * (c + d) * (a + c) * (b + d)
    phi = (a * d - b * c) / math.sqrt(margins) if margins else 0.0
    below = math.sqrt(max((p1 - first.low) ** 2 - 2 * phi * (p1 - first.low) * (second.high - p2)
                          + (second.high - p2) ** 2, 0.0))
    above = math.sqrt(max((first.high - p1) ** 2 - 2 * phi * (first.high - p1) * (p2 - second.low)
                          + (p2 - second.low) ** 2, 0.0))
    value = p1 - p2
    return Interval(_round(value), _round(max(-1.0, value - below)), _round(min(1.0, value + above)), PAIRED,
                    rows if rows is not None else n, 0, n, basis)


def normal_interval(value: float | None, se: float | None, rows: int, basis: str = "rows",
                    bounds: tuple[float, float] = (-math.inf, math.inf)) -> Interval:
    """``value`` +- Z standard errors (clipped to ``bounds``), method "normal"; no interval (-inf to inf) when the
    value or its standard error is unknown."""
    if value is None or not math.isfinite(value):
        return Interval(None, max(bounds[0], -math.inf), min(bounds[1], math.inf), NORMAL, rows, basis=basis)
    if se is None or not math.isfinite(se):
        return Interval(_round(value), -math.inf, math.inf, NORMAL, rows, basis=basis)
    low, high = max(bounds[0], value - Z * se), min(bounds[1], value + Z * se)
    return Interval(_round(value), _round(min(low, value)), _round(max(high, value)), NORMAL, rows, basis=basis)


def auc_se(auc, n1, n0):
    """Hanley & McNeil's standard error of a ROC AUC from ``n1`` positive and ``n0`` negative rows (numbers or numpy
    arrays; NaN where a side is empty)."""
    auc, n1, n0 = np.asarray(auc, dtype=np.float64), np.asarray(n1, dtype=np.float64), np.asarray(n0, dtype=np.float64)
    q1, q2 = auc / (2 - auc), 2 * auc * auc / (1 + auc)
    with np.errstate(invalid="ignore", divide="ignore"):
        var = (auc * (1 - auc) + (n1 - 1) * (q1 - auc * auc) + (n0 - 1) * (q2 - auc * auc)) / (n1 * n0)
    return np.sqrt(np.maximum(var, 0.0))


def confusion_intervals(tp: int, fp: int, tn: int, fn: int, positive: str = "",
                        negative: str = "") -> dict[str, Interval]:
    """Wilson intervals of the proportions of a binary confusion at one threshold: accuracy, recall, precision,
    specificity (the names of the positive and negative class make the counts' words)."""
    rows = tp + fp + tn + fn
    pos = f"positive ('{positive}') rows" if positive else "positive rows"
    neg = f"negative ('{negative}') rows" if negative else "negative rows"
    return {
        "accuracy": wilson(tp + tn, rows, "rows", rows),
        "recall": wilson(tp, tp + fn, pos, rows),
        "precision": wilson(tp, tp + fp, "predicted positives", rows),
        "specificity": wilson(tn, tn + fp, neg, rows),
    }


def metric_intervals(task: str, y: np.ndarray, scores: np.ndarray, classes: tuple[str, ...] = (),
                     positive: int | None = None, threshold: float = 0.5, random_state: int = 0,
                     resamples: int = BOOTSTRAP_RESAMPLES) -> dict[str, Interval]:
    """Every metric of analysis.baselines.metrics for pooled out-of-fold ``scores`` (probabilities per class, or
    predicted values) of rows with truth ``y`` (class codes, or values), with its 95 % interval (see the module
    docstring). ``threshold``: the binary decision threshold (positive when its probability >= threshold)."""
    y = np.asarray(y)
    scores = np.asarray(scores, dtype=np.float64)
    n = len(y)
    if n == 0:
        return {}
    if task == REGRESSION:
        compute = _regression
        y = y.astype(np.float64)
    elif task == BINARY:
        def compute(yy, ss, w):
            return _binary(yy, ss, positive, threshold, w)
    else:
        compute = _multiclass
    found = exact_intervals(task, y, scores, classes, positive, threshold)
    found.update(bootstrap(lambda keep, w: compute(*_rows(keep, y, scores), w), n, bootstrap_limit(task, scores),
                           random_state, resamples))
    return found


def bootstrap_limit(task: str, scores: np.ndarray) -> int:
    """Rows per resample above which the bootstrap of ``task`` draws an m-out-of-n bootstrap (see the module
    docstring): BOOTSTRAP_MAX_ROWS, or BOOTSTRAP_MAX_CELLS / classes for a multiclass task's K rankings."""
    if task != BINARY and task != REGRESSION and np.ndim(scores) == 2:
        return max(1_000, BOOTSTRAP_MAX_CELLS // max(1, scores.shape[1]))
    return BOOTSTRAP_MAX_ROWS


def bootstrap(compute, n: int, limit: int, random_state: int = 0,
              resamples: int = BOOTSTRAP_RESAMPLES) -> dict[str, Interval]:
    """The seeded percentile bootstrap of every metric ``compute`` gives, on ``n`` rows (see the module docstring).

    ``compute(keep, weights)`` returns metric name -> one value per row of ``weights`` (resample counts, shape
    (resamples, rows)), on the rows ``keep`` (positions into the n rows; None: all of them). Above ``limit`` rows the
    resamples are drawn from a random ``limit`` of the rows (an m-out-of-n bootstrap, spread scaled to all rows).
    A paired bootstrap (analysis.candidate.paired) returns the difference of two models' metrics on the same weights.
    """
    rng = np.random.default_rng(random_state)
    full = {name: values[0] for name, values in compute(None, np.ones((1, n))).items()}
    keep, m = None, n
    if n > limit:   # m-out-of-n: resamples of a fixed random m rows, deviations scaled by sqrt(m / n)
        keep, m = np.sort(rng.choice(n, limit, replace=False)), limit
    centre = full if m == n else {k: v[0] for k, v in compute(keep, np.ones((1, m))).items()}
    chunks: dict[str, list[np.ndarray]] = {}
    for start in range(0, resamples, RESAMPLE_CHUNK):
        r = min(RESAMPLE_CHUNK, resamples - start)
        drawn = rng.integers(0, m, size=(r, m)) + (np.arange(r) * m)[:, None]
        weights = np.bincount(drawn.ravel(), minlength=r * m).reshape(r, m).astype(np.float64)
        for name, values in compute(keep, weights).items():
            chunks.setdefault(name, []).append(values)
    return {name: _percentile(value, centre[name], np.concatenate(chunks[name]), n, m) for name, value in full.items()}


def _rows(keep: np.ndarray | None, *arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    """``arrays`` at the rows ``keep`` (all of them when None)."""
    return arrays if keep is None else tuple(a[keep] for a in arrays)


def weighted_metrics(task: str, y: np.ndarray, scores: np.ndarray, weights: np.ndarray, positive: int | None = None,
                     threshold: float = 0.5) -> dict[str, np.ndarray]:
    """Every metric of analysis.baselines.metrics, one value per row of ``weights`` (resample counts), the
    proportions (accuracy; binary recall, precision, specificity at ``threshold``) included: what a paired bootstrap
    compares (analysis.candidate.paired). ``scores``: probabilities per class, or predicted values."""
    if task == REGRESSION:
        return _regression(np.asarray(y, dtype=np.float64), scores, weights)
    rows = weights.sum(axis=1)
    if task == BINARY:
        truth, called = y == positive, scores[:, positive] >= threshold
        tp, fp = weights @ (truth & called), weights @ (~truth & called)
        tn, fn = weights @ (~truth & ~called), weights @ (truth & ~called)
        with np.errstate(invalid="ignore", divide="ignore"):
            shares = {"accuracy": (tp + tn) / rows, "recall": tp / (tp + fn), "precision": tp / (tp + fp),
                      "specificity": tn / (tn + fp)}
        return {**shares, **_binary(y, scores, positive, threshold, weights)}
    return {"accuracy": weights @ (scores.argmax(axis=1) == y) / rows, **_multiclass(y, scores, weights)}


def exact_intervals(task, y, scores, classes, positive, threshold) -> dict[str, Interval]:
    """The Wilson intervals of the proportions (see the module docstring): accuracy, and for a binary task recall,
    precision and specificity at ``threshold``; {} for regression."""
    if task == REGRESSION:
        return {}
    if task != BINARY:
        return {"accuracy": wilson(int(np.sum(scores.argmax(axis=1) == y)), len(y), "rows", len(y))}
    truth = y == positive
    predicted = scores[:, positive] >= threshold
    names = (classes[positive], classes[1 - positive]) if len(classes) == 2 else ("", "")
    return confusion_intervals(int(np.sum(truth & predicted)), int(np.sum(~truth & predicted)),
                               int(np.sum(~truth & ~predicted)), int(np.sum(truth & ~predicted)), *names)


def _percentile(full: float, centre: float, boot: np.ndarray, n: int, m: int) -> Interval:
    sub = m if m < n else 0
    if not np.isfinite(full):
        return Interval(None, 0.0, 1.0, BOOTSTRAP, n, resamples=0, subsample=sub)
    boot = boot[np.isfinite(boot)]
    if len(boot) < MIN_RESAMPLES or not np.isfinite(centre):   # undefined on most resamples: no interval
        return Interval(_round(full), -math.inf, math.inf, BOOTSTRAP, n, resamples=len(boot), subsample=sub)
    low, high = np.quantile(boot, [(1 - LEVEL) / 2, (1 + LEVEL) / 2])
    if sub:
        scale = math.sqrt(m / n)
        low, high = full + (low - centre) * scale, full + (high - centre) * scale
    return Interval(_round(full), _round(min(low, full)), _round(max(high, full)), BOOTSTRAP, n,
                    resamples=len(boot), subsample=sub)


# --- weighted metrics: one value per row of weights (resample counts; all ones for the full data) ----------------

def _ranking(truth: np.ndarray, score: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weighted ROC AUC and average precision (as scikit-learn computes them, ties included) of every weight row:
    cumulative positive and negative weights from the highest score down, read at the end of each tie group.
    (Computed rows x resamples: numpy accumulates along the first axis several times faster.) One tie group (a
    constant score, the dummy's) ranks nothing: ROC AUC 0.5 and average precision the positive share, directly."""
    if len(score) and score.min() == score.max():
        total_pos = weights @ truth.astype(np.float64)
        total_neg = weights.sum(axis=1) - total_pos
        with np.errstate(invalid="ignore", divide="ignore"):
            auc, ap = np.full(len(weights), 0.5), total_pos / (total_pos + total_neg)
        auc[(total_pos <= 0) | (total_neg <= 0)] = np.nan
        ap[total_pos <= 0] = np.nan
        return auc, ap
    order = np.argsort(-score, kind="mergesort")
    s, t = score[order], truth[order]
    ends = np.flatnonzero(np.r_[s[1:] != s[:-1], True])        # last row of each tie group, highest score first
    w = weights.T[order]
    tp = np.cumsum(w * t[:, None], axis=0)[ends]                 # positives scored at or above each group
    fp = np.cumsum(w, axis=0)[ends] - tp
    total_pos, total_neg = tp[-1], fp[-1]
    pos = np.diff(tp, axis=0, prepend=0.0)
    neg = np.diff(fp, axis=0, prepend=0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        auc = (pos * (total_neg - fp + 0.5 * neg)).sum(axis=0) / (total_pos * total_neg)
        ap = (pos * (tp / np.maximum(tp + fp, 1e-300))).sum(axis=0) / total_pos
    auc[(total_pos <= 0) | (total_neg <= 0)] = np.nan
    ap[total_pos <= 0] = np.nan
    return auc, ap


def _binary(y, scores, positive, threshold, w) -> dict[str, np.ndarray]:
    truth = y == positive
    score = scores[:, positive]
    predicted = score >= threshold
    rows = w.sum(axis=1)
    tp, fp = w @ (truth & predicted), w @ (~truth & predicted)
    tn, fn = w @ (~truth & ~predicted), w @ (truth & ~predicted)
    with np.errstate(invalid="ignore", divide="ignore"):
        balanced = (tp / (tp + fn) + tn / (tn + fp)) / 2
        f1 = np.where(2 * tp + fp + fn > 0, 2 * tp / np.maximum(2 * tp + fp + fn, 1e-300), 0.0)
    clipped = np.clip(score, EPS, 1 - EPS)
    log_loss = w @ -np.where(truth, np.log(clipped), np.log(1 - clipped)) / rows
    brier = w @ (score - truth) ** 2 / rows
    auc, ap = _ranking(truth, score, w)
    return {"balanced accuracy": balanced, "f1": f1, "roc auc": auc, "pr auc": ap, "log loss": log_loss,
            "brier score": brier}


def _multiclass(y, proba, w) -> dict[str, np.ndarray]:
    k = proba.shape[1]
    predicted = proba.argmax(axis=1)
    rows = w.sum(axis=1)
    pair = y * k + predicted
    confusion = np.stack([np.bincount(pair, weights=row, minlength=k * k) for row in w]).reshape(len(w), k, k)
    tp = np.diagonal(confusion, axis1=1, axis2=2)
    actual, called = confusion.sum(axis=2), confusion.sum(axis=1)
    fp, fn = called - tp, actual - tp
    tn = rows[:, None] - tp - fp - fn
    present, keep = actual > 0, (actual > 0) | (called > 0)     # as scikit-learn's macro averages count classes
    with np.errstate(invalid="ignore", divide="ignore"):
        recall = tp / np.where(present, actual, 1)
        balanced = _masked_mean(recall, present)
        macro_recall = _masked_mean(np.where(present, recall, 0.0), keep)
        macro_precision = _masked_mean(np.where(called > 0, tp / np.where(called > 0, called, 1), 0.0), keep)
        f1 = np.where(2 * tp + fp + fn > 0, 2 * tp / np.where(2 * tp + fp + fn > 0, 2 * tp + fp + fn, 1), 0.0)
        macro_f1 = _masked_mean(f1, keep)
        negatives = tn + fp
        specificity = _masked_mean(tn / np.where(negatives > 0, negatives, 1), keep & (negatives > 0))
    onehot = np.eye(k)[y]
    clipped = np.clip(proba, EPS, 1.0)
    clipped = clipped / clipped.sum(axis=1, keepdims=True)
    log_loss = w @ -np.log(clipped[np.arange(len(y)), y]) / rows
    brier = w @ ((proba - onehot) ** 2).sum(axis=1) / rows
    ranked = [_ranking(y == c, proba[:, c], w) for c in range(k)]
    roc = np.mean(np.stack([auc for auc, _ in ranked]), axis=0)   # one-vs-rest macro: undefined when a class is absent
    aps = np.stack([ap for _, ap in ranked])
    pr = _masked_mean(np.nan_to_num(aps.T), np.isfinite(aps.T))
    return {"balanced accuracy": balanced, "precision": macro_precision, "recall": macro_recall,
            "specificity": specificity, "f1": macro_f1, "roc auc": roc, "pr auc": pr, "log loss": log_loss,
            "brier score": brier}


def _masked_mean(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Mean over the classes (axis 1) where ``mask`` holds; NaN where none does."""
    count = mask.sum(axis=1)
    total = np.where(mask, np.nan_to_num(values), 0.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def _regression(y, predicted, w) -> dict[str, np.ndarray]:
    predicted = predicted.ravel()
    rows = w.sum(axis=1)
    error = y - predicted
    mae = w @ np.abs(error) / rows
    sse = w @ error ** 2
    rmse = np.sqrt(sse / rows)
    mean = w @ y / rows
    sst = w @ (y * y) - rows * mean ** 2
    with np.errstate(invalid="ignore", divide="ignore"):
        r2 = np.where(sst > 1e-12 * np.maximum(w @ (y * y), 1e-300), 1 - sse / sst, np.nan)
    mape = w @ (np.abs(error) / np.maximum(np.abs(y), np.finfo(np.float64).eps)) / rows
    return {"mae": mae, "rmse": rmse, "r2": r2, "mape": mape}


def _round(value: float) -> float:
    return round(float(value), 6)
