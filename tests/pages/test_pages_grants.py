"""AppTest (issue 26): the Datasets page offers only the data folders and SQL connections granted to the person in
this project. An editor granted nothing sees no folder and no connection (and why); an editor granted a folder and a
connection by project sees those, and stores a file; the local admin sees everything. The Projects page offers
"Create project" only to the people project_creators lists, and says who may.
Local mode with several accounts (tests.apptest.as_account, team_member): the machine's own account is the admin."""
from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from components.shell import local_account
from store.datasets import list_datasets
from tests.apptest import APP, as_account, team_member, texts

NONE_OPEN = "is open to you in this project"


@pytest.fixture
def folders(tmp_path):
    """Two data folders, each with a file: "team" and "private"."""
    made = {}
    for name in ("team", "private"):
        folder = tmp_path / name
        folder.mkdir()
        pd.DataFrame({"day": [1, 2, 3], "visits": [3, 5, 8]}).to_csv(folder / f"{name}-visits.csv", index=False)
        made[name] = folder
    return made


def _secrets(folders, team_grant: dict | None = None, sql_grant: dict | None = None) -> dict:
    team = {"path": str(folders["team"]), **(team_grant or {})}
    return {"blueprint": {"data_folders": [team, str(folders["private"])],
                          "sql": {"warehouse": {"url": "postgresql://reader:secret@127.0.0.1:9/analytics",
                                                **(sql_grant or {})}}}}


def _datasets_page(secrets: dict) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in secrets.items():
        at.secrets[key] = value
    at.query_params["project"] = "1"
    at.run()
    at.run()
    return at.switch_page("pages/datasets.py").run()


def _way(at: AppTest, way: str) -> AppTest:
    return at.radio(key="add-way-1").set_value(way).run()


def _selectboxes(at: AppTest) -> set[str]:
    return {s.key for s in at.selectbox if s.key}


def test_an_editor_granted_nothing_sees_no_folder_and_no_connection(app_db, folders, monkeypatch):
    team_member(app_db, "eddie", "editor")
    as_account(monkeypatch, "eddie")
    at = _way(_datasets_page(_secrets(folders)), "From a data folder")
    assert not at.exception
    assert "folder-1" not in _selectboxes(at)
    assert any(f"No data folder {NONE_OPEN}" in i and "ask one to grant you" in i for i in texts(at, "info"))
    assert not any(str(folders["team"]) in t or str(folders["private"]) in t for t in texts(at, "info"))
    at = _way(at, "From a SQL connection")
    assert not at.exception
    assert "sql-connection-1" not in _selectboxes(at)
    assert any(f"No SQL connection {NONE_OPEN}" in i for i in texts(at, "info"))


def test_an_editor_granted_a_folder_and_a_connection_sees_only_those_and_stores_a_file(
        app_home, app_db, folders, monkeypatch):
    team_member(app_db, "eddie", "editor")
    as_account(monkeypatch, "eddie")
    at = _way(_datasets_page(_secrets(folders, {"projects": [1]}, {"projects": [1]})), "From a data folder")
    assert not at.exception
    assert at.selectbox(key="folder-1").options == [str(folders["team"])]          # not the private one
    assert at.selectbox(key="folder-file-1").options == ["team-visits.csv"]
    at.button(key="folder-store-1").click().run()
    assert not at.exception
    assert any("Stored 'team-visits.csv'" in s for s in texts(at, "success"))
    stored = [d for d in list_datasets(app_db, 1) if d.name == "team-visits.csv"]
    assert len(stored) == 1 and stored[0].uploaded_by == "Eddie"
    at = _way(at, "From a SQL connection")
    assert at.selectbox(key="sql-connection-1").options == ["warehouse"]


def test_a_grant_to_another_project_or_other_people_offers_nothing(app_db, folders, monkeypatch):
    team_member(app_db, "eddie", "editor")
    as_account(monkeypatch, "eddie")
    at = _way(_datasets_page(_secrets(folders, {"projects": [2], "people": ["@example.org"]})), "From a data folder")
    assert not at.exception and "folder-1" not in _selectboxes(at)


def test_the_local_admin_sees_every_folder_and_connection(folders):
    at = _way(_datasets_page(_secrets(folders)), "From a data folder")
    assert not at.exception
    assert at.selectbox(key="folder-1").options == [str(folders["team"]), str(folders["private"])]
    at = _way(at, "From a SQL connection")
    assert at.selectbox(key="sql-connection-1").options == ["warehouse"]


def _projects_page(secrets: dict) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in secrets.items():
        at.secrets[key] = value
    at.run()
    return at.run()


def _create(at: AppTest, name: str) -> AppTest:
    at.text_input(key="new-project-name").input(name)
    return next(b for b in at.button if b.label == "Create project").click().run()


def test_only_project_creators_are_offered_create_project(app_db, monkeypatch):
    admin = local_account()                             # the machine's own account: the local admin
    team_member(app_db, "eddie", "editor")
    as_account(monkeypatch, "eddie")
    at = _projects_page({"blueprint": {"project_creators": ["@example.org"]}})
    assert not at.exception
    create = next(b for b in at.button if b.label == "Create project")
    assert create.disabled
    assert any("On this server admins and anyone at example.org may create projects: ask an admin" in c
               for c in texts(at, "caption"))
    as_account(monkeypatch, admin)
    at = _create(_projects_page({"blueprint": {"project_creators": ["@example.org"]}}), "Admin's project")
    assert not at.exception
    assert any("Created project 'Admin's project'" in s for s in texts(at, "success"))


def test_by_default_everyone_may_create_a_project(app_db, monkeypatch):
    team_member(app_db, "eddie", "editor")
    as_account(monkeypatch, "eddie")
    at = _create(_projects_page({}), "Eddie's project")
    assert not at.exception
    assert any("Created project 'Eddie's project'" in s for s in texts(at, "success"))
