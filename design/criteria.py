"""Success criteria written as ``metric op threshold``, e.g. ``recall >= 0.80`` or ``p95 latency_ms <= 200``."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

OPERATORS = (">=", "<=", "==", ">", "<")

_CRITERION = re.compile(
    r"^\s*(?P<metric>[A-Za-z][A-Za-z0-9_ .@/-]*?)\s*(?P<op>>=|<=|==|=|>|<)\s*(?P<threshold>\S.*?)\s*$"
)


_GROUPED = re.compile(r"[+-]?[1-9]\d{0,2}(?:,\d{3})+(?:\.\d*)?")  # 1,000,000 or 1,234.5


class CriterionError(ValueError):
    """A success criterion could not be parsed."""


def read_number(text: str) -> float:
    """Read a number as a person types it: ``0.8``, ``0,8`` (decimal comma), ``1,000,000`` or ``1,234.5``.

    ``1,000`` (one comma, three digits after it) is refused as ambiguous rather than guessed.
    Raises ValueError whose message says what is wrong, e.g. ``'abc' is not a number``.
    """
    text = str(text).strip()
    if _GROUPED.fullmatch(text):
        if text.count(",") == 1 and "." not in text:
            raise ValueError(
                f"'{text}' is ambiguous: write {text.replace(',', '')} for thousands "
                f"or {text.replace(',', '.')} for a decimal"
            )
        return float(text.replace(",", ""))
    try:
        return float(text.replace(",", ".") if text.count(",") == 1 and "." not in text else text)
    except ValueError:
        raise ValueError(f"'{text}' is not a number") from None


def format_number(number: float) -> str:
    """The shortest text that reads back as exactly ``number``: 0.8 -> '0.8', 200.0 -> '200'."""
    text = repr(float(number))
    return text[:-2] if text.endswith(".0") else text


@dataclass(frozen=True)
class Criterion:
    """One success criterion.

    metric: normalised metric name (lower case, single spaces), e.g. ``"recall"``, ``"p95 latency_ms"``.
    op: one of ``>=, <=, ==, >, <``.
    threshold: the number the metric is compared with (``80%`` is read as 0.8).
    """

    metric: str
    op: str
    threshold: float

    def __str__(self) -> str:
        return f"{self.metric} {self.op} {format_number(self.threshold)}"

    def is_met(self, value: float) -> bool:
        """True when a measured ``value`` satisfies the criterion."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return False
        if self.op == ">=":
            return value >= self.threshold
        if self.op == "<=":
            return value <= self.threshold
        if self.op == ">":
            return value > self.threshold
        if self.op == "<":
            return value < self.threshold
        return math.isclose(value, self.threshold, rel_tol=1e-9, abs_tol=1e-12)


def parse_criterion(text: str) -> Criterion:
    """Parse ``"recall >= 0.80"`` into a :class:`Criterion`; raise CriterionError saying how to fix it."""
    text = text or ""
    match = _CRITERION.match(text)
    if match is None:
        raise CriterionError(
            f"'{text.strip()}' is not a criterion. Write it as metric, operator, number, "
            "for example 'recall >= 0.80' or 'p95 latency_ms <= 200'."
        )
    metric = " ".join(match["metric"].lower().split())
    op = "==" if match["op"] == "=" else match["op"]
    raw = match["threshold"]
    percent = raw.endswith("%")
    try:
        threshold = read_number(raw[:-1] if percent else raw)
    except ValueError as error:
        if "ambiguous" in str(error):
            raise CriterionError(f"'{text.strip()}': the threshold {error}.") from None
        raise CriterionError(
            f"'{text.strip()}': the threshold '{match['threshold']}' is not a number. "
            f"Write a number after the operator, for example '{metric} {op} 0.80'."
        ) from None
    if not math.isfinite(threshold):
        raise CriterionError(f"'{text.strip()}': the threshold must be a finite number.")
    return Criterion(metric, op, threshold / 100 if percent else threshold)
