"""design/criteria.check_criterion: criteria checked against the metrics Blueprint knows, with suggestions for
misspelled names, range checks, percentages and units; and the form field that uses it."""
from __future__ import annotations

import pytest

from design.criteria import CriterionError, check_criterion, known_metric_names
from design.fields import CRITERIA, Field, FieldError, check_value

FIELD = Field("success_criteria", "Success criteria", CRITERIA, "Which bars?")


@pytest.mark.parametrize(("typed", "suggested"), [
    ("recal >= 0.8", "recall >= 0.8"),
    ("precison >= 0.5", "precision >= 0.5"),
    ("roc acu >= 0.9", "roc auc >= 0.9"),
    ("specifity >= 0.9", "specificity >= 0.9"),
    ("p95 latncy_ms <= 300", "p95 latency_ms <= 300"),
])
def test_a_misspelled_metric_is_refused_with_did_you_mean(typed, suggested):
    with pytest.raises(CriterionError) as info:
        check_criterion(typed)
    name = suggested.split(" >=")[0].split(" <=")[0]
    assert f"Did you mean {name}? Write '{suggested}'." in str(info.value)
    assert f"'{typed}'" in str(info.value)


@pytest.mark.parametrize("text", ["recall >= 1.5", "roc auc >= 2", "specificity >= -0.1", "fpr <= 1.2", "f1 > 150%"])
def test_a_share_outside_zero_to_one_is_impossible(text):
    with pytest.raises(CriterionError, match=r"is a share between 0 and 1, so .* is impossible\..* Write a number "
                                             r"between 0 and 1, such as .*, or a percentage"):
        check_criterion(text)


def test_a_whole_number_for_a_share_suggests_the_percentage():
    with pytest.raises(CriterionError, match=r"Did you mean 80% \('recall >= 0\.8'\)\?"):
        check_criterion("recall >= 80")


def test_a_bar_a_share_can_never_pass_is_refused():
    with pytest.raises(CriterionError, match="can never be > 1"):
        check_criterion("recall > 1")


@pytest.mark.parametrize(("text", "message"), [("rmse <= -1", "rmse cannot be negative"),
                                               ("r2 >= 1.2", "r2 is at most 1, so 1.2 is impossible"),
                                               ("log loss <= -0.2", "log loss cannot be negative")])
def test_errors_and_r2_have_their_own_ranges(text, message):
    with pytest.raises(CriterionError, match=message):
        check_criterion(text)


def test_regression_metrics_in_range_are_measured():
    assert check_criterion("r2 >= -0.5").measured and check_criterion("rmse <= 12.5").measured
    assert str(check_criterion("mape <= 10%").criterion) == "mape <= 0.1"


def test_a_percentage_is_read_as_a_share_with_a_note():
    checked = check_criterion("recall >= 80 %")
    assert str(checked.criterion) == "recall >= 0.8" and checked.measured
    assert checked.notes == ("80% read as 0.8.",)


@pytest.mark.parametrize("text", ["recall >= 0.8", "Sensitivity >= 0.9", "AUC >= 0.85", "fpr <= 0.05",
                                  "brier score <= 0.05", "balanced accuracy >= 0.7", "f1-score > 0.6"])
def test_metrics_the_baselines_measure(text):
    checked = check_criterion(text)
    assert checked.measured and checked.notes == ()


def test_latency_with_its_unit_is_valid_and_not_measured_by_baselines():
    checked = check_criterion("p95 latency_ms <= 300")
    assert str(checked.criterion) == "p95 latency_ms <= 300" and not checked.measured
    assert "not measured by the baselines" in checked.notes[-1] and "load test" in checked.notes[-1]


def test_a_unit_after_the_number_or_a_currency_before_it_moves_into_the_name():
    latency = check_criterion("p95 latency <= 300 ms")
    assert str(latency.criterion) == "p95 latency_ms <= 300" and latency.notes[0] == "Read as 'p95 latency_ms <= 300'."
    assert str(check_criterion("p99 latency <= 0.2 s").criterion) == "p99 latency_s <= 0.2"
    cost = check_criterion("cost per 1000 predictions <= $0.50")
    assert str(cost.criterion) == "cost per 1000 predictions_usd <= 0.5" and not cost.measured
    assert "bills" in cost.notes[-1]


@pytest.mark.parametrize(("text", "message"), [("latency <= 300", "a latency needs its unit"),
                                               ("response time <= 2", "a latency needs its unit"),
                                               ("monthly cost <= 500", "a cost needs its currency"),
                                               ("p95 latency_ms <= 30%", "an amount, not a share"),
                                               ("p95 latency_ms <= -5", "cannot be negative")])
def test_latency_and_cost_need_units_and_sensible_bars(text, message):
    with pytest.raises(CriterionError, match=message):
        check_criterion(text)


@pytest.mark.parametrize("text", ["ndcg@10 >= 0.3", "recall@100 >= 0.5", "ctr >= 0.02", "uptime >= 0.999"])
def test_ranking_and_online_metrics_are_valid_shares_not_measured_here(text):
    checked = check_criterion(text)
    assert not checked.measured and "not measured by the baselines" in checked.notes[-1]


def test_ranking_shares_are_range_checked_too():
    with pytest.raises(CriterionError, match="share between 0 and 1"):
        check_criterion("ndcg@10 >= 3")


def test_a_metric_of_the_teams_own_is_kept_with_a_note():
    checked = check_criterion("weekly active reviewers >= 40")
    assert not checked.measured and "not a metric Blueprint measures" in checked.notes[0]


def test_rendered_signs_are_read_as_operators():
    assert str(check_criterion("recall ≥ 0.8").criterion) == "recall >= 0.8"
    assert str(check_criterion("p95 latency_ms ≤ 300").criterion) == "p95 latency_ms <= 300"


def test_known_names_include_the_baselines_metrics_and_aliases():
    names = known_metric_names()
    for name in ("recall", "roc auc", "sensitivity", "fpr", "rmse", "ndcg", "p95 latency_ms"):
        assert name in names


def test_the_form_refuses_a_misspelled_or_impossible_criterion_naming_the_line():
    with pytest.raises(FieldError, match=r"'Success criteria', line 2: 'recal >= 0.8': .*Did you mean recall\?"):
        check_value(FIELD, "roc auc >= 0.9\nrecal >= 0.8")
    with pytest.raises(FieldError, match=r"line 1: 'recall >= 1.5': recall is a share between 0 and 1"):
        check_value(FIELD, "recall >= 1.5")


def test_the_form_stores_criteria_as_read_and_keeps_template_lines():
    assert check_value(FIELD, "recall >= 80%\np95 latency <= 300 ms\n[template] precision >= 0.50") == [
        "recall >= 0.8", "p95 latency_ms <= 300", "[template] precision >= 0.50"]
