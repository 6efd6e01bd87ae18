"""The candidate unit: the team's own model judged from its predictions, as one kind of analysis (analysis.units).

    plan = UNIT.plan(meta, asked, inputs)      # asked: plain JSON naming a stored model version (see EvaluationPlan)
    computed = UNIT.compute(plan, inputs, Progress())
    computed.summary["checks"]                                 # each criterion: pass, fail, inconclusive, not measured
    computed.summary["differences"]["baseline"]["sentences"]   # "gbm v3 beats Logistic regression by 0.031 PR AUC ..."

The registered unit plans a stored model version (store.models) from the key a page, the seed or a test asks with,
reading its predictions, the dataset they join, the baseline run compared with and a load test through ``inputs``
(jobs.inputs.StoreInputs), and checks them all once (plan_candidate). plan_candidate itself takes frames at hand (the
command line, tests, benchmarks: InMemory is a Tables over them), and compute runs either plan.

compute trusts its plan (analysis.candidate.plan): it reads the tables the plan names through ``tables``, and returns
the Evaluation as its payload and, as its summary, what a reviewer reads: the metrics with their intervals, the dummy
floor, the criteria verdicts with their counts (design.checks, on plain data), the differences to the dummy and the
baseline with their paired intervals and sentences, the slices, worst errors, calibration and latency percentiles.
A version from an MLflow run with metrics only has no rows: each criterion is checked on the point value the run
reported and says so, never passed with an interval it does not have (reported_checks).
"""
from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, replace

import pandas as pd

from analysis.baselines.metrics import canonical_metric, display_name
from analysis.candidate.evaluate import Evaluation, evaluate
from analysis.candidate.latency import latency_report, latency_values, wanted_percentiles
from analysis.candidate.plan import ASKED, KIND, CandidateError, CandidatePlan, load, plan_candidate, reported_name
from analysis.candidate.reading import read_baseline, read_rows
from analysis.error_analysis.analyze import errors_summary, slice_evidence
from analysis.serialize import to_plain
from analysis.units import Cancelled, Computed, DatasetMeta, Progress, Reason, Unit
from design.checks import FAIL, INCONCLUSIVE, NOT_MEASURED, STATUSES, CriterionCheck, check_criteria
from design.criteria import format_number, parse_criterion


def _step(progress: Progress, share: float, message: str) -> None:
    if progress.report(share, message, None):
        raise Cancelled("Cancelled: nothing of the candidate's evaluation was stored.")


def compute(plan: CandidatePlan | EvaluationPlan, tables, progress: Progress | None = None) -> Computed:
    """The candidate's evidence (see the module docstring): of a CandidatePlan on ``tables`` (analysis.units.Inputs
    or InMemory), or of the registered unit's EvaluationPlan on a project's stored inputs."""
    if isinstance(plan, EvaluationPlan):
        resolved = _Resolved(plan, tables)
        computed = compute(plan.candidate, resolved, progress)
        return Computed(computed.payload, {**computed.summary, **plan.described(resolved.run_read)})
    progress = progress or Progress()
    found = Evaluation(plan.name, plan.task, plan.classes, plan.positive_label)
    if plan.predictions:
        _step(progress, 0.05, f"reading the predictions of {plan.name}")
        predictions = tables.open(plan.predictions, None)
        dataset = tables.open(plan.dataset, None) if plan.dataset else None
        rows = read_rows(plan.roles, plan.task, plan.classes, plan.positive_label, predictions, dataset)
        types = dict(tables.meta(plan.dataset or plan.predictions).column_types)
        baseline = None
        if plan.baseline is not None:
            spec = plan.baseline
            table = tables.open(spec.table, None)
            if not spec.name:          # a baseline run still being computed when planned: its best model's name
                plan = replace(plan, baseline=replace(spec, name=_model_of(table)))
            baseline = read_baseline(table, rows.frame, spec.align, plan.task, plan.classes,
                                     plan.positive_label, spec.classes, spec.positive_label)
        found = evaluate(plan, rows, types, baseline, lambda share, message: _step(progress, share, message))
    if plan.latency:
        _step(progress, 0.9, "latency percentiles of the load test")
        values = latency_values(tables.open(plan.latency.table, None), plan.latency.column)
        wanted = wanted_percentiles(_metric_names(plan))
        found = replace(found, latency=latency_report(values, plan.latency.column, plan.latency.unit, wanted))
    return Computed(found.to_dict(), summary(plan, found))


def _model_of(table: pd.DataFrame) -> str:
    names = table["model"].dropna().unique() if "model" in table.columns else ()
    return str(names[0]) if len(names) else "the baseline"


