"""AppTest: the app shell, the Projects page and the Design document page, driven as a user would."""
from __future__ import annotations

import json
import re

import pytest

from components.shell import local_account
from design.fields import MAX_TEXT_CHARS
from store.db import open_store
from store.documents import latest_revision, list_revisions, save_revision
from store.people import System
from store.projects import list_projects
from store.transfer import export_project
from tests.apptest import by_label, open_app, texts

PAGES = ["pages/projects.py", "pages/design.py", "pages/datasets.py", "pages/explore.py", "pages/leakage.py",
         "pages/drift.py", "pages/baselines.py", "pages/models.py", "pages/compare.py", "pages/review.py",
         "pages/jobs.py"]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_on_the_sample_project(app_home, page):
    at = open_app(page)
    assert not at.exception
    assert at.sidebar.selectbox(key="project_id").value is not None


def test_first_start_seeds_the_sample_project_with_a_complete_document(home):
    at = open_app("pages/projects.py")
    table = at.dataframe[0].value
    sample = table[table["Project"].str.startswith("Sample")].iloc[0]
    assert sample["Complete"] == 1.0 and sample["Revisions"] == 1
    assert at.sidebar.selectbox(key="project_id").value == 1
    menu = {link.proto.label: link.proto.query_string for link in at.get("page_link")}
    assert menu["Design document"] == "project=1"          # the menu's links carry the project to every page


def test_create_project_with_bad_names_then_a_good_one(app_home):
    at = open_app("pages/projects.py", author="Ana")
    at.text_input(key="new-project-name").input("   ")
    [b for b in at.button if b.label == "Create project"][0].click().run()
    assert any("needs a name" in e for e in texts(at, "error"))
    at.text_input(key="new-project-name").input("sample: fna CYTOLOGY triage")
    [b for b in at.button if b.label == "Create project"][0].click().run()
    assert any("already exists" in e for e in texts(at, "error"))
    at.text_input(key="new-project-name").input("Churn prediction")
    [b for b in at.button if b.label == "Create project"][0].click().run()
    assert not at.exception
    assert any("Created project 'Churn prediction'" in s for s in texts(at, "success"))
    chosen = at.sidebar.selectbox(key="project_id")
    assert chosen.format_func(chosen.value) == "Churn prediction"


def _design(app_home, author="Ana"):
    at = open_app("pages/design.py", query={"section": "evaluation"}, author=author)
    assert not at.exception
    return at


def _save(at, section_title="Evaluation"):
    [b for b in at.button if b.label == f"Save {section_title}"][0].click().run()
    assert not at.exception


def test_save_a_section_creates_a_revision(app_home):
    at = _design(app_home)
    by_label(at.text_area, "Success criteria").input("recall >= 0.97\nroc auc >= 0.99")
    _save(at)
    assert any("Saved Evaluation as revision 2" in s for s in texts(at, "success"))
    db = open_store(app_home)
    latest = latest_revision(db, list_projects(db)[0].id)
    assert latest.content["evaluation"]["success_criteria"] == ["recall >= 0.97", "roc auc >= 0.99"]
    assert latest.author == "Ana" and latest.section == "evaluation"
    assert by_label(at.text_area, "Success criteria").value == "recall >= 0.97\nroc auc >= 0.99"
    db.close()


def test_bad_criterion_and_long_text_are_refused_with_messages_and_kept(app_home):
    at = _design(app_home)
    by_label(at.text_area, "Success criteria").input("recall >= abc")
    by_label(at.text_area, "Fairness").input("x" * (MAX_TEXT_CHARS + 1))
    _save(at)
    error = " ".join(texts(at, "error"))
    assert "Not saved" in error and "line 1" in error and "not a number" in error
    assert f"limit is {MAX_TEXT_CHARS:,}" in error
    assert by_label(at.text_area, "Success criteria").value == "recall >= abc"
    db = open_store(app_home)
    assert len(list_revisions(db, 1)) == 1
    db.close()


def test_an_empty_name_is_refused_and_the_remembered_one_stays(app_home):
    """Local mode: the person always has a name (the OS account until they type one); an empty one is refused."""
    at = _design(app_home, author=None)
    assert at.sidebar.text_input(key="author").value == local_account()    # local mode: the OS account
    at.sidebar.text_input(key="author").input("").run()
    assert any("cannot be empty" in e for e in texts(at, "error"))
    assert at.sidebar.text_input(key="author").value == local_account()


def test_stale_save_is_refused_text_kept_then_saved_on_top(app_home):
    at = _design(app_home)
    db = open_store(app_home)
    base = latest_revision(db, 1)
    save_revision(db, 1, {**base.content, "evaluation": {**base.content["evaluation"], "fairness": "Bo's text"}},
                  System("test", "Bo"), parent_id=base.id, section="evaluation")
    mine = "Recall per age band within 0.03 of the overall recall."
    by_label(at.text_area, "Fairness").input(mine)
    _save(at)
    error = " ".join(texts(at, "error"))
    assert "Not saved: Bo saved revision 2" in error and "still in the form" in error
    assert by_label(at.text_area, "Fairness").value == mine
    assert len(list_revisions(db, 1)) == 2
    [b for b in at.button if b.label.startswith("Keep my text")][0].click().run()
    assert by_label(at.text_area, "Fairness").value == mine
    _save(at)
    latest = latest_revision(db, 1)
    assert (latest.number, latest.author, latest.content["evaluation"]["fairness"]) == (3, "Ana", mine)
    db.close()


def test_unwritable_home_shows_a_message_not_a_traceback(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("BLUEPRINT_HOME", str(blocker / "home"))
    at = open_app()
    assert not at.exception
    assert any("cannot write to its data folder" in e and "BLUEPRINT_HOME" in e for e in texts(at, "error"))


def test_import_a_project_file_and_refuse_a_bad_one(app_home, tmp_path):

    at = open_app("pages/projects.py", author="Ana")
    db = open_store(app_home)
    data = json.dumps(export_project(db, 1)).encode()
    db.close()
    at.file_uploader(key="import-project").upload("bad.json", b"{not json", "application/json").run()
    at.button(key="import-go").click().run()
    assert any("not a Blueprint project file" in e for e in texts(at, "error"))
    at.file_uploader(key="import-project").upload("sample.blueprint.json", data, "application/json").run()
    at.button(key="import-go").click().run()
    assert not at.exception
    assert any("Imported 'sample.blueprint.json'" in s for s in texts(at, "success"))
    chosen = at.sidebar.selectbox(key="project_id")
    assert chosen.format_func(chosen.value) == "Sample: FNA cytology triage (imported)"


def test_evaluation_section_shows_criteria_checked_against_the_best_run(app_home):
    at = _design(app_home)
    infos = re.sub(r"\\(.)", r"\1", " ".join(texts(at, "info")))        # as a person reads it (Markdown escapes off)
    assert "Best baseline run on breast_cancer.csv" in infos
    assert "Decision threshold 0.2, from the design document" in infos
    assert re.search(r"recall >= 0\.95: recall 0\.\d+, 95 % interval 0\.\d+-0\.\d+, from 212 positive \('malignant'\) "
                     r"rows: pass", infos)
    assert "p95 latency_ms <= 300: Not measured here" in infos
