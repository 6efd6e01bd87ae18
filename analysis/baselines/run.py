"""Quick baselines for a target: a dummy floor and four cheap model families, evaluated the same way.

    task = detect_task(frame["diagnosis"])                    # shown for the user to confirm
    settings = resolve_settings(frame, column_types, RunSettings(target="diagnosis", task=task))
    settings.features, settings.excluded                      # what the run will use, and what not and why
    run = run_baselines(frame, column_types, settings, on_progress=show, should_stop=stop_requested)
    run.best_model, run.lift_over_dummy, run.too_good_flags, metric_value(run, "recall")
    stored = json.dumps(run.to_dict()); again = BaselineRun.from_dict(json.loads(stored))

The pieces: analysis.baselines.setup (task, target check, features, settings, protocol and splits),
analysis.baselines.models (the models and their pipelines), analysis.baselines.metrics (metrics, curves, importance).

Best model: the highest mean of the run's primary metric among models other than the dummy whose 95 % interval on that
metric clears the dummy floor (lies wholly above the dummy's value; below it for a metric where lower is better), or
among all of them when none does (the dummy only when no other model has a score): a model whose lead chance alone
could give is never chosen over one whose lead it could not (choose_best). When a better-scoring model is passed over
so, or (multiclass) the best model's accuracy is below the majority class's share while another model leads on
accuracy, the floor notes say so and why (_choice_notes). The primary metric is settings.primary_metric, which the
Baselines page takes from the design document's success criteria (analysis.baselines.metrics.choose_primary_metric:
a threshold-free metric they name, else PR AUC for criteria on the positive class, ROC AUC for specificity or
accuracy), else the task's default (ROC AUC for
binary tasks; balanced accuracy for multiclass, which weighs every class equally, so a majority-class guess scores
1/K; the lowest RMSE for regression).
Decision threshold: binary metrics that need one (recall, precision, specificity, accuracy, F1, balanced accuracy) and
the confusion matrix use settings.decision_threshold, the design document's (0.5 when it names none). It is part of
the settings, so of the stored run's key: a changed threshold is a new run (the threshold explorer reads the stored
counts at every threshold in between, so nothing needs the predictions again).
Intervals: every model's metrics are also measured on its pooled out-of-fold predictions with a 95 % interval and the
counts behind it (analysis.intervals: Wilson for proportions, a seeded bootstrap for the rest); design.checks checks
criteria against these, never against a point.
The floor: _floor_notes says which models do not clearly beat predicting the majority class (accuracy) and on which
common metric (FLOOR_METRICS) the best model is below the dummy; headline_metrics puts recall, precision and PR AUC
first when the positive class is under RARE_POSITIVE_SHARE of the rows.
A model beats the dummy floor meaningfully when its lead (the lift) is at least MEANINGFUL_LIFT (ROC AUC or balanced
accuracy; for regression, that share of the dummy's RMSE) and larger than the noise bound: what chance alone gives the
best of the m models compared on the rows tested, so that on a target the features know nothing about the run says
"beats" with probability at most 5% (analysis.baselines.metrics.CHANCE_ALPHA). The bound is z * SE with
    z  = the one-sided normal quantile at 5% / m (Bonferroni: the best of m models is the largest of m chances;
         2.24 for the default suite of four, 1.64 for a single model);
    SE = the standard error of the primary metric under that null, for the n rows tested (baseline_metrics.chance_se:
         ROC AUC sqrt((n1 + n0 + 1) / (12 n1 n0)), the Mann-Whitney null; balanced accuracy from binomial recalls at
         the model's predicted class shares; regression: 1 / sqrt(n) for the correlation r of predictions and target,
         whose RMSE gain is at most 1 - sqrt(1 - r^2) of the dummy's), times SPLIT_REUSE = sqrt(2) when the rows were
         split more than once: a row tested in one fold also trains the models of the other folds, so a chance
         pattern shared by two folds is counted twice. (Measured with shuffled labels at 300 rows, 5-fold: the
         cross-validated ROC AUC spreads 1.3-1.6x the single-split formula, balanced accuracy 1.1-1.2x.)
These are permutation nulls: they hold whatever the features' distribution. The spread of a score over the folds is not
used: from 5 values it is itself too noisy (0.04-0.06 ROC AUC on noise frames where the best model led by 0.09 by
chance, which the old rule "lift > fold spread" took for signal). Examples (ROC AUC, default suite): on 300 rows of
noise the best model often reaches 0.59 and the bound is +-0.11 (measured false "beats": 1 run in 70); 569 rows +-0.08;
a 20,000-row holdout +-0.01, where MEANINGFUL_LIFT decides.
The lift is measured in the task's default metric whatever metric picked the best model: that metric's chance
spread is known.
Too good to be true: a near-perfect score (NEAR_PERFECT) or a model far above the next one (FAR_ABOVE).
"""
from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.baselines.metrics import (
    ALIASES,
    COMPLEMENTS,
    DEFAULT_THRESHOLD,
    LOWER_IS_BETTER,
    PRIMARY_METRIC,
    Confusion,
    Curve,
    Curves,
    FeatureImportance,
    Residuals,
    ThresholdGrid,
    canonical_metric,
    chance_se,
    chance_z,
    choose_primary_metric,
    classification_metrics,
    compute_curves,
    display_name,
    metric_names,
    permutation_importance,
    regression_metrics,
    summarize,
)
from analysis.baselines.models import (
    DEFAULT_MODELS,
    DUMMY,
    MODELS,
    Cancelled,
    check_models,
    fit_model,
    model_names,
    native_threads,
    predict_scores,
    prepare_features,
    reading_notes,
    split_predictor,
)
from analysis.baselines.setup import (
    Protocol,
    RunSettings,
    as_numbers,
    check_baseline_target,
    check_settings,
    choose_protocol,
    default_features,
    default_positive_label,
    detect_task,
    label_text,
    make_splits,
    regression_values,
    sample_rows,
    target_values,
)
from analysis.engine.table import FILE, PANDAS, engine_of
from analysis.error_analysis.model import ErrorAnalysis
from analysis.errors import TargetError
from analysis.intervals import Interval, metric_intervals
from analysis.serialize import from_versioned, to_versioned
from analysis.target import BINARY, REGRESSION, check_target

__all__ = [
    "ALIASES", "COMPLEMENTS", "DEFAULT_MODELS", "DUMMY", "PRIMARY_METRIC", "BaselineRun", "Confusion", "Curve",
    "Curves", "FeatureImportance", "Interval",
    "ModelResult", "Predictions", "Progress", "Protocol", "Residuals", "RunSettings", "ThresholdGrid", "best_metrics",
    "check_baseline_target", "choose_primary_metric", "choose_protocol", "criterion_evidence", "floor_values",
    "default_features", "detect_task",
    "display_name", "headline_metrics", "metric_names", "metric_value", "model_names", "positive_share",
    "resolve_settings", "run_baselines", "run_planned",
]

BASELINE_FORMAT = 3            # version of to_dict()'s layout; from_dict() reads formats 1 (no intervals) and 2 (no
                               # predictions, so no error analysis) too, refuses others
