"""AppTest: the Drift page: a row-order split of the sample, two uploaded datasets, bad inputs, history."""
from __future__ import annotations

import numpy as np

from store.db import open_store
from store.results import list_evidence
from tests.apptest import finish_jobs, open_app, texts


def _csv(frame_rows: list[str]) -> bytes:
    return ("\n".join(frame_rows) + "\n").encode()


def _upload(at, name: str, data: bytes):
    at.file_uploader[0].clear().run()
    at.file_uploader[0].upload(name, data, "text/csv").run()
    assert not at.exception, at.exception


def _pick(at, key: str, label: str):
    """Choose the option shown as ``label`` (AppTest lists options as their displayed text)."""
    box = at.selectbox(key=key)
    return box.select_index(box.options.index(label))


def _run(at):
    finish_jobs(at.button(key="drift-run").click().run(timeout=180))
    assert not at.exception
    return at


def test_row_order_split_of_the_sample_runs_shows_summary_report_and_history(app_home):
    at = open_app("pages/drift.py", author="Rae")
    assert not at.exception
    _run(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Rows"] == "284 → 285"
    assert "of 31" in metrics["Drifted columns"]
    assert any("'sample_id' is not checked" in i for i in texts(at, "info"))
    frame = at.get("iframe")[0].proto
    assert "Dataset Drift" in frame.srcdoc or "drift" in frame.srcdoc.lower()
    db = open_store(app_home)
    history = list_evidence(db, 1, "monitoring", "drift")
    db.close()
    assert len(history) >= 1 and history[0].summary["current"].endswith("last 50%")


def test_shifted_upload_drifts_on_the_shifted_column_only(app_home):
    rng = np.random.default_rng(1)
    header = "stable,shifted,colour"
    ref = [header] + [f"{rng.normal():.4f},{rng.normal():.4f},{rng.choice(['red', 'blue'])}" for _ in range(600)]
    cur = [header] + [f"{rng.normal():.4f},{rng.normal(1.5):.4f},{rng.choice(['red', 'blue'])}" for _ in range(600)]
    at = open_app("pages/datasets.py", author="Rae")
    _upload(at, "ref.csv", _csv(ref))
    _upload(at, "cur.csv", _csv(cur))
    at.switch_page("pages/drift.py").run()
    at.radio(key="drift-source").set_value("datasets").run()
    _pick(at, "drift-ref", "ref.csv")
    _pick(at, "drift-cur", "cur.csv").run()
    _run(at)
    table = at.dataframe[0].value
    drifted = dict(zip(table["Column"], table["Drifted"], strict=True))
    assert drifted == {"shifted": True, "stable": False, "colour": False}


def test_no_common_columns_and_tiny_current_get_messages(app_home):
    at = open_app("pages/datasets.py", author="Rae")
    _upload(at, "a.csv", _csv(["x,y"] + [f"{i},{i % 3}" for i in range(100)]))
    _upload(at, "b.csv", _csv(["p,q"] + [f"{i},{i % 2}" for i in range(100)]))
    _upload(at, "tiny.csv", _csv(["x,y", "1,2", "2,1", "3,0"]))
    at.switch_page("pages/drift.py").run()
    at.radio(key="drift-source").set_value("datasets").run()
    _pick(at, "drift-ref", "a.csv")
    _pick(at, "drift-cur", "b.csv").run()
    _run(at)
    assert any("no column" in e.lower() or "common" in e.lower() for e in texts(at, "error")), texts(at, "error")
    _pick(at, "drift-cur", "tiny.csv").run()
    _run(at)
    assert any("3 rows" in e for e in texts(at, "error")), texts(at, "error")
