"""Reviews: comments on document sections (threaded, resolvable) and decisions on the whole document.

A project's review status is its latest decision: "draft" before any, then "in review",
"changes requested" or "approved". An approval is outdated once the document has a newer revision. A decision
names the revision its reviewer read, and is refused when a newer one exists (the reviewer has not read it).
"""
from __future__ import annotations

import json
from dataclasses import dataclass

import sqlite_utils

from store.access import REVIEW, PermissionDenied, authorize, record
from store.db import now, write_txn
from store.documents import Revision, get_revision, latest_revision
from store.errors import InvalidNameError, NotFoundError, StaleRevisionError
from store.people import System, User, check_actor
from store.projects import get_project

STATUSES = ("in review", "changes requested", "approved")
MAX_COMMENT_CHARS = 5_000


@dataclass(frozen=True)
class Comment:
    """A comment on one section: ``parent_id`` set for replies; ``revision_id`` the document revision it
    was written on; ``resolved_by``/``resolved_at`` set once someone resolved the thread."""

    id: int
    project_id: int
    section: str
    parent_id: int | None
    revision_id: int | None
    author: str
    body: str
    created_at: str
    resolved_by: str | None
    resolved_at: str | None
    author_id: int | None = None
    resolved_by_id: int | None = None


@dataclass(frozen=True)
class Decision:
    """A review decision: ``status`` (one of STATUSES) by ``author`` on ``revision_id``, with a ``note``
    and the ids of the evidence rows the reviewer saw."""

    id: int
    project_id: int
    status: str
    revision_id: int | None
    author: str
    note: str
    evidence_ids: tuple
    created_at: str
    author_id: int | None = None


@dataclass(frozen=True)
class ReviewState:
    """Where a review stands: ``status`` ("draft" or a decision status), the ``decision`` behind it, and
    ``outdated`` (True when the document changed after that decision)."""

    status: str
    decision: Decision | None
    outdated: bool

    @property
    def label(self) -> str:
        if self.decision is None:
            return "draft"
        return f"{self.status} (outdated: the document changed since)" if self.outdated else self.status


def _author(author: User | System) -> User | System:
    """The signed-in person or System; TypeError for anything else (store.people.check_actor)."""
    return check_actor(author)


def _body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise InvalidNameError("The comment is empty. Write what should change or what is unclear.")
    if len(body) > MAX_COMMENT_CHARS:
        raise InvalidNameError(f"The comment is {len(body):,} characters long; the limit is {MAX_COMMENT_CHARS:,}.")
    return body


def _comment(row: dict) -> Comment:
    return Comment(**row)


def get_comment(db: sqlite_utils.Database, comment_id: int) -> Comment:
    rows = list(db.query("SELECT * FROM comments WHERE id = ?", [comment_id]))
    if not rows:
        raise NotFoundError(f"There is no comment with id {comment_id}.")
    return _comment(rows[0])


def add_comment(
    db: sqlite_utils.Database, project_id: int, section: str, author: User | System, body: str,
    parent_id: int | None = None,
) -> Comment:
    """Add a comment on ``section`` (a reply when ``parent_id`` is given; replies join the parent's thread)."""
    author, body = _author(author), _body(body)
    get_project(db, project_id)
    if parent_id is not None:
        parent = get_comment(db, parent_id)
        section, parent_id = parent.section, parent.parent_id or parent.id
    latest = latest_revision(db, project_id)
    with write_txn(db):
        user = authorize(db, author, project_id, REVIEW)
        cursor = db.execute(
            "INSERT INTO comments (project_id, section, parent_id, revision_id, author, author_id, body, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [project_id, section, parent_id, latest.id if latest else None, user.display_name, user.id, body, now()],
        )
        record(db, user, project_id, "replied to a comment" if parent_id else "commented", f"{section}: {body}",
               f"review?project={project_id}")
    return get_comment(db, cursor.lastrowid)


def set_resolved(db: sqlite_utils.Database, comment_id: int, author: User | System, resolved: bool = True) -> Comment:
    """Resolve (or reopen) the thread that ``comment_id`` starts."""
    author = _author(author)
    comment = get_comment(db, comment_id)
    with write_txn(db):
        user = authorize(db, author, comment.project_id, REVIEW)
        db.execute(
            "UPDATE comments SET resolved_by = ?, resolved_by_id = ?, resolved_at = ? WHERE id = ?",
            [user.display_name if resolved else None, user.id if resolved else None, now() if resolved else None,
             comment_id],
        )
        record(db, user, comment.project_id, "resolved a comment thread" if resolved else "reopened a comment thread",
               f"{comment.section}: {comment.body}", f"review?project={comment.project_id}")
    return get_comment(db, comment_id)


