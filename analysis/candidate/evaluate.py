"""A candidate model's evidence from its predictions: what the baselines' best model gets, on the candidate's rows.

    found = evaluate(plan, rows, column_types)
    found.intervals["pr auc"], found.dummy["pr auc"], found.curves.thresholds, found.error_analysis.slices.weak

Metrics with 95 % intervals at the plan's decision threshold (analysis.intervals: Wilson for proportions, a seeded
bootstrap for the rest), curves and the threshold grid the threshold explorer reads (analysis.baselines.metrics), the
dummy floor on the same rows (the class shares of these rows as probabilities, or their mean), and the error analysis
(analysis.error_analysis: slices with the weak-slice search, worst errors, calibration), the same structures a
baseline run keeps, so the same views draw them. Error analysis reads at most ANALYSIS_ROWS predictions (a seeded
sample above, said in its note), as a baseline run keeps at most that many. A labels-only model (no scores) gets the
metrics a label gives (LABEL_METRICS): ROC AUC, PR AUC, log loss, Brier score, the ROC and PR curves, the threshold
grid and calibration need scores, and their absence is said in the notes.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from analysis.baselines.metrics import Curves, compute_curves, metric_names
from analysis.baselines.run import PREDICTION_ROWS
from analysis.candidate.latency import LatencyReport
from analysis.candidate.paired import Comparison, Other, dummy_scores, measure_together
from analysis.candidate.plan import CandidatePlan
from analysis.candidate.reading import BaselineRows, Rows
from analysis.error_analysis.analyze import Kept, analyze_predictions
from analysis.error_analysis.columns import slice_columns
from analysis.error_analysis.model import ErrorAnalysis
from analysis.intervals import BOOTSTRAP, Interval, exact_intervals
from analysis.serialize import from_versioned, to_versioned
from analysis.target import BINARY, REGRESSION

EVALUATION_FORMAT = 1
ANALYSIS_ROWS = PREDICTION_ROWS          # predictions the error analysis reads (a seeded sample above)
SCORE_METRICS = ("roc auc", "pr auc", "log loss", "brier score")
LABEL_METRICS = ("accuracy", "balanced accuracy", "precision", "recall", "specificity", "f1")


@dataclass(frozen=True)
class Evaluation:
    """A candidate's evidence, JSON-ready through to_dict() / from_dict().

    name: the candidate ("gbm v3"). task, classes, positive_label: as planned. decision_threshold: the binary
    threshold every threshold metric, the confusion matrix and the worst errors use (None without scores).
    threshold_from_document: the design document set it. labels_only: the model gave labels, no scores.
    rows: predictions evaluated. primary_metric: the metric slices compare (chosen from the criteria).
    intervals: metric -> its value with a 95 % interval. curves: ROC, PR, confusion, threshold grid, residuals.
    dummy: the dummy floor's values on the same rows (its differences with intervals: the "dummy" comparison).
    error_analysis: slices, worst errors, calibration.
    comparisons: the candidate against the dummy and the baseline on the same rows (analysis.candidate.paired).
    latency: a load test's percentiles. notes: what was left out or sampled, in words."""

    name: str
    task: str | None = None
    classes: tuple[str, ...] = ()
    positive_label: str | None = None
    decision_threshold: float | None = None
    threshold_from_document: bool = False
    labels_only: bool = False
    rows: int = 0
    primary_metric: str | None = None
    intervals: dict[str, Interval] = field(default_factory=dict)
    curves: Curves | None = None
    dummy: dict[str, float | None] = field(default_factory=dict)
    error_analysis: ErrorAnalysis | None = None
    comparisons: tuple[Comparison, ...] = ()
    latency: LatencyReport | None = None
    notes: tuple[str, ...] = ()

    def comparison(self, role: str) -> Comparison | None:
        """The comparison with the "baseline" or the "dummy" (None when there is none)."""
        return next((c for c in self.comparisons if c.role == role), None)

    def to_dict(self) -> dict:
        return to_versioned(self, EVALUATION_FORMAT)

    @classmethod
    def from_dict(cls, data: dict) -> Evaluation:
        return from_versioned(cls, data, EVALUATION_FORMAT, "candidate evaluation", "Evaluate the candidate again.")


