"""Checks of the document's claims against measured evidence: success criteria against a run's intervals.

    checks = check_criteria(success_criteria(content), run_summary["intervals"], "the best model (Random forest)")
    checks[0].status, checks[0].reason   # "inconclusive", "precision 0.53, 95 % interval 0.19-0.85, from 10 ..."

A criterion is checked against the 95 % interval of its metric (analysis.intervals), never against a point:
pass when the whole interval clears the bar, fail when the whole interval lies on the wrong side, inconclusive when
the bar falls inside it (more data would tell). A criterion the baselines cannot measure (latency, cost, an online
metric) is "not measured here", with what would measure it; the readiness checklist counts it apart from failures.
A stored measurement without an interval (a run stored before intervals) is inconclusive until run again.
A slice criterion (``recall[region=north] >= 0.8``, ``recall[every sex] >= 0.75``) is checked the same way on the
interval of each slice it names (analysis.error_analysis.analyze.slice_evidence): "every" passes when every value
passes and fails when any fails. An unknown column or value is "not measured", saying which names the data has.
A bar relative to another model (``pr auc >= baseline + 0.02``) is checked on the paired interval of the difference
candidate minus that model on the same rows (analysis.candidate.paired), against the margin; evidence without such a
difference (a baseline run) leaves it "not measured".
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

from analysis.baselines.metrics import (
    CLASSIFICATION_METRICS,
    REGRESSION_METRICS,
    THRESHOLD_METRICS,
    canonical_metric,
    choose_primary_metric,
    display_name,
)
from analysis.intervals import Interval, confusion_intervals
from design.criteria import REFERENCES, Criterion, check_slice, format_number
from design.document import success_criteria, value

PASS, FAIL, INCONCLUSIVE, NOT_MEASURED = "pass", "fail", "inconclusive", "not measured"
STATUSES = (PASS, FAIL, INCONCLUSIVE, NOT_MEASURED)
# What would measure a criterion the baselines cannot, by words in its metric's name.
ELSEWHERE = (
    (("latency", "ms", "response time", "p95", "p99"), "a load test of the serving path (or the latencies logged in "
                                                       "shadow mode) would measure it"),
    (("throughput", "qps", "rps", "requests"), "a load test of the serving path would measure it"),
    (("memory", "mb", "gb", "size", "footprint"), "the packaged model and its serving process would measure it"),
    (("cost", "$", "eur", "usd", "price"), "the serving and training bills would measure it"),
    (("uptime", "availability", "error rate 5xx"), "the service's monitoring would measure it"),
)
ADVICE = {"precision": "more data or a lower threshold would tell", "recall": "more positive rows would tell",
          "specificity": "more negative rows would tell"}


@dataclass(frozen=True)
class CriterionCheck:
    """A success criterion and what the evidence says.

    status: "pass", "fail", "inconclusive" or "not measured". value: the measured value (None when not measured).
    low, high: its 95 % interval (None without one). reason: one line, for people, with the interval and the counts
    behind it ("precision 0.53, 95 % interval 0.19-0.85, from 10 predicted positives: inconclusive; ...").
    """

    criterion: Criterion
    status: str
    value: float | None
    reason: str
    low: float | None = None
    high: float | None = None


def _number(x: float) -> str:
    if x == 0 or 0.001 <= abs(x) < 1000:
        return f"{x:.3f}".rstrip("0").rstrip(".") if abs(x) < 1 else f"{x:.4g}"
    return f"{x:.3g}"


def _interval(found) -> Interval | float | None:
    """A stored interval (an Interval, or its plain dict) or a bare number (a run stored before intervals)."""
    if found is None:
        return None
    if isinstance(found, Interval):   # a stored interval that had none comes back with low / high None
        if found.low is None or found.high is None:
            return dataclasses.replace(found, low=-math.inf if found.low is None else found.low,
                                       high=math.inf if found.high is None else found.high)
        return found
    if isinstance(found, dict):
        low, high = found.get("low"), found.get("high")
        return Interval(found.get("value"), -math.inf if low is None else low, math.inf if high is None else high,
                        found.get("method", ""), found.get("rows", 0), found.get("successes", 0),
                        found.get("trials", 0), found.get("basis", ""), found.get("resamples", 0),
                        found.get("subsample", 0))
    return float(found)


def _verdict(criterion: Criterion, low: float, high: float) -> tuple[str, str]:
    """(status, why) of an interval against the bar."""
    bar = format_number(criterion.threshold)
    t = criterion.threshold
    if criterion.op in (">=", ">"):
        clears = low > t or (criterion.op == ">=" and low >= t)
        wrong = high < t or (criterion.op == ">" and high <= t)
        side = "above" if criterion.op == ">" else "at or above"
        if clears:
            return PASS, f"the whole interval is {side} {bar}"
        if wrong:
            return FAIL, f"the whole interval is below {bar}"
    elif criterion.op in ("<=", "<"):
        clears = high < t or (criterion.op == "<=" and high <= t)
        wrong = low > t or (criterion.op == "<" and low >= t)
        side = "below" if criterion.op == "<" else "at or below"
        if clears:
            return PASS, f"the whole interval is {side} {bar}"
        if wrong:
            return FAIL, f"the whole interval is above {bar}"
    elif not low <= t <= high:
        return FAIL, f"the interval does not contain {bar}"
    return INCONCLUSIVE, f"the interval contains {bar}"


def not_measured_reason(metric: str, task: str | None, measured: list[str], source: str) -> str:
    """Why a criterion's metric is not measured on ``source``, and what would measure it."""
    name, _ = canonical_metric(metric)
    if task == "regression" and name in CLASSIFICATION_METRICS:
        return f"{source} is a regression; '{metric}' needs a classification target. Not measured here."
    if task in ("binary", "multiclass") and name in REGRESSION_METRICS:
        return f"{source} is a classification; '{metric}' needs a numeric (regression) target. Not measured here."
    words = metric.lower()
    for keys, what in ELSEWHERE:
        if any(k in words for k in keys):
            return f"Not measured here: baselines measure model quality on held-out rows, not '{metric}'; {what}."
    known = ", ".join(display_name(m) for m in measured) or "none"
    return (f"Not measured here: {source} has no '{metric}' (it measures {known}); a measurement of its own (an "
            "online test, a load test, a review) would tell.")


