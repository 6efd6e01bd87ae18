"""Criteria relative to another model on the same rows (``pr auc >= baseline + 0.02``): parsed beside the old
grammar, checked by the form, and judged on the paired interval of the difference (design.criteria, design.checks)."""
from __future__ import annotations

import math

import pytest

from analysis.baselines.metrics import ThresholdGrid
from analysis.intervals import Interval
from design.checks import FAIL, INCONCLUSIVE, NOT_MEASURED, PASS, check_criteria, threshold_passes
from design.criteria import Criterion, CriterionError, check_criterion, parse_criterion
from design.fields import CRITERIA, Field, check_value


@pytest.mark.parametrize(("text", "expected", "written"), [
    ("pr_auc >= baseline + 0.02", Criterion("pr_auc", ">=", 0.02, relative="baseline"), "pr_auc >= baseline + 0.02"),
    ("recall >= dummy", Criterion("recall", ">=", 0.0, relative="dummy"), "recall >= dummy"),
    ("log loss <= Baseline - 2%", Criterion("log loss", "<=", -0.02, relative="baseline"),
     "log loss <= baseline - 0.02"),
    ("PR AUC ≥ baseline+0.05", Criterion("pr auc", ">=", 0.05, relative="baseline"), "pr auc >= baseline + 0.05"),
])
def test_a_bar_relative_to_the_baseline_or_the_dummy_parses_and_reads_back(text, expected, written):
    found = parse_criterion(text)
    assert found == expected and str(found) == written and parse_criterion(written) == found


@pytest.mark.parametrize("text", ["recall >= 0.8", "p95 latency_ms <= 200", "recall[region=north] >= 0.8",
                                  "f1 > 60%"])
def test_fixed_bars_parse_as_before(text):
    found = parse_criterion(text)
    assert found.relative == "" and parse_criterion(str(found)) == found


def test_a_relative_bar_on_a_slice_or_with_a_bad_margin_is_refused_with_what_to_write():
    with pytest.raises(CriterionError, match=r"a bar relative to the baseline is checked on all rows, not on a slice. "
                                             r"Write it without the slice, such as 'recall >= baseline'"):
        parse_criterion("recall[sex=F] >= baseline")
    with pytest.raises(CriterionError, match="the margin 'lots' after baseline is not a number"):
        parse_criterion("recall >= baseline + lots")


def test_the_form_accepts_a_relative_bar_on_a_measured_metric_and_says_how_it_is_checked():
    checked = check_criterion("pr auc >= baseline + 2%")
    assert checked.measured and str(checked.criterion) == "pr auc >= baseline + 0.02"
    assert checked.notes[-1] == ("Checked on a candidate model: its PR AUC minus the best baseline model's on the "
                                 "same rows, with a paired 95 % interval.")
    field = Field("success_criteria", "Success criteria", CRITERIA, "Which bars?")
    assert check_value(field, "pr auc >= baseline + 0.02\nrecall >= 0.8") == ["pr auc >= baseline + 0.02",
                                                                                "recall >= 0.8"]


@pytest.mark.parametrize(("text", "message"), [
    ("p95 latency_ms <= baseline + 20", "needs a metric measured on predictions"),
    ("recall >= baseline + 1.5", "can never differ from the best baseline model's by 1.5"),
])
def test_the_form_refuses_a_relative_bar_it_cannot_check(text, message):
    with pytest.raises(CriterionError, match=message):
        check_criterion(text)


def _difference(value, low, high) -> dict:
    return {"name": "Logistic regression", "rows": 20_000,
            "metrics": {"pr auc": Interval(value, low, high, "bootstrap", 20_000),
                        "specificity": {"value": 0.01, "low": 0.004, "high": 0.02}}}


@pytest.mark.parametrize(("interval", "status"), [((0.031, 0.025, 0.05), PASS), ((0.01, 0.005, 0.015), FAIL),
                                                  ((0.02, 0.01, 0.03), INCONCLUSIVE)])
def test_a_relative_criterion_is_judged_on_the_paired_interval_of_the_difference(interval, status):
    criterion = parse_criterion("pr auc >= baseline + 0.02")
    check = check_criteria([criterion], {}, "gbm v3", "binary", differences={"baseline": _difference(*interval)})[0]
    assert check.status == status and check.value == interval[0]
    assert check.reason.startswith("PR AUC of gbm v3 minus Logistic regression's on the same 20,000 rows: "
                                   f"+{interval[0]:.3f}".rstrip("0"))


def test_a_complement_is_checked_on_the_negated_difference():
    check = check_criteria([parse_criterion("fpr <= baseline")], {}, "gbm v3", "binary",
                           differences={"baseline": _difference(0.03, 0.02, 0.04)})[0]
    assert check.status == PASS and math.isclose(check.value, -0.01) and check.high == pytest.approx(-0.004)


def test_without_a_paired_difference_a_relative_criterion_is_not_measured_never_checked_on_the_metric():
    measured = {"pr auc": Interval(0.9, 0.88, 0.92, "bootstrap", 500)}     # would pass a bar of 0.02
    check = check_criteria([parse_criterion("pr auc >= baseline + 0.02")], measured, "the best run", "binary")[0]
    assert check.status == NOT_MEASURED and "bring the candidate's predictions" in check.reason


def test_the_threshold_explorer_leaves_relative_criteria_out():
    grid = ThresholdGrid((0.5,), (5,), (1,), (10,), (2,), (0.8,), (0.7,), (0.1,), (0.3,))
    found = threshold_passes([parse_criterion("recall >= baseline"), parse_criterion("recall >= 0.5")], grid)
    assert [str(f.criterion) for f in found] == ["recall >= 0.5"]
