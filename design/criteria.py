"""Success criteria written as ``metric op threshold``, e.g. ``recall >= 0.80`` or ``p95 latency_ms <= 200``.

A criterion may name a slice of the data in square brackets after its metric: ``recall[region=north] >= 0.8`` (the
rows whose 'region' is 'north'; a numeric column's quantile bins are named Q1, lowest, to Q5) or
``recall[every sex] >= 0.75`` (each value of 'sex' on its own). Slice criteria are checked per slice of the best
baseline model's out-of-fold predictions (design.checks), on metrics measured per slice (SLICE_METRICS).

A bar may be relative to another model on the same rows: ``pr auc >= baseline + 0.02`` (the best baseline model's PR
AUC plus 0.02), ``recall >= dummy`` (at least the dummy floor's). Such a criterion is about a candidate model (the
team's own, analysis.candidate) and is checked on the paired difference candidate minus that model (design.checks).
"""
from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass

from analysis.baselines.metrics import (
    ALIASES,
    CLASSIFICATION_METRICS,
    COMPLEMENTS,
    REGRESSION_METRICS,
    canonical_metric,
    display_name,
)

OPERATORS = (">=", "<=", "==", ">", "<")

_CRITERION = re.compile(
    r"^\s*(?P<metric>[A-Za-z][A-Za-z0-9_ .@/-]*?)\s*(?P<op>>=|<=|==|=|>|<)\s*(?P<threshold>\S.*?)\s*$"
)


