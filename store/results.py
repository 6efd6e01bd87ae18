"""Computed results, cached by (kind, dataset hash, settings), and evidence linking them to a project's
design-document sections with what they were computed on.

A result is stored in parts (analysis.stored): a small summary (what lists, tables, criteria and blockers read),
its body (the JSON the view that draws it reads) and its per-row arrays (a run's predictions) in a Parquet file
under BLUEPRINT_HOME/results/ (store.result_files). Pages read the part they show (result_summary, result_body,
result_arrays); get_result and result_by_id give the whole payload as it was computed. A result stored before the
parts (schema 9 and older: a run's predictions inside its JSON) is split the first time one of its parts is read."""
from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import secrets
import sqlite3
from dataclasses import dataclass
from importlib import metadata

import pandas as pd
import sqlite_utils

from analysis.stored import Parts, has_layout, join, split
from store.access import EDIT, authorize, record
from store.db import home_of, now, write_txn
from store.documents import latest_revision
from store.errors import NotFoundError, StoreError
from store.people import System, User, check_actor
from store.result_files import arrays_path, read_arrays, remove_arrays, write_arrays

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
    with, ``payload`` (JSON data; {} when only its metadata was read), ``computed_at``, ``seconds`` it took, library
    ``versions``; ``stamp``: new on every write of the row (a re-run of the same settings keeps the id), so id and
    stamp name one stored version (caches key by them; "" for a result not split into parts yet)."""

    id: int
    kind: str
    dataset_hash: str
    settings: dict
    payload: dict
    computed_at: str
    seconds: float
    versions: dict
    stamp: str = ""


META = "id, kind, dataset_hash, settings, computed_at, seconds, versions, stamp"    # a row without its parts


def _result(row: dict, payload: dict | None = None) -> Result:
    return Result(
        id=row["id"], kind=row["kind"], dataset_hash=row["dataset_hash"], settings=json.loads(row["settings"]),
        payload={} if payload is None else payload, computed_at=row["computed_at"], seconds=row["seconds"],
        versions=json.loads(row["versions"]), stamp=row.get("stamp") or "",
    )


def settings_hash(settings: dict) -> str:
    return hashlib.sha256(settings_json(settings).encode()).hexdigest()


def get_result(db: sqlite_utils.Database, kind: str, dataset_hash: str, settings: dict) -> Result | None:
    """The cached result for these inputs with its whole payload (arrays included), or None."""
    meta = get_result_meta(db, kind, dataset_hash, settings)
    return None if meta is None else dataclasses.replace(meta, payload=whole_payload(db, meta.id))


def get_result_meta(db: sqlite_utils.Database, kind: str, dataset_hash: str, settings: dict) -> Result | None:
    """The cached result for these inputs without its payload (an empty dict), or None: cheap on every rerun."""
    rows = list(
        db.query(
            f"SELECT {META} FROM results WHERE kind = ? AND dataset_hash = ? AND settings_hash = ?",
            [kind, dataset_hash, settings_hash(settings)],
        )
    )
    return _result(rows[0]) if rows else None


def put_result(
    db: sqlite_utils.Database, kind: str, dataset_hash: str, settings: dict, payload: dict, seconds: float
) -> Result:
    """Store (or replace) the result for these inputs, in parts: its summary, its body and its per-row arrays (a
    Parquet file written inside the transaction, so a committed row always has its file; the file of the result it
    replaces is removed once the new one is committed). Returns it with ``payload``."""
    parts = _parts_for(db, kind, payload)
    text, key, stamp = settings_json(settings), settings_hash(settings), secrets.token_hex(6)
    written = replaced = None
    try:
        with write_txn(db):
            before = db.execute("SELECT arrays FROM results WHERE kind = ? AND dataset_hash = ? AND settings_hash = ?",
                                [kind, dataset_hash, key]).fetchone()
            replaced = before[0] if before else None
            db.execute(
                "INSERT INTO results (kind, dataset_hash, settings, settings_hash, payload, summary, stamp, "
                "computed_at, seconds, versions) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (kind, dataset_hash, settings_hash) "
                "DO UPDATE SET payload = excluded.payload, summary = excluded.summary, arrays = NULL, "
                "stamp = excluded.stamp, computed_at = excluded.computed_at, seconds = excluded.seconds, "
                "versions = excluded.versions",
                [kind, dataset_hash, text, key, _json(parts.body), _json(parts.summary), stamp, now(), seconds,
                 json.dumps(library_versions())],
            )
            if parts.arrays is not None:
                result_id = db.execute("SELECT id FROM results "
                                       "WHERE kind = ? AND dataset_hash = ? AND settings_hash = ?",
                                       [kind, dataset_hash, key]).fetchone()[0]
                written = write_arrays(db, result_id, stamp, parts.arrays)
                db.execute("UPDATE results SET arrays = ? WHERE id = ?", [written, result_id])
    except BaseException:
        remove_arrays(db, written)
        raise
    if replaced != written and not db.conn.in_transaction:     # inside a caller's transaction: it may roll back
        remove_arrays(db, replaced)
    return dataclasses.replace(get_result_meta(db, kind, dataset_hash, settings), payload=payload)


def _json(value: dict | None) -> str | None:
    return None if value is None else json.dumps(value, default=str)


def _parts_for(db: sqlite_utils.Database, kind: str, payload: dict) -> Parts:
    """The parts ``payload`` is stored in (analysis.stored); an in-memory store keeps the arrays in the body."""
    parts = split(kind, payload)
    if parts.arrays is not None and home_of(db) is None:
        return Parts(parts.summary, payload)
    return parts


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


def list_evidence(db: sqlite_utils.Database, project_id: int, section: str | None = None,
                  kind: str | None = None) -> list[Evidence]:
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
    """The stored result ``result_id`` with its whole payload (arrays included): for code that needs every part;
    a page reads the part it shows (result_summary, result_body, result_arrays)."""
    return dataclasses.replace(result_meta(db, result_id), payload=whole_payload(db, result_id))


def result_meta(db: sqlite_utils.Database, result_id: int) -> Result:
    """The stored result ``result_id`` without its parts (``payload`` {})."""
    rows = list(db.query(f"SELECT {META} FROM results WHERE id = ?", [result_id]))
    if not rows:
        raise NotFoundError(f"There is no stored result with id {result_id}. Run the analysis again.")
    return _result(rows[0])


def result_summary(db: sqlite_utils.Database, result_id: int) -> dict:
    """What lists, tables, criteria and blockers read of a result (analysis.stored; for a kind stored whole, its
    body). Never its arrays."""
    return _load_part(db, result_id, "summary")


def result_body(db: sqlite_utils.Database, result_id: int) -> dict:
    """A result's body: its payload without the per-row arrays (an in-memory store keeps them in it)."""
    return _load_part(db, result_id, "body")


