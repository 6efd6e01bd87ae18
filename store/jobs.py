"""Jobs: long work (a profile, a leakage scan, a baseline run, a drift check) queued in the store and run by
worker processes (see jobs/), so it outlives the page that asked for it and every session can watch it.

A job is keyed like the result it will store: (kind, dataset hash, settings). At most one job per key is
queued or running (a partial unique index), so asking for work that is already under way joins that job.

States: queued -> running -> done | failed | cancelled | interrupted. "interrupted" means the process that
ran it stopped (a server restart, a killed worker): nothing half-written is stored as a result, and the
job can be run again.
"""
from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from datetime import datetime, timezone

import sqlite_utils

from analysis.units import Plan, unit
from store.access import EDIT, authorize, record
from store.db import now, write_txn
from store.errors import NotFoundError, StoreError
from store.people import System, User, check_actor
from store.results import settings_hash, settings_json

ACTIVE = ("queued", "running")
FINISHED = ("done", "failed", "cancelled", "interrupted")
STALE_HEARTBEAT_S = 30.0      # a running job whose worker has not written for this long is taken as dead


@dataclass(frozen=True)
class Job:
    """A job row. settings: the result key it computes; plan: the checked plan it runs (the unit's
    Plan.to_dict(); None for a job queued before plans existed); label: what it is, in words; progress: 0-1 with
    ``message``; partial: JSON-ready rows finished so far (e.g. baseline models); result_id once done;
    error: why it failed or was interrupted, in words."""

    id: int
    kind: str
    project_id: int
    dataset_id: int | None
    dataset_hash: str
    settings: dict
    settings_hash: str
    label: str
    state: str
    progress: float
    message: str
    partial: list
    result_id: int | None
    error: str | None
    cancel_requested: bool
    worker_pid: int | None
    heartbeat_at: float | None
    created_by: str
    created_at: str
    started_at: str | None
    finished_at: str | None
    created_by_id: int | None = None
    plan: dict | None = None

    @property
    def active(self) -> bool:
        return self.state in ACTIVE

    def seconds(self) -> float | None:
        """How long it ran (so far, when running)."""
        if self.started_at is None:
            return None
        end = datetime.fromisoformat(self.finished_at) if self.finished_at else datetime.now(timezone.utc)
        return max((end - datetime.fromisoformat(self.started_at)).total_seconds(), 0.0)


def _job(row: dict) -> Job:
    return Job(**{**row, "settings": json.loads(row["settings"]), "partial": json.loads(row["partial"]),
                  "cancel_requested": bool(row["cancel_requested"]),
                  "plan": json.loads(row["plan"]) if row.get("plan") else None})


def get_job(db: sqlite_utils.Database, job_id: int) -> Job:
    rows = list(db.query("SELECT * FROM jobs WHERE id = ?", [job_id]))
    if not rows:
        raise NotFoundError(f"There is no job {job_id}.")
    return _job(rows[0])


def latest_job(db: sqlite_utils.Database, kind: str, dataset_hash: str, settings: dict) -> Job | None:
    """The newest job for this result key (active or not), or None."""
    rows = list(db.query(
        "SELECT * FROM jobs WHERE kind = ? AND dataset_hash = ? AND settings_hash = ? ORDER BY id DESC LIMIT 1",
        [kind, dataset_hash, settings_hash(settings)]))
    return _job(rows[0]) if rows else None


def submit_job(db: sqlite_utils.Database, plan: Plan, project_id: int, dataset_id: int | None, label: str,
               created_by: User | System) -> tuple[Job, bool]:
    """Queue a job that runs ``plan`` (a unit's checked Plan: analysis.units), keyed like the result it will store
    (kind, dataset hash, plan.key()), or join the one already queued or running for that key.
    Returns (job, joined): joined is True when the job was already under way."""
    unit(plan.kind)                       # a kind the registry knows, or KeyError naming them
    settings = plan.key()
    key = settings_hash(settings)
    with write_txn(db):
        user = authorize(db, created_by, project_id, EDIT)
        rows = list(db.query(
            "SELECT * FROM jobs WHERE kind = ? AND dataset_hash = ? AND settings_hash = ? "
            "AND state IN ('queued', 'running')",
            [plan.kind, plan.dataset, key]))
        if rows:
            return _job(rows[0]), True
        cursor = db.execute(
            "INSERT INTO jobs (kind, project_id, dataset_id, dataset_hash, settings, settings_hash, plan, label, "
            "state, message, created_by, created_by_id, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'queued', 'waiting for a worker', ?, ?, ?)",
            [plan.kind, project_id, dataset_id, plan.dataset, settings_json(settings), key,
             json.dumps(plan.to_dict(), sort_keys=True, default=str), label, user.display_name, user.id, now()])
        record(db, user, project_id, f"started {plan.kind.replace('_', ' ')}", label, f"jobs?project={project_id}")
        return get_job(db, cursor.lastrowid), False


