"""The Datasets page's pieces: upload (through the one reader), the list, and rename / role / delete."""
from __future__ import annotations

import pandas as pd
import sqlite_utils
import streamlit as st

from analysis.reading.read import EXTENSIONS, MAX_UPLOAD_BYTES, ReadError, format_size, read_table, sheet_names
from components import shell
from components.text import plain
from design.document import target_choice
from store.datasets import ROLES, Dataset, add_dataset, delete_dataset, list_datasets, rename_dataset, set_role
from store.documents import latest_revision
from store.errors import StoreError
from store.people import User
from store.projects import Project


def upload(db: sqlite_utils.Database, project: Project, author: User) -> None:
    """The file uploader. Each new file is read, checked and stored once; a bad file gets a message and
    changes nothing that is stored. A workbook with several sheets asks which sheet to store first."""
    files = st.file_uploader(
        f"Upload data files (up to {format_size(MAX_UPLOAD_BYTES)} each)",
        type=list(EXTENSIONS),
        accept_multiple_files=True,
        key=f"upload-{project.id}",
        help="CSV (comma, semicolon, tab or pipe separated; UTF-8 or Latin-1; the first row names the columns), "
             "gzip-compressed CSV (.csv.gz), Parquet, or an Excel workbook "
             "(.xlsx: the sheet's first row names the columns).",
    )
    done = st.session_state.setdefault(f"uploaded-{project.id}", {})
    for file in files or []:
        sheets = sheet_names(file.getvalue()) if file.name.lower().endswith((".xlsx", ".xlsm")) else []
        if len(sheets) > 1:
            _choose_sheet(db, project, file, sheets, author, done)
            continue
        if file.file_id not in done:
            done[file.file_id] = _store_upload(db, project, file, author)
        kind, message = done[file.file_id]
        getattr(st, kind)(plain(message))


def _choose_sheet(db, project: Project, file, sheets: list[str], author: User, done: dict) -> None:
    """The sheet chooser of a workbook with several sheets: pick one, store it; another can be stored after it."""
    with st.container(border=True):
        sheet = st.selectbox(f"Sheet of {plain(file.name)} to store", sheets, key=f"sheet-{file.file_id}",
                             help="The workbook has several sheets; each one you store becomes a dataset of its own.")
        if st.button("Store this sheet", key=f"store-sheet-{file.file_id}"):
            done[(file.file_id, sheet)] = _store_upload(db, project, file, author, sheet)
        for key, (kind, message) in done.items():
            if isinstance(key, tuple) and key[0] == file.file_id:
                getattr(st, kind)(plain(message))


def _store_upload(db, project: Project, file, author: User, sheet: str | None = None) -> tuple[str, str]:
    name = file.name if sheet is None else f"{file.name} · {sheet}"
    try:
        with st.spinner(f"Reading {plain(name)}…"):
            table = read_table(file.getvalue(), file.name, sheet)
            dataset, created = add_dataset(db, project.id, name, table, author)
    except (ReadError, StoreError) as error:
        return "error", str(error)
    shell.keep("dataset", dataset.id)      # the data pages open on the file just uploaded
    if not created:
        return "info", f"{name}: the same data is already stored here as '{dataset.name}'; nothing was added."
    notes = " ".join(table.notes)
    return "success", f"Stored '{dataset.name}': {dataset.rows:,} rows × {dataset.columns} columns. {notes}".strip()


def _source_label(dataset: Dataset) -> str:
    source = dataset.source or {}
    if source.get("kind") == "sql":
        return f"SQL: {source.get('connection')} ({source.get('sample_rows', 0):,}-row sample kept)"
    if source.get("kind") == "folder":
        return f"folder: {source.get('folder')}/{source.get('path')}"
    return "upload"


