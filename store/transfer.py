"""Moving a project between Blueprint installs: export as JSON, import into another store.

The file holds the project, every document revision, comments, decisions, evidence summaries and resolved
findings (not the datasets themselves). Import always creates a new project; nothing existing is changed.
"""
from __future__ import annotations

import json
from dataclasses import asdict

import sqlite_utils

from store.access import list_activity, list_members
from store.db import now, write_txn
from store.documents import get_revision, list_revisions
from store.errors import StoreError
from store.grants import ADMINS_ONLY, Grant, require_creator
from store.people import System, User, check_actor
from store.projects import create_project, get_project, list_projects
from store.resolutions import list_resolutions
from store.results import list_evidence
from store.reviews import list_comments, list_decisions

FORMAT = "blueprint-project"
VERSION = 1


class ImportFileError(StoreError):
    """A project file is malformed or was written by a newer Blueprint."""


def export_project(db: sqlite_utils.Database, project_id: int) -> dict:
    """The project as a JSON-ready dict."""
    project = get_project(db, project_id)
    revisions = [asdict(get_revision(db, r.id)) for r in reversed(list_revisions(db, project_id))]
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": now(),
        "project": {"name": project.name, "description": project.description},
        "revisions": revisions,
        "comments": [asdict(c) for c in list_comments(db, project_id)],
        "decisions": [asdict(d) for d in list_decisions(db, project_id)][::-1],
        "evidence": [
            {"section": e.section, "kind": e.kind, "dataset_hash": e.dataset_hash, "summary": e.summary,
             "created_by": e.created_by, "created_at": e.created_at}
            for e in list_evidence(db, project_id)
        ],
        # the leakage findings people resolved, with why: a pipeline's `blueprint check` does not count them again
        "resolutions": [{"finding_key": r.finding_key, "dataset_hash": r.dataset_hash, "resolved_by": r.resolved_by,
                         "reason": r.reason, "created_at": r.created_at} for r in list_resolutions(db, project_id)],
        "members": [{"email": m.email, "name": m.display_name, "role": m.role, "pending": m.pending}
                    for m in list_members(db, project_id)],
        "activity": [{"at": a.at, "who": a.who, "action": a.action, "detail": a.detail, "link": a.link}
                     for a in reversed(list_activity(db, project_id, limit=100_000))],
    }


def _fail(problem: str) -> ImportFileError:
    return ImportFileError(f"This is not a Blueprint project file: {problem}. "
                           "Export the project again with 'Export project (JSON)'.")


def parse_project_file(data: bytes) -> dict:
    """Check a project file's bytes; return the parsed dict or raise ImportFileError saying what is wrong."""
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise _fail(f"it is not valid JSON ({error})") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise _fail("the 'format' field is missing or wrong")
    version = doc.get("version")
    if not isinstance(version, int):
        raise _fail("the 'version' field is missing")
    if version > VERSION:
        raise ImportFileError(
            f"This project file has format version {version}; this Blueprint reads versions up to {VERSION}. "
            "Upgrade Blueprint to import it."
        )
    for key, kind in (("project", dict), ("revisions", list), ("comments", list), ("decisions", list),
                      ("evidence", list)):
        if not isinstance(doc.get(key), kind):
            raise _fail(f"the '{key}' part is missing or malformed")
    if not isinstance(doc["project"].get("name"), str):
        raise _fail("the project has no name")
    for r in doc["revisions"]:
        if not isinstance(r, dict) or not isinstance(r.get("content"), dict) or not isinstance(r.get("number"), int):
            raise _fail("a revision has no number or content")
    return doc


def import_project(db: sqlite_utils.Database, data: bytes, imported_by: User | System, *,
                   creators: Grant = ADMINS_ONLY) -> int:
    """Create a new project from a project file; return its id. Its name gets " (imported)" (and a
    number) when taken. Revision, comment and decision ids are renumbered; links between them are kept.
    ``imported_by``: the person importing (its creator and owner), or System for an import by Blueprint itself;
    ``creators``: who may create projects (store.projects.create_project)."""
    check_actor(imported_by)
    require_creator(db, imported_by, creators)          # before reading the file: a refusal says who may
    doc = parse_project_file(data)
    taken = {p.name.lower() for p in list_projects(db, include_archived=True)}
    name = doc["project"]["name"]
    candidate, n = name, 1
    while candidate.lower() in taken:
        candidate = f"{name} (imported)" if n == 1 else f"{name} (imported {n})"
        n += 1
    try:
        with write_txn(db):
            project = create_project(db, candidate, doc["project"].get("description", ""), created_by=imported_by,
                                     creators=creators)
            revision_ids, comment_ids = {}, {}
            for r in sorted(doc["revisions"], key=lambda r: r["number"]):
                cursor = db.execute(
                    "INSERT INTO revisions (project_id, number, parent_id, author, created_at, section, content) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [project.id, r["number"], revision_ids.get(r.get("parent_id")), r.get("author", "?"),
                     r.get("created_at", now()), r.get("section"), json.dumps(r["content"], sort_keys=True)],
                )
                revision_ids[r.get("id")] = cursor.lastrowid
            for c in sorted(doc["comments"], key=lambda c: c["id"]):
                cursor = db.execute(
                    "INSERT INTO comments (project_id, section, parent_id, revision_id, author, body, created_at, "
                    "resolved_by, resolved_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [project.id, c["section"], comment_ids.get(c.get("parent_id")),
                     revision_ids.get(c.get("revision_id")),
                     c["author"], c["body"], c["created_at"], c.get("resolved_by"), c.get("resolved_at")],
                )
                comment_ids[c["id"]] = cursor.lastrowid
            for d in doc["decisions"]:
                db.execute(
                    "INSERT INTO decisions (project_id, status, revision_id, author, note, evidence_ids, created_at) "
                    "VALUES (?, ?, ?, ?, ?, '[]', ?)",
                    [project.id, d["status"], revision_ids.get(d.get("revision_id")), d["author"], d.get("note", ""),
                     d["created_at"]],
                )
            for i, e in enumerate(doc["evidence"]):
                cursor = db.execute(
                    "INSERT INTO results "
                    "(kind, dataset_hash, settings, settings_hash, payload, computed_at, seconds, versions) "
                    "VALUES (?, ?, ?, ?, '{}', ?, 0, '{}')",
                    [e["kind"], e["dataset_hash"], json.dumps({"imported_into": project.id, "n": i}),
                     f"imported-{project.id}-{i}", e["created_at"]],
                )
                db.execute(
                    "INSERT INTO evidence (project_id, section, kind, result_id, dataset_id, dataset_hash, "
                    "revision_id, summary, created_by, created_at) VALUES (?, ?, ?, ?, NULL, ?, NULL, ?, ?, ?)",
                    [project.id, e["section"], e["kind"], cursor.lastrowid, e["dataset_hash"], json.dumps(e["summary"]),
                     e.get("created_by", ""), e["created_at"]],
                )
            for r in doc.get("resolutions") or []:      # files written before resolutions were exported have none
                db.execute(
                    "INSERT OR REPLACE INTO resolutions (project_id, finding_key, dataset_hash, resolved_by, reason, "
                    "created_at) VALUES (?, ?, ?, ?, ?, ?)",
                    [project.id, r["finding_key"], r["dataset_hash"], r.get("resolved_by", "?"), r.get("reason", ""),
                     r.get("created_at", now())],
                )
    except (KeyError, TypeError) as error:
        raise _fail(f"a record lacks the field {error}") from None
    return project.id
