"""One colour-blind-safe palette for every chart and the HTML export (Okabe and Ito, "Color Universal Design").

Never red against green: a verdict reads blue (pass, stable) against vermillion (fail, drifted), with orange for
what is unsure and grey for what was not measured; these pairs stay apart for protanopes, deuteranopes and
tritanopes, and in greyscale print. Every figure gets SEQUENCE as its colourway through styled(), so traces
without a colour of their own (several runs, several models) are told apart the same way.

    figure = styled(go.Figure(go.Bar(x=..., y=..., marker_color=STATUS["fail"])))
"""
from __future__ import annotations

import plotly.graph_objects as go

BLACK = "#000000"
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
BLUISH_GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
REDDISH_PURPLE = "#CC79A7"
GREY = "#999999"
LIGHT_GREY = "#D9D9D9"
INK = "#1B2430"          # text, threshold lines and markers

# vermillion last: it means "bad"
SEQUENCE = (BLUE, ORANGE, SKY_BLUE, REDDISH_PURPLE, BLUISH_GREEN, YELLOW, BLACK, VERMILLION)
STATUS = {"pass": BLUE, "fail": VERMILLION, "inconclusive": ORANGE, "not measured": GREY, "n/a": GREY}
REFERENCE, CURRENT = BLUE, ORANGE          # the two sides of a drift check
DRIFTED, STABLE = VERMILLION, GREY         # a column's drift verdict
HIGHLIGHT, USUAL = VERMILLION, BLUE        # e.g. a rare class among the others
SEQUENTIAL = "Blues"                       # one-signed heatmaps (counts, |correlation|)
DIVERGING = "RdBu_r"                       # signed heatmaps: blue against red, safe for colour-blind readers


def styled(figure: go.Figure) -> go.Figure:
    """``figure`` with the palette as its colourway (set on the figure, so Streamlit's theme keeps it)."""
    return figure.update_layout(colorway=list(SEQUENCE))


def score_color(share: float) -> str:
    """The colour of a score between 0 and 1: vermillion below a half, orange below full marks, blue at full."""
    return VERMILLION if share < 0.5 else ORANGE if share < 1 else BLUE
