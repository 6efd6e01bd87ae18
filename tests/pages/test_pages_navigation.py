"""AppTest: links that name a project or a choice: unknown and archived projects, choices carried from page
to page and from the design document."""
from __future__ import annotations

from store.db import open_store
from store.people import System
from store.projects import create_project, set_archived
from tests.apptest import open_app, texts


def test_unknown_project_in_a_link_says_so_and_lists_the_projects(app_home):
    at = open_app("pages/design.py", query={"project": "999"})
    assert not at.exception
    assert any("There is no project 999 here" in e for e in texts(at, "error")), texts(at, "error")
    assert not any(t.startswith("Design document ·") for t in texts(at, "title"))


def test_archived_project_in_a_link_says_so(app_home):
    db = open_store(app_home)
    archived = create_project(db, "Old churn model", "", created_by=System("test", "Ana"))
    set_archived(db, archived.id, True, by=System("test"))
    db.close()
    at = open_app("pages/baselines.py", query={"project": str(archived.id)})
    assert any("is archived" in e and "Restore it" in e for e in texts(at, "error")), texts(at, "error")


def test_target_and_dataset_come_from_the_document_and_roles(app_home):
    at = open_app("pages/leakage.py")
    assert at.selectbox(key="dataset").value == 1
    assert at.selectbox(key="target").value == "diagnosis"
    assert any("Target from the design document" in c for c in texts(at, "caption")), texts(at, "caption")


def test_a_choice_made_on_one_page_carries_to_the_next(app_home):
    at = open_app("pages/explore.py")
    at.selectbox(key="target").select("mean_radius").run()
    at.switch_page("pages/design.py").run()
    at.switch_page("pages/leakage.py").run()
    assert at.selectbox(key="target").value == "mean_radius"
