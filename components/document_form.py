"""The design-document editor: one form per section, each field with its guiding question and an example; unsaved
edits kept as the person's draft; a save makes a revision.

Per project, the session keeps the editor's state: ``base`` (the revision the session loaded), ``content`` (that
revision's document), ``gen`` (bumped whenever the widgets must be refilled, because widget keys include it) and
``open``: per section on screen, the values its widgets started from, the revision those values come from (the
section's ``base``, which a save names as its parent) and the values last written to the store.

Nothing typed is lost: every edit (a field left, a table cell changed, a section switched) writes the section's
values as typed to the person's draft (store.drafts), not a revision. Opening the section again, reloading or
coming back another day fills the widgets from the draft, marked "Unsaved draft", with a Discard button. Save turns
the draft into a revision and clears it in one transaction. A save whose base is no longer the latest is refused by
the store as before; the text stays in the form and in the draft until the person chooses what to do.
"""
from __future__ import annotations

import math
from typing import Any

import pandas as pd
import sqlite_utils
import streamlit as st

from components import feature_table, shell
from components.text import plain
from design import fields as F
from design.criteria import CriterionError, check_criterion, format_number
from design.document import DocumentError, section_completeness, with_section
from design.sections import SECTIONS, Section
from store.documents import Revision, get_revision, latest_revision, list_revisions
from store.drafts import claim_draft, delete_draft, list_drafts, save_draft, save_draft_as_revision
from store.errors import StaleRevisionError, StoreError
from store.people import User
from store.projects import Project

DRAFT_MARK = "Unsaved draft"
SUCCESS_LINK = "Write the measurable success criteria under Evaluation"


def _state(project_id: int) -> dict:
    state = st.session_state.setdefault(f"doc:{project_id}", {"gen": 0, "base": None, "content": None})
    state.setdefault("open", {})
    return state


def _load(project_id: int, revision: Revision | None) -> None:
    state = _state(project_id)
    state.update(gen=state["gen"] + 1, base=revision.id if revision else None,
                 content=revision.content if revision else {}, open={})
    state.pop("stale", None)


def reload(project_id: int, revision: Revision) -> None:
    """Refill the editor from ``revision`` (after a save made outside the form, e.g. filling the feature table)."""
    _load(project_id, revision)


def draft_sections(db: sqlite_utils.Database, project: Project, author: User) -> set[str]:
    """The keys of the sections where ``author`` has an unsaved draft."""
    return {d.section for d in list_drafts(db, project.id, author)}


def choose_section(content: dict, drafts: set[str] = frozenset()) -> Section:
    """Section tabs as a radio; the choice lives in the URL (?section=key). A section with an unsaved draft of the
    person's says so."""
    keys = [s.key for s in SECTIONS]
    shell.url_choice("section", keys)
    titles = {s.key: f"{s.title} {section_completeness(content, s).answered}/{len(s.fields)}"
              + (" · unsaved draft" if s.key in drafts else "") for s in SECTIONS}
    chosen = st.radio("Section", keys, format_func=titles.get, horizontal=True, key="section",
                      label_visibility="collapsed", on_change=shell.to_url, args=("section",))
    return next(s for s in SECTIONS if s.key == chosen)


def _go_to_section(key: str) -> None:
    """on_click of a link to another section of the document (e.g. from Requirements to Evaluation's criteria)."""
    st.session_state["section"] = key
    shell.to_url("section")


# --- form values: what a widget holds, as opposed to the checked value a revision stores -------------------------

def _form_value(field: F.Field, value: Any) -> Any:
    """A stored value as the field's widget holds it (text for numbers and lists, rows for a table)."""
    if field.kind == F.FEATURE_TABLE:
        return [dict(row) for row in value or []]
    if field.kind == F.CHOICE:
        return value if value in field.options else None
    if field.kind == F.MULTI_CHOICE:
        return [o for o in (value or []) if o in field.options]
    if field.kind == F.NUMBER:
        return "" if value is None else format_number(value)
    if field.kind in (F.LIST, F.CRITERIA):
        return F.as_text(field, value)
    return value or ""


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def _normal(field: F.Field, raw: Any) -> Any:
    """A form value reduced to what matters for "has it changed?" (outer spaces and empty table rows do not)."""
    if field.kind == F.FEATURE_TABLE:
        rows = [tuple(_cell(row.get(k)) for k in F.TABLE_COLUMNS) for row in raw or [] if isinstance(row, dict)]
        return tuple(r for r in rows if any(r))
    if field.kind == F.MULTI_CHOICE:
        return tuple(sorted(raw or []))
    if field.kind == F.CHOICE:
        return raw or None
    return str(raw or "").strip()


