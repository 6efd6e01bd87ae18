"""The Baselines page's pieces: run setup, results, threshold explorer, criteria checks."""
from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from analysis.baselines.metrics import canonical_metric, primary_reason
from analysis.baselines.run import (
    DUMMY,
    PRIMARY_METRIC,
    RARE_POSITIVE_SHARE,
    BaselineRun,
    RunSettings,
    criterion_evidence,
    display_name,
    headline_metrics,
    metric_names,
    model_names,
    positive_share,
    resolve_settings,
)
from analysis.baselines.setup import DEFAULT_MAX_ROWS, id_like_columns
from analysis.error_analysis.analyze import slice_evidence
from components import baseline_charts
from components.text import plain
from design.checks import FAIL, INCONCLUSIVE, NOT_MEASURED, PASS, check_criteria, ranges_text, threshold_passes
from design.evidence import findings_for_features
from jobs.inputs import open_dataset
from store.datasets import Dataset

PROTOCOLS = {"auto": "automatic (by size and shape)", "kfold": "k-fold cross-validation", "holdout": "holdout",
             "time": "time-ordered split (needs a date column)", "group": "group split (needs a group column)",
             "test_dataset": "another dataset is the test set"}
STATUS_ICON = {"done": "✓", "partial": "◐", "skipped": "–", "failed": "✗"}


def setup(frame_columns: dict[str, str], target: str, leaky: dict[str, str], datasets: list[Dataset],
          resolved: RunSettings):
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
            st.caption("Excluded by default: "
                       + plain("; ".join(f"{c} ({why})" for c, why in resolved.excluded.items())))
        st.caption(reading_text(resolved.many_values))
        protocol = st.selectbox("Evaluation protocol", list(PROTOCOLS), format_func=PROTOCOLS.get, key="bl-protocol")
        date_column = st.selectbox("Date column (time order)", [None, *dates], key="bl-date",
                                   format_func=lambda c: "none" if c is None else c)
        group_column = st.selectbox("Group column (e.g. customer)", [None, *candidates], key="bl-group",
                                    format_func=lambda c: "none" if c is None else c)
        test = None
        if protocol == "test_dataset" and others:
            test = others[st.selectbox("Test dataset", list(others), format_func=lambda i: others[i].name,
                                       key="bl-test")]
        models = st.multiselect("Models", list(model_names(resolved.task)), default=list(resolved.models),
                                key=f"bl-models-{resolved.task}")
        budget = st.number_input("Time budget per model (seconds)", 1.0, 600.0, float(resolved.time_budget_s), 5.0,
                                 key="bl-budget")
        classes = None
        if resolved.task == "binary":
            classes = st.text_input("Positive class", value=resolved.positive_label or "",
                                    key=f"bl-positive-{target}").strip()
        st.caption(f"random_state = {resolved.random_state} for the sample, the splits, the models and the "
                   "permutations.")
    settings = RunSettings(
        target=target, task=resolved.task, features=tuple(features), excluded=resolved.excluded, protocol=protocol,
        date_column=date_column, group_column=group_column, models=tuple(models), time_budget_s=budget,
        positive_label=classes or resolved.positive_label, random_state=resolved.random_state,
        max_rows=resolved.max_rows,
    )
    return settings, test


def reading_text(many_values: int) -> str:
    """How the models read the kinds of column that need more than a number, in one caption."""
    return ("Dates become numbers (year, month, day of week, day of year, hour, days since the first date); free text "
            "becomes the TF-IDF of its words, read by the linear model and, through a few components, by gradient "
            f"boosting; a category with more than {many_values} values is target-encoded inside each fold. The run's "
            "notes say which columns.")


def choices(settings: RunSettings, written: list) -> None:
    """What the design document decides for this run: the decision threshold (or that it names none, so 0.5) and the
    metric that picks the best model, with why."""
    if settings.task == "binary":
        st.caption(threshold_text(settings.decision_threshold))
    primary = settings.primary_metric or PRIMARY_METRIC[settings.task]
    st.caption(primary_reason(settings.task, primary, [c.metric for c in written]))   # the app's words and metric names


