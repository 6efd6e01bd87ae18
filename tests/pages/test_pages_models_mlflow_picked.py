"""AppTest: the MLflow run a person picked on the Models page is the run imported, or nothing is (issue 22, items 2 and
6), against the session's real tracking server (tests/mlflow_server.py). The page keeps its listings of experiments
and runs for a minute; a run deleted by a colleague after it was picked is refused when Import is clicked, whether
the listing kept still shows it or a fresh one no longer does (the box must not move silently to another run and
import that one under the name typed)."""
from __future__ import annotations

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from store.models import list_models
from tests.apptest import APP, texts

EXPERIMENT = "picked"


@pytest.fixture
def picked(mlflow_server):
    """An experiment with two runs with metrics only: "keep", then "to delete" (the newest, listed first)."""
    import mlflow  # noqa: PLC0415 (MLflow takes ~2 s to import: paid by these tests, not every collection)

    client = mlflow.MlflowClient(mlflow_server.uri)
    found = client.get_experiment_by_name(EXPERIMENT)
    experiment = found.experiment_id if found else client.create_experiment(EXPERIMENT)
    runs = {}
    for name in ("keep", "to delete"):
        run = client.create_run(experiment, run_name=name)
        client.log_metric(run.info.run_id, "recall_score", 0.97)
        client.set_terminated(run.info.run_id)
        runs[name] = run.info.run_id
    return {"client": client, "uri": mlflow_server.uri, **runs}


def _picking(picked) -> AppTest:
    st.cache_data.clear()
    at = AppTest.from_file(APP, default_timeout=90)
    at.secrets["blueprint"] = {"mlflow": {"tracking": {"uri": picked["uri"], "timeout_s": 20}}}
    at.query_params["project"] = "1"
    at.run()
    at.run()
    at = at.switch_page("pages/models.py").run()
    at.radio(key="mv-way").set_value("An MLflow run").run()
    at.text_input(key="mv-name").input("picked").run()
    box = at.selectbox(key="mv-exp")
    box.select_index(next(i for i, o in enumerate(box.options) if o.startswith(f"{EXPERIMENT} ("))).run()
    assert at.selectbox(key="mv-run").value == picked["to delete"]           # the newest run, listed first
    return at


def _import(at: AppTest) -> AppTest:
    return next(b for b in at.button if b.label == "Import this run").click().run()


def _stored(app_db) -> list[str]:
    return [v.label for m in list_models(app_db, 1) if m.name == "picked" for v in m.versions]


@pytest.mark.parametrize("listing", ["kept", "read again"])
def test_a_run_deleted_after_it_was_picked_is_refused_and_no_other_run_is_imported(app_db, picked, listing):
    at = _picking(picked)
    picked["client"].delete_run(picked["to delete"])                         # by a colleague, meanwhile
    if listing == "read again":
        st.cache_data.clear()                                                # the minute the listing is kept ends
    at = _import(at)
    assert not at.exception
    assert any(f"Run {picked['to delete']} ('to delete') was deleted on the MLflow server 'tracking'" in e
               for e in texts(at, "error")), texts(at, "error")
    assert _stored(app_db) == []
    at = at.run()                                                            # the next look
    assert at.selectbox(key="mv-run").value == picked["keep"]                # the listing as it is now
    at = _import(at)                                                         # a new pick imports what is shown
    assert not at.error and _stored(app_db) == ["picked v1"]
    version = next(m for m in list_models(app_db, 1) if m.name == "picked").latest
    assert version.source["run_id"] == picked["keep"]
