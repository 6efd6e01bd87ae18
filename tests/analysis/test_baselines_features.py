"""Baselines that read dates, free text and many-valued categories (issue 24), and a best model a reviewer can trust.

Each kind of column is tested on generated data whose signal lives only in that column: the suite finds it (ROC AUC
above a stated bar) with the column and does not beat the dummy floor without it. Target encoding inside the folds
gives no lift on a random many-valued category (where encoding it outside them would). Bad input is left out or read
with a reason, never a failed run.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score
from sklearn.preprocessing import TargetEncoder

from analysis.baselines.metrics import Confusion, Curves, permutation_importance
from analysis.baselines.models import TEXT_MAX_CHARS, prepare_features, text_limit
from analysis.baselines.run import (
    ModelResult,
    RunSettings,
    _choice_notes,  # the notes a run's floor_notes start with
    choose_best,
    resolve_settings,
    run_baselines,
)
from analysis.baselines.setup import choose_protocol
from analysis.column_types import infer_column_types
from analysis.intervals import Interval
from analysis.reading.read import read_csv

LINEAR_AND_BOOSTING = ("Dummy", "Logistic regression", "HistGradientBoosting")


def _types(frame: pd.DataFrame) -> dict[str, str]:
    return infer_column_types(frame)


def _best_auc(run) -> float:
    return run.best().metrics["roc auc"]


# --- dates ---------------------------------------------------------------------------------------------------------

def _seasonal(rows: int = 800, seed: int = 0) -> pd.DataFrame:
    """Orders over three years; buying is likely in summer (June to August: 85 %) and unlikely otherwise (15 %). No
    other column knows the season; 'model_year' is a column of whole years (numbers), unrelated."""
    rng = np.random.default_rng(seed)
    days = pd.Timestamp("2019-01-01") + pd.to_timedelta(rng.integers(0, 3 * 365, rows), unit="D")
    summer = days.month.isin([6, 7, 8])
    return pd.DataFrame({
        "order_date": days, "shipped": days + pd.Timedelta(days=2), "noise": rng.normal(size=rows),
        "model_year": rng.integers(1995, 2021, rows),
        "bought": np.where(rng.random(rows) < np.where(summer, 0.85, 0.15), "yes", "no"),
    })


def test_a_month_effect_is_found_through_the_date():
    frame = _seasonal()
    types = _types(frame)
    run = run_baselines(frame, types, RunSettings(target="bought"))
    assert "order_date" in run.settings.features and "order_date" not in run.settings.excluded
    assert _best_auc(run) > 0.75 and run.beats_dummy is True
    assert run.best().importance[0].feature in ("order_date: month", "order_date: day of year",
                                                "shipped: month", "shipped: day of year")
    assert ("Date 'order_date' read as 5 numbers, each from its own row: year, month, day of week, day of year and "
            "days since first (hour left out: the same in every row).") in run.notes
    assert not any("model_year" in note for note in run.notes)   # whole years are numbers already
    assert types["model_year"] == "numeric" and "model_year" in run.settings.features

    without = run_baselines(frame, types, RunSettings(target="bought", features=("noise", "model_year")))
    assert without.beats_dummy is False and _best_auc(without) < 0.6


def test_shuffled_folds_over_dates_say_the_scores_are_of_the_same_times():
    frame = _seasonal()
    shuffled = run_baselines(frame, _types(frame), RunSettings(target="bought", models=LINEAR_AND_BOOSTING[:2]))
    assert ("Dates are features ('order_date', 'shipped') and the rows were shuffled, so every model was scored on "
            "rows from the same times it learnt from: a change over time (its year, its days since first) reads as "
            "signal. To judge rows yet to come, split by time (Evaluation protocol: time-ordered split; Date column: "
            "'order_date').") in shuffled.notes
    in_time = run_baselines(frame, _types(frame), RunSettings(target="bought", models=LINEAR_AND_BOOSTING[:2],
                                                            protocol="time", date_column="order_date"))
    assert not [n for n in in_time.notes if n.startswith("Dates are features")]


def test_a_date_that_orders_a_time_split_is_not_also_a_feature():
    frame = _seasonal(400)
    run = run_baselines(frame, _types(frame), RunSettings(target="bought", date_column="order_date",
                                                          models=("Dummy", "Logistic regression")))
    assert run.settings.excluded["order_date"] == "the date column orders the time split"
    assert "shipped" in run.settings.features and any(n.startswith("Date 'shipped' read as") for n in run.notes)
    assert not any(n.startswith("Date 'order_date'") for n in run.notes)
    assert run.protocol.order == "Rows sorted by 'order_date' (rows of the same date in file order), never shuffled."


def test_date_parts_are_derived_row_by_row():
    when = pd.Series(pd.to_datetime(["2021-03-04 10:30", "2020-12-31 23:00", None, "2021-03-05 10:00"]))
    (train, test), columns = prepare_features(
        [pd.DataFrame({"at": when[:3]}), pd.DataFrame({"at": when[3:]})], ("at",), {"at": "datetime"})
    assert columns.numeric == ("at: year", "at: month", "at: day of week", "at: day of year", "at: hour",
                               "at: days since first")
    assert train.iloc[0].tolist() == [2021, 3, 3, 63, 10, pytest.approx(62.479, abs=1e-3)]   # from 2020-12-31 23:00
    assert train.iloc[2].isna().all()   # a missing date: every part missing (imputed inside each fold)
    assert test.iloc[0, 0] == 2021 and test.iloc[0, -1] == pytest.approx(63.458, abs=1e-3)


# --- free text -----------------------------------------------------------------------------------------------------

def _tickets(rows: int = 600, seed: int = 1, signal: bool = True) -> pd.DataFrame:
    """Support tickets of 5-15 words from a 300-word vocabulary; for 80 % of the rows, one word says how the customer
    feels ('refund', 'broken', 'cancel' for those who churn; 'thanks', 'great', 'love' for the others)."""
    rng = np.random.default_rng(seed)
    vocabulary = [f"w{i}" for i in range(300)]
    churned = rng.random(rows) < 0.4
    tickets = []
    for i in range(rows):
        words = list(rng.choice(vocabulary, rng.integers(5, 15)))
        if signal and rng.random() < 0.8:
            feeling = ["refund", "broken", "cancel"] if churned[i] else ["thanks", "great", "love"]
            words.insert(int(rng.integers(0, len(words))), str(rng.choice(feeling)))
        tickets.append(" ".join(words))
    return pd.DataFrame({"ticket": tickets, "noise": rng.normal(size=rows),
                         "churned": np.where(churned, "yes", "no")})


def test_words_in_free_text_are_found():
    frame = _tickets()
    types = _types(frame)
    assert types["ticket"] == "text"
    run = run_baselines(frame, types, RunSettings(target="churned", models=LINEAR_AND_BOOSTING + ("Naive Bayes",)))
    assert run.result("Logistic regression").metrics["roc auc"] > 0.9
    assert run.result("HistGradientBoosting").metrics["roc auc"] > 0.85   # through the SVD components
    assert run.result("Naive Bayes").metrics["roc auc"] < 0.6              # it leaves text out, as the note says
    assert ("Free text 'ticket': the TF-IDF of its words and character 3-5-grams (each cell's first 1,000 "
            "characters), fitted inside each fold. Logistic regression reads its TF-IDF terms; HistGradientBoosting "
            "reads 30 SVD components of its TF-IDF; Naive Bayes leaves it out.") in run.notes
    best = run.best()
    assert [f.feature for f in best.importance][0] == "ticket"   # the text is one feature, not 131,072 columns
    assert {f.feature for f in best.importance} == {"ticket", "noise"}

    without = run_baselines(frame, types, RunSettings(target="churned", features=("noise",),
                                                      models=LINEAR_AND_BOOSTING))
    assert without.beats_dummy is False and _best_auc(without) < 0.6


def test_models_that_leave_text_out_are_skipped_with_the_reason_when_text_is_every_feature():
    frame = _tickets()[["ticket", "churned"]]
    run = run_baselines(frame, _types(frame), RunSettings(target="churned"))
    for name in ("Naive Bayes", "Random forest"):
        result = run.result(name)
        assert result.status == "skipped", result.message      # not "failed" with scikit-learn's "0 feature(s)"
        assert result.message == (f"skipped: {name} leaves free text out, and free text ('ticket') is every "
                                  "feature here; Logistic regression and HistGradientBoosting read it")
    assert run.result("Logistic regression").metrics["roc auc"] > 0.9
    spend = np.where(frame["churned"] == "yes", 10.0, 0.0) + np.random.default_rng(0).normal(size=len(frame))
    numbers = frame.assign(churned=spend)
    run = run_baselines(numbers, _types(numbers), RunSettings(target="churned"))
    assert [r.name for r in run.results if r.status == "skipped"] == ["k-NN", "Random forest"]
    assert all(r.status == "done" for r in run.results if r.name in ("Dummy", "Ridge", "HistGradientBoosting"))


def test_text_without_signal_is_not_found():
    frame = _tickets(signal=False)
    run = run_baselines(frame, _types(frame), RunSettings(target="churned", models=LINEAR_AND_BOOSTING))
    assert run.beats_dummy is False
    assert all(abs(r.metrics["roc auc"] - 0.5) < 0.08 for r in run.results), [r.metrics["roc auc"] for r in run.results]


def test_the_text_step_counts_against_the_time_budget():
    frame = _tickets()
    run = run_baselines(frame, _types(frame), RunSettings(target="churned", models=("Logistic regression",),
                                                          time_budget_s=0.01))
    result = run.result("Logistic regression")
    assert result.status == "partial" and result.message == "stopped after 1 of 5 folds: time budget 0.01 s"


# --- many-valued categories ----------------------------------------------------------------------------------------

def _merchants(rows: int = 1500, merchants: int = 150, seed: int = 2, signal: bool = True) -> pd.DataFrame:
    """Payments at 150 merchants (10 rows each on average, so not ID-like); each merchant has its own fraud rate
    (Beta(1, 3): most low, a few high), or, without signal, every payment is fraud with probability 0.3."""
    rng = np.random.default_rng(seed)
    which = rng.integers(0, merchants, rows)
    rate = rng.beta(1, 3, merchants)[which] if signal else np.full(rows, 0.3)
    return pd.DataFrame({"merchant": [f"shop_{m}" for m in which], "noise": rng.normal(size=rows),
                         "fraud": np.where(rng.random(rows) < rate, "yes", "no")})


def test_a_many_valued_category_is_target_encoded_and_found():
    frame = _merchants()
    types = _types(frame)
    encoded = run_baselines(frame, types, RunSettings(target="fraud", models=LINEAR_AND_BOOSTING))
    assert encoded.settings.many_values == 50 and "merchant" in encoded.settings.features
    assert ("Categories with more than 50 values, 'merchant' (150 values): target-encoded inside each fold by every "
            "model but the dummy (scikit-learn's TargetEncoder: each training row's code is learnt on other rows of "
            "the fold, so a row's own target never makes its code).") in encoded.notes
    assert _best_auc(encoded) > 0.68 and encoded.beats_dummy is True
    assert encoded.best().importance[0].feature == "merchant"

    # one-hot (at most 20 columns, the rest pooled): the linear model loses most of what the merchant says
    one_hot = run_baselines(frame, types, RunSettings(target="fraud", models=("Dummy", "Logistic regression"),
                                                      many_values=1000))
    assert not any("target-encoded" in note for note in one_hot.notes)
    assert (encoded.result("Logistic regression").metrics["roc auc"]
            > one_hot.result("Logistic regression").metrics["roc auc"] + 0.1)

    without = run_baselines(frame, types, RunSettings(target="fraud", features=("noise",), models=LINEAR_AND_BOOSTING))
    assert without.beats_dummy is False and _best_auc(without) < 0.6


def test_target_encoding_inside_the_folds_gives_no_lift_on_a_random_category():
    frame = _merchants(rows=1200, merchants=300, seed=3, signal=False)   # 4 rows a merchant: easy to memorise
    types = _types(frame)
    run = run_baselines(frame, types, RunSettings(target="fraud", features=("merchant",),
                                                  models=LINEAR_AND_BOOSTING + ("Random forest",)))
    assert any(note.startswith("Categories with more than 50 values, 'merchant' (29") for note in run.notes), run.notes
    assert run.beats_dummy is False
    assert all(r.metrics["roc auc"] < 0.56 for r in run.results), [r.metrics["roc auc"] for r in run.results]

    # the same category encoded once on all rows, outside the folds, would look like signal: this data can show a leak

    y = (frame["fraud"] == "yes").to_numpy()
    leaked = TargetEncoder(random_state=0).fit(frame[["merchant"]], y).transform(frame[["merchant"]])
    assert cross_val_score(LogisticRegression(), leaked, y, scoring="roc_auc").mean() > 0.7


def test_default_settings_keep_the_keys_runs_were_stored_under():
    keys = {"target", "task", "features", "excluded", "protocol", "folds", "holdout_share", "date_column",
            "group_column", "models", "time_budget_s", "positive_label", "random_state", "max_rows",
            "decision_threshold", "primary_metric"}
    assert set(RunSettings(target="y").to_dict()) == keys   # the keys before many_values existed
    stored_before = RunSettings(target="y", folds=3).to_dict()
    assert RunSettings.from_dict(stored_before) == RunSettings(target="y", folds=3, many_values=50)
    asked = RunSettings(target="y", many_values=80)
    assert asked.to_dict()["many_values"] == 80 and RunSettings.from_dict(asked.to_dict()) == asked
    frame = _merchants(rows=100)
    with pytest.raises(ValueError, match="many_values == 1, must be a whole number >= 2"):
        resolve_settings(frame, _types(frame), RunSettings(target="fraud", many_values=1))


# --- bad input -----------------------------------------------------------------------------------------------------

def test_dates_in_several_formats_are_left_out_with_what_to_do():
    rng = np.random.default_rng(4)
    days = pd.Timestamp("2021-01-01") + pd.to_timedelta(rng.integers(0, 700, 300), unit="D")
    written = [d.strftime(("%Y-%m-%d", "%d/%m/%Y", "%d %b %Y")[i % 3]) for i, d in enumerate(days)]
    lines = ["signup,spend,label"] + [f"{w},{rng.normal():.3f},{rng.choice(['a', 'b'])}" for w in written]
    table = read_csv(("\n".join(lines) + "\n").encode())
    assert table.column_types["signup"] == "categorical"   # the reader found no one format
    run = run_baselines(table.frame, table.column_types, RunSettings(target="label",
                                                                     models=("Dummy", "Logistic regression")))
    reason = run.settings.excluded["signup"]
    assert reason.startswith("dates in no one format (for example '2022-")
    assert "so they were read as text: not a feature. Write every date in one format (such as 2021-03-04)" in reason
    assert run.status == "done" and run.settings.features == ("spend",)


def test_mostly_missing_dates_and_a_row_naming_category_are_left_out():
    rng = np.random.default_rng(5)
    dates = pd.Series(pd.Timestamp("2021-01-01") + pd.to_timedelta(rng.integers(0, 700, 400), unit="D"))
    dates[rng.random(400) < 0.97] = pd.NaT
    frame = pd.DataFrame({"closed": dates, "customer": [f"customer {i:04d}" for i in range(400)],
                          "x": rng.normal(size=400), "label": rng.choice(["a", "b"], 400)})
    run = run_baselines(frame, _types(frame), RunSettings(target="label", models=("Dummy", "Logistic regression")))
    assert run.settings.excluded["closed"].startswith("mostly empty: ")
    assert run.settings.excluded["customer"].startswith("ID-like")
    assert run.settings.features == ("x",) and run.status == "done"


def test_a_300_kb_text_cell_is_read_as_its_first_characters():
    frame = _tickets(rows=200)
    frame.loc[7, "ticket"] = "refund " * 43_000   # about 300 KB
    run = run_baselines(frame, _types(frame), RunSettings(target="churned", models=LINEAR_AND_BOOSTING))
    assert run.status == "done" and all(r.status == "done" for r in run.results)
    assert any("(each cell's first 1,000 characters; 1 cell longer than that)" in note for note in run.notes)
    (X,), columns = prepare_features([frame], ("ticket",), {"ticket": "text"})
    assert columns.cut == {"ticket": 1} and X["ticket"].str.len().max() == TEXT_MAX_CHARS
    # a column holds at most 20 million characters: fewer per cell from 20,000 rows on, at least 100
    assert [text_limit(rows) for rows in (200, 20_000, 100_000, 1_000_000)] == [1_000, 1_000, 200, 100]


def test_an_empty_text_column_is_left_out_and_a_chosen_one_does_not_fail_the_run():
    frame = _tickets(rows=200)
    frame["empty"], frame["blank"] = None, ""
    types = {**_types(frame), "empty": "text", "blank": "text"}
    run = run_baselines(frame, types, RunSettings(target="churned", models=LINEAR_AND_BOOSTING))
    assert run.settings.excluded["empty"] == "every value is missing"
    assert run.settings.excluded["blank"] == "constant: one value in every row"
    chosen = run_baselines(frame, types, RunSettings(target="churned", features=("empty", "blank", "noise"),
                                                     models=LINEAR_AND_BOOSTING))
    assert [r.status for r in chosen.results] == ["done"] * 3 and chosen.beats_dummy is False


# --- the best model ------------------------------------------------------------------------------------------------

def _result(name: str, metric: str, value: float, low: float, high: float, **more) -> ModelResult:
    intervals = {metric: Interval(value, low, high, "bootstrap", 500)}
    for other, (v, lo, hi) in more.pop("intervals", {}).items():
        intervals[other] = Interval(v, lo, hi, "wilson", 500)
    return ModelResult(name, "done", metrics={metric: value}, folds_done=5, n_folds=5, intervals=intervals, **more)


def test_the_best_model_clears_the_dummy_floor_on_its_interval():
    dummy = _result("Dummy", "roc auc", 0.5, 0.5, 0.5)
    lucky = _result("k-NN", "roc auc", 0.70, 0.45, 0.95)     # stopped early: tested on few rows
    steady = _result("Logistic regression", "roc auc", 0.65, 0.58, 0.72)
    assert choose_best([dummy, lucky, steady], "roc auc") == "Logistic regression"
    (note,) = _choice_notes([dummy, lucky, steady], "Logistic regression", "roc auc", "binary", False)
    assert note == ("k-NN has the best ROC AUC (0.700), but its 95 % interval (0.450-0.950) does not clear the dummy "
                    "floor (0.500) while Logistic regression's (0.580-0.720) does, so Logistic regression is the best "
                    "model: a score that chance alone could give is not one to build on.")
    # none clears the floor: the best score, as before; no note
    shaky = _result("Logistic regression", "roc auc", 0.55, 0.45, 0.65)
    assert choose_best([dummy, lucky, shaky], "roc auc") == "k-NN"
    assert _choice_notes([dummy, lucky, shaky], "k-NN", "roc auc", "binary", False) == ()
    # lower is better: the interval must lie below the dummy's RMSE; without a dummy, the best score
    floor = _result("Dummy", "rmse", 10.0, 9.0, 11.0)
    assert choose_best([floor, _result("Ridge", "rmse", 8.0, 6.0, 10.5),
                        _result("Random forest", "rmse", 8.5, 8.0, 9.0)], "rmse") == "Random forest"
    assert choose_best([_result("Ridge", "rmse", 8.0, 6.0, 10.5), _result("Random forest", "rmse", 8.5, 8.0, 9.0)],
                       "rmse") == "Ridge"
    assert choose_best([dummy], "roc auc") == "Dummy" and choose_best([], "roc auc") is None


def test_a_multiclass_winner_below_the_majority_rate_says_who_leads_on_accuracy():
    confusion = Curves(1000, confusion=Confusion(("dry", "rain", "snow"), ((490, 0, 0), (300, 0, 0), (210, 0, 0)),
                                                 None))
    dummy = _result("Dummy", "balanced accuracy", 0.333, 0.333, 0.333, curves=confusion,
                    intervals={"accuracy": (0.49, 0.46, 0.52)})
    bayes = _result("Naive Bayes", "balanced accuracy", 0.52, 0.49, 0.55, curves=confusion,
                    intervals={"accuracy": (0.45, 0.42, 0.48)})
    forest = _result("Random forest", "balanced accuracy", 0.50, 0.47, 0.53, curves=confusion,
                     intervals={"accuracy": (0.66, 0.63, 0.69)})
    results = [dummy, bayes, forest]
    assert choose_best(results, "balanced accuracy") == "Naive Bayes"
    (note,) = _choice_notes(results, "Naive Bayes", "balanced accuracy", "multiclass", False)
    assert note.startswith("Naive Bayes is the best model by balanced accuracy (0.520), because balanced accuracy is "
                           "the default for a multiclass task: it weighs every class equally")
    assert ("but its accuracy (0.450) is below the majority class's share (0.490), and Random forest leads on accuracy "
            "(0.660, balanced accuracy 0.500).") in note
    (chosen,) = _choice_notes(results, "Naive Bayes", "balanced accuracy", "multiclass", True)
    assert "because the design document's success criteria name it" in chosen


def test_the_run_keeps_the_predictor_of_the_model_the_rule_chooses():
    frame = _tickets(rows=300)
    run = run_baselines(frame, _types(frame), RunSettings(target="churned", models=(
        "Logistic regression", "Naive Bayes", "Dummy")))   # the dummy last: the floor is known at the end only
    assert run.best_model == choose_best(list(run.results), "roc auc") == "Logistic regression"
    assert run.best().importance[0].feature == "ticket"


def test_sparse_permutation_importance_equals_the_dense_one():
    rng = np.random.default_rng(6)
    dense = rng.normal(size=(60, 6)) * (rng.random((60, 6)) < 0.4)
    weights, target = rng.normal(size=6), rng.normal(size=60)
    groups = {"a": [0, 1], "b": [2], "c": [3, 4, 5]}

    def score(X):
        return -float(np.mean((np.asarray(X @ weights).ravel() - target) ** 2))

    args = dict(n_repeats=4, random_state=0, deadline=float("inf"))
    assert permutation_importance(score, sp.csr_matrix(dense), groups, **args) == \
        permutation_importance(score, dense, groups, **args)


# --- the protocol line ---------------------------------------------------------------------------------------------

def test_the_protocol_says_how_the_rows_were_ordered():
    binary = RunSettings(target="y", task="binary", random_state=7)
    kfold = choose_protocol(569, binary)
    assert kfold.line == ("569 rows: stratified 5-fold cross-validation (small data: every row is tested once). "
                          "Rows shuffled (seed 7) into the folds.")
    assert choose_protocol(100_000, binary).order == "Rows shuffled (seed 7) before the split."
    assert choose_protocol(500, RunSettings(target="y", group_column="shop"), n_groups=3).order == (
        "Groups shuffled (seed 0) into the folds.")
    assert choose_protocol(500, binary, has_test_frame=True, n_test_rows=80).order == (
        "Rows in file order: the whole dataset trains, the test dataset tests.")
    frame = _tickets(rows=200)
    run = run_baselines(frame, _types(frame), RunSettings(target="churned", models=("Dummy",)))
    assert run.protocol.line.endswith("Rows shuffled (seed 0) into the folds.")
