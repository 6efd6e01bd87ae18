"""Baselines benchmark: the whole model suite on a generated binary task, with the time each result arrives.

    python -m bench baselines [--rows 100000] [--budget 20] [--text]

The data (numpy default_rng(0)) has 20 feature columns: 12 numeric (two with missing values, four pure noise),
4 categorical, 2 boolean, 2 numeric interactions' inputs; the target "churned" (yes / no, about 30% yes) depends on
several of them, partly non-linearly, so the tree models should beat the linear one and all beat the dummy.
Targets on this 2-core machine: dummy and linear results within 5 s of the start of the run, the suite within 60 s.
scikit-learn's import (a few seconds, once per process) is measured as its own stage, before the run.

--text adds a free-text column "ticket" (a support ticket: 8-40 words from a 3,000-word vocabulary, Zipf-distributed,
plus a few words of sentiment such as "refund" or "thanks") whose sentiment follows a hidden factor that also moves
churn, and no other column knows that factor: the suite runs without the column, then with it, and the RESULT line
says both ROC AUCs (auc_without_text=..., auc_with_text=...) and both times.
"""
from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from analysis.baselines.run import RunSettings, run_baselines
from analysis.column_types import infer_column_types
from bench.common import Stage, Timer, max_rss_mb, print_result

NEGATIVE = ("cancel", "refund", "broken", "slow", "charged", "twice", "error", "crash", "unhappy", "leaving")
POSITIVE = ("thanks", "great", "love", "works", "quick", "helpful", "easy", "happy", "perfect", "recommend")
TEXT_EFFECT = 1.5   # churn's logit moves by this times the hidden factor that the ticket's sentiment follows


def make_frame(rows: int, seed: int = 0, text: bool = False) -> tuple[pd.DataFrame, dict[str, str]]:
    """A deterministic churn-like table: (frame, column_types); the target is "churned" ("yes" / "no"). ``text``: a
    "ticket" column too, whose words carry signal no other column has (the rest of the data is the same draw)."""
    rng = np.random.default_rng(seed)
    hidden = np.random.default_rng(seed + 1).normal(size=rows) if text else np.zeros(rows)
    numeric = rng.normal(size=(rows, 12))
    plan = rng.choice(["basic", "plus", "pro", "family"], size=rows, p=[0.4, 0.3, 0.2, 0.1])
    region = rng.choice([f"region_{i}" for i in range(12)], size=rows)
    channel = rng.choice(["web", "store", "phone"], size=rows, p=[0.6, 0.3, 0.1])
    device = rng.choice(["ios", "android", "desktop", "other"], size=rows)
    autopay = rng.random(rows) < 0.5
    promo = rng.random(rows) < 0.2
    logit = (
        -1.3 + 1.1 * numeric[:, 0] - 0.8 * numeric[:, 1] + 0.9 * numeric[:, 2] * numeric[:, 3]
        + 0.7 * np.sin(2 * numeric[:, 4]) + 0.5 * (numeric[:, 5] > 1)
        + np.select([plan == "basic", plan == "pro", plan == "family"], [0.6, -0.4, -0.8], 0.0)
        + 0.5 * (channel == "phone") - 0.7 * autopay + 0.3 * promo + TEXT_EFFECT * hidden
    )
    churned = np.where(rng.random(rows) < 1 / (1 + np.exp(-logit)), "yes", "no")
    data = {f"usage_{i}": numeric[:, i].round(4) for i in range(8)}
    data.update({f"noise_{i}": numeric[:, 8 + i].round(4) for i in range(4)})
    data["tenure_months"] = np.clip(np.round(24 + 12 * numeric[:, 0] + rng.normal(0, 6, rows)), 0, None)
    data["monthly_fee"] = np.round(30 + 10 * (plan == "pro") + 15 * (plan == "family") + rng.normal(0, 3, rows), 2)
    for column in ("usage_6", "usage_7"):   # some missing values, as real data has
        values = data[column].copy()
        values[rng.random(rows) < 0.1] = np.nan
        data[column] = values
    data.update(plan=pd.Categorical(plan), region=pd.Categorical(region), channel=pd.Categorical(channel),
                device=pd.Categorical(device), autopay=autopay, promo=promo, churned=churned)
    frame = pd.DataFrame(data)
    frame["churned"] = pd.Categorical(frame["churned"])
    if text:
        frame.insert(len(frame.columns) - 1, "ticket", tickets(hidden, np.random.default_rng(seed + 2)))
    return frame, infer_column_types(frame)


