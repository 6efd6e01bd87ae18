"""Compare: baseline runs across datasets and time, side by side, against the design document's criteria."""
import pandas as pd
import streamlit as st

from analysis.baselines import BaselineRun, best_metrics, display_name
from components import baseline_charts, shell
from components.text import plain
from design.checks import check_criteria
from design.document import success_criteria
from store.documents import latest_revision
from store.results import list_evidence, result_by_id

context = shell.page_context()
project = shell.require_project(context)
st.title(f"Compare runs · {plain(project.name)}")
runs = list_evidence(context.db, project.id, "evaluation", "run")
if not runs:
    st.info("No baseline run yet: run one on the Baselines page.")
    st.page_link("pages/baselines.py", label="Go to Baselines", icon=":material/model_training:")
    st.stop()


def label(e) -> str:
    return f"#{e.id} {e.summary['dataset']} → {e.summary['target']} ({e.created_at[:16].replace('T', ' ')})"


st.dataframe(pd.DataFrame([{"Run": f"#{e.id}", "When (UTC)": e.created_at[:16].replace("T", " "), "Dataset": e.summary["dataset"],
                            "Target": e.summary["target"], "Task": e.summary["task"], "Protocol": e.summary["protocol"],
                            "Best model": e.summary["best_model"], "Beats dummy": e.summary["beats_dummy"], "By": e.created_by}
                           for e in runs]), hide_index=True, width="stretch")
by_id = {e.id: e for e in runs}
chosen = st.multiselect("Runs to compare", list(by_id), default=list(by_id)[:2], format_func=lambda i: label(by_id[i]), key="compare-runs")
if not chosen:
    st.stop()
loaded = {i: BaselineRun.from_dict(result_by_id(context.db, by_id[i].result_id).payload) for i in chosen}

st.subheader("Settings that differ")
flat = {i: {"dataset": by_id[i].summary["dataset"], "protocol": r.protocol.description,
            **{k: str(v) for k, v in r.settings.to_dict().items()}} for i, r in loaded.items()}
keys = [k for k in next(iter(flat.values())) if len({f.get(k) for f in flat.values()}) > 1]
if keys:
    st.dataframe(pd.DataFrame({f"#{i}": {k: flat[i].get(k) for k in keys} for i in chosen}), width="stretch")
else:
    st.caption("The chosen runs have the same settings.")

st.subheader("Best model of each run")
metrics = sorted({m for r in loaded.values() for m in best_metrics(r)})
shown = st.multiselect("Metrics", metrics, default=[m for m in ("roc auc", "recall", "specificity", "rmse", "r2") if m in metrics] or metrics[:3],
                       key="compare-metrics", format_func=display_name)
st.plotly_chart(baseline_charts.metrics_figure([(f"#{i} {loaded[i].best_model}", best_metrics(loaded[i])) for i in chosen], shown,
                                               "Best model per run"), width="stretch", key="compare-chart")
for i in chosen:
    (st.success if loaded[i].beats_dummy else st.warning)(plain(f"#{i}: {loaded[i].lift_over_dummy}"))
    for flag in loaded[i].too_good_flags:
        st.error(plain(f"#{i}: too good to be true? {flag}"))

st.subheader("Success criteria")
revision = latest_revision(context.db, project.id)
criteria = success_criteria(revision.content) if revision else []
if not criteria:
    st.info("The design document has no success criterion yet (Evaluation section).")
else:
    table = {f"#{i}": {str(c.criterion): c.status for c in check_criteria(criteria, best_metrics(loaded[i]))} for i in chosen}
    st.dataframe(pd.DataFrame(table), width="stretch")
