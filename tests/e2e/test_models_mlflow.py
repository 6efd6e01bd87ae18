"""In Chromium against a real MLflow tracking server (issue 22, item 2): the team logs runs with the MLflow client, as
it would (tests/mlflow_server.py: `mlflow server` with a SQLite backend on 127.0.0.1, one per module); two people on
one header-mode server whose settings list that tracking server. Ana (an editor) imports on the Models page a run
with a predictions table (mlflow.log_table, joined to the sample dataset by sample_id), sees its job finish and the
candidate's verdicts, then a run with metrics only, whose criteria are marked as reported by MLflow with no interval;
Ben (a reviewer), in his own browser context, reads both candidates' verdicts on Review and Compare, before and after
a reload. Bad input: a run deleted through the client after Ana picked it, then the tracking server stopped, each
refused with the page's message, no traceback, nothing stored.

The tracking server starts (about 25 s, 45 s on a busy machine) and the runs are logged in a thread while the sample
project is seeded and the app server starts: the app only calls MLflow when a page asks it to."""
from __future__ import annotations

import re
import shutil
import tempfile
import threading
from pathlib import Path

import pytest
from playwright.sync_api import expect

from store.access import EDITOR, REVIEWER, add_member
from store.db import open_store
from store.models import list_models
from store.people import system_user
from tests.e2e.conftest import Server, settle
from tests.e2e.test_team import LANDS, assert_no_traceback, people  # noqa: F401 (people: a fixture)
from tests.mlflow_server import TrackingServer
from tests.pages.test_pages_models_mlflow import fair_predictions

EXPERIMENT = "triage-e2e"
METRICS = {"recall_score": 0.97, "specificity": 0.85, "roc_auc": 0.99}      # as a team's evaluation logs them
PEOPLE = {"Ana": ("ana@example.org", EDITOR), "Ben": ("ben@example.org", REVIEWER)}
SECRETS = """[blueprint]
sign_in = "header"
user_header = "X-Forwarded-Email"
name_header = "X-Forwarded-User"
admins = ["lead@example.org"]

[blueprint.mlflow.tracking]
uri = "{uri}"
timeout_s = 20
people = ["@example.org"]
"""
FORM = "A predictions file or an MLflow run, stored as a named, numbered version"


def _log_runs(uri: str) -> dict[str, str]:
    """The team's runs in the experiment EXPERIMENT: "gbm" (params, metrics and its predictions logged as a table),
    "metrics only" (params and metrics) and "to delete" (metrics); their ids by name."""
    import mlflow  # noqa: PLC0415 (MLflow takes ~2 s to import: paid by these tests, not every collection)

    client = mlflow.MlflowClient(uri)
    experiment = client.create_experiment(EXPERIMENT)
    ids = {}
    for name in ("gbm", "metrics only", "to delete"):
        run = client.create_run(experiment, run_name=name)
        client.log_batch(run.info.run_id,
                         metrics=[mlflow.entities.Metric(k, v, 0, 0) for k, v in METRICS.items()],
                         params=[mlflow.entities.Param(k, str(v)) for k, v in
                                 ({"n_estimators": 200, "max_depth": 3} if name == "gbm" else {"C": 1.0}).items()])
        if name == "gbm":
            client.log_table(run.info.run_id, fair_predictions(), "eval/predictions.json")
        client.set_terminated(run.info.run_id)
        ids[name] = run.info.run_id
    return ids


class Tracking:
    """A TrackingServer started, and the runs logged to it, in a thread; ``ready()`` waits for both."""

    def __init__(self) -> None:
        self.server = TrackingServer(Path(tempfile.mkdtemp(prefix="blueprint-mlflow-e2e-")))
        self.runs: dict[str, str] = {}
        self._failed: BaseException | None = None
        self._thread = threading.Thread(target=self._start, daemon=True)
        self._thread.start()

    def _start(self) -> None:
        try:
            self.server.start()
            self.runs = _log_runs(self.server.uri)
        except BaseException as error:            # noqa: BLE001  (raised again by ready())
            self._failed = error

    def ready(self) -> dict[str, str]:
        self._thread.join()
        if self._failed is not None:
            raise self._failed
        return self.runs

    def close(self) -> None:
        self._thread.join()
        self.server.stop()
        shutil.rmtree(self.server.folder, ignore_errors=True)


@pytest.fixture(scope="module")
def tracking():
    started = Tracking()
    yield started
    started.close()


