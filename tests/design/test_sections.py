"""The design-document sections, the sample design document and the sample CSV."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from design.fields import (
    CHOICE,
    CRITERIA,
    FEATURE_TABLE,
    KINDS,
    LIST,
    MULTI_CHOICE,
    NUMBER,
    TEXT,
    check_value,
    is_answered,
)
from design.sections import SECTIONS, section

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"

ORDER = ["requirements", "framing", "data", "model", "evaluation", "deployment", "monitoring"]

REQUIRED = {
    ("requirements", "business_objective"): TEXT,
    ("requirements", "latency_requirement"): TEXT,
    ("framing", "non_ml_baseline"): TEXT,
    ("framing", "ml_objective"): TEXT,
    ("framing", "ml_type"): CHOICE,
    ("data", "sources"): LIST,
    ("data", "labels"): TEXT,
    ("data", "splits"): TEXT,
    ("data", "imbalance_plan"): TEXT,
    ("data", "feature_table"): FEATURE_TABLE,
    ("data", "privacy"): TEXT,
    ("model", "baseline"): TEXT,
    ("model", "candidates"): LIST,
    ("evaluation", "offline_metrics"): MULTI_CHOICE,
    ("evaluation", "online_metrics"): LIST,
    ("evaluation", "success_criteria"): CRITERIA,
    ("evaluation", "decision_threshold"): NUMBER,
    ("evaluation", "threshold_tradeoff"): TEXT,
    ("evaluation", "fairness"): TEXT,
    ("deployment", "target"): CHOICE,
    ("deployment", "prediction_mode"): CHOICE,
    ("deployment", "latency_budget_ms"): NUMBER,
    ("deployment", "testing_in_production"): MULTI_CHOICE,
    ("monitoring", "drift"): TEXT,
    ("monitoring", "alerting"): TEXT,
    ("monitoring", "retraining_trigger"): TEXT,
    ("monitoring", "retraining_cadence"): CHOICE,
}

ALL_FIELDS = [(s, f) for s in SECTIONS for f in s.fields]


def _id(pair) -> str:
    return f"{pair[0].key}.{pair[1].key}"


# --- sections ---------------------------------------------------------------------------------


def test_seven_sections_in_order_with_unique_keys():
    assert [s.key for s in SECTIONS] == ORDER
    assert len({s.key for s in SECTIONS}) == len(SECTIONS)


def test_titles():
    titles = {s.key: s.title for s in SECTIONS}
    assert titles["framing"] == "ML framing"
    assert titles["deployment"] == "Deployment and serving"
    assert titles["monitoring"] == "Monitoring and maintenance"
    assert all(t.strip() for t in titles.values())


@pytest.mark.parametrize("sec", SECTIONS, ids=lambda s: s.key)
def test_section_shape(sec):
    assert 6 <= len(sec.fields) <= 12   # Data: target, positive class and the feature table on top of nine questions
    keys = [f.key for f in sec.fields]
    assert len(set(keys)) == len(keys), f"duplicate field keys in {sec.key}"
    labels = [f.label for f in sec.fields]
    assert len(set(labels)) == len(labels), f"duplicate labels in {sec.key}"
    assert sec.purpose.strip().endswith(".")
    assert sec.purpose.count(". ") == 0, "purpose is one sentence"


@pytest.mark.parametrize("pair", ALL_FIELDS, ids=_id)
def test_every_field_has_a_guiding_question(pair):
    _, f = pair
    assert f.kind in KINDS
    assert f.label.strip()
    assert f.key.isidentifier() and f.key == f.key.lower()
    assert f.question.strip() and f.question == f.question.strip()
    assert f.question.endswith("?")
    if f.kind in (CHOICE, MULTI_CHOICE):
        assert len(f.options) >= 2 and len(set(f.options)) == len(f.options)
    else:
        assert f.options == ()


@pytest.mark.parametrize(("where", "kind"), REQUIRED.items(), ids=lambda x: ".".join(x) if isinstance(x, tuple) else x)
def test_required_fields_exist_with_their_kind(where, kind):
    section_key, field_key = where
    assert section(section_key).field(field_key).kind == kind


def test_required_options():
    assert section("framing").field("ml_type").options == (
        "binary classification",
        "multiclass classification",
        "multilabel classification",
        "regression",
        "ranking",
        "clustering",
        "other",
    )
    offline = section("evaluation").field("offline_metrics").options
    for metric in ("accuracy", "balanced accuracy", "precision", "recall", "f1", "roc auc", "pr auc",
                   "log loss", "mae", "rmse", "r2", "mape"):
        assert metric in offline
    assert all(m == m.lower() for m in offline), "metric names are lower case, like criteria"
    target = section("deployment").field("target").options
    for where in ("cloud", "on device", "browser", "edge", "other"):
        assert where in target
    assert section("deployment").field("prediction_mode").options == ("online (real time)", "batch", "both")
    assert set(section("deployment").field("testing_in_production").options) == {
        "shadow", "A/B test", "canary", "interleaving", "bandits", "none"
    }
    assert section("monitoring").field("retraining_cadence").options


def test_number_bounds():
    threshold = section("evaluation").field("decision_threshold")
    assert (threshold.min_value, threshold.max_value) == (0, 1)
    budget = section("deployment").field("latency_budget_ms")
    assert budget.unit == "ms" and budget.min_value == 0


def test_section_lookup_errors_name_the_valid_keys():
    with pytest.raises(KeyError, match="requirements"):
        section("nope")
    with pytest.raises(KeyError, match="nope"):
        section("data").field("nope")


# --- sample design document -------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_doc() -> dict:
    return json.loads((SAMPLE / "design_document.json").read_text(encoding="utf-8"))


def test_sample_document_shape(sample_doc):
    assert set(sample_doc) == {"project", "author", "content"}
    assert sample_doc["project"]["name"] == "Sample: FNA cytology triage"
    assert sample_doc["project"]["description"].strip()
    assert sample_doc["author"] == "Blueprint sample"
    assert list(sample_doc["content"]) == ORDER


@pytest.mark.parametrize("sec", SECTIONS, ids=lambda s: s.key)
def test_sample_document_has_no_unknown_fields(sample_doc, sec):
    assert set(sample_doc["content"][sec.key]) == {f.key for f in sec.fields}


@pytest.mark.parametrize("pair", ALL_FIELDS, ids=_id)
def test_sample_document_answers_every_field_with_a_checked_value(sample_doc, pair):
    sec, f = pair
    value = sample_doc["content"][sec.key][f.key]
    assert is_answered(f, value)
    checked = check_value(f, value)
    assert checked == value
    assert type(checked) is type(value)


def test_sample_feature_table_lists_every_csv_column_with_the_measurements_known(sample_doc):
    rows = {row["column"]: row for row in sample_doc["content"]["data"]["feature_table"]}
    columns = pd.read_csv(SAMPLE / "breast_cancer.csv", nrows=1).columns
    assert list(rows) == list(columns)
    assert {c for c, row in rows.items() if row["known"] != "yes"} == {"diagnosis"}, "only the target is known later"
    assert "identifier" in rows["sample_id"]["note"]
    assert all(row["source"] for row in rows.values())


def test_sample_document_criteria_and_threshold(sample_doc):
    evaluation = sample_doc["content"]["evaluation"]
    assert "recall >= 0.95" in evaluation["success_criteria"]
    assert 0 < evaluation["decision_threshold"] < 0.5, "threshold lowered for recall of malignant samples"
    assert sample_doc["content"]["framing"]["ml_type"] == "binary classification"


# --- sample CSV -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_csv() -> pd.DataFrame:
    return pd.read_csv(SAMPLE / "breast_cancer.csv")


def test_sample_csv_shape_and_target(sample_csv):
    assert len(sample_csv) == 569
    assert sample_csv.shape[1] == 32
    assert sample_csv.columns[0] == "sample_id"
    assert sample_csv["sample_id"].tolist() == list(range(1, 570))
    assert sample_csv["diagnosis"].value_counts().to_dict() == {"benign": 357, "malignant": 212}
    assert not sample_csv.isna().any().any()


def test_sample_csv_columns_are_numeric_apart_from_diagnosis(sample_csv):
    numeric = [c for c in sample_csv.columns if pd.api.types.is_numeric_dtype(sample_csv[c])]
    assert set(sample_csv.columns) - set(numeric) == {"diagnosis"}
    assert {"mean_radius", "radius_error", "worst_concave_points"} <= set(sample_csv.columns)
    assert all(c == c.lower() and " " not in c for c in sample_csv.columns)


def test_sample_csv_matches_the_data_scikit_learn_ships(sample_csv):
    sklearn_datasets = pytest.importorskip("sklearn.datasets")
    bunch = sklearn_datasets.load_breast_cancer()
    features = sample_csv.drop(columns=["sample_id", "diagnosis"]).to_numpy()
    assert (features == bunch.data).all(), "values must be exactly the original ones"
    assert (sample_csv["diagnosis"].to_numpy() == bunch.target_names[bunch.target]).all()
