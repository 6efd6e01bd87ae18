"""Slices benchmark: the weak-slice search on a generated binary task with one planted weak segment.

    python -m bench slices [--rows 100000] [--seed 0]

The data (numpy default_rng(seed)) has 20 columns: 12 numeric (8 in the label's logistic model, 4 pure noise),
6 categorical (one of them, "region", with 12 values) and 2 boolean; the label follows a logistic model of them.
The planted weak segment: inside region "region_7", labels are flipped at random with probability 0.35, which no model
can learn. The baselines run logistic regression with 5-fold cross-validation, so every row is tested once, then the
error analysis slices all 20 columns (single values, then pairs). Goal: slice_search_s <= 5 (the slices alone, the
worker's step), planted_rank = 1 (the planted slice is the first weak slice), false_slices = 0 (weak slices outside
the planted segment).
"""
from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

from analysis.baselines.run import RunSettings, run_baselines
from analysis.column_types import infer_column_types
from analysis.error_analysis.analyze import analyze_model
from analysis.error_analysis.columns import slice_columns
from analysis.error_analysis.slices import Outcomes, slice_metric, slice_report
from bench.common import Timer, max_rss_mb, print_result

PLANTED = ("region", "region_7")
FLIP = 0.35


def make_frame(rows: int, seed: int = 0) -> tuple[pd.DataFrame, dict[str, str]]:
    """(frame, column_types): 20 columns and the label "churned" (yes / no), with the planted weak segment."""
    rng = np.random.default_rng(seed)
    numeric = rng.normal(size=(rows, 12))
    region = rng.choice([f"region_{i}" for i in range(12)], size=rows)
    plan = rng.choice(["basic", "plus", "pro", "family"], size=rows, p=[0.4, 0.3, 0.2, 0.1])
    channel = rng.choice(["web", "store", "phone"], size=rows, p=[0.6, 0.3, 0.1])
    device = rng.choice(["ios", "android", "desktop", "other"], size=rows)
    segment = rng.choice(["consumer", "small business", "enterprise"], size=rows, p=[0.7, 0.2, 0.1])
    language = rng.choice(["en", "fr", "de", "es", "it"], size=rows)
    autopay, promo = rng.random(rows) < 0.5, rng.random(rows) < 0.2
    weights = np.array([1.0, -0.8, 0.6, -0.5, 0.4, 0.3, -0.3, 0.2])
    logit = (-0.8 + numeric[:, :8] @ weights
             + np.select([plan == "basic", plan == "pro", plan == "family"], [0.5, -0.4, -0.7], 0.0)
             + 0.5 * (channel == "phone") - 0.6 * autopay + 0.3 * promo)
    y = rng.random(rows) < 1 / (1 + np.exp(-logit))
    planted = (region == PLANTED[1]) & (rng.random(rows) < FLIP)
    y = np.where(planted, ~y, y)
    data = {f"usage_{i}": numeric[:, i].round(4) for i in range(8)}
    data.update({f"noise_{i}": numeric[:, 8 + i].round(4) for i in range(4)})
    data.update(region=region, plan=plan, channel=channel, device=device, segment=segment, language=language,
                autopay=autopay, promo=promo, churned=np.where(y, "yes", "no"))
    frame = pd.DataFrame(data)
    return frame, infer_column_types(frame)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench slices")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    timer = Timer()
    with timer.stage("generate data", rows=args.rows):
        frame, column_types = make_frame(args.rows, args.seed)

    settings = RunSettings(target="churned", models=("Logistic regression",), protocol="kfold", positive_label="yes",
                           max_rows=None, time_budget_s=600, random_state=args.seed)
    with timer.stage("baselines (LR, 5-fold)", rows=args.rows):
        run = run_baselines(frame, column_types, settings)
    best = run.best()
    p = best.predictions
    with timer.stage("cut columns", rows=args.rows):
        columns, skipped = slice_columns(frame, column_types, "churned")
    positions = np.asarray(p.rows, dtype=np.int64)
    metric, why = slice_metric(run.task, run.primary_metric)
    outcomes = Outcomes.of(run.task, p.truth, p.predicted, p.score, run.classes.index("yes"))
    with timer.stage("slice search", rows=len(positions)) as search:
        report = slice_report(outcomes, columns, positions, metric, note=why, skipped=skipped)
    with timer.stage("error analysis (all)", rows=len(positions)):
        analyze_model(run, best, frame, columns, skipped, full=True)
    timer.print_table()
    print(f"{len(columns)} columns sliced, {report.tested:,} slices tested ({metric}, Holm at {report.alpha:.0%}); "
          f"overall {report.overall.value:.3f}")
    print(f"{'rank':<6}{'slice':<44}{'rows':>8}{metric:>9}{'interval':>16}{'gap':>8}{'p':>10}")
    for rank, s in enumerate(report.weak, start=1):
        print(f"{rank:<6}{s.label[:43]:<44}{s.rows:>8,}{s.metric.value:>9.3f}"
              f"{f'{s.metric.low:.3f}-{s.metric.high:.3f}':>16}{s.gap:>8.3f}{s.p_value:>10.1e}")
    planted = f"{PLANTED[0]} = {PLANTED[1]}"
    ranks = [i for i, s in enumerate(report.weak, start=1) if s.label == planted]
    false = [s for s in report.weak if dict(zip(s.columns, s.values, strict=True)).get(PLANTED[0]) != PLANTED[1]]
    print_result(rows=args.rows, columns=len(columns), slices_tested=report.tested, slice_search_s=search.seconds,
                 planted_rank=ranks[0] if ranks else 0, false_slices=len(false), peak_mb=max_rss_mb())
    return 0
