"""MLflow as a source (issue 22, item 2), against a real tracking server started on 127.0.0.1 (tests/mlflow_server.py)
with runs logged by the MLflow client as a team logs them: listing experiments, runs, registered model versions and
artifacts; reading a run; downloading predictions (Parquet, CSV, a table logged with mlflow.log_table) through the one
reader; and each error as a message: a server that is stopped or hangs (within the time limit), a deleted run, an
artifact over the limit, a file that is not a table, an address that is not an MLflow server."""
from __future__ import annotations

import hashlib
import os
import signal
import threading
import time

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from analysis.sources import mlflow_runs
from analysis.sources.mlflow_runs import (
    ArtifactTooLarge,
    MlflowCancelled,
    MlflowError,
    MlflowTimeout,
    MlflowUnreachable,
    NotATable,
    RunNotFound,
    get_model_version,
    get_run,
    list_artifacts,
    list_experiments,
    list_model_versions,
    list_runs,
    read_artifact_table,
)
from analysis.sources.settings import MlflowServer
from tests.mlflow_server import free_port

# A logged model's pip requirements, named so that MLflow does not infer them (6-9 s per model, measured): these
# tests read the run and its registered version, never the requirements
PIP = ["scikit-learn"]

ROWS = 60


def _predictions() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    return pd.DataFrame({"customer_id": np.arange(1, ROWS + 1), "churned": rng.integers(0, 2, ROWS),
                         "score": rng.random(ROWS).round(4), "plan": rng.choice(["basic", "pro"], ROWS)})


@pytest.fixture(scope="module")
def logged(mlflow_server, tmp_path_factory):
    """Runs logged as a team would: an experiment "churn" with a logistic regression, then a gradient boosting run
    (params, metrics, a tag, predictions as Parquet and CSV, the same as a table with mlflow.log_table, a file that is
    not a table, a model registered as "churn-gbm"), a deleted run, and an experiment whose artifacts live in a
    folder the server reads itself (no proxy)."""
    import mlflow  # noqa: PLC0415 (MLflow takes ~2 s to import: paid by these tests, not every collection)

    folder = tmp_path_factory.mktemp("team")
    frame = _predictions()
    frame.to_parquet(folder / "predictions.parquet", index=False)
    frame.to_csv(folder / "predictions.csv", index=False)
    (folder / "weights.bin").write_bytes(os.urandom(512))
    (folder / "config.json").write_text('{"threshold": 0.4}')
    mlflow.set_tracking_uri(mlflow_server.uri)
    client = mlflow.MlflowClient(mlflow_server.uri)
    try:
        mlflow.set_experiment("churn")
        with mlflow.start_run(run_name="logreg") as first:
            mlflow.log_metric("pr_auc", 0.21)
        with mlflow.start_run(run_name="gbm") as run:
            mlflow.log_params({"max_depth": 4, "learning_rate": 0.1})
            mlflow.log_metrics({"pr_auc": 0.31, "roc_auc": 0.82})
            mlflow.set_tag("team", "growth")
            mlflow.log_artifact(str(folder / "predictions.parquet"), "eval")
            mlflow.log_artifact(str(folder / "predictions.csv"), "eval")
            mlflow.log_artifact(str(folder / "weights.bin"), "model_files")
            mlflow.log_artifact(str(folder / "config.json"), "model_files")
            mlflow.log_table(frame, "eval/predictions.json")
            model = LogisticRegression().fit(frame[["score"]], frame["churned"])
            mlflow.sklearn.log_model(model, name="model", registered_model_name="churn-gbm", pip_requirements=PIP)
        with mlflow.start_run(run_name="discarded") as gone:
            mlflow.log_metric("pr_auc", 0.1)
        client.delete_run(gone.info.run_id)
        local = client.create_experiment("on-disk", artifact_location=(folder / "on-disk").as_uri())
        with mlflow.start_run(experiment_id=local, run_name="local") as on_disk:
            mlflow.log_artifact(str(folder / "predictions.parquet"), "eval")
    finally:
        mlflow.set_tracking_uri(None)
    return {"frame": frame, "run": run.info.run_id, "first": first.info.run_id, "gone": gone.info.run_id,
            "on_disk": on_disk.info.run_id, "on_disk_experiment": local, "folder": folder}


@pytest.fixture
def server(mlflow_server):
    return mlflow_server.settings()


def test_experiments_and_their_runs_newest_first_with_metrics_deleted_runs_left_out(server, logged):
    experiments = {e.name: e for e in list_experiments(server)}
    assert {"churn", "on-disk", "Default"} <= set(experiments)
    runs = list_runs(server, experiments["churn"].id)
    assert [r.name for r in runs] == ["gbm", "logreg"]              # newest first; the deleted run is not offered
    assert runs[0].id == logged["run"] and runs[0].status == "FINISHED"
    assert runs[0].metrics == {"pr_auc": 0.31, "roc_auc": 0.82}
    assert runs[0].start_time.endswith("+00:00") and runs[0].start_time >= runs[1].start_time


