"""Plotly figures of a baseline run: metrics side by side, confusion matrix, ROC and PR curves, residuals,
permutation importance. Built from a BaselineRun's stored numbers; no Streamlit here."""
from __future__ import annotations

import plotly.graph_objects as go

from analysis.baselines import ModelResult
from analysis.inert import inert_traces
from design import palette


def _layout(fig: go.Figure, title: str, x: str, y: str, height: int = 380) -> go.Figure:
    inert_traces(fig)                   # class labels and feature names come from data
    fig.update_layout(title=title, xaxis_title=x, yaxis_title=y, height=height, template="plotly_white",
                      margin=dict(l=50, r=20, t=50, b=50))
    return palette.styled(fig)


def metrics_figure(rows: list[tuple[str, dict]], metrics: list[str], title: str) -> go.Figure:
    """Grouped bars: one group per metric, one bar per (label, metrics dict) row."""
    fig = go.Figure()
    for label, values in rows:
        fig.add_bar(name=label, x=metrics, y=[values.get(m) for m in metrics])
    fig.update_layout(barmode="group")
    return _layout(fig, title, "metric", "value")


def confusion_figure(result: ModelResult) -> go.Figure:
    c = result.curves.confusion
    fig = go.Figure(go.Heatmap(z=c.counts, x=list(c.labels), y=list(c.labels), colorscale=palette.SEQUENTIAL,
                               text=c.counts, texttemplate="%{text}"))
    fig.update_yaxes(autorange="reversed")
    at = f" at threshold {c.threshold:g}" if c.threshold is not None else ""
    return _layout(fig, f"Confusion matrix of {result.name}{at}", "predicted", "actual")


def roc_figure(results: list[ModelResult]) -> go.Figure:
    fig = go.Figure()
    for r in results:
        fig.add_scatter(x=r.curves.roc.x, y=r.curves.roc.y, mode="lines", name=f"{r.name} ({r.metrics.get('roc auc', 0):.3f})")
    fig.add_scatter(x=[0, 1], y=[0, 1], mode="lines", name="chance", line=dict(dash="dot", color=palette.GREY))
    return _layout(fig, "ROC curves (out-of-fold)", "false positive rate", "true positive rate")


def pr_figure(results: list[ModelResult]) -> go.Figure:
    fig = go.Figure()
    for r in results:
        fig.add_scatter(x=r.curves.pr.x, y=r.curves.pr.y, mode="lines", name=f"{r.name} ({r.metrics.get('pr auc', 0):.3f})")
    return _layout(fig, "Precision-recall curves (out-of-fold)", "recall", "precision")


def residuals_figure(result: ModelResult) -> go.Figure:
    res = result.curves.residuals
    fig = go.Figure(go.Scatter(x=res.predicted, y=[a - p for a, p in zip(res.actual, res.predicted)], mode="markers",
                               marker=dict(size=5, opacity=0.6)))
    fig.add_hline(y=0, line_dash="dot")
    return _layout(fig, f"Residuals of {result.name} (actual - predicted)", "predicted", "residual")


def importance_figure(result: ModelResult) -> go.Figure:
    items = list(result.importance)[:15][::-1]
    fig = go.Figure(go.Bar(x=[i.mean for i in items], y=[i.feature for i in items], orientation="h",
                           error_x=dict(array=[i.std for i in items])))
    return _layout(fig, f"Permutation importance of {result.name}", "drop in score when shuffled", "", height=420)
