"""A candidate model judged from its predictions (analysis.candidate): every bad input named in one message, a good
candidate's verdicts, the dummy floor, slices, the comparison with a baseline on the same rows, the unit's plan."""
from __future__ import annotations

from statistics import NormalDist

import numpy as np
import pandas as pd
import pytest

from analysis.candidate.latency import percentile_interval
from analysis.candidate.paired import compare
from analysis.candidate.plan import CandidateError, load, plan_candidate
from analysis.candidate.unit import UNIT, InMemory
from analysis.column_types import infer_column_types
from analysis.intervals import metric_intervals, paired_difference
from analysis.units import REGISTERED, Cancelled, DatasetMeta, Progress
from bench.candidate import coverage as paired_coverage


def scored(rows: int = 3_000, seed: int = 0, plant: bool = False) -> pd.DataFrame:
    """A scored test file: features, the label (yes / no) and a good model's score (the true logit plus a little
    noise); with ``plant``, labels of region 'north' are flipped at random with probability 0.35."""
    rng = np.random.default_rng(seed)
    x0, x1 = rng.normal(size=rows), rng.normal(size=rows)
    region = rng.choice(["north", "south", "east", "west"], rows)
    logit = -0.5 + 1.5 * x0 - 1.0 * x1
    y = rng.random(rows) < 1 / (1 + np.exp(-logit))
    if plant:
        y = np.where((region == "north") & (rng.random(rows) < 0.35), ~y, y)
    score = 1 / (1 + np.exp(-(logit + rng.normal(scale=0.3, size=rows))))
    return pd.DataFrame({"id": np.arange(1000, 1000 + rows), "x0": x0.round(4), "x1": x1.round(4), "region": region,
                         "plan": rng.choice(["a", "b", "c"], rows), "label": np.where(y, "yes", "no"),
                         "score": score.round(6)})


def document(criteria=(), threshold=None) -> dict:
    evaluation = {"success_criteria": list(criteria)}
    if threshold is not None:
        evaluation["decision_threshold"] = threshold
    return {"data": {"target": "label", "positive_class": "yes"}, "evaluation": evaluation}


def meta(frame: pd.DataFrame, name: str = "predictions", role: str | None = "test") -> DatasetMeta:
    return DatasetMeta(name, name, len(frame), len(frame.columns), infer_column_types(frame), role=role)


def run(predictions=None, asked=None, *, dataset=None, document_=None, baseline=None, latencies=None):
    """Plan (every check) and compute; returns (plan, summary, payload)."""
    frames = {}
    metas = {}
    for name, frame in (("predictions", predictions), ("dataset", dataset), ("baseline", baseline),
                        ("latencies", latencies)):
        if frame is not None:
            metas[name] = meta(frame, name)
            frames[name] = (frame, metas[name])
    asked = dict(asked or {})
    if baseline is not None:
        asked.setdefault("baseline", {"table": "baseline", "name": "Logistic regression"})
    if latencies is not None:
        asked.setdefault("latency", {"table": "latencies"})
    plan = plan_candidate(metas.get("predictions") or metas["latencies"], asked, predictions=predictions,
                          dataset=dataset, dataset_meta=metas.get("dataset"), document=document_, baseline=baseline,
                          latencies=latencies, latency_meta=metas.get("latencies"))
    computed = UNIT.compute(plan, InMemory(frames), Progress())
    return plan, computed.summary, computed.payload


def refused(*args, **kwargs) -> CandidateError:
    with pytest.raises(CandidateError) as info:
        run(*args, **kwargs)
    return info.value


def checks(summary: dict) -> dict[str, str]:
    return {c["criterion"]: c["status"] for c in summary["checks"]}


# --- bad input: each problem named, with what to do ----------------------------------------------------------------

def test_a_predictions_file_for_another_dataset_matches_no_key():
    dataset = scored(500).drop(columns="score")
    predictions = pd.DataFrame({"id": np.arange(90_000, 90_400), "score": np.linspace(0, 1, 400)})
    error = refused(predictions, {"key": "id"}, dataset=dataset, document_=document())
    assert "No key in the predictions' 'id' matches a row of the stored dataset" in str(error)
    assert "this predictions file is for another dataset" in str(error)


