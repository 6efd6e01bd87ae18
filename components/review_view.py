"""The Review page's pieces: gathering the document with its stored evidence, and drawing each part: what blocks
approval first (design.blockers), then the tabs (the chosen one lives in the URL, ?tab=...)."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import pandas as pd
import sqlite_utils
import streamlit as st

from components import shell
from components.feature_table import HEADERS
from components.text import plain
from design import blockers as blocking
from design import report_charts
from design.candidates import side_by_side, verdict_text
from design.diff import diff_documents
from design.evidence import EvidenceView, build_view
from design.export import ReviewSummary
from design.fields import FEATURE_TABLE, TABLE_COLUMNS, as_text
from design.readiness import assess_readiness
from design.sections import SECTIONS
from store.datasets import list_datasets
from store.documents import get_revision, latest_revision, list_revisions
from store.errors import NotFoundError, StaleRevisionError, StoreError
from store.models import list_models
from store.people import User
from store.projects import Project
from store.resolutions import list_resolutions
from store.results import list_evidence
from store.reviews import STATUSES, add_comment, decide, list_comments, list_decisions, review_state, set_resolved
from store.transfer import export_project


def gather(db: sqlite_utils.Database, project: Project, revision_number: int | None = None) -> ReviewSummary:
    """The review of ``project`` at a revision (default: the latest), read from the store only."""
    revisions = {r.number: r for r in list_revisions(db, project.id)}
    if revision_number is not None and revision_number not in revisions:
        raise NotFoundError(f"'{project.name}' has no revision {revision_number}; "
                            f"it has 1 to {max(revisions, default=0)}.")
    info = revisions.get(revision_number) if revision_number else None
    revision = get_revision(db, info.id) if info else latest_revision(db, project.id)
    content = revision.content if revision else {}
    view = evidence_view(db, project, content)
    comments = tuple(list_comments(db, project.id))
    return ReviewSummary(
        project_name=project.name,
        project_description=project.description,
        revision_number=revision.number if revision else None,
        revision_label=revision.label if revision else "no revision saved yet",
        status_label=review_state(db, project.id).label,
        generated_at=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        content=content,
        view=view,
        readiness=assess_readiness(content, view.digest),
        comments=comments,
        decisions=tuple(list_decisions(db, project.id)),
        blockers=tuple(blocking.find_blockers(project.id, content, view, comments)),
        warnings=tuple(blocking.find_warnings(project.id, view)),
    )


def evidence_view(db: sqlite_utils.Database, project: Project, content: dict) -> EvidenceView:
    """The project's stored evidence as a reviewer reads it, for a document ``content``."""
    resolved = {(r.finding_key, r.dataset_hash) for r in list_resolutions(db, project.id)}
    hashes = {d.content_hash for d in list_datasets(db, project.id)}
    versions = [v for model in list_models(db, project.id) for v in model.versions]
    return build_view(list_evidence(db, project.id), hashes, content, resolved, versions)


def section_evidence(view: EvidenceView, section_key: str) -> None:
    """The evidence notes of one section, and what evidence it is missing."""
    for note in view.notes.get(section_key, []):
        box = st.warning if note.stale else st.info
        box(f"**{plain(note.title)}**" + (f" — stale: {plain(note.stale)}" if note.stale else "") + "\n\n"
            + "\n".join(f"- {plain(line)}" for line in note.lines))
    for missing in view.missing.get(section_key, []):
        st.error(f"Missing evidence: {plain(missing)}")


def project_json(project_id: int) -> str:
    """The project file (store.transfer), read on a connection of its own: download callables run after
    the page's run has closed the page's connection."""
    db = shell.connect_store()
    try:
        return json.dumps(export_project(db, project_id), indent=1)
    finally:
        db.close()


def charts(summary: ReviewSummary) -> list:
    """The figures of a review, in reading order (readiness, class balance, criteria, drift)."""
    notes = [n for ns in summary.view.notes.values() for n in ns]
    balance = next((n.summary for n in notes if n.kind == "profile" and n.summary.get("class_balance")), {})
    drift = next((n.summary for n in notes if n.kind == "drift"), {})
    figures = [report_charts.readiness_figure(summary.readiness), report_charts.class_balance_figure(balance),
               report_charts.criteria_figure(summary.view), report_charts.drift_figure(drift)]
    return [f for f in figures if f is not None]


