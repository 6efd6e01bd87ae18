"""Store: migrations, projects, append-only revisions and the stale-save refusal across processes."""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from store.db import DB_FILE, connect, ensure_home, open_store
from store.documents import get_revision, latest_revision, list_revisions, save_revision
from store.errors import (
    DuplicateNameError,
    InvalidNameError,
    NewerSchemaError,
    NotFoundError,
    StaleRevisionError,
    StoreUnavailableError,
)
from store.people import System
from store.projects import create_project, get_project, list_projects, rename_project, set_archived
from store.schema import LATEST_VERSION, MIGRATIONS, migrate, schema_version


def test_migrate_from_empty_reaches_latest_with_wal_and_foreign_keys(home):
    db = open_store(home)
    assert schema_version(db) == LATEST_VERSION
    assert {"projects", "revisions", "meta", "schema_version"} <= set(db.table_names())
    assert db.journal_mode == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    applied = [r["version"] for r in db["schema_version"].rows]
    assert applied == [m.version for m in MIGRATIONS]
    db.close()


def test_migrate_from_previous_version_keeps_data(home):
    home.mkdir()
    db = connect(home / DB_FILE)
    previous = LATEST_VERSION - 1
    migrate(db, target=previous)
    assert schema_version(db) == previous
    if previous >= 1:          # as the previous version's create_project wrote it
        db.execute("INSERT INTO projects (name, description, created_at, created_by) "
                   "VALUES (?, '', '2026-01-01', 'Ana')",
                   ["Kept across migrations"])
        db.conn.commit()
    db.close()
    db = open_store(home)
    assert schema_version(db) == LATEST_VERSION
    if previous >= 1:
        assert [p.name for p in list_projects(db)] == ["Kept across migrations"]
    db.close()


def test_migrate_is_idempotent(db):
    assert migrate(db) == LATEST_VERSION
    assert db["schema_version"].count == len(MIGRATIONS)


def test_newer_database_is_refused_with_clear_message(db):
    db.execute("INSERT INTO schema_version (version, description, applied_at) VALUES (999, 'future', 'x')")
    db.conn.commit()
    with pytest.raises(NewerSchemaError, match="schema version 999.*Upgrade Blueprint"):
        migrate(db)


def test_unwritable_home_gives_clear_message(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreUnavailableError, match="cannot write to its data folder.*Set BLUEPRINT_HOME"):
        open_store(blocker / "home")


def test_corrupt_database_file_gives_clear_message(home):
    home.mkdir()
    (home / DB_FILE).write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreUnavailableError, match="cannot open its database"):
        open_store(home)


def test_project_names_are_checked(mem_db):
    create_project(mem_db, "  Churn   model ", created_by=System("test"))
    assert [p.name for p in list_projects(mem_db)] == ["Churn model"]
    with pytest.raises(DuplicateNameError, match="already exists"):
        create_project(mem_db, "CHURN MODEL", created_by=System("test"))
    with pytest.raises(InvalidNameError, match="needs a name"):
        create_project(mem_db, "   ", created_by=System("test"))
    with pytest.raises(InvalidNameError, match="limit is 80"):
        create_project(mem_db, "x" * 81, created_by=System("test"))
    assert len(list_projects(mem_db)) == 1


def test_rename_and_archive(mem_db):
    a = create_project(mem_db, "A", created_by=System("test"))
    create_project(mem_db, "B", created_by=System("test"))
    with pytest.raises(DuplicateNameError):
        rename_project(mem_db, a.id, "b", by=System("test"))
    assert rename_project(mem_db, a.id, "A2", "new text", by=System("test")).description == "new text"
    set_archived(mem_db, a.id, True, by=System("test"))
    assert [p.name for p in list_projects(mem_db)] == ["B"]
    assert [p.name for p in list_projects(mem_db, include_archived=True)] == ["A2", "B"]
    assert set_archived(mem_db, a.id, False, by=System("test")).archived is False
    with pytest.raises(NotFoundError):
        get_project(mem_db, 404)


