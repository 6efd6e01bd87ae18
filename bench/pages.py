"""Page benchmark: how long each page takes to run, first and when revisited (cached), on a dataset of
N generated rows uploaded to a fresh store, driven through Streamlit's AppTest.

    python -m bench pages [--rows 1000000] [--reruns 5]

Before timing, the store holds what a user would have stored on that dataset: its profile (Explore), its leakage
scan and a baseline run with the page's default settings (each pressed on its page and computed by the job
workers, as in the app), and the sample project's own analyses; so Baselines, Compare and Review show a run on N
rows. The data pages are opened on the uploaded dataset (?dataset=&target=churned).
"first" is the first run of the page in a session (the first read of a stored result decodes it; the server's
cache then serves every session); "rerun" is the median of later runs (what a user waits when revisiting).
The job pool and its workers are stopped before the temporary data folder is removed.
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
from streamlit.testing.v1 import AppTest

from bench.common import Stage, Timer, max_rss_mb, print_result
from jobs.pool import stop_pool
from store.db import DB_FILE, connect

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


def wait_for_jobs(home: str, timeout_s: float = 1800) -> float:
    """Seconds until no job of the store in ``home`` is queued or running."""
    start = time.perf_counter()
    db = connect(Path(home) / DB_FILE)
    try:
        while db.execute("SELECT COUNT(*) FROM jobs WHERE state IN ('queued', 'running')").fetchone()[0]:
            if time.perf_counter() - start > timeout_s:
                raise RuntimeError(f"jobs still running after {timeout_s:.0f} s")
            time.sleep(0.5)
        failed = [r[0] for r in db.execute("SELECT kind || ': ' || COALESCE(error, state) FROM jobs "
                                           "WHERE state != 'done'")]
    finally:
        db.close()
    if failed:
        raise RuntimeError(f"jobs did not finish: {failed}")
    return time.perf_counter() - start


def store_analyses(at, home: str) -> float:
    """What a user would have stored on the uploaded dataset before: its profile (Explore starts it), its leakage
    scan and a baseline run (their Run buttons pressed), computed by the job workers; seconds until all are done."""
    for page, button in (("pages/explore.py", None), ("pages/leakage.py", "leak-run"),
                         ("pages/baselines.py", "bl-run")):
        at.switch_page(page).run()
        if button is not None:
            at.button(key=button).click().run()
        if at.exception:
            raise RuntimeError(f"{page} failed: {at.exception[0].message}")
    return wait_for_jobs(home)


def _seconds(at, action) -> float:
    start = time.perf_counter()
    action()
    elapsed = time.perf_counter() - start
    if at.exception:
        raise RuntimeError(f"page failed: {at.exception[0].message}")
    return elapsed


def _uploaded(home: str) -> int:
    """The id of the dataset the bench uploaded (bench.csv)."""
    db = connect(Path(home) / DB_FILE)
    try:
        return db.execute("SELECT id FROM datasets WHERE name = 'bench.csv'").fetchone()[0]
    finally:
        db.close()


def main(argv: list[str]) -> int:

    parser = argparse.ArgumentParser(prog="python -m bench pages")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--reruns", type=int, default=5)
    args = parser.parse_args(argv)
    timer = Timer()
    figures = {}
    with tempfile.TemporaryDirectory() as home:
        os.environ["BLUEPRINT_HOME"] = home
        try:
            data = generated_csv(args.rows)
            at = AppTest.from_file(APP, default_timeout=600)
            with timer.stage("start app (seed sample)", rows=569):
                at.run()
            at.run()
            at.switch_page("pages/datasets.py").run()
            with timer.stage("upload + read + store", rows=args.rows):
                at.file_uploader[0].upload("bench.csv", data, "text/csv").run()
            at.query_params["dataset"] = str(_uploaded(home))
            at.query_params["target"] = "churned"
            with timer.stage("profile, leakage, run (jobs)", rows=args.rows):
                store_analyses(at, home)
            for page in PAGES:
                at.switch_page(page)
                first = _seconds(at, at.run)
                reruns = [_seconds(at, at.run) for _ in range(args.reruns)]
                name = Path(page).stem
                timer.stages.append(Stage(f"{name}: first", args.rows, first, max_rss_mb()))
                timer.stages.append(Stage(f"{name}: rerun (median)", args.rows, statistics.median(reruns),
                                          max_rss_mb()))
                figures[f"{name}_first_s"] = first
                figures[f"{name}_rerun_ms"] = statistics.median(reruns) * 1000
        finally:
            stop_pool(home)            # no worker may start on the folder once it is removed
    timer.print_table()
    print_result(rows=args.rows, **figures)
    return 0