def _metric_names(plan: CandidatePlan) -> list[str]:
    return [canonical_metric(parse_criterion(text).metric)[0] for text in plan.criteria]


def summary(plan: CandidatePlan, found: Evaluation) -> dict:
    """What a reviewer reads of the candidate, as plain JSON (see the module docstring)."""
    criteria = [parse_criterion(text) for text in plan.criteria]
    measured = {**found.intervals, **(found.latency.intervals if found.latency else {})}
    slices = slice_evidence(found.error_analysis, criteria)
    differences = {c.role: {"name": c.other, "rows": c.rows,
                            "metrics": {d.metric: to_plain(d.difference) for d in c.differences},
                            "sentences": c.sentences(plan.primary_metric)} for c in found.comparisons}
    checks = check_criteria(criteria, measured, plan.name, plan.task, slices, differences)
    if plan.reported:
        checks = reported_checks(checks, plan)
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
                    "high": c.high, "reason": c.reason, "reported": c.reason.startswith(REPORTED_MARK)}
                   for c in checks],
        "counts": {s: sum(c.status == s for c in checks) for s in STATUSES},
        "differences": differences,
        "notes": list(found.notes),
        "reasons": {k: {"source": r.source, "text": r.text} for k, r in plan.reasons.items()},
        **({"slices": slices} if slices else {}),
        **errors_summary(found.error_analysis),
    }
    if plan.reported:
        out["reported"] = {"by": plan.reported_by, "metrics": dict(plan.reported)}
    if found.latency is not None:
        latency = found.latency
        out["latency"] = {"column": latency.column, "unit": latency.unit, "requests": latency.requests,
                          "mean": latency.mean, "largest": latency.largest, "intervals": to_plain(latency.intervals)}
    return to_plain(out)


REPORTED_MARK = "Reported by "


def reported_checks(checks: list, plan: CandidatePlan) -> list:
    """Criteria the rows did not measure, checked on the point value a tracking server reported (plan.reported):
    never a pass, for there is no interval; a point that misses the bar is a fail (the team's own number says the
    model does not meet it); one that meets it is inconclusive until rows are brought. Slice and relative criteria
    need rows and stay not measured."""
    out = []
    for check in checks:
        criterion = check.criterion
        name, complement = canonical_metric(criterion.metric)
        value = plan.reported.get(name, plan.reported.get(reported_name(criterion.metric)))
        if criterion.where and not plan.predictions:
            out.append(CriterionCheck(criterion, NOT_MEASURED, None, f"Not measured: a slice criterion needs the "
                                      f"model's predictions on rows, and {plan.reported_by} reported none. Bring the "
                                      "predictions (a file, or a predictions artifact of the run) to check it."))
            continue
        if check.status != NOT_MEASURED or criterion.where or criterion.relative or value is None:
            out.append(check)
            continue
        value = 1.0 - value if complement and name in plan.reported else value
        meets = criterion.is_met(value)
        label = display_name(name) if name == criterion.metric else criterion.metric
        out.append(CriterionCheck(criterion, INCONCLUSIVE if meets else FAIL, value,
                                  f"{REPORTED_MARK}{plan.reported_by}: {label} {value:.4g}, no interval: the "
                                  f"rows are not available here. Its point value {'meets' if meets else 'misses'} the "
                                  f"bar {format_number(criterion.threshold)}: "
                                  + ("inconclusive until the predictions are brought (a point is not a pass)."
                                     if meets else "fail.")))
    return out


@dataclass
class InMemory:
    """A Tables (analysis.units) over frames at hand: id -> (DataFrame, DatasetMeta)."""

    frames: Mapping[str, tuple[pd.DataFrame, DatasetMeta]]

    def open(self, content_hash: str, memory_rows: int | None = None) -> pd.DataFrame:
        return self.frames[content_hash][0]

    def meta(self, content_hash: str) -> DatasetMeta:
        return self.frames[content_hash][1]


# --- the registered unit: a stored model version, planned from plain JSON ----------------------------------------

KEY_FIELDS = ("version", "dataset", "columns", "document", "baseline", "latency")
PREDICTIONS, BASELINE_RUN = "predictions", "baseline run"      # what _Resolved opens besides datasets


