"""Computing and storing an analysis unit's result (analysis.units): what a worker does for a job, and what the
sample's seeding and the tests do without one, so a result is computed and stored one way only.

    plan = plan_for(db, "leakage", dataset, key)              # at the boundary: checked once (unit.error if not)
    result = compute_and_store(db, plan, project_id, author)  # compute (trusting the plan), store, record evidence

A job stores the plan (store.jobs.submit_job); a worker loads it (unit.load) and runs it: nothing is resolved or
checked again there.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import sqlite_utils

from analysis.units import Cancelled, Computed, DatasetMeta, Plan, Progress, unit
from jobs.inputs import StoreInputs
from store.datasets import Dataset, get_dataset
from store.people import System, User, check_actor
from store.reports import save_report
from store.results import Result, put_result, record_evidence

__all__ = ["Cancelled", "NotADataset", "Progress", "compute", "compute_and_store", "plan_for", "planned_on",
           "store_result"]


@dataclass(frozen=True)
class NotADataset:
    """What a result about no stored dataset of the project is stored under (a candidate model's scored predictions
    file, an MLflow run's metrics: analysis.candidate.unit.stored_under), read like a store.datasets.Dataset by
    plan_for, the pages and the jobs (``id`` None: a job about no stored dataset)."""

    project_id: int
    name: str
    content_hash: str
    rows: int = 0
    columns: int = 0
    column_types: dict = field(default_factory=dict)
    id: int | None = None
    role: str | None = None
    source: dict | None = None


def planned_on(db: sqlite_utils.Database, job) -> Dataset | NotADataset | None:
    """What a job (store.jobs.Job) was planned on, to plan it again: its dataset; a NotADataset for a job whose plan
    is about no stored dataset (its plan's ``on_dataset`` False); None when its dataset was deleted."""
    if job.dataset_id is not None:
        return get_dataset(db, job.dataset_id)
    if job.plan is None or getattr(unit(job.kind).load(job.plan, job.dataset_hash), "on_dataset", True):
        return None
    return NotADataset(job.project_id, job.label, job.dataset_hash)


def plan_for(db: sqlite_utils.Database, kind: str, dataset: Dataset, asked: dict, criteria: list | None = None):
    """The checked plan of ``kind`` on ``dataset`` for ``asked`` (the result key the pages build: analysis.evidence),
    read from the dataset's project; raises the unit's PlanError saying what to change."""
    return unit(kind).plan(DatasetMeta.of(dataset), asked, StoreInputs(db, dataset.project_id, criteria))


def compute(db: sqlite_utils.Database, plan: Plan, project_id: int, progress: Progress | None = None,
            criteria: list | None = None, use_engine: bool | None = None) -> tuple[Computed, float]:
    """Run ``plan`` on the project's datasets: (Computed, seconds). A dataset above the in-memory size of its
    analysis is read from its stored file without loading it whole; ``use_engine`` True or False forces one way."""
    start = time.perf_counter()
    inputs = StoreInputs(db, project_id, criteria, use_engine)
    computed = unit(plan.kind).compute(plan, inputs, progress or Progress())
    return computed, time.perf_counter() - start


def store_result(db: sqlite_utils.Database, plan: Plan, dataset: Dataset | None, computed: Computed, seconds: float,
                 project_id: int, author: User | System) -> Result:
    """Store a computed result (and its files) and record it as evidence on the project's section for its kind;
    ``dataset`` None for a result about no stored dataset (a candidate model's scored predictions file)."""
    check_actor(author)
    for name, text in computed.files.items():
        save_report(db, name, text)
    result = put_result(db, plan.kind, plan.dataset, plan.key(), computed.payload, seconds)
    record_evidence(db, project_id, unit(plan.kind).section, result, dataset.id if dataset is not None else None,
                    computed.summary, author)
    return result


def compute_and_store(db: sqlite_utils.Database, plan: Plan, project_id: int, dataset: Dataset | None,
                      author: User | System,
                      progress: Progress | None = None, criteria: list | None = None) -> Result:
    """compute() then store_result(): what seeding and tests do without a job."""
    check_actor(author)                     # before the work, not after it
    computed, seconds = compute(db, plan, project_id, progress, criteria)
    return store_result(db, plan, dataset, computed, seconds, project_id, author)
