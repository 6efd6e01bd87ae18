"""Evidence that does not mislead (issue 14): criteria checked against 95 % intervals, the document's threshold and
criteria driving the run, the floor in view, the imbalance alert, and criteria the baselines cannot measure."""
from __future__ import annotations

import html
import json

import numpy as np
import pandas as pd
import pytest

from analysis.baselines.metrics import (
    Confusion,
    Curves,
    choose_primary_metric,
    classification_metrics,
    regression_metrics,
)
from analysis.baselines.run import (
    DUMMY,
    BaselineRun,
    ModelResult,
    RunSettings,
    _floor_notes,
    criterion_evidence,
    headline_metrics,
    run_baselines,
)
from analysis.evidence import run_settings_key, run_summary
from analysis.intervals import Interval, metric_intervals, wilson
from analysis.profile.alerts import find_alerts
from analysis.profile.describe import describe_dataset
from components.baseline_charts import threshold_figure
from design.checks import (
    FAIL,
    INCONCLUSIVE,
    NOT_MEASURED,
    PASS,
    check_criteria,
    document_run_choices,
    ranges_text,
    threshold_passes,
)
from design.criteria import parse_criterion
from design.evidence import build_view
from design.readiness import NA, EvidenceDigest, assess_readiness
from sample_data.seed import sample_document
from tests.design.test_blockers import SAMPLE_SLICES  # the sample's slice criteria, passing

SAMPLE = sample_document()["content"]
NUMERIC = "numeric"


def criteria(*texts: str):
    return [parse_criterion(t) for t in texts]


