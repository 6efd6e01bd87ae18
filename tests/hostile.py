"""One list of hostile values, used by every test of an output that carries user or data text (pages,
Markdown / HTML / JSON exports, Evidently reports, CSV downloads). A value that runs, fetches or computes
anywhere is a bug: each is shown as the text it is, or (in CSV) prefixed with an apostrophe."""
from __future__ import annotations

import csv
import io
import random

SCRIPT_CLOSE = "</script><script>alert('script-close')</script>"
IMG_ONERROR = "<img src=x onerror=alert('img-onerror')>"
JS_LINK = "[click me](javascript:alert('js-link'))"
SVG_ONLOAD = "\"><svg onload=alert('svg-onload')>"
TEMPLATE_CURLY = "{{7*7}}"
TEMPLATE_DOLLAR = "${7*7}"
MARKDOWN_IMAGE = "![tracker](http://198.51.100.7/pixel.png)"
MARKDOWN_LINK = "[open the report](http://198.51.100.7/phish)"
# Plotly makes a link and bold text of tags in any label; Streamlit's Markdown makes links of the two above.
HTML_LINK = "<a href='http://198.51.100.7/phish'>open here</a><b>bold</b>"
# Markdown that Streamlit (not plain CommonMark) turns into elements: a coloured span, a badge, LaTeX.
MARKDOWN_DIRECTIVE = ":red[red] :blue-badge[badge] $\\sqrt{2}$"
LONG = "L" * 5000

FORMULAS = ("=HYPERLINK(\"http://198.51.100.7/x\",\"open\")", "+cmd|' /C calc'!A0", "-2+3",
            "@SUM(1+1)*cmd|' /C calc'!A0")

# Text values for names, cells and free text (the formulas matter only in CSV files, but are harmless text).
HOSTILE = (SCRIPT_CLOSE, IMG_ONERROR, JS_LINK, SVG_ONLOAD, HTML_LINK, TEMPLATE_CURLY, TEMPLATE_DOLLAR, MARKDOWN_IMAGE,
           *FORMULAS, MARKDOWN_LINK, MARKDOWN_DIRECTIVE, LONG)

# Short forms usable as column names and file names (a column name cannot hold every character well in a
# CSV header, and file names cannot hold "/").
HOSTILE_NAMES = ("</script><script>alert('col')</script>", "<img src=x onerror=alert('col2')>", "=HYPERLINK(\"x\")",
                 "{{7*7}}", "\"><svg onload=alert('col3')>")

# Composite values for fields with a length limit (project names: 80 characters; dataset names: 120).
PROJECT_NAME = "![t](http://198.51.100.7/x) <img src=x onerror=alert('name')> :red[r] $x$"
AUTHOR = f"{SVG_ONLOAD} [a](javascript:alert('js-link'))"
# A file name cannot hold "/": a relative image and link instead (a request for ".../x" proves a fetch).
FILE_NAME = "=cmd <img src=x onerror=alert('file')> [f](javascript:alert('file')) ![t](x) :red[r] $y$.csv"

# What an alert() in any of them says: a dialog whose text starts like this proves a value ran.
ALERT_MARKERS = ("script-close", "img-onerror", "js-link", "svg-onload", "col", "col2", "col3", "file", "name")
# The last path segment a fetch caused by one of the values asks for.
FETCH_BAITS = ("x", "pixel.png")


def hostile_csv(rows: int = 300, seed: int = 0) -> bytes:
    """A CSV whose column names are HOSTILE_NAMES and whose text cells are HOSTILE, with something for each
    analysis to do: a numeric column that shifts halfway (drift), a binary target whose labels are hostile,
    and a numeric copy of the target (a leak the leakage checks find) under the name ``=HYPERLINK("x")``."""
    rnd = random.Random(seed)
    target_yes, target_no = IMG_ONERROR, JS_LINK
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["amount", *HOSTILE_NAMES])
    for i in range(rows):
        positive = rnd.random() < 0.35
        writer.writerow([
            round(rnd.gauss(50 + (15 if i >= rows // 2 else 0), 10), 2),
            HOSTILE[i % len(HOSTILE)],
            HOSTILE[(3 * i + 1) % 5] if i < rows // 2 else HOSTILE[(7 * i) % len(HOSTILE)],
            round(10 * positive + rnd.gauss(0, 0.1), 3),
            round(rnd.gauss(0, 1), 3),
            target_yes if positive else target_no,
        ])
    return out.getvalue().encode("utf-8")
