"""Drift benchmark: Blueprint's drift check (sampled sides) against Evidently's report on the full frames.

    python -m bench drift [--rows 1000000] [--max-rows 50000] [--seed 0]

Two deterministic frames of ``rows`` rows x 20 columns (make_pair: numpy default_rng(seed)): 14 float columns
of various shapes (some with missing values), a count, a 1-5 rating, 4 categorical columns. In ``current``
3 numeric columns and 1 categorical column are shifted (SHIFTED): a mean shift of 0.5 sd, a 1.6x wider
spread, 30 % of rows moved by 1.5 sd, and other category shares. The other 16 columns come from the same
distributions on both sides.

Stages: make the frames; import Evidently and warm both calls up on 2,000 rows (not counted on either side);
run_drift (sampling, report, summary and HTML); Evidently's Report.run on the full frames with the same preset
settings, called as a user would (the default DataDriftPreset with its tests on the plain DataFrames:
Evidently infers the column types and picks the tests; its HTML is not rendered, which favours it). Then the
verdicts are compared per column: verdict_agreement is the share of columns with the same drifted flag; the run
fails (exit 1) when a shifted column is not found drifted or an unshifted one is, on either side.
"""
from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

from analysis.drift.evidently_report import read_snapshot
from analysis.drift.run import MAX_ROWS_PER_SIDE, DriftSettings, run_drift
from bench.common import Timer, print_result

SHIFTED = ("num_mean", "num_spread", "num_mixture", "cat_mix")
CATEGORIES = {
    "cat_mix": (list("abcd"), [0.4, 0.3, 0.2, 0.1]),
    "cat_city": ([f"city_{i}" for i in range(12)], None),
    "cat_plan": (["free", "basic", "pro"], [0.6, 0.3, 0.1]),
    "cat_flag": (["yes", "no"], [0.2, 0.8]),
}
CAT_MIX_SHIFTED = [0.1, 0.2, 0.3, 0.4]


