"""The Drift page's pieces: choosing both sides, the settings, the summary, overlays, the Evidently report."""
from __future__ import annotations

import json

import pandas as pd
import sqlite_utils
import streamlit as st

from analysis.drift.model import MAX_ROWS_PER_SIDE, DriftSettings, DriftSummary
from analysis.drift.run import overlay
from analysis.drift.unit import sides
from analysis.inert import safe_csv
from components.drift_charts import drift_scores_figure, overlay_figure
from components.text import plain
from design.formats import format_score
from jobs.inputs import StoreInputs
from store.datasets import Dataset
from store.errors import StoreError

METHODS = {None: "automatic (Evidently picks by size and type)", "ks": "Kolmogorov-Smirnov (p-value)",
           "wasserstein": "Wasserstein distance", "psi": "Population Stability Index",
           "jensenshannon": "Jensen-Shannon distance"}
SOURCES = {"datasets": "Two datasets (reference and current)", "date": "One dataset split by a date column",
           "order": "One dataset split by row order"}


def choose_sides(datasets: list[Dataset]):
    """Widgets for where the two sides come from. Returns (reference dataset, source dict, (reference name,
    current name)); analysis.drift.unit.sides reads the frames of a source when a check or an overlay needs them."""
    by_id = {d.id: d for d in datasets}
    has_dates = any(t == "datetime" for d in datasets for t in d.column_types.values())
    kinds = [k for k in SOURCES if (k != "datasets" or len(datasets) > 1) and (k != "date" or has_dates)]
    # Two datasets are the default only when the Datasets page named them reference and current; else one dataset
    # split in two (the sample project lists its data twice, as CSV and as Parquet, and is checked by row order).
    roles = {d.role for d in datasets}
    default = 0 if {"reference", "current"} <= roles or len(kinds) == 1 else next(
        i for i, k in enumerate(kinds) if k != "datasets")
    kind = st.radio("Compare", kinds, index=default, format_func=SOURCES.get, horizontal=True, key="drift-source")
    if kind == "datasets":
        ids = list(by_id)
        ref_default = next((d.id for d in datasets if d.role == "reference"), None)
        cur_default = next((d.id for d in datasets if d.role == "current"), None)
        left, right = st.columns(2)
        ref_id = left.selectbox("Reference (what the model was built on)", ids, placeholder="choose…", key="drift-ref",
                                index=None if ref_default is None else ids.index(ref_default),
                                format_func=lambda i: by_id[i].name)
        cur_id = right.selectbox("Current (what it sees now)", ids, placeholder="choose…", key="drift-cur",
                                 index=None if cur_default is None else ids.index(cur_default),
                                 format_func=lambda i: by_id[i].name)
        if ref_default is not None and cur_default is not None and (ref_id, cur_id) == (ref_default, cur_default):
            st.caption("The datasets with the roles reference and current (set on the Datasets page).")
        if ref_id is None or cur_id is None:
            st.info("Choose the reference and the current dataset, or give two datasets the roles reference and "
                    "current on the Datasets page so this page starts from them.")
            st.stop()
        ref, cur = by_id[ref_id], by_id[cur_id]
        source = {"kind": kind, "current": cur.content_hash}
        return ref, source, (ref.name, cur.name)
    ids = list(by_id)
    start = next((d.id for role in ("reference", "train") for d in datasets if d.role == role), ids[0])
    ds = by_id[st.selectbox("Dataset", ids, index=ids.index(start), format_func=lambda i: by_id[i].name,
                            key="drift-one")]
    if kind == "date":
        dates = [c for c, t in ds.column_types.items() if t == "datetime"]
        if not dates:
            st.info(plain(f"'{ds.name}' has no date column; split it by row order, or compare two datasets."))
            st.stop()
        column = st.selectbox("Date column", dates, key="drift-date")
        cut = st.text_input("Cut date: reference before it, current from it on (e.g. 2024-06-01)",
                            key="drift-cut").strip()
        if not cut:
            st.info("Type a cut date to split the dataset.")
            st.stop()
        source = {"kind": kind, "column": column, "cut": cut}
        names = (f"{ds.name} before {cut}", f"{ds.name} from {cut}")
        return ds, source, names
    share = st.slider("Reference share (first rows)", 0.1, 0.9, 0.5, 0.05, key="drift-share")
    source = {"kind": kind, "share": share}
    names = (f"{ds.name} first {share:.0%}", f"{ds.name} last {1 - share:.0%}")
    return ds, source, names


