"""Who may do what in a project: roles, members and invites, admins, and the audit trail of every write.

    require(db, user, project_id, EDIT)        # the check every store write makes; PermissionDenied says why
    add_member(db, owner, project_id, "ana@example.org", REVIEWER)   # a member, or a pending invite
    record(db, user, project_id, "uploaded a dataset", "churn.csv", "datasets?project=1&dataset=3")
    list_activity(db, project_id)               # the project's feed: who did what, when, with a link

Roles (per project): a viewer reads and exports; an editor also edits the document, uploads and deletes datasets,
runs analyses and resolves findings; a reviewer also comments and records decisions; an owner does all of these
and manages members, roles, the name and archiving. Admins (the first person to sign in, or those the settings
list) are owners of every project. Rights are checked here, where data is written: a page that hides a button
only spares a person the refusal.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import sqlite_utils

from store.db import now, write_txn
from store.errors import NotFoundError, StoreError
from store.people import System, User, check_actor, find_user, get_user, writer

OWNER, EDITOR, REVIEWER, VIEWER = "owner", "editor", "reviewer", "viewer"
ROLES = (OWNER, EDITOR, REVIEWER, VIEWER)
READ, EDIT, REVIEW, MANAGE = "read", "edit", "review", "manage"
RIGHTS = {VIEWER: {READ}, REVIEWER: {READ, REVIEW}, EDITOR: {READ, EDIT}, OWNER: {READ, EDIT, REVIEW, MANAGE}}
_DOES = {READ: "open this project",
         EDIT: "edit the document, upload or delete datasets, run analyses and resolve findings",
         REVIEW: "comment and record review decisions",
         MANAGE: "change members and roles, rename or archive the project"}
_WHO = {READ: "its members", EDIT: "editors and owners", REVIEW: "reviewers and owners", MANAGE: "owners"}
A_ROLE = {OWNER: "an owner", EDITOR: "an editor", REVIEWER: "a reviewer", VIEWER: "a viewer"}   # "is an editor of"


def who_may(right: str) -> str:
    """Who holds ``right`` in a project, in words ("editors and owners"), for messages."""
    return _WHO[right]


class PermissionDenied(StoreError):
    """The acting user's role in the project does not allow this write."""


@dataclass(frozen=True)
class Member:
    """A person's role in a project. ``pending``: invited by email, not signed in yet (user_id None)."""

    user_id: int | None
    email: str
    display_name: str
    role: str
    pending: bool
    since: str


@dataclass(frozen=True)
class Activity:
    id: int
    project_id: int
    user_id: int | None
    who: str
    action: str
    detail: str
    link: str
    at: str


def read_only(user: User) -> User:
    """``user`` as a read-only link gives them: viewer rights whatever their role."""
    return dataclasses.replace(user, read_only=True)


def role_of(db: sqlite_utils.Database, user: User, project_id: int) -> str | None:
    """The user's role in the project (an admin is an owner of every project), None for a non-member. Read
    from the store each time: a role changed or removed meanwhile counts at once."""
    try:
        fresh = get_user(db, user.id)
    except NotFoundError:
        return None
    if fresh.is_admin:
        return OWNER
    row = db.execute("SELECT role FROM members WHERE project_id = ? AND user_id = ?", [project_id, user.id]).fetchone()
    return row[0] if row else None


def require(db: sqlite_utils.Database, user: User, project_id: int, right: str) -> str:
    """The user's role when it grants ``right`` in the project; else PermissionDenied saying who may and what
    to do. TypeError for anything but a User (members, roles and reads are a person's, never Blueprint's)."""
    if not isinstance(user, User):
        raise TypeError("Rights are a signed-in person's: pass a store.people.User (a page passes context.user); "
                        f"got {user!r}.")
    if getattr(user, "read_only", False) and right != READ:
        raise PermissionDenied("This is a read-only link: it lets you read and export, not change anything. "
                               "Open the project without mode=read to work in it with your own role.")
    role = role_of(db, user, project_id)
    if role is None:
        raise PermissionDenied(f"{user.display_name} is not a member of this project, so cannot {_DOES[right]}. "
                               "Ask one of its owners to add you on the Projects page.")
    if right not in RIGHTS[role]:
        raise PermissionDenied(f"{user.display_name} is {A_ROLE[role]} of this project: only {_WHO[right]} can "
                               f"{_DOES[right]}. Ask an owner to change your role on the Projects page.")
    return role


