"""Plotly figures of a drift check: one column's reference vs current overlay, and the per-column drift bars.

    st.plotly_chart(overlay_figure(overlay(reference, current, "age", "numeric")), key="drift-overlay")
    st.plotly_chart(drift_scores_figure(result.summary), key="drift-scores")

Pure figure building from analysis.drift.run's plain results (no streamlit import), so it is tested without a page.
"""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from analysis.drift.model import DriftSummary
from analysis.inert import chart_text
from design import palette
from design.report_charts import drift_strength_figure

REFERENCE_COLOR = palette.REFERENCE
CURRENT_COLOR = palette.CURRENT


def overlay_figure(data: dict) -> go.Figure:
    """Reference vs current for one column, from analysis.drift.run.overlay(): overlaid histograms on shared bins
    (numeric, datetime) or side-by-side category shares (categorical, boolean); y = share of each side's
    non-missing values. Title: "<column>: reference vs current"."""
    column = data["column"]
    figure = go.Figure()
    sides = (("reference", REFERENCE_COLOR), ("current", CURRENT_COLOR))
    if data["kind"] == "histogram":
        x, width = _bins(data["edges"], data["column_type"] == "datetime")
        for side, color in sides:
            figure.add_trace(go.Bar(
                x=x, y=data[side], width=width, name=f"{side} ({data[f'{side}_values']:,} values)",
                marker_color=color, opacity=0.55, hovertemplate="%{x}<br>%{y:.1%}<extra>" + side + "</extra>",
            ))
        figure.update_layout(barmode="overlay", bargap=0)
    else:
        for side, color in sides:
            figure.add_trace(go.Bar(
                x=[chart_text(str(c)) for c in data["categories"]], y=data[side],
                name=f"{side} ({data[f'{side}_values']:,} values)",
                marker_color=color, hovertemplate="%{x}<br>%{y:.1%}<extra>" + side + "</extra>",
            ))
        figure.update_layout(barmode="group")
        figure.update_xaxes(type="category")
    missing = [f"{side} {data[f'{side}_missing']:,}" for side, _ in sides if data[f"{side}_missing"]]
    title = f"{chart_text(column)}: reference vs current"
    if missing:
        title += f"<br><sup>missing values (not drawn): {', '.join(missing)}</sup>"
    figure.update_layout(
        title=title, xaxis_title=chart_text(column), yaxis_title="share of values", yaxis_tickformat=".0%",
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        margin={"t": 90, "l": 60, "r": 20, "b": 50},
    )
    return palette.styled(figure)


def drift_scores_figure(summary: DriftSummary) -> go.Figure:
    """One horizontal bar per checked column, most drifted on top, as long as its drift strength (Evidently's
    score against its threshold, design.report_charts.drift_strength_figure): the threshold is a dashed line at 1,
    the longest bar is the column that drifted most, each bar is labelled with its score."""
    verdict = "dataset drift" if summary.dataset_drift else "no dataset drift"
    return drift_strength_figure(
        list(summary.columns),
        f"Drift per column: {summary.drifted_count} of {len(summary.columns)} drifted "
        f"({summary.share:.0%}; {verdict} at {summary.drift_share:.0%})")


def _bins(edges: list, dates: bool) -> tuple[list, list]:
    """Bar centres and widths for histogram edges (datetime widths in milliseconds, as plotly wants)."""
    if dates:
        stamps = pd.to_datetime(pd.Series(edges))
        left, right = stamps.iloc[:-1].reset_index(drop=True), stamps.iloc[1:].reset_index(drop=True)
        centres = left + (right - left) / 2
        widths = ((right - left).dt.total_seconds() * 1000).tolist()
        return [c.isoformat() for c in centres], widths
    centres = [(a + b) / 2 for a, b in zip(edges[:-1], edges[1:], strict=True)]
    widths = [b - a for a, b in zip(edges[:-1], edges[1:], strict=True)]
    return centres, widths

