"""A stored result in parts (issue 25): a baseline run's summary apart from its body, its kept predictions in a Parquet
file beside the store, named by the result; the whole payload read back as computed; a re-run of the same settings
keeps the id with a new stamp and removes the old file; an in-memory store keeps them inside the JSON; and a data
folder written before the parts (tests/fixtures/home-v9) still opens, each old result split the first time it is
read.

tests/fixtures/home-v9 was written by the version before this one (schema 9) with its own store functions: a project
'Churn history' by 'Ana Lima' with a document whose criteria are recall >= 0.5 and roc auc >= 0.7, a 300-row dataset
(bench.baselines.make_frame, seven of its columns), a baseline run (Dummy and logistic regression, 5-fold, every row's
prediction kept inside the run's JSON, with its error analysis) and a profile, both recorded as evidence."""
from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

import store.results
from analysis.baselines.run import BaselineRun
from analysis.reading.read import read_csv
from bench.baselines import make_frame
from bench.team import store_runs
from store.datasets import add_dataset
from store.db import open_store
from store.people import System
from store.projects import create_project
from store.results import (
    get_result,
    list_evidence,
    put_result,
    result_arrays,
    result_body,
    result_meta,
    result_summary,
    whole_payload,
)
from store.schema import LATEST_VERSION, schema_version

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ANA = System("test", "Ana")


@pytest.fixture
def run_payload(db):
    """(store, dataset, stored result id, payload as computed) of a small real run with its predictions."""
    project = create_project(db, "Parts", created_by=ANA)
    frame, _ = make_frame(1_000)
    dataset, _ = add_dataset(db, project.id, "churn.csv", read_csv(frame.to_csv(index=False).encode(), "c.csv"), ANA)
    [result_id] = store_runs(db, project.id, dataset, "churned", 1, ANA, models=("Dummy", "Logistic regression"))
    meta = result_meta(db, result_id)
    return db, dataset, meta, whole_payload(db, result_id)


def test_a_run_is_stored_as_summary_body_and_a_predictions_file(run_payload):
    db, _, meta, payload = run_payload
    name, summary_text, body_text = db.execute("SELECT arrays, summary, payload FROM results WHERE id = ?",
                                               [meta.id]).fetchone()
    assert name == f"{meta.id}-{meta.stamp}.parquet" and (Path(db_home(db)) / "results" / name).exists()
    body, summary = json.loads(body_text), json.loads(summary_text)
    assert all(r["predictions"] is None for r in body["results"])          # never inside the JSON
    assert len(summary_text) < len(body_text)       # its bulk: the best model's slices, which slice criteria read
    assert result_summary(db, meta.id) == summary and result_body(db, meta.id) == body

    kept = result_arrays(db, meta.id)
    rows = sum(len(r["predictions"]["rows"]) for r in payload["results"] if r["predictions"])
    assert len(kept) == rows and set(kept["model"]) == {"Dummy", "Logistic regression"}

    run, light = BaselineRun.from_dict(payload), BaselineRun.from_dict(summary)
    assert all(r.predictions is not None for r in run.results if r.has_scores)   # put back whole, as computed
    assert ((light.best_model, light.lift_over_dummy, light.settings)
            == (run.best_model, run.lift_over_dummy, run.settings))
    assert [r.intervals for r in light.results] == [r.intervals for r in run.results]
    assert light.best().error_analysis.slices == run.best().error_analysis.slices    # what slice criteria read
    assert all(r.predictions is None and r.importance == () for r in light.results)
    assert all(r.curves.roc is None and r.curves.thresholds is None for r in light.results if r.curves)
    assert get_result(db, "run", meta.dataset_hash, meta.settings).payload == payload


def db_home(db) -> str:
    return db.execute("PRAGMA database_list").fetchone()[2].rsplit("/", 1)[0]


def test_a_run_again_keeps_its_id_with_a_new_stamp_and_removes_the_old_file(run_payload):
    db, dataset, meta, payload = run_payload
    old = Path(db_home(db)) / "results" / f"{meta.id}-{meta.stamp}.parquet"
    again = put_result(db, "run", dataset.content_hash, meta.settings, payload, 2.0)
    assert again.id == meta.id and again.stamp != meta.stamp
    assert not old.exists() and (Path(db_home(db)) / "results" / f"{again.id}-{again.stamp}.parquet").exists()
    assert whole_payload(db, meta.id) == payload


def test_an_in_memory_store_keeps_the_predictions_inside_the_json(run_payload, mem_db):
    _, _, meta, payload = run_payload
    stored = put_result(mem_db, "run", "h", meta.settings, payload, 1.0)
    assert result_arrays(mem_db, stored.id) is None
    assert result_body(mem_db, stored.id) == payload and whole_payload(mem_db, stored.id) == payload
    assert all(r["predictions"] is None for r in result_summary(mem_db, stored.id)["results"])


def test_a_kind_without_parts_is_stored_whole(db):
    stored = put_result(db, "profile", "h", {"target": None}, {"rows": 4, "columns": []}, 0.1)
    assert result_summary(db, stored.id) == result_body(db, stored.id) == {"rows": 4, "columns": []}
    assert result_arrays(db, stored.id) is None
    assert not (Path(db_home(db)) / "results").exists()


def test_a_version_9_data_folder_opens_and_each_run_is_split_the_first_time_it_is_read(tmp_path):
    home = tmp_path / "home"
    shutil.copytree(FIXTURES / "home-v9", home)
    raw = sqlite3.connect(home / "blueprint.sqlite3")
    (old_payload,) = raw.execute("SELECT payload FROM results WHERE kind = 'run'").fetchone()
    raw.close()
    old = json.loads(old_payload)
    assert all(r["predictions"]["rows"] for r in old["results"])               # inside the JSON, as written then

    db = open_store(home)
    assert schema_version(db) == LATEST_VERSION
    [run_evidence] = list_evidence(db, 1, "evaluation", "run")
    meta = result_meta(db, run_evidence.result_id)
    assert meta.stamp == "" and not (home / "results").exists()              # nothing rewritten by opening

    summary = result_summary(db, meta.id)                                      # the first read splits it
    light = BaselineRun.from_dict(summary)
    assert light.best_model == "Logistic regression" and light.best().error_analysis.slices is not None
    name = db.execute("SELECT arrays FROM results WHERE id = ?", [meta.id]).fetchone()[0]
    assert (home / "results" / name).exists()
    assert all(r["predictions"] is None for r in result_body(db, meta.id)["results"])
    assert whole_payload(db, meta.id) == old                                   # nothing lost
    stamp = result_meta(db, meta.id).stamp
    result_summary(db, meta.id)
    assert result_meta(db, meta.id).stamp == stamp != ""                       # split once

    [profile] = list_evidence(db, 1, "data", "profile")
    assert result_summary(db, profile.result_id)["overview"]["rows"] == 300    # a kind stored whole reads as before
    db.close()


def test_a_version_9_data_folder_that_cannot_be_written_still_reads(tmp_path, monkeypatch):
    home = tmp_path / "home"
    shutil.copytree(FIXTURES / "home-v9", home)
    db = open_store(home)
    [run_evidence] = list_evidence(db, 1, "evaluation", "run")

    def refused(*args, **kwargs):
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(store.results, "write_arrays", refused)
    summary = result_summary(db, run_evidence.result_id)
    assert BaselineRun.from_dict(summary).best_model == "Logistic regression"
    assert result_meta(db, run_evidence.result_id).stamp == ""                 # split in memory, not written
    assert result_arrays(db, run_evidence.result_id) is not None
    db.close()