def results(run: BaselineRun) -> None:
    """How the run was made, its headline (the lead metrics with the dummy's value beside), one message on it (too
    good to be true, else the lift over the dummy), the floor notes, the best model against the floor on every
    metric, and every model's metrics (mean ± spread)."""
    st.markdown(f"**{plain(run.protocol.line)}** · {run.n_rows:,} rows · {run.status} in {run.seconds:.1f} s")
    for note in run.notes:
        st.info(plain(note))
    headline(run)
    if run.too_good_flags:   # one message per run: a score too good to be true is not also "beating the dummy"
        for flag in run.too_good_flags:
            st.error(f"Too good to be true? {plain(flag)} Check the leakage findings of this dataset.")
        st.page_link("pages/leakage.py", label="Open the leakage checks", icon=":material/plumbing:")
        st.caption(plain(f"Against the dummy floor: {run.lift_over_dummy}"))
    else:
        (st.success if run.beats_dummy else st.warning)(plain(run.lift_over_dummy))
    for note in run.floor_notes:
        st.warning(plain(note))
    floor = floor_table(run)
    if floor is not None:
        st.markdown(f"**{plain(run.best_model)} against the dummy floor, metric by metric**")
        st.dataframe(floor, hide_index=True, width="stretch")
    names = _ordered(run)
    rows = []
    for r in run.results:
        row = {"Model": f"{STATUS_ICON.get(r.status, '')} {r.name}" + (" (best)" if r.name == run.best_model else "")}
        for m in names:
            mean, std = r.metrics.get(m), r.metrics_std.get(m)
            row[display_name(m)] = (None if mean is None
                                    else (f"{mean:.3f} ± {std:.3f}" if std is not None else f"{mean:.3f}"))
        row.update({"Fit s": round(r.fit_s, 2), "Predict s": round(r.predict_s, 2), "Note": r.message})
        rows.append(row)
    st.markdown("**Every model, mean ± spread over the folds**")
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")


def threshold_text(threshold: float | None) -> str:
    """Where a binary run's decision threshold comes from, in one sentence (None: the document names none)."""
    if threshold is not None:
        return (f"Decision threshold {threshold:g}, from the design document (Evaluation section): every threshold "
                "metric, criterion and the confusion matrix use it. Changing it there makes a new run.")
    return ("Decision threshold 0.5: the design document names none (Evaluation section), so the default 0.5 is used "
            "for every threshold metric, criterion and the confusion matrix.")


def _ordered(run: BaselineRun) -> list[str]:
    lead = headline_metrics(run)
    return list(dict.fromkeys([*lead, *metric_names(run.task)]))


def _dummy(run: BaselineRun):
    return next((r for r in run.results if r.name == DUMMY and r.has_scores), None)


def _value(result, metric: str):
    found = result.intervals.get(metric) if result is not None else None
    if found is not None:
        return found.value
    return result.metrics.get(metric) if result is not None else None


def headline(run: BaselineRun) -> None:
    """The lead metrics of the best model (on all tested rows, with the 95 % interval as help), the dummy's beside."""
    best, dummy = run.best(), _dummy(run)
    if best is None:
        return
    lead = headline_metrics(run)
    share = positive_share(run)
    if share is not None and share < RARE_POSITIVE_SHARE:
        st.caption(plain(f"The positive class '{run.positive_label}' is {share:.1%} of the rows, so recall, precision "
                         "and PR AUC lead: accuracy and ROC AUC look good even for a model that finds few positives."))
    for col, metric in zip(st.columns(len(lead)), lead, strict=True):
        found = best.intervals.get(metric)
        value = _value(best, metric)
        floor = _value(dummy, metric)
        help_text = (f"{display_name(metric)} of {best.name} on all {found.rows:,} tested rows; 95 % interval "
                     f"{found.low:.3f}-{found.high:.3f}, {found.counts_text()}.") if found and found.value is not None \
            and found.low is not None and math.isfinite(found.low) else None
        col.metric(display_name(metric), "n/a" if value is None else f"{value:.3f}",
                   delta=None if dummy is None else ("dummy n/a" if floor is None else f"dummy {floor:.3f}"),
                   delta_color="off", delta_arrow="off",
                   help=plain(help_text) if help_text else None)


