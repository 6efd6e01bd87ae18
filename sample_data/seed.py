"""Seed a new store with the sample project, once: a newcomer sees a complete example at first start."""
from __future__ import annotations

import json
from pathlib import Path

import sqlite_utils

from design.document import check_section
from store.db import write_txn
from store.documents import save_revision
from store.projects import create_project

HERE = Path(__file__).parent
SEEDED_KEY = "sample_seeded"


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
    return project.id
