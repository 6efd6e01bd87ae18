"""Drafts: one person's unsaved edits of one design-document section, kept until they save or discard them.

A draft is not a revision. It holds the section's form values exactly as typed (text that does not validate
yet included), one per (project, section, author), overwritten as the person types and deleted when they
save it as a revision or discard it. ``base_revision_id`` is the revision the edits started from, so a save
still goes through the stale-save check of store.documents.save_revision.

A draft is kept under its author: a signed-in person's email, or in local mode the name they give in the sidebar
(System(..., name) in Blueprint's own code and tests; "" while no name is given, see claim_draft).
"""
from __future__ import annotations

import json
from dataclasses import dataclass

import sqlite_utils

from store.access import EDIT, check
from store.db import now, write_txn
from store.documents import Revision, save_revision
from store.errors import StoreError
from store.people import System, User, check_actor
from store.projects import get_project

MAX_DRAFT_CHARS = 1_000_000   # a section's worth of typing, with room to spare; a pasted book is refused


class DraftTooLargeError(StoreError):
    """A draft is larger than a section can hold."""


@dataclass(frozen=True)
class Draft:
    """One person's unsaved edits of one section.

    project_id, section (key), author: whose draft of what. values: the form's values as typed,
    {field key: value}. base_revision_id: the revision the edits started from (None before the first
    revision). updated_at: UTC ISO time of the last edit.
    """

    project_id: int
    section: str
    author: str
    values: dict
    base_revision_id: int | None
    updated_at: str
    author_id: int | None = None


def _author(author: User | System) -> str:
    """The key a person's drafts are kept under: a signed-in user's email (stable when they rename themselves),
    else the name: in local mode (one account, whoever sits at it) the name the session uses, or System's name.
    TypeError for anything else (store.people.check_actor)."""
    author = check_actor(author)
    if isinstance(author, User):
        return author.email if not author.email.startswith("local:") else " ".join(author.display_name.split())
    return " ".join(author.name.split())


def _draft(row: dict) -> Draft:
    return Draft(row["project_id"], row["section"], row["author"], json.loads(row["content"]),
                 row["base_revision_id"], row["updated_at"])


def get_draft(db: sqlite_utils.Database, project_id: int, section: str, author: User | System) -> Draft | None:
    """``author``'s draft of ``section``, or None when they have no unsaved edits there."""
    return _draft_under(db, project_id, section, _author(author))


def _draft_under(db: sqlite_utils.Database, project_id: int, section: str, key: str) -> Draft | None:
    rows = list(db.query("SELECT * FROM drafts WHERE project_id = ? AND section = ? AND author = ?",
                         [project_id, section, key]))
    return _draft(rows[0]) if rows else None


def list_drafts(db: sqlite_utils.Database, project_id: int, author: User | System) -> list[Draft]:
    """All of ``author``'s drafts in the project, newest first."""
    query = "SELECT * FROM drafts WHERE project_id = ? AND author = ? ORDER BY updated_at DESC, id DESC"
    return [_draft(r) for r in db.query(query, [project_id, _author(author)])]


def save_draft(db: sqlite_utils.Database, project_id: int, section: str, author: User | System, values: dict,
               base_revision_id: int | None) -> Draft:
    """Keep ``values`` as ``author``'s draft of ``section`` (replacing their earlier draft of it)."""
    get_project(db, project_id)
    content = json.dumps(values, sort_keys=True, default=str)
    if len(content) > MAX_DRAFT_CHARS:
        raise DraftTooLargeError(
            f"This draft is {len(content):,} characters long; a draft keeps at most {MAX_DRAFT_CHARS:,}. "
            "Shorten the text (a field holds at most a few thousand characters), or link to a longer document."
        )
    with write_txn(db):
        check(db, author, project_id, EDIT)
        db.execute(
            "INSERT INTO drafts (project_id, section, author, base_revision_id, content, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (project_id, section, author) DO UPDATE SET "
            "base_revision_id = excluded.base_revision_id, content = excluded.content, "
            "updated_at = excluded.updated_at",
            [project_id, section, _author(author), base_revision_id, content, now()],
        )
    return get_draft(db, project_id, section, author)


def delete_draft(db: sqlite_utils.Database, project_id: int, section: str, author: User | System) -> bool:
    """Discard ``author``'s draft of ``section``; True when there was one."""
    with write_txn(db):
        cursor = db.execute("DELETE FROM drafts WHERE project_id = ? AND section = ? AND author = ?",
                            [project_id, section, _author(author)])
    return cursor.rowcount > 0


def claim_draft(db: sqlite_utils.Database, project_id: int, section: str, author: User | System) -> Draft | None:
    """Once a person gives their name: the draft they typed before (kept under no name) becomes theirs, unless
    they already have one of this section. Returns their draft (None when there is none)."""
    author = _author(author)
    own = _draft_under(db, project_id, section, author)
    if own is not None or not author or _draft_under(db, project_id, section, "") is None:
        return own
    with write_txn(db):
        db.execute(
            "UPDATE drafts SET author = ? WHERE project_id = ? AND section = ? AND author = '' AND NOT EXISTS "
            "(SELECT 1 FROM drafts WHERE project_id = ? AND section = ? AND author = ?)",
            [author, project_id, section, project_id, section, author],
        )
    return _draft_under(db, project_id, section, author)


def save_draft_as_revision(db: sqlite_utils.Database, project_id: int, section: str, author: User | System,
                           content: dict, parent_id: int | None) -> Revision:
    """Save the document ``content`` (with ``author``'s edits of ``section``) as a revision and clear their draft
    of it, in one transaction. A stale ``parent_id`` is refused by save_revision (StaleRevisionError) and the
    draft is kept."""
    with write_txn(db):
        revision = save_revision(db, project_id, content, author, parent_id=parent_id, section=section)
        db.execute("DELETE FROM drafts WHERE project_id = ? AND section = ? AND author = ?",
                   [project_id, section, _author(author)])
    return revision
