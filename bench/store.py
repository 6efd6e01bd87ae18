"""Store benchmark: N design-document revision saves, then the latency of loading a project page's data.

    python -m bench store [--saves 1000] [--loads 200]

The document is the sample project's, so each revision has realistic size. Each save is one
BEGIN IMMEDIATE transaction in WAL mode, as in the app. "Page data" is what the Design document page
reads: the project list, the latest revision, and the revision history.
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time

from bench.common import Timer, print_result
from design.document import document_completeness
from sample_data.seed import sample_document
from store.db import open_store
from store.documents import latest_revision, list_revisions, save_revision
from store.people import System
from store.projects import create_project, list_projects


def _ms(seconds: list[float], q: float) -> float:
    return statistics.quantiles(seconds, n=100)[int(q) - 1] * 1000


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench store")
    parser.add_argument("--saves", type=int, default=1000)
    parser.add_argument("--loads", type=int, default=200)
    args = parser.parse_args(argv)
    doc = sample_document()["content"]
    timer = Timer()
    with tempfile.TemporaryDirectory() as home:
        db = open_store(home)
        bench = System("benchmark", "bench")
        project = create_project(db, "Bench", created_by=bench)
        save_times, parent = [], None
        with timer.stage("save revisions", rows=args.saves):
            for i in range(args.saves):
                content = {**doc, "requirements": {**doc["requirements"], "business_objective": f"edit {i}"}}
                start = time.perf_counter()
                parent = save_revision(db, project.id, content, bench, parent_id=parent, section="requirements").id
                save_times.append(time.perf_counter() - start)
        load_times = []
        with timer.stage("load page data", rows=args.loads):
            for _ in range(args.loads):
                start = time.perf_counter()
                list_projects(db)
                latest = latest_revision(db, project.id)
                document_completeness(latest.content)
                history = list_revisions(db, project.id)
                load_times.append(time.perf_counter() - start)
        assert latest.number == args.saves and len(history) == args.saves
        db.close()
    timer.print_table()
    print(f"save latency ms: p50 {_ms(save_times, 50):.2f}  p95 {_ms(save_times, 95):.2f}")
    print(f"page data load ms (history of {args.saves} revisions): "
          f"p50 {_ms(load_times, 50):.2f}  p95 {_ms(load_times, 95):.2f}")
    print_result(
        saves=args.saves,
        save_total_s=sum(save_times),
        save_p50_ms=_ms(save_times, 50),
        save_p95_ms=_ms(save_times, 95),
        load_p50_ms=_ms(load_times, 50),
        load_p95_ms=_ms(load_times, 95),
    )
    return 0
