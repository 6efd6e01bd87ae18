"""AppTest: a leakage scan, a baseline run and a drift check computed on the stored file (the engine path a dataset
above the in-memory size takes) say so on their pages, in one line with the sizes: what was exact over every row,
what was sampled. The sample project's stored results are computed again that way, under the same keys."""
from __future__ import annotations

import json

from jobs.tasks import compute, plan_for
from store.datasets import get_dataset
from store.results import put_result
from tests.apptest import open_app, texts

ENGINE = "read from the stored file a column at a time (never all 569 rows in memory)"


def _recompute_on_the_file(db) -> None:
    """Each stored leakage scan, run and drift check of the sample dataset, computed again through the engine."""
    dataset = get_dataset(db, 1)
    rows = list(db.query("SELECT kind, settings FROM results WHERE dataset_hash = ? AND kind IN ('leakage', 'run', "
                         "'drift')", [dataset.content_hash]))
    assert sorted(r["kind"] for r in rows) == ["drift", "leakage", "run"], rows
    for row in rows:
        key = json.loads(row["settings"])
        computed, seconds = compute(db, plan_for(db, row["kind"], dataset, key), dataset.project_id, use_engine=True)
        put_result(db, row["kind"], dataset.content_hash, key, computed.payload, seconds)


def test_pages_say_what_was_exact_and_what_sampled_on_the_engine_path(app_db):
    _recompute_on_the_file(app_db)

    at = open_app("pages/leakage.py", query={"target": "diagnosis"})
    assert not at.exception
    line = [i for i in texts(at, "info") if ENGINE in i]
    assert len(line) == 1, texts(at, "info")
    assert "exact over every row: duplicate rows, conflicting labels and ID columns" in line[0]
    assert "single-feature scores on all 569 labelled rows" in line[0]

    at = open_app("pages/baselines.py", query={"target": "diagnosis"})
    assert not at.exception
    line = [i for i in texts(at, "info") if ENGINE in i]
    assert len(line) == 1, texts(at, "info")
    assert "the models trained and tested on all 569 labelled rows" in line[0]

    at = open_app("pages/drift.py")
    assert not at.exception
    line = [i for i in texts(at, "info") if ENGINE in i]
    assert len(line) == 1, texts(at, "info")
    assert "the report ran on all 284 reference rows and all 285 current rows" in line[0]
