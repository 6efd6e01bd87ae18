"""The design document's feature table (Data section): its editor, and filling it from a dataset with one click."""
from __future__ import annotations

import pandas as pd
import sqlite_utils
import streamlit as st

from components import shell
from components.text import plain
from design import fields as F
from design.document import DocumentError, fill_feature_table, value, with_section
from store.datasets import list_datasets
from store.documents import latest_revision, save_revision
from store.errors import StaleRevisionError, StoreError
from store.people import User
from store.projects import Project

HEADERS = {"column": "Column", "known": "Known at prediction time", "source": "Source", "note": "Note"}


def editor(field: F.Field, rows: list[dict] | None, key: str) -> list[dict]:
    """The feature table as an editable grid (inside the section's form); returns its rows as dicts."""
    st.markdown(f"**{plain(field.label)}**")
    st.caption(plain(field.question))           # the guiding question under the label, as for every field
    frame = pd.DataFrame(rows or [], columns=list(F.TABLE_COLUMNS)).fillna("")
    edited = st.data_editor(
        frame, key=key, num_rows="dynamic", hide_index=True, width="stretch",
        column_config={
            "column": st.column_config.TextColumn(HEADERS["column"], required=True, max_chars=F.MAX_ITEM_CHARS),
            "known": st.column_config.SelectboxColumn(HEADERS["known"], options=list(F.KNOWN), default="unknown",
                                                      help="Is the value there when the prediction is made?"),
            "source": st.column_config.TextColumn(HEADERS["source"], max_chars=F.MAX_ITEM_CHARS),
            "note": st.column_config.TextColumn(HEADERS["note"], max_chars=F.MAX_ITEM_CHARS),
        },
    )
    if not rows:
        st.caption("Empty: fill it from a dataset's columns with the button above the form, or add rows here.")
    return edited.to_dict("records") if isinstance(edited, pd.DataFrame) else list(edited or [])


def fill_control(db: sqlite_utils.Database, project: Project, author: User, on_saved) -> None:
    """"Fill the feature table from <dataset>": a row per column of the chosen dataset that the table lacks, marked
    'unknown', saved at once as a new revision; ``on_saved(revision)`` reloads the editor."""
    datasets = {d.id: d for d in list_datasets(db, project.id)}
    if not datasets:
        st.caption("Upload a dataset on the Datasets page to fill the feature table from its columns.")
        return
    chosen = next(iter(datasets))
    if len(datasets) > 1:
        chosen = st.selectbox("Dataset for the feature table", list(datasets), format_func=lambda i: datasets[i].name,
                              key="ft-dataset")
    dataset = datasets[chosen]
    clicked = st.button(f"Fill the feature table from {plain(dataset.name)}", key="ft-fill",
                        help="Adds a row for each column of the dataset that the table lacks, marked 'unknown' until "
                             "you say when it is known; rows already there keep what was written. Saves a new revision "
                             "(unsaved edits in this section are replaced by the saved text).")
    if not clicked:
        return
    latest = latest_revision(db, project.id)
    content = latest.content if latest else {}
    rows, added = fill_feature_table(value(content, "data", "feature_table"), list(dataset.column_types), dataset.name)
    if not added:
        st.info(plain(f"The feature table already lists every column of {dataset.name}."))
        return
    try:
        document = with_section(content, "data", {**(content.get("data") or {}), "feature_table": rows})
        saved = save_revision(db, project.id, document, author, parent_id=latest.id if latest else None, section="data")
    except DocumentError as error:
        st.error("Not filled. " + plain(" ".join(error.messages)))
        return
    except (StaleRevisionError, StoreError) as error:
        st.error(plain(str(error)))
        return
    on_saved(saved)
    shell.flash(f"Filled the feature table from {dataset.name}: {added} column{'s' if added != 1 else ''} added, "
                f"marked 'unknown' until you say when each is known. Saved as revision {saved.number}.")
    st.rerun()