def test_some_unmatched_keys_and_repeated_keys_are_each_named_in_one_message():
    dataset = scored(500).drop(columns="score")
    predictions = pd.DataFrame({"id": [*range(1000, 1300), 1000, 1001, 5_000_000],
                                "score": np.linspace(0, 1, 303)})
    error = refused(predictions, {}, dataset=dataset, document_=document())
    text = str(error)
    assert len(error.problems) == 2 and text.startswith("These predictions cannot be evaluated yet (2 problems)")
    assert "2 key(s) appear more than once in the predictions' 'id' (for example '1000', '1001')" in text
    assert "1 of 303 prediction rows have a 'id' the stored dataset lacks (for example '5000000')" in text


def test_a_dataset_whose_key_repeats_cannot_be_joined():
    dataset = scored(300).drop(columns="score")
    dataset.loc[5, "id"] = dataset.loc[4, "id"]
    predictions = dataset[["id"]].drop_duplicates().assign(score=0.4)
    assert "The stored dataset's 'id' repeats 1 value(s) (for example '1004')" in str(
        refused(predictions, {"key": "id"}, dataset=dataset, document_=document()))


def test_scores_outside_zero_to_one_with_text_and_empty_cells_are_each_named():
    frame = scored(400).astype({"score": object})
    frame.loc[3, "score"] = "high"
    frame.loc[4, "score"] = 3.7
    frame.loc[5, "score"] = -1.2
    frame.loc[6, "score"] = None
    text = str(refused(frame, {}, document_=document()))
    assert "Score column 'score' holds text: 1 of 400 values are not numbers (for example 'high')" in text
    assert "Score column 'score' is empty on 1 of 400 rows" in text
    assert "Score column 'score' has 2 value(s) outside 0-1 (from -1.2 to 3.7)" in text
    assert "turn them into probabilities (a sigmoid or softmax)" in text


def test_multiclass_probabilities_that_do_not_sum_to_one_are_refused():
    frame = multiclass(600)
    frame.loc[10, "proba_b"] += 0.3
    text = str(refused(frame, {"target": "kind"}))
    assert "The probabilities per class ('proba_a', 'proba_b', 'proba_c') do not sum to 1 on 1 of 600 rows" in text
    assert "row 11 sums to 1.3" in text


def test_labels_that_are_not_classes_of_the_target_are_named_with_the_classes():
    frame = scored(300).drop(columns="score").assign(predicted="no")
    frame.loc[[1, 2], "predicted"] = "maybe"
    text = str(refused(frame, {}, document_=document()))
    assert "Label column 'predicted' holds 2 value(s) that are not classes of the target 'label' (for example " \
           "'maybe'); its classes are 'no', 'yes'" in text


def test_a_score_column_that_is_the_target_itself_is_refused_by_name_and_by_values():
    frame = scored(300)
    named = str(refused(frame, {"scores": "label", "target": "label"}, document_=document()))
    assert "is the target itself" in named
    leaked = frame.assign(score=(frame["label"] == "yes").astype(float))
    text = str(refused(leaked, {}, document_=document()))
    assert "Score column 'score' holds exactly the target (1 on every 'yes' row, 0 elsewhere)" in text


def test_columns_that_cannot_be_found_say_what_to_name():
    frame = scored(200).rename(columns={"score": "s"})
    assert "Name the model's score column(s) or its predicted label column" in str(
        refused(frame, {}, document_=document()))
    assert "The target column 'outcome' is not in the predictions" in str(refused(frame, {"target": "outcome"}))
    assert "Unknown choice(s) 'threshold'" in str(refused(frame, {"threshold": 0.3}))


def test_a_baseline_on_other_rows_or_with_other_truth_is_refused():
    frame = scored(400)
    elsewhere = pd.DataFrame({"row": np.arange(5_000, 5_100), "score": 0.5})
    assert "share no row with the candidate's" in str(refused(frame, {}, document_=document(), baseline=elsewhere))
    truth = (frame["label"] == "yes").astype(float).to_numpy()
    shuffled = pd.DataFrame({"row": np.arange(400), "truth": truth[::-1], "score": 0.5,
                             "predicted": 0.0})
    text = str(refused(frame, {"baseline": {"table": "baseline", "name": "LR", "classes": ["no", "yes"]}},
                       document_=document(), baseline=shuffled))
    assert "The baseline's true values differ from the target on" in text and "Align them by a key column" in text


