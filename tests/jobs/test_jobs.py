"""Jobs run by real worker processes on a real store: joining, results and evidence, cancel, failures,
a deleted dataset, a killed worker, a server restart. Each test uses the seeded sample project."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

import analysis.baselines.unit as baselines_unit
from analysis.baselines.run import RunSettings
from analysis.evidence import profile_settings, run_settings_key
from analysis.reading.read import read_csv
from analysis.units import PlanError
from jobs.pool import ROOT, SERVER_PID, WorkerPool
from jobs.tasks import plan_for
from jobs.worker import run_job
from store.datasets import add_dataset, data_file, delete_dataset, get_dataset
from store.jobs import (
    claim_next_job,
    finish_job,
    get_job,
    interrupt_dead_jobs,
    latest_job,
    list_jobs,
    request_cancel,
    submit_job,
)
from store.people import System
from store.results import get_result, list_evidence


@pytest.fixture
def pool(app_home):
    workers = WorkerPool(str(app_home), size=1)
    yield workers
    workers.stop()


def _wait(db, job_id: int, states=("done", "failed", "cancelled", "interrupted"), timeout: float = 120):
    deadline = time.monotonic() + timeout
    while (job := get_job(db, job_id)).state not in states:
        assert time.monotonic() < deadline, f"job {job_id} still {job.state} after {timeout} s"
        time.sleep(0.1)
    return job


def _dataset(db, rows: int = 3000, seed: int = 0, name: str = "gen.csv"):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, 6))
    y = (x[:, 0] + rng.normal(size=rows) > 0).astype(int)
    lines = ["a,b,c,d,e,f,label"] + [",".join(f"{v:.4f}" for v in r) + f",{'churn' if t else 'stay'}"
                                     for r, t in zip(x, y, strict=True)]
    dataset, _ = add_dataset(db, 1, name, read_csv(("\n".join(lines) + "\n").encode(), name), System("test", "Ana"))
    return dataset


def _submit(db, kind, dataset, key, who=System("test", "Ana")):
    return submit_job(db, plan_for(db, kind, dataset, key), 1, dataset.id, f"{kind} of {dataset.name}", who)


def test_asking_twice_joins_the_job_under_way(app_db):
    dataset = get_dataset(app_db, 1)
    first, joined = _submit(app_db, "profile", dataset, profile_settings(None))
    again, joined_again = _submit(app_db, "profile", dataset, profile_settings(None), who=System("test", "Bo"))
    assert (joined, joined_again) == (False, True) and again.id == first.id
    assert first.state == "queued" and first.created_by == "Ana"


def test_a_worker_computes_stores_and_records_evidence(app_db, pool):
    dataset = _dataset(app_db)
    job, _ = _submit(app_db, "profile", dataset, profile_settings("label"))
    pool.wake()
    done = _wait(app_db, job.id)
    assert done.state == "done" and done.progress == 1.0 and done.result_id is not None, done.error
    assert done.started_at and done.finished_at and done.seconds() is not None
    result = get_result(app_db, "profile", dataset.content_hash, profile_settings("label"))
    assert result.id == done.result_id
    evidence = [e for e in list_evidence(app_db, 1, "data", "profile") if e.result_id == result.id]
    assert len(evidence) == 1 and evidence[0].created_by == "Ana"
    assert [j.id for j in list_jobs(app_db, 1)][0] == job.id


def test_a_bad_choice_is_refused_when_planned_and_nothing_is_queued(app_db):
    """Issue 21: settings are checked once, at the boundary: a target that is not a column never becomes a job."""
    dataset = _dataset(app_db)
    with pytest.raises(PlanError, match="'no_such_column' is not a column of 'gen.csv'"):
        _submit(app_db, "profile", dataset, profile_settings("no_such_column"))
    assert app_db.execute("SELECT COUNT(*) FROM jobs WHERE dataset_hash = ?", [dataset.content_hash]).fetchone() == (0,)


def test_a_failing_job_says_why_and_the_worker_goes_on(app_db, pool):
    dataset = _dataset(app_db)
    other = _dataset(app_db, seed=1, name="other.csv")
    bad, _ = _submit(app_db, "profile", dataset, profile_settings(None))
    data_file(app_db, dataset.content_hash).unlink()         # its data vanishes after it was planned
    good, _ = _submit(app_db, "profile", other, profile_settings(None))
    pool.wake()
    failed = _wait(app_db, bad.id)
    assert failed.state == "failed" and "The data file of 'gen.csv' is missing" in failed.error, failed.error
    assert _wait(app_db, good.id).state == "done"


def test_a_job_runs_its_stored_plan_and_never_plans_again(app_db, monkeypatch):
    """Issue 21: the worker loads the plan the job holds (unit.load) and runs it; resolve_settings is never called
    there. Checked in a worker run in this process, with resolve_settings replaced by a tripwire."""
    dataset = _dataset(app_db, rows=400)
    settings = RunSettings(target="label", models=("Dummy", "Logistic regression"))
    job, _ = _submit(app_db, "run", dataset, run_settings_key(settings, None))
    assert job.plan["resolved"]["task"] == "binary" and job.plan["resolved"]["positive_label"] == "churn"

    def tripwire(*args, **kwargs):
        raise AssertionError("a worker resolved settings again")

    monkeypatch.setattr(baselines_unit, "resolve_settings", tripwire)
    monkeypatch.setattr("analysis.baselines.run.resolve_settings", tripwire)
    monkeypatch.setattr("analysis.baselines.run.check_baseline_target", tripwire)
    claimed = claim_next_job(app_db, os.getpid())
    assert claimed.id == job.id
    assert run_job(app_db, claimed).state == "done"
    assert get_result(app_db, "run", dataset.content_hash, run_settings_key(settings, None)) is not None


def test_cancel_stops_a_run_within_seconds_and_keeps_finished_models(app_db, pool):
    dataset = _dataset(app_db, rows=20000)
    settings = RunSettings(target="label", task="binary", time_budget_s=120, positive_label="churn",
                           models=("Dummy", "Logistic regression", "Random forest", "HistGradientBoosting"))
    job, _ = _submit(app_db, "run", dataset, run_settings_key(settings, None))
    pool.wake()
    deadline = time.monotonic() + 120
    while not get_job(app_db, job.id).partial:          # wait for the first finished model
        assert time.monotonic() < deadline and get_job(app_db, job.id).state in ("queued", "running")
        time.sleep(0.1)
    asked = time.monotonic()
    assert "Cancelling" in request_cancel(app_db, job.id, by=System("test"))
    ended = _wait(app_db, job.id, timeout=30)
    assert time.monotonic() - asked < 8, "cancel took too long"
    assert ended.state == "cancelled"
    stored = get_result(app_db, "run", dataset.content_hash, run_settings_key(settings, None))
    assert stored is not None and stored.payload["status"] == "cancelled", (ended.error, ended.message)
    statuses = [r["status"] for r in stored.payload["results"]]
    assert "done" in statuses and "skipped" in statuses
    assert "already ended (cancelled)" in request_cancel(app_db, job.id, by=System("test"))


def test_cancelling_a_queued_job_is_immediate(app_db):
    dataset = get_dataset(app_db, 1)
    job, _ = _submit(app_db, "profile", dataset, profile_settings(None))
    assert request_cancel(app_db, job.id, by=System("test")) == "Cancelled before it started."
    assert get_job(app_db, job.id).state == "cancelled"
    assert claim_next_job(app_db, os.getpid()) is None


def test_dataset_deleted_while_the_job_runs_fails_with_a_message(app_db, pool):
    dataset = _dataset(app_db, rows=20000)
    settings = RunSettings(target="label", task="binary", positive_label="churn", models=("Dummy", "Random forest"))
    job, _ = _submit(app_db, "run", dataset, run_settings_key(settings, None))
    pool.wake()
    _wait(app_db, job.id, states=("running",))
    delete_dataset(app_db, dataset.id, by=System("test"))
    ended = _wait(app_db, job.id)
    assert ended.state == "failed" and "deleted" in ended.error, (ended.state, ended.error)
    assert get_result(app_db, "run", dataset.content_hash, run_settings_key(settings, None)) is None


def test_dataset_deleted_between_claim_and_load_fails_saying_so(app_db):
    """The race the test above can hit on a busy machine: the dataset goes after the worker claimed the job
    but before it read the data. The failure still says what happened, not "there is no dataset with id"."""
    dataset = _dataset(app_db, rows=200)
    job, _ = _submit(app_db, "profile", dataset, profile_settings(None))
    claimed = claim_next_job(app_db, os.getpid())
    assert claimed.id == job.id and claimed.dataset_id == dataset.id
    delete_dataset(app_db, dataset.id, by=System("test"))
    ended = run_job(app_db, claimed)
    assert (ended.state, ended.error) == ("failed", "The dataset was deleted while this job ran; nothing was stored.")


def test_a_worker_started_after_its_server_stopped_claims_nothing_and_exits(app_db, app_home):
    """A server stopped while the worker it spawned was still starting: the worker, already handed to init,
    must not run the queue on unwatched (it did: it read its server's pid as os.getppid() at start, i.e. 1)."""
    job, _ = _submit(app_db, "profile", get_dataset(app_db, 1), profile_settings(None))
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()                                            # a server that has stopped
    env = {**os.environ, "PYTHONPATH": str(ROOT), SERVER_PID: str(gone.pid)}
    worker = subprocess.run([sys.executable, "-m", "jobs.worker", str(app_home)], cwd=ROOT, env=env, timeout=60)
    assert worker.returncode == 0
    assert get_job(app_db, job.id).state == "queued"        # left for the next server's workers


def test_a_killed_worker_leaves_its_job_interrupted_and_the_pool_serving(app_db, pool):
    dataset = _dataset(app_db, rows=20000)
    settings = RunSettings(target="label", task="binary", positive_label="churn", time_budget_s=120,
                           models=("Random forest", "HistGradientBoosting"))
    job, _ = _submit(app_db, "run", dataset, run_settings_key(settings, None))
    pool.wake()
    running = _wait(app_db, job.id, states=("running",))
    os.kill(running.worker_pid, signal.SIGKILL)
    ended = _wait(app_db, job.id, timeout=30)
    assert ended.state == "interrupted" and "signal 9" in ended.error, ended.error
    after, _ = _submit(app_db, "profile", dataset, profile_settings(None))
    pool.wake()
    assert _wait(app_db, after.id).state == "done"


def test_a_restarted_server_marks_jobs_of_dead_workers_interrupted(app_db):
    dataset = get_dataset(app_db, 1)
    job, _ = _submit(app_db, "profile", dataset, profile_settings(None))
    claimed = claim_next_job(app_db, 2 ** 22 + 12345)          # a pid that is not running
    assert claimed.id == job.id and claimed.state == "running"
    assert interrupt_dead_jobs(app_db, "The server stopped while this job ran (it was restarted). Run it again.") == 1
    job = get_job(app_db, job.id)
    assert job.state == "interrupted" and "restarted" in job.error
    assert finish_job(app_db, job.id, "done").state == "interrupted"      # an ended job stays ended
    again, joined = _submit(app_db, "profile", dataset, profile_settings(None))
    assert not joined and again.id != job.id
    assert latest_job(app_db, "profile", dataset.content_hash, profile_settings(None)).id == again.id
