"""AppTest: importing MLflow runs on the Models page (issue 22, part 3), against a real MLflow tracking server started
on 127.0.0.1 (tests/mlflow_server.py) with runs logged by the MLflow client, as a team would: a run with a predictions
artifact joined to the sample dataset gets the full evidence; a registered model version with metrics only gets each
criterion checked on the reported point, never passed; a deleted run, an artifact over the server's limit and a server
that is down each get a message and store nothing."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import streamlit as st
from sklearn.linear_model import LogisticRegression
from streamlit.testing.v1 import AppTest

from sample_data.seed import SAMPLE_CSV
from store.models import list_models
from tests.apptest import APP, finish_jobs, texts
from tests.mlflow_server import free_port

# A logged model's pip requirements, named so that MLflow does not infer them (6-9 s per model, measured): these
# tests read the run and its registered version, never the requirements
PIP = ["scikit-learn"]

METRICS = {"recall_score": 0.97, "specificity": 0.85, "roc_auc": 0.99}


def fair_predictions() -> pd.DataFrame:
    """A fair model's probability of malignant for each sample of the sample dataset, by sample_id (seeded)."""
    data = pd.read_csv(SAMPLE_CSV)
    rng = np.random.default_rng(11)
    truth = (data["diagnosis"] == "malignant").to_numpy()
    score = 1 / (1 + np.exp(-(3.0 * np.where(truth, 1, -1) + rng.normal(scale=1.6, size=len(truth)))))
    return pd.DataFrame({"sample_id": data["sample_id"], "score": score.round(6)})


@pytest.fixture(scope="module")
def triage(mlflow_server, tmp_path_factory):
    """An experiment "triage": a run "gbm" with params, metrics, its predictions as Parquet and a CSV over 1 MB, a
    model registered as "triage-gbm" (version 1); a model "gone-gbm" whose run was then deleted."""
    import mlflow  # noqa: PLC0415 (MLflow takes ~2 s to import: paid by these tests, not every collection)

    folder = tmp_path_factory.mktemp("triage")
    frame = fair_predictions()
    frame.to_parquet(folder / "predictions.parquet", index=False)
    pd.DataFrame(np.random.default_rng(0).random((40_000, 4)), columns=list("abcd")).to_csv(folder / "big.csv")
    mlflow.set_tracking_uri(mlflow_server.uri)
    client = mlflow.MlflowClient(mlflow_server.uri)
    try:
        mlflow.set_experiment("triage")
        model = LogisticRegression().fit(frame[["score"]], frame["score"] > 0.5)
        with mlflow.start_run(run_name="gbm") as run:
            mlflow.log_params({"n_estimators": 200, "max_depth": 3})
            mlflow.log_metrics(METRICS)
            mlflow.log_artifact(str(folder / "predictions.parquet"), "eval")
            mlflow.log_artifact(str(folder / "big.csv"), "eval")
            mlflow.sklearn.log_model(model, name="model", registered_model_name="triage-gbm", pip_requirements=PIP)
        with mlflow.start_run(run_name="to delete") as gone:
            mlflow.log_metrics(METRICS)
            mlflow.sklearn.log_model(model, name="model", registered_model_name="gone-gbm", pip_requirements=PIP)
        client.delete_run(gone.info.run_id)
    finally:
        mlflow.set_tracking_uri(None)
    return {"run": run.info.run_id, "uri": mlflow_server.uri}


def _open(triage, **server) -> AppTest:
    st.cache_data.clear()                     # the page keeps listings for a minute; each test reads afresh
    at = AppTest.from_file(APP, default_timeout=90)
    at.secrets["blueprint"] = {"mlflow": {"tracking": {"uri": triage["uri"], "timeout_s": 20, **server},
                                          "down": {"uri": f"http://127.0.0.1:{free_port()}", "timeout_s": 5}}}
    at.query_params["project"] = "1"
    at.run()
    at.run()
    at = at.switch_page("pages/models.py").run()
    at.radio(key="mv-way").set_value("An MLflow run").run()
    return at


def _pick(box, text: str) -> None:
    box.select_index(next(i for i, o in enumerate(box.options) if text in o)).run()


