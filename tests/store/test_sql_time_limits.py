"""Issue 26, hole 2, on a real PostgreSQL (tests/postgres.py): Blueprint enforces a SQL connection's time limit
itself, and Cancel reaches the database.

- a query that lifts its own limit (set_config('statement_timeout', '0', true), or a function of the database
  that does) is refused within the limit and a few seconds, with its reason, and nothing is stored: read directly,
  stored from the Datasets page, and profiled by a job (whose worker is then free for the next job);
- the client-side deadline cancels a statement on the server even when no server limit is in force;
- a profile job's Cancel stops its statement on the database (pg_stat_activity shows none from Blueprint within
  5 s), the job ends cancelled and the same worker takes the next job;
- a worker's end (terminated, or killed) stops its statement on the database too.
Limits are 1 s here, so each refusal costs about a second.
"""
from __future__ import annotations

import os
import signal
import time

import psycopg
import pytest
from streamlit.testing.v1 import AppTest

from analysis.evidence import profile_settings
from analysis.sources.postgres import SourceError, deadline, open_source, read_source
from analysis.sources.query import QueryRefused, check_query, table_query
from analysis.sources.settings import SqlConnection, read_source_settings
from components.sources_view import store_sql
from jobs.pool import WorkerPool
from jobs.tasks import plan_for
from store.datasets import add_dataset, list_datasets
from store.jobs import get_job, request_cancel, submit_job
from store.people import System, get_user, see_user, set_admin
from store.results import get_result
from tests.postgres import postgres  # noqa: F401  (fixture)

LIMIT_S = 1
ANA = System("test", "Ana")
SLEEP_S = 12          # what a query sleeps once its limit is lifted: well past the limit and the checks below
# Sleeps only when the limit is already lifted (by an earlier statement of the same transaction), then lifts it:
# the first statement that evaluates it runs under the limit the server armed, the next ones would run unlimited.
LIFTING = (f"SELECT pg_sleep(CASE WHEN current_setting('statement_timeout') = '0' THEN {SLEEP_S} ELSE 0 END) AS slept, "
           "set_config('statement_timeout', '0', true) AS lifted")
# The same through a function of the database: no set_config in the query's text for check_query to see.
LIFTED_BY_A_FUNCTION = (f"SELECT pg_sleep(CASE WHEN current_setting('statement_timeout') = '0' THEN {SLEEP_S} "
                        "ELSE 0 END) AS slept, lift_limit() AS lifted")
# The rows of paced_visits; the statement sleeps as long as pace.seconds says (0 when the dataset is stored).
PACED = ("SELECT v.* FROM paced_visits AS v, (SELECT pg_sleep((SELECT seconds FROM pace))) AS paused")
# The same rows; once the pace is set, the first statement lifts the limit and the next ones sleep unlimited.
PACED_LIFTING = ("SELECT v.* FROM paced_visits AS v, (SELECT pg_sleep(CASE WHEN current_setting('statement_timeout') "
                 "= '0' THEN (SELECT seconds FROM pace) ELSE 0 END), set_config('statement_timeout', "
                 "CASE WHEN (SELECT seconds FROM pace) > 0 THEN '0' ELSE current_setting('statement_timeout') END, "
                 "true)) AS paused")


@pytest.fixture
def database(postgres, tmp_path, monkeypatch):  # noqa: F811
    """The test PostgreSQL with a small table, a pace to slow queries down and a function that lifts the limit;
    the secrets (also for workers) name it "strict" (1 s limit) and "patient" (60 s)."""
    postgres.execute("DROP TABLE IF EXISTS paced_visits, pace")
    postgres.execute("CREATE TABLE paced_visits AS SELECT g AS visit_id, g % 11 AS pages, "
                     "CASE WHEN g % 5 = 0 THEN 'yes' ELSE 'no' END AS bought FROM generate_series(1, 2000) AS g")
    postgres.execute("CREATE TABLE pace (seconds float8)")
    postgres.execute("INSERT INTO pace VALUES (0)")
    postgres.execute("CREATE OR REPLACE FUNCTION lift_limit() RETURNS text LANGUAGE sql VOLATILE AS "
                     "$$ SELECT set_config('statement_timeout', '0', true) $$")
    url = postgres.url()
    secrets = {"blueprint": {"sql": {"strict": {"url": url, "timeout_s": LIMIT_S},
                                     "patient": {"url": url, "timeout_s": 60}}}}
    path = tmp_path / "secrets.toml"
    path.write_text(f'[blueprint.sql.strict]\nurl = "{url}"\ntimeout_s = {LIMIT_S}\n'
                    f'[blueprint.sql.patient]\nurl = "{url}"\ntimeout_s = 60\n')
    monkeypatch.setenv("BLUEPRINT_SECRETS_FILES", str(path))
    return postgres, read_source_settings(secrets)