def frame_of(rows: int, share: float, signal: float, seed: int) -> tuple[pd.DataFrame, dict[str, str]]:
    """A binary table: four numeric features, 'label' yes/no with about ``share`` yes; ``signal`` 0 is pure noise."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, 4))
    logit = np.log(share / (1 - share)) + signal * x[:, 0]
    frame = pd.DataFrame(x.round(4), columns=["a", "b", "c", "d"])
    frame["label"] = np.where(rng.random(rows) < 1 / (1 + np.exp(-logit)), "yes", "no")
    return frame, {"a": NUMERIC, "b": NUMERIC, "c": NUMERIC, "d": NUMERIC, "label": "categorical"}


def quick(frame, types, **settings) -> BaselineRun:
    base = dict(target="label", task="binary", models=(DUMMY, "Logistic regression"), positive_label="yes")
    return run_baselines(frame, types, RunSettings(**{**base, **settings}))


# --- intervals ----------------------------------------------------------------------------------------------------

def test_wilson_holds_on_small_counts():
    none = wilson(0, 5, "predicted positives")
    assert none.value == 0 and none.low == 0 and none.high == pytest.approx(0.4345, abs=1e-3)
    half = wilson(5, 10, "predicted positives")
    assert (half.low, half.high) == (pytest.approx(0.2366, abs=1e-3), pytest.approx(0.7634, abs=1e-3))
    assert half.counts_text() == "from 10 predicted positives"
    empty = wilson(0, 0, "predicted positives")
    assert empty.value is None and (empty.low, empty.high) == (0.0, 1.0)


@pytest.mark.parametrize("task", ["binary", "multiclass", "regression"])
def test_interval_values_are_scikit_learns_metrics_on_all_rows(task):
    rng = np.random.default_rng(1)
    n = 800
    if task == "regression":
        y = rng.normal(5, 1, n)
        scores = y + rng.normal(0, 0.5, n)
        expected = regression_metrics(y, scores)
    else:
        k = 2 if task == "binary" else 4
        y = rng.integers(0, k, n)
        scores = rng.dirichlet(np.ones(k), n) + 0.4 * np.eye(k)[y]
        scores = (scores / scores.sum(axis=1, keepdims=True)).round(2)   # ties, as real scores have
        scores = scores / scores.sum(axis=1, keepdims=True)
        expected = classification_metrics(y, scores, 1 if k == 2 else None, 0.35)
    found = metric_intervals(task, y, scores, tuple("abcd"[:scores.shape[1]]) if task != "regression" else (),
                             1 if task == "binary" else None, 0.35, random_state=0, resamples=200)
    assert set(found) == set(expected)
    for name, value in expected.items():
        assert found[name].value == pytest.approx(value, abs=1e-6), name
        assert found[name].low <= found[name].value <= found[name].high, name
        assert found[name].high - found[name].low < 0.3, name


def test_bootstrap_is_seeded_and_bounded_above_its_row_limit():
    rng = np.random.default_rng(2)
    y = rng.integers(0, 2, 30_000)
    p = np.clip(0.5 + 0.2 * (y - 0.5) + rng.normal(0, 0.2, len(y)), 0, 1)
    scores = np.c_[1 - p, p]
    first = metric_intervals("binary", y, scores, ("n", "y"), 1, 0.5, random_state=7, resamples=100)
    again = metric_intervals("binary", y, scores, ("n", "y"), 1, 0.5, random_state=7, resamples=100)
    assert first == again
    auc = first["roc auc"]
    assert auc.subsample == 20_000 and "resamples of 20,000 rows, spread scaled to all rows" in auc.counts_text()
    assert 0 < auc.high - auc.low < 0.02


# --- verdicts -----------------------------------------------------------------------------------------------------

def test_verdicts_read_the_interval_and_say_the_counts():
    measured = {"precision": wilson(5, 10, "predicted positives"), "recall": wilson(190, 200, "positive rows"),
                "specificity": wilson(60, 100, "negative rows"),
                "roc auc": Interval(0.91, 0.88, 0.94, "bootstrap", 569, resamples=400)}
    checks = check_criteria(criteria("precision >= 0.3", "recall >= 0.9", "specificity >= 0.8", "auc >= 0.9",
                                      "fpr <= 0.5", "p95 latency_ms <= 300"), measured, "the best model", "binary")
    assert [c.status for c in checks] == [INCONCLUSIVE, PASS, FAIL, INCONCLUSIVE, PASS, NOT_MEASURED]
    assert checks[0].reason == ("precision 0.5, 95 % interval 0.237-0.763, from 10 predicted positives: inconclusive "
                                "(the interval contains 0.3); more data or a lower threshold would tell.")
    assert "from 200 positive rows: pass (the whole interval is at or above 0.9)" in checks[1].reason
    assert "fail (the whole interval is below 0.8)" in checks[2].reason
    assert checks[3].reason.startswith("auc 0.91, 95 % interval 0.88-0.94, bootstrap of 569 out-of-fold predictions")
    assert checks[4].value == pytest.approx(0.4)
    assert (checks[4].low, checks[4].high) == (pytest.approx(0.3094, abs=1e-3), pytest.approx(0.4980, abs=1e-3))
    assert checks[4].reason.startswith("fpr 0.4, 95 % interval 0.309-0.498, from 100 negative rows: pass")   # 1 - spec.
    assert "load test" in checks[5].reason and checks[5].value is None


def test_a_number_without_an_interval_is_inconclusive_and_asks_for_a_new_run():
    check = check_criteria(criteria("recall >= 0.8"), {"recall": 0.93})[0]
    assert check.status == INCONCLUSIVE and "Run the baselines again" in check.reason


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_noise_never_passes_a_criterion(seed):
    frame, types = frame_of(400, 0.5, 0.0, seed)
    run = quick(frame, types)
    bars = criteria("roc auc >= 0.6", "pr auc >= 0.6", "precision >= 0.6", "balanced accuracy >= 0.6",
                    "accuracy >= 0.6", "f1 >= 0.7", "brier score <= 0.2")
    checks = check_criteria(bars, criterion_evidence(run), "the best model", run.task)
    assert PASS not in [c.status for c in checks], [(str(c.criterion), c.reason) for c in checks]


def test_strong_signal_on_many_rows_passes_and_a_far_bar_fails():
    frame, types = frame_of(3_000, 0.4, 3.0, 4)
    run = quick(frame, types)
    checks = check_criteria(criteria("roc auc >= 0.8", "roc auc >= 0.99"), criterion_evidence(run), "x", run.task)
    assert [c.status for c in checks] == [PASS, FAIL]


# --- the document's choices ---------------------------------------------------------------------------------------

def test_the_document_threshold_changes_the_counts_and_the_key():
    frame, types = frame_of(600, 0.3, 1.5, 5)
    default, chosen = quick(frame, types), quick(frame, types, decision_threshold=0.2)
    assert default.decision_threshold == 0.5 and chosen.decision_threshold == 0.2
    lr = "Logistic regression"
    low, half = chosen.result(lr), default.result(lr)
    assert low.curves.confusion.threshold == 0.2 and half.curves.confusion.threshold == 0.5
    assert low.curves.confusion.counts != half.curves.confusion.counts
    assert low.intervals["recall"].value > half.intervals["recall"].value
    assert low.intervals["recall"].successes == low.curves.confusion.counts[1][1]    # yes row, yes column
    assert low.metrics["recall"] > half.metrics["recall"]                            # fold metrics too
    assert run_settings_key(chosen.settings, None) != run_settings_key(default.settings, None)
    summary = run_summary("t.csv", chosen, [])
    assert summary["decision_threshold"] == 0.2 and summary["threshold_from_document"] is True


def test_document_choices_come_from_its_evaluation_section():
    assert document_run_choices(SAMPLE, "binary") == {"decision_threshold": 0.2, "primary_metric": "roc auc"}
    assert document_run_choices(SAMPLE, "multiclass")["decision_threshold"] is None
    bare = {**SAMPLE, "evaluation": {**SAMPLE["evaluation"], "decision_threshold": None,
                                     "success_criteria": ["recall >= 0.8", "p95 latency_ms <= 300"]}}
    assert document_run_choices(bare, "binary") == {"decision_threshold": None, "primary_metric": "pr auc"}


def test_the_criteria_choose_the_metric_that_picks_the_best_model():
    assert choose_primary_metric("binary", ["recall", "roc auc"]) == "roc auc"      # threshold-free first
    assert choose_primary_metric("binary", ["Sensitivity", "precision"]) == "pr auc"
    assert choose_primary_metric("binary", ["specificity", "fpr"]) == "roc auc"
    assert choose_primary_metric("binary", ["brier", "roc auc"]) == "brier score"
    assert choose_primary_metric("multiclass", ["accuracy"]) == "accuracy"
    assert choose_primary_metric("regression", ["p95 latency_ms", "MAE"]) == "mae"
    assert choose_primary_metric("binary", ["p95 latency_ms"]) == "roc auc"
    frame, types = frame_of(500, 0.3, 1.0, 6)
    run = quick(frame, types, primary_metric="PR-AUC")
    assert run.primary_metric == run.settings.primary_metric == "pr auc"
    scored = [r for r in run.results if r.name != DUMMY]
    assert run.best_model == max(scored, key=lambda r: r.metrics["pr auc"]).name
    with pytest.raises(ValueError, match="not a metric of a binary task"):
        quick(frame, types, primary_metric="rmse")


def test_threshold_explorer_marks_where_each_criterion_passes():
    frame, types = frame_of(2_000, 0.3, 2.5, 7)
    grid = quick(frame, types).result("Logistic regression").curves.thresholds
    found = {str(p.criterion): p for p in threshold_passes(criteria("recall >= 0.8", "precision >= 0.7",
                                                                     "roc auc >= 0.9"), grid)}
    assert set(found) == {"recall >= 0.8", "precision >= 0.7"}               # ROC AUC needs no threshold
    recall, precision = found["recall >= 0.8"], found["precision >= 0.7"]
    assert recall.passes and recall.passes[0] == 0.0 and max(recall.passes) < 0.5   # low thresholds find positives
    assert precision.passes and min(precision.passes) > max(recall.passes) * 0.5
    assert set(recall.passes) <= set(recall.point)                           # the interval is stricter than the point
    assert ranges_text((0.0, 0.01, 0.02, 0.3)) == "0.00-0.02, 0.30" and ranges_text(()) == "none"

    figure = threshold_figure(grid, list(found.values()), 0.35)
    names = [html.unescape(t.name) for t in figure.data][-2:]              # trace names may be escaped for Plotly
    assert names == ["recall >= 0.8 passes", "precision >= 0.7 passes"]
    assert len(figure.layout.shapes) >= 3                                    # the bands, the bars, the threshold


# --- the floor ----------------------------------------------------------------------------------------------------

def test_five_percent_positives_call_out_the_majority_and_lead_with_recall():
    frame, types = frame_of(1_000, 0.05, 0.3, 8)
    run = quick(frame, types)
    assert headline_metrics(run) == ("recall", "precision", "pr auc")
    assert any(n.startswith("Accuracy no better than predicting the majority class 'no' for every row") and
               "Logistic regression" in n and "predicts 'no' for" in n for n in run.floor_notes), run.floor_notes
    alerts = {a.kind: a for a in describe_dataset(frame, types, target="label").alerts}
    reason = alerts["imbalance"].reason
    assert reason.startswith("Class 'yes' is ") and "For evaluation this means" in reason
    assert "judge models by recall, precision and PR AUC of 'yes'" in reason


def test_imbalance_alert_starts_under_ten_percent_and_is_configurable():
    def imbalance(rare: int, share: float | None = None) -> list[str]:
        frame = pd.DataFrame({"x": np.arange(200.0), "label": ["rare"] * rare + ["common"] * (200 - rare)})
        profile = describe_dataset(frame, {"x": NUMERIC, "label": "categorical"}, target="label")
        options = {} if share is None else {"imbalance_share": share}
        return [a.reason for a in find_alerts(200, 0, profile.columns, profile.correlations, profile.target, **options)
                if a.kind == "imbalance"]

    assert len(imbalance(16)) == 1 and imbalance(16)[0].startswith("Class 'rare' is 8.0% of the rows (16 of 200")
    assert "5-fold cross-validation tests about 3 'rare' rows per fold" in imbalance(16)[0]
    assert imbalance(16, share=0.05) == []                      # configurable
    assert imbalance(30) == []                                  # 15 %: no alert


def _result(name: str, intervals: dict[str, float]) -> ModelResult:
    return ModelResult(name, "done", folds_done=1, n_folds=1,
                       intervals={m: Interval(v, v, v, "bootstrap", 100) for m, v in intervals.items()})


def test_best_model_below_the_dummy_on_another_metric_is_said():
    dummy = _result(DUMMY, {"roc auc": 0.5, "log loss": 0.45, "brier score": 0.14, "pr auc": 0.2})
    best = _result("Naive Bayes", {"roc auc": 0.7, "log loss": 1.3, "brier score": 0.2, "pr auc": 0.35})
    notes = _floor_notes([dummy, best], "Naive Bayes", "roc auc", "binary", ("no", "yes"), 1)
    assert notes == ("Naive Bayes, the best model by ROC AUC, is below the dummy floor on log loss (1.3 vs 0.45), "
                     "brier score (0.2 vs 0.14): on those metrics predicting from the class shares alone does better.",)


def test_multiclass_best_by_balanced_accuracy_below_the_majority_is_called_out():
    counts = ((60, 30, 10), (2, 14, 4), (1, 3, 16))      # 140 rows, 'a' is 100 of them (0.714); 90 called right
    accuracy = wilson(90, 140, "rows")
    best = ModelResult("Random forest", "done", folds_done=1, n_folds=1, curves=Curves(140, confusion=Confusion(
        ("a", "b", "c"), counts, None)), intervals={"accuracy": accuracy,
                                                    "balanced accuracy": Interval(0.7, 0.6, 0.8, "bootstrap", 140)})
    dummy = ModelResult(DUMMY, "done", folds_done=1, n_folds=1, intervals={
        "accuracy": wilson(100, 140, "rows"), "balanced accuracy": Interval(1 / 3, 1 / 3, 1 / 3, "bootstrap", 140)})
    notes = _floor_notes([dummy, best], "Random forest", "balanced accuracy", "multiclass", ("a", "b", "c"), None)
    assert notes[0].startswith("Accuracy no better than predicting the majority class 'a' for every row (0.714): "
                               "Random forest 0.643")
    assert "it predicts 'a' for 45% of rows" in notes[0]
    assert notes[0].endswith("so accuracy says little here: judge by balanced accuracy and each class's recall.")


# --- stored runs, evidence and readiness --------------------------------------------------------------------------

def test_a_run_stored_before_intervals_still_loads_and_asks_to_run_again():
    frame, types = frame_of(300, 0.4, 2.0, 9)
    stored = quick(frame, types).to_dict()
    assert stored["format"] == 3
    old = json.loads(json.dumps(stored))
    old["format"] = 1
    for key in ("decision_threshold", "floor_notes"):
        old.pop(key)
    for result in old["results"]:
        result.pop("intervals")
    run = BaselineRun.from_dict(old)
    assert run.decision_threshold == 0.5 and run.best().intervals == {}
    check = check_criteria(criteria("roc auc >= 0.7"), criterion_evidence(run), "the best model", run.task)[0]
    assert check.status == INCONCLUSIVE and "Run the baselines again" in check.reason
    with pytest.raises(ValueError, match="stored in format 99"):
        BaselineRun.from_dict({**stored, "format": 99})


def test_latency_is_not_measured_and_not_a_readiness_failure():
    measured = {"recall": wilson(204, 205, "positive rows"), "specificity": wilson(345, 357, "negative rows"),
                "roc auc": Interval(0.995, 0.99, 0.999, "bootstrap", 569, resamples=400),
                "brier score": Interval(0.02, 0.013, 0.027, "bootstrap", 569, resamples=400)}
    evidence = EvidenceDigest(profiled=1, target_type="binary", minority_share=0.37, leakage_checked=True,
                              run_metrics={k: v.value for k, v in measured.items()},
                              run_intervals={k: v.__dict__ for k, v in measured.items()}, run_task="binary",
                              beats_dummy=True, lift="beats", drift_checked=True, run_slices=SAMPLE_SLICES)
    readiness = assess_readiness(SAMPLE, evidence)
    items = {i.text: i for i in readiness.items}
    assert items["Success criteria met by the best run"].status == "pass"
    latency = items["Criteria the baselines cannot measure"]
    assert latency.status == NA and latency.reason.startswith("1 not measured by the baselines, so counted apart from "
                                                              "failures. p95 latency_ms <= 300: Not measured here")
    assert readiness.overall == 1.0
    unsure = {**measured, "recall": wilson(190, 200, "positive rows")}          # 0.95, interval 0.91-0.97
    readiness = assess_readiness(SAMPLE, EvidenceDigest(**{
        **evidence.__dict__, "run_intervals": {k: v.__dict__ for k, v in unsure.items()}}))
    item = next(i for i in readiness.items if i.text == "Success criteria met by the best run")
    assert item.status == "fail" and item.reason.startswith("1 inconclusive (the interval straddles the bar): "
                                                            "recall >= 0.95: recall 0.95, 95 % interval")


class Row:
    def __init__(self, summary, dataset_hash="h", kind="run"):
        self.kind, self.section, self.summary, self.dataset_hash = kind, "evaluation", summary, dataset_hash
        self.created_at, self.resolved_keys = "2026-01-01", []


def test_review_evidence_says_the_threshold_and_marks_a_changed_one_stale():
    frame, types = frame_of(400, 0.3, 2.0, 10)
    run = quick(frame, types, decision_threshold=0.2)
    summary = run_summary("t.csv", run, criteria("recall >= 0.5", "p95 latency_ms <= 300"))
    content = {**SAMPLE, "evaluation": {**SAMPLE["evaluation"], "success_criteria": ["recall >= 0.5",
                                                                                     "p95 latency_ms <= 300"]}}
    view = build_view([Row(summary)], {"h"}, content)
    note = view.notes["evaluation"][0]
    assert note.stale is None
    assert "Decision threshold 0.2, from the design document: every threshold metric, criterion and the confusion " \
           "matrix use it." in note.lines
    assert any(line.startswith("recall >= 0.5: recall ") and "95 % interval" in line for line in note.lines)
    moved = {**content, "evaluation": {**content["evaluation"], "decision_threshold": 0.3}}
    assert "the decision threshold changed after this run (it ran at 0.2; the document now says 0.3)" == \
        build_view([Row(summary)], {"h"}, moved).notes["evaluation"][0].stale


def test_too_good_to_be_true_is_the_one_message_of_a_run():
    frame, types = frame_of(400, 0.4, 2.0, 11)
    frame["leak"] = (frame["label"] == "yes").astype(float)
    run = quick(frame, {**types, "leak": NUMERIC})
    assert run.too_good_flags and run.beats_dummy
    summary = run_summary("t.csv", run, [])
    lines = build_view([Row(summary)], {"h"}, SAMPLE).notes["evaluation"][0].lines
    assert lines[0].startswith("Too good to be true?") and not any("beats the dummy floor" in line for line in lines)