def check_criteria(criteria: list[Criterion], measured: dict, source: str = "the best run",
                   task: str | None = None, slices: dict | None = None,
                   differences: dict | None = None) -> list[CriterionCheck]:
    """Check each criterion against ``measured``: metric name (as analysis.baselines.metrics names it) -> its
    Interval or the Interval's plain dict (a bare number is read as a measurement without an interval); slice
    criteria against ``slices`` (analysis.error_analysis.analyze.slice_evidence; None: the run has none); relative
    criteria against ``differences``: "baseline" / "dummy" -> {"name": the model compared with, "rows": rows both
    predicted, "metrics": metric -> the Interval (or plain dict) of the difference candidate minus that model}."""
    checks = []
    available = [k for k, v in measured.items() if v is not None]
    for criterion in criteria:
        if criterion.relative:
            checks.append(_check_relative(criterion, (differences or {}).get(criterion.relative), source))
            continue
        if criterion.where:
            checks.append(_check_slice(criterion, slices, source))
            continue
        name, complement = canonical_metric(criterion.metric)
        found = _interval(measured.get(name))
        if found is None:
            checks.append(CriterionCheck(criterion, NOT_MEASURED, None,
                                         not_measured_reason(criterion.metric, task, available, source)))
            continue
        label = display_name(name) if name == criterion.metric else criterion.metric
        if isinstance(found, float):
            checks.append(CriterionCheck(
                criterion, INCONCLUSIVE, 1.0 - found if complement else found,
                f"{label} {_number(1.0 - found if complement else found)} on {source}, with no interval: this run was "
                "stored before Blueprint computed intervals. Run the baselines again for a verdict."))
            continue
        if complement:
            found = found.complement()
        checks.append(_check_interval(criterion, found, label, name, source))
    return checks


