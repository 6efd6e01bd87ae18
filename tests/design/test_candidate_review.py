"""The candidate beside the baselines (issue 22, items 4-5): a note per candidate model from stored evidence, the
proposed candidate's criteria as blockers, staleness when its data changed, the criteria side by side, and the
exports. The evidence is made as the app makes it: the candidate unit on generated predictions, stored with
store.results.put_result and recorded with record_evidence (tests/candidate_evidence.py)."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

from analysis.reading.read import read_csv
from design import blockers as b
from design.candidates import side_by_side
from design.evidence import build_view
from store.datasets import add_dataset
from store.db import open_store
from store.documents import save_revision
from store.models import list_models
from store.projects import create_project
from store.results import list_evidence
from tests.analysis.test_candidate import scored
from tests.candidate_evidence import ANA, record_candidate

CRITERIA = ["roc auc >= 0.7", "recall >= 0.72", "pr auc >= baseline + 0.02", "recall[region=north] >= 0.8",
            "p95 latency_ms <= 200"]
ROWS = 1_500


def document(proposed: str = "gbm", criteria=CRITERIA, threshold: float = 0.4) -> dict:
    return {"data": {"target": "label", "positive_class": "yes"}, "model": {"proposed_candidate": proposed},
            "evaluation": {"success_criteria": list(criteria), "decision_threshold": threshold}}


@dataclass
class Row:
    """A stored baseline run as design.evidence reads it (its verdicts differ from the candidate's on purpose)."""

    kind: str
    summary: dict
    dataset_hash: str
    dataset_id: int | None = None


def _interval(value, low, high, trials=600):
    return {"value": value, "low": low, "high": high, "method": "wilson", "rows": ROWS, "trials": trials,
            "successes": int(value * trials), "basis": "rows"}


def baseline_run(dataset_hash: str) -> Row:
    found = {"roc auc": _interval(0.66, 0.63, 0.69), "recall": _interval(0.80, 0.77, 0.83),
             "pr auc": _interval(0.60, 0.56, 0.64)}
    return Row("run", {"dataset": "test.csv", "target": "label", "task": "binary", "best_model": "Logistic regression",
                       "score": 0.66, "metrics": {k: v["value"] for k, v in found.items()}, "intervals": found,
                       "criteria": CRITERIA, "decision_threshold": 0.4, "threshold_from_document": True,
                       "beats_dummy": True, "lift": "beats the dummy"}, dataset_hash, 1)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """A project whose document proposes 'gbm': gbm v1 (no baseline), gbm v2 (against the baseline on the same rows,
    a planted weak slice) and rf v1, evaluated in that order; the baseline run's verdicts as a stored row."""
    db = open_store(tmp_path_factory.mktemp("candidates") / "home")
    project = create_project(db, "Churn", created_by=ANA)
    save_revision(db, project.id, document(), ANA, None)
    data = scored(ROWS, seed=5, plant=True)
    dataset, _ = add_dataset(db, project.id, "test.csv",
                             read_csv(data.drop(columns="score").to_csv(index=False).encode(), "test.csv"), ANA)
    truth = (data["label"] == "yes").to_numpy()
    weak = 1 / (1 + np.exp(-(-0.5 + 1.5 * data["x0"].to_numpy())))     # reads one of the two columns
    baseline = pd.DataFrame({"row": np.arange(ROWS), "truth": truth.astype(float),
                             "predicted": (weak >= 0.5).astype(float), "score": weak})
    asked = {"table": "run-1", "name": "Logistic regression", "classes": ["no", "yes"], "positive_label": "yes"}
    roles = {"target": "label", "key": "id", "scores": {"yes": "score"}}
    noisy = data[["id"]].assign(score=np.clip(data["score"] + np.random.default_rng(1).normal(0, 0.3, ROWS), 0, 1))
    record_candidate(db, project.id, dataset, "gbm", noisy, roles)
    record_candidate(db, project.id, dataset, "gbm", data[["id", "score"]], roles, baseline=baseline,
                     baseline_asked=asked)
    record_candidate(db, project.id, dataset, "rf", noisy.assign(score=noisy["score"].round(2)), roles)
    yield {"db": db, "project": project, "dataset": dataset,
           "rows": [*list_evidence(db, project.id), baseline_run(dataset.content_hash)],
           "versions": [v for m in list_models(db, project.id) for v in m.versions]}
    db.close()


def view(store, content=None, hashes=None, versions=None):
    return build_view(store["rows"], {store["dataset"].content_hash} if hashes is None else hashes,
                      content or document(), versions=store["versions"] if versions is None else versions)


def blockers(store, content=None, **options):
    content = content or document()
    return b.find_blockers(1, content, view(store, content, **options))


# --- notes -------------------------------------------------------------------------------------------------------

def test_each_candidate_model_gets_a_note_of_its_latest_version_newest_first_before_the_run(store):
    found = view(store)
    assert [c.label for c in found.candidates] == ["rf v1", "gbm v2"]
    assert [(n.kind, n.title) for n in found.notes["evaluation"]] == [
        ("candidate", "Candidate rf v1 on test.csv"),
        ("candidate", "Candidate gbm v2 on test.csv (the proposed candidate)"),
        ("run", "Best baseline run on test.csv")]
    gbm = found.proposed
    assert gbm.label == "gbm v2" and (gbm.name, gbm.version) == ("gbm", 2) and gbm.note.stale is None
    lines = gbm.note.lines
    assert lines[0] == "gbm v2: 1,500 rows judged; criteria: 1 fail, 1 inconclusive, 1 not measured, 2 pass."
    assert lines[1].startswith("Decision threshold 0.4, from the design document")
    assert lines[2].startswith("recall[region=north] >= 0.8: On the slice region = north: recall ")   # failing first
    assert lines[3].startswith("recall >= 0.72: recall 0.716, 95 % interval ")
    assert any(x.startswith("pr auc >= baseline + 0.02: PR AUC of gbm v2 minus Logistic regression's on the same "
                            "1,500 rows: +") for x in lines)
    assert any(x.startswith("gbm v2 beats Logistic regression by ") and x.endswith(" on 1,500 rows.") for x in lines)
    assert any(x.startswith("gbm v2 beats the dummy floor by ") for x in lines)
    assert any(x.startswith("Weakest slices (overall ROC AUC") and "region = north" in x for x in lines)


def test_the_document_can_propose_one_version_which_is_then_shown_beside_the_latest(store):
    found = view(store, document("GBM  v1"))
    assert [(c.label, c.proposed) for c in found.candidates] == [("rf v1", False), ("gbm v2", False),
                                                                 ("gbm v1", True)]
    assert found.proposed.label == "gbm v1" and found.proposed_name == "GBM v1"


# --- blockers ------------------------------------------------------------------------------------------------------

def test_the_proposed_candidates_failing_inconclusive_and_unmeasured_criteria_block_beside_the_baselines(store):
    found = blockers(store)
    titles = [(x.kind, x.title) for x in found]
    assert titles[:5] == [
        (b.FAILING, "recall[region=north] >= 0.8 fails on the proposed candidate (gbm v2)"),
        (b.FAILING, "roc auc >= 0.7 fails on the best run (Logistic regression)"),
        (b.INCONCLUSIVE_CRITERION, "recall >= 0.72 is inconclusive on the proposed candidate (gbm v2)"),
        (b.INCONCLUSIVE_CRITERION, "recall[region=north] >= 0.8 is inconclusive on the best run (Logistic "
                                   "regression)"),
        (b.UNMEASURED, "p95 latency_ms <= 200 is not measured on the proposed candidate (gbm v2)")]
    assert titles[5][0] == b.MISSING
    assert not any("pr auc >= baseline + 0.02" in t for _, t in titles)      # passes on the paired difference
    assert not any(t == "p95 latency_ms <= 200 is not measured" for _, t in titles)        # said once, on gbm v2
    first = found[0]
    assert first.query == {"project": "1", "model": "gbm", "version": "2"} and first.place.endswith("· gbm v2")
    assert "On the slice region = north: recall " in first.detail and "from " in first.detail


def test_without_a_proposal_candidates_block_nothing_and_relative_criteria_wait_for_one(store):
    titles = [x.title for x in blockers(store, document(proposed=""))]
    assert not any("candidate" in t for t in titles)
    assert "pr auc >= baseline + 0.02 is not measured" in titles
    assert "p95 latency_ms <= 200 is not measured" in titles


def test_a_proposal_naming_no_evaluated_candidate_is_missing_evidence(store):
    found = [x for x in blockers(store, document(proposed="xgb")) if x.kind == b.MISSING][0]
    assert found.title == "No evaluation of the proposed candidate 'xgb'"
    assert "(evaluated: rf v1, gbm v2)" in found.detail and found.url == "design?project=1&section=model"


# --- stale when the candidate's data changed ----------------------------------------------------------------------

def test_a_candidate_is_stale_when_its_data_its_version_its_criteria_or_its_threshold_changed(store):
    gone = view(store, hashes=set()).proposed.note.stale
    assert gone == "computed on data that is no longer in the project (deleted or replaced)"
    live = [v for v in store["versions"] if v.label != "gbm v2"]
    assert view(store, versions=live).proposed.note.stale == ("this version (gbm v2) is no longer among the "
                                                              "project's candidate models (deleted)")
    changed = view(store, document(criteria=CRITERIA[:-1])).proposed.note.stale
    assert changed == "the success criteria changed after this evaluation"
    moved = view(store, document(threshold=0.3)).proposed.note.stale
    assert moved.startswith("the decision threshold changed after this run (it ran at 0.4; the document now says 0.3")


def test_a_scored_file_is_its_own_data_and_only_the_proposed_candidates_staleness_blocks(store):
    scored_file = [dataclasses.replace(v, dataset_hash=None) for v in store["versions"]]     # no dataset joined
    assert build_view(store["rows"], set(), document(), versions=scored_file).proposed.note.stale is None
    live = [v for v in store["versions"] if v.label != "rf v1"]
    stale = [x for x in blockers(store, versions=live) if x.kind == b.STALE]
    assert stale == []                                      # rf v1 is stale, but it is not what the review decides on
    live = [v for v in store["versions"] if v.label != "gbm v2"]
    stale = [x for x in blockers(store, versions=live) if x.kind == b.STALE]
    assert [x.title for x in stale] == ["Stale: Candidate gbm v2 on test.csv (the proposed candidate)"]


# --- side by side ------------------------------------------------------------------------------------------------

def test_per_criterion_the_candidates_verdict_comes_first_and_the_baselines_beside_it_failing_first(store):
    table = side_by_side(view(store), document())
    assert table.candidate.label == "gbm v2" and table.baseline == "the best run (Logistic regression)"
    assert table.why == "the candidate the Model section proposes ('gbm')"
    shown = [(r.criterion, r.candidate.status, r.baseline.status) for r in table.rows]
    assert shown == [("recall[region=north] >= 0.8", "fail", "inconclusive"),
                     ("recall >= 0.72", "inconclusive", "pass"),
                     ("p95 latency_ms <= 200", "not measured", "not measured"),
                     ("roc auc >= 0.7", "pass", "fail"),
                     ("pr auc >= baseline + 0.02", "pass", "not measured")]
    assert table.sentences[0].startswith("gbm v2 beats Logistic regression by ")
    assert table.sentences[-1].startswith("gbm v2 beats the dummy floor by ")
    newest = side_by_side(view(store, document(proposed="")), document(proposed=""))
    assert newest.candidate.label == "rf v1" and newest.why.endswith("the Model section proposes none")


def test_a_stored_versions_own_facts_name_it_whatever_its_label(store):
    row = next(r for r in store["rows"] if r.kind == "candidate")
    named = dataclasses.replace(row, summary={**row.summary, "candidate": "Gradient boosting (7)",
                                              "version": {"id": 9, "name": "gbm", "number": 7,
                                                          "label": "Gradient boosting (7)"}})
    found = build_view([named], {store["dataset"].content_hash}, document(), versions=None).proposed
    assert (found.label, found.name, found.version) == ("Gradient boosting (7)", "gbm", 7)
