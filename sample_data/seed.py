"""Seed a new store with the sample project, once: a newcomer sees a complete example at first start."""
from __future__ import annotations

import json
import time
from pathlib import Path

import sqlite_utils

from analysis.baselines import RunSettings, resolve_settings, run_baselines
from analysis.drift import run_drift, split_by_order
from analysis.drift_model import DriftSettings
from analysis.evidence import (
    drift_settings,
    drift_summary,
    leakage_settings,
    leakage_summary,
    profile_settings,
    profile_summary,
    report_name,
    run_settings_key,
    run_summary,
)
from analysis.leakage import LeakageSettings, Split, scan_leakage
from analysis.profile import describe_dataset
from analysis.read import read_csv
from design.document import check_section, success_criteria
from store.datasets import add_dataset, set_role
from store.db import write_txn
from store.documents import save_revision
from store.projects import create_project
from store.reports import save_report
from store.resolutions import resolve_finding
from store.results import put_result, record_evidence

HERE = Path(__file__).parent
SEEDED_KEY = "sample_seeded"
SAMPLE_CSV = HERE / "breast_cancer.csv"
SAMPLE_TARGET = "diagnosis"


def sample_document() -> dict:
    """The sample design document as stored: project, author and checked content per section."""
    doc = json.loads((HERE / "design_document.json").read_text(encoding="utf-8"))
    doc["content"] = {key: check_section(key, values) for key, values in doc["content"].items()}
    return doc


def seed_sample_project(db: sqlite_utils.Database) -> int | None:
    """Create the sample project unless this store was seeded before (even if the sample was later
    archived or renamed). Returns the new project's id, or None when nothing was done."""
    if db["meta"].count_where("key = ?", [SEEDED_KEY]):
        return None
    doc = sample_document()
    with write_txn(db):
        db.execute("INSERT INTO meta (key, value) VALUES (?, ?)", [SEEDED_KEY, "1"])
        project = create_project(
            db, doc["project"]["name"], doc["project"]["description"], created_by=doc["author"], is_sample=True
        )
        save_revision(db, project.id, doc["content"], doc["author"], parent_id=None)
        _add_sample_data(db, project.id, doc["author"])
    return project.id


def _add_sample_data(db: sqlite_utils.Database, project_id: int, author: str) -> None:
    """The sample CSV as the project's training data, profiled against its target as Data evidence."""
    table = read_csv(SAMPLE_CSV.read_bytes(), SAMPLE_CSV.name)
    dataset, _ = add_dataset(db, project_id, SAMPLE_CSV.name, table, author)
    set_role(db, dataset.id, "train")
    settings = profile_settings(SAMPLE_TARGET)
    start = time.perf_counter()
    profile = describe_dataset(table.frame, table.column_types, target=SAMPLE_TARGET,
                               sample_rows=settings["sample_rows"], random_state=settings["random_state"])
    result = put_result(db, "profile", dataset.content_hash, settings, profile.to_dict(), time.perf_counter() - start)
    record_evidence(db, project_id, "data", result, dataset.id, profile_summary(dataset.name, profile), author)

    split, thresholds = Split(), LeakageSettings()
    start = time.perf_counter()
    report = scan_leakage(table.frame, table.column_types, SAMPLE_TARGET, split=split, settings=thresholds)
    result = put_result(db, "leakage", dataset.content_hash, leakage_settings(SAMPLE_TARGET, split, thresholds, None),
                        report.to_dict(), time.perf_counter() - start)
    record_evidence(db, project_id, "data", result, dataset.id, leakage_summary(dataset.name, report), author)
    for finding in report.findings:
        if finding.key == "id_column:sample_id":
            resolve_finding(db, project_id, finding.key, dataset.content_hash, author,
                            "sample_id is excluded from the features; folds are stratified and shuffled, so row order cannot leak.")
    _add_sample_drift(db, project_id, dataset, table.frame, author)
    _add_sample_run(db, project_id, dataset, table, author)


def _add_sample_drift(db: sqlite_utils.Database, project_id: int, dataset, frame, author: str) -> None:
    """A drift check of the sample's first half of rows against its second half (the file's order follows
    when the samples were collected), as Monitoring evidence."""
    reference, current = split_by_order(frame, 0.5)
    settings, source = DriftSettings(), {"kind": "order", "share": 0.5}
    result = run_drift(reference, current, dataset.column_types, dataset.column_types, settings)
    key = drift_settings(source, settings)
    save_report(db, report_name(dataset.content_hash, key), result.html)
    stored = put_result(db, "drift", dataset.content_hash, key, result.summary.to_dict(), result.summary.seconds)
    names = (f"{dataset.name} first 50%", f"{dataset.name} last 50%")
    record_evidence(db, project_id, "monitoring", stored, dataset.id, drift_summary(*names, result.summary), author)


def _add_sample_run(db: sqlite_utils.Database, project_id: int, dataset, table, author: str) -> None:
    """The baseline suite on the sample with the settings the Baselines page starts from (its default
    features leave the id column out; malignant, the rarer class, is positive), as Evaluation evidence
    checked against the document's success criteria."""
    settings = resolve_settings(table.frame, table.column_types, RunSettings(target=SAMPLE_TARGET))
    assert settings.positive_label == "malignant", settings.positive_label
    run = run_baselines(table.frame, table.column_types, settings)
    stored = put_result(db, "run", dataset.content_hash, run_settings_key(settings, None), run.to_dict(), run.seconds)
    criteria = success_criteria(sample_document()["content"])
    record_evidence(db, project_id, "evaluation", stored, dataset.id, run_summary(dataset.name, run, criteria), author)
