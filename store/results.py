"""Computed results, cached by (kind, dataset hash, settings), and evidence linking them to a project's
design-document sections with what they were computed on."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from importlib import metadata

import sqlite_utils

from store.db import now, write_txn
from store.documents import latest_revision
from store.errors import NotFoundError
from store.access import EDIT, authorize, record
from store.people import System, User, check_actor

VERSIONED = ("pandas", "numpy", "scikit-learn", "scipy", "evidently", "pyarrow")


def library_versions() -> dict[str, str]:
    """Versions of the libraries results depend on."""
    found = {}
    for name in VERSIONED:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return found


def settings_json(settings: dict) -> str:
    return json.dumps(settings, sort_keys=True, default=str)


@dataclass(frozen=True)
class Result:
    """A computed result: ``kind`` (e.g. "profile"), ``dataset_hash`` and ``settings`` it was computed
    with, ``payload`` (JSON data), ``computed_at``, ``seconds`` it took, library ``versions``."""

    id: int
    kind: str
    dataset_hash: str
    settings: dict
    payload: dict
    computed_at: str
    seconds: float
    versions: dict


def _result(row: dict) -> Result:
    return Result(
        id=row["id"], kind=row["kind"], dataset_hash=row["dataset_hash"], settings=json.loads(row["settings"]),
        payload=json.loads(row["payload"]), computed_at=row["computed_at"], seconds=row["seconds"],
        versions=json.loads(row["versions"]),
    )


def settings_hash(settings: dict) -> str:
    return hashlib.sha256(settings_json(settings).encode()).hexdigest()


def get_result(db: sqlite_utils.Database, kind: str, dataset_hash: str, settings: dict) -> Result | None:
    """The cached result for these inputs, or None."""
    rows = list(
        db.query(
            "SELECT * FROM results WHERE kind = ? AND dataset_hash = ? AND settings_hash = ?",
            [kind, dataset_hash, settings_hash(settings)],
        )
    )
    return _result(rows[0]) if rows else None


def get_result_meta(db: sqlite_utils.Database, kind: str, dataset_hash: str, settings: dict) -> Result | None:
    """The cached result for these inputs without its payload (an empty dict), or None: cheap on every rerun."""
    rows = list(
        db.query(
            "SELECT id, kind, dataset_hash, settings, '{}' AS payload, computed_at, seconds, versions FROM results "
            "WHERE kind = ? AND dataset_hash = ? AND settings_hash = ?",
            [kind, dataset_hash, settings_hash(settings)],
        )
    )
    return _result(rows[0]) if rows else None


def put_result(
    db: sqlite_utils.Database, kind: str, dataset_hash: str, settings: dict, payload: dict, seconds: float
) -> Result:
    """Store (or replace) the result for these inputs."""
    text, key = settings_json(settings), settings_hash(settings)
    with write_txn(db):
        db.execute(
            "INSERT INTO results (kind, dataset_hash, settings, settings_hash, payload, computed_at, seconds, versions) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (kind, dataset_hash, settings_hash) DO UPDATE SET "
            "payload = excluded.payload, computed_at = excluded.computed_at, seconds = excluded.seconds, "
            "versions = excluded.versions",
            [kind, dataset_hash, text, key, json.dumps(payload, default=str), now(), seconds, json.dumps(library_versions())],
        )
    return get_result(db, kind, dataset_hash, settings)


@dataclass(frozen=True)
class Evidence:
    """A result shown as evidence for a section of a project's document.

    section: the document section it supports (e.g. "data"); kind: the result's kind; result_id;
    dataset_id (None once the dataset is deleted) and dataset_hash; revision_id: the document revision
    current when it was recorded; summary: headline figures (JSON); created_by, created_at.
    """

    id: int
    project_id: int
    section: str
    kind: str
    result_id: int
    dataset_id: int | None
    dataset_hash: str
    revision_id: int | None
    summary: dict
    created_by: str
    created_at: str
    created_by_id: int | None = None


def _evidence(row: dict) -> Evidence:
    return Evidence(**{**row, "summary": json.loads(row["summary"])})


def record_evidence(
    db: sqlite_utils.Database,
    project_id: int,
    section: str,
    result: Result,
    dataset_id: int | None,
    summary: dict,
    created_by: User | System,
) -> Evidence:
    """Link ``result`` (its payload is not read) to ``section`` of the project; recording the same result
    twice keeps one row. Pages call this on every rerun, so the usual case (already recorded) is a plain
    read that takes no write lock."""
    check_actor(created_by)
    query = "SELECT * FROM evidence WHERE project_id = ? AND section = ? AND result_id = ? AND dataset_id IS ?"
    params = [project_id, section, result.id, dataset_id]
    existing = list(db.query(query, params))
    if existing:
        return _evidence(existing[0])
    with write_txn(db):
        rows = list(db.query(query, params))  # again inside the lock: another session may have just added it
        if rows:
            return _evidence(rows[0])
        user = authorize(db, created_by, project_id, EDIT)
        latest = latest_revision(db, project_id)
        cursor = db.execute(
            "INSERT INTO evidence (project_id, section, kind, result_id, dataset_id, dataset_hash, revision_id, "
            "summary, created_by, created_by_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [project_id, section, result.kind, result.id, dataset_id, result.dataset_hash,
             latest.id if latest else None, json.dumps(summary, default=str), user.display_name, user.id, now()],
        )
        record(db, user, project_id, f"recorded {result.kind.replace('_', ' ')} evidence",
               str(summary.get("dataset", "")), f"review?project={project_id}")
        return _evidence(next(db.query("SELECT * FROM evidence WHERE id = ?", [cursor.lastrowid])))


def list_evidence(db: sqlite_utils.Database, project_id: int, section: str | None = None, kind: str | None = None) -> list[Evidence]:
    """The project's evidence, newest first, optionally for one section and kind."""
    where, params = ["project_id = ?"], [project_id]
    if section is not None:
        where.append("section = ?")
        params.append(section)
    if kind is not None:
        where.append("kind = ?")
        params.append(kind)
    query = f"SELECT * FROM evidence WHERE {' AND '.join(where)} ORDER BY id DESC"
    return [_evidence(r) for r in db.query(query, params)]


def result_by_id(db: sqlite_utils.Database, result_id: int) -> Result:
    rows = list(db.query("SELECT * FROM results WHERE id = ?", [result_id]))
    if not rows:
        raise NotFoundError(f"There is no stored result with id {result_id}.")
    return _result(rows[0])
