"""Page benchmark: how long each page takes to run, first and when revisited (cached), on a dataset of
N generated rows uploaded to a fresh store, driven through Streamlit's AppTest.

    python -m bench pages [--rows 1000000] [--reruns 5]

"first" is the first run of the page in a session (for Explore: profiling included, unless the store
already holds the profile); "rerun" is the median of later runs (what a user waits when revisiting).
"""
from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from bench.common import Stage, Timer, max_rss_mb, print_result

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGES = ["pages/projects.py", "pages/design.py", "pages/datasets.py", "pages/explore.py", "pages/leakage.py",
         "pages/drift.py", "pages/baselines.py", "pages/compare.py", "pages/review.py"]


def generated_csv(rows: int, seed: int = 0) -> bytes:
    """A deterministic CSV: numbers with missing values, categories, dates and a binary target."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({f"num_{i}": rng.normal(i, 1 + i, rows).round(4) for i in range(8)})
    frame.loc[rng.random(rows) < 0.05, "num_1"] = np.nan
    for i in range(6):
        frame[f"cat_{i}"] = rng.choice([f"v{j}" for j in range(3 + 4 * i)], rows)
    frame["signup"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 365, rows), unit="D")
    frame["amount"] = rng.lognormal(3, 1, rows).round(2)
    frame["churned"] = np.where(rng.random(rows) < 0.2, "yes", "no")
    return frame.to_csv(index=False).encode()


def _seconds(at, action) -> float:
    start = time.perf_counter()
    action()
    elapsed = time.perf_counter() - start
    if at.exception:
        raise RuntimeError(f"page failed: {at.exception[0].message}")
    return elapsed


def main(argv: list[str]) -> int:
    from streamlit.testing.v1 import AppTest

    parser = argparse.ArgumentParser(prog="python -m bench pages")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--reruns", type=int, default=5)
    args = parser.parse_args(argv)
    timer = Timer()
    figures = {}
    with tempfile.TemporaryDirectory() as home:
        os.environ["BLUEPRINT_HOME"] = home
        data = generated_csv(args.rows)
        at = AppTest.from_file(APP, default_timeout=600)
        with timer.stage("start app (seed sample)", rows=569):
            at.run()
        at.run()
        at.switch_page("pages/datasets.py").run()
        with timer.stage("upload + read + store", rows=args.rows):
            at.file_uploader[0].upload("bench.csv", data, "text/csv").run()
        for page in PAGES:  # Explore shows the newest dataset first: the one just uploaded
            at.switch_page(page)
            if page in ("pages/explore.py", "pages/leakage.py", "pages/baselines.py"):
                at.query_params["target"] = "churned"
            first = _seconds(at, at.run)
            reruns = [_seconds(at, at.run) for _ in range(args.reruns)]
            name = Path(page).stem
            timer.stages.append(Stage(f"{name}: first", args.rows, first, max_rss_mb()))
            timer.stages.append(Stage(f"{name}: rerun (median)", args.rows, statistics.median(reruns), max_rss_mb()))
            figures[f"{name}_first_s"] = first
            figures[f"{name}_rerun_ms"] = statistics.median(reruns) * 1000
    timer.print_table()
    print_result(rows=args.rows, **figures)
    return 0
