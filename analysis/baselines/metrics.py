"""Metrics, curves and permutation importance of the baseline models, computed with scikit-learn's own functions.

Classification (``y``: class codes 0..K-1, ``proba``: one column per class):
    accuracy, balanced accuracy, precision, recall, specificity, f1, roc auc, pr auc, log loss, brier score.
    Binary: precision, recall, f1 and specificity are those of the positive class, predicted when its probability is
    >= the decision threshold (the design document's; 0.5 when it names none); accuracy, balanced accuracy and the
    confusion matrix use the same threshold; pr auc is the average precision; brier score is scaled to [0, 1].
    Multiclass: the class with the highest probability is predicted; precision, recall, f1 and specificity are macro
    averages; roc auc is one-vs-rest macro; pr auc the macro average precision; brier score is in [0, 2].
Regression: mae, rmse, r2, mape (a fraction: 0.12 is 12%).
A metric that is undefined on a fold (roc auc with one class present) is None.

Chance (analysis.baselines.run decides with these whether a model beats the dummy floor meaningfully):
chance_se() is the standard error the primary metric has by chance alone, for a scorer that knows nothing about
the target, on the rows tested: ROC AUC sqrt((n1 + n0 + 1) / (12 n1 n0)) (the Mann-Whitney null variance, Hanley &
McNeil 1982, at AUC 0.5); balanced accuracy sqrt(sum_c q_c (1 - q_c) / n_c) / K for the model's predicted class shares
q_c and the class sizes n_c (recall of class c is then a binomial share); regression: 1 / sqrt(n), the chance spread
of the correlation of predictions and target, which bounds the RMSE share a model can gain: 1 - sqrt(1 - r^2).
chance_z(m) is the one-sided normal quantile at CHANCE_ALPHA / m: the best of m models is the largest of m chances.

Curves are computed on the pooled out-of-fold predictions and kept small: ROC and PR at most CURVE_POINTS points,
the confusion matrix, and for binary tasks the threshold grid 0.00, 0.01, ..., 1.00 with the counts and rates each
threshold gives (the threshold explorer reads it without recomputing); regression keeps a sample of residuals.
"""
from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

from analysis.target import BINARY, MULTICLASS, REGRESSION

CLASSIFICATION_METRICS = ("accuracy", "balanced accuracy", "precision", "recall", "specificity", "f1", "roc auc",
                          "pr auc", "log loss", "brier score")
REGRESSION_METRICS = ("mae", "rmse", "r2", "mape")
LOWER_IS_BETTER = frozenset({"log loss", "brier score", "mae", "rmse", "mape"})
PRIMARY_METRIC = {BINARY: "roc auc", MULTICLASS: "balanced accuracy", REGRESSION: "rmse"}
DISPLAY = {"roc auc": "ROC AUC", "pr auc": "PR AUC", "f1": "F1", "mae": "MAE", "rmse": "RMSE", "r2": "R2",
           "mape": "MAPE"}
CURVE_POINTS = 200
RESIDUAL_POINTS = 500
THRESHOLDS = np.round(np.arange(101) / 100, 2)
DECIMALS = 6
DEFAULT_THRESHOLD = 0.5   # binary decision threshold when the design document names none
CHANCE_ALPHA = 0.05   # one-sided, shared by the models compared (Bonferroni): noise passes at most 1 in 20 times


# How a design criterion may name a metric ("AUC", "sensitivity", "f1-score") -> the name the baselines use; the
# complements are measured as 1 - a metric ("fpr" = 1 - specificity).
ALIASES = {
    "auc": "roc auc", "roc-auc": "roc auc", "roc_auc": "roc auc", "auroc": "roc auc", "roc": "roc auc",
    "pr-auc": "pr auc", "pr_auc": "pr auc", "auprc": "pr auc", "average precision": "pr auc", "ap": "pr auc",
    "f1 score": "f1", "f1-score": "f1", "f1_score": "f1", "f-score": "f1", "f1 macro": "f1", "macro f1": "f1",
    "sensitivity": "recall", "tpr": "recall", "true positive rate": "recall", "hit rate": "recall",
    "tnr": "specificity", "true negative rate": "specificity", "selectivity": "specificity",
    "ppv": "precision", "positive predictive value": "precision",
    "balanced_accuracy": "balanced accuracy", "brier": "brier score", "brier_score": "brier score",
    "logloss": "log loss", "log_loss": "log loss", "cross entropy": "log loss", "cross-entropy": "log loss",
    "r²": "r2", "r^2": "r2", "r squared": "r2", "r-squared": "r2",
    "mean absolute error": "mae", "root mean squared error": "rmse",
    "mean absolute percentage error": "mape",
}
COMPLEMENTS = {"fpr": "specificity", "false positive rate": "specificity", "fnr": "recall",
               "false negative rate": "recall", "miss rate": "recall", "error rate": "accuracy"}