def claim_next_job(db: sqlite_utils.Database, worker_pid: int) -> Job | None:
    """Take the oldest queued job for this worker (state running), or None when the queue is empty."""
    with write_txn(db):
        row = db.execute("SELECT id FROM jobs WHERE state = 'queued' ORDER BY id LIMIT 1").fetchone()
        if row is None:
            return None
        db.execute("UPDATE jobs SET state = 'running', worker_pid = ?, heartbeat_at = ?, started_at = ?, "
                   "message = 'starting' WHERE id = ?", [worker_pid, time.time(), now(), row[0]])
        return get_job(db, row[0])


def report_progress(db: sqlite_utils.Database, job_id: int, progress: float | None = None, message: str | None = None,
                    partial: list | None = None) -> bool:
    """Record a running job's progress (and refresh its heartbeat); returns whether a cancel was asked for."""
    sets, params = ["heartbeat_at = ?"], [time.time()]
    if progress is not None:
        sets.append("progress = ?")
        params.append(min(max(float(progress), 0.0), 1.0))
    if message is not None:
        sets.append("message = ?")
        params.append(message)
    if partial is not None:
        sets.append("partial = ?")
        params.append(json.dumps(partial, default=str))
    with write_txn(db):
        db.execute(f"UPDATE jobs SET {', '.join(sets)} WHERE id = ? AND state = 'running'", [*params, job_id])
        row = db.execute("SELECT cancel_requested FROM jobs WHERE id = ?", [job_id]).fetchone()
    return bool(row and row[0])


def cancel_requested(db: sqlite_utils.Database, job_id: int) -> bool:
    row = db.execute("SELECT cancel_requested FROM jobs WHERE id = ?", [job_id]).fetchone()
    return bool(row and row[0])


def finish_job(db: sqlite_utils.Database, job_id: int, state: str, *, result_id: int | None = None,
               error: str | None = None, message: str | None = None) -> Job:
    """End a running job as done, failed, cancelled or interrupted (a job already ended is left as it is)."""
    if state not in FINISHED:
        raise StoreError(f"A job ends as one of {', '.join(FINISHED)}, not {state!r}.")
    with write_txn(db):
        db.execute(
            "UPDATE jobs SET state = ?, result_id = COALESCE(?, result_id), error = ?, finished_at = ?, "
            "progress = CASE WHEN ? = 'done' THEN 1 ELSE progress END, message = COALESCE(?, message) "
            "WHERE id = ? AND state IN ('queued', 'running')",
            [state, result_id, error, now(), state, message, job_id])
    return get_job(db, job_id)


def request_cancel(db: sqlite_utils.Database, job_id: int, *, by: User | System) -> str:
    """Ask a job to stop. A queued job is cancelled at once; a running one stops within a few seconds
    (keeping what finished); a finished one is left alone. Returns what happened, in words."""
    check_actor(by)
    with write_txn(db):
        job = get_job(db, job_id)
        if job.state in ("queued", "running"):
            record(db, authorize(db, by, job.project_id, EDIT), job.project_id,
                   f"cancelled {job.kind.replace('_', ' ')}", job.label, f"jobs?project={job.project_id}")
        if job.state == "queued":
            db.execute("UPDATE jobs SET state = 'cancelled', cancel_requested = 1, finished_at = ?, "
                       "message = 'cancelled before it started' WHERE id = ?", [now(), job_id])
            return "Cancelled before it started."
        if job.state == "running":
            db.execute("UPDATE jobs SET cancel_requested = 1, message = 'cancelling…' WHERE id = ?", [job_id])
            return "Cancelling: the job stops within a few seconds and keeps what has finished."
    return f"This job has already ended ({job.state}); there is nothing to cancel."


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def interrupt_dead_jobs(db: sqlite_utils.Database, reason: str, *, pids: set[int] | None = None) -> int:
    """Mark running jobs whose worker is gone as interrupted, with ``reason``: those of ``pids`` when given,
    else every running job whose worker process is not alive or has not written for STALE_HEARTBEAT_S.
    Returns how many were marked."""
    marked = 0
    with write_txn(db):
        for row in db.query("SELECT id, worker_pid, heartbeat_at FROM jobs WHERE state = 'running'"):
            if pids is not None:
                dead = row["worker_pid"] in pids
            else:
                stale = row["heartbeat_at"] is None or time.time() - row["heartbeat_at"] > STALE_HEARTBEAT_S
                dead = stale or not _alive(row["worker_pid"])
            if dead:
                db.execute("UPDATE jobs SET state = 'interrupted', error = ?, finished_at = ?, message = 'interrupted' "
                           "WHERE id = ?", [reason, now(), row["id"]])
                marked += 1
    return marked


def list_jobs(db: sqlite_utils.Database, project_id: int, limit: int = 50) -> list[Job]:
    """The project's jobs, running and queued first, then the most recent."""
    return [_job(r) for r in db.query(
        "SELECT * FROM jobs WHERE project_id = ? ORDER BY state IN ('queued', 'running') DESC, id DESC LIMIT ?",
        [project_id, limit])]


def queued_count(db: sqlite_utils.Database) -> int:
    return db.execute("SELECT COUNT(*) FROM jobs WHERE state = 'queued'").fetchone()[0]

