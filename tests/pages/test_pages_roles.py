"""AppTest (issue 26, hole 5): every page, opened by each role, offers only what that role may do, and where it
withholds a form or a button it says why, in plain English ("You are an editor of this project: only owners can
rename or archive it."). The store refuses those writes anyway (tests/store/test_permissions.py); this is what a person
is offered. A press from a page drawn before the person's role changed gets the store's refusal, never nothing.

Each person is a local-mode account that is a member of the sample project (tests.apptest.team_member); one seeded
data folder serves the whole walk. A job taken by a worker is running, so the Jobs page has something to cancel."""
from __future__ import annotations

import os
import shutil

import pytest

from analysis.evidence import profile_settings
from jobs.tasks import plan_for
from store.access import EDIT, MANAGE, REVIEW, RIGHTS
from store.datasets import list_datasets
from store.db import now, open_store, write_txn
from store.jobs import claim_next_job, submit_job
from tests.apptest import as_account, open_app, shown, team_member, texts

ROLES = ("owner", "editor", "reviewer", "viewer")
A_ROLE = {"owner": "an owner", "editor": "an editor", "reviewer": "a reviewer", "viewer": "a viewer"}
WHO = {EDIT: "editors and owners", REVIEW: "reviewers and owners", MANAGE: "owners"}

# page: {right: (the controls only that right offers, what the page says is withheld without it)}
WRITES = {
    "projects": {MANAGE: ({"Save name and description", "Archive project", "Add or change role",
                           "Remove from the project", "toggle: The author of the latest revision may approve it"},
                          ("rename or archive it", "change its members"))},
    "design": {EDIT: ({"Save Requirements", "Write the measurable success criteria under Evaluation"},
                      ("edit the document",))},
    "datasets": {EDIT: ({"upload: Upload data files", "Save name and role", "Delete 'breast_cancer.parquet'…"},
                        ("upload, rename or delete datasets",))},
    "explore": {},
    "leakage": {EDIT: ({"Run leakage checks", "Reopen"}, ("run leakage checks or resolve findings",))},
    "drift": {EDIT: ({"Run drift check"}, ("run drift checks",))},
    "baselines": {EDIT: ({"Run baselines"}, ("run baselines",))},
    "models": {EDIT: ({"upload: Predictions file"}, ("bring candidate models",))},
    "compare": {},
    "review": {REVIEW: ({"Post comment", "Record decision"}, ("comment or record a decision",))},
    "jobs": {EDIT: ({"Cancel job 1 (A job a worker runs)"}, ("cancel jobs or run them again",))},
}
# what every member is offered: creating or importing a project (a new one of their own), a view's thresholds
FOR_EVERYONE = {"projects": {"Create project", "upload: Project file"}, "leakage": {"Apply thresholds"}}


@pytest.fixture(scope="module")
def walk_home(seeded_template, tmp_path_factory):
    """One copy of the seeded sample for the walk: a member per role (local accounts '<role>-acct'), and a job
    a worker has taken (running, so the Jobs page offers Cancel to those who may)."""
    path = tmp_path_factory.mktemp("roles") / "home"
    shutil.copytree(seeded_template, path)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("BLUEPRINT_HOME", str(path))
        db = open_store(path)
        try:
            people = {role: team_member(db, f"{role}-acct", role) for role in ROLES}
            dataset = list_datasets(db, 1)[0]
            submit_job(db, plan_for(db, "profile", dataset, profile_settings(None, random_state=7)), 1, dataset.id,
                       "A job a worker runs", people["editor"])
            assert claim_next_job(db, os.getpid()).label == "A job a worker runs"    # this process is its worker
        finally:
            db.close()
        yield path


def offered(at) -> set[str]:
    """Every control on the page that sends something and is enabled: buttons (form submits included), toggles,
    uploaders."""
    return ({shown(b.label) for b in at.button if not b.disabled}
            | {f"toggle: {t.label}" for t in at.toggle if not t.disabled}
            | {f"upload: {u.proto.label.split(' (up to')[0]}" for u in at.get("file_uploader")})


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", list(WRITES))
def test_each_page_offers_a_role_only_what_it_may_do_and_says_why_otherwise(walk_home, monkeypatch, page, role):
    as_account(monkeypatch, f"{role}-acct")
    at = open_app(f"pages/{page}.py", query={"project": "1"})
    assert not at.exception
    allowed = {c for right, (controls, _) in WRITES[page].items() if right in RIGHTS[role] for c in controls}
    assert offered(at) == allowed | FOR_EVERYONE.get(page, set())
    said = [i for i in texts(at, "info") if i.startswith("You are")]
    expected = [f"You are {A_ROLE[role]} of this project: only {WHO[right]} can {what}. Ask an owner (Projects page) "
                "for another role." for right, (_, whats) in WRITES[page].items() if right not in RIGHTS[role]
                for what in whats]
    assert said == expected


# --- a press from a page drawn before the person's role changed ------------------------------------------------------

def _set_role(db, user_id: int, role: str) -> None:
    with write_txn(db):
        db.execute("UPDATE members SET role = ?, added_at = ? WHERE project_id = 1 AND user_id = ?",
                   [role, now(), user_id])


@pytest.mark.parametrize("page,button", [("drift", "Run drift check"), ("leakage", "Run leakage checks"),
                                         ("baselines", "Run baselines")])
def test_a_run_pressed_after_the_role_changed_shows_the_stores_refusal(app_home, app_db, monkeypatch, page, button):
    eddie = team_member(app_db, "eddie", "editor")
    as_account(monkeypatch, "eddie")
    at = open_app(f"pages/{page}.py", query={"project": "1"})
    jobs = app_db.execute("SELECT COUNT(*) FROM jobs").fetchone()[0]
    _set_role(app_db, eddie.id, "viewer")                  # an owner made Eddie a viewer while his page was open
    next(b for b in at.button if b.label == button).click().run()
    assert not at.exception
    assert "Eddie is a viewer of this project: only editors and owners can" in " ".join(texts(at, "error"))
    assert button not in [b.label for b in at.button]
    assert app_db.execute("SELECT COUNT(*) FROM jobs").fetchone()[0] == jobs       # nothing queued
