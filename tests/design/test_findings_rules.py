"""Alerts and findings that mean something (issue 14, item 4), on small synthetic data built in each test:
mostly-empty and name-like columns are left out of the default features with their reason, a name-like column is
an ID-like finding that becomes medium when it is among a run's features, a column that re-encodes the target is
titled as a target proxy, and a run's leakage banner lists only findings on columns it still uses.
(The profile's association rules, 30 complete pairs and the bias-corrected Cramér's V, are in test_profile.py.)"""
from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.baselines.run import resolve_settings
from analysis.baselines.setup import REASONS, RunSettings, default_features, id_like_columns
from analysis.column_types import infer_column_types
from analysis.leakage.scan import scan_leakage
from design.evidence import findings_for_features

FIRST = ["Ann", "Bob", "Cy", "Dee", "Eli", "Flo", "Gus", "Hal", "Ivy", "Jo", "Kim", "Lu", "Max", "Ned", "Oli"]
LAST = ["Smith", "Jones", "Lee", "Khan", "Diaz", "Ng", "Ode", "Park", "Ruiz", "Sato", "Berg", "Cole", "Dunn"]


def _names(rng, rows: int) -> list[str]:
    """People's names: a distinct value on most rows (a few repeat), no digits."""
    return [f"{rng.choice(FIRST)} {rng.choice(LAST)}-{rng.choice(LAST)}" for _ in range(rows)]


def _frame(rows: int = 300, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, rows)
    sparse = np.full(rows, np.nan)
    sparse[:4] = [1.0, 2.0, 3.0, 4.0]
    return pd.DataFrame({
        "x": y + rng.normal(0, 1, rows),
        "colour": rng.choice(["red", "green", "blue"], rows),
        "sparse": sparse,
        "customer": _names(rng, rows),
        "label": np.where(y == 1, "yes", "no"),
    })


# --- default features -----------------------------------------------------------------------------------------------
def test_a_mostly_empty_column_is_left_out_of_the_default_features_with_its_reason():
    frame = _frame()
    features, excluded = default_features(frame, infer_column_types(frame), "label")
    assert "sparse" not in features
    assert excluded["sparse"].startswith("mostly empty: 4 of 300 rows have a value (98.7% missing)")


def test_a_column_filled_on_most_rows_of_a_small_dataset_stays_a_feature():
    frame = pd.DataFrame({"a": [1.0, np.nan] + list(np.arange(22.0)), "label": ["p", "q"] * 12})
    features, excluded = default_features(frame, infer_column_types(frame), "label")
    assert features == ("a",) and excluded == {}      # 22 values < 30, but only 8 % missing


def test_a_name_like_column_is_left_out_of_the_default_features_as_id_like():
    frame = _frame()
    types = infer_column_types(frame)
    assert types["customer"] == "categorical"       # not all distinct, not prose: read as categories
    features, excluded = default_features(frame, types, "label")
    assert "customer" not in features and "colour" in features
    assert excluded["customer"].startswith("ID-like:") and "names of people or products" in excluded["customer"]
    settings = resolve_settings(frame, types, RunSettings(target="label"))
    assert "customer" in settings.excluded and "customer" not in settings.features


def test_id_like_columns_are_the_identifiers_and_the_names():
    frame = _frame()
    frame.insert(0, "row_id", np.arange(1, len(frame) + 1))
    found = id_like_columns(frame, infer_column_types(frame))
    assert set(found) == {"row_id", "customer"}
    assert found["row_id"] == REASONS["id"]


def test_a_few_levels_repeated_are_categories_not_names():
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"city": rng.choice([f"city {i}" for i in range(40)], 300),
                          "label": rng.choice(["a", "b"], 300)})
    assert id_like_columns(frame, infer_column_types(frame)) == {}