def list_comments(db: sqlite_utils.Database, project_id: int, section: str | None = None) -> list[Comment]:
    """Comments in thread order: each thread's first comment, then its replies, oldest first."""
    where, params = "project_id = ?", [project_id]
    if section is not None:
        where, params = where + " AND section = ?", params + [section]
    rows = db.query(f"SELECT * FROM comments WHERE {where} ORDER BY COALESCE(parent_id, id), id", params)
    return [_comment(r) for r in rows]


def _read_revision(db: sqlite_utils.Database, project_id: int, revision_id: int) -> Revision:
    """The revision a decision names as read: one of the project's."""
    try:
        read = get_revision(db, revision_id)
    except NotFoundError:
        read = None
    if read is None or read.project_id != project_id:
        raise NotFoundError(f"Revision id {revision_id} is not a revision of this project: open the project's Review "
                            "page again and decide on what it shows.")
    return read


def _newer_than_read(read: Revision, latest: Revision) -> StaleRevisionError:
    """The refusal of a decision on ``read`` when ``latest`` is newer: who saved what after it, and what to do."""
    at = latest.created_at.replace("T", " ")[:16]
    if latest.number == read.number + 1:
        newer = (f"revision {latest.number} was saved by {latest.author} at {at} UTC "
                 f"after the one you read ({read.number})")
    else:
        numbers = f"{read.number + 1} and {latest.number}" if latest.number == read.number + 2 else \
            f"{read.number + 1} to {latest.number}"
        newer = (f"revisions {numbers} were saved after the one you read ({read.number}), the latest by "
                 f"{latest.author} at {at} UTC")
    return StaleRevisionError(f"Not recorded: {newer}: read the changes and decide again.", latest, read)


def decide(
    db: sqlite_utils.Database, project_id: int, status: str, author: User | System, note: str = "", evidence_ids=(),
    *, revision_id: int,
) -> Decision:
    """Record a review decision on ``revision_id``, the revision the reviewer read (reviewers and owners).

    Refused with StaleRevisionError when a newer revision exists (someone saved after the reviewer read it):
    nothing is recorded, and the error carries both revisions so the page can show the changes. The author of
    the revision cannot approve it unless the project allows it (store.access.set_self_approval)."""
    if status not in STATUSES:
        raise ValueError(f"Decision {status!r} is not one of {', '.join(STATUSES)}.")
    author = _author(author)
    with write_txn(db):
        user = authorize(db, author, project_id, REVIEW)
        latest = latest_revision(db, project_id)
        if latest is None:
            raise NotFoundError("The document has no revision yet; there is nothing to review. Save a section first.")
        read = _read_revision(db, project_id, revision_id)
        if read.id != latest.id:
            raise _newer_than_read(read, latest)
        if (status == "approved" and isinstance(author, User) and latest.author_id == user.id
                and not get_project(db, project_id).allow_self_approval):
            raise PermissionDenied(f"{user.display_name} wrote revision {latest.number}, so cannot approve it: "
                                   "another reviewer approves it "
                                   "(an owner can allow self-approval on the Projects page).")
        cursor = db.execute(
            "INSERT INTO decisions "
            "(project_id, status, revision_id, author, author_id, note, evidence_ids, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [project_id, status, latest.id, user.display_name, user.id, (note or "").strip(),
             json.dumps(list(evidence_ids)), now()],
        )
        record(db, user, project_id, f"decided: {status}",
               f"revision {latest.number}" + (f": {note.strip()}" if note else ""),
               f"review?project={project_id}")
    return next(d for d in list_decisions(db, project_id) if d.id == cursor.lastrowid)


def list_decisions(db: sqlite_utils.Database, project_id: int) -> list[Decision]:
    """Decisions, newest first."""
    return [
        Decision(**{**r, "evidence_ids": tuple(json.loads(r["evidence_ids"]))})
        for r in db.query("SELECT * FROM decisions WHERE project_id = ? ORDER BY id DESC", [project_id])
    ]


def review_state(db: sqlite_utils.Database, project_id: int) -> ReviewState:
    decisions = list_decisions(db, project_id)
    if not decisions:
        return ReviewState("draft", None, False)
    latest = latest_revision(db, project_id)
    decision = decisions[0]
    return ReviewState(decision.status, decision, latest is not None and latest.id != decision.revision_id)
