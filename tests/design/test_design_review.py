"""design/: revision diff, criteria checks and the readiness rubric on the sample document."""
from __future__ import annotations

from analysis.intervals import wilson
from design.checks import check_criteria
from design.criteria import parse_criterion
from design.diff import diff_documents
from design.readiness import NA, EvidenceDigest, assess_readiness
from sample_data.seed import sample_document

SAMPLE = sample_document()["content"]


def test_diff_lists_changed_added_and_removed_fields_in_document_order():
    new = {**SAMPLE, "data": {**SAMPLE["data"], "labels": "Double-read by two pathologists."},
           "evaluation": {**SAMPLE["evaluation"], "fairness": None}}
    old = {**SAMPLE, "requirements": {**SAMPLE["requirements"], "scale": None}}
    changes = diff_documents(old, new)
    assert [(c.section, c.field, c.kind) for c in changes] == [
        ("requirements", "scale", "added"), ("data", "labels", "changed"), ("evaluation", "fairness", "removed")]
    assert changes[1].after == "Double-read by two pathologists." and changes[1].section_title == "Data"
    assert diff_documents(SAMPLE, SAMPLE) == []


def test_criteria_pass_fail_inconclusive_and_not_measured():
    criteria = [parse_criterion(t) for t in ("recall >= 0.95", "roc auc >= 0.97", "specificity >= 0.9",
                                             "p95 latency_ms <= 300")]
    measured = {"recall": wilson(170, 200, "positive rows"), "specificity": wilson(880, 900, "negative rows"),
                "roc auc": {"value": 0.99, "low": 0.98, "high": 0.995, "method": "bootstrap", "rows": 569,
                            "resamples": 400}}
    checks = check_criteria(criteria, measured, "the best run", "binary")
    assert [c.status for c in checks] == ["fail", "pass", "pass", "not measured"]
    assert checks[0].reason == ("recall 0.85, 95 % interval 0.794-0.893, from 200 positive rows: fail (the whole "
                                "interval is below 0.95).")
    assert "(the whole interval is at or above 0.97)" in checks[1].reason
    assert "load test of the serving path" in checks[3].reason


def test_readiness_of_sample_without_evidence_fails_on_evidence_items_only():
    readiness = assess_readiness(SAMPLE, EvidenceDigest())
    failed = {i.text for i in readiness.items if i.status == "fail"}
    assert failed == {"Data profiled", "No open high-severity leakage finding", "A baseline run beats the dummy floor",
                      "Success criteria met by the best run", "A drift check has been run"}
    assert readiness.overall == min(s for s in readiness.areas.values() if s is not None)


# The sample document's slice criterion recall[worst_radius=Q4] >= 0.9, passing (analysis.error_analysis's evidence).
SAMPLE_SLICES = {"columns": {"worst_radius": {"labels": ["Q1", "Q2", "Q3", "Q4", "Q5"], "metrics": {"recall": [
    {"value": 0.987, "low": 0.93, "high": 0.998, "method": "wilson", "rows": 114, "successes": 76, "trials": 77,
     "basis": "positive rows"}] * 5}}}}


def test_readiness_with_good_evidence_passes_and_weakest_area_sets_overall():
    evidence = EvidenceDigest(profiled=1, target_type="binary", minority_share=0.37, leakage_checked=True,
                              run_metrics={"recall": 0.97, "specificity": 0.95, "roc auc": 0.99, "brier score": 0.03},
                              run_intervals={m: {"value": v, "low": v - 0.01, "high": min(1.0, v + 0.01),
                                                 "method": "bootstrap", "rows": 569}
                                             for m, v in {"recall": 0.97, "specificity": 0.95, "roc auc": 0.99,
                                                          "brier score": 0.03}.items()},
                              run_task="binary", run_slices=SAMPLE_SLICES,
                              beats_dummy=True, lift="beats dummy by 0.49 ROC AUC", drift_checked=True)
    readiness = assess_readiness(SAMPLE, evidence)
    assert {i.status for i in readiness.items} <= {"pass", NA}
    assert readiness.overall == 1.0
    worse = assess_readiness(SAMPLE, EvidenceDigest(**{**evidence.__dict__, "open_high_leakage": 2}))
    assert worse.areas["Data"] < 1 and worse.overall == worse.areas["Data"]
    item = next(i for i in worse.items if i.text == "No open high-severity leakage finding")
    assert item.reason == "2 high-severity leakage finding(s) unresolved."


def test_framing_mismatch_and_missing_imbalance_plan_fail():
    content = {**SAMPLE, "framing": {**SAMPLE["framing"], "ml_type": "regression"},
               "data": {**SAMPLE["data"], "imbalance_plan": None}}
    readiness = assess_readiness(content, EvidenceDigest(target_type="binary", minority_share=0.05))
    reasons = {i.text: i.reason for i in readiness.items if i.status == "fail"}
    assert "Framed as regression, but the target column is binary" in reasons["Framing matches the target column"]
    assert "5.0% of rows" in reasons["Imbalance plan when classes are imbalanced"]
