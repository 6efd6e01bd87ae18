"""Jobs: the project's running and recent work (profiles, leakage scans, baseline runs, drift checks), who
started each, its state and duration; refreshed live, with Cancel for what is still running."""
import streamlit as st

from components import jobs_view, shell
from components.text import plain
from store.access import EDIT

context = shell.page_context()
project = shell.require_project(context)
st.title(f"Jobs · {plain(project.name)}")
st.caption("Long work runs in worker processes: it goes on when you leave a page or close the tab, and everyone "
           "sees the same progress. "
           "A server restart marks running jobs as interrupted; run them again from their page.")
may_cancel = shell.may(context, EDIT, "cancel jobs or run them again")
jobs_view.project_jobs(project.id, may_cancel)