PREDICTION_ROWS = 200_000      # out-of-fold predictions kept per model; above, a seeded sample of this many (stated)
# Beating the dummy floor (see the module docstring): the lift must be at least MEANINGFUL_LIFT (a lead too small to
# matter, however certain) and above the noise bound z(CHANCE_ALPHA / m models) * SE(chance, rows tested) * SPLIT_REUSE:
# on pure noise with 300 rows the best of four models reaches 0.59 ROC AUC, so a fixed 0.02 alone says "beats" there.
MEANINGFUL_LIFT = 0.02         # ROC AUC / balanced accuracy points, or share of the dummy's RMSE
SPLIT_REUSE = math.sqrt(2.0)   # chance SE factor with several splits: each pair of folds trains the other's models
NEAR_PERFECT = {"roc auc": 0.999, "balanced accuracy": 0.995, "r2": 0.995}
FAR_ABOVE = {"roc auc": 0.15, "balanced accuracy": 0.15, "r2": 0.30}   # lead over the next best model
IMPORTANCE_ROWS = 1_000        # test rows the permutation importance shuffles
IMPORTANCE_REPEATS = 5
IMPORTANCE_BUDGET_S = 8.0      # at most this long (and at most the model time budget)
RARE_POSITIVE_SHARE = 0.20     # below this share of positives, recall, precision and PR AUC lead the headline
# The floor (see _floor_notes): metrics on which the best model is compared with the dummy.
FLOOR_METRICS = {BINARY: ("accuracy", "balanced accuracy", "roc auc", "pr auc", "log loss", "brier score"),
                 "multiclass": ("accuracy", "balanced accuracy", "f1", "roc auc", "log loss", "brier score"),
                 REGRESSION: ("rmse", "mae", "r2")}
DONE, PARTIAL, SKIPPED, FAILED = "done", "partial", "skipped", "failed"
CANCELLED = "cancelled"


@dataclass(frozen=True)
class Predictions:
    """A model's pooled out-of-fold predictions, kept with the run so that error analysis (analysis.error_analysis)
    can join each tested row back to its feature values exactly.

    source: "dataset" (rows of the run's dataset) or "test_dataset" (rows of the user's test dataset).
    rows: each kept row's position (0-based) in that frame as stored, before rows with a missing target were left
    out and before the run's sample, so ``frame.iloc[rows]`` are the rows predicted.
    truth: the true class codes (into BaselineRun.classes) or target values. predicted: the predicted class codes
    (binary: at the decision threshold) or predicted values.
    score: binary: the probability of the positive class; multiclass: the probability of the predicted class;
    regression: () (the prediction is the value).
    tested: rows tested; when more than PREDICTION_ROWS, ``rows`` is a seeded sample of PREDICTION_ROWS of them.
    """

    source: str
    rows: tuple[int, ...]
    truth: tuple[float, ...]
    predicted: tuple[float, ...]
    score: tuple[float, ...] = ()
    tested: int = 0

    @property
    def sampled(self) -> bool:
        return self.tested > len(self.rows)


@dataclass(frozen=True)
class ModelResult:
    """How one model did.

    name: the model (analysis.baselines.models.MODELS). status: "done" (every fold), "partial" (stopped by its time
    budget, a cancel or an error after some folds; the metrics are those of the folds done), "skipped" (not run),
    "failed" (an error before any fold finished). message: why, for the user ("" when done).
    metrics, metrics_std: metric -> mean and standard deviation over the folds done (None when undefined).
    fold_metrics: metric -> value, per fold done. folds_done / n_folds: folds evaluated / planned.
    fit_s, predict_s: seconds fitting and predicting, summed over folds.
    curves: what the charts need (ROC, PR, confusion, threshold grid, residuals), from out-of-fold predictions.
    intervals: metric -> its value on all tested rows (the pooled out-of-fold predictions, at the decision threshold)
    with a 95 % interval and the counts behind it (analysis.intervals); criteria are checked against these.
    importance: permutation importance on the last fold's test rows (the best model only; largest first).
    importance_note: how it was measured, or why it is partial.
    predictions: its out-of-fold predictions (None for a run stored before they were kept, or with no fold done).
    error_analysis: slices, worst errors and calibration from those predictions (analysis.error_analysis, computed
    by the job that made the run; None before).
    """

    name: str
    status: str
    message: str = ""
    metrics: dict[str, float | None] = field(default_factory=dict)
    metrics_std: dict[str, float | None] = field(default_factory=dict)
    fold_metrics: tuple[dict[str, float | None], ...] = ()
    folds_done: int = 0
    n_folds: int = 0
    fit_s: float = 0.0
    predict_s: float = 0.0
    curves: Curves | None = None
    importance: tuple[FeatureImportance, ...] = ()
    importance_note: str = ""
    intervals: dict[str, Interval] = field(default_factory=dict)
    predictions: Predictions | None = None
    error_analysis: ErrorAnalysis | None = None

    @property
    def has_scores(self) -> bool:
        return self.folds_done > 0


@dataclass(frozen=True)
class Progress:
    """A step of a run, passed to ``on_progress`` as it happens.

    status: "running" (``model`` starts fold ``fold`` of ``n_folds``); "done", "partial", "skipped" or "failed"
    (``model`` finished; ``result`` holds its ModelResult, ``fold`` = folds done); "importance" (permutation
    importance of the best ``model``); "finished" or "cancelled" (the run ended; ``model`` is None).
    model_index / n_models: position of the model in the run (1-based). elapsed_s: seconds since the run started.
    """

    model: str | None
    fold: int
    n_folds: int
    status: str
    result: ModelResult | None = None
    model_index: int = 0
    n_models: int = 0
    elapsed_s: float = 0.0


