"""Explore: a dataset's profile (overview, alerts, columns, missing values, correlations) and target views."""
import streamlit as st

from analysis.errors import TargetError
from components import profile_view, shell
from components.evidence import profile_of
from store.datasets import list_datasets

context = shell.page_context()
project = shell.require_project(context)
st.title(f"Explore · {project.name}")
datasets = {d.id: d for d in list_datasets(context.db, project.id)}
if not datasets:
    st.info("No dataset yet: upload a CSV on the Datasets page.")
    st.page_link("pages/datasets.py", label="Go to Datasets", icon=":material/table:")
    st.stop()

shell.url_choice("dataset", list(datasets), int)
dataset = datasets[st.selectbox("Dataset", list(datasets), format_func=lambda i: datasets[i].name, key="dataset", on_change=shell.to_url, args=("dataset",))]
columns = list(dataset.column_types)
shell.url_choice("target", [None, *columns], str)
target = st.selectbox("Target column (what the model will predict)", [None, *columns], key="target",
                      format_func=lambda c: "none" if c is None else c, on_change=shell.to_url, args=("target",))

try:
    with st.spinner(f"Profiling {dataset.name}…"):
        profile = profile_of(context.db, project, dataset, target, context.author)
except TargetError as error:
    st.error(str(error))
    st.stop()

profile_view.overview(profile)
tabs = st.tabs(["Alerts", "Columns", "Missing values", "Correlations"] + (["Target"] if profile.target else []))
with tabs[0]:
    profile_view.alerts(profile)
with tabs[1]:
    profile_view.columns(profile, key="explore-column")
with tabs[2]:
    profile_view.missing(profile)
with tabs[3]:
    profile_view.correlations(profile, key="explore-corr")
if profile.target:
    with tabs[4]:
        profile_view.target(profile, key="explore-target")
st.caption("This profile is saved as evidence on the design document's Data section.")
