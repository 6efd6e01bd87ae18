"""Leakage, baselines and drift on a large stored dataset, through the jobs: ``python -m bench engine_analyses
[--rows 2000000] [--chunk 500000]``.

Writes bench.profile's 20-column data (seeded numpy; the binary target ``churned``, 10 % positive) chunk by chunk as
one Parquet file, stores it in a fresh store the way an upload is stored (analysis.reading.read.read_table, then
store.datasets.add_dataset), then plans and computes each analysis with jobs.tasks (plan_for, compute), each in a
fresh spawned process (peak = that process's peak resident memory, interpreter and libraries included), two ways:
  engine: the dataset is above each analysis's in-memory size, so the job reads the stored file as an
          analysis.engine.table FileTable (columns one at a time; the sample by position);
  pandas: the same job forced to load the whole file into pandas first (use_engine=False: what every job did before).
The analyses: a leakage scan with a random split (scores on a 100,000-row stratified sample; duplicates, overlap and
conflicts exact over every row), a baseline run of logistic regression only (a 100,000-row stratified sample; its
error analysis), a drift check of the first half against the second (50,000 rows per side). Also: pandas' full load
of the stored file alone. same=1 when the engine's result equals the pandas one (timings and notes left out; floats
to 1e-9 relative).
Ends with ``RESULT rows=... leakage_s=... leakage_peak_mb=... run_s=... run_peak_mb=... drift_s=... drift_peak_mb=...
pandas_leakage_peak_mb=... pandas_run_peak_mb=... pandas_drift_peak_mb=... pandas_load_peak_mb=... same=1``.
"""
from __future__ import annotations

import argparse
import math
import multiprocessing
import resource
import tempfile
import time
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from analysis.baselines.run import RunSettings
from analysis.drift.model import DriftSettings
from analysis.evidence import drift_settings, leakage_settings, run_settings_key
from analysis.leakage.model import LeakageSettings, Split
from analysis.reading.read import read_table
from bench.bigdata import _as_stored
from bench.common import print_result
from bench.profile import TARGET, make_table
from jobs.tasks import compute, plan_for
from store.datasets import add_dataset, data_file, get_dataset
from store.db import open_store
from store.people import System
from store.projects import create_project

KINDS = ("leakage", "run", "drift")


def write_file(path: Path, rows: int, chunk: int) -> None:
    """All rows as one Parquet file, generated and written a chunk at a time."""
    writer = None
    try:
        for index, start in enumerate(range(0, rows, chunk)):
            table = _as_stored(make_table(min(chunk, rows - start), seed=index))
            if writer is None:
                writer = pq.ParquetWriter(path, table.schema)
            writer.write_table(table)
    finally:
        if writer is not None:
            writer.close()


def store_dataset(home: Path, path: Path) -> tuple[int, int]:
    """(project id, dataset id) of the file stored as an upload is, in a new store at ``home``."""
    data = path.read_bytes()
    table = read_table(data, path.name, max_bytes=len(data) + 1)
    db = open_store(home)
    try:
        bench = System("benchmark", "bench")
        project = create_project(db, "Engine bench", created_by=bench)
        dataset, _ = add_dataset(db, project.id, path.name, table, bench)
        return project.id, dataset.id
    finally:
        db.close()


def key_of(kind: str) -> dict:
    if kind == "leakage":
        return leakage_settings(TARGET, Split("random"), LeakageSettings(), None)
    if kind == "run":
        return run_settings_key(RunSettings(target=TARGET, models=("Logistic regression",)), None)
    return drift_settings({"kind": "order", "share": 0.5}, DriftSettings())


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _compute(home: str, dataset_id: int, kind: str, use_engine: bool) -> dict:
    """One job's computation in this (fresh) process: seconds, peak memory, and the result without its timings."""
    if kind == "drift":                       # Evidently's import (about 7 s) is not the check's time
        from analysis.drift.evidently_report import load_evidently  # noqa: PLC0415 (only for drift, as above)

        load_evidently()

    db = open_store(home)
    try:
        dataset = get_dataset(db, dataset_id)
        plan = plan_for(db, kind, dataset, key_of(kind))     # planned once, as a page does; not timed
        start = time.perf_counter()
        computed, _ = compute(db, plan, dataset.project_id, use_engine=use_engine)
        payload = computed.payload
        seconds = time.perf_counter() - start
    finally:
        db.close()
    return {"seconds": seconds, "peak_mb": _peak_mb(), "result": _comparable(kind, payload),
            "scope": _scope(payload)}


