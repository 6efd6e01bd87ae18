"""design.blockers: what blocks approval, most blocking first, each with the page and URL where it is fixed."""
from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from design import blockers as b
from design.document import success_criteria
from design.evidence import build_view
from sample_data.seed import sample_document

HASH, GONE = "h-train", "h-deleted"


@dataclass
class Row:
    """A stored evidence row as design.evidence reads it."""

    kind: str
    summary: dict
    dataset_hash: str = HASH
    dataset_id: int | None = 3
    section: str = "data"
    created_at: str = "2024-05-01T10:00:00"


@dataclass
class Comment:
    section: str
    author: str
    body: str
    id: int = 0
    parent_id: int | None = None
    resolved_by: str | None = None
    created_at: str = "2024-05-01T10:00:00"
    extra: dict = field(default_factory=dict)


# The sample document's slice criteria (worst_radius Q4, mean_concavity Q3), passing (error analysis evidence).
SAMPLE_SLICES = {"columns": {"worst_radius": {"labels": ["Q1", "Q2", "Q3", "Q4", "Q5"], "metrics": {"recall": [
    {"value": 0.987, "low": 0.93, "high": 0.998, "method": "wilson", "rows": 114, "successes": 76, "trials": 77,
     "basis": "positive rows"}] * 5}},
    "mean_concavity": {"labels": ["Q1", "Q2", "Q3", "Q4", "Q5"], "metrics": {"recall": [
        {"value": 0.995, "low": 0.96, "high": 0.999, "method": "wilson", "rows": 114, "successes": 99, "trials": 100,
         "basis": "positive rows"}] * 5}}}}


def _interval(value, low, high, trials=200):
    return {"value": value, "low": low, "high": high, "method": "wilson", "rows": 569, "successes": int(value * trials),
            "trials": trials, "basis": "rows"}


@pytest.fixture
def content():
    """The sample document without its proposed candidate (whose evaluation
    tests/design/test_candidate_review.py stores)."""
    content = sample_document()["content"]
    return {**content, "model": {k: v for k, v in content["model"].items() if k != "proposed_candidate"}}


def _run(content, **intervals):

    found = {"recall": _interval(0.97, 0.955, 0.985), "specificity": _interval(0.95, 0.92, 0.97),
             "roc auc": _interval(0.99, 0.98, 0.995), "brier score": _interval(0.02, 0.01, 0.03), **intervals}
    return Row("run", {"dataset": "train.csv", "target": "diagnosis", "task": "binary", "best_model": "Random forest",
                       "score": 0.99, "metrics": {k: v["value"] for k, v in found.items()}, "intervals": found,
                       "criteria": [str(c) for c in success_criteria(content)], "decision_threshold": 0.2,
                       "threshold_from_document": True, "beats_dummy": True, "lift": "beats the dummy",
                       "slices": SAMPLE_SLICES},
               section="evaluation")


def _evidence(content, run=None, findings=(), drift=True, profile_hash=HASH):
    rows = [run or _run(content),
            Row("profile", {"dataset": "train.csv", "rows": 569, "columns": 32, "target": "diagnosis", "task": "binary",
                            "minority_share": 0.37}, dataset_hash=profile_hash),
            Row("leakage", {"dataset": "train.csv", "target": "diagnosis", "findings": list(findings)})]
    if drift:
        rows.append(Row("drift", {"reference": "a", "current": "b", "dataset_drift": False, "drifted_count": 0,
                                  "columns_checked": 30, "share": 0.0, "top": []}, section="monitoring"))
    return rows


def _find(content, rows, comments=(), resolved=frozenset()):
    view = build_view(rows, {HASH}, content, set(resolved))
    return b.find_blockers(1, content, view, comments)


def test_sample_document_with_passing_evidence_is_blocked_only_by_the_unmeasured_latency(content):
    found = _find(content, _evidence(content))
    assert [(x.kind, x.title) for x in found] == [(b.UNMEASURED, "p95 latency_ms <= 300 is not measured")]
    assert found[0].url == "design?project=1&section=evaluation" and found[0].place == "Design document · Evaluation"
    assert "load test" in found[0].detail


def test_nothing_blocks_a_complete_document_with_passing_evidence(content):
    content = {**content, "evaluation": {**content["evaluation"], "success_criteria": ["recall >= 0.95"]}}
    run = _run(content)
    assert _find(content, _evidence(content, run)) == []


def test_failing_and_inconclusive_criteria_lead_and_link_to_the_runs_dataset_and_target(content):
    run = _run(content, recall=_interval(0.80, 0.74, 0.86), specificity=_interval(0.90, 0.86, 0.93))
    found = _find(content, _evidence(content, run))
    assert [x.kind for x in found] == [b.FAILING, b.INCONCLUSIVE_CRITERION, b.UNMEASURED]
    assert found[0].title == "recall >= 0.95 fails on the best run (Random forest)"
    assert "the whole interval is below 0.95" in found[0].detail
    assert found[0].url == "baselines?project=1&dataset=3&target=diagnosis"
    assert found[0].place == "Baselines · train.csv, target 'diagnosis'"
    assert found[1].title == "specificity >= 0.9 is inconclusive on the best run (Random forest)"


