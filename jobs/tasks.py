"""What each kind of job computes, and how its result is stored and recorded as evidence.

A job carries the key its result is stored under (kind, dataset hash, settings: see analysis.evidence), and
that key holds everything needed to compute it again: the target, the split, the thresholds, the run
settings, the other side of a drift check (by content hash). The same functions serve the worker and the
seeding of the sample project, so a result is computed and stored one way only.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import sqlite_utils

from analysis.drift.model import MAX_ROWS_PER_SIDE
from store.datasets import Dataset, data_file, find_dataset
from store.errors import NotFoundError
from store.results import Result, put_result, record_evidence
from store.people import System, User, check_actor

SECTION = {"profile": "data", "leakage": "data", "run": "evaluation", "drift": "monitoring"}
MEMORY_ROWS = MAX_ROWS_PER_SIDE   # a drift side (or an overlay's) above this many rows is read from its stored file


class JobCancelled(Exception):
    """Raised inside a task when a person cancelled its job and nothing finished worth keeping."""


@dataclass
class Progress:
    """Where a task reports how far it is. ``report(share, message, partial)`` returns True when the job
    should stop; ``should_stop()`` asks without reporting. The default does nothing and never stops."""

    report: Callable[[float | None, str | None, list | None], bool] = lambda share, message, partial=None: False
    should_stop: Callable[[], bool] = lambda: False


def other_dataset(db: sqlite_utils.Database, project_id: int, content_hash: str | None, role: str) -> Dataset | None:
    """The project's dataset with ``content_hash`` (a test set, the current side of a drift check)."""
    if content_hash is None:
        return None
    found = find_dataset(db, project_id, content_hash)
    if found is None:
        raise NotFoundError(f"The {role} dataset of this job is no longer in the project (deleted?). Choose another one "
                            "and run again.")
    return found


def open_dataset(db: sqlite_utils.Database, dataset: Dataset, memory_rows: int | None, use_engine: bool | None = None):
    """The dataset's rows for an analysis: a DataFrame when it has at most ``memory_rows`` rows (None: always),
    else an analysis.engine.table FileTable on its stored Parquet file, whose rows are never all in memory (the
    analyses read its columns one at a time and their samples by position). ``use_engine`` forces one way."""
    from analysis.engine.table import open_table

    path = data_file(db, dataset.content_hash)
    if not path.exists():
        raise NotFoundError(f"The data file of '{dataset.name}' is missing ({path}). Upload the file again.")
    if use_engine is None and memory_rows is None:
        use_engine = False
    return open_table(path, memory_rows or 0, use_engine)


def drift_sides(db: sqlite_utils.Database, reference: Dataset, source: dict, memory_rows: int | None = MEMORY_ROWS,
                use_engine: bool | None = None):
    """(reference frame, current frame, reference types, current types, (reference name, current name)) of a
    drift check whose other side is ``source``: {"kind": "datasets", "current": hash}, {"kind": "date",
    "column", "cut"} or {"kind": "order", "share"}. A dataset above ``memory_rows`` rows is read as a FileTable
    (open_dataset), and so are the sides split from it."""
    from analysis.drift.run import split_by_date, split_by_order

    kind = source["kind"]
    if kind == "datasets":
        current = other_dataset(db, reference.project_id, source["current"], "current")
        return (open_dataset(db, reference, memory_rows, use_engine), open_dataset(db, current, memory_rows, use_engine),
                reference.column_types, current.column_types, (reference.name, current.name))
    frame, types = open_dataset(db, reference, memory_rows, use_engine), reference.column_types
    if kind == "date":
        ref, cur = split_by_date(frame, source["column"], source["cut"])
        names = (f"{reference.name} before {source['cut']}", f"{reference.name} from {source['cut']}")
    else:
        ref, cur = split_by_order(frame, source["share"])
        names = (f"{reference.name} first {source['share']:.0%}", f"{reference.name} last {1 - source['share']:.0%}")
    return ref, cur, types, types, names