def header(summary: ReviewSummary) -> None:
    cols = st.columns(3)
    cols[0].metric("Review status", summary.status_label.split(" (")[0])
    cols[1].metric("Document", f"revision {summary.revision_number}" if summary.revision_number else "none")
    cols[2].metric("Readiness", f"{summary.readiness.overall:.0%}",
                   help="The weakest area's score, as in the ML Test Score rubric.")
    d = summary.decision
    if d is not None:
        st.markdown(f"Latest decision: **{plain(d.status)}** by {plain(d.author)}, "
                    f"{d.created_at[:16].replace('T', ' ')} UTC" + (":" if d.note else ""))
        if d.note:
            # a person's words, shown as typed (no Markdown: not even a bare address turns into a link)
            st.text(d.note)
    if "outdated" in summary.status_label:
        st.warning("The document changed after the last decision: that decision is outdated. "
                   "Review the changes on the History tab.")


TABS = (blocking.DOCUMENT_TAB, "Readiness", "Decision", "History", "Export")
ICONS = {blocking.FAILING: ":material/cancel:", blocking.CHECK_FAILED: ":material/terminal:",
         blocking.INCONCLUSIVE_CRITERION: ":material/help:",
         blocking.UNMEASURED: ":material/straighten:", blocking.FINDING: ":material/plumbing:",
         blocking.STALE: ":material/update:", blocking.MISSING: ":material/add_circle:",
         blocking.MISMATCH: ":material/compare_arrows:", blocking.COMMENT: ":material/forum:",
         blocking.FIELD: ":material/edit_note:"}
FIRST_SHOWN = 3        # blockers listed before the rest fold into an expander: the box stays on a 900 px first screen


def blockers(summary: ReviewSummary) -> None:
    """What blocks approval, most blocking first, each with a link to the place to fix it; then what is worth a
    look without blocking (a CI run that measured nothing)."""
    found = summary.blockers
    with st.container(border=True, key="blockers"):
        if not found:
            st.markdown(":material/check_circle: **Nothing blocks approval**: every criterion the baselines measure "
                        "passes, the evidence is current, no high leakage finding or comment is open and the required "
                        "fields are answered.")
        else:
            st.markdown(f"**What blocks approval ({len(found)})**")
            for b in found[:FIRST_SHOWN]:
                _blocker(b)
            if len(found) > FIRST_SHOWN:
                with st.expander(f"{len(found) - FIRST_SHOWN} more"):
                    for b in found[FIRST_SHOWN:]:
                        _blocker(b)
        for w in summary.warnings:
            st.warning(f"**{plain(w.kind.capitalize())}** (not blocking): {plain(w.title)}. {plain(w.detail)}")
            st.page_link(f"pages/{w.page}.py", label=f"See {plain(w.place)}", query_params=w.query,
                         icon=":material/arrow_forward:")


def _blocker(b) -> None:
    st.markdown(f"{ICONS.get(b.kind, '')} **{b.kind.capitalize()}**: {plain(b.title)}")
    if b.detail and b.kind == blocking.COMMENT:
        st.text(b.detail)         # a comment's words, shown as typed
    elif b.detail:
        st.caption(plain(b.detail))
    st.page_link(f"pages/{b.page}.py", label=f"Fix it on {plain(b.place)}", query_params=b.query,
                 icon=":material/arrow_forward:")


def document(db, project: Project, summary: ReviewSummary, author: User, readonly: bool) -> None:
    """Each section with its evidence beside it and its comment thread."""
    for sec in SECTIONS:
        with st.container(border=True):
            st.subheader(sec.title)
            left, right = st.columns([3, 2])
            with left:
                section_text(sec, summary.content)
            with right:
                section_evidence(summary.view, sec.key)
                _comments(db, project, sec, summary, author, readonly)


def section_text(sec, content: dict) -> None:
    """A section's answers as text (no form): for the review, and for people who may read but not edit."""
    values = content.get(sec.key) or {}
    for f in sec.fields:
        text = as_text(f, values.get(f.key))
        st.markdown(f"**{f.label}**")
        if f.kind == FEATURE_TABLE and values.get(f.key):
            st.dataframe(pd.DataFrame(values[f.key], columns=list(TABLE_COLUMNS)).rename(columns=HEADERS),
                         hide_index=True, width="stretch")
            continue
        st.text(text) if text else st.caption("not answered")


