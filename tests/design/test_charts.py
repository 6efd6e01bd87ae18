"""Charts: each function turns a piece of a Profile into a figure of the right kind, titled with its column."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.profile.describe import Profile, describe_dataset
from analysis.reading.read import infer_column_types
from components import charts


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    rows = 300
    diagnosis = rng.choice(["benign", "malignant"], rows, p=[0.8, 0.2])
    return pd.DataFrame({
        "mean_radius": np.where(diagnosis == "benign", rng.normal(12, 2, rows), rng.normal(17, 3, rows)),
        "texture": np.where(rng.random(rows) < 0.1, np.nan, rng.normal(19, 4, rows)),
        "clinic": pd.Categorical(rng.choice(["north", "south", "east"], rows)),
        "visited": pd.date_range("2023-01-01", periods=rows, freq="D"),
        "diagnosis": diagnosis,
    })


@pytest.fixture(scope="module")
def profile(frame) -> Profile:
    return describe_dataset(frame, infer_column_types(frame), target="diagnosis")


def test_histogram_of_a_numeric_column(profile):
    figure = charts.histogram_chart(profile.column("mean_radius"))
    assert figure.data[0].type == "bar" and figure.layout.title.text == "Histogram of mean_radius"
    assert sum(figure.data[0].y) == 300


def test_top_values_of_a_categorical_column(profile):
    figure = charts.top_values_chart(profile.column("clinic"))
    assert figure.data[0].type == "bar" and figure.data[0].orientation == "h"
    assert figure.layout.title.text == "Top values of clinic"


def test_datetime_over_time(profile):
    figure = charts.time_chart(profile.column("visited"))
    assert figure.data[0].type == "bar" and figure.layout.title.text == "visited over time (rows per week)"


@pytest.mark.parametrize("column, title", [("mean_radius", "Histogram"), ("visited", "over time"),
                                           ("clinic", "Top values")])
def test_column_chart_picks_the_chart_for_the_type(profile, column, title):
    figure = charts.column_chart(profile.column(column))
    assert title in figure.layout.title.text and column in figure.layout.title.text


def test_missing_values_bar_and_patterns(profile):
    bar = charts.missing_chart(profile.missing)
    assert bar.data[0].type == "bar" and list(bar.data[0].x) == ["texture"]
    assert bar.layout.title.text == "Missing values per column"
    patterns = charts.missing_patterns_chart(profile.missing)
    assert patterns.data[0].type == "heatmap" and "Missing-value patterns" in patterns.layout.title.text


def test_correlation_heatmap(profile):
    figure = charts.correlation_chart(profile.correlations.pearson, "Pearson correlation")
    assert figure.data[0].type == "heatmap" and figure.layout.title.text == "Pearson correlation"
    assert list(figure.data[0].x) == ["mean_radius", "texture"]


def test_class_balance_bar(profile):
    figure = charts.class_balance_chart(profile.target.balance, "diagnosis")
    assert figure.data[0].type == "bar" and figure.layout.title.text == "Class balance of diagnosis"
    assert list(figure.data[0].x) == ["benign", "malignant"]


@pytest.mark.parametrize("feature", ["mean_radius", "clinic"])
def test_feature_distribution_by_class(profile, feature):
    view = next(v for v in profile.target.by_class if v.feature == feature)
    figure = charts.feature_by_class_chart(view, "diagnosis")
    assert [t.type for t in figure.data] == ["bar", "bar"]
    assert figure.layout.title.text == f"{feature} by diagnosis"
    assert [t.name for t in figure.data] == ["diagnosis = benign", "diagnosis = malignant"]


def test_numeric_target_correlations(frame):
    profile = describe_dataset(frame, infer_column_types(frame), target="mean_radius")
    figure = charts.target_correlation_chart(profile.target)
    assert figure.data[0].type == "bar" and figure.layout.title.text == "Spearman correlation with mean_radius"
    assert list(figure.data[0].y) == ["texture"]


def test_charts_work_on_a_profile_read_back_from_json(profile):
    again = Profile.from_dict(profile.to_dict())
    before, after = (charts.histogram_chart(p.column("mean_radius")).to_dict() for p in (profile, again))
    assert after == before
