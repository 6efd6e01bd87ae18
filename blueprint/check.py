"""``blueprint check``: the design document's criteria and leakage checks on the data a pipeline gives, through the
same analysis units the app runs (analysis.units), planned once at the boundary, then computed.

    report = run_check(project, inputs, data, predictions, target=None, fail_on="fail", progress=Progress())

1. The boundary: the document's success criteria (none: CheckInputError saying what to write), the target (--target,
   else the Data section's), and a plan for each unit (its PlanError is bad input): the leakage scan on the
   training data (with the test data as a test dataset when given), the drift check when the Monitoring section
   asks for one and a reference is at hand, the candidate's evaluation when predictions are given.
2. The work: the leakage scan; the evidence the criteria are checked on: the candidate's predictions
   (analysis.candidate), or, without predictions, a baseline run planned as the Baselines page plans it (the
   document's positive class, decision threshold and metric; the columns the scan flags and those the feature
   table marks not known at prediction time left out); the drift check.
3. The verdicts: design.checks on that evidence's 95 % intervals at the document's decision threshold; findings
   the project resolved are not counted again (blueprint.project.CheckedProject.resolution).
"""
from __future__ import annotations

import dataclasses
import platform
import time
import tomllib
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from analysis.baselines.metrics import canonical_metric
from analysis.baselines.run import RunSettings, resolve_settings
from analysis.baselines.setup import DEFAULT_MAX_ROWS, REASONS
from analysis.candidate.plan import plan_candidate
from analysis.drift.model import DriftSettings
from analysis.evidence import drift_settings, leakage_settings, run_settings_key
from analysis.leakage.scan import LeakageSettings, Split
from analysis.units import PlanError, Progress, unit
from blueprint.inputs import CheckInputError, DataFile, FileInputs
from blueprint.project import CheckedProject
from blueprint.report import CheckReport, Drift, Leakage, Verdict
from design.checks import check_criteria, document_run_choices, summary_evidence, summary_slices
from design.criteria import CriterionError
from design.document import feature_table, not_known_columns, success_criteria, target_choice, value
from design.fields import is_template
from store.db import now
from store.results import library_versions

NO_CRITERIA = ("The design document has no success criteria, so there is nothing to hold the data to: write them in "
               "the Evaluation section's 'Success criteria', one per line as metric, operator, number (such as "
               "'recall >= 0.80' or 'roc auc >= 0.90'), then export the project again.")


@dataclass(frozen=True)
class Plans:
    """Every unit's checked plan (None for a unit that does not run, with why in ``skipped``)."""

    target: str
    criteria: list
    leakage: object | None
    drift: object | None
    candidate: object | None
    skipped: dict
    drift_asked: bool = False


def document_criteria(content: dict) -> list:
    """The document's success criteria; CheckInputError when it has none or one cannot be read."""
    try:
        criteria = success_criteria(content)
    except CriterionError as error:
        raise CheckInputError(f"A success criterion of the design document cannot be read: {error}") from None
    if not criteria:
        raise CheckInputError(NO_CRITERIA)
    return criteria


def choose_target(asked: str | None, content: dict) -> str:
    target = asked or target_choice(content)[0]
    if not target:
        raise CheckInputError("No target column: the design document's Data section names none. Give it with "
                              "--target COL, or write 'Target column' in the Data section.")
    return target


def require_target(given: DataFile, target: str, named: bool) -> None:
    """CheckInputError when ``target`` is not a column of ``given``."""
    columns = [str(c) for c in given.meta.column_types]
    if target in columns:
        return
    shown = ", ".join(columns[:12]) + (f" and {len(columns) - 12} more" if len(columns) > 12 else "")
    where = "given with --target" if named else "named by the design document's Data section"
    raise CheckInputError(f"The target '{target}' ({where}) is not a column of {given.name} ({given.origin}); its "
                          f"columns are {shown}. Give the right one with --target COL.")


def drift_wish(content: dict) -> bool:
    """Whether the design document's Monitoring section asks for drift checks."""
    wish = value(content, "monitoring", "drift")
    return bool(wish and str(wish).strip()) and not is_template(wish)


def plan_all(project: CheckedProject, inputs: FileInputs, data: dict[str, DataFile], predictions: DataFile | None,
             asked_target: str | None) -> Plans:
    """Check everything at the boundary (see the module docstring); CheckInputError saying what is wrong."""
    criteria = document_criteria(project.content)
    target = choose_target(asked_target, project.content)
    train, test = data.get("train"), data.get("test")
    if train is None and predictions is None:
        raise CheckInputError("Nothing to check: give the data with --data train=PATH (and the candidate's "
                              "predictions with --predictions PATH).")
    for given in (train, test):
        if given is not None:
            require_target(given, target, asked_target is not None)
    skipped = {}
    try:
        leakage = _plan_leakage(project, inputs, train, test, target) if train else None
        if leakage is None:
            skipped["leakage"] = "no training data given (--data train=PATH): the leakage scan needs the data itself"
        drift, skipped["drift"] = _plan_drift(project, inputs, data)
        candidate = _plan_candidate(project, inputs, data, predictions, target) if predictions else None
    except PlanError as error:
        raise CheckInputError(" ".join(str(error).split())) from None
    return Plans(target, criteria, leakage, drift, candidate, {k: v for k, v in skipped.items() if v},
                 drift_wish(project.content))


