"""Opening the store: the data directory, the SQLite connection, and write transactions."""
from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import sqlite_utils

from store.errors import StoreUnavailableError

DB_FILE = "blueprint.sqlite3"
BUSY_TIMEOUT_MS = 10_000


def home_dir() -> Path:
    """The data directory: $BLUEPRINT_HOME, or ./.blueprint when it is not set."""
    return Path(os.environ.get("BLUEPRINT_HOME") or ".blueprint").expanduser().resolve()


def now() -> str:
    """The current UTC time as an ISO 8601 string with seconds (how the store writes times)."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def ensure_home(home: Path) -> Path:
    """Create ``home`` if needed and prove it is writable; raise StoreUnavailableError saying how to fix it."""
    fix = "Set BLUEPRINT_HOME to a folder you can write to (for example BLUEPRINT_HOME=~/blueprint-data) and restart."
    try:
        home.mkdir(parents=True, exist_ok=True)
        # One probe file per process and thread: the server, its workers and the command line open the same
        # store at once, and a shared name let one of them remove another's probe (a bogus "cannot write").
        probe = home / f".write-test-{os.getpid()}-{threading.get_ident()}"
        probe.write_bytes(b"ok")
        probe.unlink()
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise StoreUnavailableError(f"Blueprint cannot write to its data folder {home} ({reason}). {fix}") from None
    return home


def connect(path: str | Path) -> sqlite_utils.Database:
    """Open the database at ``path`` (or ":memory:") with WAL, foreign keys and a busy timeout."""
    try:
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
        db = sqlite_utils.Database(conn)
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        db.execute("PRAGMA foreign_keys = ON")
        if str(path) != ":memory:":
            db.enable_wal()
    except sqlite3.Error as error:
        raise StoreUnavailableError(
            f"Blueprint cannot open its database {path} ({error}). Check that the file is a Blueprint "
            "database and that its folder is writable, or set BLUEPRINT_HOME to another folder."
        ) from None
    return db


def home_of(db: sqlite_utils.Database) -> Path | None:
    """The data folder of a file store (None for an in-memory one)."""
    path = db.execute("PRAGMA database_list").fetchone()[2]
    return Path(path).parent if path else None


def open_store(home: str | Path | None = None) -> sqlite_utils.Database:
    """Open (creating and migrating if needed) the store in ``home`` (default: home_dir())."""
    from store.schema import migrate  # noqa: PLC0415 (import cycle: store.schema stamps with db.now)

    home = ensure_home(Path(home) if home is not None else home_dir())
    db = connect(home / DB_FILE)
    migrate(db)
    return db


@contextlib.contextmanager
def write_txn(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """One write transaction taken with BEGIN IMMEDIATE, so the busy timeout applies across processes.

    sqlite-utils' own ``atomic()`` begins deferred and fails at once under contention (see notes/stack.md).
    Inside an open transaction this block becomes a savepoint, so store functions compose.
    """
    conn = db.conn
    if conn.in_transaction:
        conn.execute("SAVEPOINT write_txn")
        try:
            yield db
        except BaseException:
            conn.execute("ROLLBACK TO SAVEPOINT write_txn")
            conn.execute("RELEASE SAVEPOINT write_txn")
            raise
        else:
            conn.execute("RELEASE SAVEPOINT write_txn")
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        conn.rollback()
        raise
    else:
        conn.execute("COMMIT")
