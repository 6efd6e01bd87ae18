"""AppTest: the pipeline's checks on Compare and Review (issue 23). An editor's two runs of the real command (in this
process, blueprint.cli.main with --home --as, stored by store.checks.record_check): one passing on good predictions,
then one failing on random ones. Compare lists both newest first with what each checked and found, each criterion's
verdict across them (a criterion that started failing said in words); a project with no baseline run and no
candidate still shows its CI runs; Review blocks approval on the failed run."""
from __future__ import annotations

import hashlib
import re
import shutil

import pytest

from components.shell import local_account
from store.checks import record_check
from store.db import open_store
from store.documents import latest_revision, save_revision
from store.people import System, see_user, set_admin
from store.projects import create_project
from store.results import list_evidence, result_by_id
from tests.apptest import open_app, texts
from tests.cli_runs import EDITOR, SAMPLE_CSV, check_in_process, write_predictions
from tests.conftest import copied_home

SECTION = "Checks from the pipeline (blueprint check)"
RUN_LABEL = re.compile(r"#\d+ \d{4}-\d\d-\d\d \d\d:\d\d")        # a CI run's column: its id and when it ran


@pytest.fixture(scope="module")
def checked_home(tmp_path_factory, seeded_template):
    """The seeded sample with two CI runs (passed, then failed), and project 2 "Pipeline only": the sample's document,
    no dataset, run or candidate, and the same two runs recorded on it."""
    folder = tmp_path_factory.mktemp("ci-runs")
    home = folder / "home"
    shutil.copytree(seeded_template, home)
    db = open_store(home)
    admin = see_user(db, f"local:{local_account()}", local_account())    # the machine's account first, as at a start
    set_admin(db, admin.id, True)
    see_user(db, EDITOR, "Dana Scientist")                   # her first sign-in: the sample's invite makes her editor
    db.close()
    for kind, code in (("good", 0), ("random", 1)):
        predictions = write_predictions(folder / f"{kind}.csv", kind)
        assert check_in_process("--home", home, "--project", 1, "--as", EDITOR, "--data", SAMPLE_CSV,
                                "--predictions", predictions) == code
    db = open_store(home)
    try:
        test = System("test", "Ana")
        project = create_project(db, "Pipeline only", created_by=test)
        save_revision(db, project.id, latest_revision(db, 1).content, test, None)
        for e in reversed(list_evidence(db, 1, "evaluation", "check")):        # oldest first, as they ran
            record_check(db, project.id, result_by_id(db, e.result_id).payload, e.summary, 0.1, by=test)
    finally:
        db.close()
    return home


@pytest.fixture
def ci_db(checked_home, tmp_path, monkeypatch):
    db = open_store(copied_home(checked_home, tmp_path, monkeypatch))
    yield db
    db.close()


def _table(at, where):
    found = [d.value for d in at.dataframe if where(d.value)]
    assert len(found) == 1, f"{len(found)} tables found"
    return found[0]


def _runs_and_criteria(at):
    runs = _table(at, lambda f: "Outcome" in f.columns and "Exit code" in f.columns)
    criteria = _table(at, lambda f: len(f.columns) > 0 and all(RUN_LABEL.fullmatch(str(c)) for c in f.columns))
    return runs, criteria


def test_compare_lists_the_pipelines_runs_newest_first_and_each_criterion_across_them(ci_db):
    newest, older = list_evidence(ci_db, 1, "evaluation", "check")
    at = open_app("pages/compare.py", query={"project": "1"}, author="Rae")
    assert not at.exception
    assert SECTION in [h.value for h in at.header]
    runs, criteria = _runs_and_criteria(at)
    assert list(runs["Run"]) == [f"#{newest.id}", f"#{older.id}"]
    assert list(runs["Outcome"]) == ["failed", "passed"] and list(runs["Exit code"]) == [1, 0]
    assert set(runs["By"]) == {"Dana Scientist"} and set(runs["Document revision"]) == {1}
    assert list(runs["Criteria checked on"]) == ["the candidate's predictions (random.csv)",
                                                 "the candidate's predictions (good.csv)"]
    assert set(runs["Data hash"]) == {hashlib.sha256(SAMPLE_CSV.read_bytes()).hexdigest()[:12]}
    for row, e in zip(runs.to_dict("records"), (newest, older), strict=True):
        counts = e.summary["counts"]
        assert (row["Pass"], row["Fail"], row["Inconclusive"]) == (counts["pass"], counts["fail"],
                                                                   counts["inconclusive"])
        assert row["Unresolved high leakage"] == 0
        assert row["Drift"] == "not checked"         # the sample asks for drift checks; no reference was given
    assert newest.summary["counts"]["fail"] > 0 and older.summary["counts"]["fail"] == 0

    assert [c.split(" ")[0] for c in criteria.columns] == [f"#{older.id}", f"#{newest.id}"]   # oldest on the left
    document = [c["criterion"] for c in newest.summary["checks"]]            # whatever the document's criteria are
    assert list(criteria.index) == document
    was = {c["criterion"]: c["status"] for c in older.summary["checks"]}
    started = [c["criterion"] for c in newest.summary["checks"]
               if c["status"] == "fail" and was[c["criterion"]] == "pass"]
    assert started, "random predictions fail criteria that good ones pass"
    errors = texts(at, "error")
    for text in started:
        old, new = criteria.loc[text]
        assert old.startswith("pass (") and new.startswith("fail (") and new.count("-") == 1
        assert any(e.startswith(f"{text} started failing: fail (") for e in errors), errors


def test_compare_shows_ci_runs_of_a_project_without_baseline_run_or_candidate(ci_db):
    project = next(p for p in ci_db.query("SELECT id FROM projects WHERE name = 'Pipeline only'"))["id"]
    at = open_app("pages/compare.py", query={"project": str(project)}, author="Rae")
    assert not at.exception
    assert "No baseline run yet: run one on the Baselines page." in texts(at, "info")
    assert SECTION in [h.value for h in at.header]
    runs, criteria = _runs_and_criteria(at)
    assert list(runs["Outcome"]) == ["failed", "passed"] and len(criteria.columns) == 2


def test_review_blocks_approval_on_the_failed_ci_run_with_a_link_to_compare(ci_db):
    newest = list_evidence(ci_db, 1, "evaluation", "check")[0]
    at = open_app("pages/review.py", query={"project": "1"}, author="Rae")
    assert not at.exception
    when = newest.summary["checked_at"].replace("T", " ")[:16]
    assert f"**Failed pipeline check**: The latest CI check failed (run {when} UTC)" in [
        m.split(" ", 1)[1] for m in texts(at, "markdown") if m.startswith(":material/terminal:")]
    links = [link for link in at.get("page_link") if "Checks from the pipeline" in link.proto.label]
    assert [(link.proto.page, link.proto.query_string) for link in links] == [("compare", "project=1")]
