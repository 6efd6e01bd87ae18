"""Candidate benchmark: a team's model judged from a scored test file, against a baseline on the same rows.

    python -m bench candidate [--rows 1000000] [--seed 0] [--replications 200]

The data (numpy default_rng(seed)): a scored binary test file of 20 columns: 12 numeric (8 in the label's logistic
model, 4 pure noise), 5 categorical (one of them, "region", with 12 values), 1 boolean, the label "churned" (yes / no)
and the candidate's score (the true logit plus a little noise, through a sigmoid: a good model). The planted weak
slice: inside region "region_7" labels are flipped at random with probability 0.35, which the score cannot know. The
baseline's predictions on the same rows (as a baseline run keeps them: row, truth, predicted, score) come from a
weaker model that reads 4 of the 8 informative columns.
Measured: from the DataFrame to the candidate's full evidence (the plan with every check, then metrics with
intervals, criteria, the dummy floor, paired differences to the dummy and the baseline, slices with the weak-slice
search, worst errors, calibration), wall seconds and the process's peak resident memory while it runs (the frame
included; sampled every 10 ms from /proc). Goals: evidence_s <= 30, peak_mb <= 2000, planted_rank = 1.

paired_interval_ok: how often the paired 95 % interval holds the true difference, on data where it is known exactly.
Each of --replications seeded draws has 1,000 rows (30 % positive); the candidate's score is sigmoid(1.6 y + e1), the
baseline's sigmoid(1.1 y + e2), e1 and e2 standard normal with correlation 0.6 (paired: the two models share their
hard rows). Then the true ROC AUC of a score is Phi(mu / sqrt(2)) and its true recall at threshold 0.5 is Phi(mu), so
the true differences are known in closed form. The interval of each (analysis.candidate.paired.compare: a paired
bootstrap for ROC AUC, Newcombe's paired score interval for recall) should hold it in about 95 % of the draws:
paired_interval_ok = 1 when both coverages lie within 0.90-0.98 (200 draws: the coverage's own standard error is
0.015; over 3,000 of these draws the recall interval held the truth in 0.946).
"""
from __future__ import annotations

import argparse
import gc
import math
import os
import threading
import time
from pathlib import Path
from statistics import NormalDist

import numpy as np
import pandas as pd

from analysis.candidate.paired import compare
from analysis.candidate.plan import plan_candidate
from analysis.candidate.unit import UNIT, InMemory
from analysis.column_types import infer_column_types
from analysis.units import DatasetMeta, Progress
from bench.common import print_result

PLANTED = ("region", "region_7")
FLIP = 0.35
COVERAGE = (0.90, 0.98)
MU_CANDIDATE, MU_BASELINE, NOISE_CORRELATION, POSITIVE_SHARE = 1.6, 1.1, 0.6, 0.3