def make_pair(rows: int, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(reference, current): ``rows`` rows x 20 columns each, deterministic for a seed; SHIFTED columns differ."""
    rng = np.random.default_rng(seed)
    return _frame(rng, rows, shifted=False), _frame(rng, rows, shifted=True)


def column_types(frame: pd.DataFrame) -> dict[str, str]:
    """The types analysis.reading.read would give make_pair's columns (without reading a CSV)."""
    return {c: "categorical" if c.startswith("cat_") else "numeric" for c in frame.columns}


def _frame(rng: np.random.Generator, n: int, shifted: bool) -> pd.DataFrame:
    data = {
        "num_mean": rng.normal(0.5 if shifted else 0.0, 1.0, n),
        "num_spread": rng.normal(10.0, 3.2 if shifted else 2.0, n),
        "num_mixture": rng.normal(0.0, 1.0, n) + np.where(rng.random(n) < (0.3 if shifted else 0.0), 1.5, 0.0),
    }
    for i in range(4):
        data[f"num_normal_{i}"] = rng.normal(i, 1.0 + i, n)
    for i in range(3):
        data[f"num_lognormal_{i}"] = rng.lognormal(0.0, 0.5 + 0.25 * i, n)
    for i in range(2):
        data[f"num_uniform_{i}"] = rng.uniform(-1.0, 1.0 + i, n)
    data["num_exponential"] = rng.exponential(2.0, n)
    gaps = rng.normal(100.0, 15.0, n)
    gaps[rng.random(n) < 0.1] = np.nan                     # 10 % missing
    data["num_with_gaps"] = gaps
    data["count"] = rng.poisson(3.0, n)
    data["rating"] = rng.integers(1, 6, n)                  # 5 values: Evidently tests it like categories
    for name, (labels, p) in CATEGORIES.items():
        p = CAT_MIX_SHIFTED if shifted and name == "cat_mix" else p
        codes = rng.choice(len(labels), size=n, p=p)
        data[name] = pd.Categorical.from_codes(codes, categories=labels)
    return pd.DataFrame(data)


def evidently_full(reference: pd.DataFrame, current: pd.DataFrame) -> dict:
    """Evidently on the full frames, called as a user would (notes/stack.md): the DataDriftPreset with its
    tests on the plain DataFrames, Evidently inferring the column types and choosing the tests. Returns
    {column: ColumnDrift}."""
    # imported here: Evidently's ~6 s import is paid by this comparison only, not by the bench's other stages
    from evidently import Report  # noqa: PLC0415
    from evidently.presets import DataDriftPreset  # noqa: PLC0415

    snapshot = Report([DataDriftPreset()], include_tests=True).run(current_data=current, reference_data=reference)
    columns, *_ = read_snapshot(snapshot, column_types(reference))
    return {c.column: c for c in columns}


def warm_up(reference: pd.DataFrame, current: pd.DataFrame) -> None:
    """Import Evidently and run both calls once on 2,000 rows, so first-call costs (lazy imports, caches) are
    paid before either timing."""
    types = column_types(reference)
    run_drift(reference.head(2_000), current.head(2_000), types, types, DriftSettings())
    evidently_full(reference.head(2_000), current.head(2_000))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench drift")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--max-rows", type=int, default=MAX_ROWS_PER_SIDE, help="sample size per side")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--skip-full", action="store_true", help="time only run_drift (no full Evidently run)")
    args = parser.parse_args(argv)
    timer = Timer()
    with timer.stage("make frames", rows=2 * args.rows):
        reference, current = make_pair(args.rows, args.seed)
        types = column_types(reference)
    with timer.stage("import + warm-up evidently"):
        warm_up(reference, current)
    settings = DriftSettings(max_rows_per_side=args.max_rows, random_state=args.seed)
    with timer.stage("blueprint run_drift", rows=2 * args.rows) as stage:
        result = run_drift(reference, current, types, types, settings)
    blueprint_s = stage.seconds
    ours = {c.column: c for c in result.summary.columns}
    full, evidently_s = None, float("nan")
    if not args.skip_full:
        with timer.stage("evidently Report.run full", rows=2 * args.rows) as stage:
            full = evidently_full(reference, current)
        evidently_s = stage.seconds
    timer.print_table()

    print(f"\n{'column':<18}{'method (ours)':<32}{'score':>9}{'drift':>7}   "
          f"{'method (full)':<32}{'score':>9}{'drift':>7}")
    for name in reference.columns:
        o = ours[name]
        line = f"{name:<18}{o.method:<32}{o.score:>9.4f}{'yes' if o.drifted else 'no':>7}"
        if full is not None:
            f = full[name]
            line += f"   {f.method:<32}{f.score:>9.4f}{'yes' if f.drifted else 'no':>7}"
        print(line)
    print(f"\nsummary: dataset_drift={result.summary.dataset_drift} drifted={result.summary.drifted_count} "
          f"share={result.summary.share:.3f} html={len(result.html) / 2**20:.1f} MB")
    for note in result.summary.notes:
        print("note:", note)

    expected = {name: name in SHIFTED for name in reference.columns}
    wrong = [n for n in expected if ours[n].drifted != expected[n]]
    if full is not None:
        agreement = sum(ours[n].drifted == full[n].drifted for n in expected) / len(expected)
        wrong += [f"{n} (full run)" for n in expected if full[n].drifted != expected[n]]
        speedup = evidently_s / blueprint_s
    else:
        agreement, speedup = float("nan"), float("nan")
    if wrong:
        print("verdict differs from the generated shift on:", ", ".join(wrong))
    print_result(
        blueprint_s=blueprint_s,
        evidently_full_s=evidently_s,
        speedup=speedup,
        verdict_agreement=agreement,
        sampled_rows=result.summary.reference_sample_rows,
    )
    return 1 if wrong else 0
