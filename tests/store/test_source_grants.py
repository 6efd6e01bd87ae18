"""Who may use which data source, and who may create projects (issue 26): the settings an admin writes (bad values
get messages that say what to write), and the store's refusals where a dataset from a source is stored and where a
project is created. Admins and System (the seed, tests) always may; a source nobody is granted is admins' only."""
from __future__ import annotations

import json

import pytest

from analysis.reading.read import read_csv
from analysis.sources.settings import SourceSettingsError, read_source_settings
from signin.settings import SignInSettingsError, read_settings
from store.access import EDITOR, PermissionDenied, add_member
from store.datasets import add_dataset, data_file, list_datasets, update_source
from store.grants import ADMINS_ONLY, EVERYONE, Grant, may, read_creators
from store.people import System, see_user, sync_admin
from store.projects import create_project, list_projects
from store.transfer import export_project, import_project

CSV = b"id,x,y\n1,2,a\n2,3,b\n3,4,a\n4,5,b\n"


def _sources(tmp_path, blueprint: dict):
    return read_source_settings({"blueprint": blueprint})


# --- the settings ----------------------------------------------------------------------------------------------

def test_folders_and_connections_say_who_may_use_them(tmp_path):
    open_, team, admins = (tmp_path / name for name in ("open", "team", "admins"))
    for folder in (open_, team, admins):
        folder.mkdir()
    sources = _sources(tmp_path, {
        "data_folders": [{"path": str(open_), "people": ["Ana@Example.org", "@partner.org"]},
                         {"path": str(team), "projects": [3, 7]},
                         str(admins)],
        "sql": {"warehouse": {"url": "postgresql://r:s@db/a", "people": ["everyone"]},
                "finance": {"url": "postgresql://r:s@db/f"}}})
    assert sources.data_folders == (open_, team, admins)
    assert sources.folder_grants[str(open_)] == Grant(frozenset({"ana@example.org", "@partner.org"}))
    assert sources.folder_grants[str(team)] == Grant(projects=frozenset({3, 7}))
    assert sources.folder_grants[str(admins)] == ADMINS_ONLY
    assert sources.connections["warehouse"].grant == EVERYONE
    assert sources.connections["finance"].grant == ADMINS_ONLY
    assert sources.grant({"kind": "folder", "folder": str(team), "path": "a.csv"}) == Grant(projects=frozenset({3, 7}))
    assert sources.grant({"kind": "sql", "connection": "warehouse"}) == EVERYONE
    assert sources.grant({"kind": "sql", "connection": "gone"}) == ADMINS_ONLY          # not listed: admins only
    assert sources.grant({"kind": "folder", "folder": "/elsewhere"}) == ADMINS_ONLY


def test_a_plain_folder_list_still_reads_as_before_and_is_for_admins_only(tmp_path):
    sources = _sources(tmp_path, {"data_folders": [str(tmp_path)]})
    assert sources.data_folders == (tmp_path,) and sources.folder_grants[str(tmp_path)] == ADMINS_ONLY


@pytest.mark.parametrize("blueprint, says", [
    ({"data_folders": [{"path": "{tmp}", "people": "ana"}]},
     ['people: "ana" is neither an email nor an email domain', 'people = ["ana@example.org", "@example.org"]']),
    ({"data_folders": [{"path": "{tmp}", "people": [3]}]}, ["3 is neither an email nor an email domain"]),
    ({"data_folders": [{"path": "{tmp}", "people": {"a": 1}}]}, ["people must be a list", '["everyone"]']),
    ({"data_folders": [{"path": "{tmp}", "projects": ["alpha"]}]},
     ["projects must be a list of project ids", "projects = [3, 7]"]),
    ({"data_folders": [{"path": "{tmp}", "projects": [0, True]}]}, ["projects must be a list of project ids"]),
    ({"data_folders": [{"people": ["ana@example.org"]}]}, ['needs path = "/srv/data"', "data_folders = [{ path ="]),
    ({"data_folders": [{"path": "{tmp}", "poeple": ["a@b.org"]}]},
     ["unknown settings poeple", "path, people, projects"]),
    ({"data_folders": [3]}, ["must be a list of folder paths or folders with who may use them"]),
    ({"sql": {"w": {"url": "postgresql://r:s@db/a", "people": ["ana @example.org"]}}},
     ['[blueprint.sql.w] people: "ana @example.org" is neither an email']),
    ({"sql": {"w": {"url": "postgresql://r:s@db/a", "projects": "3"}}}, ["[blueprint.sql.w] projects must be a list"]),
])
def test_wrong_grants_say_what_to_write(tmp_path, blueprint, says):
    blueprint = json.loads(json.dumps(blueprint).replace("{tmp}", str(tmp_path)))
    with pytest.raises(SourceSettingsError) as raised:
        read_source_settings({"blueprint": blueprint})
    for part in says:
        assert part in str(raised.value), str(raised.value)


