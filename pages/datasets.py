"""Datasets: upload data files (CSV, gzip CSV, Parquet, Excel), pick one from a data folder on the server, or read a
SQL source; see what is stored, rename, set roles, delete, read a SQL source again."""
import streamlit as st

from components import datasets_view, shell, sources_view
from components.text import plain
from store.access import EDIT
from store.datasets import list_datasets

context = shell.page_context()
project = shell.require_project(context)
st.title(f"Datasets · {plain(project.name)}")
st.caption("Upload the data the system is built on. "
           "Each file is stored once, by content; evidence is computed from it.")
shell.show_flash()

editing = shell.may(context, EDIT, "upload, rename or delete datasets")
sources = sources_view.settings() if editing else None
if editing:
    way = sources_view.choose_way(project)
    if way == "Upload files":
        datasets_view.upload(context.db, project, context.user)
    elif sources is not None and way == "From a data folder":
        sources_view.from_folder(context.db, project, context.user, sources)
    elif sources is not None:
        sources_view.from_sql(context.db, project, context.user, sources)
datasets = list_datasets(context.db, project.id)
if not datasets:
    st.info("No dataset yet. Upload a data file above: CSV, Parquet or an Excel workbook.")
    st.stop()
datasets_view.dataset_table(datasets)
st.page_link("pages/explore.py", label="Explore a dataset: profile, alerts, correlations, class balance",
             icon=":material/query_stats:")
if editing:
    with st.expander("Rename, set role or delete"):
        datasets_view.manage(context.db, datasets, context.user)
    if sources is not None:
        sources_view.read_again(context.db, datasets, context.user, sources)