def test_unresolved_high_finding_links_to_the_leakage_page_of_its_dataset(content):
    findings = [{"key": "proxy:x", "severity": "high", "title": "x predicts the target", "action": "Drop x."},
                {"key": "id_column:sample_id", "severity": "high", "title": "sample_id is an ID", "action": "Drop it."},
                {"key": "dup", "severity": "medium", "title": "duplicates", "action": ""}]
    found = _find(content, _evidence(content, findings=findings), resolved={("id_column:sample_id", HASH)})
    leaks = [x for x in found if x.kind == b.FINDING]
    assert [x.title for x in leaks] == ["High-severity leakage finding not resolved: x predicts the target"]
    assert leaks[0].url == "leakage?project=1&dataset=3&target=diagnosis" and leaks[0].detail.startswith("Drop x.")


def test_stale_and_missing_evidence_link_to_the_page_that_computes_it(content):
    found = _find(content, _evidence(content, drift=False, profile_hash=GONE))
    stale = [x for x in found if x.kind == b.STALE]
    assert [x.title for x in stale] == ["Stale: Profile of train.csv"]
    assert stale[0].url == "explore?project=1&target=diagnosis"      # its dataset is gone: no dataset in the link
    assert stale[0].detail.startswith("Computed on data that is no longer in the project")
    missing = [x for x in found if x.kind == b.MISSING]
    assert [(x.title, x.url) for x in missing] == [("No drift check", "drift?project=1")]


def test_no_evidence_at_all_names_each_missing_result_and_the_criteria_waiting_for_a_run(content):
    found = _find(content, [])
    missing = {x.title: x for x in found if x.kind == b.MISSING}
    assert list(missing) == ["No dataset profiled", "No leakage check", "No baseline run", "No drift check"]
    waiting = len(success_criteria(content))
    assert f"{waiting} success criteria wait for it: recall >= 0.95" in missing["No baseline run"].detail
    assert missing["No leakage check"].url == "leakage?project=1&target=diagnosis"   # the document names the target


def test_open_comment_threads_are_grouped_per_section_and_link_to_the_review_document_tab(content):
    comments = [Comment("data", "Rae", "How noisy are the labels?", 1),
                Comment("data", "Ana", "About 3%.", 2, parent_id=1),
                Comment("data", "Rae", "Which scanner?\nAnd which stain?", 3),
                Comment("model", "Rae", "Done already", 4, resolved_by="Ana")]
    found = [x for x in _find(content, _evidence(content), comments) if x.kind == b.COMMENT]
    assert [x.title for x in found] == ["2 open comment threads on Data"]
    assert found[0].detail == "Rae: How noisy are the labels? (and 1 more)"
    assert found[0].url == "review?project=1&tab=Document+and+evidence"


def test_empty_required_fields_are_grouped_per_section_with_a_link_to_the_section(content):
    content = {**content, "requirements": {**content["requirements"], "business_objective": ""},
               "deployment": {**content["deployment"], "target": None, "prediction_mode": None}}
    found = [x for x in _find(content, _evidence(content)) if x.kind == b.FIELD]
    assert [(x.title, x.url) for x in found] == [
        ("Requirements: Business objective not answered", "design?project=1&section=requirements"),
        ("Deployment and serving: Deployment target, Prediction mode not answered",
         "design?project=1&section=deployment")]


def test_a_framing_the_data_contradicts_and_a_run_no_better_than_the_dummy(content):
    content = {**content, "framing": {**content["framing"], "ml_type": "regression"}}
    run = _run(content)
    run.summary.update(beats_dummy=False, lift="No model beats the dummy floor meaningfully.")
    found = [x for x in _find(content, _evidence(content, run)) if x.kind == b.MISMATCH]
    assert [x.title for x in found] == ["Framed as regression, but the target column is binary",
                                        "No model beats the dummy floor"]
    assert [x.page for x in found] == ["design", "baselines"]


def test_blockers_come_in_the_order_of_kinds(content):
    comments = [Comment("data", "Rae", "?", 1)]
    run = _run(content, recall=_interval(0.80, 0.74, 0.86))
    content = {**content, "model": {**content["model"], "baseline": ""}}
    found = _find(content, _evidence(content, run, drift=False, profile_hash=GONE), comments)
    kinds = [x.kind for x in found]
    assert kinds == sorted(kinds, key=b.KINDS.index)
    assert kinds[0] == b.FAILING and kinds[-1] == b.FIELD
