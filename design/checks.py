"""Checks of the document's claims against measured evidence: success criteria against a run's metrics."""
from __future__ import annotations

from dataclasses import dataclass

from design.criteria import Criterion, format_number

PASS, FAIL, NOT_MEASURED = "pass", "fail", "not measured"


@dataclass(frozen=True)
class CriterionCheck:
    """A success criterion and what the evidence says: ``status`` pass / fail / not measured, the
    measured ``value`` (None when not measured) and a one-line ``reason``."""

    criterion: Criterion
    status: str
    value: float | None
    reason: str


def check_criteria(criteria: list[Criterion], metrics: dict[str, float | None], source: str = "the best run") -> list[CriterionCheck]:
    """Compare each criterion with ``metrics`` (metric name -> value, names as in criteria)."""
    checks = []
    for criterion in criteria:
        value = metrics.get(criterion.metric)
        if value is None:
            known = ", ".join(sorted(k for k, v in metrics.items() if v is not None)) or "none"
            checks.append(CriterionCheck(criterion, NOT_MEASURED, None, f"{source} has no '{criterion.metric}' (measured: {known})."))
            continue
        met = criterion.is_met(value)
        checks.append(
            CriterionCheck(
                criterion, PASS if met else FAIL, value,
                f"{criterion.metric} is {format_number(round(value, 4))} on {source}; needs {criterion.op} {format_number(criterion.threshold)}.",
            )
        )
    return checks