def _profile(db, dataset: Dataset, key: dict, progress: Progress, use_engine: bool | None = None):
    """Profiled from the stored Parquet file: in memory up to the sample size, else by the data engine's queries."""
    from analysis.evidence import profile_summary
    from analysis.profile.describe import describe_file

    if dataset.is_sql:             # a SQL source: profiled by its own database (jobs.sources)
        from jobs.sources import profile_sql

        return profile_sql(db, dataset, key, progress)
    path = data_file(db, dataset.content_hash)
    if not path.exists():
        raise NotFoundError(f"The data file of '{dataset.name}' is missing ({path}). Upload the file again.")
    engine = use_engine if use_engine is not None else dataset.rows > key["sample_rows"]
    how = "by DuckDB queries on the stored file" if engine else "in memory"
    progress.report(0.1, f"profiling {dataset.rows:,} rows × {dataset.columns} columns {how}", None)
    profile = describe_file(path, dataset.column_types, target=key["target"], sample_rows=key["sample_rows"],
                            random_state=key["random_state"], use_engine=use_engine)
    return profile.to_dict(), profile_summary(dataset.name, profile)


def _reading(table) -> str:
    from analysis.engine.table import FILE, engine_of

    return " (read from the stored file, never whole)" if engine_of(table) == FILE else ""


def _leakage(db, dataset: Dataset, key: dict, progress: Progress, use_engine: bool | None = None):
    """Scanned in memory up to the scores' sample size, else on the stored file (analysis.engine.table)."""
    from analysis.evidence import leakage_summary
    from analysis.leakage.scan import LeakageSettings, Split, scan_leakage

    settings = LeakageSettings.from_dict(key["settings"])
    test = other_dataset(db, dataset.project_id, key["test_hash"], "test")
    frame = open_dataset(db, dataset, settings.sample_rows, use_engine)
    progress.report(0.1, f"scanning {dataset.rows:,} rows for leakage{_reading(frame)}", None)
    report = scan_leakage(frame, dataset.column_types, key["target"],
                          split=Split.from_dict(key["split"]), settings=settings,
                          test_frame=open_dataset(db, test, settings.sample_rows, use_engine) if test else None,
                          feature_table=key.get("feature_table"))
    return report.to_dict(), leakage_summary(dataset.name, report)


def _drift(db, dataset: Dataset, key: dict, progress: Progress, use_engine: bool | None = None):
    """Each side in memory up to the sample size per side, else read from its stored file (analysis.engine.table)."""
    from analysis.drift.run import run_drift
    from analysis.drift.model import DriftSettings
    from analysis.evidence import drift_summary, report_name
    from store.reports import save_report

    settings = DriftSettings.from_dict(key["settings"])
    ref, cur, ref_types, cur_types, names = drift_sides(db, dataset, key["source"], settings.max_rows_per_side,
                                                        use_engine)
    progress.report(0.1, "loading Evidently (about 7 s the first time in a worker)", None)
    from analysis.drift.evidently_report import load_evidently

    load_evidently()
    progress.report(0.4, f"running Evidently's drift report ({len(ref):,} vs {len(cur):,} rows{_reading(ref)})", None)
    result = run_drift(ref, cur, ref_types, cur_types, settings)
    save_report(db, report_name(dataset.content_hash, key), result.html)
    return result.summary.to_dict(), drift_summary(*names, result.summary)


