"""Resolutions: a person explains why a finding (e.g. a high-severity leakage finding) is not a problem,
or what was done about it. Stored with who and why; a finding stays open until resolved."""
from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

from store.access import EDIT, authorize, record
from store.db import now, write_txn
from store.errors import InvalidNameError
from store.people import System, User, check_actor

MAX_REASON_CHARS = 2_000


@dataclass(frozen=True)
class Resolution:
    """Who closed which finding (``finding_key``) on which data (``dataset_hash``), why, and when."""

    id: int
    project_id: int
    finding_key: str
    dataset_hash: str
    resolved_by: str
    reason: str
    created_at: str
    resolved_by_id: int | None = None


def resolve_finding(db: sqlite_utils.Database, project_id: int, finding_key: str, dataset_hash: str,
                    resolved_by: User | System, reason: str) -> Resolution:
    """Record (or replace) the resolution of a finding; a name and a reason are required."""
    check_actor(resolved_by)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidNameError("Say why this finding is resolved (what was done, or why it is not a leak).")
    if len(reason) > MAX_REASON_CHARS:
        raise InvalidNameError(f"The reason is {len(reason):,} characters long; the limit is {MAX_REASON_CHARS:,}.")
    with write_txn(db):
        user = authorize(db, resolved_by, project_id, EDIT)
        db.execute(
            "INSERT INTO resolutions (project_id, finding_key, dataset_hash, resolved_by, resolved_by_id, reason, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (project_id, finding_key, dataset_hash) "
            "DO UPDATE SET "
            "resolved_by = excluded.resolved_by, resolved_by_id = excluded.resolved_by_id, reason = excluded.reason, "
            "created_at = excluded.created_at",
            [project_id, finding_key, dataset_hash, user.display_name, user.id, reason, now()],
        )
        record(db, user, project_id, "resolved a finding", f"{finding_key}: {reason}", f"leakage?project={project_id}")
    return next(r for r in list_resolutions(db, project_id)
                if r.finding_key == finding_key and r.dataset_hash == dataset_hash)


def reopen_finding(db: sqlite_utils.Database, project_id: int, finding_key: str, dataset_hash: str, *,
                   by: User | System) -> None:
    with write_txn(db):
        record(db, authorize(db, by, project_id, EDIT), project_id, "reopened a finding", finding_key,
               f"leakage?project={project_id}")
        db.execute("DELETE FROM resolutions WHERE project_id = ? AND finding_key = ? AND dataset_hash = ?",
                   [project_id, finding_key, dataset_hash])


def list_resolutions(db: sqlite_utils.Database, project_id: int) -> list[Resolution]:
    return [Resolution(**r)
            for r in db.query("SELECT * FROM resolutions WHERE project_id = ? ORDER BY id", [project_id])]
