"""The candidate unit: the team's own model judged from its predictions, as one kind of analysis (analysis.units).

    plan = UNIT.plan(meta, {"name": "gbm v3"}, predictions=frame, document=content)   # CandidateError if not
    computed = UNIT.compute(plan, tables, Progress())
    computed.summary["checks"]                                 # each criterion: pass, fail, inconclusive, not measured
    computed.summary["differences"]["baseline"]["sentences"]   # "gbm v3 beats Logistic regression by 0.031 PR AUC ..."

compute trusts its plan (analysis.candidate.plan): it reads the tables the plan names through ``tables``, and returns
the Evaluation as its payload and, as its summary, what a reviewer reads: the metrics with their intervals, the dummy
floor, the criteria verdicts with their counts (design.checks, on plain data), the differences to the dummy and the
baseline with their paired intervals and sentences, the slices, worst errors, calibration and latency percentiles.
InMemory is a Tables over frames at hand (tests, benchmarks, a command line).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import pandas as pd

from analysis.candidate.evaluate import Evaluation, evaluate
from analysis.candidate.latency import latency_report, latency_values, wanted_percentiles
from analysis.candidate.plan import KIND, CandidateError, CandidatePlan, load, plan_candidate
from analysis.candidate.reading import read_baseline, read_rows
from analysis.units import Cancelled, Computed, DatasetMeta, Progress, Unit


def _step(progress: Progress, share: float, message: str) -> None:
    if progress.report(share, message, None):
        raise Cancelled("Cancelled: nothing of the candidate's evaluation was stored.")


def compute(plan: CandidatePlan, tables, progress: Progress | None = None) -> Computed:
    """The candidate's evidence (see the module docstring)."""
    progress = progress or Progress()
    found = Evaluation(plan.name)
    if plan.predictions:
        _step(progress, 0.05, f"reading the predictions of {plan.name}")
        predictions = tables.open(plan.predictions, None)
        dataset = tables.open(plan.dataset, None) if plan.dataset else None
        rows = read_rows(plan.roles, plan.task, plan.classes, plan.positive_label, predictions, dataset)
        types = dict(tables.meta(plan.dataset or plan.predictions).column_types)
        baseline = None
        if plan.baseline is not None:
            spec = plan.baseline
            baseline = read_baseline(tables.open(spec.table, None), rows.frame, spec.align, plan.task, plan.classes,
                                     plan.positive_label, spec.classes, spec.positive_label)
        found = evaluate(plan, rows, types, baseline, lambda share, message: _step(progress, share, message))
    if plan.latency:
        _step(progress, 0.9, "latency percentiles of the load test")
        values = latency_values(tables.open(plan.latency.table, None), plan.latency.column)
        wanted = wanted_percentiles(_metric_names(plan))
        found = replace(found, latency=latency_report(values, plan.latency.column, plan.latency.unit, wanted))
    return Computed(found.to_dict(), summary(plan, found))


def _metric_names(plan: CandidatePlan) -> list[str]:
    from analysis.baselines.metrics import canonical_metric
    from design.criteria import parse_criterion

    return [canonical_metric(parse_criterion(text).metric)[0] for text in plan.criteria]


def summary(plan: CandidatePlan, found: Evaluation) -> dict:
    """What a reviewer reads of the candidate, as plain JSON (see the module docstring)."""
    from analysis.error_analysis.analyze import errors_summary, slice_evidence
    from analysis.serialize import to_plain
    from design.checks import STATUSES, check_criteria
    from design.criteria import parse_criterion

    criteria = [parse_criterion(text) for text in plan.criteria]
    measured = {**found.intervals, **(found.latency.intervals if found.latency else {})}
    slices = slice_evidence(found.error_analysis, criteria)
    differences = {c.role: {"name": c.other, "rows": c.rows,
                            "metrics": {d.metric: to_plain(d.difference) for d in c.differences},
                            "sentences": c.sentences(plan.primary_metric)} for c in found.comparisons}
    checks = check_criteria(criteria, measured, plan.name, plan.task, slices, differences)
    out = {
        "candidate": plan.name, "dataset": plan.dataset_name, "target": plan.roles.target if plan.roles else None,
        "task": plan.task, "classes": list(plan.classes), "positive_label": plan.positive_label,
        "labels_only": plan.labels_only, "rows": found.rows, "rows_word": plan.rows_word,
        "primary_metric": plan.primary_metric,
        "metrics": {m: i.value for m, i in found.intervals.items()}, "intervals": to_plain(found.intervals),
        "dummy": dict(found.dummy),
        "decision_threshold": plan.decision_threshold, "threshold_from_document": plan.threshold_from_document,
        "criteria": list(plan.criteria),
        "checks": [{"criterion": str(c.criterion), "status": c.status, "value": c.value, "low": c.low,
                    "high": c.high, "reason": c.reason} for c in checks],
        "counts": {s: sum(c.status == s for c in checks) for s in STATUSES},
        "differences": differences,
        "notes": list(found.notes),
        "reasons": {k: {"source": r.source, "text": r.text} for k, r in plan.reasons.items()},
        **({"slices": slices} if slices else {}),
        **errors_summary(found.error_analysis),
    }
    if found.latency is not None:
        latency = found.latency
        out["latency"] = {"column": latency.column, "unit": latency.unit, "requests": latency.requests,
                          "mean": latency.mean, "largest": latency.largest, "intervals": to_plain(latency.intervals)}
    return to_plain(out)


@dataclass
class InMemory:
    """A Tables (analysis.units) over frames at hand: id -> (DataFrame, DatasetMeta)."""

    frames: Mapping[str, tuple[pd.DataFrame, DatasetMeta]]

    def open(self, content_hash: str, memory_rows: int | None = None) -> pd.DataFrame:
        return self.frames[content_hash][0]

    def meta(self, content_hash: str) -> DatasetMeta:
        return self.frames[content_hash][1]


UNIT = Unit(kind=KIND, title="Candidate model evaluation", section="evaluation", page="models",
            error=CandidateError, plan=plan_candidate, load=load, compute=compute)