def can(db: sqlite_utils.Database, user: User, project_id: int, right: str) -> bool:
    """Whether require() would pass (for pages deciding what to offer; the write checks again)."""
    try:
        require(db, user, project_id, right)
    except PermissionDenied:
        return False
    return True


def visible_project_ids(db: sqlite_utils.Database, user: User) -> set[int] | None:
    """The projects the user may open: None means every project (an admin)."""
    try:
        if get_user(db, user.id).is_admin:
            return None
    except NotFoundError:
        return set()
    return {r[0] for r in db.execute("SELECT project_id FROM members WHERE user_id = ?", [user.id])}


# --- members --------------------------------------------------------------------------------------------------

def _check_role(role: str) -> str:
    if role not in ROLES:
        raise StoreError(f"'{role}' is not a role; choose one of {', '.join(ROLES)}.")
    return role


def _check_email(email: str) -> str:
    email = (email or "").strip()
    if "@" not in email or " " in email or email.startswith("@") or email.endswith("@"):
        raise StoreError(f"'{email}' is not an email address: type the address the person signs in with, "
                         "e.g. ana@example.org.")
    return email


def list_members(db: sqlite_utils.Database, project_id: int) -> list[Member]:
    """Members (owners first, then by name) and pending invites."""
    rows = db.execute(
        "SELECT m.user_id, u.email, u.display_name, m.role, m.added_at FROM members m JOIN users u ON u.id = m.user_id "
        "WHERE m.project_id = ?", [project_id]).fetchall()
    members = [Member(uid, email, name, role, False, at) for uid, email, name, role, at in rows]
    invites = db.execute("SELECT email, role, invited_at FROM invites WHERE project_id = ?", [project_id]).fetchall()
    members += [Member(None, email, email, role, True, at) for email, role, at in invites]
    return sorted(members, key=lambda m: (m.pending, ROLES.index(m.role), m.display_name.lower()))


def _owner_count(db: sqlite_utils.Database, project_id: int) -> int:
    return db.execute("SELECT COUNT(*) FROM members WHERE project_id = ? AND role = ?",
                      [project_id, OWNER]).fetchone()[0]


def make_owner(db: sqlite_utils.Database, user: User, project_id: int) -> None:
    """The creator of a project is its owner (inside the creating transaction)."""
    db.execute("INSERT OR REPLACE INTO members (project_id, user_id, role, added_by_id, added_at) "
               "VALUES (?, ?, ?, ?, ?)",
               [project_id, user.id, OWNER, user.id, now()])


def add_member(db: sqlite_utils.Database, actor: User, project_id: int, email: str, role: str) -> Member:
    """Give the person with ``email`` ``role`` in the project (owners only). Someone who has never signed in is
    invited: shown as pending, a member from their first sign-in."""
    email, role = _check_email(email), _check_role(role)
    with write_txn(db):
        require(db, actor, project_id, MANAGE)
        user = find_user(db, email)
        if user is None:
            db.execute("INSERT OR REPLACE INTO invites (project_id, email, role, invited_by_id, invited_at) "
                       "VALUES (?, ?, ?, ?, ?)", [project_id, email, role, actor.id, now()])
            record(db, actor, project_id, "invited", f"{email} as {role} (pending until they sign in)", "")
            return Member(None, email, email, role, True, now())
        current = db.execute("SELECT role FROM members WHERE project_id = ? AND user_id = ?",
                             [project_id, user.id]).fetchone()
        if current and current[0] == OWNER and role != OWNER and _owner_count(db, project_id) == 1:
            raise StoreError(f"{user.display_name} is the project's only owner: make someone else an owner first.")
        db.execute("INSERT OR REPLACE INTO members (project_id, user_id, role, added_by_id, added_at) "
                   "VALUES (?, ?, ?, ?, ?)",
                   [project_id, user.id, role, actor.id, now()])
        record(db, actor, project_id, "changed a role" if current else "added a member",
               f"{user.display_name} as {role}", "")
    return Member(user.id, user.email, user.display_name, role, False, now())