def blueprint_statements(server) -> list[str]:
    """The statements Blueprint's connections are running now (application_name 'blueprint')."""
    with psycopg.connect(server.url(), autocommit=True) as conn:
        return [q for (q,) in conn.execute("SELECT query FROM pg_stat_activity WHERE application_name = 'blueprint' "
                                           "AND state = 'active' AND pid <> pg_backend_pid()").fetchall()]


def wait_for(what, timeout: float, step: float = 0.1):
    """``what()`` once it is true, or None after ``timeout`` seconds."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        found = what()
        if found:
            return found
        time.sleep(step)
    return None


def _wait_job(db, job_id: int, states=("done", "failed", "cancelled", "interrupted"), timeout: float = 60):
    return wait_for(lambda: (job := get_job(db, job_id)).state in states and job, timeout) or get_job(db, job_id)


def test_the_read_only_check_refuses_a_query_that_changes_settings():
    for sql in ("SELECT set_config('statement_timeout', '0', true), pg_sleep(30)",
                "SELECT pg_catalog.SET_CONFIG ('statement_timeout', '0', false)",
                'SELECT "set_config"(\'statement_timeout\', \'0\', true)'):
        with pytest.raises(QueryRefused, match="changes a setting of the database session"):
            check_query(sql)
    # the word inside a text or a comment changes nothing
    harmless = "SELECT 'set_config(x)' AS note -- set_config"
    assert check_query(harmless + "\n") == harmless


@pytest.mark.parametrize("query", [LIFTING, LIFTED_BY_A_FUNCTION])
def test_a_query_that_lifts_its_time_limit_is_refused_within_the_limit(database, query):
    server, sources = database
    start = time.monotonic()
    with pytest.raises(SourceError, match="time limit of 1 s") as refused:
        read_source(sources.connection("strict"), query, 100)
    took = time.monotonic() - start
    assert took < LIMIT_S + 3, f"ran {took:.1f} s against a {LIMIT_S} s limit"
    assert "'strict'" in str(refused.value)
    assert wait_for(lambda: not blueprint_statements(server), 2, 0.05)


def test_the_deadline_cancels_a_statement_on_the_server_when_no_server_limit_holds(database):
    server, _ = database
    with psycopg.connect(server.url(), application_name="blueprint", autocommit=True) as conn:
        start = time.monotonic()
        with pytest.raises(psycopg.errors.QueryCanceled):
            with deadline(conn, LIMIT_S):
                conn.execute(f"SELECT pg_sleep({SLEEP_S})")
        assert time.monotonic() - start < LIMIT_S + 2
    assert not blueprint_statements(server)


def _a_script() -> None:
    """An empty script: AppTest runs it for a script run context."""


def test_storing_from_the_page_a_query_that_lifts_its_limit_is_refused_and_stores_nothing(app_db, database):
    server, sources = database
    ana = see_user(app_db, "local:ana", "Ana")
    set_admin(app_db, ana.id, True)                    # an admin may use every SQL connection
    ana = get_user(app_db, ana.id)
    project = type("P", (), {"id": 1})()
    AppTest.from_function(_a_script).run()             # a script run context for st.spinner
    before = {d.id for d in list_datasets(app_db, 1)}
    start = time.monotonic()
    kind, message = store_sql(app_db, project, ana, sources, "strict", LIFTED_BY_A_FUNCTION, "lifted")
    assert time.monotonic() - start < LIMIT_S + 3
    assert kind == "error" and "time limit of 1 s set for the connection 'strict'" in message, message
    assert {d.id for d in list_datasets(app_db, 1)} == before
    assert wait_for(lambda: not blueprint_statements(server), 2, 0.05)


def _stored_paced(db, sources, query: str, connection: str):
    """The paced query stored as a dataset of project 1 while its pace is 0 (it reads fast)."""
    table, found, rows = read_source(sources.connection(connection), query, 1000, 0, "bought")
    dataset, _ = add_dataset(db, 1, f"paced {connection}", table, ANA, source=found, rows=rows)
    return dataset


def _profile(db, dataset):
    key = profile_settings("bought", 1000)
    job, _ = submit_job(db, plan_for(db, "profile", dataset, key), 1, dataset.id, f"profile of {dataset.name}", ANA)
    return job, key


@pytest.fixture
def pool(app_home):
    workers = WorkerPool(str(app_home), size=1)
    yield workers
    workers.stop()


def test_a_profile_job_on_a_query_that_lifts_its_limit_fails_in_time_and_the_worker_goes_on(app_db, database, pool):
    server, sources = database
    dataset = _stored_paced(app_db, sources, PACED_LIFTING, "strict")
    server.execute(f"UPDATE pace SET seconds = {SLEEP_S}")
    job, key = _profile(app_db, dataset)
    pool.wake()
    running = _wait_job(app_db, job.id, states=("running",), timeout=60)
    started = time.monotonic()
    ended = _wait_job(app_db, job.id, timeout=30)
    assert ended.state == "failed" and "time limit of 1 s" in ended.error and "'strict'" in ended.error, ended.error
    assert time.monotonic() - started < LIMIT_S + 5
    assert get_result(app_db, "profile", dataset.content_hash, key) is None
    assert wait_for(lambda: not blueprint_statements(server), 2, 0.05)
    server.execute("UPDATE pace SET seconds = 0")
    after, _ = _profile(app_db, _stored_paced(app_db, sources, table_query("public", "paced_visits"), "strict"))
    done = _wait_job(app_db, after.id, timeout=30)
    assert done.state == "done" and done.worker_pid == running.worker_pid, (done.state, done.error)


def test_cancel_of_a_profile_job_stops_its_statement_on_the_database(app_db, database, pool):
    server, sources = database
    dataset = _stored_paced(app_db, sources, PACED, "patient")
    server.execute(f"UPDATE pace SET seconds = {SLEEP_S * 5}")
    job, _ = _profile(app_db, dataset)
    pool.wake()
    assert wait_for(lambda: blueprint_statements(server), 60), "the job's statement never showed in pg_stat_activity"
    running = get_job(app_db, job.id)
    asked = time.monotonic()
    assert "Cancelling" in request_cancel(app_db, job.id, by=ANA)
    assert wait_for(lambda: not blueprint_statements(server), 5, 0.05), \
        f"still running on PostgreSQL 5 s after Cancel: {blueprint_statements(server)}"
    ended = _wait_job(app_db, job.id, timeout=10)
    assert ended.state == "cancelled" and time.monotonic() - asked < 6, (ended.state, ended.error)
    assert "stopped on the database" in ended.error, ended.error
    server.execute("UPDATE pace SET seconds = 0")
    after, _ = _profile(app_db, _stored_paced(app_db, sources, table_query("public", "paced_visits"), "patient"))
    done = _wait_job(app_db, after.id, timeout=30)
    assert done.state == "done" and done.worker_pid == running.worker_pid, (done.state, done.error)


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL])
def test_a_workers_end_stops_its_statement_on_the_database(app_db, database, pool, how):
    server, sources = database
    dataset = _stored_paced(app_db, sources, PACED, "patient")
    server.execute(f"UPDATE pace SET seconds = {SLEEP_S * 5}")
    job, _ = _profile(app_db, dataset)
    pool.wake()
    assert wait_for(lambda: blueprint_statements(server), 60), "the job's statement never showed in pg_stat_activity"
    os.kill(get_job(app_db, job.id).worker_pid, how)
    assert wait_for(lambda: not blueprint_statements(server), 5, 0.05), \
        f"still running on PostgreSQL 5 s after the worker's end: {blueprint_statements(server)}"
    assert _wait_job(app_db, job.id, timeout=10).state == "interrupted"


def test_a_statement_within_the_limit_is_not_disturbed(database):
    server, sources = database
    with open_source(SqlConnection("strict", server.url(), 2)) as conn:
        for _ in range(3):
            assert conn.execute("SELECT pg_sleep(0.5), 1").fetchone()[1] == 1
