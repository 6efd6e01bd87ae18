"""Single-feature scores for leakage checks: how well one column alone predicts the target.

    y = encode_target(sample[target], task)
    folds = assign_folds(y, cv_folds, seed)
    score = score_feature(sample[column], column_type, y, folds, bins=20, smoothing=10.0)
    score.score, score.metric, score.z

No model is fitted. Classification (binary, multiclass) is scored by ROC AUC, regression by R2:
- ``raw``: the feature's own values as the prediction (numeric and date features). For AUC the direction that
  fits is taken (a feature that falls with the target separates as well as one that rises); missing values
  are put at whichever end fits better. Multiclass: one-vs-rest AUC per class, weighted by class share.
  Regression: the R2 of a least-squares line, fitted on the training folds and scored on the held-out fold.
- ``cv``: a cross-validated lookup model. Numbers are cut into quantile bins (missing values get a bin of their
  own), categories keep their values; each held-out row is predicted by the target mean of its bin or value
  in the other folds, pulled towards the fold's overall mean by ``smoothing`` rows (target-mean encoding).
  This catches relations that are not monotonic and categories that give the class away.
- ``score`` = max(raw, cv): the best the feature does alone.

Evidence beside the score: the rank correlation (Spearman) with the target (numeric features; binary or numeric
targets), the mutual information in bits between the binned feature and the (binned) target on the whole
sample, and its share of the target's entropy (1.0: the feature determines the target); ``z`` says how many
standard errors of chance the score is above chance (AUC 0.5 or R2 0), from the Mann-Whitney null for AUC and
from the rank correlation for regression.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.column_types import DATETIME, ID, NUMERIC

BINARY, MULTICLASS, REGRESSION = "binary", "multiclass", "regression"
ROC_AUC, R2 = "roc_auc", "r2"
MAX_SCORED_CLASSES = 10   # multiclass AUC is averaged over the largest classes only (their shares reweighted)
TARGET_BINS = 10          # quantile bins of a numeric target for its mutual information with a feature


@dataclass(frozen=True)
class FeatureScore:
    """How well one column alone predicts the target, on the scan's sample.

    column: the feature. kind: its column type.
    metric: "roc_auc" (classification) or "r2" (regression).
    score: max(raw, cv), the figure the thresholds are compared with.
    raw: the feature's values used directly as the prediction (None for categories and text).
    cv: the cross-validated lookup model (bins or values -> target mean of the other folds).
    low: lower confidence bound of the score (score - confidence_z standard errors; Hanley-McNeil for AUC,
        Fisher's z of the correlation for R2): what the thresholds are compared with, so that a small sample
        needs a clearer score (with 60 rows an honest feature can reach AUC 0.99 by chance).
    z: standard errors above chance (AUC 0.5 / no correlation); large means not a fluke of a small sample.
    rank_correlation: Spearman correlation with the target (None for categories, or a multiclass target).
    mi_bits: mutual information between the binned feature and the target, in bits.
    mi_share: mi_bits / entropy of the target (0: unrelated, 1: the feature determines the target).
    rows: rows scored (labelled rows of the sample). missing_share: share of those rows where the feature is missing.
    """

    column: str
    kind: str
    metric: str
    score: float
    raw: float | None
    cv: float
    low: float
    z: float
    rank_correlation: float | None
    mi_bits: float
    mi_share: float
    rows: int
    missing_share: float


@dataclass(frozen=True)
class EncodedTarget:
    """The target as numbers.

    task: "binary", "multiclass" or "regression".
    codes: per row, the class index (classes largest first; beyond MAX_SCORED_CLASSES classes, the smaller ones
        share one last "(other)" code), or for regression the target's quantile bin.
    values: the codes as floats, or for regression the target's values.
    labels: the class labels as text, largest first (empty for regression). shares: the share of each label.
    """

    task: str
    codes: np.ndarray
    values: np.ndarray
    labels: tuple[str, ...]
    shares: np.ndarray


def encode_target(target: pd.Series, task: str) -> EncodedTarget:
    """Encode a target without missing values; classes are ordered largest first."""
    if task == REGRESSION:
        values = target.to_numpy(dtype=np.float64, na_value=np.nan)
        return EncodedTarget(task, _quantile_codes(values, TARGET_BINS), values, (), np.ones(1))
    codes, uniques = pd.factorize(target, use_na_sentinel=True)
    counts = np.bincount(codes, minlength=len(uniques))
    order = np.argsort(-counts, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    codes = rank[codes].astype(np.int64)
    labels = [str(uniques[i]) for i in order]
    counts = counts[order]
    if len(labels) > MAX_SCORED_CLASSES + 1:
        codes = np.minimum(codes, MAX_SCORED_CLASSES)
        labels = labels[:MAX_SCORED_CLASSES] + ["(other)"]
        counts = np.r_[counts[:MAX_SCORED_CLASSES], counts[MAX_SCORED_CLASSES:].sum()]
    return EncodedTarget(task, codes, codes.astype(np.float64), tuple(labels), counts / len(codes))


def assign_folds(y: EncodedTarget, folds: int, seed: int) -> np.ndarray:
    """Fold number per row: stratified by class for classification (each class dealt round-robin after a
    shuffle), a shuffled round-robin for regression."""
    rng = np.random.default_rng(seed)
    n = len(y.codes)
    out = np.empty(n, dtype=np.int64)
    if y.task == REGRESSION:
        out[rng.permutation(n)] = np.arange(n) % folds
        return out
    start = 0
    order = np.argsort(y.codes, kind="stable")
    for size in np.bincount(y.codes):
        members = order[start : start + size]
        out[rng.permutation(members)] = (np.arange(size) + start) % folds
        start += size
    return out


def feature_values(series: pd.Series, kind: str) -> tuple[np.ndarray | None, np.ndarray | None]:
    """(numbers, None) for numeric, date and numeric id columns (NaN where missing); (None, codes) otherwise:
    integer codes of the values, missing values with a code of their own."""
    if kind == DATETIME or pd.api.types.is_datetime64_any_dtype(series.dtype):
        stamps = pd.to_datetime(series, errors="coerce").to_numpy(dtype="datetime64[ns]")
        numbers = stamps.view(np.int64).astype(np.float64)
        numbers[np.isnat(stamps)] = np.nan
        return numbers, None
    is_number = pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype)
    if kind in (NUMERIC, ID) and is_number:
        numbers = series.to_numpy(dtype=np.float64, na_value=np.nan)
        return np.where(np.isfinite(numbers), numbers, np.nan), None
    return None, _category_codes(series)


def score_feature(
    series: pd.Series, kind: str, y: EncodedTarget, folds: np.ndarray, *, bins: int, smoothing: float,
    confidence_z: float = 1.645, numbers: np.ndarray | None = None,
) -> FeatureScore:
    """Score one feature (``series``, aligned with ``y``) against the target; see the module docstring.
    ``numbers`` overrides the values read from the series (e.g. the digits of a text identifier).

    Numbers are sorted once; the raw AUC, the rank correlation and the quantile bins all come from that order.
    AUCs are computed from counts per distinct prediction, not by ranking rows."""
    codes = None
    if numbers is None:
        numbers, codes = feature_values(series, kind)
    raw = rho = None
    if numbers is not None:
        missing = np.isnan(numbers)
        ordered = _Ordered(numbers, missing)
        codes = ordered.bin_codes(bins)
    else:
        missing = _category_missing(series, codes)
    nfolds = int(folds.max()) + 1
    n = len(codes)
    if y.task == REGRESSION:
        metric = R2
        cv = _r2(y.values, _oof_means(codes, y.values[:, None], folds, nfolds, smoothing)[:, 0])
        if numbers is not None:
            raw = _oof_linear_r2(numbers, y.values, folds, nfolds)
            rho = _spearman(numbers, y.values)
        z = abs(rho) * np.sqrt(max(n - 1, 1)) if rho is not None else np.sqrt(max(cv, 0.0) * max(n - 1, 1))
    else:
        metric = ROC_AUC
        cv = _oof_auc(codes, y, folds, nfolds, smoothing)
        if numbers is not None:
            raw = ordered.raw_auc(y)
            rho = ordered.rank_correlation(y) if y.task == BINARY else None
        z = (max(cv, raw or 0.0) - 0.5) / _auc_null_sd(y)
    score = max(cv, raw) if raw is not None else cv
    mi, share = _mutual_information(codes, y.codes)
    return FeatureScore(
        column=str(series.name), kind=kind, metric=metric, score=float(score), raw=None if raw is None else float(raw),
        cv=float(cv), low=lower_bound(score, y, confidence_z), z=float(z),
        rank_correlation=None if rho is None else float(rho), mi_bits=mi, mi_share=share,
        rows=n, missing_share=float(missing.mean()) if n else 0.0,
    )


class _Ordered:
    """A numeric feature sorted once: each row's distinct-value index (missing values last) and value counts."""

    def __init__(self, numbers: np.ndarray, missing: np.ndarray):
        self.numbers, self.missing = numbers, missing
        present = np.flatnonzero(~missing)
        values = numbers[present]
        order = np.argsort(values, kind="stable")
        self.sorted = values[order]
        new = np.empty(len(order), dtype=bool)
        new[:1] = True
        new[1:] = self.sorted[1:] != self.sorted[:-1]
        self.distinct = int(new.sum())
        self.index = np.full(len(numbers), self.distinct, dtype=np.int64)   # missing -> the last index
        self.index[present[order]] = np.cumsum(new) - 1

    def bin_codes(self, bins: int) -> np.ndarray:
        """Quantile bin per row (ties share a bin); missing values in a bin of their own, after the others."""
        m = len(self.sorted)
        if m == 0:
            return np.zeros(len(self.numbers), dtype=np.int64)
        edges = np.unique(self.sorted[((m - 1) * np.linspace(0, 1, bins + 1)[1:-1]).astype(np.int64)])
        codes = np.searchsorted(edges, np.where(self.missing, 0.0, self.numbers), side="right")
        codes[self.missing] = len(edges) + 1
        return codes

    def _table(self, y: EncodedTarget) -> np.ndarray:
        """Rows per (distinct value, class); the last row counts the missing values."""
        k = len(y.labels)
        return np.bincount(self.index * k + y.codes, minlength=(self.distinct + 1) * k).reshape(self.distinct + 1, k)

    def raw_auc(self, y: EncodedTarget) -> float:
        """AUC of the values themselves, direction chosen per class, missing values at whichever end fits.

        All scored classes at once: U counts (positive above negative) + half the ties over the present values,
        then the missing row is added at the bottom (present positives beat missing negatives) or at the top
        (missing positives beat present negatives)."""
        if self.distinct == 0:
            return 0.5
        table = self._table(y).astype(np.float64)
        weights, classes = zip(*_class_weights(y), strict=True)
        present, missing = table[:-1], table[-1]
        positive = present[:, classes]
        negative = present.sum(axis=1, keepdims=True) - positive
        below = np.cumsum(negative, axis=0) - negative
        u = (positive * below).sum(axis=0) + 0.5 * (positive * negative).sum(axis=0)
        pos_p, neg_p = positive.sum(axis=0), negative.sum(axis=0)
        pos_m = missing[list(classes)]
        neg_m = missing.sum() - pos_m
        pairs = (pos_p + pos_m) * (neg_p + neg_m)
        best = 0.0
        for extra in (pos_p * neg_m, pos_m * neg_p):   # missing values lowest, then highest
            auc = np.where(pairs > 0, (u + extra + 0.5 * pos_m * neg_m) / np.maximum(pairs, 1), 0.5)
            best = max(best, float(np.dot(weights, np.maximum(auc, 1 - auc))))
            if not missing.any():
                break
        return best

    def rank_correlation(self, y: EncodedTarget) -> float | None:
        """Spearman correlation with a 0/1 target over the rows with a value (from the value counts)."""
        table = self._table(y)[:-1].astype(np.float64)
        size = table.sum(axis=1)
        n = size.sum()
        if n < 3 or self.distinct < 2:
            return None
        ranks = np.cumsum(size) - size + (size + 1) / 2
        positives = table[:, 1]
        mean_r, mean_y = (ranks * size).sum() / n, positives.sum() / n
        cov = (ranks * positives).sum() / n - mean_r * mean_y
        var_r = (ranks**2 * size).sum() / n - mean_r**2
        var_y = mean_y - mean_y**2
        if var_r <= 0 or var_y <= 0:
            return None
        return float(cov / np.sqrt(var_r * var_y))


def _category_missing(series: pd.Series, codes: np.ndarray) -> np.ndarray:
    if codes.size and series.isna().any():
        return codes == codes.max()
    return np.zeros(len(codes), dtype=bool)


def lower_bound(score: float, y: EncodedTarget, confidence_z: float) -> float:
    """``score`` minus ``confidence_z`` standard errors. AUC: Hanley and McNeil's standard error (the AUC taken
    as at most 1 - 1/(n1 n0), so that a perfect score on few rows keeps some doubt); multiclass: the weighted
    one-vs-rest errors combined. R2: through Fisher's z of the correlation sqrt(R2)."""
    n = len(y.codes)
    if y.task == REGRESSION:
        if score <= 0 or n < 4:
            return float(min(score, 0.0))
        r = min(np.sqrt(score), 1 - 1e-12)
        low = np.tanh(np.arctanh(r) - confidence_z / np.sqrt(n - 3))
        return float(max(low, 0.0) ** 2)
    variance = 0.0
    for weight, k in _class_weights(y):
        n1 = int((y.codes == k).sum())
        variance += weight**2 * _hanley_mcneil(score, n1, n - n1) ** 2
    return float(score - confidence_z * np.sqrt(variance))


def _hanley_mcneil(auc: float, n1: int, n0: int) -> float:
    if n1 == 0 or n0 == 0:
        return 0.5
    a = min(auc, 1 - 1 / (n1 * n0))
    q1, q2 = a / (2 - a), 2 * a * a / (1 + a)
    return float(np.sqrt(max(a * (1 - a) + (n1 - 1) * (q1 - a * a) + (n0 - 1) * (q2 - a * a), 0.0) / (n1 * n0)))


def _category_codes(series: pd.Series) -> np.ndarray:
    """Codes 0..k-1 of the values; missing values get code k."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        codes = series.cat.codes.to_numpy().astype(np.int64)
    else:
        codes = pd.factorize(series, use_na_sentinel=True)[0].astype(np.int64)
    if codes.size and codes.min() < 0:
        codes = np.where(codes < 0, codes.max() + 1, codes)
    return codes


def _quantile_codes(numbers: np.ndarray, bins: int) -> np.ndarray:
    """Quantile bin per value (edges from the non-missing values; ties share a bin); missing values last."""
    present = ~np.isnan(numbers)
    codes = np.full(len(numbers), 0, dtype=np.int64)
    if present.any():
        edges = np.unique(np.quantile(numbers[present], np.linspace(0, 1, bins + 1)[1:-1]))
        codes[present] = np.searchsorted(edges, numbers[present], side="right")
        codes[~present] = len(edges) + 1
    return codes


def _oof_means(codes: np.ndarray, targets: np.ndarray, folds: np.ndarray, nfolds: int, smoothing: float) -> np.ndarray:
    """Out-of-fold target mean per row: for each row, the smoothed mean of ``targets`` over the rows of the
    other folds with the same code (m-estimate towards those folds' overall mean)."""
    ncodes = int(codes.max()) + 1 if codes.size else 1
    key = folds * ncodes + codes
    size = nfolds * ncodes
    count = np.bincount(key, minlength=size).reshape(nfolds, ncodes).astype(np.float64)
    train_count = count.sum(axis=0) - count
    fold_rows = count.sum(axis=1)
    out = np.empty_like(targets)
    for j in range(targets.shape[1]):
        sums = np.bincount(key, weights=targets[:, j], minlength=size).reshape(nfolds, ncodes)
        train_sum = sums.sum(axis=0) - sums
        prior = train_sum.sum(axis=1) / np.maximum(fold_rows.sum() - fold_rows, 1)
        means = (train_sum + smoothing * prior[:, None]) / (train_count + smoothing)
        out[:, j] = means[folds, codes]
    return out


def _ordered_auc(positive: np.ndarray, negative: np.ndarray) -> float:
    """P(a positive ranks above a negative), ties counting half, from counts per level in ascending order."""
    pairs = positive.sum() * negative.sum()
    if pairs == 0:
        return 0.5
    below = np.cumsum(negative) - negative
    return float(((positive * below).sum() + 0.5 * (positive * negative).sum()) / pairs)


def _class_weights(y: EncodedTarget) -> list[tuple[float, int]]:
    """(weight, class) pairs an AUC averages over: class 1 alone for a binary target; else the scored classes
    weighted by their share."""
    if y.task == BINARY:
        return [(1.0, 1)]
    classes = list(_scored_classes(y))
    shares = y.shares[: len(classes)]
    return [(float(w), k) for w, k in zip(shares / shares.sum(), classes, strict=True)]


def _oof_auc(codes: np.ndarray, y: EncodedTarget, folds: np.ndarray, nfolds: int, smoothing: float) -> float:
    """AUC of the out-of-fold target-mean lookup. Its prediction depends only on (fold, code), so the AUC is
    counted per key (equal predictions merged as ties) instead of ranking rows."""
    ncodes = int(codes.max()) + 1 if codes.size else 1
    k = len(y.labels)
    key = folds * ncodes + codes
    counts = np.bincount(key * k + y.codes, minlength=nfolds * ncodes * k).reshape(nfolds, ncodes, k).astype(np.float64)
    means = _key_means(counts, smoothing).reshape(-1, k)
    counts = counts.reshape(-1, k)
    used = counts.sum(axis=1) > 0
    counts, means = counts[used], means[used]
    total = counts.sum(axis=1)
    result = 0.0
    for weight, j in _class_weights(y):
        order = np.argsort(means[:, j], kind="stable")
        ordered = means[order, j]
        level = np.cumsum(np.r_[True, ordered[1:] != ordered[:-1]]) - 1
        positive = np.bincount(level, weights=counts[order, j])
        negative = np.bincount(level, weights=total[order] - counts[order, j])
        result += weight * _ordered_auc(positive, negative)
    return float(result)


def _key_means(counts: np.ndarray, smoothing: float) -> np.ndarray:
    """Smoothed class shares per (fold, code) from the other folds' counts: (folds, codes, classes)."""
    train = counts.sum(axis=0, keepdims=True) - counts
    rows = train.sum(axis=2, keepdims=True)
    prior = train.sum(axis=1, keepdims=True) / np.maximum(rows.sum(axis=1, keepdims=True), 1)
    return (train + smoothing * prior) / (rows + smoothing)


def _scored_classes(y: EncodedTarget) -> range:
    return range(1 if y.task == BINARY else min(len(y.labels), MAX_SCORED_CLASSES))


def _auc_null_sd(y: EncodedTarget) -> float:
    """Standard deviation of the AUC of an unrelated feature (Mann-Whitney), over the scored classes."""
    n = len(y.codes)
    variance = 0.0
    for weight, k in _class_weights(y):
        n1 = int((y.codes == k).sum())
        variance += weight**2 * (n + 1) / (12 * max(n1 * (n - n1), 1))
    return float(np.sqrt(variance))


def _r2(y: np.ndarray, predicted: np.ndarray) -> float:
    total = float(((y - y.mean()) ** 2).sum())
    if total == 0:
        return 0.0
    return float(1 - ((y - predicted) ** 2).sum() / total)


def _oof_linear_r2(x: np.ndarray, y: np.ndarray, folds: np.ndarray, nfolds: int) -> float:
    """R2 of a least-squares line of y on x, fitted on the other folds and scored on each held-out fold;
    rows with x missing are predicted by the other folds' mean."""
    present = ~np.isnan(x)
    xs = np.where(present, x, 0.0)
    if present.any():   # centre and scale for a stable fit
        centre, scale = xs[present].mean(), xs[present].std() or 1.0
        xs = np.where(present, (xs - centre) / scale, 0.0)
    w = present.astype(np.float64)
    stats = [np.bincount(folds, weights=v, minlength=nfolds) for v in (w, w * xs, w * y, w * xs * xs, w * xs * y)]
    fold_n = np.bincount(folds, minlength=nfolds).astype(np.float64)
    fold_y = np.bincount(folds, weights=y, minlength=nfolds)
    n, sx, sy, sxx, sxy = (s.sum() - s for s in stats)
    var = n * sxx - sx * sx
    slope = np.where(var > 0, (n * sxy - sx * sy) / np.where(var > 0, var, 1), 0.0)
    intercept = np.where(n > 0, (sy - slope * sx) / np.maximum(n, 1), 0.0)
    fallback = (fold_y.sum() - fold_y) / np.maximum(fold_n.sum() - fold_n, 1)
    predicted = np.where(present, intercept[folds] + slope[folds] * xs, fallback[folds])
    return _r2(y, predicted)


def _spearman(x: np.ndarray, y: np.ndarray) -> float | None:
    present = ~np.isnan(x)
    if present.sum() < 3:
        return None
    rx, ry = _average_ranks(x[present]), _average_ranks(y[present])
    if rx.std() == 0 or ry.std() == 0:
        return None
    return float(np.corrcoef(rx, ry)[0, 1])


def _average_ranks(values: np.ndarray) -> np.ndarray:
    """Ranks 1..n, ties sharing their average rank (scipy.stats.rankdata, without importing scipy.stats)."""
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    new = np.r_[True, ordered[1:] != ordered[:-1]]
    level = np.cumsum(new) - 1
    starts = np.flatnonzero(new)
    sizes = np.diff(np.r_[starts, len(values)])
    ranks = np.empty(len(values), dtype=np.float64)
    ranks[order] = (starts + (sizes + 1) / 2)[level]
    return ranks


def _mutual_information(codes: np.ndarray, target_codes: np.ndarray) -> tuple[float, float]:
    """(mutual information in bits, its share of the target's entropy) from the joint counts of the codes."""
    if codes.size == 0:
        return 0.0, 0.0
    cols = int(target_codes.max()) + 1
    joint = np.bincount(codes * cols + target_codes, minlength=(int(codes.max()) + 1) * cols).reshape(-1, cols)
    joint = joint[joint.sum(axis=1) > 0]
    p = joint / joint.sum()
    px, py = p.sum(axis=1, keepdims=True), p.sum(axis=0, keepdims=True)
    nonzero = p > 0
    mi = float((p[nonzero] * np.log2(p[nonzero] / (px @ py)[nonzero])).sum())
    entropy = float(-(py[py > 0] * np.log2(py[py > 0])).sum())
    return max(mi, 0.0), (min(max(mi, 0.0) / entropy, 1.0) if entropy > 0 else 0.0)
