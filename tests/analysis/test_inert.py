"""analysis.inert and the drift report it guards: data values stay text in every HTML and CSV Blueprint writes."""
from __future__ import annotations

import csv
import io
import json
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest

from analysis.drift.evidently_report import run_report
from analysis.drift.run import DriftSettings, run_drift
from analysis.inert import REPORT_CSP, csv_cell, inert_evidently_html, safe_csv, sandboxed_frame, script_json
from store.errors import StoreError
from store.reports import read_report, report_path, save_report
from tests.hostile import FORMULAS, HOSTILE, HOSTILE_NAMES, SCRIPT_CLOSE


class _Scripts(HTMLParser):
    """Counts the <script> elements a browser would see and collects the tags it would build."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts, self.tags = 0, []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.scripts += tag == "script"


def _parse(html: str) -> _Scripts:
    parser = _Scripts()
    parser.feed(html)
    return parser


@pytest.fixture(scope="module")
def hostile_frames():
    rng = np.random.default_rng(3)
    values = ["plain", *HOSTILE[:4]]
    column = HOSTILE_NAMES[0]

    def side(p):
        return pd.DataFrame({"x": rng.normal(size=400), column: rng.choice(values, size=400, p=p)})

    return side([0.6, 0.1, 0.1, 0.1, 0.1]), side([0.2, 0.2, 0.2, 0.2, 0.2]), {"x": "numeric", column: "categorical"}


@pytest.fixture(scope="module")
def raw_and_safe(hostile_frames):
    """Evidently's own HTML for hostile data (what an older Blueprint stored) and what run_drift returns."""
    ref, cur, types = hostile_frames
    raw = run_report(ref, cur, types, {"drift_share": 0.5}).get_html_str(as_iframe=False)
    safe = run_drift(ref, cur, types, types, DriftSettings()).html
    return raw, safe


def test_raw_evidently_report_lets_a_value_open_script_elements(raw_and_safe):
    raw, _ = raw_and_safe
    assert _parse(raw).scripts > 4, "the hole this module closes: Evidently 0.7 writes data values raw"


def test_drift_report_has_only_its_own_script_elements_whatever_the_data(raw_and_safe):
    _, safe = raw_and_safe
    parsed = _parse(safe)
    assert parsed.scripts == 4                       # data, global shim, library, draw call
    assert "img" not in parsed.tags and "svg" not in parsed.tags
    assert REPORT_CSP in safe
    assert SCRIPT_CLOSE not in safe and "\\u003c/script\\u003e" in safe


def test_escaping_is_idempotent_and_fixes_an_old_report_on_read(raw_and_safe, db):
    raw, safe = raw_and_safe
    assert inert_evidently_html(safe) == safe
    save_report(db, "old", raw)                      # as an older version stored it
    shown = read_report(db, "old")
    assert _parse(shown).scripts == 4
    assert report_path(db, "old").read_text(encoding="utf-8") == shown   # fixed on disk, once


def test_report_of_unknown_layout_is_not_served(db):
    save_report(db, "odd", "<html><head></head><body><script>var x = 1;</script></body></html>")
    with pytest.raises(StoreError, match="not shown.*Run the drift check again"):
        read_report(db, "odd")


def test_script_json_keeps_the_values():
    data = {"values": list(HOSTILE), "amp": "a & b"}
    text = script_json(json.dumps(data))
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == data


def test_sandboxed_frame_drops_same_origin_and_escapes_the_report():
    page = sandboxed_frame(f"<html><body>{SCRIPT_CLOSE}</body></html>", 500)
    assert 'sandbox="allow-scripts"' in page and "allow-same-origin" not in page
    parsed = _parse(page)
    assert parsed.scripts == 0 and parsed.tags.count("iframe") == 1


@pytest.mark.parametrize("value", FORMULAS)
def test_formula_cells_get_an_apostrophe(value):
    assert csv_cell(value) == "'" + value


def test_safe_csv_neutralises_cells_and_headers_and_keeps_numbers():
    frame = pd.DataFrame({"=cmd": [*FORMULAS, "plain"], "n": [-2, 3, 1, 0, -5]})
    rows = list(csv.reader(io.StringIO(safe_csv(frame).decode())))
    assert rows[0] == ["'=cmd", "n"]
    assert [r[0] for r in rows[1:]] == ["'" + f for f in FORMULAS] + ["plain"]
    assert [r[1] for r in rows[1:]] == ["-2", "3", "1", "0", "-5"]