def _run(db, dataset: Dataset, key: dict, progress: Progress, criteria: list, use_engine: bool | None = None):
    """Run in memory up to the run's sample size (max_rows), else on the stored file (analysis.engine.table): the
    columns read one at a time, the sampled rows by position; the error analysis joins them back the same way."""
    from analysis.baselines.run import RunSettings, display_name, run_baselines
    from analysis.error_analysis.analyze import analyze_run
    from analysis.evidence import run_summary

    test = other_dataset(db, dataset.project_id, key["test_hash"], "test")
    rows: list[dict] = []

    def on_progress(event) -> None:
        if event.status == "running":
            share = ((event.model_index - 1) + (event.fold - 1) / max(event.n_folds, 1)) / max(event.n_models, 1)
            progress.report(0.05 + 0.9 * min(share, 1.0), f"{event.model}: fold {event.fold} of {event.n_folds}", None)
        elif event.result is not None:
            r = event.result
            rows.append({"Model": r.name, "Status": r.status, **{display_name(k): v for k, v in r.metrics.items()},
                         "Note": r.message})
            progress.report(0.05 + 0.9 * event.model_index / max(event.n_models, 1), f"{r.name}: {r.status}", list(rows))
        elif event.status == "importance":
            progress.report(0.96, f"permutation importance of {event.model}", None)

    settings = RunSettings.from_dict(key["run"])
    frame = open_dataset(db, dataset, settings.max_rows, use_engine)
    test_frame = open_dataset(db, test, settings.max_rows, use_engine) if test else None
    progress.report(0.02, f"reading {dataset.rows:,} rows{_reading(frame)}", None)
    run = run_baselines(frame, dataset.column_types, settings, test_frame=test_frame,
                        on_progress=on_progress, should_stop=progress.should_stop)
    if run.status == "cancelled" and not any(r.has_scores for r in run.results):
        raise JobCancelled("Cancelled before any model finished; nothing was stored.")
    # Error analysis (slices, worst errors, calibration) from the predictions the run keeps: computed here, once,
    # stored with the run; the pages only read it.
    progress.report(0.97, "error analysis: slices, worst errors, calibration", None)
    run = analyze_run(run, frame, dataset.column_types, test_frame)
    return run.to_dict(), run_summary(dataset.name, run, criteria)


def compute(db: sqlite_utils.Database, kind: str, dataset: Dataset, key: dict, progress: Progress | None = None,
            criteria: list | None = None, use_engine: bool | None = None) -> tuple[dict, dict, float]:
    """Compute the result of ``kind`` on ``dataset`` for ``key``: (payload, evidence summary, seconds).

    A dataset above the in-memory size of its analysis (the profile's and the leakage scores' sample_rows, the
    run's max_rows, the drift check's max_rows_per_side) is read from its stored file without loading it whole;
    ``use_engine`` True or False forces one way (tests and benchmarks compare them)."""
    progress = progress or Progress()
    start = time.perf_counter()
    if kind == "run":
        payload, summary = _run(db, dataset, key, progress, criteria or [], use_engine)
    elif kind == "profile":
        payload, summary = _profile(db, dataset, key, progress, use_engine)
    else:
        payload, summary = {"leakage": _leakage, "drift": _drift}[kind](db, dataset, key, progress, use_engine)
    return payload, summary, time.perf_counter() - start


def store_result(db: sqlite_utils.Database, kind: str, dataset: Dataset, key: dict, payload: dict, summary: dict,
                 seconds: float, project_id: int, author: User | System) -> Result:
    """Store a computed result and record it as evidence on the project's section for its kind."""
    check_actor(author)
    result = put_result(db, kind, dataset.content_hash, key, payload, seconds)
    record_evidence(db, project_id, SECTION[kind], result, dataset.id, summary, author)
    return result


def compute_and_store(db: sqlite_utils.Database, kind: str, project_id: int, dataset: Dataset, key: dict, author: User | System,
                      progress: Progress | None = None, criteria: list | None = None) -> Result:
    """compute() then store_result(): what a worker does for a job, and what seeding does for the sample."""
    check_actor(author)                     # before the work, not after it
    payload, summary, seconds = compute(db, kind, dataset, key, progress, criteria)
    return store_result(db, kind, dataset, key, payload, summary, seconds, project_id, author)