@dataclass(frozen=True)
class EvaluationPlan:
    """A candidate model version's evaluation, as a job stores and runs it (analysis.units.Plan).

    dataset: what the result is stored (and found) under: the dataset the predictions join, else the predictions'
    own content hash, else (an MLflow run's metrics only) "mlflow:<server>:<run id>" (stored_under). asked: the key,
    plain JSON (KEY_FIELDS): the version's id, its dataset's content hash, its columns, the design document's choices
    (target, positive class, decision threshold, criteria), the baseline run compared with ({"dataset": the run's
    dataset hash, "key": the run's result key}) and a load test ({"dataset": a stored dataset's content hash,
    "column": its latency column or None}). version: the version's facts for the evidence (id, name, number, label,
    origin). candidate: the checked CandidatePlan compute runs. run: the baseline run's result key and where its
    rows are ("dataset" or "test_dataset"), None without one."""

    dataset: str
    asked: dict
    version: dict
    candidate: CandidatePlan
    run: dict | None = None
    kind: str = KIND

    @property
    def reasons(self) -> dict[str, Reason]:
        return self.candidate.reasons

    @property
    def inputs(self) -> tuple[str, ...]:
        """The datasets read besides the one stored under: a load test's."""
        latency = self.asked.get("latency") or {}
        return tuple(h for h in (latency.get("dataset"),) if h and h != self.dataset)

    @property
    def on_dataset(self) -> bool:
        """Whether it is computed on a stored dataset of the project (a job then fails when that dataset is deleted);
        a scored predictions file or an MLflow run's metrics are not."""
        return self.candidate.dataset is not None

    def key(self) -> dict:
        return copy.deepcopy(dict(self.asked))

    def to_dict(self) -> dict:
        return {"key": self.key(), "version": dict(self.version), "candidate": self.candidate.to_dict(),
                "run": copy.deepcopy(self.run)}

    def described(self, read=None) -> dict:
        """What the evidence summary says of the version and the baseline run, beside the candidate's figures;
        ``read``: the run's predictions as compute read them (its best model and result id, for a run planned while
        it was still being computed)."""
        run = copy.deepcopy(self.run)
        if run is not None and read is not None:
            run.update(model=read.model, result_id=read.result_id)
        return {"version": dict(self.version), "baseline_run": run}


def stored_under(version) -> str:
    """What a version's evidence is stored under (see EvaluationPlan.dataset); ``version``: a store.models
    ModelVersion."""
    if version.dataset_hash:
        return version.dataset_hash
    if version.predictions_hash:
        return version.predictions_hash
    return f"mlflow:{version.source.get('server')}:{version.source.get('run_id')}"


def plan(meta: DatasetMeta, asked: Mapping, inputs) -> EvaluationPlan:
    """The checked evaluation of the model version ``asked["version"]`` (see EvaluationPlan), its tables read through
    ``inputs`` (jobs.inputs.StoreInputs: model_version, model_meta, model_predictions, run_predictions, open, meta,
    document); CandidateError naming every problem otherwise. ``meta``: what it is stored under (stored_under)."""
    asked = copy.deepcopy(dict(asked or {}))
    unknown = sorted(set(asked) - set(KEY_FIELDS))
    if unknown or not isinstance(asked.get("version"), int) or isinstance(asked.get("version"), bool):
        raise CandidateError([f"A candidate's evaluation is asked for with {', '.join(KEY_FIELDS)} (the version's id "
                              f"a whole number); got {sorted(asked)!r}."])
    try:
        version = inputs.model_version(asked["version"])
    except (LookupError, ValueError) as missing:
        raise CandidateError([str(missing)]) from None
    if meta.content_hash != stored_under(version):
        raise CandidateError([f"{version.label} is evaluated on what it predicts on, not on '{meta.name}'. Pick the "
                              "version again on the Models page."])
    document = _document(asked.get("document"), inputs)
    choices = {"name": version.label, **{k: v for k, v in (asked.get("columns") or version.roles).items()
                                         if k in ASKED and v not in (None, {}, "")}}
    run = None
    try:
        frames = _frames(version, asked, inputs, choices)
        if asked.get("baseline") and version.predictions_hash:
            run, frames["baseline"] = _baseline_run(version, asked["baseline"], inputs, choices)
    except LookupError as missing:           # a dataset, a file or a run named here is gone: say what to do
        raise CandidateError([str(missing)]) from None
    candidate = plan_candidate(frames.pop("meta"), choices, document=document, **frames,
                               reported=version.run.get("metrics") if version.from_mlflow else None,
                               reported_by=_reported_by(version))
    facts = {"id": version.id, "name": version.name, "number": version.version, "label": version.label,
             "origin": version.origin}
    return EvaluationPlan(meta.content_hash, asked, facts, candidate, run)


def _document(choices: Mapping | None, inputs) -> dict:
    """The design document's choices as plan_candidate reads them: those the key carries (what the page read from
    the latest revision), else the document the inputs hold."""
    if choices is None:
        return dict(getattr(inputs, "document", None) or {})
    return {"data": {"target": choices.get("target"), "positive_class": choices.get("positive_class")},
            "evaluation": {"success_criteria": list(choices.get("criteria") or []),
                           "decision_threshold": choices.get("decision_threshold")}}


