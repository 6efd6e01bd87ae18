"""The Compare page and its pieces: the settings that differ in plain words (no Python values), the metrics of the
chosen runs side by side as numbers with the difference."""
from __future__ import annotations

import copy

import pandas as pd
import pytest

from analysis.baselines.run import BaselineRun
from components.compare_view import differing_settings, metrics_side_by_side, settings_in_words
from design.document import success_criteria
from jobs.tasks import compute_and_store, plan_for
from store.datasets import list_datasets
from store.documents import latest_revision
from store.people import System
from store.results import list_evidence, result_by_id
from tests.apptest import open_app

PYTHON_VALUES = ("None", "null", "{", "}", "[", "]", "True", "False", "()")


@pytest.fixture
def two_runs(app_db):
    """The sample's run and a second one on fewer models and features, without the document's threshold."""
    first = list_evidence(app_db, 1, "evaluation", "run")[0]
    key = copy.deepcopy(result_by_id(app_db, first.result_id).settings)
    key["run"]["models"] = ["Dummy", "Logistic regression"]
    key["run"]["features"] = [f for f in key["run"]["features"] if f != "mean_radius"]
    key["run"]["decision_threshold"] = None
    dataset = list_datasets(app_db, 1)[0]
    criteria = success_criteria(latest_revision(app_db, 1).content)
    compute_and_store(app_db, plan_for(app_db, "run", dataset, key), 1, dataset, System("test", "Ana"),
                      criteria=criteria)
    return app_db


def test_compare_shows_settings_in_words_and_metrics_with_differences(two_runs):
    at = open_app("pages/compare.py", author="Rae")
    assert not at.exception
    newer, older = [f"#{e.id}" for e in list_evidence(two_runs, 1, "evaluation", "run")[:2]]

    settings = at.dataframe[1].value
    assert list(settings.columns) == [newer, older]
    assert {"Models", "Features", "Decision threshold"} <= set(settings.index)
    assert settings.loc["Models", newer] == "Dummy, Logistic regression"
    assert settings.loc["Features", older].startswith(f"30 columns; against {newer}: adds mean_radius")
    assert settings.loc["Decision threshold", newer] == "0.5 (from the default; the document named none)"
    assert settings.loc["Decision threshold", older] == "0.2 (from the design document)"
    for cell in settings.to_numpy().ravel():
        assert not any(v in str(cell) for v in PYTHON_VALUES), cell

    metrics = at.dataframe[2].value
    new_col, old_col, diff_col = metrics.columns[:3]
    assert new_col == f"{newer} Logistic regression" and diff_col == f"{old_col} − {new_col}"
    assert "ROC AUC" in metrics.index and "brier score (lower is better)" in metrics.index
    row = metrics.loc["recall"]
    assert row[diff_col] == pytest.approx(row[old_col] - row[new_col])
    assert all(isinstance(v, float) for v in metrics[new_col].dropna())


def test_differing_settings_keeps_only_what_differs_and_says_what_features_change():
    words = {"#1": {"Target": "y", "Models": "Dummy", "Features": "2 columns: a, b"},
             "#2": {"Target": "y", "Models": "Dummy, Random forest", "Features": "2 columns: a, c"}}
    table = differing_settings(words, {"#1": ("a", "b"), "#2": ("a", "c")})
    assert list(table.index) == ["Models", "Features"]
    assert table.loc["Features", "#2"] == "2 columns; against #1: adds c; drops b"
    assert differing_settings({"#1": words["#1"], "#2": dict(words["#1"])}).empty


def test_metrics_side_by_side_gives_each_run_minus_the_first():
    table = metrics_side_by_side({"#1 A": {"recall": 0.9, "rmse": 2.0}, "#2 B": {"recall": 0.8},
                                  "#3 C": {"recall": 0.95, "rmse": 1.5}})
    assert list(table.columns) == ["#1 A", "#2 B", "#3 C", "#2 B − #1 A", "#3 C − #1 A"]
    assert list(table.index) == ["recall", "RMSE (lower is better)"]
    assert table.loc["recall", "#2 B − #1 A"] == pytest.approx(-0.1)
    assert table.loc["RMSE (lower is better)", "#3 C − #1 A"] == pytest.approx(-0.5)
    assert pd.isna(table.loc["RMSE (lower is better)", "#2 B − #1 A"])


def test_settings_in_words_of_the_sample_run(app_db):
    e = list_evidence(app_db, 1, "evaluation", "run")[0]
    words = settings_in_words(BaselineRun.from_dict(result_by_id(app_db, e.result_id).payload), "breast_cancer.csv")
    assert words["Task"] == "binary classification" and words["Positive class"] == "malignant"
    assert words["Left out"].startswith("sample_id (ID-like")
    assert words["Features"].startswith("30 columns: mean_radius, ") and words["Features"].endswith("and 24 more")
    assert words["Metric that picks the best model"] == "ROC AUC" and words["Time budget per model"] == "20 s"
    for value in words.values():
        assert not any(v in value for v in ("None", "{", "[", "()")), value
