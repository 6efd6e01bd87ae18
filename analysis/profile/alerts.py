"""Alerts: short findings about columns (or the whole dataset) that a reviewer should look at, each with its reason.

One small function per kind reads the computed statistics; thresholds are the constants below.
"""
from __future__ import annotations

from dataclasses import dataclass

from analysis.baselines.setup import SPARSE_MISSING_SHARE
from analysis.column_types import CATEGORICAL, ID, NUMERIC
from analysis.correlations import Correlations
from analysis.profile.column_stats import ColumnStats
from analysis.target import TargetView

WARNING, INFO = "warning", "info"     # likely to hurt a model or its evaluation / worth knowing
ALERT_KINDS = (
    "constant", "near_constant", "high_missing", "high_cardinality", "unique", "high_correlation",
    "skewed", "zeros", "infinite", "duplicates", "mixed_types", "imbalance",
)
NEAR_CONSTANT_SHARE = 0.95   # the most frequent value holds at least this share of the values
HIGH_MISSING_SHARE = 0.20    # at least this share of a column is missing
HIGH_CARDINALITY = 50        # a categorical column with more distinct values than this
HIGH_CORRELATION = 0.90      # |Pearson|, |Spearman| or Cramér's V at or above this (each needs MIN_PAIRS complete
                             # pairs: analysis.correlations, so a column with a handful of values raises no
                             # correlation alert)
SKEWED = 2.0                 # |skew| at or above this
ZEROS_SHARE = 0.50           # at least this share of a numeric column is 0
MIXED_SHARE = 0.01           # numbers and words each make up at least this share of a categorical column
IMBALANCE_SHARE = 0.10       # a class under this share of the labelled rows raises the imbalance alert (find_alerts'
                             # imbalance_share changes it): from here a majority guess scores 90 %+ accuracy and a
                             # 5-fold split tests only a handful of minority rows per fold
IMBALANCE_FOLDS = 5          # the folds the alert's "rows per fold" figure assumes (the baselines' default)


@dataclass(frozen=True)
class Alert:
    """One finding.

    column: the column it is about; None when it is about the whole dataset.
    kind: one of ALERT_KINDS.
    severity: "warning" (likely to hurt a model or its evaluation) or "info" (worth knowing).
    reason: one sentence with the numbers behind it, for the user.
    """

    column: str | None
    kind: str
    severity: str
    reason: str


def find_alerts(
    rows: int, duplicate_rows: int, columns: tuple[ColumnStats, ...], correlations: Correlations,
    target: TargetView | None,
    imbalance_share: float = IMBALANCE_SHARE,
) -> tuple[Alert, ...]:
    """All alerts: the dataset's duplicates, then per column in column order, then correlations, then the target
    (imbalanced when its smallest class is under ``imbalance_share`` of the labelled rows)."""
    alerts = []
    if duplicate_rows:
        alerts.append(Alert(
            None, "duplicates", WARNING,
            f"{duplicate_rows:,} rows ({duplicate_rows / rows:.1%}) are exact copies of another row; "
            "copies that land in both the training and the test split inflate the evaluation.",
        ))
    for stats in columns:
        alerts.extend(a for check in COLUMN_CHECKS if (a := check(stats)) is not None)
    alerts.extend(_correlations(correlations))
    imbalance = _imbalance(target, imbalance_share)
    if imbalance is not None:
        alerts.append(imbalance)
    return tuple(alerts)


def _imbalance(target: TargetView | None, share: float) -> Alert | None:
    """The smallest class under ``share`` of the rows, worded as what it means for evaluating a model."""
    if target is None or target.balance is None or len(target.balance.labels) < 2:
        return None
    balance = target.balance
    smallest, count, minority = balance.labels[-1], balance.counts[-1], balance.shares[-1]
    if minority >= share:
        return None
    majority = balance.labels[0]
    per_fold = count / IMBALANCE_FOLDS
    if len(balance.labels) == 2:
        judge = (f"judge models by recall, precision and PR AUC of '{smallest}' (PR AUC of a guess: {minority:.2f}), "
                 "not by accuracy or ROC AUC alone")
    else:
        judge = f"judge models by balanced accuracy and the recall of each class, '{smallest}' first"
    return Alert(target.target, "imbalance", WARNING,
                 f"Class '{smallest}' is {minority:.1%} of the rows ({count:,} of {sum(balance.counts):,}; imbalance "
                 f"ratio {balance.imbalance_ratio:.1f}:1). For evaluation this means: predicting '{majority}' "
                 f"for every row already scores accuracy {balance.shares[0]:.3f}, so {judge}; {IMBALANCE_FOLDS}-fold "
                 f"cross-validation tests about {per_fold:,.0f} '{smallest}' rows per fold, so its metrics come with "
                 "wide intervals. Keep every split stratified and write an imbalance plan (Data section).")


