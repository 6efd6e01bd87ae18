"""AppTest: the Models page (issue 22, part 3). An editor brings a predictions file joined to a stored dataset by a
key; its evidence is computed by a job (real worker processes) and shown: criteria verdicts, the metrics with their
intervals beside the dummy and the baseline run on the same rows, the differences in words. Each bad file gets its
message and stores nothing (no version, no file); a viewer reads the sample's evidence with no form."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sample_data.seed import SAMPLE_CSV
from store.models import list_models
from tests.apptest import as_account, finish_jobs, open_app, team_member, texts

PAGE = "pages/models.py"


def _frame() -> pd.DataFrame:
    data = pd.read_csv(SAMPLE_CSV)
    rng = np.random.default_rng(3)
    truth = (data["diagnosis"] == "malignant").to_numpy()
    score = 1 / (1 + np.exp(-(3.0 * np.where(truth, 1, -1) + rng.normal(scale=1.8, size=len(truth)))))
    return pd.DataFrame({"sample_id": data["sample_id"], "score": score.round(6)})


def _csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode()


def _stored_files(home) -> set[str]:
    folder = home / "models"
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


def _csv_dataset_chosen(at) -> None:
    box = at.selectbox(key="mv-file-dataset")
    box.select_index(box.options.index("breast_cancer.csv")).run()


def test_an_editor_brings_predictions_joined_by_key_and_reads_their_evidence(app_home, app_db):
    at = open_app(PAGE, query={"project": "1"})
    assert not at.exception
    at.text_input(key="mv-name").input("lr").run()
    at.get("file_uploader")[0].upload("lr.csv", _csv(_frame()), "text/csv").run()
    layout = at.radio(key="mv-file-layout")
    layout.set_value(layout.options[1]).run()
    _csv_dataset_chosen(at)
    next(b for b in at.button if b.label == "Bring these predictions").click().run()
    assert not at.exception and not at.error, texts(at, "error")
    assert [m.latest.label for m in list_models(app_db, 1)][0] == "lr v1"
    assert any(s.startswith("Stored lr v1 from lr.csv") for s in texts(at, "success"))
    at = finish_jobs(at)
    assert not at.exception
    shown = texts(at, "markdown")
    assert any(m.startswith("lr v1: 569 rows of 'breast_cancer.csv'") for m in shown)
    assert any("on the same 569 rows (paired 95 % intervals)" in m for m in shown)
    criteria = next(d.value for d in at.dataframe if "Criterion" in d.value.columns)
    assert set(criteria["Criterion"]) >= {"recall >= 0.95", "recall[worst_radius=Q4] >= 0.9"}
    assert set(criteria["Result"]) <= {"pass", "fail", "inconclusive", "not measured"}


BAD = [
    ("another dataset's keys", _frame().assign(sample_id=lambda f: f["sample_id"] + 100_000), True,
     "No key in the predictions' 'sample_id' matches a row of the stored dataset"),
    ("text in the scores", _frame().assign(score=lambda f: f["score"].astype(object).where(f.index % 7 > 0, "high")),
     True, "Score column 'score' holds text"),
    ("scores outside 0-1", _frame().assign(score=lambda f: f["score"] * 3), True, "value(s) outside 0-1"),
    ("no target in a scored file", _frame(), False, "Name the target column"),
    ("the target as the score", pd.read_csv(SAMPLE_CSV).assign(score=lambda f: (f["diagnosis"] == "malignant") * 1.0),
     False, "Score column 'score' holds exactly the target"),
]


@pytest.mark.parametrize("what, frame, joined, said", BAD, ids=[b[0] for b in BAD])
def test_each_bad_file_gets_its_message_and_nothing_is_stored(app_home, app_db, what, frame, joined, said):
    files = _stored_files(app_home)
    at = open_app(PAGE, query={"project": "1"})
    at.text_input(key="mv-name").input("bad").run()
    at.get("file_uploader")[0].upload("bad.csv", _csv(frame), "text/csv").run()
    if joined:
        layout = at.radio(key="mv-file-layout")
        layout.set_value(layout.options[1]).run()
        _csv_dataset_chosen(at)
    next(b for b in at.button if b.label == "Bring these predictions").click().run()
    assert not at.exception
    assert any(said in e for e in texts(at, "error")), texts(at, "error")
    assert [m.name for m in list_models(app_db, 1)] == ["gbm"] and _stored_files(app_home) == files


def test_a_file_that_is_no_table_and_a_missing_name_are_refused(app_home, app_db):
    at = open_app(PAGE, query={"project": "1"})
    at.get("file_uploader")[0].upload("scores.csv", b"\x00\x01\x02 not a table \xff" * 20, "text/csv").run()
    assert not at.exception and at.error and not [b for b in at.button if b.label == "Bring these predictions"]
    at.get("file_uploader")[0].clear().run()
    at.get("file_uploader")[0].upload("lr.csv", _csv(_frame()), "text/csv").run()
    layout = at.radio(key="mv-file-layout")
    layout.set_value(layout.options[1]).run()
    _csv_dataset_chosen(at)
    next(b for b in at.button if b.label == "Bring these predictions").click().run()
    assert any("needs a name" in e for e in texts(at, "error"))
    assert [m.name for m in list_models(app_db, 1)] == ["gbm"]


def test_a_viewer_reads_the_sample_candidates_evidence_without_a_form(app_home, app_db, monkeypatch):
    team_member(app_db, "vera", "viewer")
    as_account(monkeypatch, "vera")
    at = open_app(PAGE, query={"project": "1"})
    assert not at.exception
    assert ("You are a viewer of this project: only editors and owners can bring candidate models. Ask an owner "
            "(Projects page) for another role.") in texts(at, "info")
    assert not at.get("file_uploader") and not [b for b in at.button if b.label.startswith("Bring")]
    assert any(m.startswith("gbm v1: 569 rows of 'breast_cancer.csv'") for m in texts(at, "markdown"))
    criteria = next(d.value for d in at.dataframe if "Criterion" in d.value.columns)
    assert dict(zip(criteria["Criterion"], criteria["Result"], strict=True))["roc auc >= 0.97"] == "pass"