# Binary metrics that depend on the decision threshold; the others rank the scores at every threshold.
THRESHOLD_METRICS = frozenset({"accuracy", "balanced accuracy", "precision", "recall", "specificity", "f1"})
POSITIVE_CLASS_METRICS = frozenset({"precision", "recall", "f1"})


def canonical_metric(name: str) -> tuple[str, bool]:
    """(the baselines' name of a metric as a criterion writes it, whether the criterion is 1 - that metric):
    "Sensitivity" -> ("recall", False), "FPR" -> ("specificity", True),
    "p95 latency_ms" -> ("p95 latency_ms", False)."""
    text = " ".join(str(name).lower().replace("_", " ").split())
    if text in COMPLEMENTS:
        return COMPLEMENTS[text], True
    return ALIASES.get(text, ALIASES.get(text.replace(" ", "_"), text)), False


def choose_primary_metric(task: str, criteria_metrics: list[str] | tuple[str, ...]) -> str:
    """The metric that picks a run's best model, from the metrics a design document's success criteria name (in
    their order):
    1. the first named metric that needs no decision threshold (binary: ROC AUC, PR AUC, log loss, brier score;
       every metric of a multiclass or regression task), so the best model is best at what the criteria measure;
    2. binary criteria that name only threshold metrics: PR AUC when one is about the positive class (recall,
       precision, F1), else ROC AUC (specificity, accuracy). A threshold metric itself would reward a model for
       where its scores fall against one threshold: a model that calls every row positive has recall 1;
    3. no criterion the task measures: the task's default (PRIMARY_METRIC).
    """
    named = [canonical_metric(m)[0] for m in criteria_metrics]
    named = [m for m in named if m in metric_names(task)]
    if task != BINARY:
        return named[0] if named else PRIMARY_METRIC[task]
    free = [m for m in named if m not in THRESHOLD_METRICS]
    if free:
        return free[0]
    if any(m in POSITIVE_CLASS_METRICS for m in named):
        return "pr auc"
    return PRIMARY_METRIC[task]


def primary_reason(task: str, primary: str, criteria_metrics: list[str] | tuple[str, ...]) -> str:
    """Why ``primary`` picks the best model, in one sentence (see choose_primary_metric)."""
    label = display_name(primary)
    named = [canonical_metric(m)[0] for m in criteria_metrics]
    measured = [m for m in named if m in metric_names(task)]
    if primary == PRIMARY_METRIC[task] and primary not in measured:
        if measured:
            return (f"The best model is the one with the best {label}: the success criteria name only "
                    f"{', '.join(display_name(m) for m in dict.fromkeys(measured))}, which depend on the decision "
                    f"threshold, and {label} ranks the models at every threshold.")
        return (f"The best model is the one with the best {label} (the default for a {task} task: "
                "the success criteria name no metric the baselines measure).")
    if primary in measured:
        return f"The best model is the one with the best {label}, a metric the success criteria name."
    threshold = [display_name(m) for m in dict.fromkeys(measured) if m in THRESHOLD_METRICS]
    return (f"The best model is the one with the best {label}: the success criteria name "
            f"{', '.join(threshold)}, which depend on the decision threshold, and {label} ranks how well a model "
            "finds the positive class at every threshold.")


def metric_names(task: str) -> tuple[str, ...]:
    return REGRESSION_METRICS if task == REGRESSION else CLASSIFICATION_METRICS


def display_name(metric: str) -> str:
    """How a metric is written for people: "roc auc" -> "ROC AUC", "recall" -> "recall"."""
    return DISPLAY.get(metric, metric)


