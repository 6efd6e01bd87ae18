"""Plotly figures from the pieces of an analysis.profile.describe.Profile: stored numbers in, a go.Figure out.

No Streamlit and no SQL here: pages pass a piece of a Profile (as computed, or re-read with Profile.from_dict)
and render the figure with st.plotly_chart. Every title names the column it shows.
"""
from __future__ import annotations

import plotly.graph_objects as go

from analysis.column_types import DATETIME, NUMERIC
from analysis.correlations import Matrix
from analysis.inert import chart_text, inert_traces
from analysis.profile.column_stats import ColumnStats, Histogram
from analysis.profile.missing import MissingPattern
from analysis.target import ClassBalance, FeatureByClass, TargetView
from design import palette

HEIGHT = 360


def column_chart(stats: ColumnStats) -> go.Figure | None:
    """The usual chart for a column: histogram (numbers), rows over time (dates), top values (anything else)."""
    if stats.type == DATETIME and stats.histogram is not None:
        return time_chart(stats)
    if stats.type == NUMERIC and stats.histogram is not None:
        return histogram_chart(stats)
    if stats.top:
        return top_values_chart(stats)
    return None


def histogram_chart(stats: ColumnStats) -> go.Figure:
    """Bars over the stored bins of a numeric column."""
    histogram = _require(stats.histogram, stats.name, "a histogram")
    edges = histogram.edges
    centers = [(a + b) / 2 for a, b in zip(edges, edges[1:], strict=False)]      # pairs of edges: one fewer
    widths = [b - a for a, b in zip(edges, edges[1:], strict=False)]
    hover = [f"{a:g} to {b:g}: {c:,} rows" for a, b, c in zip(edges, edges[1:], histogram.counts, strict=False)]
    figure = go.Figure(go.Bar(x=centers, y=histogram.counts, width=widths, hovertext=hover, hoverinfo="text"))
    return _layout(figure, f"Histogram of {stats.name}", stats.name, "rows")


def time_chart(stats: ColumnStats) -> go.Figure:
    """Rows per period (day, week, month, ...) of a datetime column."""
    histogram: Histogram = _require(stats.histogram, stats.name, "counts over time")
    figure = go.Figure(go.Bar(x=list(histogram.edges[:-1]), y=histogram.counts, name=stats.name))
    return _layout(figure, f"{stats.name} over time (rows per {histogram.period})", histogram.period or "", "rows")


def top_values_chart(stats: ColumnStats) -> go.Figure:
    """The most frequent values of a column, largest at the top."""
    values = [v.value for v in stats.top][::-1]
    counts = [v.count for v in stats.top][::-1]
    total = stats.count or 1
    figure = go.Figure(go.Bar(x=counts, y=values, orientation="h", text=[f"{c / total:.1%}" for c in counts]))
    figure = _layout(figure, f"Top values of {stats.name}", "rows", stats.name)
    return figure.update_yaxes(type="category")


def missing_chart(missing: MissingPattern) -> go.Figure:
    """Share of missing values per column (columns without any are left out)."""
    columns = list(missing.shares)
    shares = [missing.shares[c] for c in columns]
    figure = go.Figure(go.Bar(x=columns, y=shares, text=[f"{s:.1%}" for s in shares]))
    figure = _layout(figure, "Missing values per column", "column", "share of rows missing")
    return figure.update_yaxes(tickformat=".0%", range=[0, 1])


def missing_patterns_chart(missing: MissingPattern) -> go.Figure:
    """Which columns go missing together: one row per pattern, a dark cell where the column is missing."""
    columns = list(missing.shares)
    rows = [f"{p.rows:,} rows ({p.share:.1%})" for p in missing.patterns]
    cells = [[1 if c in p.columns else 0 for c in columns] for p in missing.patterns]
    figure = go.Figure(go.Heatmap(z=cells, x=columns, y=rows, colorscale=[[0, "#eeeeee"], [1, "#444444"]],
                                  showscale=False, xgap=2, ygap=2))
    figure = _layout(figure, "Missing-value patterns (columns missing together)", "column", "")
    return figure.update_yaxes(autorange="reversed", type="category")


def correlation_chart(matrix: Matrix, title: str) -> go.Figure:
    """A heatmap of a correlation matrix; ``title`` names the measure (e.g. "Pearson correlation")."""
    signed = any(v is not None and v < 0 for row in matrix.values for v in row)
    figure = go.Figure(go.Heatmap(
        z=[[None if v is None else round(v, 3) for v in row] for row in matrix.values],
        x=list(matrix.columns), y=list(matrix.columns),
        zmin=-1 if signed else 0, zmax=1, colorscale=palette.DIVERGING if signed else palette.SEQUENTIAL,
    ))
    figure = _layout(figure, title, "", "")
    return figure.update_yaxes(autorange="reversed")


def class_balance_chart(balance: ClassBalance, target: str) -> go.Figure:
    """Rows per class of the target, with each class's share; rare classes in a warning colour."""
    colors = [palette.HIGHLIGHT if label in balance.rare else palette.USUAL for label in balance.labels]
    figure = go.Figure(go.Bar(x=list(balance.labels), y=balance.counts, marker_color=colors,
                              text=[f"{s:.1%}" for s in balance.shares]))
    figure = _layout(figure, f"Class balance of {target}", target, "rows")
    return figure.update_xaxes(type="category")


def feature_by_class_chart(view: FeatureByClass, target: str) -> go.Figure:
    """One bar series per class; bars are shares within the class, so classes of any size compare."""
    figure = go.Figure()
    if view.kind == NUMERIC:
        edges = view.bins
        x = [(a + b) / 2 for a, b in zip(edges, edges[1:], strict=False)]   # pairs of edges: one fewer
    else:
        x = list(view.bins)
    for label, counts in zip(view.classes, view.counts, strict=True):
        total = sum(counts) or 1
        figure.add_trace(go.Bar(x=x, y=[c / total for c in counts], name=f"{target} = {label}"))
    figure.update_layout(barmode="overlay" if view.kind == NUMERIC else "group")
    if view.kind == NUMERIC:
        figure.update_traces(opacity=0.6)
    figure = _layout(figure, f"{view.feature} by {target}", view.feature, "share of the class")
    return figure.update_yaxes(tickformat=".0%")


def target_correlation_chart(view: TargetView) -> go.Figure:
    """Spearman correlation of each numeric feature with a numeric target, strongest at the top."""
    pairs = sorted(((f, v) for f, v in (view.spearman or {}).items() if v is not None), key=lambda p: abs(p[1]))
    figure = go.Figure(go.Bar(x=[v for _, v in pairs], y=[f for f, _ in pairs], orientation="h"))
    figure = _layout(figure, f"Spearman correlation with {view.target}", "correlation", "feature")
    return figure.update_xaxes(range=[-1, 1])


def _require(value, column: str, what: str):
    if value is None:
        raise ValueError(f"Column '{column}' has no {what} (no finite values, or not a numeric or date column).")
    return value


def _layout(figure: go.Figure, title: str, x_title: str, y_title: str) -> go.Figure:
    inert_traces(figure)                # categories, column names and trace names come from data
    return palette.styled(figure.update_layout(
        title=chart_text(title), xaxis_title=chart_text(x_title), yaxis_title=chart_text(y_title), height=HEIGHT,
        margin=dict(l=10, r=10, t=50, b=10)
    ))