def _same(sec: Section, a: dict, b: dict) -> bool:
    return all(_normal(f, a.get(f.key)) == _normal(f, b.get(f.key)) for f in sec.fields)


def _section_values(sec: Section, content: dict) -> dict:
    stored = content.get(sec.key) or {}
    return {f.key: _form_value(f, stored.get(f.key)) for f in sec.fields}


def _key(project_id: int, gen: int, sec: Section, field: F.Field) -> str:
    return f"f:{project_id}:{gen}:{sec.key}:{field.key}"


def _edited_rows(rows: list[dict], delta: Any) -> list[dict]:
    """A table editor's rows: the ``rows`` it started from with its editing state (edits, deletions, additions)."""
    if not isinstance(delta, dict):
        return rows
    out = [dict(r) for r in rows]
    for position, changes in (delta.get("edited_rows") or {}).items():
        if 0 <= int(position) < len(out):
            out[int(position)].update(changes)
    deleted = {int(p) for p in delta.get("deleted_rows") or []}
    return [r for i, r in enumerate(out) if i not in deleted] + [dict(r) for r in delta.get("added_rows") or []]


# --- drafts ----------------------------------------------------------------------------------------------------

def _keep(db: sqlite_utils.Database, project_id: int, sec: Section, author: User, values: dict) -> None:
    """Write ``values`` (the section's form as typed) to the person's draft, or clear the draft when they are back
    to the values the section was opened with. Remembers what the store now holds."""
    opened = _state(project_id)["open"].get(sec.key)
    if opened is None or _same(sec, values, opened["written"]):
        return
    if _same(sec, values, opened["saved"]):
        delete_draft(db, project_id, sec.key, author)
        opened.update(written=dict(values), draft_at=None)
    else:
        draft = save_draft(db, project_id, sec.key, author, values, opened["base"])
        opened.update(written=dict(values), draft_at=draft.updated_at)


def _remember(project_id: int, section_key: str, author: User) -> None:
    """on_change of every field: keep the section's values as typed in the person's draft. Runs before the page
    script (also when the same click switches section), so it opens its own connection."""
    state = _state(project_id)
    opened = state["open"].get(section_key)
    if opened is None or opened["gen"] != state["gen"]:
        return
    sec = next(s for s in SECTIONS if s.key == section_key)
    values = {}
    for f in sec.fields:
        current = st.session_state.get(_key(project_id, state["gen"], sec, f), opened["values"].get(f.key))
        values[f.key] = (_edited_rows(opened["values"].get(f.key) or [], current) if f.kind == F.FEATURE_TABLE
                         else current)
    try:
        db = shell.connect_store()
    except StoreError as error:
        state["draft_error"] = str(error)
        return
    try:
        _keep(db, project_id, sec, author, values)
    except StoreError as error:
        state["draft_error"] = str(error)
    finally:
        db.close()


def _rebased(db: sqlite_utils.Database, project_id: int, section_key: str, base_id: int | None,
             latest: Revision | None) -> int | None:
    """The revision a draft started from, moved up to the latest when every revision saved since changed other
    sections only (then nobody's edit of this section can be overwritten). A revision that changed this section,
    or the whole document, keeps the draft on its base: its save is then refused as stale, as any such save is."""
    if latest is None or latest.id == base_id:
        return base_id
    revisions = list_revisions(db, project_id)
    numbers = {r.id: r.number for r in revisions}
    if base_id is not None and base_id not in numbers:
        return base_id
    since = numbers[base_id] if base_id is not None else 0
    newer = [r for r in revisions if r.number > since]
    return latest.id if all(r.section not in (None, section_key) for r in newer) else base_id


