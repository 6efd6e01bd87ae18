"""Honesty benchmark: how often Blueprint's verdict on a success criterion is wrong, on tasks whose truth is known.

    python -m bench honesty [--tasks 200] [--seed 0] [--workers 2]

Each task (seeded by its index) draws a binary data-generating model and a dataset from it:
- d = 3-10 features ~ N(0, 1), 1-4 of them pure noise; the logit is b0 + x . beta (with, in half of the tasks, a
  quadratic term the logistic regression cannot fit), |beta| from 0.3 (weak) to 3 (strong); b0 is set so that the
  positive share is pi, log-uniform in 2-50 %;
- n rows, log-uniform in 200-20,000 (drawn again, with the next seed, until each class has 2 rows: a baseline needs
  that much);
- a design document: a decision threshold near the positive share (pi x 0.5-2.5, within 0.01-0.9) and one success
  criterion "metric >= t", metric in turn recall, precision, ROC AUC, PR AUC, specificity, with t = the true value
  + U(-0.12, 0.12), within 0.01-0.995: some bars are far from the truth, many near it, so some tasks are hard.

The true value. A success criterion is a bar the model must clear before launch, so the truth is the performance of
the model the project would launch: the logistic regression Blueprint fits (analysis.baselines.models.fit_model:
the same preprocessing and settings) on all n rows of the task's dataset, at the document's decision threshold,
measured on TRUTH_ROWS fresh rows from the same generator (a sampling error of at most ~0.005 at 2 % positives).
It is the expected performance on new rows of this fitted model, not of models trained on other datasets of size n;
the verdict has to get this one right. Blueprint never sees the fresh rows: it cross-validates (or holds out) on the
n rows as a person would, with analysis.baselines.run.run_baselines (the logistic regression only, to stay within
minutes on 2 cores).

Verdicts compared:
- before: what Blueprint did before verdicts had intervals: the mean over the folds at threshold 0.5 (the document's
  threshold was ignored), pass when it meets the bar, else fail (never inconclusive);
- point: the mean over the folds at the document's threshold, pass / fail (the threshold fix alone);
- after: design.checks.check_criteria on the run's 95 % intervals at the document's threshold: pass, fail or
  inconclusive.
Wrong: pass when the truth fails the bar, or fail when the truth passes it (inconclusive is never wrong, but more
than half of the tasks inconclusive would make the verdicts useless). Goal: wrong_share <= 0.05 with
inconclusive < tasks / 2. The last line:
    RESULT tasks=200 wrong=... inconclusive=... wrong_share=... before_wrong=... before_wrong_share=... seconds=...
"""
from __future__ import annotations

import argparse
import dataclasses
import math
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, roc_auc_score

from analysis.baselines import run as baselines
from analysis.baselines.models import MODELS, fit_model, predict_scores, prepare_features
from analysis.baselines.run import RunSettings, criterion_evidence, run_baselines
from bench.common import print_result
from design.checks import check_criteria
from design.criteria import Criterion

TRUTH_ROWS = 200_000
METRICS = ("recall", "precision", "roc auc", "pr auc", "specificity")
MODEL = "Logistic regression"


@dataclass(frozen=True)
class Task:
    """One generated task: the data-generating model, the dataset's size and the document's choices."""

    index: int
    seed: int
    rows: int
    positive_share: float
    features: int
    noise: int
    strength: float
    curved: bool
    threshold: float
    metric: str
    margin: float


@dataclass(frozen=True)
class Outcome:
    """A task's truth and the verdicts: before (fold mean at 0.5), point (fold mean at the document's threshold),
    after (interval); the interval itself; seconds the two runs took."""

    task: Task
    truth: float
    bar: float
    before: str
    point: str
    after: str
    value: float | None
    low: float | None
    high: float | None
    seconds: float


def make_task(index: int, seed: int) -> Task:
    rng = np.random.default_rng([seed, index])
    rows = int(round(math.exp(rng.uniform(math.log(200), math.log(20_000)))))
    share = float(math.exp(rng.uniform(math.log(0.02), math.log(0.5))))
    features = int(rng.integers(3, 11))
    noise = int(rng.integers(1, min(4, features - 1) + 1))
    threshold = float(np.clip(share * rng.uniform(0.5, 2.5), 0.01, 0.9))
    return Task(index, seed, rows, share, features, noise, float(rng.uniform(0.3, 3.0)), bool(rng.random() < 0.5),
                round(threshold, 2), METRICS[index % len(METRICS)], float(rng.uniform(-0.12, 0.12)))


class Generator:
    """The task's data-generating model: draws (features, labels) with P(yes | x) = sigmoid(b0 + x . beta [+ curve])."""

    def __init__(self, task: Task) -> None:
        rng = np.random.default_rng([task.seed, task.index, 1])
        signal = task.features - task.noise
        beta = rng.normal(size=signal)
        self.beta = np.r_[beta / np.linalg.norm(beta) * task.strength, np.zeros(task.noise)]
        self.curve = 0.6 * task.strength if task.curved else 0.0
        probe = rng.normal(size=(200_000, task.features))
        z = self._logit(probe, 0.0)
        low, high = -30.0, 30.0
        for _ in range(60):   # b0 with mean sigmoid = the positive share
            mid = (low + high) / 2
            if np.mean(1 / (1 + np.exp(-(z + mid)))) < task.positive_share:
                low = mid
            else:
                high = mid
        self.b0 = (low + high) / 2
        self.features = task.features

    def _logit(self, x: np.ndarray, b0: float) -> np.ndarray:
        return b0 + x @ self.beta + self.curve * (x[:, 0] ** 2 - 1)

    def draw(self, rows: int, rng: np.random.Generator) -> pd.DataFrame:
        x = rng.normal(size=(rows, self.features))
        p = 1 / (1 + np.exp(-self._logit(x, self.b0)))
        frame = pd.DataFrame(x.round(5), columns=[f"x{i}" for i in range(self.features)])
        frame["label"] = np.where(rng.random(rows) < p, "yes", "no")
        return frame