def _plan_leakage(project: CheckedProject, inputs: FileInputs, train: DataFile, test: DataFile | None, target: str):

    split = Split("test_dataset") if test else Split()
    key = leakage_settings(target, split, LeakageSettings(), test.meta.content_hash if test else None,
                           feature_table(project.content, list(train.meta.column_types)))
    return unit("leakage").plan(train.meta, key, inputs)


def _plan_drift(project: CheckedProject, inputs: FileInputs, data: dict[str, DataFile]):
    """(the drift plan, None) or (None, why it does not run)."""
    if not drift_wish(project.content):
        return None, "the design document's Monitoring section asks for no drift check"
    current = data.get("current") or data.get("train")
    reference = data.get("reference") or project.datasets.get("reference") or project.datasets.get("train")
    if reference is None or current is None:
        return None, ("the Monitoring section asks for drift checks, but no reference data was given: add --data "
                      "reference=PATH (the data the model was reviewed on) to check the new data against it")
    if reference.meta.content_hash == current.meta.content_hash:
        return None, (f"the reference ({reference.name}) is the data checked itself: give the new data with --data "
                      "train=PATH or current=PATH")
    inputs.add(reference)
    key = drift_settings({"kind": "datasets", "current": current.meta.content_hash}, DriftSettings())
    return unit("drift").plan(reference.meta, key, inputs), None


def _plan_candidate(project: CheckedProject, inputs: FileInputs, data: dict[str, DataFile], predictions: DataFile,
                    target: str):
    """The candidate's plan: its predictions hold the target (a scored dataset), or join the test (else the training)
    data by a key column."""
    joined = None if target in predictions.meta.column_types else (data.get("test") or data.get("train"))
    asked = {"name": predictions.name, "target": target}
    return plan_candidate(predictions.meta, asked, predictions=inputs.frame(predictions.meta.content_hash),
                          dataset=inputs.frame(joined.meta.content_hash) if joined else None,
                          dataset_meta=joined.meta if joined else None, document=project.content)


def run_check(project: CheckedProject, inputs: FileInputs, data: dict[str, DataFile], predictions: DataFile | None,
              target: str | None = None, fail_on: str = "fail", progress: Progress | None = None) -> CheckReport:
    """Plan, compute and judge (see the module docstring)."""
    progress = progress or Progress()
    start = time.perf_counter()
    for given in (*data.values(), *([predictions] if predictions else [])):
        inputs.add(given)
    plans = plan_all(project, inputs, data, predictions, target)
    inputs.criteria = list(plans.criteria)           # a baseline run's evidence summary lists them
    leakage = _leakage(project, inputs, plans, progress)
    evidence, summary = (_candidate(inputs, plans, progress) if plans.candidate is not None
                         else _baseline(project, inputs, data, plans, leakage, progress))
    drift = _drift(inputs, plans, progress)
    verdicts = judge(plans.criteria, summary, evidence["source"])
    used = [*data.values(), *([predictions] if predictions else [])]
    if plans.drift is not None and all(d.meta.content_hash != plans.drift.dataset for d in used):
        used.append(inputs.given(plans.drift.dataset))
    return CheckReport(
        project={"name": project.name, "origin": project.origin, "id": project.project_id},
        document=dict(project.revision), data=tuple(d.describe() for d in used), evidence=evidence,
        verdicts=tuple(verdicts), leakage=leakage, drift=drift, fail_on=fail_on, checked_at=_now(),
        seconds=time.perf_counter() - start, versions=versions())


def _leakage(project: CheckedProject, inputs: FileInputs, plans: Plans, progress: Progress) -> Leakage:

    if plans.leakage is None:
        return Leakage(False, plans.skipped.get("leakage", ""))
    computed = unit("leakage").compute(plans.leakage, inputs, _stage(progress, "leakage"))
    findings = []
    for finding in computed.summary["findings"]:
        found = project.resolution(finding["key"], plans.leakage.dataset)
        resolved = None if found is None else {
            "resolved_by": found.get("resolved_by"), "reason": found.get("reason"),
            "created_at": found.get("created_at"), "same_data": found.get("dataset_hash") == plans.leakage.dataset}
        findings.append({**finding, "resolved": resolved})
    return Leakage(True, "", computed.summary["dataset"], plans.target, tuple(computed.payload.get("checks", ())),
                   tuple(findings), tuple(computed.payload.get("notes", ())))


