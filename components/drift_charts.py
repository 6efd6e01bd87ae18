"""Plotly figures of a drift check: one column's reference vs current overlay, and the per-column drift bars.

    st.plotly_chart(overlay_figure(overlay(reference, current, "age", "numeric")), key="drift-overlay")
    st.plotly_chart(drift_scores_figure(result.summary), key="drift-scores")

Pure figure building from analysis.drift's plain results (no streamlit import), so it is tested without a page.
"""
from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from analysis.drift_model import DriftSummary

REFERENCE_COLOR = "#4c78a8"
CURRENT_COLOR = "#f58518"
DRIFTED_COLOR = "#d62728"
STABLE_COLOR = "#9aa5b1"
MIN_SEVERITY = 0.01        # bars shorter than this are drawn at this length on the log axis


def overlay_figure(data: dict) -> go.Figure:
    """Reference vs current for one column, from analysis.drift.overlay(): overlaid histograms on shared bins
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
                x=[str(c) for c in data["categories"]], y=data[side], name=f"{side} ({data[f'{side}_values']:,} values)",
                marker_color=color, hovertemplate="%{x}<br>%{y:.1%}<extra>" + side + "</extra>",
            ))
        figure.update_layout(barmode="group")
        figure.update_xaxes(type="category")
    missing = [f"{side} {data[f'{side}_missing']:,}" for side, _ in sides if data[f"{side}_missing"]]
    title = f"{column}: reference vs current"
    if missing:
        title += f"<br><sup>missing values (not drawn): {', '.join(missing)}</sup>"
    figure.update_layout(
        title=title, xaxis_title=column, yaxis_title="share of values", yaxis_tickformat=".0%",
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        margin={"t": 90, "l": 60, "r": 20, "b": 50},
    )
    return figure


def drift_scores_figure(summary: DriftSummary) -> go.Figure:
    """One horizontal bar per checked column, most drifted on top, from the threshold (1, a dashed line) to
    the column's score relative to its threshold (ColumnDrift.severity): right of the line and red when
    drifted, left and grey when not. Log axis, so p-values and distances sit on one scale; the hover shows
    the method, score and threshold."""
    columns = list(summary.columns)[::-1]                 # plotly draws the first bar at the bottom
    lengths = [max(c.severity, MIN_SEVERITY) for c in columns]
    hover = [
        f"<b>{c.column}</b> ({c.type})<br>{c.method}: {_number(c.score)} vs threshold {_number(c.threshold)}"
        f"<br>{'drifted' if c.drifted else 'no drift'}"
        for c in columns
    ]
    figure = go.Figure(go.Bar(
        x=[length - 1 for length in lengths], base=1, y=[c.column for c in columns], orientation="h",
        marker_color=[DRIFTED_COLOR if c.drifted else STABLE_COLOR for c in columns],
        hovertext=hover, hoverinfo="text",
    ))
    figure.add_vline(x=1, line_dash="dash", line_color="#333", annotation_text="threshold", annotation_position="top")
    verdict = "dataset drift" if summary.dataset_drift else "no dataset drift"
    figure.update_layout(
        title=(f"Drift per column: {summary.drifted_count} of {len(summary.columns)} drifted "
               f"({summary.share:.0%}; {verdict} at {summary.drift_share:.0%})"),
        xaxis={"type": "log", "title": "score relative to its threshold (1 = threshold; right of it = drift)"},
        yaxis={"title": None, "automargin": True},
        height=max(300, 60 + 22 * len(columns)),
        margin={"t": 60, "l": 10, "r": 20, "b": 50},
        showlegend=False,
    )
    return figure


def _bins(edges: list, dates: bool) -> tuple[list, list]:
    """Bar centres and widths for histogram edges (datetime widths in milliseconds, as plotly wants)."""
    if dates:
        stamps = pd.to_datetime(pd.Series(edges))
        left, right = stamps.iloc[:-1].reset_index(drop=True), stamps.iloc[1:].reset_index(drop=True)
        centres = left + (right - left) / 2
        widths = ((right - left).dt.total_seconds() * 1000).tolist()
        return [c.isoformat() for c in centres], widths
    centres = [(a + b) / 2 for a, b in zip(edges[:-1], edges[1:])]
    widths = [b - a for a, b in zip(edges[:-1], edges[1:])]
    return centres, widths


def _number(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{value:.3g}"
