"""Drift: does the data the model sees now still look like the data it was built on? (Evidently)"""
import streamlit as st

from analysis.drift.model import DriftSummary
from analysis.evidence import drift_settings, drift_summary, report_name
from analysis.inert import sandboxed_frame
from components import drift_view, evidence, shell
from components.text import plain
from store.datasets import list_datasets
from store.errors import StoreError
from store.reports import read_report
from store.results import list_evidence

context = shell.page_context()
project = shell.require_project(context)
st.title(f"Drift · {plain(project.name)}")
st.caption("Compares a reference and a current dataset column by column with Evidently's data drift report.")
datasets = list_datasets(context.db, project.id)
if not datasets:
    st.info("No dataset yet: upload a CSV on the Datasets page.")
    st.stop()

reference, source, names = drift_view.choose_sides(datasets)
settings = drift_view.settings_form(list(reference.column_types))
run = evidence.run_button(context, "Run drift check", "drift-run", "run drift checks")
key = drift_settings(source, settings)
summary = evidence.result_or_job(
    context, "drift", reference, key, DriftSummary.from_dict, f"Drift check {names[0]} → {names[1]}",
    lambda s: drift_summary(*names, s), start=run, idle="Not run yet with these settings. Press 'Run drift check'.")

if summary is not None:
    drift_view.summary_view(summary)
    drift_view.overlay_view(context.db, summary, reference, source)
    try:
        html = read_report(context.db, report_name(reference.content_hash, key))
    except StoreError as error:
        st.warning(plain(str(error)))
    else:
        st.download_button("Download the Evidently report (HTML, opens offline)", html,
                           f"{report_name(reference.content_hash, key)}.html", "text/html")
        with st.expander("Evidently report", expanded=False):
            st.iframe(sandboxed_frame(html, 900), height=910)

history = list_evidence(context.db, project.id, "monitoring", "drift")
if history:
    st.subheader(f"Drift checks of this project ({len(history)})")
    st.dataframe([{"When (UTC)": e.created_at[:16].replace("T", " "), "Reference": e.summary["reference"],
                   "Current": e.summary["current"], "Dataset drift": e.summary["dataset_drift"],
                   "Drifted": f"{e.summary['drifted_count']} of {e.summary['columns_checked']}", "By": e.created_by}
                  for e in history], hide_index=True, width="stretch")
