"""Leakage benchmark: a full leakage scan of generated data with planted leaks, stage by stage.

    python -m bench leakage [--rows 100000] [--seed 0]

The data (generate_frame, also used by tests/analysis/test_leakage.py) has 20 columns: an order id, a customer id that
repeats (the group), a signup date and an event date (the prediction time), nine numeric features, three
categorical ones, a flag, the binary target ``churned`` and two planted leaks: ``retention_score`` (the target
plus noise) and ``closed_at`` (a date after the event, only for churned customers). 1 % of the rows repeat
another row under a new order id. The scan uses a random split that names the date and group columns, so every
check runs. Prints the stage table, the findings, then
``RESULT scan_s=... sampled_rows=... rows=... findings_high=...``.
"""
from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

from analysis.column_types import infer_column_types
from analysis.leakage.scan import LeakageSettings, Split, scan_leakage
from bench.common import Timer, print_result

TARGET = "churned"
SPLIT = Split("random", date_column="signup_date", group_column="customer_id", prediction_time_column="event_date")


def generate_frame(rows: int, seed: int = 0, *, leaks: bool = True, duplicate_share: float = 0.01) -> pd.DataFrame:
    """Deterministic churn-like data: 20 columns with ``leaks`` (18 without: no retention_score, no closed_at).

    Honest features relate to the target moderately (single-feature AUC up to about 0.7); the planted ones
    give it away. ``duplicate_share`` of the rows copy another row's values under a new order id.
    """
    rng = np.random.default_rng(seed)
    numeric = rng.normal(size=(rows, 9))
    numeric[:, 3] = np.exp(numeric[:, 3])                 # a skewed feature
    numeric[:, 4] = np.round(numeric[:, 4] * 3 + 10)     # a whole-number feature with repeats
    numeric[rng.random((rows, 9)) < 0.02] = np.nan       # 2 % missing values
    plan = rng.choice(["basic", "plus", "pro", "team", "enterprise"], rows, p=[0.4, 0.3, 0.15, 0.1, 0.05])
    region = rng.integers(0, 50, rows)
    city = rng.integers(0, 1000, rows)
    flag = rng.random(rows) < 0.3
    signup = np.datetime64("2022-01-01") + rng.integers(0, 730, rows).astype("timedelta64[D]")
    event = signup + rng.integers(30, 365, rows).astype("timedelta64[D]")
    logit = (-1.6 + 0.5 * np.nan_to_num(numeric[:, 0]) - 0.4 * np.nan_to_num(numeric[:, 1])
             + 0.3 * (plan == "basic") + 0.02 * (region % 7) + 0.4 * flag)
    churned = rng.random(rows) < 1 / (1 + np.exp(-logit))
    frame = pd.DataFrame({
        "order_id": np.arange(1, rows + 1),
        "customer_id": rng.integers(0, max(rows // 4, 1), rows),
        "signup_date": signup,
        "event_date": event,
        **{f"x{i}": numeric[:, i] for i in range(9)},
        "plan": pd.Categorical(plan),
        "region": pd.Categorical([f"r{v:02d}" for v in range(50)])[region],
        "city": pd.Categorical([f"c{v:04d}" for v in range(1000)])[city],
        "has_discount": flag,
    })
    if leaks:
        frame["retention_score"] = churned + rng.normal(0, 0.25, rows)
        closed = event + rng.integers(1, 60, rows).astype("timedelta64[D]")
        frame["closed_at"] = np.where(churned, closed, np.datetime64("NaT"))
    frame[TARGET] = np.where(churned, "yes", "no")
    copies = int(rows * duplicate_share)
    if copies:
        source, place = rng.choice(rows, copies, replace=False), rng.choice(rows, copies, replace=False)
        for column in frame.columns.drop("order_id"):
            series = frame[column]
            if isinstance(series.dtype, pd.CategoricalDtype):
                codes = series.cat.codes.to_numpy().copy()
                codes[place] = codes[source]
                frame[column] = pd.Categorical.from_codes(codes, series.cat.categories)
            else:
                values = series.to_numpy(copy=True)
                values[place] = values[source]
                frame[column] = values
    return frame


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench leakage")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    timer = Timer()
    with timer.stage("generate", rows=args.rows):
        frame = generate_frame(args.rows, args.seed)
    with timer.stage("column types", rows=args.rows):
        types = infer_column_types(frame)
    settings = LeakageSettings()
    with timer.stage("scan", rows=args.rows) as stage:
        report = scan_leakage(frame, types, TARGET, split=SPLIT, settings=settings)
    timer.print_table()
    print(f"\n{'scan by check':<28}{'seconds':>10}   (shared work counts for the first check that needs it)")
    for name, seconds in report.timings.items():
        print(f"{name:<28}{seconds:>10.3f}")
    print(f"\n{report.rows:,} rows x {frame.shape[1]} columns; scores on {report.sample_rows:,} rows"
          f"{' (sampled)' if report.sampled else ''}; train {report.train_rows:,} / test {report.test_rows:,}")
    for note in report.notes:
        print(f"note: {note}")
    print(f"\n{'severity':<8} {'key':<32} title")
    for finding in report.findings:
        print(f"{finding.severity:<8} {finding.key:<32} {finding.title}")
    print("\nstrongest single features: " + ", ".join(f"{s.column} {s.score:.3f}" for s in report.scores[:5]))
    print_result(
        scan_s=stage.seconds, sampled_rows=report.sample_rows, rows=report.rows, findings_high=report.counts()["high"],
        findings=len(report.findings), sampled=report.sampled,
    )
    return 0