def tickets(hidden: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One ticket per row: 8-40 Zipf-drawn words of a made-up 3,000-word vocabulary, with 0-6 words of sentiment
    (3 on average) inserted at random places, each negative with probability sigmoid(3 * hidden)."""
    syllables = np.array([c + v for c in "bdfgklmnprstvz" for v in "aeiou"])
    vocabulary = np.array(["".join(rng.choice(syllables, rng.integers(1, 4))) for _ in range(3_000)])
    zipf = 1 / np.arange(1, len(vocabulary) + 1)
    rows = len(hidden)
    words = vocabulary[rng.choice(len(vocabulary), size=(rows, 40), p=zipf / zipf.sum())]
    lengths = rng.integers(8, 41, rows)
    negative = rng.random((rows, 6)) < 1 / (1 + np.exp(-3 * hidden[:, None]))
    sentiment = np.where(negative, np.array(NEGATIVE)[rng.integers(0, 10, (rows, 6))],
                         np.array(POSITIVE)[rng.integers(0, 10, (rows, 6))])
    said, where = rng.poisson(3, rows).clip(0, 6), rng.integers(0, 8, (rows, 6))
    out = []
    for i in range(rows):
        row = list(words[i, :lengths[i]])
        for k in range(said[i]):
            row.insert(where[i, k], sentiment[i, k])
        out.append(" ".join(row))
    return np.array(out, dtype=object)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench baselines")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--budget", type=float, default=20.0, help="time budget per model, seconds")
    parser.add_argument("--text", action="store_true", help="add a ticket text column; run without it, then with it")
    args = parser.parse_args(argv)
    timer = Timer()
    with timer.stage("generate data", rows=args.rows):
        frame, column_types = make_frame(args.rows, text=args.text)
    with timer.stage("import scikit-learn"):
        # imported inside the stage that measures it: once per process; the app pays it once per server
        import sklearn.ensemble  # noqa: F401, PLC0415
        import sklearn.linear_model  # noqa: F401, PLC0415

    settings = RunSettings(target="churned", time_budget_s=args.budget)
    if not args.text:
        run, arrivals, total = _suite(frame, column_types, settings, timer, "run (whole suite)")
        _report(run, timer)
        _result(run, arrivals, total, rows=args.rows)
        return 0
    left_out = RunSettings(target="churned", time_budget_s=args.budget, excluded={"ticket": "left out to compare"})
    plain, _, plain_total = _suite(frame, column_types, left_out, timer, "run without the text")
    run, arrivals, total = _suite(frame, column_types, settings, timer, "run with the text")
    _report(run, timer)
    for note in run.notes:
        print("note:", note)
    _result(run, arrivals, total, rows=args.rows, total_without_text_s=plain_total,
            auc_without_text=_best_value(plain), auc_with_text=_best_value(run))
    return 0


def _suite(frame: pd.DataFrame, column_types: dict[str, str], settings, timer: Timer, stage: str):
    """Run the suite, a stage per result as it arrives: (run, model -> seconds to its result, total seconds)."""
    arrivals: dict[str, float] = {}
    events = []
    start = time.perf_counter()

    def on_progress(event) -> None:
        now = time.perf_counter() - start
        if event.result is not None:
            arrivals[event.model] = now
        events.append((now, event.model, event.status, event.result, max_rss_mb()))

    with timer.stage(stage, rows=len(frame)):
        run = run_baselines(frame, column_types, settings, on_progress=on_progress)
    total = time.perf_counter() - start
    run_stage = timer.stages.pop()
    previous = 0.0
    for now, model, status, result, rss in events:   # time since the previous result arrived
        if result is not None or model is None:
            name = f"{model} ({status})" if model else "permutation importance"
            timer.stages.append(Stage(name[:27], run.n_rows, now - previous, rss))
            previous = now
    timer.stages.append(run_stage)
    return run, arrivals, total


def _report(run, timer: Timer) -> None:
    timer.print_table()
    print(f"protocol: {run.protocol.line}")
    primary = run.primary_metric
    print(f"{'model':<24}{'status':<9}{primary:>9}{'recall':>8}{'fit s':>8}{'pred s':>8}  message")
    for result in run.results:
        value = result.metrics.get(primary)
        shown = f"{value:9.4f}" if value is not None else f"{'-':>9}"
        recall = result.metrics.get("recall")
        recall_shown = f"{recall:8.3f}" if recall is not None else f"{'-':>8}"
        print(f"{result.name:<24}{result.status:<9}{shown}{recall_shown}{result.fit_s:8.2f}{result.predict_s:8.2f}  "
              f"{result.message}")
    print(run.lift_over_dummy)
    for flag in run.too_good_flags:
        print("flag:", flag)
    best = run.best()
    if best is not None and best.importance:
        print("top features:", ", ".join(f"{f.feature} {f.mean:.3f}" for f in best.importance[:5]))


def _best_value(run) -> float:
    best = run.best()
    value = best.metrics.get(run.primary_metric) if best else None
    return float("nan") if value is None else round(value, 4)


def _result(run, arrivals: dict[str, float], total: float, **more) -> None:
    best, primary = run.best(), run.primary_metric
    dummy = next((r for r in run.results if r.name == "Dummy"), None)
    linear = next((r for r in run.results if r.name == "Logistic regression"), None)
    print_result(
        rows=more.pop("rows"),
        first_result_s=arrivals.get(dummy.name if dummy else "", float("nan")),
        linear_result_s=arrivals.get(linear.name if linear else "", float("nan")),
        total_s=total,
        peak_mb=max_rss_mb(),
        best_model=(run.best_model or "none").replace(" ", "_"),
        best_metric=best.metrics.get(primary) if best else float("nan"),
        dummy_metric=dummy.metrics.get(primary) if dummy and dummy.metrics.get(primary) is not None else float("nan"),
        **more,
    )
