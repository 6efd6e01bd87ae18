"""design.formats: the one way p-values and drift scores are written (Drift page, Review page, exports)."""
from __future__ import annotations

import math

import pytest

from design.formats import format_score


@pytest.mark.parametrize("value, text", [
    (8.2e-21, "8.2e-21"), (1e-5, "1.0e-5"), (0.000999, "0.0010"), (0.0342, "0.034"), (0.0999, "0.10"), (0.5, "0.50"),
    (0.05, "0.050"), (1.34, "1.3"), (12.0, "12"), (123.4, "120"), (12_345.0, "1.2e4"), (0.0, "0"), (None, "n/a"),
    (math.nan, "n/a"), (-0.0342, "-0.034"),
])
def test_format_score_two_significant_digits_scientific_when_tiny(value, text):
    assert format_score(value) == text
