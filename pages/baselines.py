"""Baselines: quick, honest scikit-learn baselines on a chosen target, against the dummy floor and the
success criteria of the design document."""
import dataclasses

import streamlit as st

from analysis.baselines.run import BaselineRun
from analysis.baselines.setup import REASONS
from analysis.errors import TargetError
from analysis.evidence import run_settings_key, run_summary
from components import baselines_view, datasets_view, error_analysis_view, evidence, shell
from components.text import plain
from design.checks import document_run_choices
from design.document import not_known_columns, success_criteria, value
from design.evidence import open_leakage
from store.documents import latest_revision
from store.resolutions import list_resolutions
from store.results import list_evidence

context = shell.page_context()
project = shell.require_project(context)
st.title(f"Baselines · {plain(project.name)}")
st.caption("Beat a simple baseline first: a dummy floor, a linear model, tree ensembles, "
           "with preprocessing fitted inside each fold.")
dataset, datasets = datasets_view.pick_dataset(context.db, project)
target = datasets_view.pick_target(dataset, "Target column", "choose…",
                                   suggested=datasets_view.document_choices(context.db, project)[0])
if target is None:
    st.info("Choose the target column the model will predict.")
    st.stop()

revision = latest_revision(context.db, project.id)
content = revision.content if revision else {}
written = success_criteria(content)
leaks = open_leakage(list_evidence(context.db, project.id, "data", "leakage"), dataset.content_hash,
                     {(r.finding_key, r.dataset_hash) for r in list_resolutions(context.db, project.id)})
leaky = tuple((f["column"], f"flagged by the leakage checks: {f['title']}")
              for f in leaks if f.get("column") and f["column"] != target)
# Columns the design document's feature table marks as not known at prediction time: left out, its reason shown.
unavailable = tuple((c, REASONS["unavailable"])
                    for c in not_known_columns(content) if c in dataset.column_types and c != target)
try:
    resolved = baselines_view.defaults(dataset.content_hash, target, leaky + unavailable, context.db, dataset,
                                       positive=datasets_view.document_choices(context.db, project)[1])
    settings, test = baselines_view.setup(dataset.column_types, target, dict(leaky + unavailable),
                                          [d for d in datasets.values() if d.id != dataset.id], resolved)
except (TargetError, ValueError) as error:
    st.error(plain(str(error)))
    st.stop()
# The document's decision threshold and the metric its criteria choose are part of the run's settings (and key).
settings = dataclasses.replace(settings, **document_run_choices(content, settings.task))
baselines_view.feature_warnings(leaks, settings, baselines_view.id_like(dataset.content_hash, context.db, dataset))
baselines_view.choices(settings, written)
go = evidence.run_button(context, "Run baselines", "bl-run", "run baselines",
                        help="Runs as a job: it goes on if you leave the page, and everyone opening this page sees it.")
run = evidence.result_or_job(
    context, "run", dataset, run_settings_key(settings, test.content_hash if test else None), BaselineRun.from_dict,
    f"Baselines on {dataset.name} for '{target}'", lambda r: run_summary(dataset.name, r, written), again=go,
    idle="Not run yet with these settings. "
         "Press 'Run baselines' (each model has a time budget; results appear as they come).")
if run is None:
    st.stop()

baselines_view.results(run)
st.subheader("Success criteria")
baselines_view.criteria(run, written)
baselines_view.charts(run, written)
error_analysis_view.show(run, value(content, "evaluation", "always_slice") or [], project.id, dataset.id)
st.caption("This run is saved as evidence on the design document's Evaluation section; "
           "compare runs on the Compare page.")
