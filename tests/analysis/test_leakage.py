"""Leakage checks: planted leaks in real and generated data are found with the right severity; honest data is not
flagged; bad input gives a clear message; reports survive a JSON round trip.

Real data: sample_data/breast_cancer.csv (569 rows). Its honest features are strong (worst_perimeter alone reaches
ROC AUC 0.976) and its sample_id follows the original file order, which partly predicts the label (AUC 0.68).
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.column_types import infer_column_types
from analysis.errors import TargetError
from analysis.leakage.scan import (
    Finding,
    LeakageReport,
    LeakageSettings,
    Split,
    check_leakage_target,
    scan_leakage,
)
from analysis.reading.read import read_csv
from bench.leakage import SPLIT, TARGET, generate_frame

CSV = Path(__file__).resolve().parents[2] / "sample_data" / "breast_cancer.csv"


@pytest.fixture(scope="module")
def cancer():
    """The real sample data as the app reads it."""
    return read_csv(CSV.read_bytes(), CSV.name)


def planted(table, **columns) -> tuple[pd.DataFrame, dict[str, str]]:
    """The real data with extra columns (given as arrays), and column types for all of them."""
    frame = table.frame.copy()
    for name, values in columns.items():
        frame.insert(frame.shape[1] - 1, name, values)
    return frame, {**table.column_types, **infer_column_types(frame[list(columns)])}


def by_key(report: LeakageReport) -> dict[str, Finding]:
    return {f.key: f for f in report.findings}


def malignant(table) -> np.ndarray:
    return (table.frame["diagnosis"] == "malignant").to_numpy()


def dates(rng, rows: int, start: str = "2020-01-01", days: int = 730) -> np.ndarray:
    return np.datetime64(start) + rng.integers(0, days, rows).astype("timedelta64[D]")


# --- honest data ------------------------------------------------------------------------------------------------
def test_real_data_without_planted_columns_has_no_high_finding(cancer):
    report = scan_leakage(cancer.frame, cancer.column_types, "diagnosis")
    assert report.counts()["high"] == 0
    assert not [f for f in report.findings if f.check in ("target_proxy", "post_outcome")]
    best = report.scores[0]
    assert best.column == "worst_perimeter" and 0.97 < best.score < 0.98   # strong, honest, not flagged
    assert best.low < report.settings.proxy_auc_medium


def test_real_sample_id_is_a_medium_id_column(cancer):
    # sample_id follows the original file order, where malignant rows come early more often: a realistic ID column
    # that predicts the label somewhat (AUC about 0.68). Medium, not high: it is a real signal of row order, yet far
    # from giving the label away (high needs a bound of id_auc_high = 0.9).
    finding = by_key(scan_leakage(cancer.frame, cancer.column_types, "diagnosis"))["id_column:sample_id"]
    assert finding.severity == "medium"
    assert 0.64 < finding.evidence["score"] < 0.72
    assert "Drop 'sample_id'" in finding.action


def test_generated_data_without_leaks_has_only_the_id_as_info():
    frame = generate_frame(5_000, leaks=False, duplicate_share=0)
    report = scan_leakage(frame, None, TARGET)
    assert [(f.key, f.severity) for f in report.findings] == [("id_column:order_id", "info")]


# --- planted leaks ----------------------------------------------------------------------------------------------
def test_noisy_copy_of_the_target_is_a_high_target_proxy(cancer):
    rng = np.random.default_rng(0)
    frame, types = planted(cancer, marker_level=malignant(cancer) + rng.normal(0, 0.25, len(cancer.frame)))
    report = scan_leakage(frame, types, "diagnosis")
    finding = by_key(report)["target_proxy:marker_level"]
    assert finding.severity == "high"
    assert finding.evidence["score"] > 0.99 and finding.evidence["lower_bound"] >= report.settings.proxy_auc_high
    assert len(finding.evidence["examples"]) == 5 and "marker_level" in finding.evidence["examples"][0]
    assert [f.column for f in report.findings if f.check == "target_proxy"] == ["marker_level"]   # honest ones stay out
    assert report.findings[0] == finding   # high first


def test_generated_planted_leaks_are_found_with_their_severity():
    report = scan_leakage(generate_frame(20_000), None, TARGET, split=SPLIT)
    found = {f.key: f.severity for f in report.findings}
    assert found["target_proxy:retention_score"] == "high"
    assert found["post_outcome:closed_at"] == "high"
    assert "target_proxy:closed_at" not in found          # the post-outcome finding replaces it
    assert found["date_overlap:signup_date"] == "high"    # a random split of dated rows
    assert found["group_overlap:customer_id"] == "high"   # customers on both sides
    assert found["id_column:order_id"] == "info"          # ids in random order: harmless
    assert found["duplicates"] == "info" and found["train_test_overlap"] == "medium"   # 1 % copies
    assert not [k for k in found if k.startswith("target_proxy:x")]


def test_id_sorted_by_the_label_is_a_high_id_column(cancer):
    # Ids given after sorting by the label separate the classes perfectly: high, since the id (and any split that
    # follows row order) gives the label away.
    order = np.lexsort((cancer.frame["sample_id"].to_numpy(), ~malignant(cancer)))
    record_id = np.empty(len(order), dtype=np.int64)
    record_id[order] = np.arange(1, len(order) + 1)
    frame, types = planted(cancer, record_id=record_id, case_code=[f"C{v:05d}" for v in record_id])
    assert types["record_id"] == "id"
    found = by_key(scan_leakage(frame, types, "diagnosis"))
    assert found["id_column:record_id"].severity == "high"
    assert found["id_column:record_id"].evidence["score"] == 1.0
    assert found["id_column:case_code"].severity == "high"   # text ids are read by their digits
    assert found["id_column:sample_id"].severity == "medium"
    assert "target_proxy:record_id" not in found


def test_rows_copied_into_the_test_dataset_overlap_high_with_and_without_ids(cancer):
    frame = cancer.frame
    in_test = frame["sample_id"] % 5 == 0
    train, test = frame[~in_test].reset_index(drop=True), frame[in_test].reset_index(drop=True)
    copies = train.iloc[:25].copy()
    copies["sample_id"] = np.arange(1000, 1025)          # same rows under new ids
    report = scan_leakage(train, cancer.column_types, "diagnosis", split=Split("test_dataset"),
                          test_frame=pd.concat([test, copies], ignore_index=True))
    finding = by_key(report)["train_test_overlap"]
    assert finding.severity == "high"
    assert finding.evidence["exact_rows"] == 0 and finding.evidence["rows_without_ids"] == 25
    assert finding.evidence["id_columns_dropped"] == ["sample_id"]
    assert finding.evidence["examples"][0]["same_as_train_row"] == 1
    assert report.test_rows == len(test) + 25

    exact = scan_leakage(train, cancer.column_types, "diagnosis", split=Split("test_dataset"),
                         test_frame=pd.concat([test, train.iloc[:25]], ignore_index=True))
    assert by_key(exact)["train_test_overlap"].evidence["exact_rows"] == 25


def test_no_overlap_between_disjoint_train_and_test(cancer):
    frame = cancer.frame
    in_test = (frame["sample_id"] % 5 == 0).to_numpy()
    report = scan_leakage(frame[~in_test], cancer.column_types, "diagnosis", split=Split("test_dataset"),
                          test_frame=frame[in_test])
    assert "train_test_overlap" not in by_key(report)


def test_random_split_of_dated_rows_is_a_high_date_overlap(cancer):
    frame, types = planted(cancer, visit_date=dates(np.random.default_rng(1), len(cancer.frame)))
    finding = by_key(scan_leakage(frame, types, "diagnosis",
                                  split=Split("random", date_column="visit_date")))["date_overlap:visit_date"]
    assert finding.severity == "high"
    assert finding.evidence["share"] > 0.9
    assert finding.evidence["first_test_date"] < finding.evidence["last_train_date"]
    assert "Split by time" in finding.action

    by_date = scan_leakage(frame, types, "diagnosis", split=Split("date", date_column="visit_date", cut="2021-06-01"))
    assert "date_overlap:visit_date" not in by_key(by_date)
    assert by_date.test_rows == int((frame["visit_date"] >= "2021-06-01").sum())


def test_test_dataset_reaching_back_a_little_is_a_medium_date_overlap(cancer):
    frame, types = planted(cancer, visit_date=np.datetime64("2020-01-01") + np.arange(569).astype("timedelta64[D]"))
    train, test = frame.iloc[:469], frame.iloc[469:].copy()
    test.iloc[:3, test.columns.get_loc("visit_date")] = pd.Timestamp("2021-01-01")   # 3 of 100 rows dated back
    found = by_key(scan_leakage(train, types, "diagnosis", split=Split("test_dataset", date_column="visit_date"),
                                test_frame=test))
    assert found["date_overlap:visit_date"].severity == "medium"
    assert found["date_overlap:visit_date"].evidence["test_rows_before"] == 3


def test_post_outcome_columns_are_found(cancer):
    rng = np.random.default_rng(2)
    rows, sick = len(cancer.frame), malignant(cancer)
    biopsy = dates(rng, rows)
    later = biopsy + rng.integers(3, 40, rows).astype("timedelta64[D]")
    nat = np.datetime64("NaT")
    frame, types = planted(
        cancer,
        biopsy_date=biopsy,
        diagnosis_date=np.where(sick, later, nat),                                         # named after the target
        treatment_started=np.where(sick, later + np.timedelta64(7, "D"), nat),           # dated after the biopsy
        followup_visit=biopsy + rng.integers(30, 90, rows).astype("timedelta64[D]"),     # after, but unrelated
    )
    report = scan_leakage(frame, types, "diagnosis", split=Split(prediction_time_column="biopsy_date"))
    found = by_key(report)
    assert found["post_outcome:diagnosis_date"].severity == "high"
    assert "named after the target" in found["post_outcome:diagnosis_date"].evidence["hints"][0]
    assert found["post_outcome:treatment_started"].severity == "high"
    assert found["post_outcome:treatment_started"].evidence["share_after"] == 1.0
    assert found["post_outcome:followup_visit"].severity == "medium"   # known only later, though not predictive
    assert "post_outcome:biopsy_date" not in found
    assert not [k for k in found if k.startswith("target_proxy:")]      # post-outcome findings replace the proxies


def test_post_outcome_name_hint_without_dates(cancer):
    rng = np.random.default_rng(3)
    frame, types = planted(cancer, final_result=malignant(cancer) + rng.normal(0, 0.3, len(cancer.frame)),
                           result_pending=rng.normal(size=len(cancer.frame)))
    found = by_key(scan_leakage(frame, types, "diagnosis"))
    assert found["post_outcome:final_result"].severity == "high"
    assert "post_outcome:result_pending" not in found   # a telling name alone is not enough


def test_group_overlap_for_a_random_split_but_not_a_group_split(cancer):
    frame, types = planted(cancer, patient_id=cancer.frame["sample_id"].to_numpy() // 3)
    random = by_key(scan_leakage(frame, types, "diagnosis", split=Split("random", group_column="patient_id")))
    assert random["group_overlap:patient_id"].severity == "high"
    assert random["group_overlap:patient_id"].evidence["shared_groups"] > 10
    grouped = scan_leakage(frame, types, "diagnosis", split=Split("group", group_column="patient_id"))
    assert "group_overlap:patient_id" not in by_key(grouped)
    assert grouped.train_rows + grouped.test_rows == len(frame)


def test_conflicting_labels(cancer):
    frame = cancer.frame
    flipped = frame.iloc[:20].copy()
    flipped["diagnosis"] = np.where(flipped["diagnosis"] == "malignant", "benign", "malignant")
    flipped["sample_id"] = np.arange(1000, 1020)
    both = pd.concat([frame, flipped], ignore_index=True)
    finding = by_key(scan_leakage(both, cancer.column_types, "diagnosis"))["conflicting_labels"]
    assert finding.severity == "medium"
    assert finding.evidence["groups"] == 20 and finding.evidence["rows"] == 40
    shown = finding.evidence["examples"]
    assert len(shown) == 2 and shown[0]["diagnosis"] != shown[1]["diagnosis"]


def test_duplicate_rows_under_new_ids(cancer):
    frame = cancer.frame
    copies = frame.iloc[:30].copy()
    copies["sample_id"] = np.arange(1000, 1030)
    finding = by_key(scan_leakage(pd.concat([frame, copies], ignore_index=True), cancer.column_types,
                                  "diagnosis"))["duplicates"]
    assert finding.severity == "medium"
    assert finding.evidence["exact_duplicates"] == 0 and finding.evidence["duplicates_without_ids"] == 30
    assert finding.evidence["examples"][0]["same_as_row"] == 1


def test_regression_target_copy_is_a_high_proxy():
    rng = np.random.default_rng(4)
    frame = generate_frame(3_000, leaks=False, duplicate_share=0).drop(columns=TARGET)
    frame["revenue"] = 50 + 10 * frame["x0"].fillna(0) + rng.normal(0, 10, len(frame))
    frame["revenue_estimate"] = frame["revenue"] + rng.normal(0, 1, len(frame))
    report = scan_leakage(frame, None, "revenue")
    assert report.task == "regression"
    found = {f.key: f.severity for f in report.findings}
    assert found.get("post_outcome:revenue_estimate") == "high"   # named after the target, and R2 about 0.99
    assert not [k for k in found if k.endswith(":x0")]           # R2 about 0.5: honest
    assert report.scores[0].metric == "r2"


def test_multiclass_proxy():
    rng = np.random.default_rng(5)
    frame = generate_frame(3_000, leaks=False, duplicate_share=0)
    frame["segment"] = rng.choice(["a", "b", "c"], len(frame))
    frame["segment_code"] = frame["segment"].map({"a": 1.0, "b": 2.0, "c": 3.0}) + rng.normal(0, 0.1, len(frame))
    report = scan_leakage(frame.drop(columns=TARGET), None, "segment")
    assert report.task == "multiclass"
    found = {f.key: f.severity for f in report.findings}
    assert found["post_outcome:segment_code"] == "high"
    assert [k for k, v in found.items() if v == "high"] == ["post_outcome:segment_code"]


def test_perfect_feature_on_few_rows_is_at_most_medium():
    # With 12 rows per class an honest feature can separate them by chance: the proxy is reported, but as medium.
    rng = np.random.default_rng(6)
    label = np.repeat(["yes", "no"], 12)
    frame = pd.DataFrame({"score": np.where(label == "yes", 1.0, 0.0) + rng.normal(0, 0.1, 24),
                          "noise": rng.normal(size=24), "label": label})
    finding = by_key(scan_leakage(frame, None, "label"))["target_proxy:score"]
    assert finding.severity == "medium"
    assert "not enough to be sure" in finding.explanation


def test_large_data_is_sampled_and_says_so():
    settings = LeakageSettings(sample_rows=4_000)
    report = scan_leakage(generate_frame(12_000), None, TARGET, settings=settings)
    assert report.sampled and 4_000 <= report.sample_rows < 4_500   # stratified: each class keeps >= 500 rows
    assert "sample stratified by class" in report.notes[0]
    assert by_key(report)["target_proxy:retention_score"].severity == "high"
    assert by_key(report)["duplicates"].evidence["rows"] == 12_000   # row checks use every row


def test_scan_is_deterministic(cancer):
    first = scan_leakage(cancer.frame, cancer.column_types, "diagnosis", split=Split("random"))
    again = scan_leakage(cancer.frame, cancer.column_types, "diagnosis", split=Split("random"))
    assert first.findings == again.findings and first.scores == again.scores


# --- bad input --------------------------------------------------------------------------------------------------
def test_unknown_target_names_the_choices(cancer):
    with pytest.raises(TargetError,
                       match=r"Column 'outcome' is not in this dataset; choose one of sample_id, mean_radius"):
        scan_leakage(cancer.frame, cancer.column_types, "outcome")


def test_too_few_rows():
    frame = pd.DataFrame({"x": [1.0, 2.0], "y": ["a", "b"]})
    with pytest.raises(TargetError) as error:
        check_leakage_target(frame, "y")
    assert str(error.value) == "The dataset has 2 rows; leakage checks need at least 20. Upload more data."


def test_target_with_one_class(cancer):
    frame = cancer.frame.assign(diagnosis="benign")
    with pytest.raises(TargetError,
                       match=r"Target column 'diagnosis' has 1 class \('benign'\); a model needs at least 2"):
        scan_leakage(frame, cancer.column_types, "diagnosis")


def test_target_all_missing(cancer):
    frame = cancer.frame.assign(diagnosis=pd.Series([None] * len(cancer.frame), dtype=object))
    with pytest.raises(TargetError, match=r"Target column 'diagnosis' has no values: every row is missing"):
        scan_leakage(frame, {**cancer.column_types, "diagnosis": "categorical"}, "diagnosis")


def test_too_few_labelled_rows(cancer):
    frame = cancer.frame.copy()
    frame.loc[10:, "diagnosis"] = None
    frame.loc[:4, "diagnosis"] = "benign"
    with pytest.raises(TargetError,
                       match=r"has a value in only 10 of 569 rows; leakage checks need at least 20 labelled rows"):
        scan_leakage(frame, cancer.column_types, "diagnosis")


@pytest.mark.parametrize("split, test_frame, message", [
    (Split("random", date_column="visit"), None,
     "The split's date_column 'visit' is not in the dataset; choose one of"),
    (Split("random", group_column="diagnosis"), None, "The split's group_column is the target 'diagnosis'"),
    (Split("date", date_column="mean_radius"), None, "The split's date_column 'mean_radius' holds no dates"),
    (Split("test_dataset"), None, "The split uses a test dataset, but none was given"),
])
def test_split_that_does_not_fit_the_data(cancer, split, test_frame, message):
    with pytest.raises(ValueError, match=message):
        scan_leakage(cancer.frame, cancer.column_types, "diagnosis", split=split, test_frame=test_frame)


def test_test_dataset_missing_columns(cancer):
    with pytest.raises(ValueError, match=r"The test dataset lacks 1 column\(s\) of the dataset: mean_radius"):
        scan_leakage(cancer.frame, cancer.column_types, "diagnosis", split=Split("test_dataset"),
                     test_frame=cancer.frame.drop(columns="mean_radius"))


def test_bad_split_and_settings_values():
    with pytest.raises(ValueError,
                       match="Split kind 'time' is not known; choose one of none, random, date, group, test_dataset"):
        Split("time")
    with pytest.raises(ValueError, match="A date split needs date_column"):
        Split("date")
    with pytest.raises(ValueError, match=r"LeakageSettings.cv_folds == 1, must be an integer >= 2"):
        LeakageSettings(cv_folds=1)
    with pytest.raises(ValueError, match="proxy_auc_medium must not exceed proxy_auc_high"):
        LeakageSettings(proxy_auc_medium=0.999)
    with pytest.raises(ValueError, match=r"Unknown leakage settings \['proxy_auc'\]"):
        LeakageSettings().update({"proxy_auc": 0.9})
    assert LeakageSettings().update({"proxy_auc_high": 0.99}).proxy_auc_high == 0.99


# --- storage ----------------------------------------------------------------------------------------------------
def test_report_round_trips_through_json(cancer):
    rng = np.random.default_rng(7)
    frame, types = planted(cancer, marker_level=malignant(cancer) + rng.normal(0, 0.25, len(cancer.frame)),
                           visit_date=dates(rng, len(cancer.frame)))
    report = scan_leakage(frame, types, "diagnosis", split=Split("random", date_column="visit_date"),
                          settings=LeakageSettings(proxy_auc_medium=0.96))
    stored = json.loads(json.dumps(report.to_dict(), allow_nan=False))
    assert stored["findings"][0]["key"] == report.findings[0].key
    again = LeakageReport.from_dict(stored)
    assert again == report
    assert again.finding("target_proxy:marker_level").severity == "high"
    assert LeakageSettings.from_dict(report.settings.to_dict()) == report.settings
    assert Split.from_dict(report.split.to_dict()) == report.split


def test_report_from_another_format_is_refused(cancer):
    stored = scan_leakage(cancer.frame, cancer.column_types, "diagnosis").to_dict()
    stored["format"] = 0
    with pytest.raises(ValueError,
                       match="stored in format 0; this version reads format 1. Run the leakage checks again"):
        LeakageReport.from_dict(stored)


def test_finding_keys_are_stable_across_reruns(cancer):
    keys = [f.key for f in scan_leakage(cancer.frame, cancer.column_types, "diagnosis").findings]
    assert keys == ["id_column:sample_id"]
    assert Finding("duplicates", "info", None, "t", "e", "a").key == "duplicates"


def test_a_lag_of_a_numeric_target_is_not_called_post_outcome():
    # Forecasting data: yesterday's sales predict today's strongly, and honestly. Its name says it is from before
    # the outcome, so it is neither a post-outcome column nor a high proxy.
    rng = np.random.default_rng(8)
    frame = generate_frame(2_000, leaks=False, duplicate_share=0).drop(columns=TARGET)
    frame["sales"] = 100 + 20 * frame["x0"].fillna(0) + rng.normal(0, 1, len(frame))
    frame["sales_lag_1"] = frame["sales"] + rng.normal(0, 1, len(frame))
    found = {f.key: f for f in scan_leakage(frame, None, "sales").findings}
    assert "post_outcome:sales_lag_1" not in found
    assert found["target_proxy:sales_lag_1"].severity == "medium"
    assert "says it is from before the outcome" in found["target_proxy:sales_lag_1"].explanation
