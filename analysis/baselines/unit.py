"""The baseline run as an analysis unit (analysis.units): quick scikit-learn baselines on a chosen target, with
their error analysis (slices, worst errors, calibration) from the predictions the run keeps.

The page asks with RunSettings (what the person chose, with the design document's decision threshold and metric);
plan() resolves them once (resolve_settings: the task, the features and why others are left out, the models, the
positive class) into a RunPlan, checked against the data; the worker runs the RunPlan with run_planned, which
resolves and checks nothing again. The result key is the settings as asked (analysis.evidence.run_settings_key),
kept verbatim, so a result stored before plans existed is found by the same key.
"""
from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field

from analysis.baselines.run import RunSettings, display_name, resolve_settings, run_planned
from analysis.baselines.stored import join_predictions, run_summary_part, split_predictions
from analysis.engine.table import reading_note
from analysis.error_analysis.analyze import analyze_run
from analysis.errors import TargetError
from analysis.evidence import run_summary
from analysis.units import (
    AskedPlan,
    Cancelled,
    Computed,
    DatasetMeta,
    Inputs,
    Layout,
    PlanError,
    Progress,
    Reason,
    Unit,
)


class RunPlanError(PlanError):
    """A baseline run cannot be planned as asked: the target, the features, a split column, the test dataset or a
    setting does not fit the data."""


@dataclass(frozen=True)
class RunPlan(AskedPlan):
    """asked: the result key as the page built it (analysis.evidence.run_settings_key), kept verbatim. resolved:
    every default filled in by resolve_settings, checked against the data: what the run runs."""

    dataset: str
    asked: Mapping
    resolved: RunSettings
    test_hash: str | None = None
    reasons: Mapping[str, Reason] = field(default_factory=dict, compare=False)
    kind: str = "run"

    def to_dict(self) -> dict:
        return {"key": self.key(), "resolved": self.resolved.to_dict()}


def plan(meta: DatasetMeta, asked: Mapping, inputs: Inputs) -> RunPlan:
    """asked: analysis.evidence.run_settings_key's dict: {"run": RunSettings as a dict, "test_hash": str | None}.
    Resolved on the rows the run will read."""
    test_hash = asked.get("test_hash")
    try:
        settings = RunSettings.from_dict(asked["run"])
        frame = inputs.open(meta.content_hash, settings.max_rows)
        test = inputs.open(test_hash, settings.max_rows) if test_hash else None
        resolved = resolve_settings(frame, dict(meta.column_types), settings, test_frame=test)
    except (TargetError, ValueError) as error:
        raise RunPlanError(str(error)) from None
    return RunPlan(meta.content_hash, copy.deepcopy(dict(asked)), resolved, test_hash, _reasons(settings, resolved))


def _reasons(asked: RunSettings, resolved: RunSettings) -> dict[str, Reason]:
    reasons = {"task": Reason("asked" if asked.task else "data", f"task {resolved.task}"
                              + ("" if asked.task else " (detected from the target's values)"))}
    if resolved.decision_threshold is not None:
        reasons["decision_threshold"] = Reason("document", f"decision threshold {resolved.decision_threshold} "
                                               "(the design document's)")
    if resolved.primary_metric is not None:
        reasons["primary_metric"] = Reason("document", f"{display_name(resolved.primary_metric)} picks the best "
                                           "model (the metric the document's criteria name)")
    return reasons


def load(stored: Mapping, dataset: str) -> RunPlan:
    return RunPlan(dataset, stored["key"], RunSettings.from_dict(stored["resolved"]), stored["key"].get("test_hash"))


def compute(plan: RunPlan, inputs: Inputs, progress: Progress) -> Computed:
    """Run in memory up to the run's sample size (max_rows), else on the stored file (analysis.engine.table): the
    columns read one at a time, the sampled rows by position; the error analysis joins them back the same way."""
    meta = inputs.meta(plan.dataset)
    settings = plan.resolved
    frame = inputs.open(plan.dataset, settings.max_rows)
    test = inputs.open(plan.test_hash, settings.max_rows) if plan.test_hash else None
    progress.report(0.02, f"reading {meta.rows:,} rows{reading_note(frame)}", None)
    run = run_planned(frame, dict(meta.column_types), settings, test_frame=test, on_progress=_reporter(progress),
                      should_stop=progress.should_stop)
    if run.status == "cancelled" and not any(r.has_scores for r in run.results):
        raise Cancelled("Cancelled before any model finished; nothing was stored.")
    # Error analysis (slices, worst errors, calibration) from the predictions the run keeps: computed here, once,
    # stored with the run; the pages only read it.
    progress.report(0.97, "error analysis: slices, worst errors, calibration", None)
    run = analyze_run(run, frame, dict(meta.column_types), test)
    return Computed(run.to_dict(), run_summary(meta.name, run, inputs.criteria))


def _reporter(progress: Progress):
    """run_planned's on_progress as the job's progress: the share done, and a row per finished model."""
    rows: list[dict] = []

    def on_progress(event) -> None:
        if event.status == "running":
            share = ((event.model_index - 1) + (event.fold - 1) / max(event.n_folds, 1)) / max(event.n_models, 1)
            progress.report(0.05 + 0.9 * min(share, 1.0), f"{event.model}: fold {event.fold} of {event.n_folds}", None)
        elif event.result is not None:
            r = event.result
            rows.append({"Model": r.name, "Status": r.status, **{display_name(k): v for k, v in r.metrics.items()},
                         "Note": r.message})
            progress.report(0.05 + 0.9 * event.model_index / max(event.n_models, 1), f"{r.name}: {r.status}",
                            list(rows))
        elif event.status == "importance":
            progress.report(0.96, f"permutation importance of {event.model}", None)

    return on_progress


UNIT = Unit(kind="run", title="Baseline run", section="evaluation", page="baselines", error=RunPlanError, plan=plan,
            load=load, compute=compute, layout=Layout(run_summary_part, split_predictions, join_predictions))