def _comments(db, project: Project, sec, summary: ReviewSummary, author: User, readonly: bool) -> None:
    thread = [c for c in summary.comments if c.section == sec.key]
    open_threads = sum(1 for c in thread if c.parent_id is None and not c.resolved_by)
    with st.expander(f"Comments ({len(thread)}, {open_threads} open)", expanded=bool(open_threads)):
        for c in thread:
            prefix = "↳ " if c.parent_id else ""
            status = f" · resolved by {c.resolved_by}" if c.resolved_by else ""
            st.caption(plain(f"{prefix}{c.author} · {c.created_at[:16].replace('T', ' ')} UTC{status}"))
            st.text(c.body)
            if not readonly and c.parent_id is None:
                label = "Reopen" if c.resolved_by else "Resolve"
                if st.button(label, key=f"resolve-{c.id}"):
                    _act(lambda c=c: set_resolved(db, c.id, author, resolved=not c.resolved_by),
                         f"{label}d the thread.")
        if readonly:
            return
        with st.form(f"comment-{sec.key}", clear_on_submit=True):
            roots = [c for c in thread if c.parent_id is None]
            reply_to = st.selectbox("Reply to", [None, *[c.id for c in roots]], key=f"reply-to-{sec.key}",
                                    format_func=lambda i: "new thread" if i is None
                                    else next(f"{c.author}: {c.body[:40]}" for c in roots if c.id == i))
            body = st.text_area("Comment", key=f"comment-body-{sec.key}", height=80)
            if st.form_submit_button("Post comment"):
                _act(lambda: add_comment(db, project.id, sec.key, author, body, parent_id=reply_to),
                     f"Comment posted on {sec.title}.")


def _act(action, done: str) -> None:
    try:
        action()
    except (StoreError, ValueError) as error:
        st.error(plain(str(error)))
    else:
        shell.flash(done)
        st.rerun()


def readiness(summary: ReviewSummary) -> None:
    for i, figure in enumerate(charts(summary)):
        st.plotly_chart(figure, width="stretch", key=f"review-chart-{i}")
    table = pd.DataFrame([{"Area": i.area, "Item": i.text, "Status": i.status, "Reason": i.reason}
                          for i in summary.readiness.items])
    st.dataframe(table, hide_index=True, width="stretch")


def _revision_read(project_id: int, shown_id: int | None) -> int | None:
    """The revision the person read before sending the decision form: the one the page showed on its previous run
    (the run that drew the form), or this run's on a first one. This run's revision is kept for the next."""
    key = f"decision-read-{project_id}"
    read = st.session_state.get(key, shown_id)
    st.session_state[key] = shown_id
    return read


def decision(db, project: Project, summary: ReviewSummary, author: User, readonly: bool) -> None:
    """The decision form (a decision names the revision this page showed: store.reviews.decide refuses it when a
    newer one was saved since) and the decisions so far."""
    st.markdown(f"Current status: **{plain(summary.status_label)}**")
    shown = next((r for r in list_revisions(db, project.id) if r.number == summary.revision_number), None)
    read = _revision_read(project.id, shown.id if shown else None)
    if not readonly:
        if shown is not None:
            st.caption(plain(f"Your decision is on {shown.label}, the revision this page shows."))
        with st.form("decision"):
            status = st.radio("Decision", STATUSES, horizontal=True, key="decision-status")
            note = st.text_area("Note for the team", key="decision-note", height=80)
            if st.form_submit_button("Record decision", type="primary"):
                _decide(db, project, status, author, note, read)
    if summary.decisions:
        st.dataframe(pd.DataFrame([{"When (UTC)": d.created_at[:16].replace("T", " "), "Decision": d.status,
                                    "By": d.author, "Note": d.note, "Evidence seen": len(d.evidence_ids)}
                                   for d in summary.decisions]),
                     hide_index=True, width="stretch")


