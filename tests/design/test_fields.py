"""Unit tests for design/criteria.py (success criteria) and design/fields.py (typed fields)."""
from __future__ import annotations

import pytest

from design.criteria import Criterion, CriterionError, format_number, parse_criterion, read_number
from design.fields import (
    CHOICE,
    CRITERIA,
    LIST,
    MAX_ITEM_CHARS,
    MAX_ITEMS,
    MAX_TEXT_CHARS,
    MULTI_CHOICE,
    NUMBER,
    TEXT,
    Field,
    FieldError,
    as_text,
    check_value,
    is_answered,
)

# --- criteria: parsing ------------------------------------------------------------------------


def test_parse_simple_criterion():
    c = parse_criterion("recall >= 0.80")
    assert (c.metric, c.op, c.threshold) == ("recall", ">=", 0.8)
    assert str(c) == "recall >= 0.8"


def test_parse_metric_with_spaces_and_underscores():
    c = parse_criterion("p95 latency_ms <= 200")
    assert (c.metric, c.op, c.threshold) == ("p95 latency_ms", "<=", 200)
    assert str(c) == "p95 latency_ms <= 200"


def test_metric_is_normalised_to_lower_case_single_spaces():
    c = parse_criterion("  ROC   AUC>=0.9  ")
    assert (c.metric, c.op, c.threshold) == ("roc auc", ">=", 0.9)


@pytest.mark.parametrize(
    ("text", "threshold"),
    [("recall >= 80%", 0.8), ("recall >= 80 %", 0.8), ("recall >= 0,8", 0.8), ("recall >= 95.5%", 0.955)],
)
def test_percent_and_decimal_comma(text, threshold):
    assert parse_criterion(text).threshold == pytest.approx(threshold)


def test_percent_is_exactly_point_eight():
    assert parse_criterion("recall >= 80%").threshold == 0.8


@pytest.mark.parametrize(("written", "op"), [(">=", ">="), ("<=", "<="), (">", ">"), ("<", "<"), ("==", "=="),
                                             ("=", "==")])
def test_operators(written, op):
    assert parse_criterion(f"f1 {written} 0.5").op == op


def test_threshold_not_a_number_says_so_with_an_example():
    with pytest.raises(CriterionError) as info:
        parse_criterion("recall >= abc")
    message = str(info.value)
    assert "not a number" in message
    assert "'recall >= abc'" in message
    assert "recall >= 0.80" in message


@pytest.mark.parametrize("text", ["recall", "", ">= 0.8", "0.8 >= recall", "recall 0.8"])
def test_not_a_criterion(text):
    with pytest.raises(CriterionError, match="not a criterion"):
        parse_criterion(text)


def test_none_is_not_a_criterion():
    with pytest.raises(CriterionError, match="not a criterion"):
        parse_criterion(None)


@pytest.mark.parametrize("text", ["recall >= nan", "recall >= inf"])
def test_threshold_must_be_finite(text):
    with pytest.raises(CriterionError, match="finite"):
        parse_criterion(text)


def test_str_round_trips_without_losing_precision():
    for text in ["recall >= 0.9999999", "p95 latency_ms <= 1234567", "log loss <= 0.0001", "r2 > -0.5"]:
        c = parse_criterion(text)
        assert parse_criterion(str(c)) == c
    assert str(parse_criterion("recall >= 0.9999999")) == "recall >= 0.9999999"
    assert str(parse_criterion("p95 latency_ms <= 1234567")) == "p95 latency_ms <= 1234567"


def test_thousands_separators():
    assert parse_criterion("rows >= 1,000,000").threshold == 1_000_000
    assert parse_criterion("p95 latency_ms <= 1,234.5").threshold == 1234.5
    with pytest.raises(CriterionError, match="ambiguous"):
        parse_criterion("p95 latency_ms <= 1,000")


# --- criteria: is_met -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value", "met"),
    [
        ("recall >= 0.8", 0.8, True),
        ("recall >= 0.8", 0.81, True),
        ("recall >= 0.8", 0.79, False),
        ("recall > 0.8", 0.8, False),
        ("recall > 0.8", 0.8000001, True),
        ("p95 latency_ms <= 200", 200, True),
        ("p95 latency_ms <= 200", 200.5, False),
        ("p95 latency_ms < 200", 199, True),
        ("p95 latency_ms < 200", 200, False),
        ("accuracy == 0.3", 0.1 + 0.2, True),
        ("accuracy == 0.3", 0.31, False),
    ],
)
def test_is_met(text, value, met):
    assert parse_criterion(text).is_met(value) is met