def _check_interval(criterion: Criterion, found: Interval, label: str, name: str, source: str) -> CriterionCheck:
    counts = found.counts_text()
    if found.value is None:
        return CriterionCheck(criterion, INCONCLUSIVE, None,
                              f"{label} is undefined on {source} ({counts}): inconclusive; "
                              f"{ADVICE.get(name, 'more data would tell')}.")
    if not (math.isfinite(found.low) and math.isfinite(found.high)):
        return CriterionCheck(criterion, INCONCLUSIVE, found.value,
                              f"{label} {_number(found.value)} on {source}, but too few rows vary for an interval "
                              f"({counts}): inconclusive; more data would tell.", None, None)
    status, why = _verdict(criterion, found.low, found.high)
    text = (f"{label} {_number(found.value)}, 95 % interval {_number(found.low)}-{_number(found.high)}, {counts}: "
            f"{status}")
    if status == INCONCLUSIVE:
        text += f" ({why}); {ADVICE.get(name, 'more data would tell')}."
    else:
        text += f" ({why})."
    return CriterionCheck(criterion, status, found.value, text, found.low, found.high)


def _check_relative(criterion: Criterion, compared: dict | None, source: str) -> CriterionCheck:
    """A bar relative to the baseline or the dummy, against the paired interval of the difference (see
    check_criteria); a complement (fpr) is checked on the negated difference."""
    name, complement = canonical_metric(criterion.metric)
    label = display_name(name) if name == criterion.metric else criterion.metric
    if not compared:
        return CriterionCheck(criterion, NOT_MEASURED, None,
                              f"Not measured on {source}: '{criterion}' compares a candidate model with "
                              f"{REFERENCES[criterion.relative]} on the same rows; bring the candidate's predictions "
                              "to check it.")
    other = compared.get("name") or REFERENCES[criterion.relative]
    found = _interval((compared.get("metrics") or {}).get(name))
    if not isinstance(found, Interval):
        return CriterionCheck(criterion, NOT_MEASURED, None,
                              f"Not measured: {source} has no paired difference of {label} with {other} (a labels-only "
                              "model has no scores for ROC AUC, PR AUC, log loss or Brier score).")
    if complement:
        found = dataclasses.replace(found, value=None if found.value is None else -found.value, low=-found.high,
                                    high=-found.low)
    rows = f"the same {compared.get('rows', found.rows):,} rows"
    if found.value is None or not (math.isfinite(found.low) and math.isfinite(found.high)):
        return CriterionCheck(criterion, INCONCLUSIVE, found.value,
                              f"{label} of {source} minus {other}'s on {rows} has no interval (undefined on too many "
                              "resamples): inconclusive; more rows would tell.")
    status, why = _verdict(criterion, found.low, found.high)
    return CriterionCheck(criterion, status, found.value,
                          f"{label} of {source} minus {other}'s on {rows}: {_signed(found.value)}, paired 95 % "
                          f"interval {_signed(found.low)} to {_signed(found.high)}: {status} ({why}).",
                          found.low, found.high)


def _signed(x: float) -> str:
    return ("+" if x > 0 else "") + _number(x)


def _check_slice(criterion: Criterion, slices: dict | None, source: str) -> CriterionCheck:
    """A slice criterion against the slices of a run (see check_criteria)."""
    if not slices:
        return CriterionCheck(criterion, INCONCLUSIVE, None,
                              f"{source} has no slices (it was stored before Blueprint kept predictions, or its model "
                              "has none): run the baselines again for a verdict.")
    columns = slices.get("columns") or {}
    problem = check_slice(criterion, {c: entry.get("labels", []) for c, entry in columns.items()})
    if problem:
        return CriterionCheck(criterion, NOT_MEASURED, None, f"Not measured here: {problem}")
    column = criterion.slice_column
    entry = columns[column]
    name, complement = canonical_metric(criterion.metric)
    found = (entry.get("metrics") or {}).get(name)
    if found is None:
        return CriterionCheck(criterion, INCONCLUSIVE, None,
                              f"{display_name(name)} per slice of '{column}' is not in {source}'s evidence (the "
                              "criterion is newer than the run): run the baselines again for a verdict.")
    labels = [str(v) for v in entry.get("labels", [])]
    if criterion.slice_value is None:
        wanted = list(range(len(labels)))
    else:
        folded = [" ".join(v.lower().split()) for v in labels]
        wanted = [folded.index(" ".join(criterion.slice_value.lower().split()))]
    label = display_name(name) if name == criterion.metric else criterion.metric
    parts = []
    for i in wanted:
        interval = _interval(found[i])
        if complement and isinstance(interval, Interval):
            interval = interval.complement()
        parts.append((labels[i],
                      _check_interval(criterion, interval, label, name, f"{source}, {column} = {labels[i]}")))
    if len(parts) == 1:
        only = parts[0][1]
        return dataclasses.replace(only, reason=f"On the slice {column} = {parts[0][0]}: {only.reason}")
    statuses = [c.status for _, c in parts]
    status = FAIL if FAIL in statuses else PASS if all(s == PASS for s in statuses) else INCONCLUSIVE
    worst = min((c for _, c in parts if c.value is not None), default=parts[0][1],
                key=lambda c: c.value if criterion.op in (">=", ">") else -c.value)
    each = "; ".join(f"{v} {_number(c.value) if c.value is not None else 'n/a'}"
                     + (f" ({_number(c.low)}-{_number(c.high)})" if c.low is not None else "") + f" {c.status}"
                     for v, c in parts)
    counts = ", ".join(f"{statuses.count(s)} {s}" for s in (PASS, FAIL, INCONCLUSIVE) if statuses.count(s))
    return CriterionCheck(criterion, status, worst.value,
                          f"{label} per value of '{column}' on {source} (95 % intervals): {each}. {counts}: {status}.",
                          worst.low, worst.high)


