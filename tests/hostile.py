"""One list of hostile values, used by every test of an output that carries user or data text (pages,
Markdown / HTML / JSON exports, Evidently reports, CSV downloads). A value that runs, fetches or computes
anywhere is a bug: each is shown as the text it is, or (in CSV) prefixed with an apostrophe."""
from __future__ import annotations

SCRIPT_CLOSE = "</script><script>alert('script-close')</script>"
IMG_ONERROR = "<img src=x onerror=alert('img-onerror')>"
JS_LINK = "[click me](javascript:alert('js-link'))"
SVG_ONLOAD = "\"><svg onload=alert('svg-onload')>"
TEMPLATE_CURLY = "{{7*7}}"
TEMPLATE_DOLLAR = "${7*7}"
MARKDOWN_IMAGE = "![tracker](http://198.51.100.7/pixel.png)"
LONG = "L" * 5000

FORMULAS = ("=HYPERLINK(\"http://198.51.100.7/x\",\"open\")", "+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)*cmd|' /C calc'!A0")

# Text values for names, cells and free text (the formulas matter only in CSV files, but are harmless text).
HOSTILE = (SCRIPT_CLOSE, IMG_ONERROR, JS_LINK, SVG_ONLOAD, TEMPLATE_CURLY, TEMPLATE_DOLLAR, MARKDOWN_IMAGE, *FORMULAS)

# Short forms usable as column names and file names (a column name cannot hold every character well in a
# CSV header, and file names cannot hold "/").
HOSTILE_NAMES = ("</script><script>alert('col')</script>", "<img src=x onerror=alert('col2')>", "=HYPERLINK(\"x\")",
                 "{{7*7}}", "\"><svg onload=alert('col3')>")

# What an alert() in any of them says: a dialog whose text starts like this proves a value ran.
ALERT_MARKERS = ("script-close", "img-onerror", "js-link", "svg-onload", "col", "col2", "col3")