def test_revisions_are_append_only_with_parents(mem_db):
    p = create_project(mem_db, "P", created_by=System("test"))
    assert latest_revision(mem_db, p.id) is None
    r1 = save_revision(mem_db, p.id, {"requirements": {"business_objective": "one"}}, System("test", "Ana"),
                       parent_id=None)
    r2 = save_revision(mem_db, p.id, {"requirements": {"business_objective": "two"}}, System("test", "Bo"),
                       parent_id=r1.id, section="requirements")
    assert (r1.number, r2.number, r2.parent_id, r2.author) == (1, 2, r1.id, "Bo")
    history = list_revisions(mem_db, p.id)
    assert [r.number for r in history] == [2, 1]
    assert [get_revision(mem_db, r.id).content["requirements"]["business_objective"] for r in history] == ["two", "one"]
    assert latest_revision(mem_db, p.id).id == r2.id


def test_save_needs_who_acts_not_a_plain_name(mem_db):
    p = create_project(mem_db, "P", created_by=System("test"))
    for name in ("  ", "Ana"):
        with pytest.raises(TypeError, match="store.people.User"):
            save_revision(mem_db, p.id, {}, name, parent_id=None)
    assert latest_revision(mem_db, p.id) is None


def test_stale_save_is_refused_and_writes_nothing(mem_db):
    p = create_project(mem_db, "P", created_by=System("test"))
    r1 = save_revision(mem_db, p.id, {"a": 1}, System("test", "Ana"), parent_id=None)
    save_revision(mem_db, p.id, {"a": 2}, System("test", "Bo"), parent_id=r1.id)
    with pytest.raises(StaleRevisionError, match="Bo saved revision 2 at .* Your text is still in the form") as info:
        save_revision(mem_db, p.id, {"a": 3}, System("test", "Ana"), parent_id=r1.id)
    assert info.value.latest.number == 2
    assert len(list_revisions(mem_db, p.id)) == 2


WRITER = """
import json, sys, time
from pathlib import Path
from store.db import connect
from store.documents import save_revision
from store.errors import StaleRevisionError
from store.people import System
path, project_id, parent_id, name, go = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], Path(sys.argv[5])
db = connect(path)
print("ready", flush=True)
while not go.exists():
    time.sleep(0.005)
try:
    rev = save_revision(db, project_id, {"by": name}, System("test", name), parent_id=parent_id)
    print(json.dumps([name, "saved", rev.number]))
except StaleRevisionError as error:
    print(json.dumps([name, "refused", str(error)]))
"""


def test_two_processes_saving_on_the_same_parent_one_is_refused(db, home, tmp_path):
    p = create_project(db, "Shared", created_by=System("test"))
    first = save_revision(db, p.id, {"by": "seed"}, System("test", "Seed"), parent_id=None)
    go = tmp_path / "go"
    root = Path(__file__).resolve().parents[2]
    workers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(home / DB_FILE), str(p.id), str(first.id), name, str(go)],
                         cwd=root, stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(root)})
        for name in ("Ana", "Bo")
    ]
    for w in workers:  # both connected before either writes
        assert w.stdout.readline().strip() == "ready"
    go.touch()
    outcomes = sorted(json.loads(w.communicate(timeout=120)[0].strip().splitlines()[-1]) for w in workers)
    assert sorted(o[1] for o in outcomes) == ["refused", "saved"]
    winner = next(o for o in outcomes if o[1] == "saved")
    loser = next(o for o in outcomes if o[1] == "refused")
    assert f"{winner[0]} saved revision 2" in loser[2]
    assert [r.author for r in list_revisions(db, p.id)] == [winner[0], "Seed"]


def test_foreign_keys_are_enforced(mem_db):
    with pytest.raises(sqlite3.IntegrityError):
        mem_db.execute(
            "INSERT INTO revisions (project_id, number, author, created_at, content) VALUES (99, 1, 'x', 't', '{}')"
        )


def test_many_processes_opening_one_store_at_once_all_get_in(tmp_path):
    """The server, its workers and the tests open the same data folder at the same moment: the writability
    probe of one must not remove another's (it did, with one shared probe name: "cannot write", a worker lost)."""
    home, errors = tmp_path / "home", []

    def open_many() -> None:
        for _ in range(200):
            try:
                ensure_home(home)
            except StoreUnavailableError as error:
                errors.append(str(error))
                return

    threads = [threading.Thread(target=open_many) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(p.name for p in home.iterdir()) == []       # no probe left behind
