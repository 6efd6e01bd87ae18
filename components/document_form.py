"""The design-document editor: one form per section, guiding questions as help, saves as revisions.

Per project, the session keeps the editor's state: ``base`` (the revision the user's edits start from),
``content`` (that revision's document, which fills the widgets) and ``gen`` (bumped whenever the widgets
must be refilled, because widget keys include it). A save whose base is no longer the latest is refused
by the store; the user's text stays in the form until they choose what to do.
"""
from __future__ import annotations

from typing import Any

import pandas as pd
import sqlite_utils
import streamlit as st

from components import feature_table, shell
from components.text import plain
from design import fields as F
from design.criteria import format_number
from design.document import DocumentError, section_completeness, with_section
from design.sections import SECTIONS, Section
from store.documents import Revision, latest_revision, list_revisions, save_revision
from store.errors import StaleRevisionError, StoreError
from store.projects import Project


def _state(project_id: int) -> dict:
    return st.session_state.setdefault(f"doc:{project_id}", {"gen": 0, "base": None, "content": None})


def _load(project_id: int, revision: Revision | None) -> None:
    state = _state(project_id)
    state.update(gen=state["gen"] + 1, base=revision.id if revision else None, content=revision.content if revision else {})
    state.pop("stale", None)


def reload(project_id: int, revision: Revision) -> None:
    """Refill the editor from ``revision`` (after a save made outside the form, e.g. filling the feature table)."""
    _load(project_id, revision)


def choose_section(content: dict) -> Section:
    """Section tabs as a radio; the choice lives in the URL (?section=key)."""
    keys = [s.key for s in SECTIONS]
    shell.url_choice("section", keys)
    titles = {s.key: f"{s.title} {section_completeness(content, s).answered}/{len(s.fields)}" for s in SECTIONS}
    chosen = st.radio("Section", keys, format_func=titles.get, horizontal=True, key="section",
                      label_visibility="collapsed", on_change=shell.to_url, args=("section",))
    return next(s for s in SECTIONS if s.key == chosen)


def _widget(field: F.Field, value: Any, key: str) -> Any:
    label, help_ = field.label, field.question
    if field.kind == F.FEATURE_TABLE:
        return feature_table.editor(field, value, key)
    if field.kind == F.TEXT:
        return st.text_area(label, value=value or "", help=help_, key=key, height=110)
    if field.kind == F.CHOICE:
        index = field.options.index(value) if value in field.options else None
        return st.selectbox(label, field.options, index=index, help=help_, key=key, placeholder="Not answered yet")
    if field.kind == F.MULTI_CHOICE:
        return st.multiselect(label, field.options, default=value or [], help=help_, key=key, placeholder="Not answered yet")
    if field.kind == F.NUMBER:
        text = "" if value is None else format_number(value)
        label = f"{label} ({field.unit})" if field.unit else label
        return st.text_input(label, value=text, help=help_, key=key, placeholder="a number")
    hint = "One criterion per line, e.g. recall >= 0.80" if field.kind == F.CRITERIA else "One item per line"
    return st.text_area(label, value=F.as_text(field, value), help=f"{help_}\n\n{hint}.", key=key, height=110, placeholder=hint)


def section_editor(db: sqlite_utils.Database, project: Project, sec: Section, author: str) -> None:
    """The form for one section of ``project``'s document, with save, validation and stale handling."""
    latest = latest_revision(db, project.id)
    state = _state(project.id)
    if state["content"] is None:
        _load(project.id, latest)
    if latest is not None and latest.id != state["base"] and "stale" not in state:
        st.info(plain(f"A newer version exists: {latest.label}."))
        if st.button(f"Load revision {latest.number} (discards unsaved edits)", key=f"load-latest-{project.id}"):
            _load(project.id, latest)
            st.rerun()

    content = state["content"]
    values = content.get(sec.key) or {}
    st.subheader(sec.title)
    st.caption(sec.purpose)
    with st.form(f"section-{project.id}-{sec.key}"):
        raw = {f.key: _widget(f, values.get(f.key), f"f:{project.id}:{state['gen']}:{sec.key}:{f.key}") for f in sec.fields}
        submitted = st.form_submit_button(f"Save {sec.title}", type="primary")
    if submitted:
        _save(db, project, sec, raw, author, latest)
    if "stale" in state:
        _stale_panel(project, sec, state["stale"])


def _save(db, project: Project, sec: Section, raw: dict, author: str, latest: Revision | None) -> None:
    state = _state(project.id)
    base_content = latest.content if latest is not None and latest.id == state["base"] else state["content"]
    try:
        document = with_section(base_content, sec.key, raw)
        saved = save_revision(db, project.id, document, author, parent_id=state["base"], section=sec.key)
    except DocumentError as error:
        st.error("Not saved. Fix these and save again:\n\n" + "\n".join(f"- {plain(m)}" for m in error.messages))
        return
    except StaleRevisionError as error:
        state["stale"] = error.latest
        return
    except StoreError as error:
        st.error(plain(str(error)))
        return
    _load(project.id, saved)
    shell.flash(f"Saved {sec.title} as revision {saved.number}.")
    st.rerun()


def _stale_panel(project: Project, sec: Section, theirs: Revision) -> None:
    st.error(plain(
        f"Not saved: {theirs.author} saved revision {theirs.number} at {theirs.created_at.replace('T', ' ')[:19]} "
        "UTC after you opened this document. Your text is still in the form."
    ))
    theirs_values = theirs.content.get(sec.key) or {}
    with st.expander(f"Their version of {sec.title} (revision {theirs.number})", expanded=True):
        for f in sec.fields:
            st.markdown(f"**{f.label}**")
            st.text(F.as_text(f, theirs_values.get(f.key)) or "(empty)")
    keep, discard = st.columns(2)
    if keep.button("Keep my text; my next save goes on top of theirs", key=f"rebase-{project.id}"):
        state = _state(project.id)
        state["base"] = theirs.id
        state["content"] = {**theirs.content, sec.key: state["content"].get(sec.key, {})}
        state.pop("stale")
        st.rerun()
    if discard.button("Discard my edits and load their version", key=f"discard-{project.id}"):
        _load(project.id, theirs)
        st.rerun()


def revision_history(db: sqlite_utils.Database, project: Project) -> None:
    """The project's revisions, newest first."""
    titles = {s.key: s.title for s in SECTIONS}
    revisions = list_revisions(db, project.id)
    st.subheader(f"Revision history ({len(revisions)})")
    if not revisions:
        st.caption("No revision yet: the first save creates revision 1.")
        return
    table = pd.DataFrame(
        [
            {
                "Revision": r.number,
                "Author": r.author,
                "Saved (UTC)": r.created_at.replace("T", " ")[:19],
                "Changed": titles.get(r.section, "whole document") if r.section else "whole document",
            }
            for r in revisions
        ]
    )
    st.dataframe(table, hide_index=True, width="stretch")