def classification_metrics(y: np.ndarray, proba: np.ndarray, positive: int | None = None,
                           threshold: float = DEFAULT_THRESHOLD) -> dict[str, float | None]:
    """The classification metrics of one fold (see the module docstring); ``positive``: the positive class's code
    for a binary task (None: multiclass); ``threshold``: the binary decision threshold."""
    from sklearn import metrics as m

    k = proba.shape[1]
    labels = list(range(k))
    out: dict[str, float | None] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if positive is not None:
            truth = y == positive
            score = proba[:, positive]
            pred = score >= threshold
            out["accuracy"] = m.accuracy_score(truth, pred)
            out["balanced accuracy"] = m.balanced_accuracy_score(truth, pred)
            out["precision"] = m.precision_score(truth, pred, zero_division=0.0)
            out["recall"] = m.recall_score(truth, pred, zero_division=0.0)
            out["specificity"] = m.recall_score(truth, pred, pos_label=False, zero_division=0.0)
            out["f1"] = m.f1_score(truth, pred, zero_division=0.0)
            both = 0 < truth.sum() < len(truth)
            out["roc auc"] = m.roc_auc_score(truth, score) if both else None
            out["pr auc"] = m.average_precision_score(truth, score) if truth.any() else None
            out["log loss"] = m.log_loss(y, proba, labels=labels)
            out["brier score"] = m.brier_score_loss(truth, score)
        else:
            pred = proba.argmax(axis=1)
            out["accuracy"] = m.accuracy_score(y, pred)
            out["balanced accuracy"] = m.balanced_accuracy_score(y, pred)
            out["precision"] = m.precision_score(y, pred, average="macro", zero_division=0.0)
            out["recall"] = m.recall_score(y, pred, average="macro", zero_division=0.0)
            out["specificity"] = _macro_specificity(m.confusion_matrix(y, pred, labels=labels))
            out["f1"] = m.f1_score(y, pred, average="macro", zero_division=0.0)
            out["roc auc"] = _or_none(lambda: m.roc_auc_score(y, proba, multi_class="ovr", average="macro",
                                                              labels=labels))
            out["pr auc"] = _or_none(lambda: m.average_precision_score(y, proba, average="macro"))
            out["log loss"] = m.log_loss(y, proba, labels=labels)
            out["brier score"] = m.brier_score_loss(y, proba, labels=labels)
    return {name: _number(out[name]) for name in CLASSIFICATION_METRICS}


def regression_metrics(y: np.ndarray, predicted: np.ndarray) -> dict[str, float | None]:
    """mae, rmse, r2 and mape of one fold."""
    from sklearn import metrics as m

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = {
            "mae": m.mean_absolute_error(y, predicted),
            "rmse": m.root_mean_squared_error(y, predicted),
            "r2": m.r2_score(y, predicted) if len(y) > 1 else None,
            "mape": m.mean_absolute_percentage_error(y, predicted),
        }
    return {name: _number(value) for name, value in out.items()}


def _macro_specificity(confusion: np.ndarray) -> float | None:
    total = confusion.sum()
    predicted = confusion.sum(axis=0)
    actual = confusion.sum(axis=1)
    tp = np.diag(confusion)
    fp = predicted - tp
    tn = total - actual - fp
    present = (actual > 0) | (predicted > 0)
    negatives = tn + fp
    keep = present & (negatives > 0)
    return float(np.mean(tn[keep] / negatives[keep])) if keep.any() else None


def _or_none(compute: Callable[[], float]) -> float | None:
    try:
        return compute()
    except ValueError:
        return None


def _number(value) -> float | None:
    if value is None:
        return None
    value = float(value)
    return value if np.isfinite(value) else None


def summarize(folds: list[dict[str, float | None]], names: tuple[str, ...]) -> tuple[dict, dict]:
    """Mean and standard deviation (numpy's, ddof=0, as scikit-learn's cv_results_) of each metric over the folds
    where it is defined; the deviation is None with fewer than 2 such folds."""
    means, stds = {}, {}
    for name in names:
        values = [f[name] for f in folds if f.get(name) is not None]
        means[name] = float(np.mean(values)) if values else None
        stds[name] = float(np.std(values)) if len(values) > 1 else None
    return means, stds


def chance_z(n_compared: int, alpha: float = CHANCE_ALPHA) -> float:
    """One-sided normal quantile at alpha / n_compared (Bonferroni): the best of ``n_compared`` models passes a bound
    of z standard errors by chance with probability at most ``alpha``. 1.64 for one model, 2.24 for four."""
    return NormalDist().inv_cdf(1.0 - alpha / max(1, n_compared))


def chance_se(task: str, curves: Curves | None) -> float | None:
    """Standard error of the primary metric by chance alone on the rows of ``curves`` (see the module docstring):
    ROC AUC for binary, balanced accuracy for multiclass, the correlation with the target for regression.
    None when it cannot be computed (no curves, a class absent from the tested rows)."""
    if curves is None or curves.rows < 2:
        return None
    if task == REGRESSION:
        return 1.0 / math.sqrt(curves.rows)
    if curves.confusion is None:
        return None
    counts = np.asarray(curves.confusion.counts, dtype=np.float64)
    actual = counts.sum(axis=1)
    if task == BINARY:
        n1, n0 = actual
        return math.sqrt((n1 + n0 + 1) / (12.0 * n1 * n0)) if n1 and n0 else None
    present = actual > 0   # balanced accuracy averages the recalls of the classes tested
    if not present.any():
        return None
    shares = counts.sum(axis=0) / counts.sum()
    return math.sqrt(float(np.sum((shares * (1 - shares))[present] / actual[present]))) / int(present.sum())


