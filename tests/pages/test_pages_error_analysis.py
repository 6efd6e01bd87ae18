"""AppTest: the Baselines page's error analysis on the sample run (slices of the columns the document always slices,
worst errors filterable by slice with a CSV, calibration), a run stored before predictions, and the review's lines."""
from __future__ import annotations

import json

from components.review_view import gather
from design.export import to_markdown
from store.db import open_store
from store.projects import list_projects
from tests.apptest import open_app, texts


def _words(values) -> str:
    return " ".join(values)


def _table(at, column: str, nth: int = 0):
    """The ``nth`` table on the page with ``column``."""
    return [d.value for d in at.dataframe if column in d.value.columns][nth]


def test_sample_run_shows_slices_worst_errors_and_calibration(app_home):
    at = open_app("pages/baselines.py", query={"target": "diagnosis"})
    assert not at.exception
    assert "Error analysis" in [s.value for s in at.subheader]
    assert at.selectbox(key="ea-model").value == "Logistic regression"
    captions = _words(texts(at, "caption"))
    assert "On 569 out-of-fold predictions of the dataset's rows (every row tested once)." in captions
    assert "Always sliced (design document, Evaluation): worst_radius, mean_concavity." in captions
    assert "No weak slice: none of the" in _words(texts(at, "info"))
    always = _table(at, "Values")
    assert list(always["Slice"]) == ["Q1", "Q2", "Q3", "Q4", "Q5"] and always["Rows"].sum() == 569
    assert {"Values", "ROC AUC", "95 % interval", "recall"} <= set(always.columns)
    charts = [c for c in at.get("plotly_chart") if "ROC AUC by worst_radius" in c.proto.spec]
    assert charts
    links = [p for p in at.get("page_link") if "Open worst" in p.proto.label]
    assert links, [p.proto.label for p in at.get("page_link")]
    # only the open tab draws: the worst errors and the calibration are not on the page until their tab is opened
    assert not [d for d in at.dataframe if "Confidence in the wrong class" in d.value.columns]
    assert "Expected calibration error" not in [m.label for m in at.metric]
    at.session_state["ea-tab"] = "Worst errors"
    at.run()
    assert not [c for c in at.get("plotly_chart") if "ROC AUC by worst_radius" in c.proto.spec]
    worst = _table(at, "Confidence in the wrong class")
    assert {"Row", "True", "Predicted", "Score", "Confidence in the wrong class", "worst_radius"} <= set(worst.columns)
    assert (worst["True"] != worst["Predicted"]).all()
    at.selectbox(key="ea-worst-slice").select("worst_radius = Q2").run()
    filtered = _table(at, "Confidence in the wrong class")
    assert 0 < len(filtered) < len(worst)
    assert at.get("download_button")
    at.session_state["ea-tab"] = "Calibration"
    at.run()
    assert "Expected calibration error" in [m.label for m in at.metric]
    assert any("calibrated" in s for s in texts(at, "info") + texts(at, "warning"))
    assert any("Reliability diagram" in c.proto.spec for c in at.get("plotly_chart"))


def test_review_and_export_show_weakest_slices_and_the_slice_criterion(app_home):
    at = open_app("pages/review.py")
    assert not at.exception
    infos = _words(texts(at, "info"))
    assert "Weakest slices: none of" in infos
    assert "Always sliced 'worst_radius' (ROC AUC): Q1" in infos
    assert "recall[worst_radius=Q4] >= 0.9: On the slice worst_radius = Q4: recall" in infos
    assert "Calibration: Brier score" in infos and "Worst errors:" in infos

    db = open_store(app_home)
    try:
        markdown = to_markdown(gather(db, list_projects(db)[0]))
    finally:
        db.close()
    assert "Weakest slices: none of" in markdown and "recall\\[worst_radius=Q4\\] >= 0.9" in markdown


def test_a_run_stored_before_predictions_asks_to_run_again(app_home):
    db = open_store(app_home)
    row = db.execute("SELECT id, payload FROM results WHERE kind = 'run'").fetchone()

    payload = json.loads(row[1])
    payload["format"] = 2
    for r in payload["results"]:
        r.pop("predictions", None), r.pop("error_analysis", None)
    db.execute("UPDATE results SET payload = ? WHERE id = ?", [json.dumps(payload), row[0]])
    db.conn.commit()
    db.close()
    at = open_app("pages/baselines.py", query={"target": "diagnosis"})
    assert not at.exception
    assert any("run the baselines again to see slices" in i for i in texts(at, "info")), texts(at, "info")