def test_project_creators_default_to_everyone_signed_in_and_take_emails_and_domains():
    assert read_settings({}).project_creators == EVERYONE
    creators = read_settings({"blueprint": {"project_creators": ["Lead@Example.org", "@research.example.org"]}})
    assert creators.project_creators == Grant(frozenset({"lead@example.org", "@research.example.org"}))
    assert read_settings({"blueprint": {"project_creators": []}}).project_creators == ADMINS_ONLY
    assert read_settings({"blueprint": {"project_creators": "everyone"}}).project_creators == EVERYONE


@pytest.mark.parametrize("value, says", [
    (["leads"], '"leads" is neither an email nor an email domain'),
    (7, "[blueprint] project_creators must be a list"),
])
def test_wrong_project_creators_stop_the_server_saying_what_to_write(value, says):
    with pytest.raises(SignInSettingsError) as raised:
        read_settings({"blueprint": {"project_creators": value}})
    assert says in str(raised.value) and 'project_creators = ["ana@example.org", "@example.org"]' in str(raised.value)


def test_a_grant_says_who_may_in_words():
    assert ADMINS_ONLY.who() == "only admins"
    assert EVERYONE.who() == "everyone signed in"
    assert Grant(frozenset({"ana@example.org", "@partner.org"}), frozenset({7, 3})).who() == (
        "admins, ana@example.org, anyone at partner.org and the editors of projects 3 and 7")


def test_a_domain_is_the_whole_domain_not_a_suffix():
    grant = Grant(frozenset({"@example.org"}))
    assert grant.allows("Ben@Example.org") and not grant.allows("ben@sub.example.org")
    assert not grant.allows("ben@notexample.org") and not grant.allows("local:ben")
    assert read_creators(None, []) == EVERYONE


# --- the store -------------------------------------------------------------------------------------------------

@pytest.fixture
def team(db, tmp_path):
    """A project with an admin, two editors (one at example.org, one at partner.org), a folder source dict."""
    admin = sync_admin(db, see_user(db, "admin@example.org", "Ada"), True)
    project = create_project(db, "Fraud alerts", created_by=admin)
    ana, ben = see_user(db, "ana@example.org", "Ana"), see_user(db, "ben@partner.org", "Ben")
    for person in (ana, ben):
        add_member(db, admin, project.id, person.email, EDITOR)
    folder = {"kind": "folder", "folder": str(tmp_path), "path": "alerts.csv", "sheet": None}
    return {"db": db, "project": project, "admin": admin, "ana": ana, "ben": ben, "folder": folder}


def _store(t, who, grant, source=None):
    n = len(list_datasets(t["db"], t["project"].id))             # new bytes each time: a new dataset
    name = f"alerts-{n}.csv"
    table = read_csv(CSV + f"9,{n},c\n".encode(), name)
    return add_dataset(t["db"], t["project"].id, name, table, who, source=source or t["folder"], grant=grant)