_SLICED = re.compile(r"^\s*(?P<metric>[^\[\]<>=]*?)\s*\[(?P<where>[^\[\]]*)\]\s*(?P<rest>(?:>=|<=|==|=|>|<|≥|≤).*)$")
_EVERY = re.compile(r"^(?:every|each)\s+(?P<column>\S.*)$", re.I)
# A bar relative to another model on the same rows: "baseline", "dummy + 0.05", "baseline - 2%".
_RELATIVE = re.compile(r"^(?P<reference>baseline|dummy)\s*(?:(?P<sign>[+-])\s*(?P<offset>\S.*?))?$", re.I)
REFERENCES = {"baseline": "the best baseline model", "dummy": "the dummy floor"}
# Metrics a slice criterion may use: those measured per slice (analysis.error_analysis.slices.SLICE_METRICS) and
# their complements.
SLICE_METRICS = ("recall", "precision", "specificity", "accuracy", "balanced accuracy", "roc auc", "brier score",
                 "log loss", "rmse", "mae", "mape")
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
    where: the slice, "" for all rows: ``"region=north"`` (one value of a column) or ``"every sex"`` (each value).
    relative: "" for a fixed bar; "baseline" or "dummy" when the bar is that model's value on the same rows plus
    ``threshold`` (``pr auc >= baseline + 0.02``: threshold 0.02). It is checked on the difference candidate minus
    that model, so is_met() then takes the difference.
    """

    metric: str
    op: str
    threshold: float
    where: str = ""
    relative: str = ""

    def __str__(self) -> str:
        sliced = f"[{self.where}]" if self.where else ""
        if self.relative:
            offset = "" if self.threshold == 0 else (f" {'+' if self.threshold > 0 else '-'} "
                                                     f"{format_number(abs(self.threshold))}")
            return f"{self.metric}{sliced} {self.op} {self.relative}{offset}"
        return f"{self.metric}{sliced} {self.op} {format_number(self.threshold)}"

    @property
    def slice_column(self) -> str | None:
        """The column a slice criterion names (None for all rows)."""
        if not self.where:
            return None
        every = _EVERY.match(self.where)
        return every["column"] if every else self.where.split("=", 1)[0]

    @property
    def slice_value(self) -> str | None:
        """The value (or bin) a slice criterion names; None for all rows and for "every"."""
        if not self.where or _EVERY.match(self.where):
            return None
        return self.where.split("=", 1)[1]

    def is_met(self, value: float) -> bool:
        """True when a measured ``value`` (for a relative criterion: the difference to its reference) satisfies the
        criterion."""
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
    """Parse ``"recall >= 0.80"`` into a :class:`Criterion`; raise CriterionError saying how to fix it. The signs
    ≥ and ≤ (as rendered text shows them) are read as >= and <=."""
    text = (text or "").replace("≥", ">=").replace("≤", "<=")
    sliced = _SLICED.match(text)
    if sliced is not None:
        where = _where(text, sliced["where"])
        plain = parse_criterion(f"{sliced['metric']} {sliced['rest']}")
        if plain.relative:
            raise CriterionError(
                f"'{text.strip()}': a bar relative to the {plain.relative} is checked on all rows, not on a slice. "
                f"Write it without the slice, such as '{plain}', or give the slice a fixed bar.")
        return Criterion(plain.metric, plain.op, plain.threshold, where)
    if "[" in text or "]" in text:
        raise CriterionError(
            f"'{text.strip()}' is not a criterion. A slice goes in square brackets right after the metric, for "
            "example 'recall[region=north] >= 0.8' or 'recall[every sex] >= 0.75'.")
    match = _CRITERION.match(text)
    if match is None:
        raise CriterionError(
            f"'{text.strip()}' is not a criterion. Write it as metric, operator, number, "
            "for example 'recall >= 0.80' or 'p95 latency_ms <= 200'."
        )
    metric = " ".join(match["metric"].lower().split())
    op = "==" if match["op"] == "=" else match["op"]
    raw = match["threshold"]
    relative = _RELATIVE.match(raw)
    if relative is not None:
        return _relative(text, metric, op, relative)
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


def _relative(text: str, metric: str, op: str, found: re.Match) -> Criterion:
    """A criterion whose bar is another model's value plus an offset (``baseline + 0.02``, ``dummy``, ``baseline -
    2%``); CriterionError when the offset is not a number."""
    reference = found["reference"].lower()
    offset = found["offset"]
    if offset is None:
        return Criterion(metric, op, 0.0, relative=reference)
    percent = offset.endswith("%")
    try:
        number = read_number(offset[:-1] if percent else offset)
    except ValueError:
        raise CriterionError(
            f"'{text.strip()}': the margin '{offset}' after {reference} is not a number. Write a number, for example "
            f"'{metric} {op} {reference} + 0.02'.") from None
    if not math.isfinite(number):
        raise CriterionError(f"'{text.strip()}': the margin must be a finite number.")
    number = number / 100 if percent else number
    return Criterion(metric, op, -number if found["sign"] == "-" else number, relative=reference)


def _where(text: str, raw: str) -> str:
    """The slice of a criterion, normalised ("region=north", "every sex"); CriterionError when it is neither."""
    inside = " ".join(raw.split())
    every = _EVERY.match(inside)
    if every:
        return f"every {every['column'].strip()}"
    if inside.count("=") == 1:
        column, value = (part.strip() for part in inside.split("="))
        if column and value:
            return f"{column}={value}"
    raise CriterionError(
        f"'{text.strip()}': the slice [{raw.strip()}] must be one value of a column, such as [region=north], or every "
        "value of a column, such as [every sex].")


def check_slice(criterion: Criterion, columns: dict) -> str | None:
    """Why a slice criterion cannot be checked on data sliced into ``columns`` (column -> its slice labels: values,
    or quantile bins Q1..Q5), or None when it can: an unknown column or value, with the nearest names."""
    column, value = criterion.slice_column, criterion.slice_value
    if column is None:
        return None
    if column not in columns:
        close = difflib.get_close_matches(column, list(columns), n=1, cutoff=0.6)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        listed = ", ".join(list(columns)[:12]) + (", ..." if len(columns) > 12 else "")
        return (f"'{criterion}': the data has no sliced column '{column}'.{hint} Sliced columns: {listed or 'none'}. "
                "Write one of them in the criterion (identifiers, free text and dates are not sliced).")
    labels = [str(label) for label in columns[column]]
    if value is not None and value not in labels:
        folded = {" ".join(label.lower().split()): label for label in labels}
        if " ".join(value.lower().split()) in folded:
            return None
        close = difflib.get_close_matches(value, labels, n=1, cutoff=0.6)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        return (f"'{criterion}': column '{column}' has no value '{value}'.{hint} Its slices are "
                f"{', '.join(labels[:20])}{', ...' if len(labels) > 20 else ''}.")
    return None


# --- checking a criterion against the metrics Blueprint knows -------------------------------------------------------
# A criterion is saved only when its metric is one Blueprint knows or clearly a metric of its own, and its threshold
# can be reached: "recal >= 0.8" is refused with "did you mean recall?", "recall >= 1.5" because a share lies
# between 0 and 1. Latencies and costs name their unit. The names come from analysis.baselines.metrics, the module
# that measures them, so a criterion the form accepts as measurable is one the Baselines page can check.

SHARE = (0.0, 1.0)
NON_NEGATIVE = (0.0, math.inf)
AT_MOST_ONE = (-math.inf, 1.0)
_RANGES = {"brier score": (0.0, 2.0), "log loss": NON_NEGATIVE, "mae": NON_NEGATIVE, "rmse": NON_NEGATIVE,
           "mape": NON_NEGATIVE, "r2": AT_MOST_ONE}
# Metrics Blueprint knows but its baselines do not measure: ranking and online metrics, with their range.
_ELSEWHERE_SHARES = ("ndcg", "map", "mrr", "hit rate at k", "precision at k", "recall at k", "ctr",
                     "click-through rate", "conversion rate", "retention rate", "churn rate", "uptime", "availability",
                     "coverage", "override rate", "alert rate", "approval rate", "acceptance rate", "flag rate",
                     "false alarm rate", "expected calibration error", "ece", "auc gap", "recall gap",
                     "demographic parity difference", "equal opportunity difference")
_ELSEWHERE_NON_NEGATIVE = ("mse", "throughput", "qps", "rps", "requests per second", "predictions per second",
                           "memory_mb", "model size_mb", "revenue", "lift", "mean absolute scaled error", "mase",
                           "wape", "smape", "pinball loss", "crps")
_LATENCY_WORDS = ("latency", "response time", "inference time", "time to first")
_TIME_UNITS = {"ms": "ms", "msec": "ms", "millisecond": "ms", "milliseconds": "ms", "s": "s", "sec": "s",
               "secs": "s", "second": "s", "seconds": "s", "us": "us", "µs": "us", "min": "min", "minutes": "min"}
_COST_WORDS = ("cost", "price", "spend", "budget", "bill")
_CURRENCIES = {"usd": "usd", "dollars": "usd", "$": "usd", "eur": "eur", "euros": "eur", "€": "eur", "gbp": "gbp",
               "£": "gbp", "chf": "chf", "cents": "cents", "jpy": "jpy", "cny": "cny", "inr": "inr"}
_UNIT_AFTER = re.compile(r"^(?P<head>.*?\d%?)\s*(?P<unit>[A-Za-zµ$€£]+)\s*$")
_CURRENCY_BEFORE = re.compile(r"^(?P<head>.*?(?:>=|<=|==|=|>|<))\s*(?P<unit>[$€£])\s*(?P<number>\S.*)$")
_AT_K = re.compile(r"\s*(?:@\s*|\bat\s+)(?:k|\d+)\b")
SIMILAR = 0.8   # difflib ratio above which an unknown metric name is taken for a misspelling of a known one


@dataclass(frozen=True)
class CheckedCriterion:
    """A criterion the form accepts, and what to tell the person about it.

    criterion: the parsed criterion (a percentage already read as a share, a unit moved into the metric name).
    measured: True when the baselines measure its metric (it is checked against the best run).
    notes: sentences for the person: how a percentage or unit was read, why it is not measured here.
    """

    criterion: Criterion
    measured: bool
    notes: tuple[str, ...] = ()


def _measured_metrics() -> tuple[tuple[str, ...], dict, dict]:
    return CLASSIFICATION_METRICS + REGRESSION_METRICS, ALIASES, COMPLEMENTS


def known_metric_names() -> tuple[str, ...]:
    """Every metric name a criterion may use as Blueprint knows it (the baselines' names and their aliases, then
    ranking, online and operational metrics), for suggestions."""
    measured, aliases, complements = _measured_metrics()
    operational = ("latency_ms", "p50 latency_ms", "p95 latency_ms", "p99 latency_ms", "cost_usd",
                   "cost per 1000 predictions_usd", "cost per month_usd")
    return tuple(dict.fromkeys((*measured, *aliases, *complements, *_ELSEWHERE_SHARES, *_ELSEWHERE_NON_NEGATIVE,
                                *operational)))


def _words(metric: str) -> list[str]:
    return re.split(r"[\s_/.-]+", metric.lower())


def _move_unit(text: str) -> tuple[str, str | None]:
    """``"p95 latency <= 300 ms"`` -> (``"p95 latency_ms <= 300"``, "ms"); a currency before the number too
    (``"cost <= $0.02"``). Text without a unit comes back as it is, with None."""
    stripped = text.strip()
    match = _CURRENCY_BEFORE.match(stripped)
    if match:
        unit, rest = _CURRENCIES[match["unit"]], f"{match['head']} {match['number']}"
    else:
        match = _UNIT_AFTER.match(stripped)
        unit = match and (_TIME_UNITS.get(match["unit"].lower()) or _CURRENCIES.get(match["unit"].lower()))
        if not unit:
            return text, None
        rest = match["head"]
    head = _CRITERION.match(rest)
    if head is None:
        return text, None
    metric = head["metric"].strip()
    if unit in _words(metric):
        return f"{metric} {head['op']} {head['threshold']}", unit
    return f"{metric}_{unit} {head['op']} {head['threshold']}", unit


def _range_error(text: str, c: Criterion, low: float, high: float, percent: bool) -> str | None:
    t, name = c.threshold, c.metric
    if low == 0.0 and high == 1.0:
        if not 0.0 <= t <= 1.0:
            written = format_number(t * 100) + "%" if percent else format_number(t)
            hint = (f" Did you mean {format_number(t)}% ('{name} {c.op} {format_number(t / 100)}')?"
                    if 2.0 <= t <= 100.0 and not percent else "")
            return (f"'{text}': {name} is a share between 0 and 1, so {written} is impossible.{hint} Write a number "
                    f"between 0 and 1, such as '{name} {c.op} 0.8', or a percentage, such as '{name} {c.op} 80%'.")
        if (c.op == ">" and t >= 1.0) or (c.op == "<" and t <= 0.0):
            return f"'{text}': {name} is a share between 0 and 1, so it can never be {c.op} {format_number(t)}."
        return None
    if t < low:
        what = "cannot be negative" if low == 0.0 else f"is at least {format_number(low)}"
        return f"'{text}': {name} {what}, so the bar {format_number(t)} says nothing. Write a bar it can reach."
    if t > high:
        return (f"'{text}': {name} is at most {format_number(high)}, so {format_number(t)} is impossible. "
                f"Write a bar of at most {format_number(high)}.")
    return None


def check_criterion(text: str) -> CheckedCriterion:
    """Parse ``text`` and check it against the metrics Blueprint knows; raise CriterionError saying how to fix it.

    - a metric the baselines measure (``recall``, ``sensitivity``, ``roc auc``, ``fpr`` ...) must have a bar in
      its range: a share between 0 and 1 (``80%`` is read as 0.8, with a note), an error that is not negative;
    - a latency or a cost names its unit (``p95 latency_ms <= 300``, ``p95 latency <= 300 ms``, ``cost <= $0.02``)
      and is valid but not measured by the baselines;
    - a name close to a known one (``recal``) is refused with "did you mean recall?";
    - any other name is accepted as a metric of the team's own (an online metric), not measured here.
    """
    text = (text or "").replace("≥", ">=").replace("≤", "<=").strip()
    sliced = _SLICED.match(text)
    if sliced is not None:
        return _check_sliced(text, parse_criterion(text), sliced["rest"].rstrip().endswith("%"))
    moved, unit = _move_unit(text)
    criterion = parse_criterion(moved)
    if criterion.relative:
        return _check_relative(text, criterion)
    percent = _CRITERION.match(moved)["threshold"].endswith("%")
    notes = []
    if unit:
        notes.append(f"Read as '{criterion}'.")
    elif percent:
        notes.append(f"{_CRITERION.match(moved)['threshold'].replace(' ', '')} read as "
                     f"{format_number(criterion.threshold)}.")
    measured_names, aliases, complements = _measured_metrics()

    name, complement = canonical_metric(criterion.metric)
    if name in measured_names:
        low, high = SHARE if complement else _RANGES.get(name, SHARE)
        problem = _range_error(text, criterion, low, high, percent)
        if problem:
            raise CriterionError(problem)
        return CheckedCriterion(criterion, True, tuple(notes))
    words = _words(criterion.metric)
    phrase = " ".join(words)
    if any(w in phrase for w in _LATENCY_WORDS):
        if not any(w in _TIME_UNITS for w in words):
            raise CriterionError(
                f"'{text}': a latency needs its unit. Write it in the name or after the number, for example "
                f"'p95 latency_ms {criterion.op} {format_number(criterion.threshold)}' or "
                f"'p95 latency {criterion.op} {format_number(criterion.threshold)} ms'.")
        return _elsewhere(text, criterion, notes, percent, "a load test of the serving path (or latencies logged in "
                                                          "shadow mode) would measure it")
    if any(w in words for w in _COST_WORDS):
        if not any(w in _CURRENCIES for w in words):
            raise CriterionError(
                f"'{text}': a cost needs its currency. Write it in the name or around the number, for example "
                f"'cost per 1000 predictions_usd {criterion.op} {format_number(criterion.threshold)}' or "
                f"'cost {criterion.op} ${format_number(criterion.threshold)}'.")
        return _elsewhere(text, criterion, notes, percent, "the serving and training bills would measure it")
    plain_name = _AT_K.sub("", phrase).strip()
    if plain_name != phrase:
        plain_name = plain_name if plain_name in _ELSEWHERE_SHARES else f"{plain_name} at k"
    if (plain_name in _ELSEWHERE_SHARES or plain_name in _ELSEWHERE_NON_NEGATIVE
            or criterion.metric in known_metric_names()):
        problem = _range_error(text, criterion, *(SHARE if plain_name in _ELSEWHERE_SHARES else NON_NEGATIVE), percent)
        if problem:
            raise CriterionError(problem)
        return CheckedCriterion(criterion, False, (*notes, "Valid; not measured by the baselines: an online test, "
                                                           "a ranking evaluation or monitoring would measure it."))

    close = difflib.get_close_matches(criterion.metric, known_metric_names(), n=1, cutoff=SIMILAR)
    if close:
        suggestion = f"{close[0]} {criterion.op} {format_number(criterion.threshold)}"
        raise CriterionError(
            f"'{text}': Blueprint knows no metric '{criterion.metric}'. Did you mean {close[0]}? "
            f"Write '{suggestion}'.")
    return CheckedCriterion(criterion, False, (*notes, f"'{criterion.metric}' is not a metric Blueprint measures: "
                                                       "valid, but not measured by the baselines (a measurement of "
                                                       "your own, such as an online test, would tell)."))


def _check_sliced(text: str, criterion: Criterion, percent: bool) -> CheckedCriterion:
    """A slice criterion: a metric measured per slice (SLICE_METRICS, or a complement), a bar in its range."""
    name, complement = canonical_metric(criterion.metric)
    if name not in SLICE_METRICS:
        raise CriterionError(
            f"'{text}': {criterion.metric} is not measured per slice. A slice criterion takes one of "
            f"{', '.join(display_name(m) for m in SLICE_METRICS)} (or fpr, fnr).")
    low, high = SHARE if complement else _RANGES.get(name, SHARE)
    problem = _range_error(text, criterion, low, high, percent)
    if problem:
        raise CriterionError(problem)
    notes = [f"{text[text.rindex('=') + 1 if '=' in text.split(']')[-1] else 0:].strip()} read as "
             f"{format_number(criterion.threshold)}."] if percent else []
    which = (f"each value of '{criterion.slice_column}'" if criterion.slice_value is None else
             f"the rows where '{criterion.slice_column}' is '{criterion.slice_value}'")
    return CheckedCriterion(criterion, True, (*notes, f"Checked on {which}, on the best baseline model."))


def _check_relative(text: str, criterion: Criterion) -> CheckedCriterion:
    """A bar relative to the baseline or the dummy: a metric Blueprint measures on both models' predictions, and a
    margin smaller than the metric's whole range."""
    measured_names, _, _ = _measured_metrics()
    name, complement = canonical_metric(criterion.metric)
    who = REFERENCES[criterion.relative]
    if name not in measured_names:
        raise CriterionError(
            f"'{text}': a bar relative to {who} compares two models' predictions on the same rows, so it needs a "
            f"metric measured on predictions (such as {', '.join(display_name(m) for m in measured_names[:8])}); "
            f"'{criterion.metric}' is not one. Write a fixed bar, such as '{criterion.metric} {criterion.op} 200'.")
    low, high = SHARE if complement else _RANGES.get(name, SHARE)
    if math.isfinite(high - low) and abs(criterion.threshold) >= high - low:
        example = f"{criterion.metric} {criterion.op} {criterion.relative} + 0.02"
        raise CriterionError(
            f"'{text}': {criterion.metric} lies between {format_number(low)} and {format_number(high)}, so it can "
            f"never differ from {who}'s by {format_number(abs(criterion.threshold))}. Write a smaller margin, such as "
            f"'{example}'.")
    notes = [f"Read as '{criterion}'."] if text.rstrip().endswith("%") else []
    return CheckedCriterion(criterion, True, (*notes, f"Checked on a candidate model: its {display_name(name)} minus "
                                                      f"{who}'s on the same rows, with a paired 95 % interval."))


def _elsewhere(text: str, criterion: Criterion, notes: list, percent: bool, what: str) -> CheckedCriterion:
    if percent:
        raise CriterionError(f"'{text}': {criterion.metric} is an amount, not a share; write it without %.")
    problem = _range_error(text, criterion, 0.0, math.inf, percent)
    if problem:
        raise CriterionError(problem)
    return CheckedCriterion(criterion, False, (*notes, f"Valid; not measured by the baselines: {what}."))
