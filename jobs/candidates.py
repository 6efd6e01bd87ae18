"""Candidate models in a project: bringing a version (its predictions checked by the candidate's plan before the store
keeps anything), and the key its evidence is asked for with (analysis.candidate.unit), for the Models page, the
sample's seeding and the tests: one way for each.

    version = bring_predictions(db, project_id, "gbm", table, "scores.csv", by=user, dataset=dataset)  # CandidateError
    version = bring_mlflow(db, project_id, "gbm", by=user, server=server, run=run, artifact=found, dataset=dataset)
    key = evidence_key(version, content, best_baseline_run(db, project_id, version).ref)
    subject = evaluated_on(db, version)        # what its evidence is stored under: a Dataset, or a NotADataset
    plan = plan_for(db, "candidate", subject, key)

Nothing here draws; the store checks rights (store.models.add_model_version: editors and owners, and for an MLflow
server who may use it).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import sqlite_utils

from analysis.candidate.plan import CandidateError, plan_candidate
from analysis.candidate.unit import stored_under
from analysis.units import DatasetMeta
from design.document import success_criteria, target_choice, value
from jobs.inputs import open_dataset
from jobs.tasks import NotADataset
from store.datasets import Dataset, find_dataset
from store.grants import ADMINS_ONLY, Grant
from store.models import ModelVersion, add_model_version
from store.people import System, User
from store.results import list_evidence, result_meta

COLUMN_CHOICES = ("target", "scores", "label", "key", "positive_label", "task")


@dataclass(frozen=True)
class BaselineOption:
    """A baseline run a candidate can be compared with on the same rows: ``label`` in words, ``ref`` what the key
    holds ({"dataset": its dataset's content hash, "key": its result key}), ``score`` (its primary metric, higher
    is better), ``result_id``."""

    label: str
    ref: dict
    score: float
    result_id: int


def document_choices(content: Mapping | None) -> dict:
    """What the design document decides about a candidate's evaluation: the target and positive class (Data), the
    decision threshold and the success criteria (Evaluation), as the key carries them."""
    content = dict(content or {})
    target, positive = target_choice(content)
    threshold = value(content, "evaluation", "decision_threshold")
    return {"target": target, "positive_class": positive,
            "decision_threshold": None if threshold is None else float(threshold),
            "criteria": [str(c) for c in success_criteria(content)]}


def evidence_key(version: ModelVersion, content: Mapping | None, baseline: dict | None = None,
                 latency: dict | None = None) -> dict:
    """The key a version's evidence is computed and found under (analysis.candidate.unit.EvaluationPlan): plain JSON,
    so a change of the document's choices, of the baseline run (``baseline``: a BaselineOption's ref) or of the load
    test ({"dataset": a stored dataset's content hash, "column": its latency column or None}) asks for new evidence."""
    return {"version": version.id, "dataset": version.dataset_hash, "columns": dict(version.roles),
            "document": document_choices(content), "baseline": baseline, "latency": latency}


def evaluated_on(db: sqlite_utils.Database, version: ModelVersion) -> Dataset | NotADataset:
    """The project's dataset the version's predictions join (its evidence is then linked to that dataset, and a job
    fails when it is deleted), else what the evidence is stored under (jobs.tasks.NotADataset)."""
    if version.dataset_hash:
        found = find_dataset(db, version.project_id, version.dataset_hash)
        if found is not None:
            return found
    return NotADataset(version.project_id, version.label, stored_under(version), version.rows or 0,
                       len(version.column_types), dict(version.column_types))


def baseline_runs(db: sqlite_utils.Database, project_id: int, version: ModelVersion) -> list[BaselineOption]:
    """The stored baseline runs with the version's target whose rows are the dataset the version joins (their own
    dataset, or their test dataset), the best first (by the primary metric each reports)."""
    if not version.dataset_hash or not version.predictions_hash:
        return []
    found: dict[int, BaselineOption] = {}
    for evidence in list_evidence(db, project_id, "evaluation", "run"):
        summary = evidence.summary
        if evidence.result_id in found or summary.get("target") != version.roles.get("target"):
            continue
        meta = result_meta(db, evidence.result_id)
        if version.dataset_hash not in (meta.dataset_hash, meta.settings.get("test_hash")):
            continue
        rows = ("its test dataset" if meta.dataset_hash != version.dataset_hash
                else summary.get("dataset", "the dataset"))
        score = summary.get("score")
        figure = "" if score is None else f", {summary.get('primary_metric')} {abs(score):.3f}"
        label = (f"{summary.get('best_model') or 'a baseline run'} on {rows} "
                 f"({meta.computed_at[:16].replace('T', ' ')} UTC{figure})")
        found[evidence.result_id] = BaselineOption(label, {"dataset": meta.dataset_hash, "key": meta.settings},
                                                   float("-inf") if score is None else float(score), meta.id)
    return sorted(found.values(), key=lambda o: o.score, reverse=True)


def best_baseline_run(db: sqlite_utils.Database, project_id: int, version: ModelVersion) -> BaselineOption | None:
    """The baseline run a candidate is compared with unless a person picks another: the best on its rows."""
    runs = baseline_runs(db, project_id, version)
    return runs[0] if runs else None


def check_predictions(db: sqlite_utils.Database, project_id: int, table, file_name: str, dataset: Dataset | None,
                      columns: Mapping | None, content: Mapping | None):
    """The candidate's plan of ``table`` (an analysis.reading.read.Table), joined to ``dataset`` when given: every
    problem (unmatched or repeated keys, scores outside 0-1 or with text, labels that are not classes, a score that is
    the target itself, ...) raised at once in one CandidateError."""
    asked = {k: v for k, v in dict(columns or {}).items() if k in COLUMN_CHOICES and v not in (None, "", [], {})}
    meta = DatasetMeta(file_name, table.content_hash, len(table.frame), len(table.frame.columns),
                       dict(table.column_types), project_id=project_id)
    frame = open_dataset(db, dataset, None) if dataset is not None else None
    return plan_candidate(meta, {"name": file_name, **asked}, predictions=table.frame, dataset=frame,
                          dataset_meta=DatasetMeta.of(dataset) if dataset is not None else None,
                          document=dict(content or {}))


def _roles(plan) -> dict:
    roles = plan.roles
    return {"task": plan.task, "target": roles.target, "scores": dict(roles.scores), "label": roles.label,
            "key": roles.key, "positive_label": plan.positive_label}


def bring_predictions(db: sqlite_utils.Database, project_id: int, name: str, table, file_name: str, *,
                      by: User | System, dataset: Dataset | None = None, columns: Mapping | None = None,
                      content: Mapping | None = None, note: str = "") -> ModelVersion:
    """Store the predictions file ``table`` as the next version of the model ``name``, once the candidate's plan has
    found its columns and checked it (CandidateError naming every problem, nothing stored); the columns found, the
    task and the positive class are stored with it."""
    plan = check_predictions(db, project_id, table, file_name, dataset, columns, content)
    return add_model_version(db, project_id, name, by=by, predictions=table, file_name=file_name,
                             dataset_hash=dataset.content_hash if dataset is not None else None, roles=_roles(plan),
                             note=note)


def bring_mlflow(db: sqlite_utils.Database, project_id: int, name: str, *, by: User | System, server: str, run,
                 artifact=None, dataset: Dataset | None = None, columns: Mapping | None = None,
                 content: Mapping | None = None, model: tuple[str, str] | None = None,
                 grant: Grant = ADMINS_ONLY) -> ModelVersion:
    """Store an MLflow ``run`` (analysis.sources.mlflow_runs.Run) of the server named ``server`` as the next version of
    the model ``name``: with ``artifact`` (an ArtifactTable read from the run) its predictions, checked as a file's
    are; without, what the run logged (its metrics are then checked as reported points). ``model``: the registered
    model's (name, version) when it was picked that way; ``grant``: who may use that server."""
    source = {"server": server, "run_id": run.id, "experiment_id": run.experiment_id}
    if model is not None:
        source.update(model_name=model[0], model_version=str(model[1]))
    roles: dict = {}
    predictions = None
    if artifact is not None:
        plan = check_predictions(db, project_id, artifact.table, artifact.path, dataset, columns, content)
        roles, predictions = _roles(plan), artifact.table
        source["artifact_path"] = artifact.path
    elif dataset is not None:
        raise CandidateError(["A run's metrics alone are not joined to a dataset: pick its predictions artifact to "
                              "join them, or import the metrics without a dataset."])
    joined = dataset.content_hash if dataset is not None and artifact is not None else None
    return add_model_version(db, project_id, name, by=by, predictions=predictions, mlflow=source, run=run.logged(),
                             dataset_hash=joined, roles=roles, grant=grant)
