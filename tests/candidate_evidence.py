"""Candidate evidence stored as the app stores it, for tests of what reads it (Review, Compare, blockers, exports).

    version, evidence = bring_candidate(db, project_id=1, name="gbm", seed=0)     # on the sample project

A candidate's predictions (a key column and a score, generated and seeded) are brought as a model version
(store.models.add_model_version), judged by the candidate unit (analysis.candidate) against the design document and
the best baseline run on the same rows (its kept predictions), and the result is stored and recorded as evidence on
the Evaluation section (store.results.put_result + record_evidence), as the candidate job does.
"""
from __future__ import annotations

import time

import numpy as np
import pandas as pd

from analysis.candidate.plan import plan_candidate
from analysis.candidate.unit import InMemory, compute
from analysis.reading.read import read_csv
from analysis.units import DatasetMeta, Progress
from store.datasets import find_dataset, load_frame
from store.documents import latest_revision
from store.models import add_model_version
from store.people import System
from store.results import list_evidence, put_result, record_evidence, result_arrays, result_summary

ANA = System("test", "Ana")


def sample_scores(frame: pd.DataFrame, seed: int = 0, missed: float = 0.5, noise: float = 0.08) -> pd.DataFrame:
    """A candidate's predictions on the sample's rows (sample_id and score): a strong score on every row, except that
    ``missed`` of the malignant rows in the fourth fifth of worst_radius get a benign's score (the weak slice the
    sample's slice criterion catches)."""
    rng = np.random.default_rng(seed)
    malignant = (frame["diagnosis"] == "malignant").to_numpy()
    score = np.where(malignant, 0.85, 0.04) + rng.normal(scale=noise, size=len(frame))
    radius = frame["worst_radius"].to_numpy()
    q4 = (radius > np.quantile(radius, 0.6)) & (radius <= np.quantile(radius, 0.8))
    missed_rows = q4 & malignant & (rng.random(len(frame)) < missed)
    score = np.where(missed_rows, 0.03 + rng.random(len(frame)) * 0.05, score)
    return pd.DataFrame({"sample_id": frame["sample_id"].to_numpy(), "score": np.clip(score, 0.001, 0.999).round(4)})


def best_run_predictions(db, project_id: int):
    """(the evidence of the newest baseline run, its best model's kept predictions as the candidate plan reads
    them, what the plan is told of it)."""
    run = list_evidence(db, project_id, "evaluation", "run")[0]
    summary = result_summary(db, run.result_id)
    kept = result_arrays(db, run.result_id)
    best = kept[kept["model"] == summary["best_model"]][["row", "truth", "predicted", "score"]].reset_index(drop=True)
    asked = {"table": f"run-{run.result_id}", "name": summary["best_model"],
             "classes": [str(c) for c in summary["classes"]], "positive_label": str(summary["positive_label"])}
    return run, best, asked


def bring_candidate(db, project_id: int = 1, name: str = "gbm", seed: int = 0, missed: float = 0.25,
                    by=ANA, compare: bool = True):
    """Bring a candidate's predictions on the dataset of the sample's newest baseline run as the next version of
    ``name``, evaluated against that run's best model on the same rows when ``compare``: (version, evidence)."""
    run, baseline, baseline_asked = best_run_predictions(db, project_id)
    dataset = find_dataset(db, project_id, run.dataset_hash)
    scores = sample_scores(load_frame(db, dataset), seed, missed)
    return record_candidate(db, project_id, dataset, name, scores, {"target": "diagnosis", "key": "sample_id",
                                                                    "scores": {"malignant": "score"}},
                            baseline=baseline if compare else None, baseline_asked=baseline_asked, by=by)


def record_candidate(db, project_id: int, dataset, name: str, predictions: pd.DataFrame, roles: dict, *,
                     baseline: pd.DataFrame | None = None, baseline_asked: dict | None = None, by=ANA):
    """Store ``predictions`` (joined to the stored ``dataset`` by roles["key"]) as the next version of ``name``, judge
    it against the project's latest document (and ``baseline``, a run's kept predictions, when given) and record the
    evidence as the candidate job does: (version, evidence)."""
    table = read_csv(predictions.to_csv(index=False).encode(), f"{name}.csv")
    version = add_model_version(db, project_id, name, by=by, predictions=table, file_name=f"{name}-scores.csv",
                                dataset_hash=dataset.content_hash, roles=roles)
    frame = load_frame(db, dataset)
    meta = DatasetMeta(f"{name}-scores.csv", table.content_hash, len(table.frame), len(table.frame.columns),
                       dict(table.column_types))
    frames = {table.content_hash: (table.frame, meta), dataset.content_hash: (frame, DatasetMeta.of(dataset))}
    asked = {"name": version.label, "key": roles["key"], "target": roles["target"]}
    if baseline is not None:
        asked["baseline"] = baseline_asked
        frames[baseline_asked["table"]] = (baseline, DatasetMeta("baseline", baseline_asked["table"], len(baseline),
                                                                 len(baseline.columns), {}))
    plan = plan_candidate(meta, asked, predictions=table.frame, dataset=frame, dataset_meta=DatasetMeta.of(dataset),
                          document=latest_revision(db, project_id).content, baseline=baseline)
    start = time.perf_counter()
    computed = compute(plan, InMemory(frames), Progress())
    key = {"version": version.id, "baseline": asked.get("baseline")}
    result = put_result(db, "candidate", dataset.content_hash, key, computed.payload, time.perf_counter() - start)
    evidence = record_evidence(db, project_id, "evaluation", result, dataset.id, computed.summary, by)
    return version, evidence