def settings_form(columns: list[str]) -> DriftSettings:
    with st.expander("Settings"):
        method = st.selectbox("Statistical test", list(METHODS), format_func=METHODS.get, key="drift-method")
        threshold = st.number_input("Threshold (empty = the test's default)", min_value=0.0, value=None, step=0.01,
                                    key="drift-threshold")
        drift_share = st.slider("Dataset drifts when this share of columns drift", 0.1, 1.0, 0.5, 0.05,
                                key="drift-share-all")
        target = st.selectbox("Target column (reported as target drift)", [None, *columns], key="drift-target",
                              format_func=lambda c: "none" if c is None else c)
    return DriftSettings(method=method, threshold=threshold, drift_share=drift_share, target=target)


def summary_view(summary: DriftSummary) -> None:
    cols = st.columns(4)
    cols[0].metric("Dataset drift", "yes" if summary.dataset_drift else "no")
    cols[1].metric("Drifted columns", f"{summary.drifted_count} of {len(summary.columns)}")
    cols[2].metric("Share drifted", f"{summary.share:.0%}", help=f"The dataset drifts from {summary.drift_share:.0%}.")
    cols[3].metric("Rows", f"{summary.reference_rows:,} → {summary.current_rows:,}")
    for note in summary.notes:
        st.info(plain(note))
    if summary.target_drift is not None:
        t = summary.target_drift
        (st.warning if t.drifted else st.success)(
            plain(f"Target '{t.column}': {'drifted' if t.drifted else 'no drift'} "
                  f"({t.method} {format_score(t.score)}, threshold {t.threshold:g})."))
    table = pd.DataFrame([{"Column": c.column, "Type": c.type, "Drifted": c.drifted, "Test": c.method,
                           "Score": c.score, "Threshold": c.threshold, "Drift strength": c.severity}
                          for c in summary.columns])
    shown = table.assign(Score=[format_score(c.score) for c in summary.columns],
                         Threshold=[f"{c.threshold:g}" for c in summary.columns])
    st.dataframe(shown, hide_index=True, width="stretch", column_config={
        "Score": st.column_config.TextColumn(help="The test's p-value (drift when below the threshold) or distance "
                                                  "(drift when at or above it), to two significant digits."),
        "Drift strength": st.column_config.NumberColumn(format="%.2f", help="The score against its threshold in the "
                                                        "direction that means drift: 1 is the threshold, "
                                                        "above 1 drifted.")})
    st.download_button("Download the per-column table (CSV)", safe_csv(table), "drift-columns.csv", "text/csv",
                       key="drift-csv")
    st.plotly_chart(drift_scores_figure(summary), width="stretch", key="drift-scores")


@st.cache_data(max_entries=32, show_spinner=False)
def _overlay(_db: sqlite_utils.Database, _reference: Dataset, key: str, source: dict, column: str,
             column_type: str) -> dict:
    """Keyed by the reference's content hash and the source (``key``), not by the store."""
    ref, cur, _, _, _ = sides(StoreInputs(_db, _reference.project_id), _reference.content_hash, source,
                              MAX_ROWS_PER_SIDE)
    return overlay(ref, cur, column, column_type)


def overlay_view(db: sqlite_utils.Database, summary: DriftSummary, reference: Dataset, source: dict) -> None:
    columns = {c.column: c.type for c in summary.columns}
    column = st.selectbox("Overlay a column", list(columns), key="drift-overlay-column")
    try:
        data = _overlay(db, reference, json.dumps([reference.content_hash, source], sort_keys=True), source, column,
                        columns[column])
    except (StoreError, ValueError) as error:
        st.warning(plain(f"No overlay: {error}"))
        return
    st.plotly_chart(overlay_figure(data), width="stretch", key="drift-overlay")
