"""AppTest: the Explore page on the sample project and on an uploaded dataset, with and without a target."""
from __future__ import annotations

import json

from store.db import open_store
from store.results import list_evidence
from tests.apptest import finish_jobs, open_app, texts


def _plotly_titles(at) -> list[str]:
    return [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]


def test_sample_dataset_profile_with_target_shows_class_balance(app_home):
    at = open_app("pages/explore.py", query={"target": "diagnosis"})
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Rows"] == "569" and metrics["Columns"] == "32" and metrics["Duplicate rows"] == "0"
    titles = _plotly_titles(at)
    assert any("Class balance of diagnosis" in t for t in titles), titles
    assert "Pearson (numeric)" in titles and "mean_radius by diagnosis" in titles
    alerts = at.dataframe[0].value
    assert "sample_id" in set(alerts["Column"])  # the ID column is flagged
    assert at.query_params["target"] == ["diagnosis"] or at.query_params["target"] == "diagnosis"


def test_choosing_a_column_and_measure_redraws(app_home):
    at = finish_jobs(open_app("pages/explore.py"))     # the profile without a target is computed by a job
    at.selectbox(key="explore-column").select("mean_radius").run()
    assert any("mean_radius" in t for t in _plotly_titles(at))
    at.radio(key="explore-corr").set_value("Spearman (numeric)").run()
    assert not at.exception


def test_profile_is_recorded_once_as_data_evidence(app_home):
    at = open_app("pages/explore.py", query={"target": "diagnosis"})
    at.run()
    db = open_store(app_home)
    evidence = list_evidence(db, 1, "data", "profile")
    db.close()
    with_target = [e for e in evidence if e.summary.get("target") == "diagnosis"]
    assert len(with_target) == 1
    assert with_target[0].summary["class_balance"] == {"benign": 357 / 569, "malignant": 212 / 569}


def test_unusable_target_gets_a_message(app_home):
    at = open_app("pages/datasets.py", author="Ana")
    at.file_uploader[0].upload("one_class.csv", b"x,y\n" + b"".join(b"%d,a\n" % i for i in range(30)), "text/csv").run()
    at.switch_page("pages/explore.py").run()
    at.selectbox(key="dataset").select_index(0).run()
    finish_jobs(at.selectbox(key="target").select("y").run())
    assert not at.exception
    assert any("'y' has 1 class" in e and "Pick another target" in e for e in texts(at, "error")), texts(at, "error")