@pytest.mark.parametrize("value", [None, float("nan")])
def test_missing_measurement_is_not_met(value):
    assert Criterion("recall", "<=", 1.0).is_met(value) is False


# --- numbers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "number"),
    [("0.8", 0.8), (" 0,8 ", 0.8), ("0,800", 0.8), ("1,5", 1.5), ("12", 12.0), ("-3", -3.0),
     ("1e-3", 0.001), ("1,000,000", 1e6), ("1,234.5", 1234.5)],
)
def test_read_number(text, number):
    assert read_number(text) == number


@pytest.mark.parametrize(("text", "message"), [("abc", "not a number"), ("1,000", "ambiguous"),
                                               ("1.2.3", "not a number")])
def test_read_number_errors(text, message):
    with pytest.raises(ValueError, match=message):
        read_number(text)


@pytest.mark.parametrize(("number", "text"), [(0.8, "0.8"), (200.0, "200"), (200, "200"), (0.9999999, "0.9999999"),
                                              (1234567.0, "1234567")])
def test_format_number(number, text):
    assert format_number(number) == text
    assert float(text) == number


# --- fields: definition -----------------------------------------------------------------------


def test_field_rejects_unknown_kind():
    with pytest.raises(ValueError, match="kind"):
        Field("x", "X", "essay", "What?")


def test_choice_field_needs_options():
    with pytest.raises(ValueError, match="needs options"):
        Field("x", "X", CHOICE, "Which?")
    with pytest.raises(ValueError, match="needs options"):
        Field("x", "X", MULTI_CHOICE, "Which?")


# --- fields: check_value per kind -------------------------------------------------------------

TEXT_F = Field("objective", "Business objective", TEXT, "What?")
CHOICE_F = Field("mode", "Prediction mode", CHOICE, "Which?", options=("online (real time)", "batch", "both"))
MULTI_F = Field("tests", "Testing in production", MULTI_CHOICE, "Which?", options=("shadow", "A/B test", "canary"))
NUMBER_F = Field("budget", "Latency budget", NUMBER, "How long?", unit="ms", min_value=0, max_value=10_000)
UNIT_F = Field("threshold", "Decision threshold", NUMBER, "Where?", min_value=0, max_value=1)
LIST_F = Field("sources", "Data sources", LIST, "Where from?")
CRITERIA_F = Field("criteria", "Success criteria", CRITERIA, "Which bar?")


def test_text():
    assert check_value(TEXT_F, "  Cut churn by 5 %.\n") == "Cut churn by 5 %."
    assert check_value(TEXT_F, "") is None
    assert check_value(TEXT_F, None) is None
    assert check_value(TEXT_F, "   ") is None
    assert check_value(TEXT_F, "x" * MAX_TEXT_CHARS) == "x" * MAX_TEXT_CHARS


def test_text_too_long_names_the_field():
    with pytest.raises(FieldError) as info:
        check_value(TEXT_F, "x" * (MAX_TEXT_CHARS + 1))
    message = str(info.value)
    assert "'Business objective'" in message
    assert f"{MAX_TEXT_CHARS:,}" in message


def test_choice():
    assert check_value(CHOICE_F, "batch") == "batch"
    assert check_value(CHOICE_F, None) is None
    assert check_value(CHOICE_F, "") is None


def test_choice_not_in_options_names_the_field_and_the_choices():
    with pytest.raises(FieldError) as info:
        check_value(CHOICE_F, "streaming")
    message = str(info.value)
    assert "'Prediction mode'" in message
    assert "'streaming'" in message
    assert "online (real time), batch, both" in message


def test_multi_choice_keeps_option_order_and_drops_duplicates():
    assert check_value(MULTI_F, ["canary", "shadow", "canary"]) == ["shadow", "canary"]
    assert check_value(MULTI_F, []) is None
    assert check_value(MULTI_F, None) is None


def test_multi_choice_single_string_is_one_choice():
    assert check_value(MULTI_F, "shadow") == ["shadow"]
    assert check_value(MULTI_F, "") is None
    with pytest.raises(FieldError, match="'bandits'"):
        check_value(MULTI_F, "bandits")


def test_multi_choice_unknown_names_the_field():
    with pytest.raises(FieldError) as info:
        check_value(MULTI_F, ["shadow", "bandits"])
    assert "'Testing in production'" in str(info.value)
    assert "'bandits'" in str(info.value)