def floor_table(run: BaselineRun) -> pd.DataFrame | None:
    """The best model beside the dummy for every metric: its value on all tested rows with the 95 % interval, the
    dummy's value, and the mean ± spread over the folds."""
    best, dummy = run.best(), _dummy(run)
    if best is None or not best.intervals:
        return None
    rows = []
    for m in _ordered(run):
        found = best.intervals.get(m)
        if found is None:
            continue
        mean, std = best.metrics.get(m), best.metrics_std.get(m)
        interval = (f"{found.low:.3f}-{found.high:.3f}" if found.value is not None and found.low is not None
                    and found.high is not None and math.isfinite(found.low) else "none")
        floor = _value(dummy, m)
        rows.append({"Metric": display_name(m), best.name: None if found.value is None else round(found.value, 4),
                     "95 % interval": interval, "Dummy": None if floor is None else round(floor, 4),
                     "From": found.counts_text(),
                     "Folds: mean ± spread": None if mean is None else (f"{mean:.3f} ± {std:.3f}" if std is not None
                                                                         else f"{mean:.3f}")})
    return pd.DataFrame(rows)


def criteria(run: BaselineRun, written: list) -> None:
    """Each success criterion of the design document against the best model's 95 % intervals, the dummy beside."""
    if not written:
        st.info("The design document has no success criterion yet (Evaluation section), so there is nothing to check.")
        return
    best, dummy = run.best(), _dummy(run)
    checks = check_criteria(written, criterion_evidence(run), f"the best model ({run.best_model})", run.task,
                            slice_evidence(best.error_analysis if best else None, written))
    rows = []
    for c in checks:
        name, complement = canonical_metric(c.criterion.metric)
        floor = _value(dummy, name)
        if floor is not None and complement:
            floor = 1.0 - floor
        rows.append({"Criterion": str(c.criterion), "Result": c.status,
                     "Value": None if c.value is None else round(c.value, 4),
                     "95 % interval": "" if c.low is None else f"{c.low:.3f}-{c.high:.3f}",
                     "Dummy": None if floor is None else round(floor, 4), "Why": c.reason})
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    counts = {s: sum(c.status == s for c in checks) for s in (PASS, FAIL, INCONCLUSIVE, NOT_MEASURED)}
    st.caption(f"{counts[PASS]} pass, {counts[FAIL]} fail, {counts[INCONCLUSIVE]} inconclusive, "
               f"{counts[NOT_MEASURED]} not measured here. A criterion passes only when its whole 95 % interval "
               "clears the bar, fails when the whole interval misses it, and is inconclusive otherwise.")


def charts(run: BaselineRun, written: list = ()) -> None:
    scored = [r for r in run.results if r.has_scores and r.curves is not None]
    best = run.best()
    if run.task == "binary" and scored:
        left, right = st.columns(2)
        left.plotly_chart(baseline_charts.roc_figure([r for r in scored if r.curves.roc]), width="stretch",
                          key="bl-roc")
        right.plotly_chart(baseline_charts.pr_figure([r for r in scored if r.curves.pr]), width="stretch", key="bl-pr")
    if best is not None and best.curves is not None and best.curves.confusion is not None:
        st.plotly_chart(baseline_charts.confusion_figure(best), width="stretch", key="bl-confusion")
    if best is not None and best.curves is not None and best.curves.thresholds is not None:
        threshold_explorer(best, list(written), run.decision_threshold)
    if best is not None and best.curves is not None and best.curves.residuals is not None:
        st.plotly_chart(baseline_charts.residuals_figure(best), width="stretch", key="bl-residuals")
    if best is not None and best.importance:
        st.plotly_chart(baseline_charts.importance_figure(best), width="stretch", key="bl-importance")
        st.caption(best.importance_note)


