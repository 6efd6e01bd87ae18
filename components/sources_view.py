"""The Datasets page's source pickers: a file from a data folder on the server, a SQL connection's table or a
read-only query, and reading a SQL source again. The folders and connections come from the settings
(analysis.sources.settings, read from `.streamlit/secrets.toml` like the sign-in settings); a person picks, never
types, an address, and is offered only the folders and connections granted to them in this project (store.grants;
the store refuses the others). Every refusal is a message, never a traceback."""
from __future__ import annotations

from pathlib import Path

import sqlite_utils
import streamlit as st

from analysis.profile.describe import DEFAULT_SAMPLE_ROWS
from analysis.reading.read import ReadError, format_size, read_table, sheet_names
from analysis.sources.folders import PathRefused, list_files, resolve_file, resolve_folder
from analysis.sources.postgres import SourceError, list_tables, open_source, read_source
from analysis.sources.query import QueryRefused, check_query, table_query
from analysis.sources.settings import (
    EXAMPLE,
    SourceSettings,
    SourceSettingsError,
    SqlConnection,
    UnknownConnection,
    read_source_settings,
)
from components import shell
from components.identity import read_secrets
from components.text import plain
from store.datasets import Dataset, add_dataset, update_source
from store.errors import StoreError
from store.grants import may, require_source
from store.people import User
from store.projects import Project

MAX_FOLDER_FILE_BYTES = 2**30      # a file of a data folder is read whole into memory, as an upload is
WAYS = ("Upload files", "From a data folder", "From a SQL connection")


def settings() -> SourceSettings | None:
    """The data-source settings of this server; None (and what to fix, with an example) when they are wrong."""
    try:
        return read_source_settings(read_secrets())
    except SourceSettingsError as error:
        st.error(plain(error.HEADLINE) + "\n\n" + "\n".join(f"- {plain(p)}" for p in error.problems))
        st.code(EXAMPLE, language="toml")
        return None


def open_to(db: sqlite_utils.Database, person: User, project: Project, sources: SourceSettings) -> SourceSettings:
    """The folders and connections ``person`` may use in ``project`` (all of them for an admin)."""
    return sources.usable(lambda grant: may(db, person, grant, project.id))


def _none_open(withheld: int, kind: str, how: str) -> str:
    """What to say when no ``kind`` ("data folder", "SQL connection") is offered: none set up, or ``withheld``
    ones not granted to the person."""
    if withheld:
        return (f"No {kind} is open to you in this project. An admin says who may use each one in "
                ".streamlit/secrets.toml (people = [\"you@example.org\"] or projects = [id] in its settings; README, "
                "\"Data sources\"): ask one to grant you the one you need.")
    return f"No {kind} is set up on this server. {how}"


def choose_way(project: Project) -> str:
    """Upload, a data folder or a SQL connection."""
    return st.radio("Add data", WAYS, horizontal=True, key=f"add-way-{project.id}")


def _say(kind: str, message: str) -> None:
    getattr(st, kind)(plain(message))


def from_folder(db: sqlite_utils.Database, project: Project, author: User, sources: SourceSettings) -> None:
    """Pick a data folder open to ``author`` and a file under it; the file is read by the one reader and stored
    like an upload."""
    sources = open_to(db, author, project, sources)
    if not sources.data_folders:
        st.info(_none_open(sources.withheld_folders, "data folder",
                           "An admin lists them in .streamlit/secrets.toml, e.g. "
                           'data_folders = ["/srv/data"] under [blueprint] (README, "Data sources").'))
        return
    folder = st.selectbox("Data folder", [str(f) for f in sources.data_folders], key=f"folder-{project.id}")
    try:
        files = list_files(resolve_folder(sources.data_folders, folder))
    except (PathRefused, OSError) as error:
        _say("error", f"The folder {folder} cannot be listed: {error}")
        return
    if not files:
        st.info(plain(f"{folder} holds no data file (Parquet, CSV, gzip CSV or Excel)."))
        return
    relative = st.selectbox("File", files, key=f"folder-file-{project.id}",
                            help="Files under the folder (sub-folders too); "
                                 "links that lead outside it are not offered.")
    sheet = None
    if relative.lower().endswith((".xlsx", ".xlsm")):
        try:
            sheets = sheet_names(resolve_file(sources.data_folders, folder, relative).read_bytes())
        except (PathRefused, OSError):
            sheets = []
        if len(sheets) > 1:
            sheet = st.selectbox("Sheet", sheets, key=f"folder-sheet-{project.id}")
    if st.button("Store this file", key=f"folder-store-{project.id}"):
        _say(*store_folder_file(db, project, author, sources, folder, relative, sheet))


