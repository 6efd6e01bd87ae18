"""Plotly figures of a baseline run: metrics side by side, confusion matrix, ROC and PR curves, residuals,
permutation importance. Built from a BaselineRun's stored numbers; no Streamlit here."""
from __future__ import annotations

import plotly.graph_objects as go

from analysis.baselines.run import ModelResult
from analysis.inert import inert_traces
from design import palette


def _layout(fig: go.Figure, title: str, x: str, y: str, height: int = 380) -> go.Figure:
    inert_traces(fig)                   # class labels and feature names come from data
    # No template of its own: the app's (Streamlit's) like every other chart; naming one cost 13 ms per figure, the
    # template validated into each figure, most of Compare's server time for its charts.
    fig.update_layout(title=title, xaxis_title=x, yaxis_title=y, height=height, margin=dict(l=50, r=20, t=50, b=50))
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
        fig.add_scatter(x=r.curves.roc.x, y=r.curves.roc.y, mode="lines",
                        name=f"{r.name} ({r.metrics.get('roc auc', 0):.3f})")
    fig.add_scatter(x=[0, 1], y=[0, 1], mode="lines", name="chance", line=dict(dash="dot", color=palette.GREY))
    return _layout(fig, "ROC curves (out-of-fold)", "false positive rate", "true positive rate")


def pr_figure(results: list[ModelResult]) -> go.Figure:
    fig = go.Figure()
    for r in results:
        fig.add_scatter(x=r.curves.pr.x, y=r.curves.pr.y, mode="lines",
                        name=f"{r.name} ({r.metrics.get('pr auc', 0):.3f})")
    return _layout(fig, "Precision-recall curves (out-of-fold)", "recall", "precision")


PASS_COLORS = (palette.BLUISH_GREEN, palette.REDDISH_PURPLE, palette.YELLOW, palette.SKY_BLUE, palette.BLACK)


def threshold_figure(grid, passes: list, document_threshold: float) -> go.Figure:
    """Precision, recall and specificity of the best model at every threshold, with a band per criterion where it
    would pass (its whole 95 % interval clearing the bar: design.checks.threshold_passes) and the run's threshold."""
    fig = go.Figure()
    thresholds = list(grid.threshold)
    specificity = [None if f is None else 1 - f for f in grid.fpr]
    for name, values in (("precision", grid.precision), ("recall", grid.recall), ("specificity", specificity)):
        fig.add_scatter(x=thresholds, y=list(values), mode="lines", name=name)
    for i, p in enumerate(passes):
        color = PASS_COLORS[i % len(PASS_COLORS)]
        for low, high in _runs(p.passes):
            fig.add_vrect(x0=low - 0.005, x1=high + 0.005, fillcolor=color, opacity=0.12, line_width=0)
        fig.add_scatter(x=[None], y=[None], mode="markers", name=f"{p.criterion} passes",
                        marker=dict(symbol="square", size=12, color=color, opacity=0.4))
        fig.add_hline(y=p.criterion.threshold, line_dash="dot", line_color=color, opacity=0.6)
    fig.add_vline(x=document_threshold, line_dash="dash", line_color=palette.INK,
                  annotation_text=f"run's threshold {document_threshold:g}", annotation_position="top")
    fig.update_yaxes(range=[0, 1.05])
    return _layout(fig, "Where each criterion would pass (shaded: its whole 95 % interval clears the bar)",
                   "decision threshold", "value", height=420)


def _runs(thresholds: tuple[float, ...]) -> list[tuple[float, float]]:
    """Consecutive grid thresholds (0.01 apart) as (first, last) runs."""
    runs = []
    for t in thresholds:
        if runs and round(t - runs[-1][1], 2) <= 0.01:
            runs[-1] = (runs[-1][0], t)
        else:
            runs.append((t, t))
    return runs


def residuals_figure(result: ModelResult) -> go.Figure:
    res = result.curves.residuals
    fig = go.Figure(go.Scatter(x=res.predicted, y=[a - p for a, p in zip(res.actual, res.predicted, strict=True)],
                               mode="markers",
                               marker=dict(size=5, opacity=0.6)))
    fig.add_hline(y=0, line_dash="dot")
    return _layout(fig, f"Residuals of {result.name} (actual - predicted)", "predicted", "residual")


def importance_figure(result: ModelResult) -> go.Figure:
    items = list(result.importance)[:15][::-1]
    fig = go.Figure(go.Bar(x=[i.mean for i in items], y=[i.feature for i in items], orientation="h",
                           error_x=dict(array=[i.std for i in items])))
    return _layout(fig, f"Permutation importance of {result.name}", "drop in score when shuffled", "", height=420)