def _versions(db) -> list[str]:
    return sorted(v.label for m in list_models(db, 1) for v in m.versions)


def test_a_run_with_predictions_gets_the_full_evidence_and_a_registered_version_its_reported_points(
        app_home, app_db, triage):
    at = _open(triage)
    at.text_input(key="mv-name").input("gbm-mlflow").run()
    _pick(at.selectbox(key="mv-exp"), "triage")
    _pick(at.selectbox(key="mv-run"), triage["run"][:8])
    _pick(at.selectbox(key="mv-artifact"), "eval/predictions.parquet")
    layout = at.radio(key="mv-mlflow-layout")
    layout.set_value(layout.options[1]).run()
    _pick(at.selectbox(key="mv-mlflow-dataset"), "breast_cancer.csv")
    next(b for b in at.button if b.label == "Import this run").click().run()
    assert not at.exception and not at.error, texts(at, "error")
    version = next(m for m in list_models(app_db, 1) if m.name == "gbm-mlflow").latest
    assert version.from_mlflow and version.source["artifact_path"] == "eval/predictions.parquet"
    assert version.run["params"] == {"n_estimators": "200", "max_depth": "3"} and version.run["metrics"] == METRICS
    at = finish_jobs(at)
    assert any(m.startswith("gbm-mlflow v1: 569 rows of 'breast_cancer.csv'") for m in texts(at, "markdown"))
    criteria = next(d.value for d in at.dataframe if "Criterion" in d.value.columns)
    assert "95 % interval" in " ".join(criteria["Why"])                        # measured on the rows

    at = _open(triage)
    at.text_input(key="mv-name").input("registered").run()
    at.radio(key="mv-how").set_value("A registered model version").run()
    at.text_input(key="mv-registered").input("triage-gbm").run()
    at.text_input(key="mv-registered-version").input("1").run()
    assert at.selectbox(key="mv-artifact").value == ""                         # metrics only
    next(b for b in at.button if b.label == "Import this run").click().run()
    assert not at.error, texts(at, "error")
    version = next(m for m in list_models(app_db, 1) if m.name == "registered").latest
    assert (version.source["model_name"], version.source["model_version"]) == ("triage-gbm", "1")
    at = finish_jobs(at)
    criteria = next(d.value for d in at.dataframe if "Criterion" in d.value.columns)
    verdicts = dict(zip(criteria["Criterion"], criteria["Result"], strict=True))
    why = dict(zip(criteria["Criterion"], criteria["Why"], strict=True))
    assert verdicts["recall >= 0.95"] == "inconclusive" and verdicts["specificity >= 0.9"] == "fail"
    assert why["recall >= 0.95"].startswith(f"Reported by MLflow for run {triage['run'][:8]} on 'tracking': recall "
                                            "0.97, no interval: the rows are not available here.")
    assert "pass" not in set(verdicts.values())


def test_a_deleted_run_an_artifact_over_the_limit_and_a_server_down_store_nothing(app_home, app_db, triage):
    before = _versions(app_db)
    at = _open(triage, max_artifact_mb=1)
    at.text_input(key="mv-name").input("nope").run()
    at.radio(key="mv-how").set_value("A registered model version").run()
    at.text_input(key="mv-registered").input("gone-gbm").run()
    at.text_input(key="mv-registered-version").input("1").run()
    assert not at.exception and any("was deleted on the MLflow server 'tracking'" in e for e in texts(at, "error"))
    assert not [b for b in at.button if b.label == "Import this run"]

    at.radio(key="mv-how").set_value("An experiment's run").run()
    _pick(at.selectbox(key="mv-exp"), "triage")
    _pick(at.selectbox(key="mv-run"), triage["run"][:8])
    _pick(at.selectbox(key="mv-artifact"), "eval/big.csv")
    assert not at.exception and any("max_artifact_mb" in e for e in texts(at, "error")), texts(at, "error")
    assert not [b for b in at.button if b.label == "Import this run"]

    at.selectbox(key="mv-server").set_value("down").run()
    assert not at.exception and any(e.startswith("Cannot reach the MLflow server 'down'") for e in texts(at, "error"))
    assert _versions(app_db) == before
