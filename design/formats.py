"""The one way p-values and drift scores are written for people: on the Drift page, the Review page and exports.

    format_score(8.2e-21)   -> "8.2e-21"    (scientific notation below 0.001, so a tiny p-value fits its cell)
    format_score(0.0342)    -> "0.034"
    format_score(0.5)       -> "0.50"
    format_score(12_345.0)  -> "1.2e4"      (and from 1,000 up)
    format_score(None)      -> "n/a"

Always two significant digits: a p-value or a distance is an estimate, and more digits suggest a precision the
test does not have.
"""
from __future__ import annotations

import math

SCIENTIFIC_BELOW = 1e-3
SCIENTIFIC_FROM = 1e3


def format_score(value) -> str:
    """A p-value or drift score with two significant digits (scientific notation below 0.001 and from 1,000);
    "n/a" for None or NaN."""
    if value is None or isinstance(value, bool):
        return "n/a" if value is None else str(value)
    try:
        x = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(x):
        return "n/a"
    if math.isinf(x):
        return "∞" if x > 0 else "-∞"
    if x == 0:
        return "0"
    mantissa, exponent = f"{x:.1e}".split("e")
    rounded = float(f"{mantissa}e{exponent}")
    if abs(rounded) < SCIENTIFIC_BELOW or abs(rounded) >= SCIENTIFIC_FROM:
        return f"{mantissa}e{int(exponent)}"
    decimals = max(0, 1 - math.floor(math.log10(abs(rounded))))
    return f"{rounded:.{decimals}f}"