def _constant(s: ColumnStats) -> Alert | None:
    if s.distinct == 1:
        value = f"'{s.top[0].value}'" if s.top else str(s.min)
        return Alert(s.name, "constant", WARNING,
                     f"Every value is {value}; the column carries no information. Drop it.")
    return None


def _near_constant(s: ColumnStats) -> Alert | None:
    if s.distinct > 1 and s.top and s.top[0].count >= NEAR_CONSTANT_SHARE * s.count:
        share = s.top[0].count / s.count
        return Alert(s.name, "near_constant", WARNING,
                     f"'{s.top[0].value}' is {share:.1%} of the values; the column carries little information.")
    return None


def _high_missing(s: ColumnStats) -> Alert | None:
    if s.missing_share >= SPARSE_MISSING_SHARE:
        return Alert(s.name, "high_missing", WARNING,
                     f"{s.missing_share:.1%} of the values are missing: only {s.count:,} rows have one. "
                     "Too few to learn from or to measure an association on: left out of the default baseline "
                     "features.")
    if s.missing_share >= HIGH_MISSING_SHARE:
        return Alert(s.name, "high_missing", WARNING,
                     f"{s.missing_share:.1%} of the values are missing ({s.missing:,} rows). "
                     "Plan imputation, or ask why they are missing.")
    return None


def _high_cardinality(s: ColumnStats) -> Alert | None:
    if s.type == CATEGORICAL and s.distinct > HIGH_CARDINALITY:
        return Alert(s.name, "high_cardinality", INFO,
                     f"{s.distinct:,} distinct values; one-hot encoding would add as many columns. "
                     "Group rare values, or use frequency or target encoding.")
    return None


def _unique(s: ColumnStats) -> Alert | None:
    if s.type == ID:
        return Alert(s.name, "unique", INFO,
                     f"Every value is distinct ({s.distinct:,}): an identifier. "
                     "A model cannot learn from it, and it can leak row order; keep it out of the features.")
    return None


def _skewed(s: ColumnStats) -> Alert | None:
    if s.type == NUMERIC and s.skew is not None and abs(s.skew) >= SKEWED:
        tail = "right" if s.skew > 0 else "left"
        return Alert(s.name, "skewed", INFO,
                     f"Skewness is {s.skew:.1f} (a long {tail} tail); consider a log transform or a robust scaler.")
    return None


def _zeros(s: ColumnStats) -> Alert | None:
    if s.type == NUMERIC and s.zeros and s.zeros >= ZEROS_SHARE * s.count:
        return Alert(s.name, "zeros", INFO, f"{s.zeros / s.count:.1%} of the values are 0 ({s.zeros:,} rows).")
    return None


def _infinite(s: ColumnStats) -> Alert | None:
    if s.infinite:
        return Alert(s.name, "infinite", WARNING,
                     f"{s.infinite:,} values are infinite; most models fail on them. Replace them or drop those rows.")
    return None


def _mixed_types(s: ColumnStats) -> Alert | None:
    if s.numeric_share is not None and MIXED_SHARE <= s.numeric_share <= 1 - MIXED_SHARE:
        examples = ", ".join(f"'{v}'" for v in s.text_examples)
        return Alert(s.name, "mixed_types", WARNING,
                     f"{s.numeric_share:.1%} of the values are numbers and the rest are not (for example {examples}), "
                     "so the column is read as text. Clean those values or make them missing.")
    return None


COLUMN_CHECKS = (_constant, _near_constant, _high_missing, _high_cardinality, _unique, _skewed, _zeros, _infinite,
                 _mixed_types)


def _correlations(correlations: Correlations) -> list[Alert]:
    """One alert per strongly associated pair (the strongest of the measures), on the pair's first column."""
    strongest: dict[tuple[str, str], tuple[float, str]] = {}
    for label, matrix in (("Pearson correlation", correlations.pearson),
                          ("Spearman correlation", correlations.spearman),
                          ("Cramér's V", correlations.cramers_v)):
        for a, b, value in matrix.pairs():
            if abs(value) >= HIGH_CORRELATION and abs(value) > strongest.get((a, b), (0.0, ""))[0]:
                strongest[(a, b)] = (abs(value), f"{label} with '{b}' is {value:.2f}")
    return [
        Alert(a, "high_correlation", WARNING,
              f"{text}; one of the two may be redundant (or a leak, if one is the target).")
        for (a, b), (_, text) in strongest.items()
    ]