@pytest.fixture(scope="module")
def app(tracking, tmp_path_factory, seeded_template):
    """The app in header mode with Ana (editor) and Ben (reviewer) and the tracking server in its settings; it
    starts while the tracking server does."""
    tmp = tmp_path_factory.mktemp("models-mlflow")
    shutil.copytree(seeded_template, tmp / "home")
    db = open_store(tmp / "home")
    for email, role in PEOPLE.values():             # invited by email: members from their first visit
        add_member(db, system_user(db), 1, email, role)
    db.close()
    (tmp / "secrets.toml").write_text(SECRETS.format(uri=tracking.server.uri))
    server = Server(tmp / "home", tmp / "streamlit.log", secrets=tmp / "secrets.toml")
    server.home = tmp / "home"
    try:
        tracking.ready()
        yield server
    finally:
        server.stop()
    assert_no_traceback(tmp / "streamlit.log")


def _as(people, name: str, server: Server):  # noqa: F811
    """A Person (tests/e2e/test_team.py: watched for exception boxes and console errors) whose requests carry the
    sign-in proxy's headers naming ``name``."""
    person = people(name, server)
    person.context.set_extra_http_headers({"X-Forwarded-Email": PEOPLE[name][0], "X-Forwarded-User": name})
    return person


def _choose(page, label: str, option: str) -> None:
    page.get_by_role("combobox", name=label, exact=True).click()
    page.get_by_role("option", name=option).click()
    settle(page)


def _mlflow_form(page, name: str) -> None:
    """Open the form that brings a version, from an MLflow run, named ``name``."""
    if not page.get_by_label("Model name", exact=True).is_visible():
        page.get_by_text(FORM).click()
    page.get_by_test_id("stRadio").get_by_text("An MLflow run", exact=True).click()
    settle(page)
    page.get_by_label("Model name", exact=True).fill(name)
    page.get_by_label("Model name", exact=True).press("Enter")
    settle(page)
    _choose(page, "MLflow server", "tracking")
    _choose(page, "Experiment", f"{EXPERIMENT} (")


def _import(page) -> None:
    page.get_by_role("button", name="Import this run").click()


def _criteria(page):
    return page.get_by_test_id("stDataFrame").filter(has_text="Criterion").first


def _no_traceback(page) -> None:
    expect(page.get_by_test_id("stException")).to_have_count(0)
    assert "Traceback" not in page.get_by_test_id("stMain").inner_text()


def _versions(home: Path) -> list[str]:
    db = open_store(home)
    try:
        return sorted(v.label for m in list_models(db, 1) for v in m.versions)
    finally:
        db.close()


def _sees_the_candidates_on_review(page, run: dict[str, str]) -> None:
    only = run["metrics only"][:8]
    expect(page.get_by_text("Candidate mlflow gbm v1 on breast_cancer.csv", exact=True)).to_be_visible(timeout=LANDS)
    expect(page.get_by_text(re.compile(r"^mlflow gbm v1: 569 rows judged; criteria: .*\d+ pass"))).to_be_visible()
    expect(page.get_by_text(f"Candidate mlflow lr v1, metrics reported by MLflow for run {only} on 'tracking'",
                            exact=True)).to_be_visible()
    expect(page.get_by_text(re.compile(rf"^mlflow lr v1: metrics reported by MLflow for run {only} on 'tracking', "
                                       r"no rows judged here; criteria: "))).to_be_visible()
    expect(page.get_by_text(f"recall ≥ 0.95: Reported by MLflow for run {only} on 'tracking': recall 0.97, no "
                            "interval: the rows are not available here.", exact=False)).to_be_visible()
    _no_traceback(page)


def _sees_the_candidates_on_compare(page, run: dict[str, str]) -> None:
    gbm, only = run["gbm"][:8], run["metrics only"][:8]
    versions = page.get_by_test_id("stDataFrame").filter(has_text="Verdicts")
    expect(versions).to_contain_text(f"MLflow run {gbm} on 'tracking' (eval/predictions.json)breast_cancer.csv",
                                     timeout=LANDS)
    expect(versions).to_contain_text(f"MLflow run {only} on 'tracking' (metrics only)none (the run's metrics only)")
    verdicts = page.get_by_test_id("stDataFrame").filter(has_text="p95 latency_ms <= 300").filter(
        has_text="mlflow gbm v1")
    expect(verdicts).to_contain_text("mlflow lr v1")
    expect(verdicts).to_contain_text(re.compile(r"recall >= 0\.95(inconclusive: 0\.970 \(no interval\))"
                                                r"(pass|fail|inconclusive): \d\.\d{3} \(95 % interval "))
    _no_traceback(page)