def store_folder_file(db, project: Project, author: User, sources: SourceSettings, folder: str, relative: str,
                      sheet: str | None = None) -> tuple[str, str]:
    """(message kind, message) of storing ``relative`` under data folder ``folder``: the path checked by the path
    rules, the file read by analysis.reading.read.read_table, stored by content hash with where it came from."""
    name = Path(relative).name if sheet is None else f"{Path(relative).name} · {sheet}"
    source = {"kind": "folder", "folder": folder, "path": relative, "sheet": sheet}
    try:
        path = resolve_file(sources.data_folders, folder, relative)
        require_source(db, author, project.id, f"the data folder {folder}", sources.grant(source))   # before reading
        size = path.stat().st_size
        if size > MAX_FOLDER_FILE_BYTES:
            raise PathRefused(f"{relative} is {format_size(size)}; a file of a data folder is read whole, up to "
                              f"{format_size(MAX_FOLDER_FILE_BYTES)}. Keep a sample of it as a smaller file, or put "
                              "the data in a SQL source, which is profiled where it is.")
        with st.spinner(f"Reading {plain(relative)}…"):
            table = read_table(path.read_bytes(), path.name, sheet, max_bytes=MAX_FOLDER_FILE_BYTES)
            dataset, created = add_dataset(db, project.id, name, table, author, source=source,
                                           grant=sources.grant(source))
    except (PathRefused, ReadError, StoreError, OSError) as error:
        return "error", str(error)
    shell.keep("dataset", dataset.id)
    if not created:
        return "info", f"{name}: the same data is already stored here as '{dataset.name}'; nothing was added."
    notes = " ".join(table.notes)
    return "success", (f"Stored '{dataset.name}' from {folder}/{relative}: {dataset.rows:,} rows × {dataset.columns} "
                       f"columns. {notes}").strip()


@st.cache_data(ttl=60, show_spinner=False)
def _tables(connection: SqlConnection) -> list[tuple[str, str]]:
    with open_source(connection) as conn:
        return list_tables(conn)


def from_sql(db: sqlite_utils.Database, project: Project, author: User, sources: SourceSettings) -> None:
    """Pick a connection and a table, or write a read-only query; the database computes the identity and draws
    the sample that is stored; the profile's exact figures are computed there too (jobs.sources). Only the
    connections open to ``author`` in the project are offered."""
    sources = open_to(db, author, project, sources)
    if not sources.connections:
        st.info(_none_open(sources.withheld_connections, "SQL connection",
                           "An admin adds one in .streamlit/secrets.toml as "
                           '[blueprint.sql.NAME] with url = "postgresql://user:password@host:5432/database" '
                           '(README, "Data sources").'))
        return
    name = st.selectbox("Connection", list(sources.connections), key=f"sql-connection-{project.id}")
    how = st.radio("Read", ("A table", "A query"), horizontal=True, key=f"sql-how-{project.id}")
    connection = sources.connection(name)
    if how == "A table":
        try:
            tables = _tables(connection)
        except SourceError as error:
            _say("error", str(error))
            return
        if not tables:
            st.info(plain(f"'{name}' shows no table its user may read."))
            return
        labels = {f"{s}.{t}": (s, t) for s, t in tables}
        chosen = st.selectbox("Table", list(labels), key=f"sql-table-{project.id}")
        query, default_name = table_query(*labels[chosen]), labels[chosen][1]
    else:
        query = st.text_area("Query (read-only: SELECT or WITH)", key=f"sql-query-{project.id}", height=120,
                             help="Run in a read-only transaction with a time limit; anything that writes is refused.")
        default_name = f"{name} query"
    label = st.text_input("Dataset name", value=default_name, key=f"sql-name-{project.id}-{how}-{default_name}")
    strata = st.text_input("Stratify the sample by (a column, optional)", key=f"sql-strata-{project.id}",
                           help="The target, for a classification: each class keeps its share in the sample.")
    if st.button("Read and store", key=f"sql-store-{project.id}"):
        _say(*store_sql(db, project, author, sources, name, query, label, strata.strip() or None,
                        checked=how == "A table"))