@dataclass(frozen=True)
class BaselineRun:
    """A finished (or cancelled) baseline run; JSON-ready through to_dict() / from_dict().

    settings: the resolved settings (task, features, excluded columns, models, positive label filled in).
    protocol: how rows were split, with its one-sentence description.
    task: "binary", "multiclass" or "regression". classes: class labels as text (sorted); () for regression.
    positive_label: the positive class (binary), else None.
    n_rows: labelled rows used (after sampling). n_rows_total: rows of the dataset. sampled: n_rows is a sample.
    n_test_rows: rows of the user's test dataset (protocol "test_dataset"), else 0.
    notes: what the run changed or noticed (rows dropped for a missing target, the sample), for the user.
    results: one ModelResult per model, in run order. primary_metric: what picks the best model
    (settings.primary_metric, chosen from the design document's criteria, or the task's default).
    best_model: the best model's name, or None when no model has a score.
    lift_over_dummy: a sentence on how much the best model beats the dummy floor.
    lift: best minus dummy in the primary metric (for RMSE: dummy minus best), None without a dummy score.
    beats_dummy: whether that lift is meaningful (see the module docstring); None without a dummy score.
    lift_noise: the noise bound the lift had to exceed (in the lift's units), None when there was no comparison.
    too_good_flags: sentences on scores too good to be true. status: "done" or "cancelled". seconds: wall time.
    versions: library versions it was computed with.
    decision_threshold: the binary decision threshold every threshold metric, interval and the confusion matrix use
    (settings.decision_threshold, or 0.5 when none was given); None for other tasks.
    floor_notes: sentences on models that do no better than the floor on a metric (predicting the majority class;
    the best model below the dummy on another common metric).
    engine: how the dataset's rows were read: "pandas" (all in memory) or "file" (a stored file larger than the
    in-memory size, an analysis.engine.table FileTable: its columns read one at a time, the rows used by position).
    n_rows_labelled: labelled rows before the sample (None in runs stored before it was kept).
    """

    settings: RunSettings
    protocol: Protocol
    task: str
    classes: tuple[str, ...]
    positive_label: str | None
    n_rows: int
    n_rows_total: int
    sampled: bool
    n_test_rows: int
    notes: tuple[str, ...]
    results: tuple[ModelResult, ...]
    primary_metric: str
    best_model: str | None
    lift_over_dummy: str
    lift: float | None
    beats_dummy: bool | None
    too_good_flags: tuple[str, ...]
    status: str
    seconds: float
    versions: dict[str, str]
    lift_noise: float | None = None
    decision_threshold: float | None = None
    floor_notes: tuple[str, ...] = ()
    engine: str = PANDAS
    n_rows_labelled: int | None = None

    def result(self, name: str) -> ModelResult:
        """The result of model ``name``; KeyError naming the models of the run when there is none."""
        for result in self.results:
            if result.name == name:
                return result
        raise KeyError(f"No model '{name}' in this run; it has {', '.join(r.name for r in self.results)}.")

    def best(self) -> ModelResult | None:
        return self.result(self.best_model) if self.best_model else None

    def to_dict(self) -> dict:
        """Plain dicts, lists and JSON scalars (no NaN), tagged with BASELINE_FORMAT."""
        return to_versioned(self, BASELINE_FORMAT)

    @classmethod
    def from_dict(cls, data: dict) -> BaselineRun:
        """Rebuild a BaselineRun from to_dict() output; ValueError when it was written in another format. A run of
        format 1 (before intervals) reads with no intervals (its criteria are inconclusive until it is run again)
        and the threshold it used, 0.5; a run of format 2 (before predictions were kept) reads with no predictions
        and no error analysis (run the baselines again to see slices)."""
        if data.get("format") == 1:
            binary = data.get("task") == BINARY
            data = {**data, "format": 2, "decision_threshold": DEFAULT_THRESHOLD if binary else None}
        if data.get("format") == 2:
            data = {**data, "format": BASELINE_FORMAT}
        return from_versioned(cls, data, BASELINE_FORMAT, "baseline run", "Run the baselines again.")


# --- settings -----------------------------------------------------------------------------------------------------

def resolve_settings(frame: pd.DataFrame, column_types: dict[str, str], settings: RunSettings, *,
                     test_frame: pd.DataFrame | None = None) -> RunSettings:
    """``settings`` with every default filled in from the data: the task (detected when None), the features and the
    excluded columns with their reasons, the models, the positive label. Raises TargetError (the target, the
    features or the test dataset cannot make a run) or ValueError (a setting out of range), saying what to do.

    With ``features=None`` the features are default_features(...) minus the columns in ``settings.excluded``
    (pass the leakage checks' findings there, column -> reason).
    """
    check_settings(settings)
    target = settings.target
    if target not in frame.columns:
        check_target(frame, target)   # raises, naming the columns there are
    task = settings.task or detect_task(frame[target])
    labels = check_baseline_target(frame, target, task)
    for role, column in (("date", settings.date_column), ("group", settings.group_column)):
        if column is not None and column not in frame.columns:
            raise TargetError(f"The {role} column '{column}' is not in this dataset. "
                              "Choose one of its columns or none.")
        if column == target:
            raise TargetError(f"The {role} column cannot be the target '{target}'. Choose another column.")
    if settings.date_column is not None:
        kind = column_types.get(settings.date_column)
        if kind not in ("datetime", "numeric"):
            raise TargetError(f"The date column '{settings.date_column}' holds {kind} values, not dates or numbers, so "
                              "it cannot order a time split. Choose a date column.")
    defaults, reasons = default_features(frame, column_types, target, date_column=settings.date_column,
                                         group_column=settings.group_column)
    chosen_excluded = dict(settings.excluded)
    if settings.features is None:
        features = tuple(c for c in defaults if c not in chosen_excluded)
        excluded = {**reasons, **chosen_excluded}
    else:
        unknown = [c for c in settings.features if c not in frame.columns]
        if unknown:
            raise TargetError(f"Feature column(s) {', '.join(repr(c) for c in unknown)} are not in this dataset; "
                              "choose among its columns.")
        if target in settings.features:
            raise TargetError(f"The target '{target}' is among the features: a model would read the answer. "
                              "Remove it from the features.")
        split_columns = {settings.date_column: reasons.get(settings.date_column),
                         settings.group_column: reasons.get(settings.group_column)}
        features = tuple(dict.fromkeys(c for c in settings.features if c not in split_columns))
        excluded = {c: chosen_excluded.get(c) or reasons.get(c) or "not chosen as a feature"
                    for c in frame.columns if c != target and c not in features}
    excluded = {c: excluded[c] for c in frame.columns if c in excluded and c != target}
    if not features:
        listed = "; ".join(f"'{c}': {r}" for c, r in list(excluded.items())[:5])
        more = f"; and {len(excluded) - 5} more" if len(excluded) > 5 else ""
        raise TargetError(
            f"No feature left to learn from: all {len(excluded)} columns besides the target '{target}' are excluded "
            f"({listed}{more}). Include at least one column as a feature."
        )
    positive = None
    if task == BINARY:
        positive = settings.positive_label if settings.positive_label is not None else default_positive_label(labels)
        names = sorted(labels.unique())
        if positive not in names:
            raise TargetError(f"The positive label '{positive}' is not a class of '{target}'; choose "
                              f"{' or '.join(repr(n) for n in names)}.")
    if test_frame is not None:
        _check_test_frame(test_frame, target, features, task, labels)
    primary = settings.primary_metric
    if primary is not None:
        primary = canonical_metric(primary)[0]
        if primary not in metric_names(task):
            raise ValueError(f"primary_metric '{settings.primary_metric}' is not a metric of a {task} task; choose one "
                             f"of {', '.join(metric_names(task))} (or None for {PRIMARY_METRIC[task]}).")
    return dataclasses.replace(settings, task=task, features=features, excluded=excluded,
                               models=check_models(settings.models, task), positive_label=positive,
                               primary_metric=primary,
                               decision_threshold=settings.decision_threshold if task == BINARY else None)


def _check_test_frame(test_frame: pd.DataFrame, target: str, features: tuple[str, ...], task: str,
                      labels: pd.Series) -> None:
    missing = [c for c in (target, *features) if c not in test_frame.columns]
    if missing:
        raise TargetError(f"The test dataset lacks column(s) {', '.join(repr(c) for c in missing[:5])} that the "
                          "training dataset has. Upload a test dataset with the same columns.")
    tested = test_frame[target].dropna()
    if tested.empty:
        raise TargetError(f"The test dataset has no value in target column '{target}'; it needs the true outcomes.")
    if task == REGRESSION:
        try:
            regression_values(test_frame[target], target)
        except TargetError as error:
            raise TargetError(f"Test dataset: {error}") from None
        return
    unseen = sorted(set(tested.astype(object).map(label_text)) - set(labels.unique()))
    if unseen:
        raise TargetError(f"The test dataset has class(es) {', '.join(repr(u) for u in unseen[:5])} that the training "
                          "dataset lacks, so no model can predict them. Train on data with every class.")


# --- the run ------------------------------------------------------------------------------------------------------

