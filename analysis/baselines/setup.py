"""Setting up a baseline run: the task, the target check, the features, the settings and the evaluation protocol.

    task = detect_task(frame["diagnosis"])                       # "binary", shown for the user to confirm
    features, excluded = default_features(frame, column_types, "diagnosis", leaky={"biopsy_result": "known after"})
    settings = RunSettings(target="diagnosis", task=task, features=features, excluded=excluded)
    protocol = choose_protocol(len(frame), settings)              # "569 rows: stratified 5-fold cross-validation ..."

Protocol rules (``protocol="auto"``), first match wins:
1. a test dataset is given: train on all rows of the dataset, test on the test dataset;
2. a date column is named: time-ordered: rows sorted by date, always tested on rows later than those trained on
   (expanding-window k-fold up to KFOLD_MAX_ROWS rows, else one holdout of the latest ``holdout_share``);
3. a group column is named: group split (rows of one group never on both sides): group k-fold (stratified for
   classification) up to KFOLD_MAX_ROWS rows, else one group holdout;
4. up to KFOLD_MAX_ROWS rows: k-fold cross-validation (stratified for classification), every row tested once;
5. more rows: one holdout of ``holdout_share`` (stratified for classification).
Folds shrink to the rows of the smallest class (or the number of groups) when those are fewer than ``folds``.
Above ``max_rows`` rows, a sample of ``max_rows`` rows is used (stratified by class, time order kept) and the run
says so.
Every protocol says how the rows were ordered before splitting (Protocol.order): shuffled with the run's seed (k-fold,
holdout, group), sorted by the date column (time) or in file order (a test dataset).

Features (default_features): every column but the target and the split columns, except identifiers and ID-like text,
constant, empty and mostly empty columns, text that holds dates in several formats, and the leaky ones. Dates, free
text and categories with many values are features: analysis.baselines.models.prepare_features says how each is read.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from analysis.column_types import CATEGORICAL, ID, NUMERIC, count_distinct, date_like, id_like_text, spread_positions
from analysis.errors import TargetError
from analysis.serialize import from_plain, to_plain
from analysis.target import BINARY, MULTICLASS, REGRESSION, check_target

TASKS = (BINARY, MULTICLASS, REGRESSION)
PROTOCOLS = ("auto", "kfold", "holdout", "time", "group", "test_dataset")
KFOLD_MAX_ROWS = 10_000   # up to this many rows k-fold CV; above, one holdout (5x cheaper; tests >= 2,000 rows)
MIN_ROWS = 20             # labelled rows a baseline needs at the least
MIN_CLASS_ROWS = 2        # rows each class needs so that it can be on both sides of a split
MAX_CLASSES = 50          # more classes than this is not a classification baseline
DEFAULT_MAX_ROWS = 100_000  # above, a sample: a 20% holdout of it still tests 20,000 rows, and the suite stays ~1 min
POSITIVE_WORDS = ("1", "true", "yes", "y", "positive", "pos")   # a binary label read as the positive class
MANY_VALUES = 50          # categories with more distinct values than this are target-encoded (RunSettings.many_values)


def detect_task(series: pd.Series) -> str:
    """The task a target column implies: "binary" (2 classes), "multiclass" (text, or whole numbers with at most 10
    values) or "regression" (other numbers). Raises TargetError when the column cannot be a target (one class,
    no values, dates, an identifier, free text)."""
    name = str(series.name) if series.name is not None else "target"
    return check_target(series.rename(name).to_frame(), name)


def check_baseline_target(frame: pd.DataFrame, target: str, task: str) -> pd.Series:
    """Check that ``target`` can be predicted as ``task`` with a baseline; return the labelled target values
    (rows with a missing target dropped): class labels as text for classification, float64 for regression.

    Raises TargetError saying what is wrong and what to do: unknown column, too few labelled rows, text values
    in a regression target, the wrong number of classes for the task, a class too small to split.
    """
    if task not in TASKS:
        raise ValueError(f"task '{task}' is not one of {', '.join(TASKS)}.")
    if target not in frame.columns:
        check_target(frame, target)   # raises, naming the columns there are
    series = frame[target]
    if task == REGRESSION:
        series = regression_values(series, target)
    labelled = series.dropna()
    if len(labelled) < MIN_ROWS:
        raise TargetError(
            f"Target column '{target}' has {len(labelled)} labelled row{'s' if len(labelled) != 1 else ''}; a baseline "
            f"needs at least {MIN_ROWS} to train on some and test on others. Upload more rows."
        )
    detected = check_target(labelled.to_frame(), target)
    if task == REGRESSION:
        return labelled.astype(np.float64)
    labels = labelled.astype(object).map(label_text)
    counts = labels.value_counts()
    if task == BINARY and len(counts) != 2:
        raise TargetError(
            f"Target column '{target}' has {len(counts)} classes, so it is not a binary task. "
            + ("Choose multiclass." if len(counts) <= MAX_CLASSES else "Choose regression.")
        )
    if task == MULTICLASS and len(counts) == 2:
        raise TargetError(f"Target column '{target}' has 2 classes; choose binary, not multiclass.")
    if len(counts) > MAX_CLASSES:
        hint = "Frame the task as regression" if detected == REGRESSION else "Group rare classes together"
        raise TargetError(
            f"Target column '{target}' has {len(counts):,} distinct values; a classification baseline takes at most "
            f"{MAX_CLASSES} classes. {hint}, or choose another target."
        )
    small = counts[counts < MIN_CLASS_ROWS]
    if len(small):
        raise TargetError(
            f"Class '{small.index[0]}' of target column '{target}' has {int(small.iloc[0])} row; each class needs at "
            f"least {MIN_CLASS_ROWS} so that it can be both trained on and tested. Merge it into another class or drop "
            "its rows."
        )
    return labels


def target_values(frame, target: str, task: str) -> pd.Series:
    """The labelled target values of a target check_baseline_target accepted, not checked again: class labels as
    text for classification, float64 for regression (rows with a missing target dropped)."""
    series = frame[target]
    if task == REGRESSION:
        return as_numbers(series).dropna()
    return series.dropna().astype(object).map(label_text)


def as_numbers(series: pd.Series) -> pd.Series:
    """A regression target regression_values accepted, as float64 (infinities and missing values NaN)."""
    values = pd.to_numeric(series, errors="coerce").astype(np.float64)
    return values.where(np.isfinite(values))


def regression_values(series: pd.Series, target: str) -> pd.Series:
    """``series`` as float64 (infinities missing); TargetError when it holds booleans or text that is not numbers."""
    if ptypes.is_bool_dtype(series.dtype):
        raise TargetError(
            f"Target column '{target}' holds true/false values; a regression target must be numbers. Choose binary."
        )
    if ptypes.is_numeric_dtype(series.dtype):
        values = series.astype(np.float64)
        return values.where(np.isfinite(values))
    present = series.dropna()
    numbers = pd.to_numeric(present.astype(str).str.strip(), errors="coerce")
    bad = present[numbers.isna()]
    if len(bad):
        examples = ", ".join(f"'{v}'" for v in pd.unique(bad.astype(str))[:3])
        raise TargetError(
            f"Target column '{target}' holds text: {len(bad):,} of {len(present):,} values are not numbers "
            f"(for example {examples}); a regression target must be numbers. Choose binary or multiclass to predict it "
            "as classes, or fix those values and upload the file again."
        )
    return pd.to_numeric(series, errors="coerce").astype(np.float64)


def label_text(value) -> str:
    """A class label as text: 1.0 -> "1", True -> "True", "malignant" -> "malignant"."""
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


def default_positive_label(labels: pd.Series) -> str:
    """The positive class of a binary target: "1", "true", "yes" (or "positive") when one label reads so, else the
    smaller class (the rarer outcome is usually the one to find: disease, fraud, churn); a tie takes the last label."""
    counts = labels.value_counts()
    names = sorted(counts.index)
    for name in names:
        if name.strip().lower() in POSITIVE_WORDS:
            return name
    return min(reversed(names), key=lambda n: counts[n])


REASONS = {
    ID: "ID-like: every value is distinct, so it names rows instead of describing them",
    "leaky": "flagged as leaking the target",
    "constant": "constant: one value in every row",
    "empty": "every value is missing",
    "date_column": "the date column orders the time split",
    "group_column": "the group column defines the group split",
    "unavailable": "not known at prediction time (design document, Data section)",
}
# Mostly empty: at least SPARSE_MISSING_SHARE of the rows missing, or fewer than SPARSE_MIN_VALUES values while at
# least half the rows are missing. Such a column says little and says it on a handful of rows: imputation fills
# almost every row with one value, and a model can still split on the few rows that have one (a 4-filled-row column
# dragged one model's accuracy to 0.15-0.24 on a real dataset). 30 values is the floor the profile's associations
# use too (analysis.correlations.MIN_PAIRS); the half-missing condition keeps small datasets' full columns in.
SPARSE_MISSING_SHARE = 0.95
SPARSE_MIN_VALUES = 30
# Text that holds dates the reader could not read in one format (mixed formats, or a few values that are not dates):
# at least DATES_SHARE of up to DATES_LOOKED_AT distinct values look like dates. Used as categories they would be
# one value per day, so such a column is left out with what to do instead.
DATES_SHARE = 0.8
DATES_LOOKED_AT = 200


def default_features(
    frame: pd.DataFrame, column_types: Mapping[str, str], target: str, leaky: Mapping[str, str] | tuple | list = (),
    *, date_column: str | None = None, group_column: str | None = None,
) -> tuple[tuple[str, ...], dict[str, str]]:
    """The default features: every column but the target, ID-like (identifiers, and text with a distinct value on
    most rows, such as names: analysis.column_types.id_like_text), constant, empty and mostly empty (SPARSE_*)
    columns, text holding dates in no one format (DATES_*), the ``leaky`` ones (names, or name -> reason from the
    leakage checks or the design document) and the split columns. Dates and free text are features (the models read
    them as analysis.baselines.models.prepare_features says). Returns (features in frame order, excluded column ->
    reason)."""
    leaky_reasons = dict(leaky) if isinstance(leaky, Mapping) else {c: REASONS["leaky"] for c in leaky}
    features, excluded = [], {}
    for column in frame.columns:
        if column == target:
            continue
        reason = _exclusion(frame[column], column_types.get(column, NUMERIC))
        if column in leaky_reasons:
            reason = leaky_reasons[column] or REASONS["leaky"]
        if column == date_column:
            reason = REASONS["date_column"]
        if column == group_column:
            reason = REASONS["group_column"]
        if reason:
            excluded[column] = reason
        else:
            features.append(column)
    return tuple(features), excluded


def id_like_columns(frame: pd.DataFrame, column_types: Mapping[str, str]) -> dict[str, str]:
    """Columns that name rows instead of describing them -> why: identifiers (type id) and text with a distinct
    value on most rows (names; analysis.column_types.id_like_text). Left out of the default features; a run whose
    features include one deserves a warning (medium: a model can learn the training rows by name)."""
    found = {}
    for column in frame.columns:
        kind = column_types.get(column, NUMERIC)
        reason = REASONS[ID] if kind == ID else id_like_text(frame[column], kind)
        if reason:
            found[column] = reason
    return found


def _exclusion(series: pd.Series, kind: str) -> str | None:
    if kind == ID:
        return REASONS[ID]
    distinct = count_distinct(series)
    if distinct == 0:
        return REASONS["empty"]
    if distinct == 1 and series.notna().all():
        return REASONS["constant"]
    filled, rows = int(series.count()), len(series)
    missing = 1 - filled / rows
    if missing >= SPARSE_MISSING_SHARE or (filled < SPARSE_MIN_VALUES and missing >= 0.5):
        return (f"mostly empty: {filled:,} of {rows:,} rows have a value ({missing:.1%} missing), too few to learn "
                "from")
    dates = _unread_dates(series, kind)
    if dates:
        return dates
    named = id_like_text(series, kind)
    if named:
        return named
    return None


def _unread_dates(series: pd.Series, kind: str) -> str | None:
    """Why a text column of dates the reader could not read in one format is left out, or None."""
    if kind != CATEGORICAL:
        return None
    present = series.cat.categories if isinstance(series.dtype, pd.CategoricalDtype) else series.dropna().unique()
    values = pd.Series(np.asarray(present, dtype=object)[spread_positions(len(present), DATES_LOOKED_AT)]).astype(str)
    if values.empty:
        return None
    dated = date_like(values)
    if dated.mean() < DATES_SHARE:
        return None
    shapes = values.str.replace(r"\d", "9", regex=True).str.replace(r"[A-Za-z]", "a", regex=True)
    examples = dict.fromkeys([*values[~shapes.duplicated()][:3], *values[~dated][:1]])
    listed = ", ".join(f"'{v}'" for v in examples)
    return (f"dates in no one format (for example {listed}), so they were read as text: not a feature. Write every "
            "date in one format (such as 2021-03-04) and upload the file again to use its year, month and weekday")


@dataclass(frozen=True)
class RunSettings:
    """What a baseline run is asked to do (resolve_settings fills the defaults from the data).

    target: the column to predict. task: "binary", "multiclass", "regression", or None to detect it.
    features: the feature columns, or None for default_features. excluded: column -> why it is not a feature.
    protocol: "auto" (see the module docstring), "kfold", "holdout", "time", "group" or "test_dataset".
    folds: k of k-fold protocols. holdout_share: share of rows tested in a holdout.
    date_column: orders a time split. group_column: keeps each group on one side of the split.
    models: model names (analysis.baselines.models.MODEL_NAMES), or None for the task's default suite.
    time_budget_s: seconds each model may take over all its folds; a model over it is stopped, keeping its folds.
    positive_label: the positive class of a binary task (None: default_positive_label).
    random_state: the seed of the sample, the splits, the models and the permutations.
    max_rows: above this many labelled rows, a sample of this size is used (None: never sample).
    decision_threshold: binary tasks: the positive class is predicted when its probability is >= this; every
        threshold metric, interval and the confusion matrix use it (the design document's, Evaluation section);
        None: 0.5. Part of the run's key, so a changed threshold is a new run.
    primary_metric: the metric that picks the best model (analysis.baselines.metrics.choose_primary_metric chooses it
        from the design document's criteria); None: the task's default.
    many_values: a categorical feature with more distinct values than this is target-encoded inside each fold
        (scikit-learn's TargetEncoder, with its own 5-fold cross-fitting, so a row's code never comes from its own
        target) by every model but the dummy; with fewer it is one-hot encoded (linear, naive Bayes, k-NN) or kept
        as categories (trees). to_dict() leaves it out at its default, so runs stored before it existed keep their keys.
    """

    target: str
    task: str | None = None
    features: tuple[str, ...] | None = None
    excluded: dict[str, str] = field(default_factory=dict)
    protocol: str = "auto"
    folds: int = 5
    holdout_share: float = 0.2
    date_column: str | None = None
    group_column: str | None = None
    models: tuple[str, ...] | None = None
    time_budget_s: float = 20.0
    positive_label: str | None = None
    random_state: int = 0
    max_rows: int | None = DEFAULT_MAX_ROWS
    decision_threshold: float | None = None
    primary_metric: str | None = None
    many_values: int = MANY_VALUES

    def to_dict(self) -> dict:
        """Plain dicts, lists and JSON scalars; fields added later are left out at their defaults (KEYED_LATER), so
        the key of a run asked the same way stays the one it was stored under."""
        plain = to_plain(self)
        for name, default in KEYED_LATER.items():
            if plain.get(name) == default:
                del plain[name]
        return plain

    @classmethod
    def from_dict(cls, data: dict) -> RunSettings:
        return from_plain(cls, data)


KEYED_LATER = {"many_values": MANY_VALUES}   # settings added after runs were stored, with their defaults


def check_settings(settings: RunSettings) -> RunSettings:
    """Check the values that need no data; raise ValueError naming the setting and its allowed values."""
    if settings.task is not None and settings.task not in TASKS:
        raise ValueError(f"task '{settings.task}' is not one of {', '.join(TASKS)} (or None to detect it).")
    if settings.protocol not in PROTOCOLS:
        raise ValueError(f"protocol '{settings.protocol}' is not one of {', '.join(PROTOCOLS)}.")
    if not isinstance(settings.folds, int) or settings.folds < 2:
        raise ValueError(f"folds == {settings.folds!r}, must be a whole number >= 2.")
    if not 0.05 <= settings.holdout_share <= 0.5:
        raise ValueError(f"holdout_share == {settings.holdout_share}, must be between 0.05 and 0.5.")
    if not settings.time_budget_s > 0:
        raise ValueError(f"time_budget_s == {settings.time_budget_s}, must be > 0 seconds.")
    if settings.max_rows is not None and settings.max_rows < MIN_ROWS:
        raise ValueError(f"max_rows == {settings.max_rows}, must be >= {MIN_ROWS} (or None to use every row).")
    if settings.protocol == "time" and not settings.date_column:
        raise ValueError("protocol 'time' needs a date_column to order the rows by.")
    if settings.decision_threshold is not None and not 0.0 <= settings.decision_threshold <= 1.0:
        raise ValueError(f"decision_threshold == {settings.decision_threshold}, must be between 0 and 1 "
                         "(or None for 0.5).")
    if settings.protocol == "group" and not settings.group_column:
        raise ValueError("protocol 'group' needs a group_column.")
    if not isinstance(settings.many_values, int) or isinstance(settings.many_values, bool) or settings.many_values < 2:
        raise ValueError(f"many_values == {settings.many_values!r}, must be a whole number >= 2 (categories with more "
                         "distinct values than this are target-encoded).")
    return settings


@dataclass(frozen=True)
class Protocol:
    """How the rows are split into training and test rows.

    kind: "kfold", "holdout", "time", "group" or "test_dataset".
    n_splits: train/test splits (folds); 1 for a holdout or a test dataset.
    test_share: share of rows tested per split (holdouts), None for k-fold and a test dataset.
    stratified: the splits keep each class's share.
    column: the date column (time) or group column (group), else None.
    description: one sentence saying what and why, for the user.
    order: one sentence saying how the rows were ordered before they were split: shuffled with the run's seed, sorted
    by the date column, or in file order ("" in runs stored before it was said).
    """

    kind: str
    n_splits: int
    test_share: float | None
    stratified: bool
    column: str | None
    description: str
    order: str = ""

    @property
    def line(self) -> str:
        """The protocol as the page says it: what and why, then the order of the rows."""
        return f"{self.description} {self.order}".strip()


def choose_protocol(
    n_rows: int, settings: RunSettings, *, has_test_frame: bool = False, min_class_rows: int | None = None,
    n_groups: int | None = None, n_test_rows: int | None = None,
) -> Protocol:
    """The evaluation protocol for ``n_rows`` labelled rows (see the module docstring for the rules), with the order
    of its rows (make_splits: shuffled with settings.random_state, sorted by the date column, or in file order).

    min_class_rows: rows of the smallest class (classification), to shrink the folds when it has fewer;
    n_groups: distinct groups of the group column; n_test_rows: rows of the test dataset.
    """
    protocol = _protocol(n_rows, settings, has_test_frame=has_test_frame, min_class_rows=min_class_rows,
                         n_groups=n_groups, n_test_rows=n_test_rows)
    return dataclasses.replace(protocol, order=_order(protocol, settings.random_state))


def _order(protocol: Protocol, seed: int) -> str:
    if protocol.kind == "test_dataset":
        return "Rows in file order: the whole dataset trains, the test dataset tests."
    if protocol.kind == "time":
        return f"Rows sorted by '{protocol.column}' (rows of the same date in file order), never shuffled."
    what = "Groups" if protocol.kind == "group" else "Rows"
    into = "into the folds" if protocol.n_splits > 1 else "before the split"
    return f"{what} shuffled (seed {seed}) {into}."


def _protocol(
    n_rows: int, settings: RunSettings, *, has_test_frame: bool, min_class_rows: int | None, n_groups: int | None,
    n_test_rows: int | None,
) -> Protocol:
    kind = settings.protocol
    if kind == "auto":
        if has_test_frame:
            kind = "test_dataset"
        elif settings.date_column:
            kind = "time"
        elif settings.group_column:
            kind = "group"
        else:
            kind = "kfold" if n_rows <= KFOLD_MAX_ROWS else "holdout"
    if kind == "test_dataset" and not has_test_frame:
        raise ValueError("protocol 'test_dataset' needs a test dataset (test_frame).")
    classify = settings.task in (BINARY, MULTICLASS)
    rows = f"{n_rows:,} rows"
    share = settings.holdout_share
    split = f"{1 - share:.0%}/{share:.0%}"
    small = n_rows <= KFOLD_MAX_ROWS
    if kind == "test_dataset":
        tested = f" ({n_test_rows:,} rows)" if n_test_rows is not None else ""
        return Protocol(kind, 1, None, False, None,
                        f"{rows}: trained on all of them and tested on the test dataset{tested}, as the user chose.")
    if kind == "time":
        column = settings.date_column
        if not small:
            return Protocol(kind, 1, share, False, column,
                            f"{rows} ordered by '{column}': trained on the earliest {1 - share:.0%}, "
                            f"tested on the latest {share:.0%}, so the model never sees the future it predicts.")
        folds = min(settings.folds, max(2, n_rows // MIN_ROWS))
        return Protocol(kind, folds, None, False, column,
                        f"{rows} ordered by '{column}': {folds} expanding-window folds, each tested on rows later than "
                        "all it trained on, so the model never sees the future it predicts.")
    if kind == "group":
        column = settings.group_column
        if n_groups is not None and n_groups < 2:
            raise TargetError(f"Group column '{column}' has {n_groups} group; a group split needs at least 2. "
                              "Choose another group column or none.")
        if not small:
            return Protocol(kind, 1, share, False, column,
                            f"{rows}: a group holdout on '{column}' ({split}), "
                            f"so no {column} is on both sides of the split.")
        folds = min(settings.folds, n_groups or settings.folds)
        strat = "stratified " if classify else ""
        return Protocol(kind, folds, None, classify, column,
                        f"{rows}: {strat}{folds}-fold group cross-validation on '{column}', so no {column} is both "
                        "trained on and tested.")
    if kind == "kfold":
        folds = settings.folds if min_class_rows is None or not classify else min(settings.folds, min_class_rows)
        note = ""
        if folds < settings.folds:
            note = f" (fewer than {settings.folds}: the smallest class has {min_class_rows} rows)"
        strat = "stratified " if classify else ""
        why = "small data: every row is tested once" if small else "as chosen; every row is tested once"
        return Protocol("kfold", folds, None, classify, None,
                        f"{rows}: {strat}{folds}-fold cross-validation{note} ({why}).")
    strat = "stratified " if classify else ""
    why = (f"large data: one split tests {round(n_rows * share):,} rows, precise enough and {settings.folds}x cheaper "
           f"than {settings.folds}-fold") if not small else "as chosen"
    article = "an" if not strat and split.startswith("8") else "a"          # "an 80%/20% holdout"
    return Protocol("holdout", 1, share, classify, None, f"{rows}: {article} {strat}{split} holdout ({why}).")


def make_splits(
    protocol: Protocol, y: np.ndarray, *, order: np.ndarray | None = None, groups: np.ndarray | None = None,
    random_state: int = 0,
) -> list[tuple[np.ndarray, np.ndarray]]:
    """(train positions, test positions) per split. ``y``: class codes (stratified) or values; ``order``: the sort
    key of a time split; ``groups``: group codes of a group split."""
    # imported here: scikit-learn takes ~2 s to import: loaded by the work, not the pages
    from sklearn.model_selection import (  # noqa: PLC0415
        GroupKFold,
        GroupShuffleSplit,
        KFold,
        StratifiedGroupKFold,
        StratifiedKFold,
        TimeSeriesSplit,
        train_test_split,
    )

    n = len(y)
    positions = np.arange(n)
    if protocol.kind == "kfold":
        splitter = (StratifiedKFold if protocol.stratified else KFold)(protocol.n_splits, shuffle=True,
                                                                         random_state=random_state)
        return [(tr, te) for tr, te in splitter.split(positions, y)]
    if protocol.kind == "holdout":
        train, test = train_test_split(positions, test_size=protocol.test_share, random_state=random_state,
                                       stratify=y if protocol.stratified else None)
        return [(np.sort(train), np.sort(test))]
    if protocol.kind == "time":
        ranked = np.argsort(order, kind="stable")
        if protocol.n_splits == 1:
            cut = n - int(round(n * protocol.test_share))
            return [(ranked[:cut], ranked[cut:])]
        return [(ranked[tr], ranked[te]) for tr, te in TimeSeriesSplit(protocol.n_splits).split(ranked)]
    if protocol.kind == "group":
        if protocol.n_splits == 1:
            splitter = GroupShuffleSplit(1, test_size=protocol.test_share, random_state=random_state)
            return [(tr, te) for tr, te in splitter.split(positions, y, groups)]
        if protocol.stratified:
            splitter = StratifiedGroupKFold(protocol.n_splits, shuffle=True, random_state=random_state)
        else:
            splitter = GroupKFold(protocol.n_splits, shuffle=True, random_state=random_state)
        return [(tr, te) for tr, te in splitter.split(positions, y, groups)]
    raise ValueError(f"make_splits does not split protocol '{protocol.kind}'.")


def sample_rows(labels: pd.Series, max_rows: int, *, stratify: bool, random_state: int) -> np.ndarray:
    """Sorted positions of a sample of ``max_rows`` rows (stratified by class when asked), time order kept."""
    # imported here: scikit-learn takes ~2 s to import: loaded by the work, not the pages
    from sklearn.model_selection import train_test_split  # noqa: PLC0415

    positions = np.arange(len(labels))
    keep, _ = train_test_split(positions, train_size=max_rows, random_state=random_state,
                               stratify=labels.to_numpy() if stratify else None)
    return np.sort(keep)
