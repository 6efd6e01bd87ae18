"""The Baselines page's error analysis: slices (the weakest, the columns the document always slices, any column),
worst errors (filterable by slice, downloadable as CSV) and calibration, read from the stored run (the job computed
them: analysis.error_analysis)."""
from __future__ import annotations

import math
from urllib.parse import urlencode

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from analysis.baselines.metrics import display_name
from analysis.baselines.run import BaselineRun
from analysis.error_analysis.model import Calibration, ColumnSlices, ErrorAnalysis, SliceReport, WorstErrors
from analysis.inert import chart_text, inert_traces, safe_csv
from components.text import plain
from design import palette

EXPLORE = "pages/explore.py"
COLUMNS_TAB = "Columns"
TABS = ("Slices", "Worst errors", "Calibration")
TAB_KEY = "ea-tab"        # the open tab (its label), in the session


def explore_query(project_id: int, dataset_id: int, column: str) -> dict:
    """The query that opens Explore's view of ``column`` (its Columns tab, the column chosen)."""
    return {"project": str(project_id), "dataset": str(dataset_id), "tab": COLUMNS_TAB, "column": column}


def _explore_url(project_id: int, dataset_id: int, column: str) -> str:
    return "explore?" + urlencode(explore_query(project_id, dataset_id, column))


def show(run: BaselineRun, always: list[str], project_id: int, dataset_id: int) -> None:
    """The error analysis of the run's best model, or of the model picked."""
    st.subheader("Error analysis")
    analysed = [r for r in run.results if r.error_analysis is not None]
    if not analysed:
        st.info("This run was stored before Blueprint kept its predictions: run the baselines again to see slices, "
                "worst errors and calibration.")
        return
    names = [r.name for r in analysed]
    start = names.index(run.best_model) if run.best_model in names else 0
    name = st.selectbox("Model", names, index=start, key="ea-model",
                        format_func=lambda n: n + (" (best)" if n == run.best_model else ""))
    found: ErrorAnalysis = run.result(name).error_analysis
    st.caption(plain(found.note))
    for problem in found.problems:
        st.warning(plain(problem))
    # The test dataset's rows are not the project dataset's: its columns open in Explore only for the dataset.
    link = dataset_id if found.source == "dataset" else None
    # Only the open tab draws (a rerun on switching): the other two views' tables and figures cost the server nothing.
    tabs = st.tabs(TABS, key=TAB_KEY, on_change="rerun")
    views = (lambda: slices(found.slices, always, project_id, link),
             lambda: worst(found.worst, found.slices, project_id, link),
             lambda: calibration(found.calibration))
    for tab, view in zip(tabs, views, strict=True):
        if tab.open:
            with tab:
                view()


def _interval_text(interval) -> str:
    if interval.value is None or not (math.isfinite(interval.low) and math.isfinite(interval.high)):
        return "none"
    return f"{interval.low:.3f}-{interval.high:.3f}"


def slices(report: SliceReport | None, always: list[str], project_id: int, dataset_id: int | None) -> None:
    if report is None:
        st.info("No slices for this model.")
        return
    label = display_name(report.metric)
    overall = report.overall.value
    st.markdown(f"**Weakest slices** · overall {plain(label)} "
                + ("n/a" if overall is None else f"{overall:.3f} ({_interval_text(report.overall)})"))
    if report.weak:
        rows = [{"Slice": s.label, "Rows": s.rows, label: None if s.metric.value is None else round(s.metric.value, 4),
                 "95 % interval": _interval_text(s.metric), "Below overall": None if s.gap is None else round(s.gap, 4),
                 "p (before Holm)": s.p_value,
                 "Explore": _explore_url(project_id, dataset_id, s.columns[0]) if dataset_id is not None else None}
                for s in report.weak]
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key="ea-weak",
                     column_config={"Explore": st.column_config.LinkColumn("Explore", display_text="open column"),
                                    "p (before Holm)": st.column_config.NumberColumn(format="%.2e")})
    else:
        st.info(plain(f"No weak slice: none of the {report.tested:,} slices tested is clearly below the overall "
                         f"{label} (the model does as well on each as its own scores expect)."))
    st.caption(plain(report.note))
    names = [c.column for c in report.columns]
    wanted = [c for c in always if c in names]
    missing = [c for c in always if c not in names]
    if always:
        st.caption(plain("Always sliced (design document, Evaluation): " + ", ".join(always) + "."))
    for column in missing:
        why = report.skipped.get(column)
        st.warning(plain(f"'{column}' is to be always sliced, but this run did not slice it: "
                         + (f"it is {why}." if why else "the data has no such column.")))
    for column in wanted:
        _column(report, report.column(column), project_id, dataset_id, key=f"ea-always-{column}")
    others = [c for c in names if c not in wanted]
    if others:
        chosen = st.selectbox("Slices of another column", others, key="ea-column")
        _column(report, report.column(chosen), project_id, dataset_id, key="ea-other")
    if report.skipped:
        st.caption(plain("Not sliced: " + "; ".join(f"{c} ({why})" for c, why in report.skipped.items())))


