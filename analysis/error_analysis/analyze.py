"""Error analysis of every scored model of a baseline run, from the predictions the run keeps.

    run = analyze_run(run, frame, column_types, test_frame=None)   # what the job worker does after run_baselines
    run.best().error_analysis.slices.weak                            # the weakest slices of the best model
    found = analyze_predictions(Kept(task, truth, predicted, score, positions, classes, positive), frame, columns,
                                skipped, primary_metric, source=..., note=..., shown=[...])   # any model's predictions

The rows are joined back exactly: each kept prediction names its row's position in the frame it came from (the
dataset, or the test dataset), so sampling and rows left out for a missing target change nothing. The best model gets
every slice metric (for slice criteria); the others the slice metric only. Error analysis is a bonus on a finished
run: a part that fails is recorded in ErrorAnalysis.problems, never loses the run.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.baselines.metrics import canonical_metric
from analysis.baselines.run import BaselineRun, ModelResult
from analysis.error_analysis.calibration import calibration
from analysis.error_analysis.columns import slice_columns
from analysis.error_analysis.model import ErrorAnalysis
from analysis.error_analysis.slices import SLICE_METRICS, Outcomes, slice_metric, slice_report
from analysis.error_analysis.worst import worst_errors
from analysis.serialize import to_plain
from analysis.target import BINARY, REGRESSION


def analyze_run(run: BaselineRun, frame: pd.DataFrame, column_types: dict[str, str],
                test_frame: pd.DataFrame | None = None) -> BaselineRun:
    """``run`` with the error analysis of each model that kept predictions."""
    cut = {}
    results = []
    for result in run.results:
        p = result.predictions
        if p is None:
            results.append(result)
            continue
        source = test_frame if p.source == "test_dataset" and test_frame is not None else frame
        if p.source not in cut:
            cut[p.source] = slice_columns(source, column_types, run.settings.target)
        columns, skipped = cut[p.source]
        found = analyze_model(run, result, source, columns, skipped, full=result.name == run.best_model)
        results.append(dataclasses.replace(result, error_analysis=found))
    return dataclasses.replace(run, results=tuple(results))


def analyze_model(run: BaselineRun, result: ModelResult, frame: pd.DataFrame, columns, skipped: dict[str, str],
                  full: bool = False) -> ErrorAnalysis:
    """Slices, worst errors and calibration of one model (``full``: every slice metric, for slice criteria)."""
    p = result.predictions
    task = run.task
    positions = np.asarray(p.rows, dtype=np.int64)
    where = "the test dataset's rows" if p.source == "test_dataset" else "the dataset's rows"
    note = f"On {len(positions):,} out-of-fold predictions of {where}"
    note += (f" (a seeded sample of the {p.tested:,} tested)." if p.sampled else
             f"{' (every row tested once)' if run.protocol.kind == 'kfold' else ''}.")
    if len(positions) and (positions.max() >= len(frame) or positions.min() < 0):
        return ErrorAnalysis(len(positions), p.source, note, problems=(
            "The predictions name rows the data does not have: run the baselines again.",))
    positive = run.classes.index(run.positive_label) if task == BINARY and run.positive_label in run.classes else None
    kept = Kept(task, np.asarray(p.truth, dtype=np.float64 if task == REGRESSION else np.int64),
                np.asarray(p.predicted, dtype=np.float64 if task == REGRESSION else np.int64),
                np.asarray(p.score, dtype=np.float64), positions, run.classes, positive)
    shown = [c.name for c in columns] + [f for f in (run.settings.features or ()) if f in frame.columns]
    return analyze_predictions(kept, frame, columns, skipped, run.primary_metric, source=p.source, note=note,
                               shown=shown, threshold=run.decision_threshold,
                               threshold_from_document=run.settings.decision_threshold is not None, full=full)


@dataclass(frozen=True)
class Kept:
    """One model's predictions as error analysis reads them, whoever made them (a baseline's kept out-of-fold
    predictions, a candidate model's predictions file: analysis.candidate).

    task: "binary", "multiclass" or "regression". truth, predicted: class codes (into ``classes``) or values.
    score: binary: the probability of the positive class; multiclass: of the predicted class; regression: empty.
    positions: each prediction's row in the frame the sliced columns were cut from. positive: the positive class's
    code (binary), else None."""

    task: str
    truth: np.ndarray
    predicted: np.ndarray
    score: np.ndarray
    positions: np.ndarray
    classes: tuple[str, ...] = ()
    positive: int | None = None


def analyze_predictions(kept: Kept, frame: pd.DataFrame, columns, skipped: dict[str, str], primary_metric: str, *,
                        source: str, note: str, shown: list[str], threshold: float | None = None,
                        threshold_from_document: bool = False, full: bool = False,
                        calibrate: bool = True) -> ErrorAnalysis:
    """Slices (compared on ``primary_metric`` or its stand-in; ``full``: every slice metric, for slice criteria),
    the worst errors (with the values of the ``shown`` columns) and calibration (at the decision ``threshold``;
    ``calibrate`` False when the scores are not probabilities, e.g. a labels-only model's 0/1) of one model's
    predictions. A part that fails is recorded in ErrorAnalysis.problems, never raised."""
    task, truth, predicted, score, positions = kept.task, kept.truth, kept.predicted, kept.score, kept.positions
    problems, slices, worst, calib = [], None, None, None
    try:
        metric, why = slice_metric(task, primary_metric)
        extra = SLICE_METRICS[task] if full else ()
        slices = slice_report(Outcomes.of(task, truth, predicted, score, kept.positive), columns, positions, metric,
                              note=why, extra=extra, skipped=skipped)
    except Exception as exc:   # a bonus on a finished run: never lose the run over it
        problems.append(f"No slices: {type(exc).__name__}: {exc}")
    try:
        worst = worst_errors(task, truth, predicted, score, positions, frame, columns, shown, kept.classes,
                             kept.positive)
    except Exception as exc:
        problems.append(f"No worst errors: {type(exc).__name__}: {exc}")
    if task != REGRESSION and len(score) and calibrate:
        try:
            calib = calibration(task, truth, predicted, score, kept.positive, threshold, threshold_from_document)
        except Exception as exc:
            problems.append(f"No calibration: {type(exc).__name__}: {exc}")
    return ErrorAnalysis(len(positions), source, note, slices, worst, calib, tuple(problems))


def slice_evidence(found: ErrorAnalysis | None, criteria=()) -> dict | None:
    """What slice criteria and a reviewer read of a model's slices, as plain JSON: the slice metric, the overall
    value, the weak slices, each column's slices (labels, rows, value and interval of the slice metric) and, for the
    columns and metrics the slice ``criteria`` name, every slice's interval (design.checks.check_criteria reads them).
    None when there are no slices."""
    if found is None or found.slices is None:
        return None
    report = found.slices
    wanted = {}
    for criterion in criteria:
        if getattr(criterion, "where", ""):
            wanted.setdefault(criterion.slice_column, set()).add(canonical_metric(criterion.metric)[0])
    columns = {}
    for column in report.columns:
        entry = {"kind": column.kind, "labels": list(column.labels), "ranges": list(column.ranges),
                 "rows": [s.rows for s in column.slices], "value": [s.metric.value for s in column.slices],
                 "low": [to_plain(s.metric.low) for s in column.slices],
                 "high": [to_plain(s.metric.high) for s in column.slices]}
        metrics = {}
        for name in sorted(wanted.get(column.column, ())):
            intervals = [s.metric for s in column.slices] if name == report.metric else column.extra.get(name)
            if intervals is not None:
                metrics[name] = to_plain(list(intervals))
        if metrics:
            entry["metrics"] = metrics
        columns[column.column] = entry
    return {"metric": report.metric, "overall": to_plain(report.overall), "tested": report.tested,
            "alpha": report.alpha, "rows": report.rows, "note": report.note,
            "weak": [{"slice": s.label, "rows": s.rows, "value": s.metric.value, "low": to_plain(s.metric.low),
                      "high": to_plain(s.metric.high), "gap": s.gap} for s in report.weak],
            "columns": columns}


def errors_summary(found: ErrorAnalysis | None) -> dict:
    """The worst-error summary and calibration of a model, for the evidence ({} without error analysis)."""
    if found is None:
        return {}
    out = {}
    if found.worst is not None:
        w = found.worst
        out["worst"] = {"kind": w.kind, "wrong": w.wrong, "rows": w.rows, "false_positives": w.false_positives,
                        "false_negatives": w.false_negatives,
                        "top": [{"row": e.row + 1, "truth": e.truth, "predicted": e.predicted, "error": e.error}
                                for e in w.entries[:5]]}
    if found.calibration is not None:
        c = found.calibration
        out["calibration"] = {"kind": c.kind, "ece": c.ece, "brier": c.brier, "poor": c.poor, "note": c.note}
    return out
