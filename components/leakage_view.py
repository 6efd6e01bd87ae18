"""The Leakage page's pieces: the split and threshold settings, and the findings with their resolutions."""
from __future__ import annotations

import pandas as pd
import sqlite_utils
import streamlit as st

from analysis.inert import safe_csv
from analysis.leakage.scan import LeakageReport, LeakageSettings, Split
from components import shell
from components.text import plain
from store.datasets import Dataset
from store.errors import StoreError
from store.people import User
from store.resolutions import Resolution, reopen_finding, resolve_finding

SPLITS = {"none": "No split: check this dataset alone", "random": "Random split", "date": "Split by a date column",
          "group": "Split by a group column", "test_dataset": "Another dataset is the test set"}
ICONS = {"high": ":material/error:", "medium": ":material/warning:", "info": ":material/info:"}
# The thresholds offered in the page (all others keep their defaults; see LeakageSettings).
TUNABLE = {
    "proxy_auc_high": "Target proxy, high: single-feature ROC AUC (lower bound) at least",
    "proxy_auc_medium": "Target proxy, medium: ROC AUC at least",
    "proxy_r2_high": "Target proxy, high (numeric target): R2 at least",
    "id_auc_medium": "ID column predicts the target (medium): ROC AUC at least",
    "overlap_share_high": "Train/test overlap, high: share of test rows at least",
    "duplicate_share_medium": "Duplicates, medium: share of rows at least",
}


def split_form(dataset: Dataset, others: list[Dataset]) -> tuple[Split, Dataset | None]:
    """Widgets for how train and test are formed; returns the Split and the test dataset (if any)."""
    types = dataset.column_types
    dates = [c for c, t in types.items() if t == "datetime"]
    groups = [c for c, t in types.items() if t in ("id", "categorical", "text", "numeric")]
    kinds = [k for k in SPLITS if (k != "date" or dates) and (k != "test_dataset" or others)]
    kind = st.radio("Split", kinds, format_func=SPLITS.get, horizontal=True, key="leak-split")
    date_column = group_column = cut = prediction_time = test = None
    share = 0.2
    if kind in ("random", "group", "date"):
        share = st.slider("Test share", 0.05, 0.5, 0.2, 0.05, key="leak-share")
    if kind == "date":
        date_column = st.selectbox("Date column", dates, key="leak-date")
        cut = st.text_input("Cut date (rows before it train; empty = by test share)", key="leak-cut").strip() or None
    if kind == "group":
        group_column = st.selectbox("Group column (e.g. customer)", groups, key="leak-group")
    if kind == "test_dataset":
        by_id = {d.id: d for d in others}
        test = by_id[st.selectbox("Test dataset", list(by_id), format_func=lambda i: by_id[i].name, key="leak-test")]
    if dates:
        choice = st.selectbox("Prediction time column (later dates are post-outcome suspects)", [None, *dates],
                              format_func=lambda c: "none" if c is None else c, key="leak-prediction-time")
        prediction_time = choice
    return Split(kind, date_column=date_column, cut=cut, group_column=group_column, test_share=share,
                 prediction_time_column=prediction_time), test


def settings_form() -> LeakageSettings:
    """The adjustable thresholds (kept for the session); defaults are documented in LeakageSettings."""
    defaults = LeakageSettings()
    chosen = st.session_state.setdefault("leak-thresholds", {})
    with st.expander("Thresholds"):
        with st.form("leak-thresholds-form"):
            values = {name: st.number_input(label, 0.0, 1.0, float(chosen.get(name, getattr(defaults, name))), 0.005,
                                            format="%.3f", key=f"leak-{name}") for name, label in TUNABLE.items()}
            if st.form_submit_button("Apply thresholds"):
                chosen.clear()
                chosen.update({k: v for k, v in values.items() if v != getattr(defaults, k)})
        st.caption("Scores are compared through their lower confidence bound, so small data needs clearer evidence.")
    try:
        return defaults.update(chosen)
    except ValueError as error:
        st.error(plain(f"{error} The defaults are used instead."))
        return defaults


def report_header(report: LeakageReport) -> None:
    counts = report.counts()
    cols = st.columns(4)
    cols[0].metric("High", counts["high"])
    cols[1].metric("Medium", counts["medium"])
    cols[2].metric("Info", counts["info"])
    cols[3].metric("Scan time", f"{report.seconds:.1f} s")
    for note in report.notes:
        st.info(plain(note))


def findings(db: sqlite_utils.Database, project_id: int, dataset: Dataset, report: LeakageReport,
             resolutions: list[Resolution], author: User, editing: bool) -> None:
    """Each finding: severity, what and why, what to do, its evidence, and who resolved it; ``editing`` (editors and
    owners): with Mark resolved and Reopen."""
    if not report.findings:
        st.success("No leakage finding: no proxy, post-outcome or ID column, duplicate, overlap or conflict found.")
        return
    resolved = {r.finding_key: r for r in resolutions if r.dataset_hash == dataset.content_hash}
    table = pd.DataFrame([{"Severity": f.severity, "Check": f.check, "Column": f.column or "", "Finding": f.title,
                           "Explanation": f.explanation, "Action": f.action,
                           "Resolved by": resolved[f.key].resolved_by if f.key in resolved else "",
                           "Reason": resolved[f.key].reason if f.key in resolved else ""} for f in report.findings])
    st.download_button("Download findings (CSV)", safe_csv(table), "leakage-findings.csv", "text/csv", key="leak-csv")
    for finding in report.findings:
        done = resolved.get(finding.key)
        with st.container(border=True):
            st.markdown(f"{ICONS[finding.severity]} **{finding.severity.upper()}** · {plain(finding.title)}"
                        + (" · resolved" if done else ""))
            st.markdown(plain(finding.explanation))
            st.markdown(f"**What to do:** {plain(finding.action)}")
            figures = {k: v for k, v in finding.evidence.items() if k != "examples" and not isinstance(v, (list, dict))}
            if figures:
                st.caption(plain(" · ".join(f"{k.replace('_', ' ')}: {v:.4g}" if isinstance(v, float)
                                            else f"{k.replace('_', ' ')}: {v}"
                                            for k, v in figures.items())))
            examples = finding.evidence.get("examples")
            if examples:
                with st.expander(f"Example rows ({len(examples)})"):
                    st.dataframe(pd.DataFrame(examples), hide_index=True, width="stretch")
            if finding.severity == "info":
                continue
            if done:
                st.success(plain(f"Resolved by {done.resolved_by} ({done.created_at[:16].replace('T', ' ')} UTC): "
                                 f"{done.reason}"))
                if editing and st.button("Reopen", key=f"reopen-{finding.key}"):
                    try:
                        reopen_finding(db, project_id, finding.key, dataset.content_hash, by=author)
                    except StoreError as error:
                        st.error(plain(str(error)))
                    else:
                        st.rerun()
                continue
            if not editing:
                continue
            with st.form(f"resolve-{finding.key}"):
                reason = st.text_input("Why is this resolved or not a leak?", key=f"reason-{finding.key}")
                if st.form_submit_button("Mark resolved"):
                    try:
                        resolve_finding(db, project_id, finding.key, dataset.content_hash, author, reason)
                    except StoreError as error:
                        st.error(plain(str(error)))
                    else:
                        shell.flash(f"Resolved: {finding.title}.")
                        st.rerun()