def test_a_run_is_read_with_its_params_metrics_and_tags(server, logged):
    run = get_run(server, logged["run"])
    assert (run.name, run.status) == ("gbm", "FINISHED")
    assert run.params == {"max_depth": "4", "learning_rate": "0.1"}
    assert run.metrics == {"pr_auc": 0.31, "roc_auc": 0.82}
    assert run.tags["team"] == "growth"
    kept = run.logged()
    assert kept["run_id"] == logged["run"] and kept["params"]["max_depth"] == "4" and kept["tags"]["team"] == "growth"


def test_a_registered_model_version_leads_to_its_run(server, logged):
    version = get_model_version(server, "churn-gbm", 1)
    assert (version.name, version.version, version.run_id) == ("churn-gbm", "1", logged["run"])
    assert [v.version for v in list_model_versions(server, "churn-gbm")] == ["1"]
    assert get_run(server, version.run_id).name == "gbm"
    with pytest.raises(RunNotFound, match="no version 7 of a registered model named 'churn-gbm'"):
        get_model_version(server, "churn-gbm", 7)


def test_artifacts_are_listed_tables_first_the_logged_table_marked(server, logged):
    files = list_artifacts(server, get_run(server, logged["run"]))
    by_path = {f.path: f for f in files}
    assert {"eval/predictions.parquet", "eval/predictions.csv", "eval/predictions.json", "model_files/weights.bin",
            "model_files/config.json"} <= set(by_path)
    assert by_path["eval/predictions.json"].logged_table and by_path["eval/predictions.json"].kind == "json"
    assert by_path["eval/predictions.parquet"].kind == "parquet" and by_path["eval/predictions.csv"].kind == "csv"
    assert by_path["model_files/weights.bin"].kind is None and by_path["model_files/weights.bin"].size_bytes == 512
    kinds = [f.kind is None for f in files]
    assert kinds == sorted(kinds)                                   # every table before every other file
    assert files[0].path == "eval/predictions.json"                 # the table logged with log_table first


@pytest.mark.parametrize("path", ["eval/predictions.parquet", "eval/predictions.csv", "eval/predictions.json"])
def test_predictions_are_downloaded_and_read_by_the_one_reader(server, logged, path):
    run = get_run(server, logged["run"])
    found = read_artifact_table(server, run, path)
    expected = logged["frame"]
    assert list(found.table.frame.columns) == list(expected.columns)
    assert found.table.frame["customer_id"].tolist() == expected["customer_id"].tolist()
    assert np.allclose(found.table.frame["score"], expected["score"])
    assert found.table.frame["plan"].astype(str).tolist() == expected["plan"].tolist()
    assert found.table.format == {"parquet": "parquet", "csv": "csv", "json": "json"}[path.rsplit(".", 1)[1]]
    assert found.source == {"kind": "mlflow", "server": "tracking", "run_id": logged["run"], "artifact_path": path,
                            "experiment_id": run.experiment_id}
    if path.endswith(".parquet"):     # the content hash is the downloaded bytes' own
        original = (logged["folder"] / "predictions.parquet").read_bytes()
        assert found.table.content_hash == hashlib.sha256(original).hexdigest() and found.size_bytes == len(original)


def test_artifacts_in_a_store_the_server_reads_itself_are_downloaded_through_it(server, logged):
    run = get_run(server, logged["on_disk"])
    assert run.artifact_uri.startswith("file:")
    found = read_artifact_table(server, run, "eval/predictions.parquet")
    assert found.table.frame["customer_id"].tolist() == logged["frame"]["customer_id"].tolist()


def test_a_deleted_run_an_unknown_run_and_a_bad_id_are_refused_with_a_message(server, logged):
    with pytest.raises(RunNotFound, match=r"Run \w+ \('discarded'\) was deleted on the MLflow server 'tracking'.*"
                                          "Restore it in MLflow, or pick another run"):
        get_run(server, logged["gone"])
    with pytest.raises(RunNotFound, match="There is no run 0123456789abcdef0123456789abcdef on the MLflow server"):
        get_run(server, "0123456789abcdef0123456789abcdef")
    with pytest.raises(RunNotFound, match="is not an MLflow run id"):
        get_run(server, "../../etc/passwd")
    with pytest.raises(RunNotFound, match="There is no experiment 98765"):
        list_runs(server, "98765")