def test_a_load_test_with_text_negative_values_or_too_few_requests_is_refused():
    latencies = pd.DataFrame({"latency_ms": ["12", "oops", "-3", *["10"] * 5]})
    text = str(refused(latencies=latencies))
    assert "Latency column 'latency_ms' holds text" in text and "1 negative values" in text
    assert "a percentile needs at least 20 requests" in text


# --- a good candidate's evidence -----------------------------------------------------------------------------------

def test_a_good_candidate_passes_what_it_should_and_fails_what_it_should_not():
    frame = scored(4_000, seed=1)
    criteria = ["roc auc >= 0.75", "roc auc >= 0.95", "recall >= 0.3", "pr auc >= dummy + 0.1",
                "p95 latency_ms <= 200"]
    plan, summary, _ = run(frame, {"name": "gbm v3"}, document_=document(criteria, threshold=0.4))
    found = checks(summary)
    assert found == {"roc auc >= 0.75": "pass", "roc auc >= 0.95": "fail", "recall >= 0.3": "pass",
                     "pr auc >= dummy + 0.1": "pass", "p95 latency_ms <= 200": "not measured"}
    assert summary["counts"] == {"pass": 3, "fail": 1, "inconclusive": 0, "not measured": 1}
    assert summary["decision_threshold"] == 0.4 and summary["threshold_from_document"]
    assert plan.reasons["target"].source == "document" and plan.reasons["positive_label"].source == "document"
    assert summary["intervals"]["recall"]["method"] == "wilson"
    assert summary["dummy"]["roc auc"] == pytest.approx(0.5)
    assert summary["metrics"]["roc auc"] > summary["dummy"]["roc auc"] + 0.2
    assert summary["differences"]["dummy"]["sentences"][0].startswith("gbm v3 beats the dummy floor by")


def test_the_planted_weak_slice_is_found_and_a_slice_criterion_checked():
    frame = scored(4_000, seed=2, plant=True)
    criteria = ["roc auc >= 0.6", "recall[region=north] >= 0.8", "recall[every plan] >= 0.3"]
    _, summary, payload = run(frame, {"name": "gbm v3"}, document_=document(criteria))
    assert summary["slices"]["weak"][0]["slice"] == "region = north"
    assert checks(summary)["recall[region=north] >= 0.8"] == "fail"
    assert checks(summary)["recall[every plan] >= 0.3"] == "pass"
    worst = payload["error_analysis"]["worst"]["entries"][0]
    assert frame.loc[worst["row"], "label"] == worst["truth"]
    assert "score" not in payload["error_analysis"]["slices"]["skipped"] and not any(
        c["column"] == "score" for c in payload["error_analysis"]["slices"]["columns"])
    assert summary["calibration"]["ece"] is not None


def test_predictions_joined_by_key_read_the_datasets_rows_in_any_order():
    data = scored(1_500, seed=3)
    predictions = data[["id", "score"]].sample(frac=1.0, random_state=0).reset_index(drop=True)
    joined = run(predictions, {}, dataset=data.drop(columns="score"), document_=document(["roc auc >= 0.7"]))
    alone = run(data, {}, document_=document(["roc auc >= 0.7"]))
    assert joined[0].roles.key == "id" and joined[0].reasons["key"].source == "data"
    assert joined[1]["intervals"]["roc auc"]["value"] == alone[1]["intervals"]["roc auc"]["value"]
    worst = joined[2]["error_analysis"]["worst"]["entries"][0]
    assert data.loc[worst["row"], "label"] == worst["truth"]


