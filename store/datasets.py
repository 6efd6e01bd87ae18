"""Datasets of a project: a metadata row each, the data itself once per content hash as a Parquet file.

Files live in ``<BLUEPRINT_HOME>/datasets/<sha256>.parquet``; two projects (or two names) that upload the
same bytes share one file, which is removed when the last row that uses it is deleted.
"""
from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import sqlite_utils

from store.access import EDIT, authorize, check, record
from store.db import home_of, now, write_txn
from store.errors import DuplicateNameError, InvalidNameError, NotFoundError, StoreError
from store.grants import ADMINS_ONLY, Grant, require_source
from store.people import System, User
from store.projects import get_project

ROLES = ("train", "test", "reference", "current")
MAX_NAME_CHARS = 120


@dataclass(frozen=True)
class Dataset:
    """A dataset row.

    name: shown to users (unique within the project); content_hash: SHA-256 of the uploaded bytes;
    rows, columns, size_bytes: of the upload; column_types: column -> type as the reader inferred it;
    encoding, delimiter, decimal, notes: what the reader found; role: train / test / reference / current
    or None; uploaded_by, uploaded_at.
    source: where it comes from when it is not an upload, else None: {"kind": "folder", "folder", "path"} for a
    file of a data folder; {"kind": "sql", "connection", "query", "rows", "checksum", "checked_at", "identity",
    "sample_rows", "sample_method", "target"} for a SQL source. A SQL dataset's content_hash is its identity,
    ``rows`` the rows in the source, and its stored file holds only the sample the database drew.
    """

    id: int
    project_id: int
    name: str
    content_hash: str
    rows: int
    columns: int
    column_types: dict
    size_bytes: int
    encoding: str
    delimiter: str
    decimal: str
    notes: tuple
    role: str | None
    uploaded_by: str
    uploaded_at: str
    uploaded_by_id: int | None = None
    source: dict | None = None

    @property
    def is_sql(self) -> bool:
        return bool(self.source) and self.source.get("kind") == "sql"


def _dataset(row: dict) -> Dataset:
    return Dataset(**{**row, "column_types": json.loads(row["column_types"]), "notes": tuple(json.loads(row["notes"])),
                      "source": json.loads(row["source"]) if row.get("source") else None})


def data_file(db: sqlite_utils.Database, content_hash: str) -> Path:
    home = home_of(db)
    if home is None:
        raise StoreError("Dataset files need a store on disk; this one is in memory.")
    return home / "datasets" / f"{content_hash}.parquet"


def _check_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise InvalidNameError("A dataset needs a name. Type one, for example 'train 2024'.")
    if len(name) > MAX_NAME_CHARS:
        raise InvalidNameError(f"The name is {len(name)} characters long; the limit is {MAX_NAME_CHARS}.")
    return name


def get_dataset(db: sqlite_utils.Database, dataset_id: int) -> Dataset:
    rows = list(db.query("SELECT * FROM datasets WHERE id = ?", [dataset_id]))
    if not rows:
        raise NotFoundError(f"There is no dataset with id {dataset_id}. Pick one from the list.")
    return _dataset(rows[0])


def list_datasets(db: sqlite_utils.Database, project_id: int) -> list[Dataset]:
    """The project's datasets, newest first."""
    return [_dataset(r) for r in db.query("SELECT * FROM datasets WHERE project_id = ? ORDER BY id DESC", [project_id])]


def find_dataset(db: sqlite_utils.Database, project_id: int, content_hash: str) -> Dataset | None:
    rows = list(db.query("SELECT * FROM datasets WHERE project_id = ? AND content_hash = ?",
                         [project_id, content_hash]))
    return _dataset(rows[0]) if rows else None


def _free_name(db: sqlite_utils.Database, project_id: int, name: str) -> str:
    taken = {r["name"].lower() for r in db.query("SELECT name FROM datasets WHERE project_id = ?", [project_id])}
    candidate, n = name, 2
    while candidate.lower() in taken:
        candidate, n = f"{name} ({n})", n + 1
    return candidate


def _write_file(db: sqlite_utils.Database, table) -> None:
    path = data_file(db, table.content_hash)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        table.frame.to_parquet(partial, index=False)
        os.replace(partial, path)


def add_dataset(db: sqlite_utils.Database, project_id: int, name: str, table, uploaded_by: User | System, *,
                source: dict | None = None, rows: int | None = None,
                grant: Grant = ADMINS_ONLY) -> tuple[Dataset, bool]:
    """Store a table read by ``analysis.reading.read.read_csv`` under ``name``; return (dataset, created).

    The same bytes uploaded again to the project return the existing dataset and created=False; a name
    already taken gets a " (2)" suffix. The Parquet file is written before the row, so a failure leaves
    no row pointing to a missing file. ``source``: where the data comes from when it is not an upload (see
    Dataset.source); ``rows``: the rows in the source when the table holds a sample of them (a SQL source);
    ``grant``: who may use that source (SourceSettings.grant; left out, admins only): others are refused.
    """
    get_project(db, project_id)
    check(db, uploaded_by, project_id, EDIT)           # before writing the file
    if source is not None:
        require_source(db, uploaded_by, project_id, source_label(source), grant)
    existing = find_dataset(db, project_id, table.content_hash)
    if existing is not None:
        return existing, False
    _write_file(db, table)
    with write_txn(db):
        user = authorize(db, uploaded_by, project_id, EDIT)
        cursor = db.execute(
            "INSERT INTO datasets (project_id, name, content_hash, rows, columns, column_types, size_bytes, encoding, "
            "delimiter, decimal, notes, uploaded_by, uploaded_by_id, uploaded_at, source) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                project_id,
                _free_name(db, project_id, _check_name(name)),
                table.content_hash,
                len(table.frame) if rows is None else rows,
                table.frame.shape[1],
                json.dumps(table.column_types),
                table.size_bytes,
                table.encoding,
                table.delimiter,
                table.decimal,
                json.dumps(list(table.notes)),
                user.display_name,
                user.id,
                now(),
                json.dumps(source) if source else None,
            ],
        )
        action = {"folder": "added a dataset from a data folder", "sql": "added a dataset from a SQL source"}.get(
            (source or {}).get("kind"), "uploaded a dataset")
        record(db, user, project_id, action, name,
               f"datasets?project={project_id}&dataset={cursor.lastrowid}")
    return get_dataset(db, cursor.lastrowid), True