def _frames(version, asked: Mapping, inputs, choices: dict) -> dict:
    """plan_candidate's tables: the predictions (with their meta), the dataset they join and a load test."""
    frames: dict = {"meta": None}
    if version.predictions_hash:
        frames["meta"] = inputs.model_meta(version.id)
        frames["predictions"] = inputs.model_predictions(version.id)
        if version.dataset_hash:
            frames["dataset"] = inputs.open(version.dataset_hash, None)
            frames["dataset_meta"] = inputs.meta(version.dataset_hash)
    latency = asked.get("latency")
    if latency:
        if not isinstance(latency, Mapping) or not isinstance(latency.get("dataset"), str):
            raise CandidateError(["A load test is asked for as {'dataset': its content hash, 'column': ...}."])
        frames["latencies"] = inputs.open(latency["dataset"], None)
        frames["latency_meta"] = inputs.meta(latency["dataset"])
        choices["latency"] = {"table": latency["dataset"], "column": latency.get("column")}
    if frames["meta"] is None:
        frames["meta"] = frames.get("latency_meta") or DatasetMeta(version.label, stored_under(version), 0, 0, {})
    return frames


def _baseline_run(version, ref: Mapping, inputs, choices: dict) -> tuple[dict, pd.DataFrame | None]:
    """The baseline run compared with: its kept predictions of its best model on the version's rows (as read_baseline
    reads them) and what the plan says of it. A run whose job is still under way (the sample's first start) is
    planned from its job's settings; its rows are read when the evaluation runs."""
    if not (isinstance(ref, Mapping) and isinstance(ref.get("dataset"), str) and isinstance(ref.get("key"), Mapping)):
        raise CandidateError(["A baseline run is asked for as {'dataset': its dataset's content hash, 'key': its "
                              "result key}."])
    if version.dataset_hash is None:
        raise CandidateError([f"{version.label} is a scored file, not joined to a stored dataset, so no baseline run "
                              "has its rows: bring it joined to the dataset by a key to compare on the same rows."])
    target = (ref["key"].get("run") or {}).get("target")
    if target != version.roles.get("target"):
        raise CandidateError([f"The baseline run predicts '{target}', {version.label} predicts "
                              f"'{version.roles.get('target')}': pick a run with the same target."])
    found = inputs.run_predictions(ref["dataset"], ref["key"], version.dataset_hash)
    run = {"dataset": ref["dataset"], "key": copy.deepcopy(dict(ref["key"])), "model": found.model,
           "result_id": found.result_id, "rows": found.source, "pending": found.table is None}
    choices["baseline"] = {"table": BASELINE_RUN, "name": found.model, "align": "row", "classes": list(found.classes),
                           "positive_label": found.positive_label, "pending": found.table is None}
    return run, found.table


def _reported_by(version) -> str:
    if not version.from_mlflow:
        return ""
    return f"MLflow for run {str(version.source.get('run_id'))[:8]} on '{version.source.get('server')}'"


def load_evaluation(stored: Mapping, dataset: str) -> EvaluationPlan:
    """A stored EvaluationPlan, as a job holds it (checked when it was planned)."""
    return EvaluationPlan(dataset, dict(stored["key"]), dict(stored["version"]), load(stored["candidate"]),
                          stored.get("run"))


class _Resolved:
    """The Tables an EvaluationPlan's candidate reads, from the store's inputs: the version's predictions, the baseline
    run's kept predictions (waiting for a run still under way), and datasets by content hash."""

    def __init__(self, plan: EvaluationPlan, inputs) -> None:
        self.plan, self.inputs = plan, inputs
        self.run_read = None           # the baseline run's predictions once read (jobs.inputs.RunPredictions)

    def open(self, name: str, memory_rows: int | None = None) -> pd.DataFrame:
        candidate = self.plan.candidate
        if name == candidate.predictions:
            return self.inputs.model_predictions(self.plan.version["id"])
        if candidate.baseline is not None and name == candidate.baseline.table:
            run = self.plan.run
            self.run_read = self.inputs.run_predictions(run["dataset"], run["key"], candidate.dataset, wait=True)
            return self.run_read.table
        return self.inputs.open(name, memory_rows)

    def meta(self, name: str) -> DatasetMeta:
        if name == self.plan.candidate.predictions:
            return self.inputs.model_meta(self.plan.version["id"])
        return self.inputs.meta(name)


UNIT = Unit(kind=KIND, title="Candidate model evaluation", section="evaluation", page="models",
            error=CandidateError, plan=plan, load=load_evaluation, compute=compute)