def slices_figure(report: SliceReport, column: ColumnSlices) -> go.Figure:
    """The slice metric per value of ``column`` with its 95 % interval, weak slices in vermillion, overall as a line."""
    values = [s.metric.value for s in column.slices]
    low = [s.metric.low if s.metric.value is not None and math.isfinite(s.metric.low) else None for s in column.slices]
    high = [s.metric.high if s.metric.value is not None and math.isfinite(s.metric.high) else None
            for s in column.slices]
    figure = go.Figure(go.Bar(
        x=list(column.labels), y=values, name=display_name(report.metric),
        marker_color=[palette.VERMILLION if s.weak else palette.BLUE for s in column.slices],
        error_y=dict(type="data", color=palette.INK,
                     array=[None if v is None or h is None else h - v for v, h in zip(values, high, strict=True)],
                     arrayminus=[None if v is None or lo is None else v - lo
                                 for v, lo in zip(values, low, strict=True)]),
        customdata=[[s.rows] for s in column.slices],
        hovertemplate="%{x}: %{y:.3f} (%{customdata[0]} rows)<extra></extra>"))
    if report.overall.value is not None:
        figure.add_hline(y=report.overall.value, line_dash="dash", line_color=palette.INK,
                         annotation_text=f"overall {report.overall.value:.3f}")
    figure.update_layout(title=f"{display_name(report.metric)} by {chart_text(column.column)} (95 % intervals)",
                         xaxis_title=chart_text(column.column), yaxis_title=display_name(report.metric), height=340,
                         margin=dict(t=50, b=40))
    return palette.styled(inert_traces(figure))


def _column(report: SliceReport, column: ColumnSlices, project_id: int, dataset_id: int | None, key: str) -> None:
    st.plotly_chart(slices_figure(report, column), width="stretch", key=f"{key}-chart")
    label = display_name(report.metric)
    rows = []
    for i, s in enumerate(column.slices):
        row = {"Slice": s.values[0]}
        if column.ranges:
            row["Values"] = column.ranges[i]
        row.update({"Rows": s.rows, label: None if s.metric.value is None else round(s.metric.value, 4),
                    "95 % interval": _interval_text(s.metric), "Weak": "weak" if s.weak else ""})
        for metric, intervals in column.extra.items():
            row[display_name(metric)] = None if intervals[i].value is None else round(intervals[i].value, 4)
        rows.append(row)
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key=f"{key}-table")
    if dataset_id is not None:
        st.page_link(EXPLORE, label=f"Open {plain(column.column)} in Explore",
                     query_params=explore_query(project_id, dataset_id, column.column), icon=":material/query_stats:")


def worst_table(worst: WorstErrors, chosen: str | None = None) -> pd.DataFrame:
    """The worst rows as a table (those in slice ``chosen``, "column = value", when given)."""
    rows = []
    for e in worst.entries:
        if chosen is not None:
            column, value = chosen.split(" = ", 1)
            if e.slices[worst.slice_columns.index(column)] != value:
                continue
        row = {"Row": e.row + 1, "True": e.truth, "Predicted": e.predicted,
               ("Predicted value" if worst.kind == "absolute" else "Score"): e.score,
               ("Absolute error" if worst.kind == "absolute" else "Confidence in the wrong class"): e.error}
        row.update(dict(zip(worst.columns, e.values, strict=True)))
        rows.append(row)
    return pd.DataFrame(rows)