def test_ana_imports_mlflow_runs_and_ben_reads_their_verdicts_on_review_and_compare_before_and_after_a_reload(
        app, tracking, people):  # noqa: F811
    run = tracking.ready()
    before = _versions(app.home)
    ana, ben = _as(people, "Ana", app), _as(people, "Ben", app)
    page = ana.open("/models?project=1")
    _mlflow_form(page, "mlflow gbm")
    _choose(page, "Run (newest first)", f"gbm · {run['gbm'][:8]}")
    expect(page.get_by_text(f"What run {run['gbm'][:8]} logged: 2 params, 3 metrics, 0 tags")).to_be_visible()
    _choose(page, "Predictions artifact", "eval/predictions.json (logged table)")
    page.get_by_text("A key and the model's score or label, joined to a stored dataset by that key").click()
    settle(page)
    _choose(page, "Joined to the dataset", "breast_cancer.csv")
    _import(page)
    expect(page.get_by_test_id("stAlertContentSuccess")).to_contain_text(
        f"Stored mlflow gbm v1 from MLflow run {run['gbm'][:8]} on 'tracking' (eval/predictions.json)")
    expect(page.get_by_text("mlflow gbm v1: 569 rows of 'breast_cancer.csv'", exact=False)).to_be_visible(
        timeout=LANDS)                                                         # the job finished
    expect(_criteria(page)).to_contain_text("95 % interval")
    expect(page.get_by_text(f"Reported by MLflow for run {run['gbm'][:8]} on 'tracking'")).to_be_visible()
    expect(page.get_by_text("on the same 569 rows (paired 95 % intervals)", exact=False).first).to_be_visible()
    ana.check()

    _mlflow_form(page, "mlflow lr")
    _choose(page, "Run (newest first)", f"metrics only · {run['metrics only'][:8]}")
    expect(page.get_by_test_id("stSelectbox").filter(has_text="Predictions artifact")).to_match_aria_snapshot(
        '- combobox "Predictions artifact": "none: the run\'s metrics only"')   # not blank after the gbm run's path
    _import(page)
    expect(page.get_by_test_id("stAlertContentSuccess")).to_contain_text(
        f"Stored mlflow lr v1 from MLflow run {run['metrics only'][:8]} on 'tracking' (metrics only)")
    expect(page.get_by_text(f"mlflow lr v1: the metrics reported by MLflow for run {run['metrics only'][:8]} on "
                            "'tracking' (point values, no rows here)")).to_be_visible(timeout=LANDS)
    expect(page.get_by_text(re.compile(r"^Criteria: 0 pass · "))).to_be_visible()      # a point is never a pass
    expect(_criteria(page)).to_contain_text(f"Reported by MLflow for run {run['metrics only'][:8]} on 'tracking': "
                                            "recall 0.97, no interval: the rows are not available here.")
    _no_traceback(page)
    ana.check()

    review = ben.open("/review?project=1")
    _sees_the_candidates_on_review(review, run)
    compare = ben.open("/compare?project=1", ben.new_page())
    _sees_the_candidates_on_compare(compare, run)
    for seen, check in ((review, _sees_the_candidates_on_review), (compare, _sees_the_candidates_on_compare)):
        ben.reload(seen)
        check(seen, run)
    ana.reload(page)
    expect(page).to_have_url(re.compile(r"/models\?.*model=mlflow(\+|%20)lr"))
    expect(_criteria(page)).to_contain_text("no interval: the rows are not available here.")
    assert _versions(app.home) == sorted([*before, "mlflow gbm v1", "mlflow lr v1"])     # each stored once


def test_a_run_deleted_after_it_was_picked_and_a_stopped_tracking_server_get_a_message_and_store_nothing(
        app, tracking, people):  # noqa: F811
    import mlflow  # noqa: PLC0415 (MLflow takes ~2 s to import: paid by these tests, not every collection)

    run = tracking.ready()
    before = _versions(app.home)
    ana = _as(people, "Ana", app)
    page = ana.open("/models?project=1")
    _mlflow_form(page, "gone")
    _choose(page, "Run (newest first)", f"to delete · {run['to delete'][:8]}")
    expect(page.get_by_text(f"What run {run['to delete'][:8]} logged")).to_be_visible()
    mlflow.MlflowClient(tracking.server.uri).delete_run(run["to delete"])     # by a colleague, meanwhile
    _import(page)            # the same refusal whether the page's listing (kept a minute) still shows the run or not
    expect(page.get_by_test_id("stAlertContentError")).to_contain_text(
        f"Run {run['to delete']} ('to delete') was deleted on the MLflow server 'tracking'")
    _no_traceback(page)
    assert _versions(app.home) == before

    _choose(page, "Run (newest first)", f"metrics only · {run['metrics only'][:8]}")
    tracking.server.stop()
    _import(page)
    unreachable = f"Cannot reach the MLflow server 'tracking' ({tracking.server.uri})"
    expect(page.get_by_test_id("stAlertContentError").first).to_contain_text(unreachable)
    _no_traceback(page)
    ana.reload(page)                                   # a new look reads the server afresh
    page.get_by_text(FORM).click()
    page.get_by_test_id("stRadio").get_by_text("An MLflow run", exact=True).click()
    settle(page)
    expect(page.get_by_test_id("stAlertContentError").first).to_contain_text(unreachable)
    expect(page.get_by_role("button", name="Import this run")).to_have_count(0)
    _no_traceback(page)
    ana.check()
    assert _versions(app.home) == before