def test_a_labels_only_candidate_is_judged_on_what_labels_give():
    frame = scored(2_000).assign(predicted=lambda f: np.where(f["score"] >= 0.5, "yes", "no")).drop(columns="score")
    plan, summary, _ = run(frame, {}, document_=document(["recall >= 0.5", "roc auc >= 0.7"]))
    assert plan.labels_only and plan.decision_threshold is None
    assert "roc auc" not in summary["intervals"] and "recall" in summary["intervals"]
    assert checks(summary)["roc auc >= 0.7"] == "not measured"
    assert "labels, no scores" in summary["notes"][0]


def multiclass(rows: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, rows)
    logits = rng.normal(size=(rows, 3)) + 2.0 * np.eye(3)[y]
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return pd.DataFrame({"f": rng.normal(size=rows), "kind": np.array(["a", "b", "c"])[y],
                         **{f"proba_{c}": p[:, i].round(6) for i, c in enumerate("abc")}})


def test_a_multiclass_candidate_with_a_probability_per_class():
    plan, summary, _ = run(multiclass(1_500), {"target": "kind"}, document_=None)
    assert plan.task == "multiclass" and plan.roles.scores == {"a": "proba_a", "b": "proba_b", "c": "proba_c"}
    assert summary["metrics"]["accuracy"] > 0.7 and summary["intervals"]["balanced accuracy"]["low"] is not None


def test_a_regression_candidate_with_a_baseline_on_the_same_rows():
    rng = np.random.default_rng(4)
    x = rng.normal(size=2_000)
    y = 3 * x + rng.normal(size=2_000)
    frame = pd.DataFrame({"x": x, "target": y, "prediction": 3 * x + rng.normal(scale=0.3, size=2_000)})
    baseline = pd.DataFrame({"row": np.arange(2_000), "truth": y, "predicted": 2 * x})
    plan, summary, _ = run(frame, {"name": "gbm", "criteria": ["rmse <= 1.5", "rmse <= baseline - 0.2"]},
                           baseline=baseline)
    assert plan.task == "regression"
    assert checks(summary) == {"rmse <= 1.5": "pass", "rmse <= baseline - 0.2": "pass"}
    assert summary["differences"]["baseline"]["sentences"][0].startswith("gbm beats Logistic regression by")


# --- against the baseline on the same rows -------------------------------------------------------------------------

def test_against_a_baseline_the_difference_is_said_in_words_and_relative_criteria_checked():
    frame = scored(3_000, seed=5)
    truth = (frame["label"] == "yes").to_numpy()
    weak = 1 / (1 + np.exp(-(-0.5 + 1.5 * frame["x0"].to_numpy())))      # reads one of the two columns
    baseline = pd.DataFrame({"row": np.arange(3_000), "truth": truth.astype(float),
                             "predicted": (weak >= 0.5).astype(float), "score": weak})
    criteria = ["pr auc >= baseline + 0.02", "pr auc >= baseline + 0.5", "roc auc >= baseline + 0.06",
                "fpr <= baseline"]
    asked = {"name": "gbm v3", "baseline": {"table": "baseline", "name": "Logistic regression",
                                            "classes": ["no", "yes"], "positive_label": "yes"}}
    _, summary, _ = run(frame, asked, document_=document(criteria), baseline=baseline)
    compared = summary["differences"]["baseline"]
    assert compared["rows"] == 3_000 and compared["name"] == "Logistic regression"
    pr = compared["metrics"]["pr auc"]
    assert pr["low"] > 0.02 and "paired test rows" in pr["basis"]
    assert compared["sentences"][0].startswith("gbm v3 beats Logistic regression by ")
    assert " ROC AUC (95 % interval " in compared["sentences"][0] and "on 3,000 test rows" in compared["sentences"][0]
    found = checks(summary)
    assert found["pr auc >= baseline + 0.02"] == "pass" and found["pr auc >= baseline + 0.5"] == "fail"
    assert found["roc auc >= baseline + 0.06"] in ("pass", "inconclusive", "fail")
    reason = next(c["reason"] for c in summary["checks"] if c["criterion"] == "pr auc >= baseline + 0.02")
    assert "PR AUC of gbm v3 minus Logistic regression's on the same 3,000 rows" in reason


