"""Profiling: statistics against hand-computed values, alerts, target views, sampling and serialisation."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats as scipy_stats

from analysis.correlations import cramers_v
from analysis.errors import TargetError
from analysis.profile.column_stats import describe_column
from analysis.profile.describe import MIN_CLASS_ROWS, Profile, describe_dataset
from analysis.reading.read import infer_column_types
from analysis.target import check_target


def profile_of(frame: pd.DataFrame, **options) -> Profile:
    return describe_dataset(frame, infer_column_types(frame), **options)


# --- column statistics --------------------------------------------------------------------------------------------

def test_numeric_statistics_match_hand_computed_values():
    stats = describe_column(pd.Series([1.0, 2.0, 3.0, 4.0, np.nan, 0.0, 0.0], name="x"), "numeric")
    assert (stats.count, stats.missing, stats.distinct, stats.zeros, stats.infinite) == (6, 1, 5, 2, 0)
    assert (stats.min, stats.max, stats.mean) == (0.0, 4.0, 10 / 6)
    assert stats.std == pytest.approx(np.std([1, 2, 3, 4, 0, 0], ddof=1))
    assert stats.skew == pytest.approx(pd.Series([1, 2, 3, 4, 0, 0]).skew())
    assert stats.quantiles["p50"] == 1.5 and stats.quantiles["p25"] == 0.25
    assert stats.top[0].value == "0" and stats.top[0].count == 2
    assert stats.missing_share == pytest.approx(1 / 7)


def test_infinities_are_counted_apart_from_the_finite_values():
    stats = describe_column(pd.Series([1.0, np.inf, -np.inf, 2.0, np.inf], name="x"), "numeric")
    assert (stats.count, stats.infinite, stats.distinct) == (5, 3, 4)
    assert (stats.min, stats.max, stats.mean) == (1.0, 2.0, 1.5)


def test_whole_numbers_get_one_bin_per_value():
    stats = describe_column(pd.Series([1, 2, 2, 3, 3, 3, 5], name="rating"), "numeric")
    assert stats.histogram.edges == (0.5, 1.5, 2.5, 3.5, 4.5, 5.5)
    assert stats.histogram.counts == (1, 2, 3, 0, 1)


def test_histogram_counts_every_finite_value_once():
    values = pd.Series(np.random.default_rng(0).normal(size=1_000), name="x")
    histogram = describe_column(values, "numeric").histogram
    assert sum(histogram.counts) == 1_000 and len(histogram.edges) == 31
    assert histogram.counts == tuple(np.histogram(values, bins=np.array(histogram.edges))[0])


def test_dates_get_min_max_and_rows_per_period():
    when = pd.Series(pd.to_datetime(["2024-01-05", "2024-01-20", "2024-06-01", None]), name="when")
    stats = describe_column(when, "datetime")
    assert (stats.count, stats.missing, stats.distinct) == (3, 1, 3)
    assert (stats.min, stats.max) == ("2024-01-05T00:00:00", "2024-06-01T00:00:00")
    assert stats.histogram.period == "week"
    assert sum(stats.histogram.counts) == 3 and stats.histogram.edges[0] == "2024-01-01T00:00:00"   # a Monday


def test_categorical_counts_and_mixed_numbers():
    series = pd.Series(["1", "2", "2", "?", None, "3"], name="size", dtype="category")
    stats = describe_column(series, "categorical")
    assert (stats.count, stats.missing, stats.distinct) == (5, 1, 4)
    assert stats.top[0].value == "2" and stats.top[0].count == 2
    assert stats.numeric_share == pytest.approx(4 / 5) and stats.text_examples == ("?",)


# --- overview, missing values, correlations -----------------------------------------------------------------------

def test_overview_counts_duplicates_and_missing_cells():
    frame = pd.DataFrame({"a": [1, 1, 2, 1], "b": ["x", "x", None, "x"], "c": [0.5, 0.5, np.nan, 0.5]})
    overview = profile_of(frame).overview
    assert (overview.rows, overview.columns, overview.duplicate_rows, overview.missing_cells) == (4, 3, 2, 2)
    assert overview.missing_share == pytest.approx(2 / 12)


def test_missing_pattern_lists_columns_missing_together():
    frame = pd.DataFrame({"a": [np.nan, np.nan, 1, 2, np.nan], "b": [np.nan, np.nan, 1, np.nan, 3],
                          "c": [1, 2, 3, 4, 5]})
    missing = profile_of(frame).missing
    assert missing.shares == {"a": 0.6, "b": 0.6}
    assert missing.rows_with_missing == 4
    first = missing.patterns[0]
    assert (first.columns, first.rows, first.share) == (("a", "b"), 2, 0.4)
    assert {p.columns for p in missing.patterns} == {("a", "b"), ("a",), ("b",)}


def test_pearson_and_spearman_match_numpy_and_scipy():
    rng = np.random.default_rng(1)
    x = rng.normal(size=300)
    frame = pd.DataFrame({"x": x, "y": x**3 + rng.normal(size=300), "z": rng.normal(size=300)})
    correlations = profile_of(frame).correlations
    assert np.allclose(correlations.pearson.to_frame().to_numpy(), np.corrcoef(frame.to_numpy().T))
    assert np.allclose(correlations.spearman.to_frame().to_numpy(), scipy_stats.spearmanr(frame).statistic)


def test_cramers_v_is_one_for_a_perfect_association_and_zero_for_none():
    assert cramers_v(np.array([0, 1, 2] * 10), np.array([2, 0, 1] * 10)) == pytest.approx(1.0)
    assert cramers_v(np.array([0, 0, 1, 1] * 10), np.array([0, 1, 0, 1] * 10)) == pytest.approx(0.0)
    assert cramers_v(np.array([0, -1, 1] * 10), np.array([-1, 0, 0] * 10)) is None       # no pair with two classes
    frame = pd.DataFrame({"colour": list("rgb") * 12, "code": list("RGB") * 12, "size": list("SSMMLL") * 6})
    v = profile_of(frame).correlations.cramers_v.to_frame()
    assert v.loc["colour", "code"] == pytest.approx(1.0)


def test_cramers_v_needs_30_complete_pairs():
    x, y = np.array([0, 1, 2] * 9 + [0, 1]), np.array([2, 0, 1] * 9 + [2, 0])     # 29 pairs, a perfect match
    assert cramers_v(x, y) is None
    assert cramers_v(np.r_[x, 2], np.r_[y, 1]) == pytest.approx(1.0)


def test_cramers_v_is_bias_corrected_near_zero_for_independent_columns():
    rng = np.random.default_rng(0)
    values = [cramers_v(rng.integers(0, 10, 100), rng.integers(0, 10, 100)) for _ in range(50)]
    assert np.mean(values) < 0.1      # the plain V averages about 0.30 here (Bergsma 2013)


def test_a_column_with_4_filled_rows_raises_no_association_alert():
    rng = np.random.default_rng(5)
    rows = 300
    mostly_empty = np.full(rows, None, dtype=object)
    mostly_empty[:4] = ["p", "q", "p", "q"]
    frame = pd.DataFrame({
        "sparse": mostly_empty,
        "colour": rng.choice(["red", "green", "blue"], rows),
        "shape": rng.choice(["round", "square"], rows),
        "size": rng.choice(["S", "M", "L"], rows),
        "x": rng.normal(size=rows),
        "sparse_number": np.r_[rng.normal(size=4), np.full(rows - 4, np.nan)],
    })
    profile = profile_of(frame)
    assert profile.correlations.cramers_v.to_frame().loc["sparse"].drop("sparse").isna().all()
    assert np.isnan(profile.correlations.pearson.to_frame().loc["sparse_number", "x"])
    associations = [a for a in profile.alerts if a.kind == "high_correlation"]
    assert associations == [], associations
    missing = next(a for a in profile.alerts if a.column == "sparse" and a.kind == "high_missing")
    assert "only 4 rows have one" in missing.reason and "left out of the default baseline features" in missing.reason


# --- alerts ---------------------------------------------------------------------------------------------------------

def alert_frame(rows: int = 400) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    honest = rng.normal(10, 2, rows)
    infinite = rng.normal(size=rows)
    infinite[:3] = np.inf
    return pd.DataFrame({
        "honest": honest,
        "constant": ["x"] * rows,
        "near_constant": ["a"] * (rows - 4) + ["b"] * 4,
        "high_missing": np.where(rng.random(rows) < 0.5, np.nan, rng.normal(size=rows)),
        "many_levels": pd.Categorical([f"level_{i % 60}" for i in range(rows)]),
        "user_id": np.arange(1, rows + 1),
        "twice_honest": 2 * honest + 1,
        "skewed": rng.lognormal(0, 1.5, rows),
        "zeros": np.where(rng.random(rows) < 0.7, 0.0, rng.normal(5, 1, rows)),
        "infinite": infinite,
        "mixed": [str(i % 7) if i % 10 else "?" for i in range(rows)],
    })


@pytest.mark.parametrize(
    "column, kind",
    [
        ("constant", "constant"), ("near_constant", "near_constant"), ("high_missing", "high_missing"),
        ("many_levels", "high_cardinality"), ("user_id", "unique"), ("honest", "high_correlation"),
        ("skewed", "skewed"), ("zeros", "zeros"), ("infinite", "infinite"), ("mixed", "mixed_types"),
    ],
)
def test_alert_fires_on_the_column_built_for_it(column, kind):
    alerts = profile_of(alert_frame()).alerts
    assert any(a.column == column and a.kind == kind and a.reason for a in alerts), \
        [a for a in alerts if a.column == column]


def test_honest_column_gets_no_alert_but_its_correlated_twin():
    frame = alert_frame().drop(columns="twice_honest")
    assert [a for a in profile_of(frame).alerts if a.column == "honest"] == []


def test_duplicate_rows_and_a_rare_class_raise_dataset_alerts():
    frame = pd.DataFrame({"x": [1, 1] + list(range(2, 100)), "label": ["rare"] * 2 + ["common"] * 98})
    alerts = {a.kind: a for a in profile_of(frame, target="label").alerts}
    assert alerts["duplicates"].column is None and "1 rows (1.0%)" in alerts["duplicates"].reason
    assert alerts["imbalance"].column == "label" and "Class 'rare' is 2.0% of the rows" in alerts["imbalance"].reason
    assert "predicting 'common' for every row already scores accuracy 0.980" in alerts["imbalance"].reason


# --- target ---------------------------------------------------------------------------------------------------------

def target_frame(rows: int = 600) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    label = rng.choice(["a", "b", "c"], rows, p=[0.6, 0.37, 0.03])
    return pd.DataFrame({
        "amount": np.where(label == "a", rng.normal(0, 1, rows), rng.normal(5, 1, rows)),
        "colour": rng.choice(["red", "blue"], rows),
        "churned": (label != "a").astype(int),
        "label": label,
        "price": rng.normal(100, 10, rows),
    })


def test_binary_target_gets_class_balance_and_features_by_class():
    frame = target_frame()
    view = profile_of(frame, target="churned").target
    assert view.task == "binary"
    balance = view.balance
    assert balance.labels == ("0", "1")
    assert balance.counts == tuple(frame["churned"].value_counts().sort_index())
    assert sum(balance.shares) == pytest.approx(1.0) and balance.rare == () and balance.warning is None
    amount = next(v for v in view.by_class if v.feature == "amount")
    assert amount.kind == "numeric" and [sum(c) for c in amount.counts] == list(balance.counts)
    assert amount.quartiles[0][1] < 1 < 4 < amount.quartiles[1][1]         # medians near 0 and 5
    colour = next(v for v in view.by_class if v.feature == "colour")
    assert colour.kind == "categorical" and set(colour.bins) == {"red", "blue"}


def test_multiclass_target_warns_about_its_rare_class():
    frame = target_frame()
    balance = profile_of(frame, target="label").target.balance
    counts = frame["label"].value_counts()
    assert balance.labels == tuple(counts.index) and balance.counts == tuple(counts)
    assert balance.rare == ("c",) and "Class 'c'" in balance.warning
    assert balance.imbalance_ratio == pytest.approx(counts.iloc[0] / counts.iloc[-1])


def test_numeric_target_gets_histogram_and_correlations():
    frame = target_frame()
    frame["price"] = 3 * frame["amount"] + 1
    view = profile_of(frame, target="price").target
    assert view.task == "regression" and view.balance is None and view.by_class == ()
    assert sum(view.histogram.counts) == len(frame)
    assert view.pearson["amount"] == pytest.approx(1.0) and view.spearman["amount"] == pytest.approx(1.0)


@pytest.mark.parametrize(
    "frame, target, message",
    [
        (pd.DataFrame({"a": [1, 2], "b": [3, 4]}), "c", "Column 'c' is not in this dataset; choose one of a, b."),
        (pd.DataFrame({"a": [np.nan, np.nan], "b": [1, 2]}), "a", "has no values"),
        (pd.DataFrame({"a": ["yes", "yes", None], "b": [1, 2, 3]}), "a",
         "has 1 class ('yes'); a model needs at least 2"),
        (pd.DataFrame({"a": pd.to_datetime(["2024-01-01", "2024-01-02"]), "b": [1, 2]}), "a", "holds dates"),
        (pd.DataFrame({"id": range(50), "b": [1, 2] * 25}), "id", "looks like an identifier"),
    ],
)
def test_check_target_says_why_a_column_cannot_be_the_target(frame, target, message):
    with pytest.raises(TargetError, match=message.replace("(", r"\(").replace(")", r"\)")):
        check_target(frame, target)


def test_check_target_names_the_task():
    frame = target_frame()
    assert [check_target(frame, c) for c in ("churned", "label", "price")] == ["binary", "multiclass", "regression"]
    assert check_target(pd.DataFrame({"stars": [1, 2, 3, 4, 5] * 4}), "stars") == "multiclass"


# --- sampling -------------------------------------------------------------------------------------------------------

def test_sampling_above_the_limit_keeps_exact_counts():
    rng = np.random.default_rng(5)
    rows = 5_000
    frame = pd.DataFrame({"x": rng.normal(size=rows), "y": rng.normal(size=rows), "g": rng.choice(list("abc"), rows)})
    frame.loc[::10, "x"] = np.nan
    frame.loc[4_321, "y"] = 1e6
    frame = pd.concat([frame, frame.iloc[:7]], ignore_index=True)
    profile = profile_of(frame, sample_rows=1_000, random_state=3)
    assert (profile.sampled, profile.sample_rows, profile.sample_method, profile.seed) == (True, 1_000, "uniform", 3)
    assert profile.overview.rows == rows + 7 and profile.overview.duplicate_rows == 7
    assert profile.column("x").missing == 501 and profile.missing.shares["x"] == 501 / (rows + 7)
    assert profile.column("y").max == 1e6 and profile.column("y").count == rows + 7
    assert sum(p.rows for p in profile.missing.patterns) <= 1_000


def test_stratified_sample_keeps_rare_classes():
    rows = 20_000
    frame = pd.DataFrame({"x": np.random.default_rng(0).normal(size=rows),
                          "label": ["rare"] * 300 + ["common"] * (rows - 300)})
    profile = profile_of(frame, target="label", sample_rows=2_000)
    assert profile.sample_method == "stratified"
    by_class = profile.target.by_class[0]
    assert dict(zip(by_class.classes, map(sum, by_class.counts), strict=True)) == {"common": 1_970, "rare": 300}
    assert profile.target.balance.counts == (rows - 300, 300)                    # exact, not sampled
    assert MIN_CLASS_ROWS > 300


def test_small_frames_are_not_sampled():
    profile = profile_of(pd.DataFrame({"x": [1, 2, 3]}))
    assert (profile.sampled, profile.sample_rows, profile.sample_method) == (False, 3, "all")


# --- serialisation and input checks ---------------------------------------------------------------------------------

def test_profile_round_trips_through_json():
    frame = target_frame()
    frame["when"] = pd.date_range("2024-01-01", periods=len(frame), freq="h")
    profile = profile_of(frame, target="label")
    stored = json.dumps(profile.to_dict(), allow_nan=False)
    again = Profile.from_dict(json.loads(stored))
    assert again == profile
    assert again.column("when").histogram.period == "day"


def test_from_dict_refuses_another_format():
    data = profile_of(pd.DataFrame({"x": [1, 2]})).to_dict()
    data["format"] = 99
    with pytest.raises(ValueError, match="format 99"):
        Profile.from_dict(data)


@pytest.mark.parametrize(
    "frame, options, message",
    [
        (pd.DataFrame(), {}, "0 rows and 0 columns"),
        (pd.DataFrame({"x": [1]}), {"sample_rows": 0}, "sample_rows == 0, must be an integer >= 1"),
        (pd.DataFrame({"x": [1]}), {"column_types": {}}, "column_types has no type for x"),
        (pd.DataFrame({"x": [1]}), {"column_types": {"x": "number"}}, "Unknown column types"),
    ],
)
def test_describe_dataset_checks_its_inputs(frame, options, message):
    with pytest.raises(ValueError, match=message):
        describe_dataset(frame, **options)


def test_profile_column_lookup_names_the_columns():
    profile = profile_of(pd.DataFrame({"x": [1, 2]}))
    with pytest.raises(KeyError, match="No column 'y' in this profile; it has x"):
        profile.column("y")


def test_column_labels_that_are_not_text_are_profiled_as_text():
    frame = pd.DataFrame({0: [1.0, np.nan, 3.0], 1: ["a", "b", "a"]})
    profile = describe_dataset(frame)
    assert [s.name for s in profile.columns] == ["0", "1"] and profile.missing.shares == {"0": 1 / 3}
    assert list(frame.columns) == [0, 1]                                         # the caller's frame is untouched


def test_top_values_and_moments_are_exact_on_long_columns():
    counts = np.arange(1, 51) * 50                                                 # value k appears 50 * (k + 1) times
    values = pd.Series(np.concatenate([np.full(70_000, 7.0), np.repeat(np.arange(50.0), counts)]), name="x")
    stats = describe_column(values.sample(frac=1, random_state=0), "numeric")        # runs cross chunk borders
    expected = values.value_counts().head(10)
    assert [(t.value, t.count) for t in stats.top] == [(str(int(v)), int(c)) for v, c in expected.items()]
    assert stats.std == pytest.approx(values.std()) and stats.skew == pytest.approx(values.skew())
    assert stats.quantiles["p95"] == pytest.approx(values.quantile(0.95))
