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
    id: int
    email: str
    display_name: str
    first_seen: str
    last_seen: str


def _user(row: dict) -> User:
    return User(**row)


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
            db.execute("INSERT INTO users (email, display_name, first_seen, last_seen) VALUES (?, ?, ?, ?) "
                       "ON CONFLICT (email) DO NOTHING", [email, _check_name(default_name), stamp, stamp])
        db.execute("UPDATE users SET last_seen = ? WHERE email = ?", [stamp, email])
    return find_user(db, email)


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
