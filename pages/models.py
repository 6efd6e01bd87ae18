"""Models: the team's own candidate models, brought as a predictions file or an MLflow run, judged like the baselines:
against the design document's criteria, the dummy floor and the best baseline run on the same rows."""
import streamlit as st

from components import models_view, shell
from components.text import plain
from store.documents import latest_revision
from store.models import list_models

context = shell.page_context()
project = shell.require_project(context)
st.title(f"Models · {plain(project.name)}")
st.caption("The model the review decides on: the team's candidate, from its predictions, checked against the "
           "document's criteria with 95 % intervals and compared with the baselines on the same rows.")
shell.show_flash()
revision = latest_revision(context.db, project.id)
content = revision.content if revision else {}
models_view.bring(context, content, has_models=bool(list_models(context.db, project.id)))

st.subheader("Evidence")
version = models_view.pick_version(context.db, project.id)
if version is None:
    st.stop()
models_view.version_facts(version)
baseline, load_test = models_view.choose_comparisons(context, version)
found = models_view.evidence_of(context, version, content, baseline, load_test)
if found is None:
    st.stop()
evaluation, summary, dataset_id = found
models_view.show(evaluation, summary, content, project.id, dataset_id)
st.caption("This evidence is kept on the design document's Evaluation section; the Review page reads it.")