def test_a_baseline_aligned_by_key_on_part_of_the_rows_is_compared_on_the_rows_both_predicted():
    frame = scored(2_000, seed=6)
    half = frame.iloc[::2]
    baseline = pd.DataFrame({"id": half["id"].to_numpy(), "score": 0.5 + 0.0 * half["x0"].to_numpy(),
                             "predicted": 0.0})
    asked = {"baseline": {"table": "baseline", "name": "Constant", "align": "id", "classes": ["no", "yes"],
                          "positive_label": "yes"}}
    _, summary, _ = run(frame, asked, document_=document(["roc auc >= baseline + 0.1"]), baseline=baseline)
    assert summary["differences"]["baseline"]["rows"] == 1_000 and summary["differences"]["dummy"]["rows"] == 2_000
    assert checks(summary)["roc auc >= baseline + 0.1"] == "pass"


def test_without_a_baseline_a_relative_criterion_is_not_measured():
    _, summary, _ = run(scored(800), {}, document_=document(["pr auc >= baseline + 0.02"]))
    check = summary["checks"][0]
    assert check["status"] == "not measured" and "compares a candidate model with the best baseline model" in \
        check["reason"]


# --- latency ------------------------------------------------------------------------------------------------------

def test_load_test_latencies_give_percentiles_with_intervals_and_verdicts():
    rng = np.random.default_rng(7)
    latencies = pd.DataFrame({"latency_ms": rng.exponential(50.0, 3_000)})         # true p95: 149.8 ms
    criteria = ["p95 latency_ms <= 200", "p95 latency_ms <= 100", "p99 latency_s <= 0.5", "median latency_ms <= 40"]
    plan, summary, _ = run(latencies=latencies, asked={"criteria": criteria})
    p95 = summary["latency"]["intervals"]["p95 latency ms"]
    assert p95["low"] <= -50.0 * np.log(0.05) <= p95["high"] and p95["method"] == "order statistics"
    assert checks(summary) == {"p95 latency_ms <= 200": "pass", "p95 latency_ms <= 100": "fail",
                               "p99 latency_s <= 0.5": "pass", "median latency_ms <= 40": "pass"}
    assert "order statistics of 3,000 requests" in summary["checks"][0]["reason"]
    assert plan.reasons["latency"].text.startswith("Latencies in 'latency_ms', in ms (as its name says)")


def test_a_p99_from_too_few_requests_is_inconclusive():
    latencies = pd.DataFrame({"duration": np.linspace(10, 30, 100)})
    _, summary, _ = run(latencies=latencies, asked={"criteria": ["p99 latency_ms <= 500"]})
    assert summary["checks"][0]["status"] == "inconclusive"
    assert summary["latency"]["intervals"]["p99 latency ms"]["high"] is None


def test_the_order_statistic_interval_covers_the_true_percentile():
    rng = np.random.default_rng(8)
    true = -np.log(0.05)
    held = [percentile_interval(np.sort(rng.exponential(1.0, 400)), 0.95) for _ in range(300)]
    coverage = np.mean([i.low <= true <= i.high for i in held])
    assert 0.93 <= coverage <= 0.99


# --- the paired interval ------------------------------------------------------------------------------------------

def test_the_paired_interval_contains_the_true_difference_on_generated_data():
    covered = paired_coverage(30, rows=1_000, seed=3)
    assert covered["roc auc"] >= 0.85 and covered["recall"] >= 0.85


def test_the_paired_interval_is_narrower_than_two_separate_intervals():
    rng = np.random.default_rng(9)
    y = (rng.random(3_000) < 0.3).astype(int)
    shared = rng.normal(size=3_000)
    a = 1 / (1 + np.exp(-(1.5 * y + shared + 0.3 * rng.normal(size=3_000))))
    b = 1 / (1 + np.exp(-(1.4 * y + shared + 0.3 * rng.normal(size=3_000))))
    d = compare("a", "b", "baseline", "binary", y, np.c_[1 - a, a], np.c_[1 - b, b], positive=1,
                metrics=("roc auc",)).difference("roc auc").difference
    ia = metric_intervals("binary", y, np.c_[1 - a, a], ("0", "1"), 1)["roc auc"]
    assert d.high - d.low < 0.5 * (ia.high - ia.low)


