"""Keeping data values inert in everything Blueprint writes: HTML it makes or embeds, and CSV files.

A value from an uploaded file (a category, a column name, a file name) or typed by a person may hold
``</script><script>...``, ``<img onerror=...>``, ``=HYPERLINK(...)`` and the like. Three rules:

- JSON inside a ``<script>`` element: ``<``, ``>`` and ``&`` are written as ``\\u003c``, ``\\u003e``,
  ``\\u0026`` (script_json), so no value can close the element or open a comment; JavaScript reads the
  same string back.
- Evidently's HTML report carries its data as one inline ``<script>`` block of JSON that Evidently
  0.7 writes raw. inert_evidently_html() finds that block (JSON has no raw line breaks, so the block ends
  at the first line break followed by ``</script>``) and escapes it as above; it works on old reports as
  well as new ones, changes nothing on a report already escaped, and fails closed (ReportFormatError)
  on HTML whose layout it does not know. It also adds a Content-Security-Policy that forbids every
  network request, so even a script that got in could send nothing anywhere.
- CSV cells that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, a tab
  or a carriage return) get a leading apostrophe, as OWASP advises (csv_cell, safe_csv).
- Plotly turns tags in any label into markup: ``<a href=...>`` a link, ``<b>``, ``<span style=...>``, ``<br>``.
  Text from data goes into a figure with ``&``, ``<`` and ``>`` as entities, which Plotly shows as the
  characters (chart_text; inert_traces for the coordinates, category values and trace names of a figure).
"""
from __future__ import annotations

import io
import re
from html import escape

import pandas as pd

_SCRIPT_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026",
                   0x2028: "\\u2028", 0x2029: "\\u2029"}

# Nothing may be fetched or sent: scripts, styles, images and fonts only from the page itself.
REPORT_CSP = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
              "img-src data: blob:; font-src data:; connect-src 'none'; form-action 'none'; base-uri 'none'")
_CSP_TAG = f'<meta http-equiv="Content-Security-Policy" content="{REPORT_CSP}">'
_EVIDENTLY_DATA = re.compile(r"<script>\n(\s*var metric_[0-9a-f]+ = )")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class ReportFormatError(ValueError):
    """A report's HTML does not have the layout the escaping knows, so it is not shown."""


def script_json(text: str) -> str:
    """JSON text made safe to place inside a <script> element (the same values once parsed)."""
    return text.translate(_SCRIPT_ESCAPES)


def inert_evidently_html(html: str) -> str:
    """Evidently's report with its data block escaped (see the module docstring) and a CSP that blocks
    every request. Idempotent. ReportFormatError when the data block cannot be found."""
    start = _EVIDENTLY_DATA.search(html)
    if start is None:
        raise ReportFormatError(
            "This report's HTML does not have the layout of an Evidently 0.7 report, so Blueprint cannot check "
            "that the data in it is safe to show. Run the drift check again to rebuild it."
        )
    body_start = start.end(0) - len(start.group(1))
    end = html.find("\n</script>", body_start)
    if end < 0:
        raise ReportFormatError("This report's data block has no end. Run the drift check again to rebuild it.")
    html = html[:body_start] + script_json(html[body_start:end]) + html[end:]
    if _CSP_TAG not in html:
        head = html.find("<head>")
        if head < 0:
            raise ReportFormatError("This report has no <head>. Run the drift check again to rebuild it.")
        html = html[:head + 6] + "\n" + _CSP_TAG + html[head + 6:]
    return html


def sandboxed_frame(html: str, height: int) -> str:
    """A page that shows ``html`` in an iframe sandboxed without allow-same-origin: its scripts run (the
    report needs them) in an opaque origin, so they cannot read or act in the app that embeds it, open
    windows, navigate the app or show dialogs. For st.iframe, whose own frame shares the app's origin."""
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"{_CSP_TAG}"
        "<style>html,body{margin:0;height:100%;overflow:hidden}iframe{border:0;width:100%;height:100%}</style>"
        f'</head><body><iframe sandbox="allow-scripts" title="Report" style="height:{int(height)}px" '
        f'srcdoc="{escape(html, quote=True)}"></iframe></body></html>'
    )


def chart_text(value):
    """A value for a Plotly label (title, axis title, category, trace name, hover text) shown as itself.
    Non-strings are returned unchanged."""
    if not isinstance(value, str):
        return value
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_TRACE_TEXT = ("x", "y", "labels", "name")


def inert_traces(figure):
    """``figure`` (a plotly Figure) with chart_text applied to every string among its traces' x, y, labels and
    names: the coordinates, categories and names that come from data, where the app writes no markup of its
    own. Titles and hover texts that mix the app's markup with data escape the data part themselves."""
    for trace in figure.data:
        for key in _TRACE_TEXT:
            try:
                value = trace[key]
            except (KeyError, ValueError, AttributeError):
                continue
            if isinstance(value, str):
                trace[key] = chart_text(value)
            elif isinstance(value, (list, tuple)) and any(isinstance(v, str) for v in value):
                trace[key] = [chart_text(v) for v in value]
    return figure


def csv_cell(value):
    """A value as a spreadsheet will not run it: text starting like a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def safe_csv(frame: pd.DataFrame) -> bytes:
    """``frame`` as UTF-8 CSV (no index) with formula-like text cells and column names neutralised."""
    out = frame.copy()
    out.columns = [csv_cell(str(c)) for c in out.columns]
    for column in out.columns:
        if out[column].dtype == object or isinstance(out[column].dtype, (pd.StringDtype, pd.CategoricalDtype)):
            out[column] = out[column].astype(object).map(csv_cell)
    buffer = io.StringIO()
    out.to_csv(buffer, index=False)
    return buffer.getvalue().encode("utf-8")
