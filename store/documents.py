"""Design-document revisions: append-only. Each save is a new revision whose parent must be the latest."""
from __future__ import annotations

import json
from dataclasses import dataclass, field

import sqlite_utils

from store.access import EDIT, authorize, record
from store.db import now, write_txn
from store.errors import NotFoundError, StaleRevisionError
from store.people import System, User, check_actor
from store.projects import get_project

_INFO_COLUMNS = "id, project_id, number, parent_id, author, created_at, section, author_id"


@dataclass(frozen=True)
class RevisionInfo:
    """What a revision history lists about one revision.

    id: global id; number: 1, 2, ... within the project; parent_id: the revision it was edited from
    (None for the first); author and created_at (UTC ISO time); section: the section whose save made it
    (None when the whole document was written, e.g. seeding or import).
    """

    id: int
    project_id: int
    number: int
    parent_id: int | None
    author: str
    created_at: str
    section: str | None
    author_id: int | None = None

    @property
    def label(self) -> str:
        return f"revision {self.number} by {self.author} at {self.created_at.replace('T', ' ')[:16]} UTC"


@dataclass(frozen=True)
class Revision(RevisionInfo):
    """One saved state of a project's design document: RevisionInfo plus ``content``,
    the document as {section: {field: value}}."""

    content: dict = field(default_factory=dict)


def _revision(row: dict) -> Revision:
    return Revision(**{**row, "content": json.loads(row["content"])})


def get_revision(db: sqlite_utils.Database, revision_id: int) -> Revision:
    rows = list(db.query("SELECT * FROM revisions WHERE id = ?", [revision_id]))
    if not rows:
        raise NotFoundError(f"There is no revision with id {revision_id}.")
    return _revision(rows[0])


def latest_revision(db: sqlite_utils.Database, project_id: int) -> Revision | None:
    """The newest revision of the project's document, or None before the first save."""
    rows = list(
        db.query("SELECT * FROM revisions WHERE project_id = ? ORDER BY number DESC LIMIT 1", [project_id])
    )
    return _revision(rows[0]) if rows else None


def list_revisions(db: sqlite_utils.Database, project_id: int) -> list[RevisionInfo]:
    """All revisions of the project, newest first, without their content (get_revision reads one)."""
    query = f"SELECT {_INFO_COLUMNS} FROM revisions WHERE project_id = ? ORDER BY number DESC"
    return [RevisionInfo(**r) for r in db.query(query, [project_id])]


def save_revision(
    db: sqlite_utils.Database,
    project_id: int,
    content: dict,
    author: User | System,
    parent_id: int | None,
    section: str | None = None,
) -> Revision:
    """Append a revision whose parent is ``parent_id``.

    Refused with StaleRevisionError when ``parent_id`` is not the latest revision (someone saved in
    between): nothing is written, and the error carries the latest revision so the caller can show it.
    """
    check_actor(author)
    get_project(db, project_id)
    with write_txn(db):
        user = authorize(db, author, project_id, EDIT)
        latest = latest_revision(db, project_id)
        if (latest.id if latest else None) != parent_id:
            raise StaleRevisionError(
                f"Not saved: {latest.author} saved revision {latest.number} at "
                f"{latest.created_at.replace('T', ' ')[:19]} UTC after you opened this document. Your text is "
                "still in the form. Compare it with their version below, then save again on top of it.",
                latest,
            )
        cursor = db.execute(
            "INSERT INTO revisions (project_id, number, parent_id, author, author_id, created_at, section, content) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                project_id,
                (latest.number if latest else 0) + 1,
                parent_id,
                user.display_name,
                user.id,
                now(),
                section,
                json.dumps(content, sort_keys=True),
            ],
        )
        number = (latest.number if latest else 0) + 1
        record(db, user, project_id, f"saved revision {number}",
               f"section {section}" if section else "the whole document",
               f"design?project={project_id}" + (f"&section={section}" if section else ""))
    return get_revision(db, cursor.lastrowid)


def revision_counts(db: sqlite_utils.Database) -> dict[int, int]:
    """Number of revisions per project id (projects without revisions are absent)."""
    return {
        row["project_id"]: row["n"]
        for row in db.query("SELECT project_id, COUNT(*) AS n FROM revisions GROUP BY project_id")
    }