def update_source(db: sqlite_utils.Database, dataset_id: int, table, source: dict, rows: int, *,
                  by: User | System, grant: Grant = ADMINS_ONLY) -> Dataset:
    """A SQL dataset read again from its source, which changed: its identity (content hash), rows, columns and
    sample become the new ones. Evidence computed on the former identity keeps it, so it reads as stale.
    ``grant``: who may use the source (left out, admins only)."""
    dataset = get_dataset(db, dataset_id)
    check(db, by, dataset.project_id, EDIT)
    require_source(db, by, dataset.project_id, source_label(source), grant)
    if not dataset.is_sql:
        raise StoreError(f"'{dataset.name}' is not read from a SQL source; upload its file again instead.")
    clash = find_dataset(db, dataset.project_id, table.content_hash)
    if clash is not None and clash.id != dataset_id:
        raise DuplicateNameError(f"The source now returns what '{clash.name}' already holds; delete one of them.")
    _write_file(db, table)
    old = dataset.content_hash
    with write_txn(db):
        record(db, authorize(db, by, dataset.project_id, EDIT), dataset.project_id, "read a SQL source again",
               f"'{dataset.name}': {dataset.rows:,} rows then, {rows:,} now",
               f"datasets?project={dataset.project_id}&dataset={dataset_id}")
        db.execute("UPDATE datasets SET content_hash = ?, rows = ?, columns = ?, column_types = ?, notes = ?, "
                   "source = ? WHERE id = ?",
                   [table.content_hash, rows, table.frame.shape[1], json.dumps(table.column_types),
                    json.dumps(list(table.notes)), json.dumps(source), dataset_id])
        still_used = db.execute("SELECT COUNT(*) FROM datasets WHERE content_hash = ?", [old]).fetchone()[0]
    if not still_used and old != table.content_hash:
        data_file(db, old).unlink(missing_ok=True)
    return get_dataset(db, dataset_id)


def source_label(source: dict) -> str:
    """The data source a dataset's ``source`` names, in words: "the data folder /srv/data", "the SQL connection
    'warehouse'"."""
    if source.get("kind") == "folder":
        return f"the data folder {source.get('folder')}"
    return f"the SQL connection '{source.get('connection')}'"


def load_frame(db: sqlite_utils.Database, dataset: Dataset) -> pd.DataFrame:
    """The dataset's data as the reader produced it."""
    path = data_file(db, dataset.content_hash)
    if not path.exists():
        raise NotFoundError(f"The data file of '{dataset.name}' is missing ({path}). Upload the CSV again.")
    return pd.read_parquet(path)


def rename_dataset(db: sqlite_utils.Database, dataset_id: int, name: str, *, by: User | System) -> Dataset:
    dataset = get_dataset(db, dataset_id)
    name = _check_name(name)
    try:
        with write_txn(db):
            record(db, authorize(db, by, dataset.project_id, EDIT), dataset.project_id, "renamed a dataset",
                   f"'{dataset.name}' to '{name}'", f"datasets?project={dataset.project_id}&dataset={dataset_id}")
            db.execute("UPDATE datasets SET name = ? WHERE id = ?", [name, dataset_id])
    except sqlite3.IntegrityError:
        raise DuplicateNameError(f"This project already has a dataset named '{name}'. Choose another name.") from None
    return get_dataset(db, dataset.id)


def set_role(db: sqlite_utils.Database, dataset_id: int, role: str | None, *, by: User | System) -> Dataset:
    """Mark a dataset as train, test, reference or current (None clears the role)."""
    if role is not None and role not in ROLES:
        raise ValueError(f"Role {role!r} is not one of {', '.join(ROLES)}.")
    dataset = get_dataset(db, dataset_id)
    with write_txn(db):
        record(db, authorize(db, by, dataset.project_id, EDIT), dataset.project_id, "set a dataset's role",
               f"'{dataset.name}': {role or 'none'}", f"datasets?project={dataset.project_id}&dataset={dataset_id}")
        db.execute("UPDATE datasets SET role = ? WHERE id = ?", [role, dataset_id])
    return get_dataset(db, dataset_id)


def delete_dataset(db: sqlite_utils.Database, dataset_id: int, *, by: User | System) -> Dataset:
    """Delete a dataset row; its file goes too when no other row uses the same content. Evidence
    computed on it is kept (it still names the content hash)."""
    dataset = get_dataset(db, dataset_id)
    with write_txn(db):
        record(db, authorize(db, by, dataset.project_id, EDIT), dataset.project_id, "deleted a dataset", dataset.name,
               f"datasets?project={dataset.project_id}")
        db.execute("DELETE FROM datasets WHERE id = ?", [dataset_id])
        still_used = db.execute("SELECT COUNT(*) FROM datasets WHERE content_hash = ?",
                                [dataset.content_hash]).fetchone()[0]
    if not still_used:
        data_file(db, dataset.content_hash).unlink(missing_ok=True)
    return dataset
