"""``blueprint check`` benchmark: the real command on a generated dataset and a candidate's predictions of its size.

    python -m bench check [--rows 1000000] [--seed 0] [--format csv|parquet] [--reference-rows 0]

The data (bench.candidate.make_scored, numpy default_rng(seed)): a binary churn table of 20 columns: a customer id,
12 numeric (8 informative, 4 noise), 5 categorical, 1 boolean and the label "churned" (yes / no); the predictions
file: the customer id and the candidate's score (a good model). A project file is made with the app's own export
(store.transfer) of a project whose design document names the target, the positive class, a decision threshold of
0.4 and five criteria (overall, a slice, and one the predictions cannot measure). With --reference-rows N the
Monitoring section asks for drift checks and a reference file of N rows (another seed) is given too.
Measured: the command ``python -m blueprint check --project-file ... --data ... --predictions ... --json ...`` as a
child process, from its start to its exit: wall seconds (check_s: reading both files with the one reader, the leakage
scan, the candidate's evaluation, the verdicts, the outputs), the child's peak resident memory (peak_mb, from
getrusage) and its exit code; the stage times come from its progress lines on stderr. Goal: check_s < 60 on 1,000,000
rows on this machine's 2 cores (issue 23).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.candidate import make_scored
from bench.common import print_result
from design.document import check_section
from store.db import open_store
from store.documents import save_revision
from store.people import System
from store.projects import create_project
from store.transfer import export_project

ROOT = Path(__file__).resolve().parents[1]
CRITERIA = ["roc auc >= 0.78", "recall >= 0.6", "precision >= 0.5", "recall[every plan] >= 0.5",
            "p95 latency_ms <= 200"]
STAMP = re.compile(r"^\[\s*([\d.]+)s\] (.*)$")


def make_files(folder: Path, rows: int, seed: int, file_format: str, reference_rows: int) -> dict[str, Path]:
    """The data, predictions (and reference) files: see the module docstring."""
    frame, _ = make_scored(rows, seed)
    frame.insert(0, "customer_id", np.arange(1, rows + 1))
    files = {"train": frame.drop(columns=["score"]), "predictions": frame[["customer_id", "score"]]}
    if reference_rows:
        reference, _ = make_scored(reference_rows, seed + 1)
        reference.insert(0, "customer_id", np.arange(1, reference_rows + 1))
        files["reference"] = reference.drop(columns=["score"])
    paths = {}
    for role, table in files.items():
        path = folder / f"{role}.{file_format}"
        table.to_parquet(path, index=False) if file_format == "parquet" else table.to_csv(path, index=False)
        paths[role] = path
    return paths


def project_file(folder: Path, drift: bool) -> Path:
    """A project file exported by the app's own export (store.transfer.export_project)."""
    wish = "Weekly drift of every input against the training months; alert above 0.2." if drift else ""
    content = {"data": check_section("data", {"target": "churned", "positive_class": "yes"}),
               "evaluation": check_section("evaluation", {"success_criteria": CRITERIA, "decision_threshold": 0.4}),
               "monitoring": check_section("monitoring", {"drift": wish})}
    db = open_store(folder / "home")
    try:
        author = System("bench", "Bench")
        project = create_project(db, "Churn calls", "bench check", created_by=author)
        save_revision(db, project.id, content, author, None)
        path = folder / "project.json"
        path.write_text(json.dumps(export_project(db, project.id)), encoding="utf-8")
    finally:
        db.close()
    return path


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench check")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--format", choices=("csv", "parquet"), default="csv")
    parser.add_argument("--reference-rows", type=int, default=0)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-check-") as tmp:
        folder = Path(tmp)
        began = time.perf_counter()
        files = make_files(folder, args.rows, args.seed, args.format, args.reference_rows)
        project = project_file(folder, bool(args.reference_rows))
        sizes = ", ".join(f"{role} {path.stat().st_size / 2**20:,.1f} MB" for role, path in files.items())
        print(f"generated {args.rows:,} rows x 20 columns as {args.format} ({sizes}) in "
              f"{time.perf_counter() - began:.1f} s")
        command = [sys.executable, "-m", "blueprint", "check", "--project-file", str(project),
                   "--data", f"train={files['train']}", "--predictions", str(files["predictions"]),
                   "--json", str(folder / "out.json")]
        if "reference" in files:
            command += ["--data", f"reference={files['reference']}"]
        began, load = time.perf_counter(), os.getloadavg()[0]
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        seconds = time.perf_counter() - began
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        stamps = [(0.0, "start: Python and Blueprint's modules load")]
        stamps += [(float(m[1]), m[2]) for m in map(STAMP.match, done.stderr.splitlines()) if m]
        for (at, what), (then, _) in zip(stamps, [*stamps[1:], (seconds, "")], strict=False):
            print(f"  {then - at:>7.2f} s  {what[:110]}")
        print(done.stdout.rstrip())
        if done.returncode == 2:
            print(done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "(no message)")
        print(f"blueprint check exited {done.returncode} after {seconds:.1f} s (load average {load:.1f} at the start, "
              f"{os.cpu_count()} cores: the machine is shared), peak resident memory {peak:,.0f} MB")
    print_result(rows=args.rows, check_s=seconds, peak_mb=peak, exit_code=done.returncode, format=args.format,
                 load=load)
    return 0