@dataclass
class _Data:
    """Everything the models need, prepared once: X (training rows, then test dataset rows), y (class codes or values),
    splits as (train positions, test positions) into X."""

    X: pd.DataFrame
    y: np.ndarray
    splits: list
    columns: object
    classes: tuple[str, ...]
    positive: int | None
    n_rows: int
    n_rows_total: int
    n_test_rows: int
    sampled: bool
    protocol: Protocol
    notes: list
    positions: np.ndarray      # per row of X: its position in its frame as stored (the dataset, then the test dataset)
    n_labelled: int = 0        # labelled rows before the sample
    engine: str = PANDAS       # "pandas" (every row in memory) or "file" (a FileTable: rows read by position)


def run_baselines(
    frame: pd.DataFrame, column_types: dict[str, str], settings: RunSettings, *,
    test_frame: pd.DataFrame | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> BaselineRun:
    """Run every model of ``settings`` on ``frame`` (see the module docstring) and return the run.

    test_frame: the user's test dataset (protocol "test_dataset": train on ``frame``, test on it).
    on_progress(Progress): called as each fold starts and each model finishes (with its result), from this thread.
    should_stop(): polled between folds (and between growth steps of ensembles); True cancels: the models done are
    kept, the one running keeps its finished folds ("partial"), the rest are "skipped", the run is "cancelled".
    Raises TargetError or ValueError before any model runs when the target, features or settings cannot make a run.
    """
    settings = resolve_settings(frame, column_types, settings, test_frame=test_frame)
    return run_planned(frame, column_types, settings, test_frame=test_frame, on_progress=on_progress,
                       should_stop=should_stop)


def run_planned(
    frame: pd.DataFrame, column_types: dict[str, str], settings: RunSettings, *,
    test_frame: pd.DataFrame | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> BaselineRun:
    """run_baselines on ``settings`` that resolve_settings returned (a run's plan): nothing is resolved or checked
    again."""
    started = time.perf_counter()
    data = _prepare(frame, column_types, settings, test_frame)
    emit = on_progress or (lambda event: None)
    stop = should_stop or (lambda: False)
    task, primary = settings.task, _primary(settings)
    with native_threads(1):   # BLAS / OpenMP spin-wait badly on a busy 2-core box; forests use N_JOBS threads
        results, keeper, cancelled = _run_models(data, settings, emit, stop, started)
        best = keeper.get("name")
        n_models = len(settings.models)
        if best not in (None, DUMMY) and not cancelled:
            emit(Progress(best, 0, 0, "importance", None, n_models, n_models, time.perf_counter() - started))
            results = [_with_importance(r, keeper, data, settings) if r.name == best else r for r in results]
    # The lift is measured in the task's own metric (ROC AUC, balanced accuracy, RMSE), whose chance spread is known,
    # whatever metric picked the best model.
    lift, beats, noise, sentence = _lift(results, best, PRIMARY_METRIC[task], task, multi_split=len(data.splits) > 1)
    status = CANCELLED if cancelled else DONE
    run = BaselineRun(
        settings=settings, protocol=data.protocol, task=task, classes=data.classes,
        positive_label=settings.positive_label, n_rows=data.n_rows, n_rows_total=data.n_rows_total,
        sampled=data.sampled, n_test_rows=data.n_test_rows, notes=tuple(data.notes), results=tuple(results),
        engine=data.engine, n_rows_labelled=data.n_labelled,
        primary_metric=primary, best_model=best, lift_over_dummy=sentence, lift=lift, beats_dummy=beats,
        too_good_flags=_too_good(results, best, task), status=status,
        seconds=round(time.perf_counter() - started, 3), versions=_versions(), lift_noise=noise,
        decision_threshold=_threshold(settings) if task == BINARY else None,
        floor_notes=(_choice_notes(results, best, primary, task, settings.primary_metric is not None)
                     + _floor_notes(results, best, primary, task, data.classes, data.positive)),
    )
    emit(Progress(None, 0, 0, "cancelled" if cancelled else "finished", None, len(results), len(results), run.seconds))
    return run


def _primary(settings: RunSettings) -> str:
    return settings.primary_metric or PRIMARY_METRIC[settings.task]


def _threshold(settings: RunSettings) -> float:
    return DEFAULT_THRESHOLD if settings.decision_threshold is None else float(settings.decision_threshold)


def _run_models(data: _Data, settings: RunSettings, emit, stop, started: float):
    primary = _primary(settings)
    results: list[ModelResult] = []
    keeper = _Keeper(primary)   # the best model so far: its name, fitted predictor and last test positions
    cancelled = False
    n_models = len(settings.models)
    for index, name in enumerate(settings.models, start=1):
        if cancelled or stop():
            cancelled = True
            result = ModelResult(name, SKIPPED, "run cancelled before this model started", n_folds=len(data.splits))
        else:
            result, fitted, cancelled = _run_model(name, data, settings, emit, stop, started, index, n_models)
            keeper.add(result, fitted)
        results.append(result)
        emit(Progress(name, result.folds_done, result.n_folds, result.status, result, index, n_models,
                      time.perf_counter() - started))
    return results, keeper, cancelled


def _prepare(frame: pd.DataFrame, column_types: dict[str, str], settings: RunSettings,
             test_frame: pd.DataFrame | None) -> _Data:
    target, task = settings.target, settings.task
    labels = target_values(frame, target, task)
    notes = []
    missing = len(frame) - len(labels)
    if missing:
        notes.append(f"{missing:,} row{'s' if missing != 1 else ''} with no value in '{target}' left out.")
    positions = frame.index.get_indexer(labels.index)   # where each labelled row sits in the stored frame
    if settings.date_column is not None:
        known = frame[settings.date_column].take(positions).notna().to_numpy()
        if not known.all():
            notes.append(f"{int((~known).sum()):,} rows with no date in '{settings.date_column}' left out of the time "
                         "split.")
            labels, positions = labels[known], positions[known]
    n_total = len(frame)
    n_labelled = len(labels)
    sampled = settings.max_rows is not None and len(labels) > settings.max_rows
    if sampled:
        keep = sample_rows(labels, settings.max_rows, stratify=task != REGRESSION, random_state=settings.random_state)
        labels, positions = labels.iloc[keep], positions[keep]
    engine = engine_of(frame)
    if engine == FILE:   # only the rows used are read from the stored file, by position
        notes.append(scope_note(n_total, n_labelled, len(labels), task, target, settings.random_state))
    elif sampled:
        notes.append(f"Sampled {settings.max_rows:,} of {n_labelled:,} labelled rows"
                     + (" (stratified by class)." if task != REGRESSION else "."))
    rows = frame.take(positions).reset_index(drop=True)
    labels = labels.reset_index(drop=True)
    test_rows = None
    if test_frame is not None:
        known = (as_numbers(test_frame[target]) if task == REGRESSION else test_frame[target]).notna()
        test_rows = test_frame.take(np.flatnonzero(known.to_numpy())).reset_index(drop=True)
        positions = np.concatenate([positions, np.flatnonzero(known.to_numpy())])
    frames = [rows] + ([test_rows] if test_rows is not None else [])
    parts, columns = prepare_features(frames, settings.features, column_types, many_values=settings.many_values)
    notes.extend(reading_notes(columns, settings.models, settings.many_values))
    X = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    classes: tuple[str, ...] = ()
    positive = None
    if task == REGRESSION:
        y = labels.to_numpy(dtype=np.float64)
        if test_rows is not None:
            y = np.concatenate([y, as_numbers(test_rows[target]).to_numpy(dtype=np.float64)])
        min_class = None
    else:
        classes = tuple(sorted(labels.unique()))
        codes = {c: i for i, c in enumerate(classes)}
        y = labels.map(codes).to_numpy(dtype=np.int64)
        if test_rows is not None:
            y = np.concatenate([y, test_rows[target].astype(object).map(label_text).map(codes)
                                .to_numpy(dtype=np.int64)])
        min_class = int(np.bincount(y[: len(rows)]).min())
        positive = codes[settings.positive_label] if task == BINARY else None
    groups = order = None
    if settings.group_column is not None:
        group = rows[settings.group_column]
        groups = pd.factorize(group.astype(str).where(group.notna(), "(missing)"))[0]
    if settings.date_column is not None:
        dates = rows[settings.date_column]
        is_date = dates.dtype.kind == "M"
        order = dates.to_numpy(dtype="datetime64[ns]").astype(np.int64) if is_date else dates.to_numpy(dtype=np.float64)
    protocol = choose_protocol(
        len(rows), settings, has_test_frame=test_rows is not None, min_class_rows=min_class,
        n_groups=int(groups.max() + 1) if groups is not None else None,
        n_test_rows=len(test_rows) if test_rows is not None else None,
    )
    if protocol.kind == "test_dataset":
        splits = [(np.arange(len(rows)), np.arange(len(rows), len(X)))]
    else:
        splits = make_splits(protocol, y[: len(rows)], order=order, groups=groups, random_state=settings.random_state)
    if columns.dates and protocol.kind in ("kfold", "holdout"):
        notes.append(shuffled_dates_note(tuple(columns.dates)))
    if task != REGRESSION and protocol.kind in ("time", "group"):
        lonely = sum(len(np.unique(y[tr])) < 2 for tr, _ in splits)
        if lonely:
            notes.append(f"{lonely} split(s) train on a single class; their models can only predict that class.")
    n_test = len(test_rows) if protocol.kind == "test_dataset" else 0
    return _Data(X, y, splits, columns, classes, positive, len(rows), n_total, n_test, sampled, protocol, notes,
                 np.asarray(positions, dtype=np.int64), n_labelled, engine)


def shuffled_dates_note(dates: tuple[str, ...]) -> str:
    """What shuffled folds mean when dates are features: scored on the same times the models learnt from."""
    listed = ", ".join(f"'{d}'" for d in dates)
    return (f"Dates are features ({listed}) and the rows were shuffled, so every model was scored on rows from the "
            "same times it learnt from: a change over time (its year, its days since first) reads as signal. To "
            "judge rows yet to come, split by time (Evaluation protocol: time-ordered split; Date column: "
            f"'{dates[0]}').")


def scope_note(rows: int, labelled: int, used: int, task: str, target: str, seed: int) -> str:
    """One line on a run over a stored file read without loading it: what was exact over every row, what sampled."""
    if used < labelled:
        how = "uniform" if task == REGRESSION else f"stratified by '{target}'"
        sample = (f"sampled: the models trained and tested on {used:,} of the {labelled:,} labelled rows ({how}, seed "
                  f"{seed}), read from the file by position")
    else:
        sample = f"the models trained and tested on all {labelled:,} labelled rows, read from the file by position"
    return (f"Large dataset, read from the stored file a column at a time (never all {rows:,} rows in memory): exact "
            f"over every row: the target's classes and the feature choice (missing values, distinct values); {sample}.")


def _run_model(name: str, data: _Data, settings: RunSettings, emit, stop, started: float, index: int, n_models: int):
    """Fit and evaluate one model fold by fold within its time budget; returns (result, (predictor, test positions)
    of its last fold or None, cancelled)."""
    spec = MODELS[name]
    task, budget = settings.task, settings.time_budget_s
    n_folds = len(data.splits)
    largest = max(len(tr) for tr, _ in data.splits)
    if spec.max_train_rows is not None and largest > spec.max_train_rows:
        return ModelResult(name, SKIPPED, f"skipped: {largest:,} training rows would make {name} slow (it runs up to "
                           f"{spec.max_train_rows:,}); lower max_rows to include it", n_folds=n_folds), None, False
    if data.columns.only_text and not spec.text and name != DUMMY:
        readers = [m for m, s in MODELS.items() if s.text and task in s.tasks]
        return ModelResult(name, SKIPPED, f"skipped: {name} leaves free text out, and free text "
                           f"({', '.join(repr(c) for c in data.columns.text)}) is every feature here; "
                           f"{' and '.join(readers)} read it", n_folds=n_folds), None, False
    model_start = time.perf_counter()
    deadline = model_start + budget
    folds, fit_s, predict_s, notes = [], 0.0, 0.0, []
    scores = np.zeros((len(data.y), len(data.classes))) if task != REGRESSION else np.zeros(len(data.y))
    predicted = np.zeros(len(data.y), dtype=bool)
    message, cancelled, error, last = "", False, None, None
    for k, (train, test) in enumerate(data.splits):
        if stop():
            cancelled, message = True, f"run cancelled after {k} of {n_folds} folds"
            break
        now = time.perf_counter()
        if k and now + (now - model_start) / k > deadline:
            message = f"stopped after {k} of {n_folds} folds: time budget {budget:g} s"
            break
        emit(Progress(name, k + 1, n_folds, "running", None, index, n_models, now - started))
        try:
            fitted = fit_model(spec, data.columns, task, data.X.iloc[train], data.y[train],
                               random_state=settings.random_state, deadline=deadline, should_stop=stop)
            began = time.perf_counter()
            fold_scores = predict_scores(fitted.predictor, data.X.iloc[test], task, len(data.classes))
            predict_s += time.perf_counter() - began
        except Cancelled:
            cancelled, message = True, f"run cancelled after {k} of {n_folds} folds"
            break
        except Exception as exc:   # one model's failure must not lose the others
            error = f"{type(exc).__name__}: {exc}"
            message = f"failed in fold {k + 1} of {n_folds}: {error}"
            break
        fit_s += fitted.fit_s
        if fitted.note:
            notes.append(fitted.note if n_folds == 1 else f"fold {k + 1} {fitted.note}")
        folds.append(_fold_metrics(task, data.y[test], fold_scores, data.positive, _threshold(settings)))
        scores[test] = fold_scores
        predicted[test] = True
        last = (fitted.predictor, test)
    done = len(folds)
    if notes:   # an ensemble stopped growing within a fold
        grown = "; ".join(notes)
        message = f"{message} ({grown})" if message else f"{grown}: time budget {budget:g} s"
    if done == 0:
        status = FAILED if error else SKIPPED
    else:
        status = DONE if done == n_folds and not notes else PARTIAL
    means, stds = summarize(folds, metric_names(task)) if folds else ({}, {})
    curves, intervals = None, {}
    if done:
        threshold = _threshold(settings)
        curves = compute_curves(task, data.y[predicted], scores[predicted], data.classes, data.positive,
                                settings.random_state, threshold)
        intervals = metric_intervals(task, data.y[predicted], scores[predicted], data.classes, data.positive,
                                     threshold, settings.random_state)
    result = ModelResult(name, status, message, means, stds, tuple(folds), done, n_folds, round(fit_s, 4),
                         round(predict_s, 4), curves, intervals=intervals,
                         predictions=_predictions(data, predicted, scores, settings) if done else None)
    return result, last, cancelled


def _predictions(data: _Data, tested: np.ndarray, scores: np.ndarray, settings: RunSettings) -> Predictions:
    """The out-of-fold predictions of the ``tested`` rows, compact (see Predictions), at most PREDICTION_ROWS."""
    where = np.flatnonzero(tested)
    total = len(where)
    if total > PREDICTION_ROWS:
        where = np.sort(np.random.default_rng(settings.random_state).choice(where, PREDICTION_ROWS, replace=False))
    source = "test_dataset" if data.protocol.kind == "test_dataset" else "dataset"
    task = settings.task
    if task == REGRESSION:
        truth, predicted, score = data.y[where], scores[where], np.empty(0)
    elif task == BINARY:
        score = scores[where, data.positive]
        truth = data.y[where]
        predicted = np.where(score >= _threshold(settings), data.positive, 1 - data.positive)
    else:
        proba = scores[where]
        truth, predicted = data.y[where], proba.argmax(axis=1)
        score = proba[np.arange(len(where)), predicted]

    def floats(v):
        return tuple(np.round(v.astype(np.float64), 6).tolist())

    def codes(v):
        return tuple(v.astype(np.int64).tolist())

    return Predictions(source, tuple(data.positions[where].tolist()),
                       floats(truth) if task == REGRESSION else codes(truth),
                       floats(predicted) if task == REGRESSION else codes(predicted), floats(score), total)


def _fold_metrics(task: str, y: np.ndarray, scores: np.ndarray, positive: int | None,
                  threshold: float) -> dict[str, float | None]:
    if task == REGRESSION:
        return regression_metrics(y, scores)
    return classification_metrics(y, scores, positive, threshold)


def _score(result: ModelResult, primary: str) -> float | None:
    value = result.metrics.get(primary) if result.has_scores else None
    if value is None:
        return None
    return -value if primary in LOWER_IS_BETTER else value


def _clears_floor(result: ModelResult, floor: float | None, primary: str) -> bool:
    """Whether ``result``'s 95 % interval on ``primary`` lies wholly on the better side of the dummy's value."""
    found = result.intervals.get(primary)
    if floor is None or found is None or found.value is None or found.low is None or found.high is None:
        return False
    return found.high < floor if primary in LOWER_IS_BETTER else found.low > floor


def _rank(result: ModelResult, floor: float | None, primary: str) -> tuple:
    """The best model has the highest rank: any model but the dummy first (whatever their scores), then one whose
    interval clears the dummy floor, then the best score on the primary metric."""
    return result.name != DUMMY, _clears_floor(result, floor, primary), _score(result, primary)


def choose_best(results: list[ModelResult], primary: str) -> str | None:
    """The best model (see the module docstring): the best score on ``primary`` among the models whose 95 % interval
    on it clears the dummy floor, or among all when none does; the dummy only when no other model has a score."""
    floor = _floor(results, primary)
    scored = [r for r in results if _score(r, primary) is not None]
    return max(scored, key=lambda r: _rank(r, floor, primary)).name if scored else None


def _floor(results: list[ModelResult], primary: str) -> float | None:
    dummy = next((r for r in results if r.name == DUMMY and r.has_scores), None)
    return _pooled(dummy, primary) if dummy is not None else None


class _Keeper:
    """The fitted predictor (and last test positions) of the best model so far (choose_best), for its permutation
    importance. Models that finish before the dummy are all kept until its floor is known; then only the best."""

    def __init__(self, primary: str):
        self.primary = primary
        self.results: list[ModelResult] = []
        self.fitted: dict[str, tuple] = {}

    def add(self, result: ModelResult, fitted) -> None:
        if fitted is None or _score(result, self.primary) is None:
            return
        self.results.append(result)
        self.fitted[result.name] = fitted
        if any(r.name == DUMMY for r in self.results):
            best = self.get("name")
            self.fitted = {best: self.fitted[best]}

    def get(self, what: str, default=None):
        """"name" of the best model so far, its "predictor" or its last "test" positions (``default`` before any)."""
        best = choose_best(self.results, self.primary)
        if best is None:
            return default
        predictor, test = self.fitted[best]
        return {"name": best, "predictor": predictor, "test": test}[what]

    def __getitem__(self, what: str):
        return self.get(what)


def _with_importance(result: ModelResult, keeper: dict, data: _Data, settings: RunSettings) -> ModelResult:
    # imported here: scikit-learn takes ~2 s to import: loaded by the work, not the pages
    from sklearn.metrics import balanced_accuracy_score, roc_auc_score, root_mean_squared_error  # noqa: PLC0415

    task = settings.task
    test = keeper["test"]
    if len(test) > IMPORTANCE_ROWS:
        test = np.sort(np.random.default_rng(settings.random_state).choice(test, IMPORTANCE_ROWS, replace=False))
    X, y = data.X.iloc[test].reset_index(drop=True), data.y[test]
    n_classes, positive = len(data.classes), data.positive
    primary = PRIMARY_METRIC[task]
    if task == BINARY and len(np.unique(y)) < 2:
        return dataclasses.replace(result, importance_note="No permutation importance: the test rows hold one class.")

    transform, model, groups = split_predictor(keeper["predictor"], list(X.columns))
    prepared = _matrix(transform(X))

    def score(values: np.ndarray) -> float:   # the primary metric only: it runs features x repeats times
        predicted = predict_scores(model, values, task, n_classes)
        if task == REGRESSION:
            return -root_mean_squared_error(y, predicted)
        if task == BINARY:
            return roc_auc_score(y == positive, predicted[:, positive])
        return balanced_accuracy_score(y, predicted.argmax(axis=1))

    budget = min(IMPORTANCE_BUDGET_S, settings.time_budget_s)
    try:
        found, done = permutation_importance(score, prepared, groups, n_repeats=IMPORTANCE_REPEATS,
                                             random_state=settings.random_state, deadline=time.perf_counter() + budget)
    except Exception as exc:   # importance is a bonus: never lose the run over it
        return dataclasses.replace(result, importance_note=f"No permutation importance: {type(exc).__name__}: {exc}")
    worse = "increase in RMSE" if task == REGRESSION else f"drop in {display_name(primary)}"
    where = {"kfold": "of the last fold", "group": "of the last fold", "time": "of the latest fold",
             "holdout": "of the holdout", "test_dataset": "of the test dataset"}.get(data.protocol.kind, "")
    note = (f"Permutation importance: the {worse} when a feature's values are shuffled, on {len(test):,} test rows "
            f"{where}, {IMPORTANCE_REPEATS} repeats.")
    if done < len(groups):
        note += f" Stopped after {done} of {len(groups)} features: time budget {budget:g} s."
    return dataclasses.replace(result, importance=found, importance_note=note)


def _matrix(values):
    """A transformed frame as float64: a CSR matrix when sparse (a text column's TF-IDF), else a numpy array; objects
    (text the model reads itself) as they are."""
    import scipy.sparse as sp  # noqa: PLC0415 (SciPy: loaded by the work, not the pages)

    if sp.issparse(values):
        return sp.csr_matrix(values, dtype=np.float64)
    values = np.asarray(values)
    return values if values.dtype == object else values.astype(np.float64, copy=False)


# --- reading a run ------------------------------------------------------------------------------------------------

def _fmt(value: float, primary: str) -> str:
    return f"{value:.3g}" if primary in LOWER_IS_BETTER else f"{value:.3f}"


def _noise_bound(best: ModelResult, task: str, n_compared: int, multi_split: bool) -> float:
    """What chance alone gives the best of ``n_compared`` models (see the module docstring), in the units the lift is
    compared in (ROC AUC or balanced accuracy points; for RMSE a share of the dummy's RMSE); inf when unknown."""
    se = chance_se(task, best.curves)
    if se is None:
        return math.inf
    spread = chance_z(n_compared) * se * (SPLIT_REUSE if multi_split else 1.0)
    if task == REGRESSION:   # spread bounds the correlation r; the share of RMSE it buys is 1 - sqrt(1 - r^2)
        r = min(1.0, spread)
        return 1.0 - math.sqrt(1.0 - r * r)
    return spread


def _lift(results: list[ModelResult], best: str | None, primary: str, task: str, *, multi_split: bool
          ) -> tuple[float | None, bool | None, float | None, str]:
    """(lift, beats the dummy meaningfully, noise bound in the lift's units, the sentence for the user)."""
    by_name = {r.name: r for r in results}
    dummy = by_name.get(DUMMY)
    label = display_name(primary)
    if best is None:
        return None, None, None, "No model finished a fold, so there is nothing to compare with the dummy floor."
    if dummy is None or dummy.metrics.get(primary) is None:
        return None, None, None, (f"{best} is the best model; the run has no dummy score to compare it with "
                                  "(add the Dummy model to see the floor).")
    if best == DUMMY:
        return 0.0, False, None, "Only the dummy floor has a score: no model to compare with it."
    winner = by_name[best]
    top, floor = winner.metrics[primary], dummy.metrics[primary]
    compared = sum(1 for r in results if r.name != DUMMY and r.has_scores and r.metrics.get(primary) is not None)
    bound = _noise_bound(winner, task, compared, multi_split)
    lower = primary in LOWER_IS_BETTER
    lift = floor - top if lower else top - floor
    gain = (lift / floor if floor else 0.0) if lower else lift      # compared with MEANINGFUL_LIFT and the bound
    rows = winner.curves.rows if winner.curves is not None else 0
    of_models = f" for the best of {compared} models" if compared > 1 else ""
    if math.isfinite(bound):
        noise = bound * floor if lower else bound                   # in the lift's units
        noise_text = f"±{_fmt(noise, primary) if lower else f'{noise:.2f}'}"
    else:                                                           # no chance estimate: no claim
        noise, noise_text = None, ""
    beats = gain >= MEANINGFUL_LIFT and gain > bound
    if beats:
        if lower:
            return lift, True, noise, (f"{best} beats the dummy floor by {_fmt(lift, primary)} {label} "
                                       f"({_fmt(top, primary)} vs {_fmt(floor, primary)}, {gain:.0%} lower; the noise "
                                       f"of {rows:,} rows is {noise_text}).")
        return lift, True, noise, (f"{best} beats the dummy floor by {lift:.2f} {label} ({top:.3f} vs {floor:.3f}; "
                                   f"the noise of {rows:,} rows is {noise_text}).")
    scores = f"the best, {best}, scores {_fmt(top, primary)} {label} vs {_fmt(floor, primary)} for the dummy"
    if gain <= 0:
        why = ", no better than it"
    elif noise is None:
        why = ", and the noise of these rows cannot be estimated, so no lead counts as meaningful"
    elif gain <= bound:
        why = f", within the noise of {rows:,} rows ({noise_text}{of_models})"
    else:
        small = f"{MEANINGFUL_LIFT:.0%} of the dummy's {label}" if lower else f"{MEANINGFUL_LIFT:.2f} {label}"
        why = f", a lead above the noise ({noise_text}) but below the {small} that counts as meaningful"
    return lift, False, noise, (f"No model beats the dummy floor meaningfully: {scores}{why}. The features may carry "
                                "little signal about the target.")


def _too_good(results: list[ModelResult], best: str | None, task: str) -> tuple[str, ...]:
    metric = "r2" if task == REGRESSION else PRIMARY_METRIC[task]
    label = display_name(metric)
    scored = [(r.name, r.metrics.get(metric)) for r in results
              if r.name != DUMMY and r.has_scores and r.metrics.get(metric) is not None]
    flags = []
    perfect = [(n, v) for n, v in scored if v >= NEAR_PERFECT[metric]]
    if perfect:
        listed = ", ".join(f"{n} {v:.4f}" for n, v in perfect)
        flags.append(f"Near-perfect {label}: {listed}. Real problems rarely allow this: "
                     "check the features for one that encodes the target (run the leakage checks) "
                     "and for duplicate rows shared by training and test folds.")
    ranked = sorted(scored, key=lambda item: -item[1])
    if len(ranked) >= 2 and ranked[0][1] - ranked[1][1] >= FAR_ABOVE[metric]:
        (first, top), (second, runner_up) = ranked[0], ranked[1]
        flags.append(f"{first} ({top:.3f} {label}) is {top - runner_up:.2f} above the next model ({second}, "
                     f"{runner_up:.3f}). A lead this large can come from a leak only one model exploits: check its "
                     "permutation importance for one dominant feature.")
    return tuple(flags)


def _pooled(result: ModelResult, metric: str) -> float | None:
    """A model's metric on all tested rows (its interval's value), else its mean over the folds."""
    found = result.intervals.get(metric)
    return found.value if found is not None else result.metrics.get(metric)


def _share_text(share: float) -> str:
    return f"{share:.1%}" if share < 0.1 or share > 0.9 else f"{share:.0%}"


def _floor_notes(results: list[ModelResult], best: str | None, primary: str, task: str, classes: tuple[str, ...],
                 positive: int | None) -> tuple[str, ...]:
    """What the floor says about the models: which do not clearly beat predicting the majority class for every row
    (their accuracy's 95 % interval reaches down to the majority's share), and on which common metrics (FLOOR_METRICS)
    the best model scores below the dummy."""
    notes = []
    called_out = set()
    if task != REGRESSION:
        entries, majority_label, majority_share = [], None, None
        for r in results:
            accuracy = r.intervals.get("accuracy")
            if (r.name == DUMMY or accuracy is None or accuracy.value is None or r.curves is None
                    or r.curves.confusion is None):
                continue
            counts = np.asarray(r.curves.confusion.counts, dtype=np.float64)
            total = counts.sum()
            if not total:
                continue
            majority = int(np.argmax(counts.sum(axis=1)))
            share = counts.sum(axis=1)[majority] / total
            if accuracy.low > share:
                continue
            majority_label, majority_share = classes[majority], share
            said = (f"{r.name} {accuracy.value:.3f} (95 % interval {accuracy.low:.3f}-{accuracy.high:.3f}; it predicts "
                    f"'{classes[majority]}' for {_share_text(counts[:, majority].sum() / total)} of rows")
            if task == BINARY and positive is not None:
                recall = r.intervals.get("recall")
                if recall is not None and recall.value is not None:
                    said += f", recall of '{classes[positive]}' {recall.value:.2f}"
            entries.append(said + ")")
            called_out.add(r.name)
        if entries:
            judge = ("recall, precision and PR AUC of the positive class" if task == BINARY
                     else "balanced accuracy and each class's recall")
            notes.append(f"Accuracy no better than predicting the majority class '{majority_label}' for every row "
                         f"({majority_share:.3f}): {'; '.join(entries)}. A constant guess of the majority class does "
                         f"as well on accuracy, so accuracy says little here: judge by {judge}.")
    by_name = {r.name: r for r in results}
    winner, dummy = by_name.get(best), by_name.get(DUMMY)
    if winner is not None and dummy is not None and best != DUMMY and dummy.has_scores:
        below = []
        for metric in FLOOR_METRICS[task]:
            if metric == primary or (metric == "accuracy" and best in called_out):
                continue
            mine, floor = _pooled(winner, metric), _pooled(dummy, metric)
            if mine is None or floor is None:
                continue
            if (mine > floor) if metric in LOWER_IS_BETTER else (mine < floor):
                below.append(f"{display_name(metric)} ({_fmt(mine, metric)} vs {_fmt(floor, metric)})")
        if below:
            notes.append(f"{best}, the best model by {display_name(primary)}, is below the dummy floor on "
                         f"{', '.join(below)}: on {'that metric' if len(below) == 1 else 'those metrics'} predicting "
                         "from the class shares alone does better.")
    return tuple(notes)


def _choice_notes(results: list[ModelResult], best: str | None, primary: str, task: str, from_document: bool
                  ) -> tuple[str, ...]:
    """Why the best model is the one chosen when a reviewer would ask: a model with a better score on the primary
    metric was passed over because its 95 % interval does not clear the dummy floor; or (multiclass) the best model's
    accuracy is below the majority class's share while another model leads on accuracy."""
    by_name = {r.name: r for r in results}
    winner = by_name.get(best)
    if winner is None or best == DUMMY:
        return ()
    notes = []
    label = display_name(primary)
    floor = _floor(results, primary)
    top = max((r for r in results if r.name != DUMMY and _score(r, primary) is not None),
              key=lambda r: _score(r, primary))
    if top.name != best:
        notes.append(f"{top.name} has the best {label} ({_fmt(top.metrics[primary], primary)}), but its 95 % interval "
                     f"({_span(top, primary)}) does not clear the dummy floor ({_fmt(floor, primary)}) while "
                     f"{best}'s ({_span(winner, primary)}) does, so {best} is the best model: a score that chance "
                     "alone could give is not one to build on.")
    majority = _majority_share(winner)
    accuracy = _pooled(winner, "accuracy")
    if task != "multiclass" or primary == "accuracy" or majority is None or accuracy is None or accuracy >= majority:
        return tuple(notes)
    leader = max((r for r in results if r.name != DUMMY and _pooled(r, "accuracy") is not None),
                 key=lambda r: _pooled(r, "accuracy"))
    if leader.name == best:
        return tuple(notes)
    why = ("the design document's success criteria name it" if from_document else
           f"{label} is the default for a multiclass task: it weighs every class equally, so a model that only "
           "predicts the common classes does not win")
    notes.append(f"{best} is the best model by {label} ({_fmt(_pooled(winner, primary), primary)}), because {why}; "
                 f"but its accuracy ({accuracy:.3f}) is below the majority class's share ({majority:.3f}), and "
                 f"{leader.name} leads on accuracy ({_pooled(leader, 'accuracy'):.3f}, {label} "
                 f"{_fmt(_pooled(leader, primary), primary)}). If overall accuracy is what matters, "
                 "make accuracy the first metric of the design document's success criteria (Evaluation section): the "
                 "best model is then chosen by it.")
    return tuple(notes)


def _span(result: ModelResult, metric: str) -> str:
    found = result.intervals.get(metric)
    if found is None or found.low is None or found.high is None or not math.isfinite(found.low):
        return "unknown"
    return f"{_fmt(found.low, metric)}-{_fmt(found.high, metric)}"


def _majority_share(result: ModelResult) -> float | None:
    """The share of the most common class among the rows ``result`` was tested on."""
    if result.curves is None or result.curves.confusion is None:
        return None
    counts = np.asarray(result.curves.confusion.counts, dtype=np.float64).sum(axis=1)
    return float(counts.max() / counts.sum()) if counts.sum() else None


def positive_share(run: BaselineRun) -> float | None:
    """The share of the positive class among the tested rows of a binary run (None for other tasks)."""
    if run.task != BINARY or run.positive_label not in run.classes:
        return None
    for r in run.results:
        if r.curves is not None and r.curves.confusion is not None:
            counts = np.asarray(r.curves.confusion.counts, dtype=np.float64)
            total = counts.sum()
            if total:
                return float(counts[run.classes.index(run.positive_label)].sum() / total)
    return None


def headline_metrics(run: BaselineRun) -> tuple[str, ...]:
    """The metrics that lead a run's headline, in order: with a positive class under RARE_POSITIVE_SHARE of the rows,
    recall, precision and PR AUC (there accuracy and ROC AUC look good for a model that finds few positives);
    otherwise the primary metric first, then the task's usual companions."""
    share = positive_share(run)
    if share is not None and share < RARE_POSITIVE_SHARE:
        return ("recall", "precision", "pr auc")
    usual = {BINARY: ("recall", "precision", "accuracy"), "multiclass": ("accuracy", "recall", "f1"),
             REGRESSION: ("rmse", "mae", "r2")}[run.task]
    return tuple(dict.fromkeys((run.primary_metric, *usual)))[:4]


def metric_value(run: BaselineRun, metric_name: str) -> float | None:
    """The best model's mean of ``metric_name`` as a design criterion names it ("recall", "ROC AUC", "brier score",
    "f1-score", "fpr" = 1 - specificity, ...); None when the run has no such metric or no best model."""
    best = run.best()
    if best is None:
        return None
    name, complement = canonical_metric(metric_name)
    value = best.metrics.get(name)
    return None if value is None else (1.0 - value if complement else value)


def criterion_evidence(run: BaselineRun) -> dict:
    """What success criteria are checked against (design.checks.check_criteria): the best model's intervals, or for a
    run stored before intervals its mean metrics (bare numbers: inconclusive until run again); {} without a best
    model."""
    best = run.best()
    if best is None:
        return {}
    return dict(best.intervals) if best.intervals else best_metrics(run)


def floor_values(run: BaselineRun, name: str | None = None) -> dict[str, float]:
    """A model's metrics on all tested rows (the intervals' values; the fold means for a run stored before intervals):
    the best model's by default, ``name`` for another (e.g. the Dummy); {} when it has no score."""
    chosen = run.best() if name is None else next((r for r in run.results if r.name == name), None)
    if chosen is None or not chosen.has_scores:
        return {}
    found = {m: _pooled(chosen, m) for m in metric_names(run.task)}
    return {m: v for m, v in found.items() if v is not None}


def best_metrics(run: BaselineRun) -> dict[str, float]:
    """The best model's mean metrics (those defined), e.g. for checking success criteria; {} without a best model."""
    best = run.best()
    return {k: v for k, v in best.metrics.items() if v is not None} if best else {}


def _versions() -> dict[str, str]:
    import sklearn  # noqa: PLC0415 (scikit-learn takes ~2 s to import: loaded by the work, not the pages)

    return {"scikit-learn": sklearn.__version__, "pandas": pd.__version__, "numpy": np.__version__}