def make_scored(rows: int, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the scored test file, the baseline's predictions on its rows): see the module docstring."""
    rng = np.random.default_rng(seed)
    numeric = rng.normal(size=(rows, 12)).astype(np.float32).astype(np.float64)
    names = {"region": [f"region_{i}" for i in range(12)], "plan": ["basic", "plus", "pro", "family"],
             "channel": ["web", "store", "phone"], "device": ["ios", "android", "desktop", "other"],
             "segment": ["consumer", "small business", "enterprise"]}
    codes = {c: rng.integers(0, len(v), size=rows).astype(np.int8) for c, v in names.items()}
    autopay = rng.random(rows) < 0.5
    weights = np.array([1.0, -0.8, 0.6, -0.5, 0.4, 0.3, -0.3, 0.2])
    logit = (-0.8 + numeric[:, :8] @ weights + np.array([0.5, 0.0, -0.4, -0.7])[codes["plan"]]
             + 0.5 * (codes["channel"] == 2) - 0.6 * autopay)
    y = rng.random(rows) < 1 / (1 + np.exp(-logit))
    planted = (codes["region"] == 7) & (rng.random(rows) < FLIP)
    y = np.where(planted, ~y, y)
    score = 1 / (1 + np.exp(-(logit + rng.normal(scale=0.3, size=rows))))
    weaker = 1 / (1 + np.exp(-(-0.8 + numeric[:, :4] @ weights[:4])))
    data = {f"usage_{i}": numeric[:, i] for i in range(8)}
    data.update({f"noise_{i}": numeric[:, 8 + i] for i in range(4)})
    data.update({c: pd.Categorical.from_codes(codes[c], names[c]) for c in names})
    data.update(autopay=autopay, churned=pd.Categorical.from_codes(y.astype(np.int8), ["no", "yes"]),
                score=score.round(6))
    baseline = pd.DataFrame({"row": np.arange(rows), "truth": y.astype(np.float64),
                             "predicted": (weaker >= 0.5).astype(np.float64), "score": weaker.round(6)})
    return pd.DataFrame(data), baseline


def evidence(frame: pd.DataFrame, baseline: pd.DataFrame, criteria: list[str], steps: list | None = None):
    """Plan (every check) and compute the candidate's evidence: (plan, Computed); ``steps`` gets (seconds since the
    start, what began) of each step."""
    began = time.perf_counter()
    steps = steps if steps is not None else []
    steps.append((0.0, "plan: columns, classes, threshold and every check of both tables"))

    def heard(share, message, partial=None) -> bool:
        steps.append((time.perf_counter() - began, message))
        return False

    meta = DatasetMeta("scored test file", "scored", len(frame), len(frame.columns), infer_column_types(frame),
                       role="test")
    asked = {"name": "gbm v3", "target": "churned", "positive_label": "yes", "criteria": criteria,
             "baseline": {"table": "baseline", "name": "Logistic regression", "classes": ["no", "yes"],
                          "positive_label": "yes"}}
    plan = plan_candidate(meta, asked, predictions=frame, baseline=baseline)
    tables = InMemory({"scored": (frame, meta), "baseline": (baseline, meta)})
    computed = UNIT.compute(plan, tables, Progress(report=heard))
    steps.append((time.perf_counter() - began, "summary written"))
    return plan, computed


class PeakRss(threading.Thread):
    """The process's largest resident memory (MB) while running, sampled every 10 ms from /proc/self/statm."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak, self.running = 0.0, True
        self.page = 4096 / 2**20

    def run(self) -> None:
        statm = Path("/proc/self/statm")
        while self.running:
            self.peak = max(self.peak, int(statm.read_text().split()[1]) * self.page)
            time.sleep(0.01)

    def stop(self) -> float:
        self.running = False
        self.join()
        return self.peak


def coverage(replications: int, rows: int = 1_000, seed: int = 0) -> dict[str, float]:
    """Share of paired 95 % intervals that hold the true difference of ROC AUC and of recall (module docstring)."""
    phi = NormalDist().cdf
    truth = {"roc auc": phi(MU_CANDIDATE / math.sqrt(2)) - phi(MU_BASELINE / math.sqrt(2)),
             "recall": phi(MU_CANDIDATE) - phi(MU_BASELINE)}
    held = {m: 0 for m in truth}
    for r in range(replications):
        rng = np.random.default_rng(seed + 1000 + r)
        y = (rng.random(rows) < POSITIVE_SHARE).astype(np.int64)
        e1 = rng.normal(size=rows)
        e2 = NOISE_CORRELATION * e1 + math.sqrt(1 - NOISE_CORRELATION ** 2) * rng.normal(size=rows)
        a = 1 / (1 + np.exp(-(MU_CANDIDATE * y + e1)))
        b = 1 / (1 + np.exp(-(MU_BASELINE * y + e2)))
        found = compare("a", "b", "baseline", "binary", y, np.c_[1 - a, a], np.c_[1 - b, b], positive=1,
                        threshold=0.5, metrics=tuple(truth), random_state=r)
        for metric, value in truth.items():
            d = found.difference(metric).difference
            held[metric] += d.low <= value <= d.high
    return {m: held[m] / replications for m in truth}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench candidate")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--replications", type=int, default=200)
    args = parser.parse_args(argv)
    began = time.perf_counter()
    frame, baseline = make_scored(args.rows, args.seed)
    print(f"generated {args.rows:,} rows x {len(frame.columns)} columns in {time.perf_counter() - began:.1f} s")
    criteria = ["roc auc >= 0.85", "recall >= 0.6", "pr auc >= baseline + 0.02", "brier score <= dummy - 0.05",
                "recall[every plan] >= 0.5"]
    # imported here, before the watch starts: modules load once per process, not part of the evidence's time
    import scipy.stats  # noqa: F401, PLC0415
    import sklearn.isotonic  # noqa: F401, PLC0415
    import sklearn.metrics  # noqa: F401, PLC0415

    gc.collect()
    watch = PeakRss()
    watch.start()
    began, cpu, steps = time.perf_counter(), time.process_time(), []
    plan, computed = evidence(frame, baseline, criteria, steps)
    seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
    peak = watch.stop()
    s = computed.summary
    for (at, what), (then, _) in zip(steps, steps[1:], strict=False):
        print(f"  {then - at:>7.2f} s  {what}")
    load = os.getloadavg()[0]
    print(f"evidence in {seconds:.1f} s ({cpu:.1f} s of CPU; load average {load:.1f} on {os.cpu_count()} cores: the "
          f"machine is shared), peak resident memory {peak:,.0f} MB")
    for check in s["checks"]:
        print(f"  {check['status']:<14}{check['criterion']:<32}{check['reason'][:110]}")
    print("  " + s["differences"]["baseline"]["sentences"][0])
    weak = (s.get("slices") or {}).get("weak") or []
    for rank, w in enumerate(weak[:5], start=1):
        print(f"  weak slice {rank}: {w['slice']} ({w['rows']:,} rows): {w['value']:.3f} "
              f"({w['low']:.3f}-{w['high']:.3f})")
    planted = f"{PLANTED[0]} = {PLANTED[1]}"
    ranks = [i for i, w in enumerate(weak, start=1) if w["slice"] == planted]
    began = time.perf_counter()
    covered = coverage(args.replications, seed=args.seed)
    ok = all(COVERAGE[0] <= c <= COVERAGE[1] for c in covered.values())
    print(f"paired interval coverage over {args.replications} draws of 1,000 rows: "
          + ", ".join(f"{m} {c:.3f}" for m, c in covered.items()) + f" ({time.perf_counter() - began:.1f} s)")
    print_result(rows=args.rows, evidence_s=seconds, cpu_s=cpu, load=load, peak_mb=peak,
                 planted_rank=ranks[0] if ranks else 0,
                 paired_interval_ok=int(ok), coverage_auc=covered["roc auc"], coverage_recall=covered["recall"])
    return 0
