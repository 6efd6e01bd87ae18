"""Drift: does the data the model sees now still look like the data it was built on? (Evidently)"""
import json

import streamlit as st

from analysis.drift import DriftInputError
from analysis.inert import sandboxed_frame
from components import drift_view, shell
from components.evidence import drift_of
from store.datasets import list_datasets
from store.errors import StoreError
from store.reports import read_report
from store.results import list_evidence

context = shell.page_context()
project = shell.require_project(context)
st.title(f"Drift · {project.name}")
st.caption("Compares a reference and a current dataset column by column with Evidently's data drift report.")
datasets = list_datasets(context.db, project.id)
if not datasets:
    st.info("No dataset yet: upload a CSV on the Datasets page.")
    st.stop()

reference, source, sides, names = drift_view.choose_sides(context.db, datasets)
settings = drift_view.settings_form(list(reference.column_types))
run = st.button("Run drift check", type="primary", key="drift-run")
try:
    with st.spinner("Running Evidently's drift report (the first run in a session loads Evidently, about 7 s)…"):
        found = drift_of(context.db, project, reference, source, sides, settings, names, context.author, run)
except (DriftInputError, ValueError, StoreError) as error:
    st.error(str(error))
    st.stop()

if found is None:
    st.info("Not run yet with these settings. Press 'Run drift check'.")
else:
    summary, report_name = found
    drift_view.summary_view(summary)
    drift_view.overlay_view(summary, sides, json.dumps([reference.content_hash, source]))
    try:
        html = read_report(context.db, report_name)
    except StoreError as error:
        st.warning(str(error))
    else:
        st.download_button("Download the Evidently report (HTML, opens offline)", html, f"{report_name}.html", "text/html")
        with st.expander("Evidently report", expanded=False):
            st.iframe(sandboxed_frame(html, 900), height=910)

history = list_evidence(context.db, project.id, "monitoring", "drift")
if history:
    st.subheader(f"Drift checks of this project ({len(history)})")
    st.dataframe([{"When (UTC)": e.created_at[:16].replace("T", " "), "Reference": e.summary["reference"],
                   "Current": e.summary["current"], "Dataset drift": e.summary["dataset_drift"],
                   "Drifted": f"{e.summary['drifted_count']} of {e.summary['columns_checked']}", "By": e.created_by}
                  for e in history], hide_index=True, width="stretch")