def store_sql(db, project: Project, author: User, sources: SourceSettings, connection_name: str, query: str,
              name: str, strata: str | None = None, checked: bool = False) -> tuple[str, str]:
    """(message kind, message) of reading a SQL source and storing it: identity and sample by the database."""
    try:
        connection = sources.connection(connection_name)
        grant = connection.grant
        require_source(db, author, project.id, f"the SQL connection '{connection_name}'", grant)   # before reading
        query = query if checked else check_query(query)
        with st.spinner(f"Reading from {plain(connection_name)}…"):
            table, source, rows = read_source(connection, query, DEFAULT_SAMPLE_ROWS, 0, strata)
            dataset, created = add_dataset(db, project.id, name, table, author, source=source, rows=rows, grant=grant)
    except (UnknownConnection, QueryRefused, SourceError, StoreError) as error:
        return "error", str(error)
    shell.keep("dataset", dataset.id)
    if not created:
        return "info", (f"The source returns the same rows as '{dataset.name}' (same connection, query, row count "
                        "and checksum); nothing was added.")
    return "success", f"Stored '{dataset.name}': {rows:,} rows × {dataset.columns} columns. {' '.join(table.notes)}"


def read_again(db: sqlite_utils.Database, datasets: list[Dataset], user: User, sources: SourceSettings) -> None:
    """Read a SQL dataset's source again: the same identity changes nothing; another one replaces the dataset's
    identity and sample, which marks the evidence computed on the former rows stale."""
    sql = {d.id: d for d in datasets if d.is_sql}
    if not sql:
        return
    with st.expander("SQL sources: read again"):
        chosen = sql[st.selectbox("SQL dataset", list(sql), format_func=lambda i: sql[i].name, key="reread-dataset")]
        s = chosen.source
        st.caption(plain(f"Read from '{s['connection']}' at {s['checked_at']}: {s['rows']:,} rows, checksum "
                         f"{s['checksum']}. The source may have changed since."))
        if st.button("Read the source again", key=f"reread-{chosen.id}"):
            _say(*reread(db, chosen, user, sources))


def reread(db, dataset: Dataset, user: User, sources: SourceSettings) -> tuple[str, str]:
    s = dataset.source
    try:
        require_source(db, user, dataset.project_id, f"the SQL connection '{s['connection']}'", sources.grant(s))
        connection = sources.connection(s["connection"])
        with st.spinner(f"Reading from {plain(s['connection'])}…"):
            table, source, rows = read_source(connection, s["query"], DEFAULT_SAMPLE_ROWS, s.get("seed", 0),
                                              s.get("target"))
            if table.content_hash == dataset.content_hash:
                return "info", (f"'{dataset.name}': the source returns the same {rows:,} rows (same checksum); "
                                "nothing changed.")
            update_source(db, dataset.id, table, source, rows, by=user, grant=connection.grant)
    except (UnknownConnection, SourceError, StoreError) as error:
        return "error", str(error)
    return "warning", (f"'{dataset.name}' changed in its source: {s['rows']:,} rows then, {rows:,} now. It now holds "
                       "the source as it is; the evidence computed on the former rows is marked stale: "
                       "profile it again.")