@dataclass(frozen=True)
class Usable:
    """The predictions that are evaluated: those with a true outcome, as arrays (``positions`` into ``frame``)."""

    truth: np.ndarray
    scores: np.ndarray
    positions: np.ndarray
    left_out: int


def usable(plan: CandidatePlan, rows: Rows) -> Usable:
    """The rows with a true outcome (the plan refused unmatched keys and unreadable scores)."""
    known = np.isfinite(rows.truth) if plan.task == REGRESSION else rows.truth >= 0
    keep = known & (rows.positions >= 0)
    truth = rows.truth[keep] if plan.task == REGRESSION else rows.truth[keep].astype(np.int64)
    return Usable(truth, rows.scores[keep], rows.positions[keep], int((~keep).sum()))


def positive_code(plan: CandidatePlan) -> int | None:
    return plan.classes.index(plan.positive_label) if plan.task == BINARY else None


def evaluate(plan: CandidatePlan, rows: Rows, column_types: dict[str, str], baseline: BaselineRows | None = None,
             step: Callable[[float, str], None] = lambda share, message: None) -> Evaluation:
    """Metrics, the dummy floor, the comparisons with the dummy and the ``baseline`` (read_baseline), curves and
    error analysis of the candidate (see the module docstring); ``step(share, message)`` hears of each part."""
    use = usable(plan, rows)
    task, positive = plan.task, positive_code(plan)
    threshold = plan.decision_threshold if plan.decision_threshold is not None else 0.5
    step(0.15, "metrics with intervals; the dummy floor and the baseline on the same rows (paired bootstrap)")
    intervals, comparisons = measured(plan, use, baseline)
    step(0.5, "curves and the threshold explorer's grid")
    curves = compute_curves(task, use.truth, use.scores, plan.classes, positive, plan.random_state, threshold)
    notes = []
    if use.left_out:
        notes.append(f"{use.left_out:,} predicted rows have no true outcome in '{plan.roles.target}' and are left "
                     "out.")
    if plan.labels_only:
        curves = replace(curves, roc=None, pr=None, thresholds=None)
        notes.append("The model gave labels, no scores: ROC AUC, PR AUC, log loss, Brier score, the threshold "
                     "explorer and calibration need scores and are not measured.")
    step(0.6, "slices and the weak-slice search, worst errors, calibration")
    found = analyze(plan, use, rows.frame, column_types, threshold)
    if found.note.startswith("On a seeded sample"):
        notes.append(found.note)
    dummy = {d.metric: d.other for d in comparisons[0].differences}
    return Evaluation(plan.name, task, plan.classes, plan.positive_label, plan.decision_threshold,
                      plan.threshold_from_document, plan.labels_only, len(use.truth), plan.primary_metric, intervals,
                      curves, dummy, found, comparisons, notes=tuple(notes))


def measured(plan: CandidatePlan, use: Usable, baseline: BaselineRows | None) -> tuple[dict, tuple[Comparison, ...]]:
    """(the candidate's intervals, its comparisons with the dummy and the baseline): Wilson intervals for the
    proportions, and one paired bootstrap for the rest, the differences with the dummy on every row and with the
    baseline on the rows both predicted (in the same bootstrap when those are every row, else in its own)."""
    task, positive = plan.task, positive_code(plan)
    threshold = 0.5 if plan.decision_threshold is None else plan.decision_threshold
    common = {"positive": positive, "threshold": threshold, "random_state": plan.random_state,
              "rows_word": plan.rows_word}
    exact = exact_intervals(task, use.truth, use.scores, plan.classes, positive, common["threshold"])
    names = metric_names(task)
    kept = LABEL_METRICS if plan.labels_only else names
    others = [Other("dummy", "the dummy floor", dummy_scores(task, use.truth, len(plan.classes)), kept)]
    apart = None
    if baseline is not None:
        valid = np.flatnonzero(baseline.positions >= 0)
        _, mine, at = np.intersect1d(use.positions, baseline.positions[valid], return_indices=True)
        theirs = baseline.scores[valid[at]]
        both = LABEL_METRICS if plan.labels_only or baseline.labels_only else names
        if len(mine) == len(use.truth):        # every row: in the same bootstrap, in the candidate's row order
            others.append(Other("baseline", plan.baseline.name, theirs[np.argsort(mine)], both))
        else:
            apart = (mine, Other("baseline", plan.baseline.name, theirs, both))
    own = tuple(m for m in kept if m not in exact)
    with_rows, compared = measure_together(plan.name, task, use.truth, use.scores, others, own=own, **common)
    if apart is not None:
        mine, other = apart
        compared += measure_together(plan.name, task, use.truth[mine], use.scores[mine], [other], **common)[1]
    intervals = {**exact, **with_rows}
    return _named({m: intervals[m] for m in names if m in intervals}, plan), compared


