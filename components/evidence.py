"""Computing results once and recording them as evidence (profiles, leakage scans, baseline runs, drift).

A result is looked up in the store by (kind, dataset hash, settings) before anything is computed, and the
object rebuilt from it is kept in this server process, so revisiting a page recomputes and re-reads nothing.
"""
from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import replace

import sqlite_utils
import streamlit as st

from analysis.evidence import profile_settings, profile_summary
from analysis.profile import Profile, describe_dataset
from store.datasets import Dataset, load_frame
from store.db import home_of
from store.projects import Project
from store.results import Result, get_result, has_result, put_result, record_evidence


@st.cache_resource(max_entries=32, show_spinner=False)
def _result(store: str, kind: str, dataset_hash: str, settings_json: str, _db: sqlite_utils.Database,
            _compute: Callable, _from_dict: Callable) -> tuple[object, Result]:
    """Keyed by the store's folder too: result ids belong to one database."""
    settings = json.loads(settings_json)
    stored = get_result(_db, kind, dataset_hash, settings)
    if stored is None:
        start = time.perf_counter()
        value = _compute()
        stored = put_result(_db, kind, dataset_hash, settings, value.to_dict(), time.perf_counter() - start)
    else:
        value = _from_dict(stored.payload)
    return value, replace(stored, payload={})


def cached(db: sqlite_utils.Database, kind: str, dataset_hash: str, settings: dict, from_dict: Callable,
           compute: Callable | None = None) -> tuple[object, Result] | None:
    """The result object for (kind, dataset hash, settings): from this process, else from the store, else
    ``compute()`` (stored, then kept). Without ``compute``, None when it was never computed."""
    if compute is None and not has_result(db, kind, dataset_hash, settings):
        return None
    return _result(str(home_of(db)), kind, dataset_hash, json.dumps(settings, sort_keys=True, default=str), db, compute, from_dict)


def profile_of(db: sqlite_utils.Database, project: Project, dataset: Dataset, target: str | None, author: str) -> Profile:
    """The dataset's profile (computed at most once per content and settings), recorded as evidence on
    the project's Data section."""
    settings = profile_settings(target)

    def compute() -> Profile:
        return describe_dataset(load_frame(db, dataset), dataset.column_types, target=target,
                                sample_rows=settings["sample_rows"], random_state=settings["random_state"])

    profile, result = cached(db, "profile", dataset.content_hash, settings, Profile.from_dict, compute)
    record_evidence(db, project.id, "data", result, dataset.id, profile_summary(dataset.name, profile), author)
    return profile


def leakage_of(db: sqlite_utils.Database, project: Project, dataset: Dataset, target: str, split, settings,
               test: Dataset | None, author: str, run: bool):
    """The leakage report for these inputs: the stored one, or (when ``run``) a new scan; None when it
    was never run and ``run`` is False. A report is recorded as evidence on the Data section."""
    from analysis.evidence import leakage_settings, leakage_summary
    from analysis.leakage import LeakageReport, scan_leakage

    key = leakage_settings(target, split, settings, test.content_hash if test else None)

    def compute() -> LeakageReport:
        return scan_leakage(load_frame(db, dataset), dataset.column_types, target, split=split, settings=settings,
                            test_frame=load_frame(db, test) if test else None)

    found = cached(db, "leakage", dataset.content_hash, key, LeakageReport.from_dict, compute if run else None)
    if found is None:
        return None
    report, result = found
    record_evidence(db, project.id, "data", result, dataset.id, leakage_summary(dataset.name, report), author)
    return report


def drift_of(db: sqlite_utils.Database, project: Project, reference: Dataset, source: dict, sides: Callable,
             settings, names: tuple[str, str], author: str, run: bool):
    """The drift summary and the name of its HTML report for these inputs: stored, or (when ``run``)
    computed by Evidently; None when never run and ``run`` is False. ``sides()`` returns the reference and
    current frames with their column types. Recorded as evidence on the Monitoring section."""
    from analysis.drift import run_drift
    from analysis.drift_model import DriftSummary
    from analysis.evidence import drift_settings, drift_summary, report_name
    from store.reports import save_report

    key = drift_settings(source, settings)
    name = report_name(reference.content_hash, key)

    def compute() -> DriftSummary:
        ref, cur, ref_types, cur_types = sides()
        result = run_drift(ref, cur, ref_types, cur_types, settings)
        save_report(db, name, result.html)
        return result.summary

    found = cached(db, "drift", reference.content_hash, key, DriftSummary.from_dict, compute if run else None)
    if found is None:
        return None
    summary, result = found
    record_evidence(db, project.id, "monitoring", result, reference.id, drift_summary(*names, summary), author)
    return summary, name


def run_of(db: sqlite_utils.Database, project: Project, dataset: Dataset, settings, test: Dataset | None,
           criteria: list, author: str, run: bool, on_progress: Callable | None = None):
    """The baseline run for these inputs: stored, or (when ``run``) trained now with live ``on_progress``;
    None when never run and ``run`` is False. Recorded as evidence on the Evaluation section."""
    from analysis.baselines import BaselineRun, run_baselines
    from analysis.evidence import run_settings_key, run_summary

    key = run_settings_key(settings, test.content_hash if test else None)

    def compute() -> BaselineRun:
        return run_baselines(load_frame(db, dataset), dataset.column_types, settings,
                             test_frame=load_frame(db, test) if test else None, on_progress=on_progress)

    found = cached(db, "run", dataset.content_hash, key, BaselineRun.from_dict, compute if run else None)
    if found is None:
        return None
    result_run, result = found
    record_evidence(db, project.id, "evaluation", result, dataset.id, run_summary(dataset.name, result_run, criteria), author)
    return result_run
