"""The frame around every page: the store connection, the chosen project, the user's name (who: identity.py).

app.py builds an AppContext each run and serves the chosen page inside ``serving(context)``. Each page
starts with ``page_context()``. When a page script runs without app.py around it (Streamlit's first visit
to a deep link on a fresh server runs ``pages/x.py`` directly), that call runs app.py itself, which serves
the requested page with the full app around it, and then stops the direct run.
"""
from __future__ import annotations

import contextlib
import getpass
import runpy
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils
import streamlit as st
from streamlit.errors import StreamlitAPIException

from components.text import plain
from jobs.pool import pool_for
from sample_data.seed import seed_sample_project
from store.access import A_ROLE, can, role_of, who_may
from store.db import DB_FILE, connect, home_dir, open_store
from store.errors import StoreError
from store.people import User
from store.projects import Project, list_projects

APP_PATH = Path(__file__).resolve().parents[1] / "app.py"
_local = threading.local()


@dataclass(frozen=True)
class AppContext:
    """What every page needs: ``db`` (open for this run), ``project`` (None when there is none), ``user`` (who
    is working: every store write is made as them and checked against their role) and ``author`` (their name)."""

    db: sqlite_utils.Database
    project: Project | None
    author: str
    user: User

    def can(self, right: str) -> bool:
        """Whether the user's role in the project grants ``right`` (a courtesy for what a page offers; the store
        checks again on every write)."""
        return self.project is not None and can(self.db, self.user, self.project.id, right)


@st.cache_resource(show_spinner="Preparing the data folder…")
def _prepared(home: str) -> str:
    """Create, migrate and seed the store once per server process and data folder. The sample project's
    analyses are queued as jobs, so the first page is served at once and fills in as they finish."""
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


def set_project(project_id: int) -> None:
    """Open ``project_id`` on the next run (after creating or importing a project; then st.rerun())."""
    st.query_params["project"] = str(project_id)
    want("project", project_id)


def choose_project(db: sqlite_utils.Database, user: User, archived_ok: bool = False) -> Project | None:
    """The sidebar project picker. The choice lives in the URL (?project=ID) and in the session, so a
    copied link opens the same project and a page switch keeps it. A link to a project that does not exist,
    or is archived (except where ``archived_ok``: the Projects page, which restores it), opens nothing
    silently: the page says so and lists the projects (see require_project)."""
    projects = {p.id: p for p in list_projects(db, include_archived=True, user=user)}
    raw = st.query_params.get("project")
    wanted = _int(raw)
    st.session_state.pop("project-problem", None)
    if raw is not None and (wanted not in projects or (projects[wanted].archived and not archived_ok)):
        st.session_state["project-problem"] = (
            f"There is no project {raw} here that you can open: the link is wrong, the project was deleted, or "
            "you are not one of its members (ask an owner to add you)."
            if wanted not in projects else
            f"The project '{projects[wanted].name}' is archived. Restore it on the Projects page to open it.")
        return None        # the page says so and lists the projects (require_project); the link stays as given
    if wanted is None:
        wanted = st.session_state.get("project_id")
    if wanted not in projects or (projects[wanted].archived and not archived_ok):
        active = [p for p in projects.values() if not p.archived]
        wanted = active[0].id if active else None
    if wanted is None:
        st.info("No project yet: create one on the Projects page.")
        return None
    options = [pid for pid, p in projects.items() if not p.archived or pid == wanted]
    st.session_state["project_id"] = wanted
    st.selectbox(
        "Project",
        options,
        format_func=lambda pid: projects[pid].name + (" (archived)" if projects[pid].archived else ""),
        key="project_id",
        on_change=_project_to_url,
    )
    if raw is not None:
        want("project", wanted)      # a default project travels in the menu's links, not in this URL
    return projects[wanted]