def test_a_source_granted_to_nobody_is_refused_to_an_editor_saying_who_may_and_what_to_ask(team):
    table = read_csv(CSV, "alerts.csv")
    with pytest.raises(PermissionDenied) as refused:
        add_dataset(team["db"], team["project"].id, "alerts.csv", table, team["ana"], source=team["folder"])
    message = str(refused.value)
    assert f"Ana may not use the data folder {team['folder']['folder']} in this project: only admins may." in message
    assert ("Ask an admin to add you (your email or its domain) to its people, or this project to its projects"
            in message)
    assert list_datasets(team["db"], team["project"].id) == []
    assert not data_file(team["db"], table.content_hash).exists()


def test_people_projects_admins_and_system_may_use_a_source(team):
    by_email, by_domain = Grant(frozenset({"ana@example.org"})), Grant(frozenset({"@partner.org"}))
    assert _store(team, team["ana"], by_email)[1]
    with pytest.raises(PermissionDenied, match="Ben may not use .* admins and ana@example.org may"):
        _store(team, team["ben"], by_email)
    assert _store(team, team["ben"], by_domain)[1]
    assert _store(team, team["ana"], Grant(projects=frozenset({team["project"].id})),
                  {"kind": "sql", "connection": "w"})[1]
    with pytest.raises(PermissionDenied, match="may not use the SQL connection 'w' in this project"):
        _store(team, team["ana"], Grant(projects=frozenset({team["project"].id + 1})),
               {"kind": "sql", "connection": "w"})
    assert _store(team, team["admin"], ADMINS_ONLY)[1]
    assert _store(team, System("test", "Seed"), ADMINS_ONLY)[1]
    assert len(list_datasets(team["db"], team["project"].id)) == 5


def test_an_upload_needs_no_grant(team):
    dataset, created = add_dataset(team["db"], team["project"].id, "up.csv", read_csv(CSV, "up.csv"), team["ana"])
    assert created and dataset.source is None


def test_reading_a_sql_source_again_is_refused_without_the_grant(team):
    sql = {"kind": "sql", "connection": "warehouse", "query": "SELECT 1", "rows": 4}
    dataset, _ = _store(team, team["admin"], ADMINS_ONLY, sql)
    with pytest.raises(PermissionDenied, match="Ana may not use the SQL connection 'warehouse'"):
        update_source(team["db"], dataset.id, read_csv(CSV + b"5,5,b\n", "x.csv"), sql, 5, by=team["ana"])
    changed = update_source(team["db"], dataset.id, read_csv(CSV + b"5,5,b\n", "x.csv"), sql, 5, by=team["ana"],
                            grant=Grant(frozenset({"@example.org"})))
    assert changed.rows == 5


def test_project_creators_limit_who_creates_and_imports_projects(team):
    db, ana, ben = team["db"], team["ana"], team["ben"]
    leads = Grant(frozenset({"@example.org"}))
    assert create_project(db, "Ana's", created_by=ana, creators=leads).created_by == "Ana"
    with pytest.raises(PermissionDenied) as refused:
        create_project(db, "Ben's", created_by=ben, creators=leads)
    assert str(refused.value) == (
        "Ben may not create projects on this server: admins and anyone at example.org may. Ask an admin to create "
        'it for you and add you as its owner, or to add you to project_creators in the server\'s settings (README, '
        '"Ways to run").')
    file = json.dumps(export_project(db, team["project"].id)).encode()
    with pytest.raises(PermissionDenied, match="Ben may not create projects"):
        import_project(db, file, ben, creators=leads)
    with pytest.raises(PermissionDenied, match="Ben may not create projects on this server: only admins may"):
        create_project(db, "Ben's", created_by=ben)                  # a caller that forgets the setting: admins only
    assert create_project(db, "Everyone's", created_by=ben, creators=EVERYONE).created_by == "Ben"
    assert create_project(db, "Admin's", created_by=team["admin"], creators=ADMINS_ONLY)
    assert {p.name for p in list_projects(db)} == {"Fraud alerts", "Ana's", "Everyone's", "Admin's"}
    assert may(db, team["admin"], ADMINS_ONLY) and not may(db, ben, ADMINS_ONLY)