# --- the unit ------------------------------------------------------------------------------------------------------

def test_the_unit_plans_once_and_its_plan_round_trips():
    frame = scored(500)
    plan = plan_candidate(meta(frame), {"name": "gbm v3", "decision_threshold": 0.3}, predictions=frame,
                          document=document(["recall >= 0.5"], threshold=0.4))
    assert load(plan.to_dict()) == plan
    assert plan.decision_threshold == 0.3 and plan.reasons["decision_threshold"].source == "asked"
    assert (UNIT.kind, UNIT.section, UNIT.page) == ("candidate", "evaluation", "models")
    assert REGISTERED["candidate"] == "analysis.candidate.unit" and issubclass(UNIT.error, ValueError)


def test_a_cancel_stops_the_computation():
    frame = scored(500)
    plan = plan_candidate(meta(frame), {}, predictions=frame, document=document())
    with pytest.raises(Cancelled):
        UNIT.compute(plan, InMemory({"predictions": (frame, meta(frame))}),
                     Progress(report=lambda share, message, partial=None: True))


def test_a_column_named_prediction_holding_probabilities_is_read_as_the_score():
    frame = scored(600).rename(columns={"score": "prediction"})
    plan, summary, _ = run(frame, {}, document_=document())
    assert plan.roles.scores == {"yes": "prediction"} and plan.roles.label is None and not plan.labels_only
    assert "numbers between 0 and 1, not classes" in plan.reasons["scores"].text


def test_a_multiclass_candidate_with_labels_only():
    frame = multiclass(900)
    frame["predicted"] = frame[["proba_a", "proba_b", "proba_c"]].to_numpy().argmax(axis=1)
    frame["predicted"] = frame["predicted"].map(dict(enumerate("abc")))
    plan, summary, _ = run(frame.drop(columns=["proba_a", "proba_b", "proba_c"]), {"target": "kind"})
    assert plan.labels_only and plan.task == "multiclass" and plan.primary_metric == "accuracy"
    assert set(summary["intervals"]) == {"accuracy", "balanced accuracy", "precision", "recall", "specificity", "f1"}


def test_a_task_the_target_cannot_be_is_refused_with_what_to_choose():
    assert "has 3 classes, so it is not a binary task: choose multiclass" in str(
        refused(multiclass(300), {"target": "kind", "task": "binary"}))
    text = str(refused(scored(300).assign(prediction=0.3), {"task": "regression"}, document_=document()))
    assert "Target column 'label' holds text" in text


def test_the_paired_difference_of_two_proportions_keeps_its_coverage_where_few_rows_disagree():

    phi = NormalDist().cdf
    true = phi(1.6) - phi(1.1)
    rng = np.random.default_rng(12)
    held = []
    for _ in range(1_000):
        e1 = rng.normal(size=200)
        e2 = 0.6 * e1 + 0.8 * rng.normal(size=200)
        found = paired_difference(1.6 + e1 >= 0, 1.1 + e2 >= 0)
        held.append(found.low <= true <= found.high)
    assert 0.93 <= np.mean(held) <= 0.97
    both = paired_difference(np.array([True] * 8 + [False] * 2), np.array([True] * 8 + [False] * 2))
    assert both.value == 0.0 and both.low < 0 < both.high and both.method == "paired score"


def test_choices_of_the_wrong_kind_are_named_not_raised():
    text = str(refused(scored(100), {"scores": 3, "criteria": "recall >= 0.8", "target": 5, "baseline": "lr"}))
    assert "The scores must be a column name" in text and "The criteria must be a list of texts" in text
    assert "The target must be text (a column name), not 5" in text and "The baseline must be given as" in text


def test_a_decision_threshold_of_zero_calls_every_row_positive():
    _, summary, _ = run(scored(600), {"decision_threshold": 0.0, "baseline": {"table": "baseline", "name": "LR"}},
                        document_=document(), baseline=pd.DataFrame({"row": np.arange(600), "score": 0.2}))
    assert summary["metrics"]["recall"] == 1.0 and summary["metrics"]["specificity"] == 0.0
    assert summary["differences"]["baseline"]["metrics"]["recall"]["value"] == 0.0
