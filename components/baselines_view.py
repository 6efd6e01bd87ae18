"""The Baselines page's pieces: run setup, results, threshold explorer, criteria checks."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis.baselines import BaselineRun, RunSettings, display_name, metric_names, model_names, resolve_settings
from components import baseline_charts
from components.text import plain
from design.checks import check_criteria
from store.datasets import Dataset

PROTOCOLS = {"auto": "automatic (by size and shape)", "kfold": "k-fold cross-validation", "holdout": "holdout",
             "time": "time-ordered split (needs a date column)", "group": "group split (needs a group column)",
             "test_dataset": "another dataset is the test set"}
STATUS_ICON = {"done": "✓", "partial": "◐", "skipped": "–", "failed": "✗"}


def setup(frame_columns: dict[str, str], target: str, leaky: dict[str, str], datasets: list[Dataset], resolved: RunSettings):
    """The run's settings as widgets, starting from ``resolved`` (what resolve_settings chose from the data).
    Returns (RunSettings, test dataset or None)."""
    dates = [c for c, t in frame_columns.items() if t == "datetime"]
    others = {d.id: d for d in datasets}
    with st.expander("Run settings", expanded=False):
        st.markdown(f"**Task** detected from '{plain(target)}': **{resolved.task}**"
                    + (f" (positive class '{plain(resolved.positive_label)}')" if resolved.positive_label else ""))
        candidates = [c for c in frame_columns if c != target]
        features = st.multiselect("Features", candidates, default=list(resolved.features), key=f"bl-features-{target}")
        if resolved.excluded:
            st.caption("Excluded by default: " + plain("; ".join(f"{c} ({why})" for c, why in resolved.excluded.items())))
        protocol = st.selectbox("Evaluation protocol", list(PROTOCOLS), format_func=PROTOCOLS.get, key="bl-protocol")
        date_column = st.selectbox("Date column (time order)", [None, *dates], key="bl-date",
                                   format_func=lambda c: "none" if c is None else c)
        group_column = st.selectbox("Group column (e.g. customer)", [None, *candidates], key="bl-group",
                                    format_func=lambda c: "none" if c is None else c)
        test = None
        if protocol == "test_dataset" and others:
            test = others[st.selectbox("Test dataset", list(others), format_func=lambda i: others[i].name, key="bl-test")]
        models = st.multiselect("Models", list(model_names(resolved.task)), default=list(resolved.models), key=f"bl-models-{resolved.task}")
        budget = st.number_input("Time budget per model (seconds)", 1.0, 600.0, float(resolved.time_budget_s), 5.0, key="bl-budget")
        classes = None
        if resolved.task == "binary":
            classes = st.text_input("Positive class", value=resolved.positive_label or "", key=f"bl-positive-{target}").strip()
        st.caption(f"random_state = {resolved.random_state} for the sample, the splits, the models and the permutations.")
    settings = RunSettings(
        target=target, task=resolved.task, features=tuple(features), excluded=resolved.excluded, protocol=protocol,
        date_column=date_column, group_column=group_column, models=tuple(models), time_budget_s=budget,
        positive_label=classes or resolved.positive_label, random_state=resolved.random_state, max_rows=resolved.max_rows,
    )
    return settings, test


def results(run: BaselineRun) -> None:
    """The metrics table (mean ± spread), the lift over the dummy, and flags."""
    st.markdown(f"**{plain(run.protocol.description)}** · {run.n_rows:,} rows · {run.status} in {run.seconds:.1f} s")
    for note in run.notes:
        st.info(plain(note))
    (st.success if run.beats_dummy else st.warning)(plain(run.lift_over_dummy))
    for flag in run.too_good_flags:
        st.error(f"Too good to be true? {plain(flag)} Check the leakage findings of this dataset.")
        st.page_link("pages/leakage.py", label="Open the leakage checks", icon=":material/plumbing:")
    names = metric_names(run.task)
    rows = []
    for r in run.results:
        row = {"Model": f"{STATUS_ICON.get(r.status, '')} {r.name}" + (" (best)" if r.name == run.best_model else "")}
        for m in names:
            mean, std = r.metrics.get(m), r.metrics_std.get(m)
            row[display_name(m)] = None if mean is None else (f"{mean:.3f} ± {std:.3f}" if std is not None else f"{mean:.3f}")
        row.update({"Fit s": round(r.fit_s, 2), "Predict s": round(r.predict_s, 2), "Note": r.message})
        rows.append(row)
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")


def criteria(run: BaselineRun, written: list) -> None:
    """Each success criterion of the design document against the best model."""
    from analysis.evidence import run_summary

    if not written:
        st.info("The design document has no success criterion yet (Evaluation section), so there is nothing to check.")
        return
    checks = check_criteria(written, run_summary("", run, written)["metrics"], f"the best model ({run.best_model})")
    st.dataframe(pd.DataFrame([{"Criterion": str(c.criterion), "Result": c.status, "Why": c.reason} for c in checks]),
                 hide_index=True, width="stretch")


def charts(run: BaselineRun) -> None:
    scored = [r for r in run.results if r.has_scores and r.curves is not None]
    best = run.best()
    if run.task == "binary" and scored:
        left, right = st.columns(2)
        left.plotly_chart(baseline_charts.roc_figure([r for r in scored if r.curves.roc]), width="stretch", key="bl-roc")
        right.plotly_chart(baseline_charts.pr_figure([r for r in scored if r.curves.pr]), width="stretch", key="bl-pr")
    if best is not None and best.curves is not None and best.curves.confusion is not None:
        st.plotly_chart(baseline_charts.confusion_figure(best), width="stretch", key="bl-confusion")
    if best is not None and best.curves is not None and best.curves.thresholds is not None:
        threshold_explorer(best)
    if best is not None and best.curves is not None and best.curves.residuals is not None:
        st.plotly_chart(baseline_charts.residuals_figure(best), width="stretch", key="bl-residuals")
    if best is not None and best.importance:
        st.plotly_chart(baseline_charts.importance_figure(best), width="stretch", key="bl-importance")
        st.caption(best.importance_note)


def threshold_explorer(result) -> None:
    st.markdown(f"**Threshold explorer** ({result.name}): pick a decision threshold and see what it means.")
    threshold = st.slider("Decision threshold", 0.0, 1.0, 0.5, 0.01, key="bl-threshold")
    at = result.curves.thresholds.at(threshold)
    cols = st.columns(4)
    for col, name in zip(cols, ("precision", "recall", "fpr", "fnr")):
        value = at.get(name)
        col.metric(name.upper() if len(name) == 3 else name.capitalize(), "n/a" if value is None else f"{value:.3f}")
    st.caption(f"At {threshold:.2f}: {at['tp']} true positives, {at['fp']} false positives, "
               f"{at['tn']} true negatives, {at['fn']} false negatives.")


@st.cache_resource(max_entries=32, show_spinner=False)
def defaults(content_hash: str, target: str, leaky: tuple, _db, _dataset: Dataset) -> RunSettings:
    # Keyed by content, not by store: the same bytes give the same defaults wherever they are stored.
    """What a run would use by default on this data (task, features, models), computed once per data."""
    from store.datasets import load_frame

    return resolve_settings(load_frame(_db, _dataset), _dataset.column_types, RunSettings(target=target, excluded=dict(leaky)))
