"""Compare: baseline runs across datasets and time, and the team's candidate models with their versions beside them,
side by side, against the design document's criteria; then the checks a pipeline ran (blueprint check --as)."""
import pandas as pd
import streamlit as st

from analysis.baselines.run import DUMMY, criterion_evidence, display_name, floor_values
from components import baseline_charts, compare_view, shell
from components.text import plain
from design.blockers import CHECKS_PLACE
from design.candidates import stored_checks
from design.checks import check_criteria
from design.document import success_criteria
from store.datasets import list_datasets
from store.documents import latest_revision
from store.models import list_models
from store.results import list_evidence

context = shell.page_context()
project = shell.require_project(context)
st.title(f"Compare runs · {plain(project.name)}")
runs = list_evidence(context.db, project.id, "evaluation", "run")
candidates = list_evidence(context.db, project.id, "evaluation", "candidate")
pipeline = list_evidence(context.db, project.id, "evaluation", "check")       # stored summaries only
if not runs:
    st.info("No baseline run yet: run one on the Baselines page.")
    st.page_link("pages/baselines.py", label="Go to Baselines", icon=":material/model_training:")
    if not candidates and not pipeline:
        st.stop()


def label(e) -> str:
    return f"#{e.id} {e.summary['dataset']} → {e.summary['target']} ({e.created_at[:16].replace('T', ' ')})"


loaded, checks, best = {}, {}, {}
revision = latest_revision(context.db, project.id)
criteria = success_criteria(revision.content) if revision else []
if runs:
    st.dataframe(pd.DataFrame([{"Run": f"#{e.id}", "When (UTC)": e.created_at[:16].replace("T", " "),
                                "Dataset": e.summary["dataset"], "Target": e.summary["target"],
                                "Task": e.summary["task"],
                                "Protocol": e.summary["protocol"], "Best model": e.summary["best_model"],
                                "Beats dummy": e.summary["beats_dummy"], "By": e.created_by}
                               for e in runs]), hide_index=True, width="stretch")
    by_id = {e.id: e for e in runs}
    chosen = st.multiselect("Runs to compare", list(by_id), default=list(by_id)[:2],
                            format_func=lambda i: label(by_id[i]), key="compare-runs")
    loaded = compare_view.load(context.db, by_id, chosen) if chosen else {}    # summaries only, never predictions
chosen = list(loaded)

if loaded:
    st.subheader("Settings that differ")
    compare_view.settings(loaded, {i: by_id[i].summary["dataset"] for i in chosen})

    st.subheader("Metrics of the best model of each run")
    best = {i: floor_values(r) for i, r in loaded.items()}
    floors = {i: floor_values(r, DUMMY) for i, r in loaded.items()}
    compare_view.metrics(loaded, best)
    metrics = sorted({m for values in best.values() for m in values})
    shown = st.multiselect("Metrics", metrics, key="compare-metrics", format_func=display_name,
                           default=[m for m in ("roc auc", "recall", "specificity", "rmse", "r2") if m in metrics]
                           or metrics[:3])
    bars = [row for i in chosen for row in ((f"#{i} {loaded[i].best_model}", best[i]), (f"#{i} dummy", floors[i]))
            if row[1]]
    st.plotly_chart(baseline_charts.metrics_figure(bars, shown, "Best model and dummy floor per run (on all tested "
                                                                "rows)"), width="stretch", key="compare-chart")
    for i in chosen:
        if loaded[i].too_good_flags:   # one message per run: too good to be true is never also "beats the dummy"
            for flag in loaded[i].too_good_flags:
                st.error(plain(f"#{i}: too good to be true? {flag}"))
        else:
            (st.success if loaded[i].beats_dummy else st.warning)(plain(f"#{i}: {loaded[i].lift_over_dummy}"))
        for note in loaded[i].floor_notes:
            st.warning(plain(f"#{i}: {note}"))

    st.subheader("Weakest slices of each run's best model")
    compare_view.weakest(loaded)

    st.subheader("Success criteria")
    if not criteria:
        st.info("The design document has no success criterion yet (Evaluation section).")
    else:
        checks = {i: check_criteria(criteria, criterion_evidence(loaded[i]), f"run #{i}", loaded[i].task,
                                    compare_view.slices_of(loaded[i], criteria)) for i in chosen}
        table = {f"#{i}": {str(c.criterion): c.status + ("" if c.low is None else f" ({c.low:.3f}-{c.high:.3f})")
                           for c in checks[i]} for i in chosen}
        st.dataframe(pd.DataFrame(table), width="stretch")
        st.caption("Each cell: the verdict, then the 95 % interval of the best model's value. Pass when the whole "
                   "interval clears the bar, fail when it misses it, inconclusive otherwise.")
        for i in chosen:
            threshold = loaded[i].decision_threshold
            if threshold is not None:
                source = ("the design document" if loaded[i].settings.decision_threshold is not None
                          else "the default (the document named none)")
                st.caption(f"#{i}: decision threshold {threshold:g}, from {source}.")

if candidates:
    st.header("Candidate models beside the runs")
    models = list_models(context.db, project.id)
    datasets = {d.content_hash: d.name for d in list_datasets(context.db, project.id)}
    evaluations = compare_view.latest_evaluations(candidates)          # stored summaries only
    st.dataframe(compare_view.candidate_versions(models, evaluations, datasets), hide_index=True, width="stretch",
                 key="compare-candidate-versions")
    picked = st.multiselect("Candidate versions to compare", list(evaluations),
                            default=compare_view.default_candidates(models, evaluations), key="compare-candidates")
    first = chosen[0] if chosen else None
    if picked:
        st.subheader("Metrics of the candidates beside the first chosen run")
        columns = {f"#{first} {loaded[first].best_model}": best[first]} if first is not None and best[first] else {}
        columns.update({label: evaluations[label].summary.get("metrics") or {} for label in picked})
        compare_view.candidate_metrics(columns, bool(first is not None and best[first]))
        compare_view.differences_in_words({label: evaluations[label] for label in picked})
        st.subheader("Success criteria: each candidate's verdicts beside the run's")
        verdicts = {label: stored_checks(evaluations[label].summary) for label in picked}
        if first is not None and checks:
            verdicts[f"#{first} {loaded[first].best_model}"] = checks[first]
        texts = [str(c) for c in criteria] or list(dict.fromkeys(str(c.criterion) for v in verdicts.values()
                                                                  for c in v))
        st.dataframe(compare_view.criteria_beside(texts, verdicts), width="stretch", key="compare-candidate-criteria")
        st.caption("Each candidate's verdicts as stored when it was evaluated (relative criteria on the paired "
                   "difference to the baseline on the same rows); the run's checked on its best model's intervals.")
    st.subheader("What changed between versions")
    compare_view.versions(models, datasets)

if pipeline:
    st.header(CHECKS_PLACE)
    compare_view.ci_runs(pipeline)