def worst(worst: WorstErrors | None, report: SliceReport | None, project_id: int, dataset_id: int | None) -> None:
    if worst is None:
        st.info("No worst errors for this model.")
        return
    if worst.kind == "absolute":
        st.markdown(f"**Largest absolute errors** of {worst.rows:,} tested rows")
    else:
        kinds = (f" ({worst.false_positives:,} false positives, {worst.false_negatives:,} false negatives)"
                 if worst.false_positives or worst.false_negatives else "")
        st.markdown(f"**Most confident wrong predictions**: {worst.wrong:,} wrong of {worst.rows:,} tested rows"
                    f"{kinds}")
    if not worst.entries:
        st.info("No wrong prediction.")
        return
    options = [None] + sorted({f"{c} = {e.slices[i]}"
                               for e in worst.entries for i, c in enumerate(worst.slice_columns)},
                              key=lambda o: (worst.slice_columns.index(o.split(' = ', 1)[0]), o))
    weak = [s.label for s in (report.weak if report else ()) if len(s.columns) == 1 and s.label in options]
    chosen = st.selectbox("Slice", options, key="ea-worst-slice",
                          format_func=lambda o: "all rows" if o is None else o + (" (weak)" if o in weak else ""))
    table = worst_table(worst, chosen)
    st.dataframe(table, hide_index=True, width="stretch", key="ea-worst")
    st.caption(f"The {len(worst.entries):,} worst of the tested rows are kept with the run"
               + ("" if chosen is None else f"; {len(table):,} of them are in this slice") + ". Row: the row's number "
               "in the dataset (1 = first data row).")
    st.download_button("Download these rows (CSV)", safe_csv(table), "worst-errors.csv", "text/csv",
                       key="ea-worst-csv", on_click="ignore")
    if dataset_id is not None and worst.columns:
        column = st.selectbox("Open a column of these rows in Explore", list(worst.columns), key="ea-worst-column")
        st.page_link(EXPLORE, label=f"Open {plain(column)} in Explore",
                     query_params=explore_query(project_id, dataset_id, column), icon=":material/query_stats:")


def calibration_figure(found: Calibration) -> go.Figure:
    """The reliability diagram: observed share against mean score per bin, with its 95 % interval, and the diagonal."""
    x = [b.mean_score for b in found.bins]
    y = [b.observed for b in found.bins]
    figure = go.Figure()
    figure.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name="perfectly calibrated",
                                line=dict(color=palette.GREY, dash="dash")))
    figure.add_trace(go.Scatter(
        x=x, y=y, mode="lines+markers", name="observed", marker=dict(color=palette.BLUE, size=8),
        line=dict(color=palette.BLUE),
        error_y=dict(type="data", array=[b.observed_high - b.observed for b in found.bins],
                     arrayminus=[b.observed - b.observed_low for b in found.bins], color=palette.BLUE),
        customdata=[[b.rows, b.low, b.high] for b in found.bins],
        hovertemplate="scores %{customdata[1]:.1f}-%{customdata[2]:.1f}: mean %{x:.2f}, observed %{y:.2f} "
                      "(%{customdata[0]} rows)<extra></extra>"))
    if found.threshold is not None:
        figure.add_vline(x=found.threshold, line_color=palette.INK, line_dash="dot",
                         annotation_text=f"threshold {found.threshold:g}")
    what = "share positive" if found.kind == "positive class" else "share predicted correctly"
    figure.update_layout(title=f"Reliability diagram ({found.kind})", xaxis_title="mean score in the bin",
                         yaxis_title=what, xaxis_range=[0, 1], yaxis_range=[0, 1], height=380, margin=dict(t=50, b=40))
    return palette.styled(figure)


def calibration(found: Calibration | None) -> None:
    if found is None:
        st.info("Calibration applies to classifiers' scores; a regression has none.")
        return
    left, right = st.columns(2)
    left.metric("Brier score", "n/a" if found.brier is None else f"{found.brier:.4f}")
    right.metric("Expected calibration error", f"{found.ece:.4f}")
    (st.warning if found.poor else st.info)(plain(found.note))
    st.plotly_chart(calibration_figure(found), width="stretch", key="ea-calibration")
    st.dataframe(pd.DataFrame([{"Scores": f"{b.low:.1f}-{b.high:.1f}", "Rows": b.rows,
                                "Mean score": round(b.mean_score, 4), "Observed": round(b.observed, 4),
                                "95 % interval": f"{b.observed_low:.3f}-{b.observed_high:.3f}"}
                               for b in found.bins]), hide_index=True, width="stretch", key="ea-calibration-table")
