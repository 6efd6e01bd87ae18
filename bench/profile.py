"""Reading and profiling a CSV: ``python -m bench profile [--rows N] [--sample-rows N] [--repeat N]``.

Writes a generated CSV (ROWS x 20: numbers, skewed and with missing values, categories, dates, a binary
target; seeded numpy) to a temporary folder, then measures, each in a fresh process:
  1. ``pandas.read_csv(path)`` alone (the yardstick);
  2. ``analysis.reading.read.read_csv(path.read_bytes())`` then ``analysis.profile.describe.describe_dataset`` with
     the target.
Targets on 1,000,000 rows: read + profile within 3x of pandas.read_csv, peak memory within 3x of the DataFrame.

Memory: each measurement runs in its own spawned process, which first reads and profiles a tiny CSV (so
lazily loaded code is in memory) and then notes its resident memory; a stage's peak is the process's peak
resident memory (ru_maxrss) at the end of the stage minus that baseline. It counts everything the stage
holds, the uploaded bytes included, which tracemalloc would miss (pyarrow's and pandas' C buffers).
"""
from __future__ import annotations

import argparse
import multiprocessing
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from analysis.profile.describe import DEFAULT_SAMPLE_ROWS, describe_dataset
from analysis.reading.read import read_csv
from bench.common import Stage, Timer, print_result

TARGET = "churned"


def make_table(rows: int, seed: int = 0) -> pa.Table:
    """The benchmark data: 20 columns of ``rows`` rows from ``numpy.random.default_rng(seed)``."""
    rng = np.random.default_rng(seed)

    def with_missing(values, share):
        return pa.array(values, mask=rng.random(rows) < share)

    score = rng.normal(50, 10, rows)
    columns = {
        "age": rng.integers(18, 90, rows),
        "income": np.round(rng.lognormal(10, 1, rows), 2),                        # skewed
        "balance": with_missing(np.round(rng.normal(1000, 300, rows), 2), 0.10),
        "score": np.round(score, 3),
        "score_noisy": np.round(score + rng.normal(0, 2, rows), 3),              # correlated with score
        "visits": rng.poisson(3, rows),
        "refunds": np.where(rng.random(rows) < 0.7, 0, rng.integers(1, 5, rows)),  # mostly zeros
        "ratio": with_missing(np.round(rng.random(rows), 4), 0.02),
        "tenure_months": rng.integers(0, 120, rows),
        "temperature": np.round(rng.normal(20, 5, rows), 1),
        "plan": np.array(["basic", "plus", "premium"])[rng.integers(0, 3, rows)],
        "region": np.array([f"region_{i:02d}" for i in range(50)])[rng.integers(0, 50, rows)],
        "channel": with_missing(np.array(["web", "app", "store", "phone", "partner"])[rng.integers(0, 5, rows)], 0.05),
        "city": np.array([f"city_{i:03d}" for i in range(200)])[rng.zipf(1.5, rows) % 200],
        "country": np.where(rng.random(rows) < 0.99, "DE", "AT"),                # near constant
        "is_active": rng.random(rows) < 0.6,
        "signup_date": pa.array(np.datetime64("2015-01-01") + rng.integers(0, 3650, rows).astype("timedelta64[D]")),
        "last_seen": pa.array(np.datetime64("2024-01-01T00:00:00")
                              + rng.integers(0, 365 * 86400, rows).astype("timedelta64[s]")),
        "notes_len": with_missing(rng.integers(0, 500, rows), 0.30),
        TARGET: (rng.random(rows) < 0.1).astype(np.int64),                       # binary, 10% positive
    }
    return pa.table({name: values if isinstance(values, pa.Array) else pa.array(values)
                     for name, values in columns.items()})


def write_csv(path: Path, rows: int, seed: int = 0) -> None:
    """Write make_table(rows, seed) as a CSV (header, comma, quotes only where needed)."""
    pacsv.write_csv(make_table(rows, seed), path, write_options=pacsv.WriteOptions(quoting_style="needed"))


def _warm_up(folder: Path) -> float:
    """Run both pipelines on a tiny file so lazily loaded code is resident; return the RSS (MB) after it."""
    tiny = folder / "tiny.csv"
    write_csv(tiny, 200, seed=1)
    pd.read_csv(tiny)
    table = read_csv(tiny.read_bytes())
    describe_dataset(table.frame, table.column_types, target=TARGET)
    return _rss_mb()


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096 / 2**20


def _measure_pandas(path: str, rows: int) -> dict:
    baseline = _warm_up(Path(path).parent)
    timer = Timer()
    with timer.stage("pandas.read_csv", rows):
        frame = pd.read_csv(path)
    return {"stages": _relative(timer.stages, baseline), "frame_mb": _frame_mb(frame)}


def _measure_analysis(path: str, rows: int, sample_rows: int) -> dict:
    baseline = _warm_up(Path(path).parent)
    timer = Timer()
    with timer.stage("read_csv (analysis)", rows):
        table = read_csv(Path(path).read_bytes())
    with timer.stage("describe_dataset", rows):
        profile = describe_dataset(table.frame, table.column_types, target=TARGET, sample_rows=sample_rows)
    return {"stages": _relative(timer.stages, baseline), "frame_mb": _frame_mb(table.frame),
            "sample_rows": profile.sample_rows}


def _relative(stages: list[Stage], baseline: float) -> list[Stage]:
    return [Stage(s.name, s.rows, s.seconds, s.peak_mb - baseline) for s in stages]


def _frame_mb(frame) -> float:
    return float(frame.memory_usage(deep=True).sum()) / 2**20


def _fastest(function, repeat: int, *args) -> dict:
    """Run ``function(*args)`` ``repeat`` times, each in a fresh spawned process; the run with the least total time."""
    runs = []
    for _ in range(max(1, repeat)):
        with multiprocessing.get_context("spawn").Pool(1) as pool:
            runs.append(pool.apply(function, args))
    return min(runs, key=lambda run: sum(stage.seconds for stage in run["stages"]))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench profile", description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the generated CSV (default 1,000,000)")
    parser.add_argument("--sample-rows", type=int, default=DEFAULT_SAMPLE_ROWS,
                        help=f"describe_dataset's row limit (default {DEFAULT_SAMPLE_ROWS:,})")
    parser.add_argument("--repeat", type=int, default=1,
                        help="run each measurement this many times (fresh processes) and keep the fastest (default 1)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.csv"
        write_csv(path, args.rows)
        file_mb = path.stat().st_size / 2**20
        pandas_run = _fastest(_measure_pandas, args.repeat, str(path), args.rows)
        analysis_run = _fastest(_measure_analysis, args.repeat, str(path), args.rows, args.sample_rows)
    timer = Timer(stages=pandas_run["stages"] + analysis_run["stages"])
    timer.print_table()
    pandas_read, read, profile = (s.seconds for s in timer.stages)
    peak = max(s.peak_mb for s in analysis_run["stages"])
    frame_mb = analysis_run["frame_mb"]
    print(f"file {file_mb:.1f} MB; pandas frame {pandas_run['frame_mb']:.1f} MB; analysis frame {frame_mb:.1f} MB; "
          "(peak MB: above the process before the stage, the uploaded bytes included)")
    print_result(
        rows=args.rows,
        read_s=read,
        profile_s=profile,
        pandas_read_s=pandas_read,
        ratio=(read + profile) / pandas_read,
        peak_mb=peak,
        frame_mb=frame_mb,
        peak_ratio=peak / frame_mb,
        sampled_rows=analysis_run["sample_rows"],
    )
    return 0
