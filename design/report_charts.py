"""Charts of a review summary (readiness, class balance, criteria, drift), built from stored figures only.
Plain plotly figures: the Review page draws them and the HTML export embeds them."""
from __future__ import annotations

import plotly.graph_objects as go

from design.evidence import EvidenceView
from design.readiness import Readiness

COLORS = {"pass": "#2e7d32", "fail": "#c62828", "not measured": "#9e9e9e"}


def _layout(fig: go.Figure, title: str, height: int = 300) -> go.Figure:
    fig.update_layout(title=title, height=height, margin=dict(l=40, r=20, t=50, b=40), template="plotly_white")
    return fig


def readiness_figure(readiness: Readiness) -> go.Figure:
    areas = [a for a, s in readiness.areas.items() if s is not None]
    scores = [readiness.areas[a] for a in areas]
    fig = go.Figure(go.Bar(x=areas, y=scores, marker_color=["#c62828" if s < 0.5 else "#f9a825" if s < 1 else "#2e7d32" for s in scores],
                           text=[f"{s:.0%}" for s in scores], textposition="outside"))
    fig.update_yaxes(range=[0, 1.15], tickformat=".0%")
    return _layout(fig, f"Readiness by area (overall {readiness.overall:.0%}: the weakest area)")


def class_balance_figure(summary: dict) -> go.Figure | None:
    balance = summary.get("class_balance")
    if not balance:
        return None
    fig = go.Figure(go.Bar(x=list(balance), y=list(balance.values()), text=[f"{v:.1%}" for v in balance.values()], textposition="outside"))
    fig.update_yaxes(range=[0, 1.1], tickformat=".0%")
    return _layout(fig, f"Class balance of {summary.get('target')} in {summary.get('dataset')}")


def criteria_figure(view: EvidenceView) -> go.Figure | None:
    checks = [c for c in view.criteria_checks if c.value is not None]
    if not checks:
        return None
    names = [str(c.criterion) for c in checks]
    fig = go.Figure()
    fig.add_bar(x=names, y=[c.value for c in checks], name="measured", marker_color=[COLORS[c.status] for c in checks],
                text=[f"{c.value:.3g}" for c in checks], textposition="outside")
    fig.add_scatter(x=names, y=[c.criterion.threshold for c in checks], mode="markers", name="threshold",
                    marker=dict(symbol="line-ew-open", size=40, color="#1b2430", line=dict(width=3)))
    return _layout(fig, "Success criteria: best run vs threshold")


def drift_figure(summary: dict) -> go.Figure | None:
    top = summary.get("top") or []
    if not top:
        return None
    fig = go.Figure(go.Bar(x=[c["column"] for c in top], y=[c.get("score") for c in top],
                           marker_color=["#c62828" if c.get("drifted") else "#90a4ae" for c in top]))
    return _layout(fig, "Drift score per column (red: drifted)")
