"""People: one row per person who uses this Blueprint (an email from sign-in, or ``local:<account>`` for the
one person of a local install), with the display name shown on what they write.

    user = see_user(db, "local:ana", default_name="ana")     # on every visit: created once, last_seen refreshed
    user = set_display_name(db, user.id, "Ana Lima")         # remembered across reloads and restarts
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

from store.db import now, write_txn
from store.errors import InvalidNameError, NotFoundError

MAX_NAME_CHARS = 80


@dataclass(frozen=True)
class User:
    """A person. email: the signed-in address, ``local:<account>`` in local mode, ``typed:<name>`` for a name
    typed before sign-in existed, ``system:...`` for Blueprint's own writes (the sample project). is_admin: an
    owner of every project. read_only: acting through a read-only link (never stored)."""

    id: int
    email: str
    display_name: str
    first_seen: str
    last_seen: str
    is_admin: bool = False
    read_only: bool = False


SYSTEM_EMAIL = "system:blueprint"
NOT_PEOPLE = ("typed:", "system:")      # users that are not someone signing in


def _user(row: dict) -> User:
    return User(**{**row, "is_admin": bool(row.get("is_admin", 0))})


def get_user(db: sqlite_utils.Database, user_id: int) -> User:
    rows = list(db.query("SELECT * FROM users WHERE id = ?", [user_id]))
    if not rows:
        raise NotFoundError(f"There is no user {user_id}.")
    return _user(rows[0])


def find_user(db: sqlite_utils.Database, email: str) -> User | None:
    rows = list(db.query("SELECT * FROM users WHERE email = ?", [email]))
    return _user(rows[0]) if rows else None


def see_user(db: sqlite_utils.Database, email: str, default_name: str) -> User:
    """The user with ``email``, created with ``default_name`` on the first visit; last_seen is refreshed at
    most once a minute (a page rerun is not a write)."""
    found = find_user(db, email)
    stamp = now()
    if found is not None and found.last_seen[:16] == stamp[:16]:
        return found
    with write_txn(db):
        if found is None:
            first = not email.startswith(NOT_PEOPLE) and not db.execute(
                "SELECT 1 FROM users WHERE email NOT LIKE 'typed:%' AND email NOT LIKE 'system:%' LIMIT 1").fetchone()
            db.execute("INSERT INTO users (email, display_name, first_seen, last_seen, is_admin) VALUES (?, ?, ?, ?, ?) "
                       "ON CONFLICT (email) DO NOTHING", [email, _check_name(default_name), stamp, stamp, int(first)])
        db.execute("UPDATE users SET last_seen = ? WHERE email = ?", [stamp, email])
    user = find_user(db, email)
    if found is None:
        from store.access import accept_invites

        accept_invites(db, user)
    return user


def system_user(db: sqlite_utils.Database) -> User:
    """Blueprint itself, as the author of what it writes on its own (the sample project): an admin."""
    user = see_user(db, SYSTEM_EMAIL, "Blueprint")
    if not user.is_admin:
        set_admin(db, user.id, True)
        user = get_user(db, user.id)
    return user


def set_admin(db: sqlite_utils.Database, user_id: int, admin: bool) -> None:
    """Make a user an admin (an owner of every project), or not: from the settings' list of admins."""
    with write_txn(db):
        db.execute("UPDATE users SET is_admin = ? WHERE id = ?", [int(admin), user_id])


def acting_user(db: sqlite_utils.Database, user_id: int | None, name: str) -> User | str:
    """Who to act as for work recorded under ``user_id`` (e.g. a queued job): the person, whose rights are
    checked again, or, for a trusted writer's name (store.people.writer), that name."""
    if user_id is None:
        return name
    user = get_user(db, user_id)
    return name if user.email.startswith(NOT_PEOPLE) else user


def writer(db: sqlite_utils.Database, who: User | str) -> User:
    """The user a write is recorded under. A User is the signed-in person (pages pass it; their rights are
    checked by the caller). A plain name is a trusted writer inside Blueprint (the sample seed, imports, tests):
    recorded as the ``typed:<name>`` user, as names typed before sign-in existed are."""
    if isinstance(who, User):
        return who
    name = " ".join((who or "").split()) or "Blueprint"
    return see_user(db, "typed:" + name, name)


def _check_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise InvalidNameError("A display name cannot be empty: type the name colleagues know you by.")
    if len(name) > MAX_NAME_CHARS:
        raise InvalidNameError(f"A display name has at most {MAX_NAME_CHARS} characters; this one has {len(name)}.")
    return name


def set_display_name(db: sqlite_utils.Database, user_id: int, name: str) -> User:
    """Change a user's display name (shown on everything they write from now on)."""
    name = _check_name(name)
    get_user(db, user_id)
    with write_txn(db):
        db.execute("UPDATE users SET display_name = ? WHERE id = ?", [name, user_id])
    return get_user(db, user_id)
