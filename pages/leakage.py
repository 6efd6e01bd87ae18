"""Leakage: what would make a model look better than it will be (proxies, IDs, duplicates, overlaps)."""
import streamlit as st

from analysis.errors import TargetError
from components import datasets_view, leakage_view, shell
from components.evidence import leakage_of
from store.resolutions import list_resolutions

context = shell.page_context()
project = shell.require_project(context)
st.title(f"Leakage checks · {project.name}")
st.caption("Finds features and splits that let a model see the answer in evaluation but not in production.")
shell.show_flash()
dataset, datasets = datasets_view.pick_dataset(context.db, project)
target = datasets_view.pick_target(dataset, "Target column", "choose…")
split, test = leakage_view.split_form(dataset, [d for d in datasets.values() if d.id != dataset.id])
settings = leakage_view.settings_form()
if target is None:
    st.info("Choose the target column: the checks look for what gives it away.")
    st.stop()

run = st.button("Run leakage checks", type="primary", key="leak-run")
try:
    with st.spinner("Scanning for leakage…"):
        report = leakage_of(context.db, project, dataset, target, split, settings, test, context.author, run)
except (TargetError, ValueError) as error:
    st.error(str(error))
    st.stop()
if report is None:
    st.info("Not run yet with these settings. Press 'Run leakage checks'.")
    st.stop()

leakage_view.report_header(report)
leakage_view.findings(context.db, project.id, dataset, report, list_resolutions(context.db, project.id), context.author)
st.caption("Findings are saved as evidence on the design document's Data section; unresolved high-severity "
           "ones stay visible on the Baselines and Review pages.")