def _open(db: sqlite_utils.Database, project: Project, sec: Section, author: User, latest: Revision | None) -> dict:
    """The values the section's widgets start from, computed once per life of the widgets: the person's draft when
    there is one, else the session's revision."""
    state = _state(project.id)
    keys = [_key(project.id, state["gen"], sec, f) for f in sec.fields]
    opened = state["open"].get(sec.key)
    if opened is not None and opened["gen"] == state["gen"] and all(k in st.session_state for k in keys):
        return opened
    saved_here = _section_values(sec, state["content"])
    draft = claim_draft(db, project.id, sec.key, author)
    if draft is None:
        opened = {"values": saved_here, "saved": saved_here, "base": state["base"], "draft_at": None}
    else:
        base = _rebased(db, project.id, sec.key, draft.base_revision_id, latest)
        if base == state["base"]:
            saved = saved_here
        else:
            saved = (_section_values(sec, get_revision(db, base).content) if base is not None
                     else _section_values(sec, {}))
        values = {f.key: draft.values.get(f.key, saved[f.key]) for f in sec.fields}
        opened = {"values": values, "saved": saved, "base": base, "draft_at": draft.updated_at}
    opened.update(gen=state["gen"], written=dict(opened["values"]))
    state["open"][sec.key] = opened
    return opened


# --- the form --------------------------------------------------------------------------------------------------

def _placeholder(field: F.Field) -> str:
    example = field.example.strip()
    if field.kind in (F.CHOICE, F.MULTI_CHOICE):
        return f"Not answered yet (e.g. {example})" if example else "Not answered yet"
    if field.kind == F.NUMBER:
        return f"e.g. {example}" if example else "a number"
    if field.kind == F.CRITERIA:
        return f"One criterion per line, e.g.\n{example}" if example else "One criterion per line, e.g. recall >= 0.80"
    if field.kind == F.LIST:
        return f"One item per line, e.g.\n{example}" if example else "One item per line"
    return f"e.g. {example}" if example else ""


def _widget(field: F.Field, raw: Any, key: str, remember: tuple) -> Any:
    """The field's input with its label and, under it, its guiding question; the example is the placeholder."""
    if field.kind == F.FEATURE_TABLE:
        return feature_table.editor(field, raw, key)
    label = f"{field.label} ({field.unit})" if field.kind == F.NUMBER and field.unit else field.label
    st.markdown(f"**{plain(label)}**")
    st.caption(plain(field.question))
    common = dict(key=key, label_visibility="collapsed", on_change=_remember, args=remember,
                  placeholder=_placeholder(field))
    if field.kind == F.CHOICE:
        index = field.options.index(raw) if raw in field.options else None
        return st.selectbox(label, field.options, index=index, **common)
    if field.kind == F.MULTI_CHOICE:
        return st.multiselect(label, field.options, default=raw or [], **common)
    if field.kind == F.NUMBER:
        return st.text_input(label, value=raw or "", **common)
    return st.text_area(label, value=raw or "", height=110, **common)


def _criteria_feedback(text: str) -> None:
    """Under the success criteria: each line as Blueprint reads it (measured by the baselines or not), and what
    is wrong with a line it would refuse, such as "did you mean recall?"."""
    good, bad = [], []
    for line in str(text or "").splitlines():
        if not line.strip() or F.is_template(line):
            continue
        try:
            checked = check_criterion(line)
        except CriterionError as error:
            bad.append(str(error))
            continue
        where = "measured by the baselines" if checked.measured else "not measured by the baselines"
        notes = "; ".join(n.rstrip(".") for n in checked.notes if not n.startswith(("Valid; not measured", "'")))
        good.append(f"{checked.criterion}: {where}" + (f" ({notes})" if notes else ""))
    if good:
        st.caption("  \n".join(plain(g) for g in good))
    if bad:
        st.warning("Not a criterion yet:\n\n" + "\n".join(f"- {plain(b)}" for b in bad))