def _candidate(inputs: FileInputs, plans: Plans, progress: Progress) -> tuple[dict, dict]:

    plan = plans.candidate
    summary = unit("candidate").compute(plan, inputs, _stage(progress, "candidate")).summary
    evidence = {"kind": "candidate", "source": f"the candidate's predictions ({plan.name})", "name": plan.name,
                "task": summary.get("task"), "target": summary.get("target"),
                "positive_label": summary.get("positive_label"), "rows": summary.get("rows"),
                "decision_threshold": summary.get("decision_threshold"),
                "threshold_from_document": summary.get("threshold_from_document"),
                "primary_metric": summary.get("primary_metric")}
    return evidence, summary


def _baseline(project: CheckedProject, inputs: FileInputs, data: dict[str, DataFile], plans: Plans,
              leakage: Leakage, progress: Progress) -> tuple[dict, dict]:
    """A baseline run on the training data, planned as the Baselines page plans one."""
    train, test = data["train"], data.get("test")
    try:
        settings = run_settings(project.content, inputs, train, test, plans.target, leakage)
        key = run_settings_key(settings, test.meta.content_hash if test else None)
        plan = unit("run").plan(train.meta, key, inputs)
    except (PlanError, ValueError) as error:
        raise CheckInputError(" ".join(str(error).split())) from None
    summary = unit("run").compute(plan, inputs, _stage(progress, "baselines")).summary
    evidence = {"kind": "baseline run", "source": f"the best baseline run ({summary.get('best_model')})",
                "best_model": summary.get("best_model"), "task": summary.get("task"), "target": summary.get("target"),
                "positive_label": plan.resolved.positive_label, "protocol": summary.get("protocol"),
                "decision_threshold": summary.get("decision_threshold"),
                "threshold_from_document": summary.get("threshold_from_document"),
                "primary_metric": summary.get("primary_metric"), "models": summary.get("models")}
    return evidence, summary


def run_settings(content: dict, inputs: FileInputs, train: DataFile, test: DataFile | None, target: str,
                 leakage: Leakage):
    """The baseline run's settings, as the Baselines page resolves them (pages/baselines.py)."""
    columns = set(train.meta.column_types)
    excluded = {f["column"]: f"flagged by the leakage checks: {f['title']}" for f in leakage.findings
                if f.get("severity") in ("high", "medium") and not f.get("resolved") and f.get("column")
                and f["column"] != target}
    excluded.update({c: REASONS["unavailable"] for c in not_known_columns(content) if c in columns and c != target})
    frame = inputs.open(train.meta.content_hash, DEFAULT_MAX_ROWS)
    test_frame = inputs.open(test.meta.content_hash, DEFAULT_MAX_ROWS) if test else None
    asked = RunSettings(target=target, excluded=excluded, positive_label=target_choice(content)[1],
                        protocol="test_dataset" if test else "auto")
    try:
        resolved = resolve_settings(frame, dict(train.meta.column_types), asked, test_frame=test_frame)
    except ValueError:
        if asked.positive_label is None:
            raise
        asked = dataclasses.replace(asked, positive_label=None)      # the document's class is not a class here
        resolved = resolve_settings(frame, dict(train.meta.column_types), asked, test_frame=test_frame)
    return dataclasses.replace(resolved, **document_run_choices(content, resolved.task))


def _drift(inputs: FileInputs, plans: Plans, progress: Progress) -> Drift:

    if plans.drift is None:
        return Drift(plans.drift_asked, False, plans.skipped.get("drift", ""))
    computed = unit("drift").compute(plans.drift, inputs, _stage(progress, "drift"))
    return Drift(True, True, "", computed.summary)


def judge(criteria: list, summary: dict, source: str) -> list[Verdict]:
    """Each criterion against the evidence's stored summary (a run's or a candidate's), with its interval."""
    measured = summary_evidence(summary)
    checks = check_criteria(criteria, measured, source, summary.get("task"), summary_slices(summary),
                            summary.get("differences"))
    verdicts = []
    for check in checks:
        interval = None
        if not check.criterion.where and not check.criterion.relative:
            found = measured.get(canonical_metric(check.criterion.metric)[0])
            interval = found if isinstance(found, dict) else None
        verdicts.append(Verdict(str(check.criterion), check.status, check.value, check.low, check.high, check.reason,
                                interval))
    return verdicts


def _stage(progress: Progress, name: str) -> Progress:
    """``progress`` with each message prefixed by the stage's name."""
    return Progress(lambda share, message, partial=None: progress.report(share, f"{name}: {message}" if message
                                                                           else None, None),
                    progress.should_stop)


def _now() -> str:
    return now()


def versions() -> dict:
    """Blueprint's version, Python's, and those of the libraries results depend on (store.results)."""
    return {"blueprint": blueprint_version(), "python": platform.python_version(), **library_versions()}


def blueprint_version() -> str:
    """The installed package's version, else pyproject.toml's."""
    try:
        return metadata.version("blueprint")
    except metadata.PackageNotFoundError:
        pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
        try:
            return tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["version"]
        except (OSError, KeyError, ValueError):
            return "unknown"