@dataclass(frozen=True)
class Curve:
    """Points of a curve: ROC (x = false positive rate, y = true positive rate) or PR (x = recall, y = precision)."""

    x: tuple[float, ...]
    y: tuple[float, ...]


@dataclass(frozen=True)
class Confusion:
    """Counts of rows by actual class (rows of ``counts``) and predicted class (columns), classes as ``labels``.
    threshold: the probability from which the positive class is predicted (binary), None for argmax (multiclass)."""

    labels: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]
    threshold: float | None


@dataclass(frozen=True)
class ThresholdGrid:
    """What each threshold gives on a binary task (positive predicted when its probability >= threshold).

    threshold: 0.00, 0.01, ..., 1.00. tp, fp, tn, fn: confusion counts at each. precision, recall, fpr, fnr: the
    rates (None where undefined: precision with no positive prediction, rates of an absent class).
    """

    threshold: tuple[float, ...]
    tp: tuple[int, ...]
    fp: tuple[int, ...]
    tn: tuple[int, ...]
    fn: tuple[int, ...]
    precision: tuple[float | None, ...]
    recall: tuple[float | None, ...]
    fpr: tuple[float | None, ...]
    fnr: tuple[float | None, ...]

    def at(self, threshold: float) -> dict[str, float | int | None]:
        """Counts and rates at the grid threshold nearest to ``threshold``."""
        i = int(np.clip(round(threshold * 100), 0, 100))
        return {name: getattr(self, name)[i] for name in
                ("threshold", "tp", "fp", "tn", "fn", "precision", "recall", "fpr", "fnr")}


@dataclass(frozen=True)
class Residuals:
    """A sample of regression predictions: ``actual`` and ``predicted`` values (residual = actual - predicted)."""

    actual: tuple[float, ...]
    predicted: tuple[float, ...]


@dataclass(frozen=True)
class Curves:
    """What the charts of one model need, from its out-of-fold predictions on ``rows`` rows.

    roc, pr: binary only. confusion: classification. thresholds: binary only. residuals: regression only.
    """

    rows: int
    roc: Curve | None = None
    pr: Curve | None = None
    confusion: Confusion | None = None
    thresholds: ThresholdGrid | None = None
    residuals: Residuals | None = None


def compute_curves(task: str, y: np.ndarray, scores: np.ndarray, classes: tuple[str, ...], positive: int | None,
                   random_state: int = 0, threshold: float = DEFAULT_THRESHOLD) -> Curves:
    """Curves of one model from pooled out-of-fold ``scores`` (probabilities per class, or predicted values); the
    binary confusion matrix at the decision ``threshold``."""
    from sklearn.metrics import confusion_matrix, precision_recall_curve, roc_curve

    if task == REGRESSION:
        rng = np.random.default_rng(random_state)
        keep = (np.sort(rng.choice(len(y), RESIDUAL_POINTS, replace=False)) if len(y) > RESIDUAL_POINTS
                else np.arange(len(y)))
        return Curves(len(y), residuals=Residuals(_floats(y[keep]), _floats(scores[keep])))
    labels = list(range(len(classes)))
    if task == MULTICLASS:
        counts = confusion_matrix(y, scores.argmax(axis=1), labels=labels)
        return Curves(len(y), confusion=Confusion(classes, _ints2(counts), None))
    truth = y == positive
    score = scores[:, positive]
    predicted = np.where(score >= threshold, positive, 1 - positive)
    confusion = Confusion(classes, _ints2(confusion_matrix(y, predicted, labels=labels)), float(threshold))
    roc = pr = None
    if 0 < truth.sum() < len(truth):
        fpr, tpr, _ = roc_curve(truth, score)
        roc = Curve(*_thin(fpr, tpr))
        precision, recall, _ = precision_recall_curve(truth, score)
        pr = Curve(*_thin(recall, precision))
    return Curves(len(y), roc=roc, pr=pr, confusion=confusion, thresholds=threshold_grid(truth, score))