def remove_member(db: sqlite_utils.Database, actor: User, project_id: int, email: str) -> None:
    """Remove a member or a pending invite (owners only). The last owner cannot be removed."""
    with write_txn(db):
        require(db, actor, project_id, MANAGE)
        if db.execute("DELETE FROM invites WHERE project_id = ? AND email = ?", [project_id, email]).rowcount:
            record(db, actor, project_id, "withdrew an invite", email, "")
            return
        user = find_user(db, email)
        row = db.execute("SELECT role FROM members WHERE project_id = ? AND user_id = ?",
                         [project_id, user.id if user else -1]).fetchone()
        if row is None:
            raise NotFoundError(f"{email} is not a member of this project.")
        if row[0] == OWNER and _owner_count(db, project_id) == 1:
            raise StoreError(f"{user.display_name} is the project's only owner and cannot be removed: "
                             "make someone else an owner first.")
        db.execute("DELETE FROM members WHERE project_id = ? AND user_id = ?", [project_id, user.id])
        record(db, actor, project_id, "removed a member", user.display_name, "")


def accept_invites(db: sqlite_utils.Database, user: User) -> None:
    """Turn the invites to ``user``'s email into memberships (on their first sign-in)."""
    invites = db.execute("SELECT project_id, role, invited_by_id FROM invites WHERE email = ?", [user.email]).fetchall()
    if not invites:
        return
    with write_txn(db):
        for project_id, role, by in invites:
            db.execute("INSERT OR IGNORE INTO members (project_id, user_id, role, added_by_id, added_at) "
                       "VALUES (?, ?, ?, ?, ?)", [project_id, user.id, role, by, now()])
            record(db, user, project_id, "joined", f"as {role} (invited)", "")
        db.execute("DELETE FROM invites WHERE email = ?", [user.email])


def set_self_approval(db: sqlite_utils.Database, actor: User, project_id: int, allowed: bool) -> None:
    """Whether the author of the latest revision may approve it (owners only; off by default)."""
    with write_txn(db):
        require(db, actor, project_id, MANAGE)
        db.execute("UPDATE projects SET allow_self_approval = ? WHERE id = ?", [int(allowed), project_id])
        record(db, actor, project_id, "allowed self-approval" if allowed else "forbade self-approval", "", "")


# --- the audit trail ------------------------------------------------------------------------------------------

def record(db: sqlite_utils.Database, user: User | None, project_id: int, action: str, detail: str = "",
           link: str = "") -> None:
    """Add a line to the project's activity feed (call inside the write's transaction)."""
    db.execute("INSERT INTO activity (project_id, user_id, action, detail, link, at) VALUES (?, ?, ?, ?, ?, ?)",
               [project_id, user.id if user else None, action, detail[:300], link, now()])


def list_activity(db: sqlite_utils.Database, project_id: int, limit: int = 50) -> list[Activity]:
    """The project's feed, newest first."""
    rows = db.execute(
        "SELECT a.id, a.project_id, a.user_id, COALESCE(u.display_name, 'Blueprint'), a.action, a.detail, a.link, a.at "
        "FROM activity a LEFT JOIN users u ON u.id = a.user_id WHERE a.project_id = ? ORDER BY a.id DESC LIMIT ?",
        [project_id, limit]).fetchall()
    return [Activity(*row) for row in rows]


def check(db: sqlite_utils.Database, who: User | System, project_id: int, right: str) -> None:
    """authorize()'s checks without recording anyone: for a write that does work before its transaction (writing
    a file). TypeError when ``who`` is neither a User nor System (store.people.check_actor)."""
    if isinstance(check_actor(who), User):
        require(db, who, project_id, right)


def authorize(db: sqlite_utils.Database, who: User | System, project_id: int, right: str) -> User:
    """The user a write is recorded under, after checking a signed-in person's ``right`` in the project; System
    (Blueprint itself) is trusted (store.people.writer). Call inside the write's transaction."""
    check(db, who, project_id, right)
    return writer(db, who)
