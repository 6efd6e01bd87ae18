"""Leakage: what would make a model look better than it will be (proxies, IDs, duplicates, overlaps)."""
import streamlit as st

from analysis.evidence import leakage_settings, leakage_summary
from analysis.leakage.scan import LeakageReport
from components import datasets_view, evidence, leakage_view, shell
from components.text import plain
from design.document import feature_table
from store.access import EDIT
from store.documents import latest_revision
from store.resolutions import list_resolutions

context = shell.page_context()
project = shell.require_project(context)
st.title(f"Leakage checks · {plain(project.name)}")
st.caption("Finds features and splits that let a model see the answer in evaluation but not in production.")
shell.show_flash()
dataset, datasets = datasets_view.pick_dataset(context.db, project)
target = datasets_view.pick_target(dataset, "Target column", "choose…",
                                   suggested=datasets_view.document_choices(context.db, project)[0])
split, test = leakage_view.split_form(dataset, [d for d in datasets.values() if d.id != dataset.id])
settings = leakage_view.settings_form()
if target is None:
    st.info("Choose the target column: the checks look for what gives it away.")
    st.stop()

revision = latest_revision(context.db, project.id)
table = feature_table(revision.content, dataset.column_types) if revision else {}
run = evidence.run_button(context, "Run leakage checks", "leak-run", "run leakage checks or resolve findings")
report = evidence.result_or_job(
    context, "leakage", dataset, leakage_settings(target, split, settings, test.content_hash if test else None, table),
    LeakageReport.from_dict, f"Leakage scan of {dataset.name} for '{target}'",
    lambda r: leakage_summary(dataset.name, r), start=run,
    idle="Not run yet with these settings. Press 'Run leakage checks'.")
if report is None:
    st.stop()

leakage_view.report_header(report)
if report.feature_table:
    st.caption(f"The design document's feature table marks {len(report.feature_table)} column(s) of this dataset "
               "as not known at prediction time or unknown; strong ones are flagged below with the table as evidence.")
leakage_view.findings(context.db, project.id, dataset, report, list_resolutions(context.db, project.id), context.user,
                      context.can(EDIT))
st.caption("Findings are saved as evidence on the design document's Data section; unresolved high-severity "
           "ones stay visible on the Baselines and Review pages.")
