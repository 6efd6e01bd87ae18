"""People: one row per person who uses this Blueprint (an email from sign-in, or ``local:<account>`` for the
one person of a local install), with the display name shown on what they write.

    user = see_user(db, "local:ana", default_name="ana")     # on every visit: created once, last_seen refreshed
    user = set_display_name(db, user.id, "Ana Lima")         # remembered across reloads and restarts

Every store write takes who acts: a User (checked against their role) or System("why") (Blueprint itself, e.g.
the sample seed); nothing else, so a write that forgets the person fails instead of passing unchecked.
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


@dataclass(frozen=True)
class System:
    """Blueprint itself as the writer: trusted, no role checked. Only the sample seed (sample_data/), a project
    import (store/transfer.py), jobs acting for work recorded under such a writer (jobs/) and tests build one;
    pages and components write as the signed-in User and never build or import this (tests/test_house_rules.py).

    reason: why Blueprint writes on its own ("sample seed", "job 12"). name: who the writes are recorded under, a
    ``typed:<name>`` user as names typed before sign-in existed are (the sample's author); "" records them under
    Blueprint itself (``system:blueprint``)."""

    reason: str
    name: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.reason, str) or not self.reason.strip():
            raise ValueError("System needs a reason: say why Blueprint writes on its own, e.g. System('sample seed').")
        if not isinstance(self.name, str):
            raise TypeError(f"System's name is the name writes are recorded under, a str; got {self.name!r}.")


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


def see_user(db: sqlite_utils.Database, email: str, default_name: str, *, first_is_admin: bool = False) -> User:
    """The user with ``email``, created with ``default_name`` on the first visit; last_seen is refreshed at
    most once a minute (a page rerun is not a write). ``first_is_admin`` (local mode only, where nobody signs in
    and the settings name no admins): the first person ever seen is made an admin. With sign-in, admins are
    exactly the settings' list (sync_admin), never whoever came first."""
    found = find_user(db, email)
    stamp = now()
    if found is not None and found.last_seen[:16] == stamp[:16]:
        return found
    with write_txn(db):
        if found is None:
            first = first_is_admin and not email.startswith(NOT_PEOPLE) and not db.execute(
                "SELECT 1 FROM users WHERE email NOT LIKE 'typed:%' AND email NOT LIKE 'system:%' LIMIT 1").fetchone()
            db.execute("INSERT INTO users (email, display_name, first_seen, last_seen, is_admin) "
                       "VALUES (?, ?, ?, ?, ?) ON CONFLICT (email) DO NOTHING",
                       [email, _check_name(default_name), stamp, stamp, int(first)])
        db.execute("UPDATE users SET last_seen = ? WHERE email = ?", [stamp, email])
    user = find_user(db, email)
    if found is None:
        from store.access import accept_invites  # noqa: PLC0415 (import cycle: store.access builds on people)

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


def sync_admin(db: sqlite_utils.Database, user: User, admin: bool) -> User:
    """Make ``user`` an admin or not, as the settings' list of admins says now (on every visit, so a name
    removed from the list loses admin at its next page)."""
    if user.is_admin == admin:
        return user
    set_admin(db, user.id, admin)
    return get_user(db, user.id)


def recorded_person(db: sqlite_utils.Database, user_id: int | None) -> User | None:
    """The person work recorded under ``user_id`` was done for (e.g. a queued job), whose rights are checked again
    when it is written; None when it was recorded under no one who signs in (Blueprint itself, a typed name, no
    user): the caller decides whether Blueprint may write it on its own (store.people.System)."""
    if user_id is None:
        return None
    user = get_user(db, user_id)
    return None if user.email.startswith(NOT_PEOPLE) else user


def check_actor(who: object) -> User | System:
    """``who`` when it may act in a store write: a User (the signed-in person, whose rights the write checks) or
    System (Blueprint itself). Anything else, a missing person (None) or a plain name included, is a TypeError:
    a write without an acting person fails, never passes unchecked."""
    if isinstance(who, (User, System)):
        return who
    raise TypeError(f"A store write needs who acts: the signed-in person (a store.people.User; a page passes "
                    f"context.user) or, in Blueprint's own code, store.people.System('why'); got {who!r}.")


def writer(db: sqlite_utils.Database, who: User | System) -> User:
    """The user a write is recorded under. A User is the signed-in person (pages pass it; their rights are
    checked by the caller). System is Blueprint writing on its own (the sample seed, imports, jobs, tests):
    recorded as the ``typed:<name>`` user, as names typed before sign-in existed are, or as Blueprint itself
    (``system:blueprint``) when it names no one."""
    who = check_actor(who)
    if isinstance(who, User):
        return who
    name = " ".join(who.name.split())
    return see_user(db, "typed:" + name, name) if name else system_user(db)


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