def threshold_grid(truth: np.ndarray, score: np.ndarray) -> ThresholdGrid:
    """Counts and rates at thresholds 0.00..1.00 (positive when score >= threshold), by sorting once."""
    positives = np.sort(score[truth])
    negatives = np.sort(score[~truth])
    tp = len(positives) - np.searchsorted(positives, THRESHOLDS, side="left")
    fp = len(negatives) - np.searchsorted(negatives, THRESHOLDS, side="left")
    fn = len(positives) - tp
    tn = len(negatives) - fp
    return ThresholdGrid(
        threshold=_floats(THRESHOLDS), tp=_ints(tp), fp=_ints(fp), tn=_ints(tn), fn=_ints(fn),
        precision=_rates(tp, tp + fp), recall=_rates(tp, tp + fn), fpr=_rates(fp, fp + tn), fnr=_rates(fn, tp + fn),
    )


def _thin(x: np.ndarray, y: np.ndarray) -> tuple[tuple[float, ...], tuple[float, ...]]:
    if len(x) > CURVE_POINTS:
        keep = np.unique(np.round(np.linspace(0, len(x) - 1, CURVE_POINTS)).astype(np.int64))
        x, y = x[keep], y[keep]
    return _floats(x), _floats(y)


def _rates(part: np.ndarray, whole: np.ndarray) -> tuple[float | None, ...]:
    return tuple(round(float(p) / w, DECIMALS) if w else None for p, w in zip(part, whole, strict=True))


def _floats(values) -> tuple[float, ...]:
    return tuple(round(float(v), DECIMALS) for v in values)


def _ints(values) -> tuple[int, ...]:
    return tuple(int(v) for v in values)


def _ints2(matrix) -> tuple[tuple[int, ...], ...]:
    return tuple(_ints(row) for row in matrix)


@dataclass(frozen=True)
class FeatureImportance:
    """How much the primary metric worsens when one feature's values are shuffled: mean and std over the repeats
    (in the metric's units; larger = the model relies on it more)."""

    feature: str
    mean: float
    std: float


def permutation_importance(score: Callable[[np.ndarray], float], X: np.ndarray, groups: dict[str, list[int]], *,
                           n_repeats: int, random_state: int, deadline: float
                           ) -> tuple[tuple[FeatureImportance, ...], int]:
    """Permutation importance of each feature: ``score(X)`` is higher for better; ``groups[feature]`` are the columns of
    ``X`` made from it (shuffled together). ``X`` is a numpy array or a scipy sparse matrix (a text column's TF-IDF:
    its rows are shuffled without making it dense). Stops before ``deadline`` (time.perf_counter()); returns
    (importances, largest first; features done)."""
    import scipy.sparse as sp

    rng = np.random.default_rng(random_state)
    base = score(X)
    shuffle = _sparse_shuffler(X) if sp.issparse(X) else _dense_shuffler(X)
    found, done = [], 0
    for feature, positions in groups.items():
        began = time.perf_counter()
        with_rows = shuffle(positions)
        drops = [base - score(with_rows(rng.permutation(X.shape[0]))) for _ in range(n_repeats)]
        found.append(FeatureImportance(str(feature), round(float(np.mean(drops)), DECIMALS),
                                       round(float(np.std(drops)), DECIMALS)))
        done += 1
        now = time.perf_counter()
        if now + (now - began) > deadline:
            break
    return tuple(sorted(found, key=lambda f: -f.mean)), done


def _dense_shuffler(X: np.ndarray):
    """shuffle(positions)(order): X with the columns at ``positions`` taking their rows in ``order`` (one copy of X,
    reused: each call undoes the previous one)."""
    shuffled = np.array(X, copy=True)
    last: list = []

    def shuffle(positions):
        if last:
            shuffled[:, last[0]] = X[:, last[0]]
        last[:] = [positions]
        original = X[:, positions]

        def with_rows(order):
            shuffled[:, positions] = original[order]
            return shuffled
        return with_rows
    return shuffle


def _sparse_shuffler(X):
    """As _dense_shuffler for a sparse matrix: X = rest + block, where block holds only the columns at ``positions``;
    a shuffle permutes the block's rows."""
    import scipy.sparse as sp

    X = sp.csr_matrix(X)

    def shuffle(positions):
        keep = np.ones(X.shape[1])
        keep[positions] = 0.0
        rest = X @ sp.diags(keep)
        block = X[:, positions]
        place = sp.csr_matrix((np.ones(len(positions)), (np.arange(len(positions)), positions)),
                              shape=(len(positions), X.shape[1]))

        def with_rows(order):
            return (rest + block[order] @ place).tocsr()
        return with_rows
    return shuffle