def _named(found: dict[str, Interval], plan: CandidatePlan) -> dict[str, Interval]:
    """The intervals a candidate reports: bootstrap ones say they resample its predictions; a labels-only model's
    score metrics are left out."""
    word = plan.rows_word.replace("rows", "predictions")
    out = {}
    for name, interval in found.items():
        if plan.labels_only and name in SCORE_METRICS:
            continue
        out[name] = replace(interval, basis=word) if interval.method == BOOTSTRAP else interval
    return out


def analyze(plan: CandidatePlan, use: Usable, frame: pd.DataFrame, column_types: dict[str, str],
            threshold: float) -> ErrorAnalysis:
    """Slices (every slice metric, for slice criteria), worst errors and calibration, on at most ANALYSIS_ROWS
    predictions. The columns are sliced on the rows analysed (numeric bins are fifths of them), and each worst
    error names its row in ``frame``."""
    n = len(use.truth)
    pick = np.arange(n)
    note = f"On the candidate's {n:,} predictions."
    if n > ANALYSIS_ROWS:
        pick = np.sort(np.random.default_rng(plan.random_state).choice(n, ANALYSIS_ROWS, replace=False))
        note = f"On a seeded sample of {ANALYSIS_ROWS:,} of the candidate's {n:,} predictions (error analysis)."
    kept = _kept(plan, use, pick, threshold)
    rows = np.unique(kept.positions)
    dropped = [c for c in plan.roles.model_columns() if c in frame.columns and c != plan.roles.key]
    sliced = frame.iloc[rows].drop(columns=dropped).reset_index(drop=True)
    kept = replace(kept, positions=np.searchsorted(rows, kept.positions))
    columns, skipped = slice_columns(sliced, column_types, plan.roles.target)
    shown = [c.name for c in columns] + [str(c) for c in sliced.columns if c != plan.roles.target]
    found = analyze_predictions(kept, sliced, columns, skipped, plan.primary_metric, source="candidate", note=note,
                                shown=shown, threshold=None if plan.labels_only else threshold,
                                threshold_from_document=plan.threshold_from_document, full=True,
                                calibrate=not plan.labels_only)
    if found.worst is None:
        return found
    entries = tuple(replace(e, row=int(rows[e.row])) for e in found.worst.entries)
    return replace(found, worst=replace(found.worst, entries=entries))


def _kept(plan: CandidatePlan, use: Usable, pick: np.ndarray, threshold: float) -> Kept:
    """The picked predictions as error analysis reads them: binary predicted at the threshold with the positive
    class's score; multiclass the most probable class with its probability; regression the values."""
    truth, scores, positions = use.truth[pick], use.scores[pick], use.positions[pick]
    if plan.task == REGRESSION:
        return Kept(REGRESSION, truth, scores.astype(np.float64), np.empty(0), positions)
    positive = positive_code(plan)
    if plan.task == BINARY:
        score = scores[:, positive]
        predicted = np.where(score >= threshold, positive, 1 - positive)
    else:
        predicted = scores.argmax(axis=1)
        score = scores[np.arange(len(pick)), predicted]
    return Kept(plan.task, truth, predicted.astype(np.int64), score, positions, plan.classes, positive)
