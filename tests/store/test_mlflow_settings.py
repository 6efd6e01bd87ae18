"""MLflow tracking servers in the settings (issue 22, item 2): `[blueprint.mlflow.NAME]` with uri, a token or a
username and password (never shown), timeout_s, max_artifact_mb, and who may use it (people, projects, as for a SQL
connection); every mistake named with what to write; sign-in settings accept the section; workers read it too."""
from __future__ import annotations

import pytest

from analysis.sources.settings import SourceSettingsError, UnknownConnection, read_source_settings, secrets_from_files
from signin.settings import read_settings
from store.grants import ADMINS_ONLY


def _settings(**servers):
    return read_source_settings({"blueprint": {"mlflow": servers}})


def test_a_server_with_a_token_its_limits_and_who_may_use_it():
    settings = _settings(tracking={"uri": "https://mlflow.example.org/", "token": "s3cr3t", "timeout_s": 5,
                                   "max_artifact_mb": 50, "people": ["@example.org"], "projects": [3]})
    server = settings.mlflow_server("tracking")
    assert (server.uri, server.token, server.timeout_s, server.max_artifact_bytes) == (
        "https://mlflow.example.org", "s3cr3t", 5.0, 50 * 2**20)
    assert server.grant.allows("ana@example.org") and server.grant.allows("bob@other.org", 3)
    assert "s3cr3t" not in repr(server) and "s3cr3t" not in repr(settings)
    assert settings.grant({"kind": "mlflow", "server": "tracking"}) == server.grant
    assert settings.grant({"kind": "mlflow", "server": "gone"}) == ADMINS_ONLY
    with pytest.raises(UnknownConnection, match="no MLflow server named 'other'.*configured: tracking"):
        settings.mlflow_server("other")


def test_defaults_basic_sign_in_and_admins_only():
    server = _settings(local={"uri": "http://127.0.0.1:5000", "username": "ana",
                              "password": "pa55"}).mlflow_server("local")
    assert (server.timeout_s, server.max_artifact_mb, server.username, server.password) == (30.0, 200, "ana", "pa55")
    assert server.grant == ADMINS_ONLY and "pa55" not in repr(server)
    assert read_source_settings({}).mlflow_servers == {}


def test_usable_keeps_the_servers_a_person_may_use():
    settings = _settings(open={"uri": "http://a", "people": ["everyone"]}, admins={"uri": "http://b"})
    usable = settings.usable(lambda grant: grant.everyone)
    assert list(usable.mlflow_servers) == ["open"] and usable.withheld_mlflow_servers == 1


@pytest.mark.parametrize("section,expected", [
    ({}, 'needs uri = "https://mlflow.example.org"'),
    ({"uri": "ftp://files.example.org"}, "must be an http:// or https:// address with a host"),
    ({"uri": "https://ana:pa55@mlflow.example.org"}, 'holds a user name or password: write them as username = "..."'),
    ({"uri": "https://mlflow.example.org?x=1"}, "without ?query or #fragment"),
    ({"uri": "http://h", "token": "t", "username": "u", "password": "p"}, "has a token and a username or password"),
    ({"uri": "http://h", "username": "u"}, "needs both username and password"),
    ({"uri": "http://h", "token": 12}, 'token must be text in quotes'),
    ({"uri": "http://h", "timeout_s": 0}, "timeout_s must be a number of seconds between 1 and 3600"),
    ({"uri": "http://h", "max_artifact_mb": True}, "max_artifact_mb must be a number of megabytes between 1 and 4096"),
    ({"uri": "http://h", "people": ["nobody"]}, '"nobody" is neither an email nor an email domain'),
    ({"uri": "http://h", "tokn": "t"}, "unknown settings tokn; the known ones are uri, token, username, password"),
])
def test_each_mistake_says_what_to_write_and_shows_no_secret(section, expected):
    with pytest.raises(SourceSettingsError) as wrong:
        _settings(tracking=section)
    text = str(wrong.value)
    assert "[blueprint.mlflow.tracking]" in text and expected in text, text
    assert "pa55" not in text and "[blueprint.mlflow.tracking]\nuri" in text      # the complete example is shown


def test_sign_in_settings_accept_the_mlflow_section_and_workers_read_it(tmp_path, monkeypatch):
    secrets = {"blueprint": {"mlflow": {"tracking": {"uri": "http://h"}}}}
    assert read_settings(secrets).mode == "local"
    path = tmp_path / "secrets.toml"
    path.write_text('[blueprint.mlflow.tracking]\nuri = "http://127.0.0.1:5000"\ntoken = "t"\n')
    monkeypatch.setenv("BLUEPRINT_SECRETS_FILES", str(path))
    assert read_source_settings(secrets_from_files()).mlflow_server("tracking").token == "t"