def local_account() -> str:
    """The operating-system account running the server: who the one person of local mode is."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "me"


LOOPBACK = ("127.0.0.1", "localhost", "::1")


def refuse_open_address() -> None:
    """Local mode has no sign-in, so it serves this machine only: on any other address, every page shows
    why and what to do instead of the app (as Jupyter refuses an open server without a token)."""
    address = (st.get_option("server.address") or "").strip()
    if address in LOOPBACK:
        return
    shown = address or "all network interfaces (no --server.address given)"
    st.error(f"Blueprint runs in local mode: one person, no sign-in. It serves this machine only, so it refuses "
             f"to serve on {shown}, where anyone who can reach this computer could read and change every project. "
             "Start it with --server.address 127.0.0.1 (what `make run` does). To serve a team, sign people in: "
             'set [blueprint] sign_in = "oidc" (with an [auth] section for your OpenID Connect provider) or '
             'sign_in = "header" (behind a sign-in proxy) in .streamlit/secrets.toml; README, "Ways to run".')
    st.stop()


@contextlib.contextmanager
def serving(context: AppContext) -> Iterator[None]:
    """Mark that app.py is serving a page, with ``context``, for this script thread. The user is also kept in
    the session for the callbacks and fragments of this page, which run without app.py (acting_user)."""
    _local.context = context
    st.session_state["acting-user"] = context.user
    try:
        yield
    finally:
        _local.context = None


def acting_user() -> User | None:
    """The user of this session's last full run: who a button's callback or a fragment acts as (the store checks
    their rights again on every write)."""
    return st.session_state.get("acting-user")


def page_context() -> AppContext:
    """The AppContext of this run. Called first by every page; see the module docstring."""
    context = getattr(_local, "context", None)
    if context is None:
        runpy.run_path(str(APP_PATH), run_name="__main__")
        st.stop()
    return context


def require_project(context: AppContext) -> Project:
    """The chosen project, or a message (no project yet; a link to an unknown or archived project) with the
    list of projects to open, and a stop."""
    if context.project is None:
        problem = st.session_state.get("project-problem")
        if problem:
            st.error(plain(problem))
            projects = list_projects(context.db, user=context.user)     # only those this person may open
            if projects:
                st.markdown("Open one of these projects:")
                for p in projects:
                    st.page_link("pages/projects.py", label=plain(p.name), query_params={"project": str(p.id)},
                                 icon=":material/folder:")
        else:
            st.info("Create a project on the Projects page first.")
        st.page_link("pages/projects.py", label="Go to Projects")
        st.stop()
    return context.project


def may(context: AppContext, right: str, what: str) -> bool:
    """Whether the user may ``what`` here; when not, the page says so once (their role, and who may). The
    store refuses the write anyway: this spares a person a form they cannot send."""
    if context.can(right):
        return True
    st.info(plain(_why_not(context, right, what)))
    return False


def _why_not(context: AppContext, right: str, what: str) -> str:
    """Why the user may not ``what`` here, in words: their role, and who may."""
    if getattr(context.user, "read_only", False):
        return "This is a read-only link: you can read and export, not change anything."
    role = role_of(context.db, context.user, context.project.id) if context.project else None
    if role is None:
        return (f"You are not a member of this project, so you cannot {what}. "
                "Ask one of its owners to add you (Projects page).")
    return (f"You are {A_ROLE[role]} of this project: only {who_may(right)} can {what}. "
            "Ask an owner (Projects page) for another role.")


def flash(message: str) -> None:
    """Keep a success message for the next run (e.g. across st.rerun)."""
    st.session_state["flash"] = message


def show_flash() -> None:
    """Show, once, the message kept by flash()."""
    message = st.session_state.pop("flash", None)
    if message:
        st.success(plain(message))


URL_KEYS = ("dataset", "target", "section")   # choices that follow a person from page to page, in every link


def url_choice(key: str, options: list, convert=str, default=None) -> str:
    """Prepare the widget ``key`` (call just before creating it). Its value is, in this order: the URL's
    (?key=...) when that is one of ``options``; what this session chose last, on this page or another (kept
    under a second key, since a widget's own state goes when a page without it runs); ``default`` (e.g. the
    design document's choice); the first option. Give the widget ``on_change=to_url, args=(key,)``.
    Returns where the value came from: "link", "session", "default" or "first"; a value first taken from
    the default (or the first option) keeps saying so on the next pages, until the person chooses.
    The URL shows what the person chose (written at the end of the run, see write_url) and is corrected when
    it names something that is not there; a default is not written into the current URL (that would be a
    second history entry for one visit) but travels in the menu's links, so the next page's URL has it."""
    raw = st.query_params.get(key)
    try:
        wanted = convert(raw) if raw is not None else None
    except (TypeError, ValueError):
        wanted = None
    kept = st.session_state.get(f"{key}-kept")
    origin = st.session_state.get(f"{key}-origin", "chosen")
    if raw is not None and wanted in options:
        value, source = wanted, "link"
    elif key in st.session_state and st.session_state[key] in options:
        value, source = st.session_state[key], "session"
    elif f"{key}-kept" in st.session_state and kept in options:
        value, source = kept, "session"
    elif default is not None and default in options:
        value, source = default, "default"
    else:
        value, source = options[0], "first"
    if source in ("link", "session") and value == kept and origin in ("default", "first"):
        source = origin                 # still the default a page chose, only carried here
    st.session_state[key] = st.session_state[f"{key}-kept"] = value
    st.session_state[f"{key}-origin"] = source if source in ("default", "first") else "chosen"
    if raw is not None or source not in ("default", "first"):
        want(key, value)
    _redraw_navigation()               # the menu's links carry the choice even if the page stops further down
    return source


def keep(key: str, value) -> None:
    """Record ``value`` as the person's choice for ``key`` (e.g. the dataset just uploaded): the next page that
    offers ``key`` opens on it."""
    st.session_state[f"{key}-kept"] = value
    st.session_state[f"{key}-origin"] = "chosen"


def to_url(key: str) -> None:
    """on_change of a widget prepared by url_choice: the person's new choice goes into the URL now (before
    the run that url_choice reads it in) and is kept for the next page."""
    value = st.session_state.get(key)
    keep(key, value)
    if value is None:
        st.query_params.pop(key, None)
    else:
        st.query_params[key] = str(value)


def want(key: str, value) -> None:
    """Ask for ``key=value`` in the URL (None: without ``key``); written once, by write_url()."""
    _local_url()[key] = value


def _local_url() -> dict:
    wanted = getattr(_local, "url", None)
    if wanted is None:
        wanted = _local.url = {}
    return wanted


_ORDER = ("project", *URL_KEYS)        # one order, so the same choices always give the same query string


def _ordered(params: dict[str, str]) -> dict[str, str]:
    return {k: params[k] for k in sorted(params, key=lambda k: (_ORDER.index(k) if k in _ORDER else len(_ORDER), k))}


def _final_url() -> dict[str, str]:
    """The URL's parameters with this run's wanted changes applied, in one order."""
    final = st.query_params.to_dict()
    for key, value in _local_url().items():
        if value is None:
            final.pop(key, None)
        else:
            final[key] = str(value)
    return _ordered(final)


def write_url() -> None:
    """Write the URL once at the end of a run (app.py): every query-string change is a browser history entry,
    so writing key by key made Back need several presses per page. Keys bound to a widget
    (``bind="query-params"``, e.g. Explore's tab) are the widget's to write: only changed keys are set."""
    final = _final_url()
    _local.url = None
    current = st.query_params.to_dict()
    changed = {k: v for k, v in final.items() if current.get(k) != v}
    removed = [k for k in current if k not in final]
    if removed:
        try:
            st.query_params.from_dict(final)        # one message, in the one order
            return
        except StreamlitAPIException:               # a bound key: remove the others one by one
            for key in removed:
                del st.query_params[key]
    if changed:
        st.query_params.update(changed)             # one message


def carried() -> dict[str, str]:
    """What the menu's links carry: the URL's parameters with the project and the choices that follow a person
    (URL_KEYS) filled in, so following a link changes only the path (one history entry per visit)."""
    final = _final_url()
    links = {key: final[key] for key in _ORDER if key in final}
    if "project" not in links and st.session_state.get("project_id") is not None:
        links["project"] = str(st.session_state["project_id"])
    for key in URL_KEYS:
        kept = st.session_state.get(f"{key}-kept")
        if key not in links and kept is not None:
            links[key] = str(kept)
    return _ordered(links)


def _redraw_navigation() -> None:
    menu = getattr(_local, "menu", None)
    if menu is not None:
        draw_navigation(*menu)


def draw_navigation(menu, pages: dict[str, list]) -> None:
    """The app's page menu in ``menu`` (an st.empty in the sidebar; drawing again replaces it): one link per
    listed page, under its section name, each carrying this run's choices (carried()). app.py draws it before
    the page runs (so a page that stops still has it) and again after; url_choice redraws it when a page
    chooses (so the links carry the choice even when the page stops before its end).
    Streamlit's own menu drops the query string; writing it back after the switch made a second
    browser-history entry per page visit."""
    _local.menu = (menu, pages)
    links = carried()
    with menu.container():
        for section, section_pages in pages.items():
            listed = [page for page in section_pages if page.visibility != "hidden"]
            if not listed:
                continue
            st.caption(section)
            for page in listed:
                st.page_link(page, label=page.title, icon=page.icon, query_params=links)
