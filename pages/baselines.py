"""Baselines: quick, honest scikit-learn baselines on a chosen target, against the dummy floor and the
success criteria of the design document."""
import streamlit as st

from analysis.errors import TargetError
from analysis.baselines import BaselineRun
from analysis.evidence import run_settings_key, run_summary
from components import baselines_view, datasets_view, evidence, shell
from design.document import success_criteria
from design.evidence import open_leakage
from store.documents import latest_revision
from store.resolutions import list_resolutions
from store.results import list_evidence

context = shell.page_context()
project = shell.require_project(context)
st.title(f"Baselines · {project.name}")
st.caption("Beat a simple baseline first: a dummy floor, a linear model, tree ensembles, with preprocessing fitted inside each fold.")
dataset, datasets = datasets_view.pick_dataset(context.db, project)
target = datasets_view.pick_target(dataset, "Target column", "choose…")
if target is None:
    st.info("Choose the target column the model will predict.")
    st.stop()

leaks = open_leakage(list_evidence(context.db, project.id, "data", "leakage"), dataset.content_hash,
                     {(r.finding_key, r.dataset_hash) for r in list_resolutions(context.db, project.id)})
for finding in (f for f in leaks if f["severity"] == "high"):
    st.error(f"Unresolved high-severity leakage finding: {finding['title']}. {finding['action']}")
leaky = tuple((f["column"], f"flagged by the leakage checks: {f['title']}") for f in leaks if f.get("column") and f["column"] != target)
try:
    resolved = baselines_view.defaults(dataset.content_hash, target, leaky, context.db, dataset)
    settings, test = baselines_view.setup(dataset.column_types, target, dict(leaky), [d for d in datasets.values() if d.id != dataset.id], resolved)
except (TargetError, ValueError) as error:
    st.error(str(error))
    st.stop()
revision = latest_revision(context.db, project.id)
written = success_criteria(revision.content) if revision else []
go = st.button("Run baselines", type="primary", key="bl-run",
               help="Runs as a job: it goes on if you leave the page, and everyone opening this page sees it.")
run = evidence.result_or_job(
    context, "run", dataset, run_settings_key(settings, test.content_hash if test else None), BaselineRun.from_dict,
    f"Baselines on {dataset.name} for '{target}'", lambda r: run_summary(dataset.name, r, written), again=go,
    idle="Not run yet with these settings. Press 'Run baselines' (each model has a time budget; results appear as they come).")
if run is None:
    st.stop()

baselines_view.results(run)
st.subheader("Success criteria")
baselines_view.criteria(run, written)
baselines_view.charts(run)
st.caption("This run is saved as evidence on the design document's Evaluation section; compare runs on the Compare page.")