def _comparable(kind: str, payload: dict) -> dict:
    """The stored result without what differs by design between two computations (timings, notes, the engine)."""
    drop = {"seconds", "timings", "notes", "engine", "fit_s", "predict_s", "versions", "n_rows_labelled"}

    def strip(value):
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in drop}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    return strip(payload)


def _same(a, b) -> bool:
    """Equal, floats to 1e-9 relative: Evidently's scores vary in their last digits from one process to another
    (two pandas runs in two processes differ so), whatever read the rows."""
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def _scope(payload: dict) -> str:
    notes = payload.get("notes") or payload.get("summary", {}).get("notes") or []
    return next((n for n in notes if "stored file" in n), notes[0] if notes else "")


def _pandas_load(home: str, dataset_id: int) -> dict:

    db = open_store(home)
    try:
        path = data_file(db, get_dataset(db, dataset_id).content_hash)
    finally:
        db.close()
    start = time.perf_counter()
    frame = pd.read_parquet(path)
    return {"seconds": time.perf_counter() - start, "peak_mb": _peak_mb(),
            "frame_mb": float(frame.memory_usage(deep=True).sum()) / 2**20}


def _in_child(function, *args) -> dict:
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(function, args)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench engine_analyses", description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000, help="rows of the generated data (default 2,000,000)")
    parser.add_argument("--chunk", type=int, default=500_000, help="rows generated and written at a time")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        start = time.perf_counter()
        write_file(folder / "big.parquet", args.rows, args.chunk)
        _, dataset_id = _in_child(store_dataset, folder / "home", folder / "big.parquet")
        prepared = time.perf_counter() - start
        home = str(folder / "home")
        runs = {}
        for kind in KINDS:
            for engine in (True, False):
                runs[(kind, engine)] = _in_child(_compute, home, dataset_id, kind, engine)
        load = _in_child(_pandas_load, home, dataset_id)
        stored_mb = sum(p.stat().st_size for p in (folder / "home").rglob("*.parquet")) / 2**20
    names = {"leakage": "leakage scan (random split)", "run": "baselines (logistic regression)",
             "drift": "drift (first half vs second)"}
    print(f"{'analysis (job)':<34}{'rows':>12}{'engine s':>10}{'engine MB':>11}{'pandas s':>10}{'pandas MB':>11}")
    for kind in KINDS:
        mine, theirs = runs[(kind, True)], runs[(kind, False)]
        print(f"{names[kind]:<34}{args.rows:>12,}{mine['seconds']:>10.1f}{mine['peak_mb']:>11.0f}"
              f"{theirs['seconds']:>10.1f}{theirs['peak_mb']:>11.0f}")
    print(f"{'pandas.read_parquet (whole file)':<34}{args.rows:>12,}{'':>10}{'':>11}{load['seconds']:>10.1f}"
          f"{load['peak_mb']:>11.0f}")
    same = {kind: _same(runs[(kind, True)]["result"], runs[(kind, False)]["result"]) for kind in KINDS}
    print(f"prepared in {prepared:.1f} s (generated, read and stored as an upload): stored Parquet {stored_mb:.1f} MB; "
          f"pandas frame {load['frame_mb']:.1f} MB; peak MB: whole child process, interpreter and libraries included")
    for kind in KINDS:
        print(f"{kind}: {'same result' if same[kind] else 'RESULTS DIFFER'} both ways; engine says: "
              f"{runs[(kind, True)]['scope']}")
    print_result(
        rows=args.rows,
        **{f"{kind}_s": runs[(kind, True)]["seconds"] for kind in KINDS},
        **{f"{kind}_peak_mb": runs[(kind, True)]["peak_mb"] for kind in KINDS},
        **{f"pandas_{kind}_s": runs[(kind, False)]["seconds"] for kind in KINDS},
        **{f"pandas_{kind}_peak_mb": runs[(kind, False)]["peak_mb"] for kind in KINDS},
        pandas_load_peak_mb=load["peak_mb"],
        same=int(all(same.values())),
    )
    return 0
