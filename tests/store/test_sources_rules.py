"""Data sources without a database or a browser: the data-folder path rules, the read-only query check, and the
settings an admin writes."""
from __future__ import annotations

import os

import pytest

from analysis.sources.folders import PathRefused, list_files, resolve_file
from analysis.sources.query import QueryRefused, check_query, table_query
from analysis.sources.settings import (
    SourceSettingsError,
    UnknownConnection,
    read_source_settings,
    secrets_from_files,
)
from signin.settings import read_settings


@pytest.fixture
def folders(tmp_path):
    """A data folder with files, a sub-folder, a link inside, links leading outside, and a secret outside it."""
    data, outside = tmp_path / "data", tmp_path / "outside"
    (data / "2024").mkdir(parents=True)
    outside.mkdir()
    (data / "train.csv").write_text("a,b\n1,2\n")
    (data / "2024" / "test.parquet").write_bytes(b"PAR1")
    (data / "notes.md").write_text("not data")
    (data / ".hidden.csv").write_text("a\n1\n")
    (outside / "secret.csv").write_text("password\nhunter2\n")
    os.symlink(outside / "secret.csv", data / "looks-inside.csv")       # a file link leading out
    os.symlink(outside, data / "elsewhere")                             # a folder link leading out
    os.symlink(data / "train.csv", data / "alias.csv")                  # a link that stays inside
    return data, outside


def test_a_file_under_the_folder_resolves(folders):
    data, _ = folders
    assert resolve_file([data], str(data), "train.csv") == (data / "train.csv").resolve()
    assert resolve_file([data], str(data), "2024/test.parquet") == (data / "2024" / "test.parquet").resolve()
    assert resolve_file([data], str(data), "alias.csv") == (data / "train.csv").resolve()


@pytest.mark.parametrize("relative, reason", [
    ("../outside/secret.csv", "climbs out"),
    ("2024/../../outside/secret.csv", "climbs out"),
    ("..\\outside\\secret.csv", "climbs out"),
    ("/etc/passwd", "absolute path"),
    ("~/secret.csv", "absolute path"),
    ("C:/Windows/win.ini", "absolute path"),
    ("looks-inside.csv", "leads outside"),
    ("elsewhere/secret.csv", "leads outside"),
    ("missing.csv", "no file"),
    ("2024", "is a folder"),
    ("notes.md", "not a data file"),
    ("", "Pick a file"),
    ("train.csv\x00.parquet", "NUL"),
])
def test_paths_outside_the_folder_or_not_data_files_are_refused(folders, relative, reason):
    data, _ = folders
    with pytest.raises(PathRefused, match=reason):
        resolve_file([data], str(data), relative)


def test_only_listed_folders_are_read(folders):
    data, outside = folders
    with pytest.raises(PathRefused, match="not one of the data folders"):
        resolve_file([data], str(outside), "secret.csv")


def test_a_folder_lists_its_data_files_and_no_link_leading_out(folders):
    data, _ = folders
    assert list_files(data) == ["2024/test.parquet", "alias.csv", "train.csv"]


@pytest.mark.parametrize("sql, kept", [
    ("SELECT * FROM orders", "SELECT * FROM orders"),
    ("select 1;", "select 1"),
    ("  WITH recent AS (SELECT * FROM orders) SELECT * FROM recent ;  -- done",
     "WITH recent AS (SELECT * FROM orders) SELECT * FROM recent"),
    ("(SELECT 1) UNION (SELECT 2)", "(SELECT 1) UNION (SELECT 2)"),
    ("SELECT ';' AS semicolon", "SELECT ';' AS semicolon"),
    ("SELECT $$; DROP TABLE x$$", "SELECT $$; DROP TABLE x$$"),
    ("SELECT 1 -- trailing comment", "SELECT 1 -- trailing comment"),
    ("/* note; */ SELECT 1", "/* note; */ SELECT 1"),
    ("TABLE orders", "TABLE orders"),
])
def test_read_only_queries_pass(sql, kept):
    assert check_query(sql) == kept


@pytest.mark.parametrize("sql, reason", [
    ("", "empty"),
    ("DELETE FROM orders", "starts with DELETE"),
    ("drop table orders", "starts with DROP"),
    ("INSERT INTO t VALUES (1)", "starts with INSERT"),
    ("COPY orders TO '/tmp/x'", "starts with COPY"),
    ("SET ROLE admin", "starts with SET"),
    ("BEGIN; UPDATE t SET a = 1", "more than one statement"),
    ("SELECT 1; DROP TABLE orders", "more than one statement"),
    ("SELECT 1; -- c\nDELETE FROM t", "more than one statement"),
    ("SELECT 'open", "not closed"),
    ("SELECT 1 /* open", "not closed"),
    ("-- only a comment", "starts with"),
])
def test_other_statements_are_refused_with_a_reason(sql, reason):
    with pytest.raises(QueryRefused, match=reason):
        check_query(sql)


def test_a_table_is_quoted():
    assert table_query("public", 'we"ird') == 'SELECT * FROM "public"."we""ird"'


def test_settings_list_folders_and_connections(tmp_path):
    settings = read_source_settings({"blueprint": {
        "data_folders": [str(tmp_path)],
        "sql": {"warehouse": {"url": "postgresql://reader:pw@db.example.org:5432/analytics", "timeout_s": 5}}}})
    assert settings.data_folders == (tmp_path,)
    warehouse = settings.connection("warehouse")
    assert (warehouse.timeout_s, warehouse.where) == (5.0, "db.example.org:5432/analytics")
    assert "pw" not in repr(warehouse)
    with pytest.raises(UnknownConnection, match="no SQL connection named 'crm'.*configured: warehouse"):
        settings.connection("crm")
    assert read_source_settings({}).connections == {}


def test_wrong_settings_say_what_to_set(tmp_path):
    with pytest.raises(SourceSettingsError) as wrong:
        read_source_settings({"blueprint": {
            "data_folders": ["relative/path", str(tmp_path / "missing")],
            "sql": {"a": {"url": "mysql://x@y/z"}, "b": {},
                    "c": {"url": "postgresql://h/d", "timeout_s": 0, "pasword": 1}}}})
    text = str(wrong.value)
    for expected in ("not an absolute path", "is not a folder", "must start with postgresql://", "needs url",
                     "unknown settings pasword", "timeout_s must be"):
        assert expected in text
    assert "mysql://x@y/z" not in text


def test_sign_in_settings_accept_the_data_source_keys(tmp_path):
    assert read_settings({"blueprint": {"data_folders": [str(tmp_path)], "sql": {}}}).mode == "local"


def test_workers_read_the_secrets_files(tmp_path, monkeypatch):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[blueprint.sql.warehouse]\nurl = "postgresql://h/d"\n')
    monkeypatch.setenv("BLUEPRINT_SECRETS_FILES", str(secrets))
    assert read_source_settings(secrets_from_files()).connection("warehouse").url == "postgresql://h/d"