# --- leakage findings -----------------------------------------------------------------------------------------------
def test_a_name_like_column_is_an_id_like_info_finding_that_says_what_using_it_means():
    frame = _frame()
    report = scan_leakage(frame, infer_column_types(frame), "label")
    finding = next(f for f in report.findings if f.column == "customer")
    assert finding.check == "id_column" and finding.severity == "info"
    assert finding.title == "'customer' is ID-like (a distinct value on most rows)"
    assert "if used as a feature" in finding.explanation and "medium" in finding.explanation
    assert "customer" not in {s.column for s in report.scores}     # not scored as an honest feature


def test_a_name_like_column_put_back_among_the_features_is_medium_on_the_run():
    """The scan does not know a run's features; the Baselines page does, and warns (medium) for every ID-like column
    among them (components.baselines_view.feature_warnings, tested on the page in test_pages_feature_table.py)."""
    frame = _frame()
    types = infer_column_types(frame)
    settings = resolve_settings(frame, types, RunSettings(target="label", features=("x", "customer")))
    id_like = id_like_columns(frame, types)
    assert [c for c in settings.features if c in id_like] == ["customer"]


def _multiclass(rows: int = 400, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.choice(["benign", "borderline", "malignant"], rows)
    frame = pd.DataFrame({"x": rng.normal(size=rows), "noise": rng.choice(["u", "v"], rows), "diagnosis": y})
    return frame, y


def test_a_code_per_class_is_titled_as_encoding_the_target_not_as_recorded_after_the_outcome():
    frame, y = _multiclass()
    frame.insert(2, "diagnosis_code", pd.Series(y).map({"benign": "B01", "borderline": "B02", "malignant": "M01"}))
    report = scan_leakage(frame, infer_column_types(frame), "diagnosis")
    findings = [f for f in report.findings if f.column == "diagnosis_code"]
    assert [(f.check, f.severity) for f in findings] == [("target_proxy", "high")]
    assert findings[0].title == "'diagnosis_code' encodes the target 'diagnosis'"
    assert "recorded after the outcome" not in findings[0].title
    assert findings[0].evidence["encoding"] == "one code per class"


def test_a_copy_of_the_target_is_titled_as_equal_to_it():
    frame, y = _multiclass()
    frame.insert(2, "outcome_copy", y)
    finding = next(f for f in scan_leakage(frame, infer_column_types(frame), "diagnosis").findings
                   if f.column == "outcome_copy")
    assert finding.check == "target_proxy" and finding.title == "'outcome_copy' equals the target 'diagnosis'"


def test_a_rescaled_numeric_target_is_titled_as_encoding_it():
    rng = np.random.default_rng(2)
    price = rng.normal(100, 20, 300)
    frame = pd.DataFrame({"x": rng.normal(size=300), "price_cents": price * 100, "price": price})
    finding = next(f for f in scan_leakage(frame, None, "price").findings if f.column == "price_cents")
    assert finding.title == "'price_cents' encodes the target 'price'"
    assert finding.evidence["encoding"] == "is a rescaled copy of the target"


def test_a_strong_honest_category_is_not_called_an_encoding():
    frame, y = _multiclass(seed=3)
    rng = np.random.default_rng(3)
    agrees = rng.random(len(y)) < 0.85
    frame.insert(2, "stage", np.where(agrees, y, rng.choice(["benign", "borderline", "malignant"], len(y))))
    report = scan_leakage(frame, infer_column_types(frame), "diagnosis")
    assert not [f for f in report.findings if "encoding" in f.evidence]


# --- the run's banner -----------------------------------------------------------------------------------------------
def test_the_banner_lists_only_findings_on_columns_still_among_the_features():
    findings = [
        {"key": "target_proxy:leak", "severity": "high", "column": "leak", "title": "'leak' predicts 'label'"},
        {"key": "post_outcome:x", "severity": "high", "column": "x", "title": "'x' looks recorded after the outcome"},
        {"key": "duplicates", "severity": "medium", "column": None, "title": "12 duplicate rows"},
        {"key": "target_proxy:label", "severity": "high", "column": "label", "title": "target"},
    ]
    kept = findings_for_features(findings, ("x", "colour"), "label")
    assert [f["key"] for f in kept] == ["post_outcome:x", "duplicates"]