def _decide(db, project: Project, status: str, author: User, note: str, read: int | None) -> None:
    """Record the decision on the revision read; when a newer one was saved since, the refusal with the changes
    and a link to them on the History tab (nothing is recorded; the page now shows the newer revision)."""
    evidence_ids = [e.id for e in list_evidence(db, project.id)]
    try:
        decide(db, project.id, status, author, note, evidence_ids, revision_id=read)
    except StaleRevisionError as error:
        st.error(plain(str(error)))
        old, new = error.read.number, error.latest.number
        changes(db, project, old, new)
        st.page_link("pages/review.py", label=f"Read the changes from revision {old} to {new} on the History tab",
                     query_params={"project": str(project.id), "tab": "History", "from": str(old), "to": str(new)},
                     icon=":material/difference:")
    except (StoreError, ValueError) as error:
        st.error(plain(str(error)))
    else:
        shell.flash(f"Recorded: {status}.")
        st.rerun()


def _number(text) -> int | None:
    return int(text) if isinstance(text, str) and text.isdigit() else None


def _diff_from_link(numbers: list[int]) -> bool:
    """Open the revisions a link names (?tab=History&from=2&to=3, e.g. from a refused decision) in the History
    tab's choices, once per link: the person may choose others afterwards. True when applied in this run."""
    wanted = (_number(st.query_params.get("from")), _number(st.query_params.get("to")))
    if not set(wanted) <= set(numbers) or st.session_state.get("diff-link") == wanted:
        return False
    st.session_state["diff-from"], st.session_state["diff-to"] = wanted
    st.session_state["diff-link"] = wanted
    return True


def _diff_to_url() -> None:
    """on_change of the History tab's choices: the URL names the revisions compared, so a copied link shows them."""
    wanted = (st.session_state["diff-from"], st.session_state["diff-to"])
    st.session_state["diff-link"] = wanted
    st.query_params["from"], st.query_params["to"] = str(wanted[0]), str(wanted[1])


def changes(db, project: Project, old: int, new: int) -> None:
    """What changed in the document from revision ``old`` to ``new``, field by field."""
    by_number = {r.number: r for r in list_revisions(db, project.id)}
    found = diff_documents(get_revision(db, by_number[old].id).content, get_revision(db, by_number[new].id).content)
    if not found:
        st.info(f"Revisions {old} and {new} have the same content.")
        return
    st.dataframe(pd.DataFrame([{"Section": c.section_title, "Field": c.label, "Change": c.kind, "Before": c.before,
                                "After": c.after} for c in found]), hide_index=True, width="stretch")


def history(db, project: Project) -> None:
    revisions = list_revisions(db, project.id)
    if len(revisions) < 2:
        st.caption("Only one revision so far: nothing to compare.")
        return
    numbers = [r.number for r in revisions]
    linked = _diff_from_link(numbers)
    left, right = st.columns(2)
    old = left.selectbox("From revision", numbers, index=0 if linked else 1, key="diff-from", on_change=_diff_to_url)
    new = right.selectbox("To revision", numbers, index=0, key="diff-to", on_change=_diff_to_url)
    changes(db, project, old, new)


def candidate_criteria(summary: ReviewSummary) -> None:
    """Per criterion, the candidate's verdict first and the best baseline run's beside it (values, intervals and the
    counts behind them), failing first, then the differences between them on the same rows in words; said stale
    when what the candidate was judged on changed. Nothing without an evaluated candidate."""
    table = side_by_side(summary.view, summary.content)
    if table is None:
        return
    candidate = table.candidate
    with st.container(border=True, key="candidate-criteria"):
        st.markdown(f"**Criteria: {plain(candidate.label)} beside "
                    f"{plain(table.baseline) if table.baseline else 'the baselines (none run yet)'}**")
        st.caption(plain(f"{candidate.label} is {table.why}. Its verdicts were stored when it was evaluated; "
                         "the best run's are checked on its stored intervals."))
        if candidate.note.stale:
            st.warning(plain(f"Stale: {candidate.note.stale}. Evaluate {candidate.label} again before deciding "
                             "on these verdicts."))
        rows = [{"Criterion": r.criterion, candidate.label: verdict_text(r.candidate),
                 f"{candidate.label}: evidence": r.candidate.reason if r.candidate else
                 "Not checked: the candidate was evaluated before this criterion was written.",
                 "Best run": verdict_text(r.baseline) if table.baseline else "no run",
                 "Best run: evidence": r.baseline.reason if r.baseline else ""} for r in table.rows]
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key="candidate-criteria-table")
        if table.sentences:
            st.markdown("\n".join(f"- {plain(s)}" for s in table.sentences))