def section_editor(db: sqlite_utils.Database, project: Project, sec: Section, author: User) -> None:
    """The form for one section of ``project``'s document: draft kept as typed, save, validation, stale handling."""
    latest = latest_revision(db, project.id)
    state = _state(project.id)
    if state["content"] is None:
        _load(project.id, latest)
    opened = _open(db, project, sec, author, latest)
    if latest is not None and latest.id != opened["base"] and "stale" not in state:
        st.info(plain(f"A newer version exists: {latest.label}."))
        if st.button(f"Load revision {latest.number} (discards unsaved edits)", key=f"load-latest-{project.id}"):
            delete_draft(db, project.id, sec.key, author)
            _load(project.id, latest)
            st.rerun()

    st.subheader(sec.title)
    st.caption(sec.purpose)
    mark = st.empty()
    remember = (project.id, sec.key, author)
    raw = {}
    for f in sec.fields:
        with st.container(gap="xsmall"):
            raw[f.key] = _widget(f, opened["values"].get(f.key), _key(project.id, state["gen"], sec, f), remember)
            if F.is_template(raw[f.key]):
                st.caption("Template text: replace it with your own answer. "
                           "It does not count as answered until you do.")
            if f.kind == F.CRITERIA:
                _criteria_feedback(raw[f.key])
            if (sec.key, f.key) == ("requirements", "success_summary"):
                st.button(SUCCESS_LINK, key=f"to-criteria-{project.id}", type="tertiary",
                          icon=":material/arrow_forward:", on_click=_go_to_section, args=("evaluation",))
    if isinstance(raw.get("feature_table"), pd.DataFrame):
        raw["feature_table"] = raw["feature_table"].to_dict("records")
    try:
        _keep(db, project.id, sec, author, raw)       # edits no callback saw (a table cell)
    except StoreError as error:
        state["draft_error"] = str(error)
    _draft_mark(mark, db, project, sec, author, opened)
    if st.button(f"Save {sec.title}", type="primary", key=f"save-{project.id}-{sec.key}"):
        _save(db, project, sec, raw, author, latest)
    if "stale" in state:
        _stale_panel(db, project, sec, author, state["stale"])


def _draft_mark(mark, db, project: Project, sec: Section, author: User, opened: dict) -> None:
    state = _state(project.id)
    error = state.pop("draft_error", None)
    with mark.container():
        if error:
            st.error(plain(f"Your edits could not be kept as a draft: {error}"))
        if not opened.get("draft_at"):
            return
        st.warning(f"**{DRAFT_MARK}** of {plain(sec.title)}, "
                   f"last edited {plain(opened['draft_at'].replace('T', ' ')[:16])} "
                   "UTC: kept for you only, not a revision yet. "
                   "Save makes it one; Discard goes back to the saved text.")
        if st.button("Discard draft", key=f"discard-draft-{project.id}-{sec.key}"):
            delete_draft(db, project.id, sec.key, author)
            state["open"].pop(sec.key, None)
            state["gen"] += 1
            shell.flash(f"Discarded your draft of {sec.title}.")
            st.rerun()


def _save(db, project: Project, sec: Section, raw: dict, author: User, latest: Revision | None) -> None:
    state = _state(project.id)
    opened = state["open"][sec.key]
    base_content = latest.content if latest is not None and latest.id == opened["base"] else state["content"]
    try:
        document = with_section(base_content, sec.key, raw)
        saved = save_draft_as_revision(db, project.id, sec.key, author, document, parent_id=opened["base"])
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
    shell.flash(f"Saved {sec.title} as revision {saved.number}." + _reading_notes(sec, raw))
    st.rerun()


def _reading_notes(sec: Section, raw: dict) -> str:
    """How the saved criteria were read (a percentage as a share, a unit moved into the name), for the message."""
    notes = []
    for f in sec.fields:
        if f.kind != F.CRITERIA:
            continue
        for line in str(raw.get(f.key) or "").splitlines():
            if line.strip() and not F.is_template(line):
                notes += [f"'{line.strip()}': {n}" for n in check_criterion(line).notes
                          if not n.startswith(("Valid", "'"))]
    return (" " + " ".join(notes)) if notes else ""


def _stale_panel(db, project: Project, sec: Section, author: User, theirs: Revision) -> None:
    st.error(plain(
        f"Not saved: {theirs.author} saved revision {theirs.number} at {theirs.created_at.replace('T', ' ')[:19]} "
        "UTC after you opened this document. Your text is still in the form."
    ))
    theirs_values = theirs.content.get(sec.key) or {}
    with st.expander(f"Their version of {sec.title} (revision {theirs.number})", expanded=True):
        for f in sec.fields:
            st.markdown(f"**{plain(f.label)}**")
            st.text(F.as_text(f, theirs_values.get(f.key)) or "(empty)")
    keep, discard = st.columns(2)
    if keep.button("Keep my text; my next save goes on top of theirs", key=f"rebase-{project.id}"):
        state = _state(project.id)
        opened = state["open"][sec.key]
        state["base"], state["content"] = theirs.id, theirs.content
        opened.update(base=theirs.id, saved=_section_values(sec, theirs.content))
        opened["written"] = {}                       # the draft now starts from their revision: write it again
        state.pop("stale")
        st.rerun()
    if discard.button("Discard my edits and load their version", key=f"discard-{project.id}"):
        delete_draft(db, project.id, sec.key, author)
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
