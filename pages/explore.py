"""Explore: a dataset's profile (overview, alerts, columns, missing values, correlations) and target views."""
import streamlit as st

from analysis.evidence import profile_settings, profile_summary
from analysis.profile.describe import Profile
from components import datasets_view, evidence, profile_view, shell
from components.text import plain

context = shell.page_context()
project = shell.require_project(context)
st.title(f"Explore · {plain(project.name)}")
dataset, _ = datasets_view.pick_dataset(context.db, project)
target = datasets_view.pick_target(dataset, "Target column (what the model will predict)", "none",
                                   suggested=datasets_view.document_choices(context.db, project)[0])

profile = evidence.result_or_job(
    context, "profile", dataset, profile_settings(target), Profile.from_dict,
    f"Profile of {dataset.name}" + (f" for '{target}'" if target else ""),
    lambda p: profile_summary(dataset.name, p), start=True)
if profile is None:
    st.stop()

profile_view.overview(profile)
# The chosen tab lives in the URL (?tab=Columns&column=x opens one column's view: links from error analysis).
tabs = st.tabs(["Alerts", "Columns", "Missing values", "Correlations"] + (["Target"] if profile.target else []),
               key="tab", bind="query-params")
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