@pytest.mark.parametrize(
    ("raw", "value"),
    [("300", 300), (300, 300), (300.0, 300), ("250.5", 250.5), ("250,5", 250.5), (" 12 ", 12),
     ("9,999.5", 9999.5), (None, None), ("", None), ("  ", None)],
)
def test_number(raw, value):
    result = check_value(NUMBER_F, raw)
    assert result == value
    assert type(result) is type(value)


def test_number_integer_value_is_stored_as_int_and_fraction_as_float():
    assert isinstance(check_value(NUMBER_F, "300"), int)
    assert isinstance(check_value(UNIT_F, "0.2"), float)
    assert check_value(UNIT_F, 1) == 1
    assert check_value(UNIT_F, 0) == 0


def test_number_below_min_names_the_field():
    with pytest.raises(FieldError) as info:
        check_value(NUMBER_F, "-5")
    message = str(info.value)
    assert "'Latency budget'" in message
    assert "at least 0" in message


def test_number_above_max_names_the_field():
    with pytest.raises(FieldError) as info:
        check_value(UNIT_F, 1.5)
    assert "'Decision threshold'" in str(info.value)
    assert "at most 1" in str(info.value)


@pytest.mark.parametrize(("raw", "message"), [("fast", "not a number"), ("1,000", "ambiguous"), ("inf", "finite"),
                                              (float("nan"), "finite")])
def test_number_errors_name_the_field(raw, message):
    with pytest.raises(FieldError) as info:
        check_value(NUMBER_F, raw)
    assert "'Latency budget'" in str(info.value)
    assert message in str(info.value)


def test_list_from_text_or_list():
    assert check_value(LIST_F, "LIS\n\n  image station  \n") == ["LIS", "image station"]
    assert check_value(LIST_F, ["LIS", " ", "image station"]) == ["LIS", "image station"]
    assert check_value(LIST_F, "") is None
    assert check_value(LIST_F, None) is None


def test_list_limits_name_the_field_and_line():
    with pytest.raises(FieldError) as info:
        check_value(LIST_F, ["ok", "x" * (MAX_ITEM_CHARS + 1)])
    assert "'Data sources', line 2" in str(info.value)
    with pytest.raises(FieldError) as info:
        check_value(LIST_F, [f"item {i}" for i in range(MAX_ITEMS + 1)])
    assert "'Data sources'" in str(info.value)
    assert str(MAX_ITEMS) in str(info.value)


def test_criteria_are_normalised():
    raw = "Recall >= 0.80\n\nP95  Latency_ms<=200\nroc auc >= 97%"
    assert check_value(CRITERIA_F, raw) == ["recall >= 0.8", "p95 latency_ms <= 200", "roc auc >= 0.97"]
    assert check_value(CRITERIA_F, "") is None


def test_criteria_check_is_idempotent():
    once = check_value(CRITERIA_F, ["recall >= 0.9999999", "p95 latency_ms <= 1234567", "f1 > 80%"])
    assert check_value(CRITERIA_F, once) == once
    assert once == ["recall >= 0.9999999", "p95 latency_ms <= 1234567", "f1 > 0.8"]


def test_criteria_bad_line_names_the_field_and_line_number():
    with pytest.raises(FieldError) as info:
        check_value(CRITERIA_F, "recall >= 0.8\nroc auc >= 0.9\nprecision >= lots")
    message = str(info.value)
    assert message.startswith("'Success criteria', line 3:")
    assert "not a number" in message
    assert "precision >= 0.80" in message


def test_criteria_line_that_is_not_a_criterion():
    with pytest.raises(FieldError, match=r"'Success criteria', line 1: 'good recall' is not a criterion"):
        check_value(CRITERIA_F, ["good recall"])


# --- fields: is_answered and as_text ----------------------------------------------------------


@pytest.mark.parametrize(("value", "answered"), [(None, False), ("", False), ([], False), ("x", True), (["x"], True),
                                                 (0, True)])
def test_is_answered(value, answered):
    assert is_answered(TEXT_F, value) is answered


def test_as_text():
    assert as_text(TEXT_F, None) == ""
    assert as_text(LIST_F, ["a", "b"]) == "a\nb"
    assert as_text(NUMBER_F, 300) == "300 ms"
    assert as_text(UNIT_F, 0.2) == "0.2"
    assert as_text(Field("rows", "Rows", NUMBER, "How many?"), 1234567) == "1234567"
    assert as_text(CHOICE_F, "batch") == "batch"


@pytest.mark.parametrize("value", [0.2, 300, 1234567, 0.9999999, 1e-7])
def test_number_survives_a_trip_through_the_form_text(value):
    field = Field("n", "N", NUMBER, "How many?")
    assert check_value(field, as_text(field, value)) == value
