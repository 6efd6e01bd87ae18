"""Charts of a review summary (readiness, class balance, criteria, drift), built from stored figures only.
Plain plotly figures: the Review page draws them and the HTML export embeds them."""
from __future__ import annotations

import math

import plotly.graph_objects as go

from analysis.drift.model import ColumnDrift
from analysis.inert import chart_text, inert_traces
from design import palette
from design.evidence import EvidenceView
from design.formats import format_score
from design.readiness import Readiness

COLORS = palette.STATUS
MIN_STRENGTH = 0.01        # drift strengths below this are drawn at this length on the log axis


def _layout(fig: go.Figure, title: str, height: int = 300) -> go.Figure:
    inert_traces(fig)                   # class labels, column names and criteria come from data
    fig.update_layout(title=title, height=height, margin=dict(l=40, r=20, t=50, b=40), template="plotly_white")
    return palette.styled(fig)


def readiness_figure(readiness: Readiness) -> go.Figure:
    areas = [a for a, s in readiness.areas.items() if s is not None]
    scores = [readiness.areas[a] for a in areas]
    fig = go.Figure(go.Bar(x=areas, y=scores, marker_color=[palette.score_color(s) for s in scores],
                           text=[f"{s:.0%}" for s in scores], textposition="outside"))
    fig.update_yaxes(range=[0, 1.15], tickformat=".0%")
    return _layout(fig, f"Readiness by area (overall {readiness.overall:.0%}: the weakest area)")


def class_balance_figure(summary: dict) -> go.Figure | None:
    balance = summary.get("class_balance")
    if not balance:
        return None
    fig = go.Figure(go.Bar(x=list(balance), y=list(balance.values()), text=[f"{v:.1%}" for v in balance.values()],
                           textposition="outside"))
    fig.update_yaxes(range=[0, 1.1], tickformat=".0%")
    return _layout(fig, chart_text(f"Class balance of {summary.get('target')} in {summary.get('dataset')}"))


def criteria_figure(view: EvidenceView) -> go.Figure | None:
    checks = [c for c in view.criteria_checks if c.value is not None]
    if not checks:
        return None
    names = [f"{c.criterion} ({c.status})" for c in checks]
    fig = go.Figure()
    plus = [None if c.high is None else c.high - c.value for c in checks]
    minus = [None if c.low is None else c.value - c.low for c in checks]
    fig.add_bar(x=names, y=[c.value for c in checks], name="measured (95 % interval)",
                marker_color=[COLORS[c.status] for c in checks], text=[f"{c.value:.3g}" for c in checks],
                textposition="inside", error_y=dict(type="data", symmetric=False, array=plus, arrayminus=minus,
                                                     color=palette.INK, thickness=2, width=8))
    fig.add_scatter(x=names, y=[c.criterion.threshold for c in checks], mode="markers", name="bar to clear",
                    marker=dict(symbol="line-ew-open", size=40, color=palette.INK, line=dict(width=3)))
    return _layout(fig, "Success criteria: best run with its 95 % interval vs the bar (pass only when the whole "
                        "interval clears it)")


def drift_figure(summary: dict) -> go.Figure | None:
    """The stored drift summary's most drifted columns (its "top"), drawn as on the Drift page."""
    top = summary.get("top") or []
    if not top:
        return None
    columns = [ColumnDrift(c["column"], c.get("type", ""), c.get("method", ""), c.get("threshold") or 0.0,
                           c.get("score"), bool(c.get("drifted"))) for c in top]
    shown = f"the {len(columns)} most drifted of {summary.get('columns_checked', len(columns))} columns"
    return drift_strength_figure(columns, f"Drift per column: {shown} ({summary.get('drifted_count', 0)} drifted)")


def drift_strength_figure(columns: list[ColumnDrift], title: str) -> go.Figure:
    """One horizontal bar per column, most drifted on top, as long as its drift strength: Evidently's score
    relative to its threshold in the direction that means drift (ColumnDrift.severity: distance / threshold, or
    log p / log threshold for p-value tests, where a smaller p-value is more drift). 1 is the threshold (a dashed
    line): a bar past it drifted. Log axis, so p-values and distances share one scale and the longest bar is
    always the column that drifted most; each bar is labelled with the score itself and the hover names the test."""
    # the first bar is drawn at the bottom
    ordered = sorted(columns, key=lambda c: (not c.drifted, -c.severity, c.column))[::-1]
    lengths = [max(c.severity, MIN_STRENGTH) for c in ordered]
    labels = [("p = " if c.lower_is_drift else "") + format_score(c.score) for c in ordered]
    hover = [f"<b>{chart_text(c.column)}</b>{f' ({c.type})' if c.type else ''}<br>{c.method}: {format_score(c.score)} "
             f"vs threshold {c.threshold:g} ({'smaller' if c.lower_is_drift else 'larger'} = more drift)"
             f"<br>drift strength {c.severity:.2f}: {'drifted' if c.drifted else 'no drift'}" for c in ordered]
    fig = go.Figure(go.Bar(
        x=[length - MIN_STRENGTH for length in lengths], base=MIN_STRENGTH, y=[c.column for c in ordered],
        orientation="h", marker_color=[palette.DRIFTED if c.drifted else palette.STABLE for c in ordered],
        text=labels, textposition="outside", cliponaxis=False, hovertext=hover, hoverinfo="text",
    ))
    fig.add_vline(x=1, line_dash="dash", line_color=palette.INK, annotation_text="threshold", annotation_position="top")
    top = max([1.0, *lengths])
    fig.update_layout(
        xaxis={"type": "log", "range": [-2, math.log10(top) + 0.6],
               "title": "drift strength: score against its threshold (1 = threshold; longer = more drift)"},
        yaxis={"title": None, "automargin": True, "type": "category"}, showlegend=False,
    )
    fig = _layout(fig, title, height=max(300, 80 + 24 * len(ordered)))
    return fig.update_layout(margin=dict(l=10, r=40, t=60, b=50))