def dataset_table(datasets: list[Dataset]) -> None:
    """The project's datasets as a table."""
    rows = [
        {
            "Dataset": d.name,
            "Role": d.role or "",
            "Rows": d.rows,
            "Columns": d.columns,
            "Size": "in the source" if d.is_sql else format_size(d.size_bytes),
            "Source": _source_label(d),
            "Types": ", ".join(f"{n} {t}" for t, n in pd.Series(d.column_types).value_counts().items()),
            "Uploaded by": d.uploaded_by,
            "Uploaded (UTC)": d.uploaded_at.replace("T", " ")[:16],
            "Hash": d.content_hash[:12],
        }
        for d in datasets
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")


def manage(db: sqlite_utils.Database, datasets: list[Dataset], user: User) -> None:
    """Rename a dataset, set its role, or delete it after a confirmation."""
    by_id = {d.id: d for d in datasets}
    chosen = by_id[st.selectbox("Dataset", list(by_id), format_func=lambda i: by_id[i].name, key="manage-dataset")]
    with st.form(f"edit-dataset-{chosen.id}"):
        name = st.text_input("Name", value=chosen.name, key=f"ds-name-{chosen.id}")
        role_options = [None, *ROLES]
        role = st.selectbox(
            "Role", role_options, index=role_options.index(chosen.role), key=f"ds-role-{chosen.id}",
            format_func=lambda r: "none" if r is None else r,
            help="Train and test feed baselines and leakage checks; reference and current feed drift reports.",
        )
        if st.form_submit_button("Save name and role"):
            try:
                rename_dataset(db, chosen.id, name, by=user)
                set_role(db, chosen.id, role, by=user)
            except StoreError as error:
                st.error(plain(str(error)))
            else:
                shell.flash(f"Saved '{name.strip()}' with role {role or 'none'}.")
                st.rerun()
    confirm_key = f"confirm-delete-{chosen.id}"
    if not st.session_state.get(confirm_key):
        if st.button(f"Delete '{plain(chosen.name)}'…", key=f"delete-{chosen.id}"):
            st.session_state[confirm_key] = True
            st.rerun()
        return
    st.warning(plain(f"Delete '{chosen.name}' ({chosen.rows:,} rows)? "
                     "Evidence already computed on it stays in the review."))
    yes, no = st.columns(2)
    if yes.button("Yes, delete it", type="primary", key=f"delete-yes-{chosen.id}"):
        try:
            delete_dataset(db, chosen.id, by=user)
        except StoreError as error:
            st.error(plain(str(error)))
            return
        st.session_state.pop(confirm_key)
        shell.flash(f"Deleted '{chosen.name}'.")
        st.rerun()
    if no.button("Cancel", key=f"delete-no-{chosen.id}"):
        st.session_state.pop(confirm_key)
        st.rerun()


def pick_dataset(db: sqlite_utils.Database, project: Project, role: str = "train", label: str = "Dataset",
                 key: str = "dataset") -> tuple[Dataset, dict[int, Dataset]]:
    """The dataset chooser shared by the data pages (?dataset=ID in the URL, newest first; by default the
    dataset with ``role``); stops with a pointer to the Datasets page when the project has none. Returns the
    chosen one and all by id."""
    datasets = {d.id: d for d in list_datasets(db, project.id)}
    if not datasets:
        st.info("No dataset yet: upload a data file (CSV, Parquet, Excel) on the Datasets page.")
        st.page_link("pages/datasets.py", label="Go to Datasets", icon=":material/table:")
        st.stop()
    with_role = next((d.id for d in datasets.values() if d.role == role), None)
    source = shell.url_choice(key, list(datasets), int, default=with_role)
    chosen = st.selectbox(label, list(datasets), format_func=lambda i: datasets[i].name, key=key,
                          on_change=shell.to_url, args=(key,))
    if source == "default":
        st.caption(f"The project's {role} dataset (its role on the Datasets page).")
    return datasets[chosen], datasets


def document_choices(db: sqlite_utils.Database, project: Project) -> tuple[str | None, str | None]:
    """The target column and positive class the project's design document names (Data section)."""
    revision = latest_revision(db, project.id)
    return target_choice(revision.content) if revision else (None, None)


def pick_target(dataset: Dataset, label: str, none_label: str, suggested: str | None = None) -> str | None:
    """The target chooser shared by the data pages (?target=column in the URL); None when not chosen.
    ``suggested``: the design document's target column, chosen when nothing else was."""
    columns = [None, *dataset.column_types]
    source = shell.url_choice("target", columns, str, default=suggested)
    target = st.selectbox(label, columns, key="target", format_func=lambda c: none_label if c is None else c,
                          on_change=shell.to_url, args=("target",))
    if target is not None and target == suggested and source == "default":
        st.caption("Target from the design document (Data section).")
    elif suggested and suggested not in dataset.column_types:
        st.caption(plain(f"The design document names the target '{suggested}', which is not a column of this dataset."))
    return target
