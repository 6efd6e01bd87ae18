"""AppTest: the Drift page writes p-values and drift scores with design.formats.format_score (two significant
digits, scientific notation when tiny), and its chart makes the most drifted column the longest bar."""
from __future__ import annotations

import re

from tests.apptest import open_app

SCORE = re.compile(r"^(n/a|0|-?\d\.\de-?\d+|-?\d+(\.\d+)?)$")


def test_sample_drift_table_shows_scores_with_two_significant_digits(app_home):
    at = open_app("pages/drift.py", author="Rae")
    assert not at.exception
    table = at.dataframe[0].value
    scores = list(table["Score"])
    assert all(SCORE.match(s) and len(s) <= 8 for s in scores), scores
    assert any("e-" in s for s in scores)                           # the sample's tiny p-values, in scientific notation
    strengths = list(table["Drift strength"])
    drifted = [s for s, d in zip(strengths, table["Drifted"], strict=True) if d]
    assert drifted and min(drifted) >= 1 > max(s for s, d in zip(strengths, table["Drifted"], strict=True) if not d)
    chart = next(c for c in at.get("plotly_chart") if "Drift per column" in c.proto.spec)
    assert '"type":"log"' in chart.proto.spec.replace(" ", "") and "threshold" in chart.proto.spec
