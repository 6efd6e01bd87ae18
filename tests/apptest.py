"""Helpers for AppTest page tests: start the app, open a page, find widgets by label."""
from __future__ import annotations

import os
import re
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

from components.shell import local_account
from store.datasets import list_datasets
from store.db import DB_FILE, connect, now, open_store, write_txn
from store.people import get_user, see_user, set_admin

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def open_app(page: str | None = None, query: dict | None = None, author: str | None = None) -> AppTest:
    """Run app.py (optionally with URL query params), then switch to ``page`` (e.g. "pages/design.py")."""
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    at.run()  # widget ids settle on the second run, once st.navigation has taken over from pages/
    if author is not None:
        at.sidebar.text_input(key="author").input(author)
        at.run()
    if page is not None:
        at.switch_page(page).run()
    return at


def by_label(widgets, label: str):
    """The one widget among ``widgets`` (e.g. at.text_area) whose label is ``label``."""
    found = [w for w in widgets if w.label == label]
    assert len(found) == 1, f"expected one widget labelled {label!r}, found {[w.label for w in widgets]}"
    return found[0]


def shown(markdown: str) -> str:
    """Markdown text as a reader sees it: the backslash escapes that components.text.plain adds are undone."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown)


def texts(at: AppTest, kind: str) -> list[str]:
    """The text of every element of one kind as a reader sees it: "error", "success", "info", "warning",
    "title", "markdown"."""
    return [shown(e.value) for e in getattr(at, kind)]


def finish_jobs(at: AppTest, timeout: float = 300) -> AppTest:
    """Wait until the jobs the page queued have ended (run by real worker processes, as in the app), then run
    the page again: what a person sees when the job's fragment reruns the page."""
    db = connect(Path(os.environ["BLUEPRINT_HOME"]) / DB_FILE)
    try:
        deadline = time.monotonic() + timeout
        while db.execute("SELECT COUNT(*) FROM jobs WHERE state IN ('queued', 'running')").fetchone()[0]:
            assert time.monotonic() < deadline, f"jobs still running after {timeout} s"
            time.sleep(0.2)
    finally:
        db.close()
    return at.run()


def as_account(monkeypatch, account: str) -> None:
    """Make the next runs of the app as the local-mode person ``local:<account>``: local mode's person is the
    operating-system account, which getpass reads from LOGNAME first. Set it before each run of a session
    when several people take turns in one test."""
    monkeypatch.setenv("LOGNAME", account)


def team_member(db, account: str, role: str, project_id: int = 1):
    """The local-mode person ``local:<account>`` (display name ``account`` capitalised), a member of the project
    with ``role`` and not an admin; the machine's own account is the admin, as at a first start. Local accounts
    have no email to invite by, so the membership is written as store.access.add_member writes it."""
    admin = see_user(db, f"local:{local_account()}", local_account())
    set_admin(db, admin.id, True)
    person = see_user(db, f"local:{account}", account.capitalize())
    set_admin(db, person.id, False)
    with write_txn(db):
        db.execute("INSERT OR REPLACE INTO members (project_id, user_id, role, added_by_id, added_at) "
                   "VALUES (?, ?, ?, ?, ?)", [project_id, person.id, role, admin.id, now()])
    return get_user(db, person.id)


def stored_datasets(home, project_id: int = 1) -> dict:
    """The project's stored datasets by name, read from the data folder as the app stores them."""
    db = open_store(home)
    try:
        return {d.name: d for d in list_datasets(db, project_id)}
    finally:
        db.close()
