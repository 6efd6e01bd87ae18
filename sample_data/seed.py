"""Seed a new store with the sample project, once: a newcomer sees a complete example at first start."""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import sqlite_utils

from analysis.baselines.run import RunSettings, resolve_settings
from analysis.drift.model import DriftSettings
from analysis.evidence import drift_settings, leakage_settings, profile_settings, run_settings_key
from analysis.leakage.scan import LeakageSettings, Split
from analysis.reading.read import read_csv, read_table
from design.checks import document_run_choices
from design.document import check_section, success_criteria
from jobs.candidates import bring_predictions, evidence_key
from jobs.tasks import compute_and_store, plan_for
from store.access import EDITOR, REVIEWER, VIEWER, add_member
from store.datasets import add_dataset, set_role
from store.db import write_txn
from store.documents import save_revision
from store.jobs import submit_job
from store.people import System, system_user
from store.projects import create_project
from store.resolutions import resolve_finding

HERE = Path(__file__).parent
SEEDED_KEY = "sample_seeded"
SAMPLE_CSV = HERE / "breast_cancer.csv"
SAMPLE_PARQUET = HERE / "breast_cancer.parquet"     # the same rows as Parquet: the sample lists a second format
SAMPLE_TARGET = "diagnosis"
SAMPLE_CANDIDATE = HERE / "gbm_v1_predictions.csv"  # the team's candidate "gbm" v1 (make_candidate.py), by sample_id


def sample_document() -> dict:
    """The sample design document as stored: project, author and checked content per section."""
    doc = json.loads((HERE / "design_document.json").read_text(encoding="utf-8"))
    doc["content"] = {key: check_section(key, values) for key, values in doc["content"].items()}
    return doc


SAMPLE_TEAM = (("data.scientist@example.org", EDITOR), ("pathology.reviewer@example.org", REVIEWER),
               ("lab.manager@example.org", VIEWER))

def seed_sample_project(db: sqlite_utils.Database, background: bool = False) -> int | None:
    """Create the sample project unless this store was seeded before (even if the sample was later
    archived or renamed). Returns the new project's id, or None when nothing was done.

    background: queue its analyses as jobs (the app: the project, document and dataset are there at once,
    and the worker pool fills in the profile, scan, drift check and baseline run while people look around)
    instead of computing them here (tests and benchmarks that need them finished)."""
    if db["meta"].count_where("key = ?", [SEEDED_KEY]):
        return None
    doc = sample_document()
    author = System("sample seed", doc["author"])      # Blueprint writes it, recorded under the sample's author
    with write_txn(db):
        db.execute("INSERT INTO meta (key, value) VALUES (?, ?)", [SEEDED_KEY, "1"])
        project = create_project(
            db, doc["project"]["name"], doc["project"]["description"], created_by=author, is_sample=True
        )
        save_revision(db, project.id, doc["content"], author, parent_id=None)
        _add_sample_data(db, project.id, author, background)
        # a team to show the roles: invited by email, members from their first sign-in (local mode: shown pending)
        for email, role in SAMPLE_TEAM:
            add_member(db, system_user(db), project.id, email, role)
    return project.id


def _add_sample_data(db: sqlite_utils.Database, project_id: int, author: System, background: bool) -> None:
    """The sample CSV as the project's training data with its profile and leakage scan (Data evidence), a drift
    check (Monitoring) and a baseline run (Evaluation), computed and stored the way jobs do it."""
    table = read_csv(SAMPLE_CSV.read_bytes(), SAMPLE_CSV.name)
    dataset, _ = add_dataset(db, project_id, SAMPLE_CSV.name, table, author)
    dataset = set_role(db, dataset.id, "train", by=System("sample seed"))     # recorded under Blueprint, as before
    # The settings the Baselines page starts from (the id column left out; malignant, the rarer class, positive).
    settings = resolve_settings(table.frame, table.column_types, RunSettings(target=SAMPLE_TARGET))
    # The document's decision threshold (0.2) and the metric its criteria choose, as the Baselines page sets them.
    settings = dataclasses.replace(settings, **document_run_choices(sample_document()["content"], settings.task))
    assert settings.positive_label == "malignant", settings.positive_label
    run_key = run_settings_key(settings, None)
    work = [
        ("profile", profile_settings(SAMPLE_TARGET), f"Profile of {dataset.name} for '{SAMPLE_TARGET}'"),
        ("leakage", leakage_settings(SAMPLE_TARGET, Split(), LeakageSettings(), None),
         f"Leakage scan of {dataset.name} for '{SAMPLE_TARGET}'"),
        # The file's row order follows when the samples were collected: first half against second half.
        ("drift", drift_settings({"kind": "order", "share": 0.5}, DriftSettings()),
         f"Drift check {dataset.name} first 50% → {dataset.name} last 50%"),
        ("run", run_key, f"Baselines on {dataset.name} for '{SAMPLE_TARGET}'"),
    ]
    criteria = success_criteria(sample_document()["content"])
    for kind, key, label in work:
        plan = plan_for(db, kind, dataset, key)
        if background:
            submit_job(db, plan, project_id, dataset.id, label, author)
        else:
            compute_and_store(db, plan, project_id, dataset, author, criteria=criteria)
    # the team's candidate, compared with that baseline run on the same rows
    _add_sample_candidate(db, project_id, dataset, {"dataset": dataset.content_hash, "key": run_key}, author,
                          background, criteria)
    parquet = read_table(SAMPLE_PARQUET.read_bytes(), SAMPLE_PARQUET.name)
    add_dataset(db, project_id, SAMPLE_PARQUET.name, parquet, author)
    # sample_id is found as an ID column by the scan; the sample's authors explain why it is not a leak here.
    resolve_finding(db, project_id, "id_column:sample_id", dataset.content_hash, author,
                    "sample_id is excluded from the features; folds are stratified and shuffled, "
                    "so row order cannot leak.")


def _add_sample_candidate(db: sqlite_utils.Database, project_id: int, dataset, baseline: dict, author: System,
                          background: bool, criteria: list) -> None:
    """The team's candidate "gbm" v1 (its predictions joined to the sample CSV by sample_id) and its evidence against
    the document and the sample's baseline run on the same rows, computed the way a job does it (queued when
    ``background``: it then waits for the baseline run it is compared with)."""
    content = sample_document()["content"]
    table = read_csv(SAMPLE_CANDIDATE.read_bytes(), SAMPLE_CANDIDATE.name)
    version = bring_predictions(db, project_id, "gbm", table, SAMPLE_CANDIDATE.name, by=author, dataset=dataset,
                                content=content, note="Gradient boosting started from the logistic regression; "
                                                      "out-of-fold scores of 5-fold stratified cross-validation.")
    plan = plan_for(db, "candidate", dataset, evidence_key(version, content, baseline))
    if background:
        submit_job(db, plan, project_id, dataset.id, f"Evidence of {version.label}", author)
    else:
        compute_and_store(db, plan, project_id, dataset, author, criteria=criteria)
