"""Review: what blocks approval first, then the document with its evidence, comments, decisions, readiness,
history, and exports.

The chosen tab lives in the URL (?tab=Export), so a copied link, a reload or a download keeps it. A read-only link
(?project=ID&revision=N&mode=read) opens one revision without comment or decision forms.
"""
import dataclasses
import re

import streamlit as st

from components import review_view, shell
from components.text import plain
from design.export import to_html, to_markdown
from store import access
from store.errors import StoreError

context = shell.page_context()
project = shell.require_project(context)
read_link = st.query_params.get("mode") == "read"
if read_link:                       # a read-only link gives viewer rights, whatever the person's role
    context = dataclasses.replace(context, user=access.read_only(context.user))
revision = st.query_params.get("revision")
try:
    summary = review_view.gather(context.db, project, int(revision) if revision and revision.isdigit() else None)
except StoreError as error:
    st.error(plain(str(error)))
    st.stop()

st.title(f"Review · {plain(project.name)}")
shell.show_flash()
if read_link:
    st.info(plain(f"Read-only view of {summary.revision_label}."))
readonly = not context.can(access.REVIEW)
if readonly and not read_link:
    shell.may(context, access.REVIEW, "comment or record a decision")
review_view.header(summary)
review_view.blockers(summary)
review_view.candidate_criteria(summary)        # the candidate's verdicts beside the best run's (when one is evaluated)

tabs = st.tabs(review_view.TABS, key="tab", bind="query-params")
with tabs[0]:
    review_view.document(context.db, project, summary, context.user, readonly)
with tabs[1]:
    if tabs[1].open is not False:      # its charts cost most of the page: drawn only for a person who opens the tab
        review_view.readiness(summary)
with tabs[2]:
    review_view.decision(context.db, project, summary, context.user, readonly)
with tabs[3]:
    review_view.history(context.db, project)
with tabs[4]:
    stem = re.sub(r"[^A-Za-z0-9]+", "-", project.name).strip("-").lower() or "project"
    stamp = f"{stem}-rev{summary.revision_number or 0}"
    # Files are built when clicked (the HTML inlines 4.5 MB of plotly.js), not on every run.
    # A download does not rerun the page (on_click="ignore"); the tab is in the URL anyway.
    st.download_button("Download summary (Markdown)", lambda: to_markdown(summary), f"{stamp}-review.md",
                       "text/markdown", on_click="ignore")
    st.download_button("Download summary (HTML, opens offline)", lambda: to_html(summary, review_view.charts(summary)),
                       f"{stamp}-review.html", "text/html", on_click="ignore")
    st.download_button("Export project (JSON)", lambda: review_view.project_json(project.id), f"{stem}.blueprint.json",
                       "application/json", on_click="ignore")
    link = f"review?project={project.id}&revision={summary.revision_number or 0}&mode=read"
    st.markdown("Read-only link to this revision (append to the app's address):")
    st.code(link, language=None)
