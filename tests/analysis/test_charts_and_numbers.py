"""Charts (issue 15, item 8): one colour-blind-safe palette (design.palette) in every chart module, no red against
green anywhere; the drift chart makes the most drifted column the longest bar, against its threshold."""
from __future__ import annotations

from pathlib import Path

import plotly.graph_objects as go

from analysis.drift.model import ColumnDrift
from design import palette
from design.report_charts import drift_figure, drift_strength_figure

REDS_AND_GREENS = ("#c62828", "#d62728", "#2e7d32", "#2ca02c", "#ff0000", "#00ff00", "#008000", "#f9a825")


def _colours(figure: go.Figure) -> set[str]:
    found = set()
    for trace in figure.data:
        colour = getattr(getattr(trace, "marker", None), "color", None)
        found.update(c.lower() for c in ([colour] if isinstance(colour, str) else list(colour or ())))
    return found


def test_status_colours_are_okabe_ito_blue_against_vermillion():
    assert palette.STATUS["pass"] == palette.BLUE and palette.STATUS["fail"] == palette.VERMILLION
    assert palette.DRIFTED == palette.VERMILLION and palette.STABLE == palette.GREY
    assert palette.styled(go.Figure()).layout.colorway == palette.SEQUENCE


def test_drift_bars_use_the_palette_and_the_threshold_line():
    columns = [ColumnDrift("a", "numeric", "K-S p_value", 0.05, 1e-9, True),
               ColumnDrift("b", "numeric", "Wasserstein distance (normed)", 0.1, 0.02, False)]
    figure = drift_strength_figure(columns, "Drift")
    assert _colours(figure) == {palette.VERMILLION.lower(), palette.GREY.lower()}
    assert list(figure.layout.colorway) == list(palette.SEQUENCE)


def test_no_chart_module_keeps_a_red_or_green_of_its_own():
    root = Path(__file__).resolve().parents[2]
    for name in ("components/charts.py", "components/drift_charts.py", "components/baseline_charts.py",
                 "design/report_charts.py", "design/templates/review.html"):
        text = (root / name).read_text(encoding="utf-8").lower()
        assert not [c for c in REDS_AND_GREENS if c in text], name


def test_exported_drift_chart_puts_the_most_drifted_column_longest_against_the_threshold():
    summary = {"columns_checked": 3, "drifted_count": 2, "top": [
        {"column": "weak", "method": "K-S p_value", "score": 0.01, "threshold": 0.05, "drifted": True},
        {"column": "strong", "method": "K-S p_value", "score": 1e-20, "threshold": 0.05, "drifted": True},
        {"column": "none", "method": "K-S p_value", "score": 0.6, "threshold": 0.05, "drifted": False}]}
    figure = drift_figure(summary)
    bars = figure.data[0]
    lengths = dict(zip(bars.y, [x + bars.base for x in bars.x], strict=True))
    assert list(bars.y) == ["none", "weak", "strong"]                        # most drifted on top
    assert max(lengths, key=lengths.get) == "strong" and lengths["none"] < 1 < lengths["weak"] < lengths["strong"]
    assert list(bars.text) == ["p = 0.60", "p = 0.010", "p = 1.0e-20"]
    assert figure.layout.xaxis.type == "log" and any(s.x0 == 1 for s in figure.layout.shapes)   # the threshold line