def threshold_explorer(result, written: list = (), document_threshold: float | None = None) -> None:
    """A decision threshold to try (starting at the run's), what it gives, and where each threshold criterion of the
    document would pass (its whole 95 % interval clearing the bar) on this model's out-of-fold predictions."""
    grid = result.curves.thresholds
    start = 0.5 if document_threshold is None else float(document_threshold)
    st.markdown(f"**Threshold explorer** ({plain(result.name)}): pick a decision threshold and see what it means.")
    passes = threshold_passes(list(written), grid)
    if passes:
        st.plotly_chart(baseline_charts.threshold_figure(grid, passes, start), width="stretch",
                        key="bl-threshold-chart")
        for p in passes:
            st.caption(plain(f"{p.criterion} would pass (its whole 95 % interval clears the bar) at thresholds "
                             f"{ranges_text(p.passes)}; its value alone meets the bar at {ranges_text(p.point)}."))
    threshold = st.slider("Decision threshold", 0.0, 1.0, start, 0.01, key="bl-threshold")
    at = grid.at(threshold)
    cols = st.columns(4)
    for col, name in zip(cols, ("precision", "recall", "fpr", "fnr"), strict=True):
        value = at.get(name)
        col.metric(name.upper() if len(name) == 3 else name.capitalize(), "n/a" if value is None else f"{value:.3f}")
    verdicts = "; ".join(f"{p.criterion} {p.status[int(round(threshold * 100))]}" for p in passes)
    st.caption(f"At {threshold:.2f}: {at['tp']} true positives, {at['fp']} false positives, "
               f"{at['tn']} true negatives, {at['fn']} false negatives."
               + (f" Criteria: {plain(verdicts)}." if verdicts else ""))


@st.cache_resource(max_entries=32, show_spinner=False)
def id_like(content_hash: str, _db, _dataset: Dataset) -> dict[str, str]:
    """The dataset's ID-like columns -> why (identifiers, names), computed once per data."""
    # above the run's sample size, read from the stored file a column at a time (never whole)
    return id_like_columns(open_dataset(_db, _dataset, DEFAULT_MAX_ROWS), _dataset.column_types)


def feature_warnings(leaks: list[dict], settings: RunSettings, id_like_why: dict[str, str]) -> None:
    """What could leak into this run's features: unresolved high leakage findings on rows or on a column still among
    the features (not those the run leaves out), and ID-like columns among the features (medium)."""
    for finding in findings_for_features(leaks, settings.features, settings.target):
        if finding["severity"] == "high":
            st.error(plain(f"Unresolved high-severity leakage finding: {finding['title']}. {finding['action']}"))
    for column in (c for c in settings.features if c in id_like_why):
        st.warning(plain(f"Medium: '{column}' is among the features but is {id_like_why[column]}. A model can "
                         "learn the training rows by it, which tells it nothing about a new row, so its scores will "
                         "not hold. Remove it from the features."))


@st.cache_resource(max_entries=32, show_spinner=False)
def defaults(content_hash: str, target: str, leaky: tuple, _db, _dataset: Dataset,
             positive: str | None = None) -> RunSettings:
    # Keyed by content, not by store: the same bytes give the same defaults wherever they are stored.
    """What a run would use by default on this data (task, features, models), computed once per data;
    ``positive``: the design document's positive class, used when it is a class of the target."""
    frame = open_dataset(_db, _dataset, DEFAULT_MAX_ROWS)   # above the run's sample size: a column at a time
    asked = RunSettings(target=target, excluded=dict(leaky), positive_label=positive)
    try:
        return resolve_settings(frame, _dataset.column_types, asked)
    except ValueError:
        if positive is None:
            raise
        return resolve_settings(frame, _dataset.column_types, RunSettings(target=target, excluded=dict(leaky)))
