"""The target column: checking it, and the views that depend on it.

Classification targets (binary, multiclass) get the class balance (exact counts) and each feature's
distribution by class; a numeric (regression) target gets its histogram and each numeric feature's
correlation with it. Views by class and correlations are computed on the frame passed as ``sample``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.column_types import BOOLEAN, CATEGORICAL, DATETIME, ID, NUMERIC, TEXT, count_distinct, infer_column_type
from analysis.correlations import MIN_PAIRS, codes_of, float_frame
from analysis.errors import TargetError
from analysis.profile.column_stats import Histogram, all_whole, bin_edges

BINARY, MULTICLASS, REGRESSION = "binary", "multiclass", "regression"
MAX_INTEGER_CLASSES = 10   # a whole-number target with at most this many values is a class label, not a quantity
RARE_CLASS_SHARE = 0.05    # a class with less than this share of the rows is rare
MAX_CLASSES_SHOWN = 10     # views by class show the largest classes
BY_CLASS_BINS = 20         # bins of a numeric feature's histogram per class
BY_CLASS_VALUES = 10       # most frequent values of a categorical feature shown per class; the rest is "(other)"
OTHER = "(other)"


@dataclass(frozen=True)
class ClassBalance:
    """How the rows split over the classes of a classification target (exact, over all rows).

    labels: the classes as text, largest first. counts: rows per class. shares: counts / labelled rows.
    imbalance_ratio: largest count / smallest count.
    rare: classes with less than RARE_CLASS_SHARE of the labelled rows.
    warning: a sentence about the rare classes and what to plan for, or None when no class is rare.
    """

    labels: tuple[str, ...]
    counts: tuple[int, ...]
    shares: tuple[float, ...]
    imbalance_ratio: float
    rare: tuple[str, ...]
    warning: str | None


@dataclass(frozen=True)
class FeatureByClass:
    """How one feature is distributed within each class (on the sample).

    feature: the feature column. kind: "numeric" (histogram per class) or "categorical" (value counts per class).
    classes: the classes shown (the MAX_CLASSES_SHOWN largest), as text.
    bins: numeric: the shared bin edges (len(counts[k]) + 1 numbers); categorical: the values counted
        (the most frequent ones, then "(other)" when there are more).
    counts: counts[k][b] is the number of rows of class k in bin (or with value) b.
    quartiles: numeric: per class (25th percentile, median, 75th percentile), None where the class has no
        values; empty for categorical features.
    """

    feature: str
    kind: str
    classes: tuple[str, ...]
    bins: tuple[float | str, ...]
    counts: tuple[tuple[int, ...], ...]
    quartiles: tuple[tuple[float | None, float | None, float | None], ...] = ()


@dataclass(frozen=True)
class TargetView:
    """What the data says about the chosen target.

    target: the target column. task: "binary", "multiclass" or "regression".
    balance: classification: the class balance; None for regression.
    by_class: classification: one FeatureByClass per numeric, categorical or boolean feature; empty for regression.
    histogram: regression: the target's histogram (exact); None for classification.
    pearson, spearman: regression: feature -> correlation with the target, for numeric features (on the sample;
        None with fewer than MIN_PAIRS rows where both have a value).
    """

    target: str
    task: str
    balance: ClassBalance | None = None
    by_class: tuple[FeatureByClass, ...] = ()
    histogram: Histogram | None = None
    pearson: dict[str, float | None] | None = None
    spearman: dict[str, float | None] | None = None


def check_target(frame: pd.DataFrame, target: str, column_types: dict[str, str] | None = None) -> str:
    """Check that ``target`` can be predicted from ``frame``; return its task ("binary", "multiclass", "regression").

    Raises TargetError saying what is wrong and what to do: unknown column, no values, dates, an identifier
    or free text, a single class.
    """
    if target not in frame.columns:
        names = [str(c) for c in frame.columns]
        shown = ", ".join(names[:12]) + (f" and {len(names) - 12} more" if len(names) > 12 else "")
        raise TargetError(f"Column '{target}' is not in this dataset; choose one of {shown}.")
    series = frame[target]
    kind = (column_types or {}).get(target) or infer_column_type(series)
    if series.notna().sum() == 0:
        raise TargetError(
            f"Target column '{target}' has no values: every row is missing. "
            "Choose the column that holds the outcome to predict."
        )
    if kind == DATETIME:
        raise TargetError(
            f"Target column '{target}' holds dates; a target is a class or a quantity. Choose another column, "
            "or derive one from the dates (for example days until the event)."
        )
    if kind in (ID, TEXT):
        what = "an identifier (every value is distinct)" if kind == ID else "free text"
        raise TargetError(
            f"Target column '{target}' looks like {what}, which a model cannot learn to predict. "
            "Choose the column that holds the outcome to predict."
        )
    distinct = count_distinct(series)
    if distinct < 2:
        value = series.loc[series.first_valid_index()]
        raise TargetError(
            f"Target column '{target}' has 1 class ('{_label(value)}'); a model needs at least 2. "
            "Pick another target, or check that the export kept all rows."
        )
    if distinct == 2:
        return BINARY
    if kind != NUMERIC:
        return MULTICLASS
    if distinct > MAX_INTEGER_CLASSES:
        return REGRESSION
    values = series.to_numpy(dtype=np.float64, na_value=np.nan)
    return MULTICLASS if all_whole(values[np.isfinite(values)]) else REGRESSION


def describe_target(
    frame: pd.DataFrame, sample: pd.DataFrame, target: str, task: str, column_types: dict[str, str],
    histogram: Histogram | None,
) -> TargetView:
    """The target views: class balance and features by class, or (regression) histogram and correlations.

    ``histogram`` is the target column's histogram from its column statistics. ``frame`` is read for the target
    column only (the class balance is exact); ``sample`` has every column.
    """
    features = [c for c in sample.columns if c != target]    # frame may hold the target alone (analysis.engine)
    if task == REGRESSION:
        numeric = [c for c in features if column_types[c] == NUMERIC]
        numbers = float_frame(sample, numeric + [target])
        ranks = numbers.rank()
        pairs = numbers[numeric].notna().mul(numbers[target].notna(), axis=0).sum()   # complete pairs per feature
        return TargetView(
            target, task, histogram=histogram,
            pearson=_by_feature(numbers[numeric].corrwith(numbers[target]).where(pairs >= MIN_PAIRS)),
            spearman=_by_feature(ranks[numeric].corrwith(ranks[target]).where(pairs >= MIN_PAIRS)),
        )
    balance = class_balance(frame[target])
    shown = balance.labels[:MAX_CLASSES_SHOWN]
    class_codes = _class_codes(sample[target], shown)
    views = []
    for feature in features:
        kind = column_types[feature]
        if kind == NUMERIC:
            views.append(_numeric_by_class(sample[feature], class_codes, shown))
        elif kind in (CATEGORICAL, BOOLEAN):
            views.append(_categorical_by_class(sample[feature], class_codes, shown))
    return TargetView(target, task, balance=balance, by_class=tuple(views))


def class_balance(target: pd.Series) -> ClassBalance:
    """Counts and shares of each class of ``target`` (missing values left out), with the rare-class warning."""
    counts = target.value_counts(dropna=True)
    counts.index = [_label(v) for v in counts.index]
    counts = counts.groupby(level=0, sort=False).sum().sort_values(ascending=False, kind="stable")
    total = int(counts.sum())
    shares = counts / total
    rare = tuple(str(c) for c in counts.index[shares < RARE_CLASS_SHARE])
    ratio = float(counts.iloc[0] / counts.iloc[-1])
    warning = None
    if rare:
        smallest = counts.index[-1]
        warning = (
            f"Class '{smallest}' is only {shares.iloc[-1]:.1%} of the rows (imbalance ratio {ratio:.1f}:1)"
            + (f"; {len(rare)} classes are under {RARE_CLASS_SHARE:.0%}" if len(rare) > 1 else "")
            + ". Plan for it: stratified splits, class weights or resampling, and metrics such as recall, "
            "precision or PR-AUC rather than accuracy."
        )
    return ClassBalance(
        tuple(str(c) for c in counts.index), tuple(int(c) for c in counts), tuple(float(s) for s in shares), ratio,
        rare, warning
    )


def _class_codes(target: pd.Series, classes: tuple[str, ...]) -> np.ndarray:
    """Per row, the position of its class in ``classes``; -1 for missing values and classes not shown."""
    codes, uniques = pd.factorize(target, use_na_sentinel=True)
    position = {label: i for i, label in enumerate(classes)}
    lookup = np.array([position.get(_label(u), -1) for u in uniques] + [-1], dtype=np.int64)
    return lookup[codes]   # code -1 (missing) picks the trailing -1


def _label(value) -> str:
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _numeric_by_class(series: pd.Series, class_codes: np.ndarray, classes: tuple[str, ...]) -> FeatureByClass:
    values = series.to_numpy(dtype=np.float64, na_value=np.nan)
    keep = np.isfinite(values) & (class_codes >= 0)
    values, codes = values[keep], class_codes[keep]
    if values.size == 0:
        return FeatureByClass(str(series.name), NUMERIC, classes, (), tuple(() for _ in classes))
    edges = bin_edges(float(values.min()), float(values.max()), all_whole(values), BY_CLASS_BINS)
    bins = len(edges) - 1
    index = np.clip(np.searchsorted(edges, values, side="right") - 1, 0, bins - 1)
    counts = np.bincount(codes * bins + index, minlength=len(classes) * bins).reshape(len(classes), bins)
    quartiles = []
    for k in range(len(classes)):
        within = values[codes == k]
        quartiles.append(tuple(float(q) for q in np.quantile(within, (0.25, 0.5, 0.75))) if within.size
                         else (None, None, None))
    return FeatureByClass(
        str(series.name), NUMERIC, classes, tuple(float(e) for e in edges), _rows(counts), tuple(quartiles)
    )


def _categorical_by_class(series: pd.Series, class_codes: np.ndarray, classes: tuple[str, ...]) -> FeatureByClass:
    codes = codes_of(series)
    keep = (codes >= 0) & (class_codes >= 0)
    codes, klass = codes[keep], class_codes[keep]
    names = series.cat.categories if isinstance(series.dtype, pd.CategoricalDtype) else pd.factorize(series)[1]
    frequency = np.bincount(codes, minlength=len(names))
    top = np.argsort(-frequency, kind="stable")[:BY_CLASS_VALUES]
    top = top[frequency[top] > 0]
    has_other = bool(frequency.sum() > frequency[top].sum())
    slot = np.full(len(names), len(top), dtype=np.int64)   # values outside the top go to the "(other)" slot
    slot[top] = np.arange(len(top))
    width = len(top) + has_other
    counts = np.bincount(klass * width + slot[codes], minlength=len(classes) * width).reshape(len(classes), width)
    labels = tuple(_label(names[i]) for i in top) + ((OTHER,) if has_other else ())
    return FeatureByClass(str(series.name), CATEGORICAL, classes, labels, _rows(counts))


def _rows(counts: np.ndarray) -> tuple[tuple[int, ...], ...]:
    return tuple(tuple(int(c) for c in row) for row in counts)


def _by_feature(correlations: pd.Series) -> dict[str, float | None]:
    return {str(k): (None if np.isnan(v) else float(v)) for k, v in correlations.items()}