def test_an_artifact_over_the_limit_is_refused_saying_the_limit_and_how_to_change_it(mlflow_server, logged):
    small = mlflow_server.settings(max_artifact_bytes=1000)
    run = get_run(small, logged["run"])
    with pytest.raises(ArtifactTooLarge,
                       match=r"eval/predictions\.parquet of run \w+ is [\d.]+ KB, over the limit of "
                             r"1,000 bytes .*raise max_artifact_mb under \[blueprint\.mlflow\.tracking\]"):
        read_artifact_table(small, run, "eval/predictions.parquet")
    # a server whose listing gives no size is stopped while downloading, as soon as the bytes pass the limit
    endpoint, query = mlflow_runs._download_address(small, run, "eval/predictions.parquet")
    with pytest.raises(ArtifactTooLarge, match="or more, over the limit of 1,000 bytes"):
        mlflow_runs._limited(small, "download", lambda read: read.download(
            endpoint, query, lambda size: mlflow_runs._too_large(small, run, "eval/predictions.parquet", size, True)))


def test_a_file_that_is_not_a_table_is_refused_by_its_name_or_its_content(server, logged):
    run = get_run(server, logged["run"])
    with pytest.raises(NotATable, match=r"model_files/weights\.bin of run \w+ is not a table Blueprint reads"):
        read_artifact_table(server, run, "model_files/weights.bin")
    with pytest.raises(NotATable, match=r"config\.json of run \w+ cannot be read as a table: .*not a table logged "
                                        "with mlflow.log_table"):
        read_artifact_table(server, run, "model_files/config.json")
    with pytest.raises(RunNotFound, match=r"has no artifact eval/missing\.parquet"):
        read_artifact_table(server, run, "eval/missing.parquet")
    with pytest.raises(NotATable, match="is not a path among a run's artifacts"):
        read_artifact_table(server, run, "../secrets/x.csv")


def test_an_address_that_is_not_an_mlflow_server_says_so(mlflow_server):
    elsewhere = MlflowServer("tracking", mlflow_server.uri + "/static-files", timeout_s=10)
    with pytest.raises(MlflowError, match=r"answered \(HTTP \d+.*\), but not as an MLflow tracking server does. An "
                                          r"admin checks that uri under \[blueprint\.mlflow\.tracking\]"):
        list_experiments(elsewhere)


def test_nothing_listening_is_said_at_once():
    """A server that was stopped, or never started: the connection is refused, said at once (a real server stopped
    gives the same refusal, as a test that started and stopped its own server showed; that start cost 25-70 s)."""
    down = MlflowServer("tracking", f"http://127.0.0.1:{free_port()}", timeout_s=5)
    started = time.monotonic()
    with pytest.raises(MlflowUnreachable,
                       match=r"Cannot reach the MLflow server 'tracking' \(http://127\.0\.0\.1:\d+\): "
                             "the connection was refused.*Is the server running, and reachable from this "
                             "Blueprint server\\? An admin checks its uri"):
        list_experiments(down)
    assert time.monotonic() - started < 2


@pytest.fixture
def hung(mlflow_server):
    """The session's server paused (SIGSTOP): it accepts connections but answers nothing, until the test ends."""
    os.killpg(mlflow_server.process.pid, signal.SIGSTOP)
    try:
        yield mlflow_server
    finally:
        os.killpg(mlflow_server.process.pid, signal.SIGCONT)


def test_a_server_that_never_answers_is_given_up_at_the_time_limit(hung):
    started = time.monotonic()
    with pytest.raises(MlflowTimeout, match=r"did not answer within 2 s, the time limit set for it.*longer timeout_s "
                                            r"under \[blueprint\.mlflow\.tracking\]"):
        list_experiments(hung.settings(timeout_s=2.0))
    assert 1.9 < time.monotonic() - started < 3


def test_stop_reads_ends_a_waiting_read_at_once(hung):
    threading.Timer(0.5, mlflow_runs.stop_reads, ("the job was cancelled",)).start()
    started = time.monotonic()
    with pytest.raises(MlflowCancelled, match="was stopped: the job was cancelled. Nothing was stored."):
        list_experiments(hung.settings(timeout_s=30.0))
    assert time.monotonic() - started < 2


def test_credentials_are_sent_and_never_shown():
    server = MlflowServer("tracking", f"http://127.0.0.1:{free_port()}", token="s3cr3t-token", timeout_s=3)
    basic = MlflowServer("tracking", server.uri, username="ana", password="pa55word", timeout_s=3)
    assert "s3cr3t" not in repr(server) and "pa55word" not in repr(basic)
    assert mlflow_runs._Read(server).session.headers["Authorization"] == "Bearer s3cr3t-token"
    assert mlflow_runs._Read(basic).session.auth == ("ana", "pa55word")
    for each in (server, basic):
        with pytest.raises(MlflowUnreachable) as raised:
            list_experiments(each)
        assert "s3cr3t" not in str(raised.value) and "pa55word" not in str(raised.value)