def result_arrays(db: sqlite_utils.Database, result_id: int) -> pd.DataFrame | None:
    """A result's per-row arrays (a run's kept predictions), read from its Parquet file; None when it has none."""
    row = db.execute("SELECT kind, arrays, summary IS NULL FROM results WHERE id = ?", [result_id]).fetchone()
    if row is None:
        raise NotFoundError(f"There is no stored result with id {result_id}. Run the analysis again.")
    kind, name, unsplit = row
    if unsplit and has_layout(kind):
        return _bring_forward(db, result_id).arrays
    return None if name is None else read_arrays(arrays_path(db, name))


def whole_payload(db: sqlite_utils.Database, result_id: int) -> dict:
    """A result's payload as it was computed: its body with its arrays put back."""
    return join(result_meta(db, result_id).kind, result_body(db, result_id), result_arrays(db, result_id))


def _load_part(db: sqlite_utils.Database, result_id: int, part: str) -> dict:
    """One part of a result decoded from its JSON, "summary" or "body" (every read of a part comes here: tests
    count them); a result not split yet is split first."""
    column = {"summary": "summary", "body": "payload"}[part]
    row = db.execute(f"SELECT kind, {column}, summary IS NULL FROM results WHERE id = ?", [result_id]).fetchone()
    if row is None:
        raise NotFoundError(f"There is no stored result with id {result_id}. Run the analysis again.")
    kind, text, unsplit = row
    if unsplit and has_layout(kind):
        parts = _bring_forward(db, result_id)
        return parts.summary if part == "summary" else parts.body
    if text is None:                 # the summary of a kind stored whole: its body
        return _load_part(db, result_id, "body")
    return json.loads(text)


def _bring_forward(db: sqlite_utils.Database, result_id: int) -> Parts:
    """Split a result stored before its parts (a run's predictions inside its JSON) as put_result splits a new one,
    and write it back split: an older data folder is brought forward result by result, the first time each is read
    (a store that cannot be written is split again at each read, and still reads)."""
    kind, text = db.execute("SELECT kind, payload FROM results WHERE id = ?", [result_id]).fetchone()
    payload = json.loads(text)
    parts = _parts_for(db, kind, payload)
    written, stamp = None, secrets.token_hex(6)
    try:
        written = write_arrays(db, result_id, stamp, parts.arrays) if parts.arrays is not None else None
        with write_txn(db):
            changed = db.execute("UPDATE results SET payload = ?, summary = ?, arrays = ?, stamp = ? "
                                 "WHERE id = ? AND summary IS NULL",
                                 [_json(parts.body), _json(parts.summary), written, stamp, result_id]).rowcount
        if not changed:              # another session brought it forward first
            remove_arrays(db, written)
    except (OSError, sqlite3.Error, StoreError):
        with contextlib.suppress(OSError):
            remove_arrays(db, written)
    return parts