def _metric(metric: str, truth: np.ndarray, score: np.ndarray, threshold: float) -> float:
    predicted = score >= threshold
    if metric == "recall":
        return float(np.mean(predicted[truth]))
    if metric == "specificity":
        return float(np.mean(~predicted[~truth]))
    if metric == "precision":
        return float(np.mean(truth[predicted])) if predicted.any() else 0.0
    if metric == "roc auc":
        return float(roc_auc_score(truth, score))
    return float(average_precision_score(truth, score))


def run_task(task: Task) -> Outcome:
    # Permutation importance (half of a small run's time) plays no part in a verdict: left out here.
    baselines._with_importance = lambda result, keeper, data, settings: result

    generator = Generator(task)
    for attempt in range(100):   # a baseline needs 2 rows of each class
        frame = generator.draw(task.rows, np.random.default_rng([task.seed, task.index, 2, attempt]))
        if frame["label"].value_counts().min() >= 2 and frame["label"].nunique() == 2:
            break
    types = {c: "numeric" for c in frame.columns if c != "label"} | {"label": "categorical"}
    features = tuple(c for c in frame.columns if c != "label")

    # The truth: the model fitted on all rows, as Blueprint fits it, on fresh rows at the document's threshold.
    (X,), columns = prepare_features([frame], features, types)
    y = (frame["label"] == "yes").to_numpy().astype(np.int64)
    fitted = fit_model(MODELS[MODEL], columns, "binary", X, y, random_state=0, deadline=math.inf)
    fresh = generator.draw(TRUTH_ROWS, np.random.default_rng([task.seed, task.index, 3]))
    (fresh_X,), _ = prepare_features([fresh], features, types)
    score = predict_scores(fitted.predictor, fresh_X, "binary", 2)[:, 1]
    truth = _metric(task.metric, (fresh["label"] == "yes").to_numpy(), score, task.threshold)
    bar = float(np.clip(round(truth + task.margin, 3), 0.01, 0.995))
    criterion = Criterion(task.metric, ">=", bar)

    started = time.perf_counter()
    base = RunSettings(target="label", task="binary", models=(MODEL,), positive_label="yes")
    old = run_baselines(frame, types, base)                         # before: threshold 0.5, fold means
    new = run_baselines(frame, types, dataclasses.replace(base, decision_threshold=task.threshold))
    seconds = time.perf_counter() - started

    def point(run) -> str:
        value = run.result(MODEL).metrics.get(task.metric)
        return "pass" if value is not None and criterion.is_met(value) else "fail"

    check = check_criteria([criterion], criterion_evidence(new), "the run", "binary")[0]
    return Outcome(task, truth, bar, point(old), point(new), check.status, check.value, check.low, check.high, seconds)


def _wrong(verdict: str, truth_passes: bool) -> bool:
    return (verdict == "pass" and not truth_passes) or (verdict == "fail" and truth_passes)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench honesty")
    parser.add_argument("--tasks", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    tasks = [make_task(i, args.seed) for i in range(args.tasks)]
    if args.workers > 1:
        with ProcessPoolExecutor(args.workers) as pool:
            outcomes = list(pool.map(run_task, tasks, chunksize=4))
    else:
        outcomes = [run_task(t) for t in tasks]
    seconds = time.perf_counter() - started

    rows = []
    for o in outcomes:
        passes = o.truth >= o.bar
        rows.append({"metric": o.task.metric, "rows": o.task.rows, "share": o.task.positive_share,
                     "wrong_before": _wrong(o.before, passes), "wrong_point": _wrong(o.point, passes),
                     "wrong_after": _wrong(o.after, passes), "inconclusive": o.after == "inconclusive",
                     "covered": o.low is not None and o.low <= o.truth <= o.high})
    table = pd.DataFrame(rows)
    table["size"] = pd.cut(table["rows"], [0, 1_000, 5_000, 20_001], labels=["200-1k", "1k-5k", "5k-20k"])
    print(f"{'group':<16}{'tasks':>6}{'wrong before':>14}{'wrong point':>13}{'wrong after':>13}{'inconcl.':>10}"
          f"{'covered':>9}")
    for label, part in [*table.groupby("metric"), *table.groupby("size", observed=True), ("all", table)]:
        print(f"{label:<16}{len(part):>6}{int(part.wrong_before.sum()):>14}{int(part.wrong_point.sum()):>13}"
              f"{int(part.wrong_after.sum()):>13}{int(part.inconclusive.sum()):>10}{part.covered.mean():>9.1%}")
    print("before: fold mean at threshold 0.5; point: fold mean at the document's threshold; after: 95 % interval "
          "verdict at the document's threshold. covered: the truth lies inside the 95 % interval.")
    print(f"run time per task (two runs): median {np.median([o.seconds for o in outcomes]):.2f} s")
    n = len(outcomes)
    wrong, before = int(table.wrong_after.sum()), int(table.wrong_before.sum())
    print_result(tasks=n, wrong=wrong, inconclusive=int(table.inconclusive.sum()), wrong_share=wrong / n,
                 before_wrong=before, before_wrong_share=before / n, point_wrong=int(table.wrong_point.sum()),
                 seconds=round(seconds, 1))
    return 0
