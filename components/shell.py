"""The frame around every page: the store connection, the chosen project, the user's name.

app.py builds an AppContext each run and serves the chosen page inside ``serving(context)``. Each page
starts with ``page_context()``. When a page script runs without app.py around it (Streamlit's first visit
to a deep link on a fresh server runs ``pages/x.py`` directly), that call runs app.py itself, which serves
the requested page with the full app around it, and then stops the direct run.
"""
from __future__ import annotations

import contextlib
import runpy
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils
import streamlit as st

from components.text import plain
from store.db import DB_FILE, connect, home_dir, open_store
from store.errors import StoreError
from store.projects import Project, list_projects

APP_PATH = Path(__file__).resolve().parents[1] / "app.py"
_local = threading.local()


@dataclass(frozen=True)
class AppContext:
    """What every page needs: ``db`` (open for this run), ``project`` (None when there is none) and ``author``."""

    db: sqlite_utils.Database
    project: Project | None
    author: str


@st.cache_resource(show_spinner="Preparing the data folder…")
def _prepared(home: str) -> str:
    """Create, migrate and seed the store once per server process and data folder. The sample project's
    analyses are queued as jobs, so the first page is served at once and fills in as they finish."""
    from jobs.pool import pool_for
    from sample_data.seed import seed_sample_project

    db = open_store(home)
    try:
        seed_sample_project(db, background=True)
    finally:
        db.close()
    pool_for(home)        # marks jobs left running by a stopped server as interrupted; runs queued ones
    return home


def connect_store() -> sqlite_utils.Database:
    """A new connection to the (prepared) store in BLUEPRINT_HOME."""
    home = str(home_dir())
    _prepared(home)
    return connect(Path(home) / DB_FILE)


def open_db() -> sqlite_utils.Database:
    """This run's connection; on a store that cannot be opened, show why and how to fix it, and stop."""
    try:
        return connect_store()
    except StoreError as error:
        st.error(str(error))
        st.stop()


def _int(text) -> int | None:
    try:
        return int(text)
    except (TypeError, ValueError):
        return None


def _project_to_url() -> None:
    st.query_params["project"] = str(st.session_state["project_id"])


def choose_project(db: sqlite_utils.Database) -> Project | None:
    """The sidebar project picker. The choice lives in the URL (?project=ID) and in the session, so a
    copied link opens the same project and a page switch (which clears the URL's query) keeps it."""
    projects = {p.id: p for p in list_projects(db, include_archived=True)}
    wanted = _int(st.query_params.get("project"))
    if wanted not in projects:
        wanted = st.session_state.get("project_id")
    if wanted not in projects:
        active = [p for p in projects.values() if not p.archived]
        wanted = active[0].id if active else None
    if wanted is None:
        st.sidebar.info("No project yet: create one on the Projects page.")
        return None
    options = [pid for pid, p in projects.items() if not p.archived or pid == wanted]
    st.session_state["project_id"] = wanted
    st.sidebar.selectbox(
        "Project",
        options,
        format_func=lambda pid: projects[pid].name + (" (archived)" if projects[pid].archived else ""),
        key="project_id",
        on_change=_project_to_url,
    )
    return projects[wanted]


def _keep_author() -> None:
    st.session_state["author-kept"] = st.session_state["author"].strip()


def author_input() -> str:
    """The user's name, asked once in the sidebar and stamped on every save.

    Kept under a second key and given back to the widget each run: a page switch may give the sidebar
    widget a new identity and so drop its state.
    """
    st.session_state["author"] = st.session_state.get("author-kept", "")
    st.sidebar.text_input("Your name", key="author", help="Shown on every revision you save.", on_change=_keep_author)
    return st.session_state.get("author-kept", "")


@contextlib.contextmanager
def serving(context: AppContext) -> Iterator[None]:
    """Mark that app.py is serving a page, with ``context``, for this script thread."""
    _local.context = context
    try:
        yield
    finally:
        _local.context = None


def page_context() -> AppContext:
    """The AppContext of this run. Called first by every page; see the module docstring."""
    context = getattr(_local, "context", None)
    if context is None:
        runpy.run_path(str(APP_PATH), run_name="__main__")
        st.stop()
    return context


def require_project(context: AppContext) -> Project:
    """The chosen project, or a message pointing to the Projects page and a stop."""
    if context.project is None:
        st.info("Create a project on the Projects page first.")
        st.page_link("pages/projects.py", label="Go to Projects")
        st.stop()
    return context.project


def flash(message: str) -> None:
    """Keep a success message for the next run (e.g. across st.rerun)."""
    st.session_state["flash"] = message


def show_flash() -> None:
    """Show, once, the message kept by flash()."""
    message = st.session_state.pop("flash", None)
    if message:
        st.success(plain(message))


def url_choice(key: str, options: list, convert=str, default=None) -> str:
    """Prepare the widget ``key`` (call just before creating it). Its value is, in this order: the URL's
    (?key=...) when that is one of ``options``; what this session chose last, on this page or another (kept
    under a second key, since a widget's own state goes when a page without it runs); ``default`` (e.g. the
    design document's choice); the first option. The URL is updated to match, so a copied link opens the same
    view. Give the widget ``on_change=to_url, args=(key,)``. Returns where the value came from: "link",
    "session", "default" or "first"."""
    raw = st.query_params.get(key)
    try:
        wanted = convert(raw) if raw is not None else None
    except (TypeError, ValueError):
        wanted = None
    kept = st.session_state.get(f"{key}-kept")
    if raw is not None and wanted in options:
        st.session_state[key], source = wanted, "link"
    elif key in st.session_state and st.session_state[key] in options:
        source = "session"
    elif f"{key}-kept" in st.session_state and kept in options:
        st.session_state[key], source = kept, "session"
    elif default is not None and default in options:
        st.session_state[key], source = default, "default"
    else:
        st.session_state[key], source = options[0], "first"
    to_url(key)
    return source


def to_url(key: str) -> None:
    """Write the widget ``key``'s value into the URL (removing it when None) and keep it for the next page."""
    value = st.session_state.get(key)
    st.session_state[f"{key}-kept"] = value
    if value is None:
        st.query_params.pop(key, None)
    else:
        st.query_params[key] = str(value)
