"""Projects: one per ML system under design. Created, renamed, archived; never silently deleted."""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass

import sqlite_utils

from store.access import MANAGE, authorize, make_owner, record, visible_project_ids
from store.db import now, write_txn
from store.errors import DuplicateNameError, InvalidNameError, NotFoundError
from store.grants import ADMINS_ONLY, Grant, require_creator
from store.people import System, User, check_actor, writer

MAX_NAME_CHARS = 80


@dataclass(frozen=True)
class Project:
    """A project row: ``id``, ``name``, ``description``, ``created_at``, ``created_by``,
    ``archived_at`` (None while active) and ``is_sample`` (the bundled example)."""

    id: int
    name: str
    description: str
    created_at: str
    created_by: str
    archived_at: str | None
    is_sample: bool
    created_by_id: int | None = None
    allow_self_approval: bool = False

    @property
    def archived(self) -> bool:
        return self.archived_at is not None


def _project(row: dict) -> Project:
    return Project(**{**row, "is_sample": bool(row["is_sample"]),
                      "allow_self_approval": bool(row.get("allow_self_approval", 0))})


def check_project_name(name: str | None) -> str:
    """The name stripped of outer spaces; InvalidNameError when empty or too long."""
    name = " ".join((name or "").split())
    if not name:
        raise InvalidNameError("A project needs a name. Type one, for example 'Churn prediction'.")
    if len(name) > MAX_NAME_CHARS:
        raise InvalidNameError(
            f"The name is {len(name)} characters long; the limit is {MAX_NAME_CHARS}. Shorten it and put "
            "details in the description."
        )
    return name


def _duplicate(name: str) -> DuplicateNameError:
    return DuplicateNameError(
        f"A project named '{name}' already exists (names ignore upper and lower case). Choose another name, "
        "or pick the existing project in the sidebar."
    )


def get_project(db: sqlite_utils.Database, project_id: int) -> Project:
    rows = list(db.query("SELECT * FROM projects WHERE id = ?", [project_id]))
    if not rows:
        raise NotFoundError(f"There is no project with id {project_id}. Pick a project in the sidebar.")
    return _project(rows[0])


def list_projects(db: sqlite_utils.Database, include_archived: bool = False, user: User | None = None) -> list[Project]:
    """Projects by name (case-insensitive); archived ones only when asked; with ``user``, only those they may
    open (all for an admin)."""
    where = "" if include_archived else "WHERE archived_at IS NULL"
    projects = [_project(r) for r in db.query(f"SELECT * FROM projects {where} ORDER BY name COLLATE NOCASE")]
    if user is not None:
        visible = visible_project_ids(db, user)
        projects = [p for p in projects if visible is None or p.id in visible]
    return projects


def create_project(
    db: sqlite_utils.Database, name: str, description: str = "", *, created_by: User | System, is_sample: bool = False,
    creators: Grant = ADMINS_ONLY,
) -> Project:
    """A new project; its creator is its owner. ``creators``: who may create projects, from the settings
    ([blueprint] project_creators, signin.settings); left out, only admins (and System) may."""
    check_actor(created_by)
    name = check_project_name(name)
    try:
        with write_txn(db):
            require_creator(db, created_by, creators)
            creator = writer(db, created_by)
            cursor = db.execute(
                "INSERT INTO projects (name, description, created_at, created_by, created_by_id, is_sample) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [name, (description or "").strip(), now(), creator.display_name, creator.id, int(is_sample)],
            )
            make_owner(db, creator, cursor.lastrowid)
            record(db, creator, cursor.lastrowid, "created the project", name, f"home?project={cursor.lastrowid}")
    except sqlite3.IntegrityError:
        raise _duplicate(name) from None
    return get_project(db, cursor.lastrowid)


def rename_project(db: sqlite_utils.Database, project_id: int, name: str, description: str | None = None, *,
                   by: User | System) -> Project:
    """Rename a project (owners only)."""
    name = check_project_name(name)
    old = get_project(db, project_id)
    try:
        with write_txn(db):
            record(db, authorize(db, by, project_id, MANAGE), project_id, "renamed the project",
                   f"'{old.name}' to '{name}'" if old.name != name else name, f"home?project={project_id}")
            db.execute("UPDATE projects SET name = ? WHERE id = ?", [name, project_id])
            if description is not None:
                db.execute("UPDATE projects SET description = ? WHERE id = ?", [description.strip(), project_id])
    except sqlite3.IntegrityError:
        raise _duplicate(name) from None
    return get_project(db, project_id)


def set_archived(db: sqlite_utils.Database, project_id: int, archived: bool, *, by: User | System) -> Project:
    """Archive (hide from the picker, keep everything) or restore a project (owners only)."""
    get_project(db, project_id)
    with write_txn(db):
        record(db, authorize(db, by, project_id, MANAGE), project_id,
               "archived the project" if archived else "restored the project", "", f"home?project={project_id}")
        db.execute("UPDATE projects SET archived_at = ? WHERE id = ?", [now() if archived else None, project_id])
    return get_project(db, project_id)