def summary_slices(summary: dict) -> dict | None:
    """What a stored run summary offers slice criteria (None for a summary stored before slices)."""
    return summary.get("slices") or None


def summary_evidence(summary: dict) -> dict:
    """What a stored run summary offers check_criteria: its best model's intervals, else (a summary stored before
    intervals) its metrics as bare numbers."""
    return summary.get("intervals") or summary.get("metrics") or {}


def document_run_choices(content: dict, task: str | None) -> dict:
    """What the design document decides about a baseline run, as RunSettings fields: the decision threshold of its
    Evaluation section (binary tasks; None: it names none, so 0.5) and the primary metric its success criteria
    choose (analysis.baselines.metrics.choose_primary_metric)."""
    if task is None:
        return {}
    threshold = value(content, "evaluation", "decision_threshold") if task == "binary" else None
    criteria = [c.metric for c in success_criteria(content) if not c.where]
    return {"decision_threshold": None if threshold is None else float(threshold),
            "primary_metric": choose_primary_metric(task, criteria)}


@dataclass(frozen=True)
class ThresholdPass:
    """Where a threshold criterion would pass on a binary run's threshold grid.

    criterion: the criterion. passes: the grid thresholds where its 95 % interval clears the bar. point: where the
    point value alone meets it (wider: the interval needs more certainty). status: its status at each grid threshold.
    """

    criterion: Criterion
    passes: tuple[float, ...]
    point: tuple[float, ...]
    status: tuple[str, ...]


def threshold_passes(criteria: list[Criterion], grid) -> list[ThresholdPass]:
    """For each criterion on a threshold metric (recall, precision, specificity, accuracy and their complements),
    its verdict at every threshold of ``grid`` (analysis.baselines.metrics.ThresholdGrid), from the counts there."""
    found = []
    for criterion in criteria:
        name, complement = canonical_metric(criterion.metric)
        if (criterion.where or criterion.relative or name not in THRESHOLD_METRICS
                or name in ("balanced accuracy", "f1")):
            continue
        statuses, passes, point = [], [], []
        for i, t in enumerate(grid.threshold):
            interval = confusion_intervals(grid.tp[i], grid.fp[i], grid.tn[i], grid.fn[i])[name]
            if complement:
                interval = interval.complement()
            if interval.value is None:
                statuses.append(INCONCLUSIVE)
                continue
            status, _ = _verdict(criterion, interval.low, interval.high)
            statuses.append(status)
            if status == PASS:
                passes.append(t)
            if criterion.is_met(interval.value):
                point.append(t)
        found.append(ThresholdPass(criterion, tuple(passes), tuple(point), tuple(statuses)))
    return found


def ranges_text(thresholds: tuple[float, ...]) -> str:
    """Grid thresholds as ranges: (0.1, 0.11, 0.12, 0.3) -> "0.10-0.12, 0.30"; "none" when empty."""
    if not thresholds:
        return "none"
    parts, start, previous = [], thresholds[0], thresholds[0]
    for t in thresholds[1:]:
        if round(t - previous, 2) > 0.01:
            parts.append((start, previous))
            start = t
        previous = t
    parts.append((start, previous))
    return ", ".join(f"{a:.2f}" if a == b else f"{a:.2f}-{b:.2f}" for a, b in parts)
