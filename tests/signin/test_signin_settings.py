"""The sign-in settings (signin.settings): each way to run, and each misconfiguration with the message that says
what to set."""
from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from signin.settings import SignInSettingsError, read_settings

ROOT = Path(__file__).resolve().parents[2]
AUTH = {"redirect_uri": "https://bp.example.org/oauth2callback", "cookie_secret": "s" * 32,
        "client_id": "blueprint", "client_secret": "shh",
        "server_metadata_url": "https://id.example.org/.well-known/openid-configuration"}


def problems(secrets) -> str:
    with pytest.raises(SignInSettingsError) as caught:
        read_settings(secrets)
    assert str(caught.value).startswith("Blueprint cannot start: the sign-in settings")
    return "\n".join(caught.value.problems)


@pytest.mark.parametrize("secrets", [None, {}, {"blueprint": {}}, {"blueprint": {"sign_in": " Local "}},
                                     {"other_app": {"token": "x"}}])
def test_local_is_the_default(secrets):
    settings = read_settings(secrets)
    assert settings.mode == "local" and settings.providers == () and settings.user_header is None


def test_oidc_with_the_provider_in_auth_itself():
    settings = read_settings({"blueprint": {"sign_in": "oidc", "admins": ["Ana@Example.org"]}, "auth": AUTH})
    assert settings.mode == "oidc" and settings.providers == ("default",)
    assert settings.admins == frozenset({"ana@example.org"})


def test_oidc_with_named_providers():
    auth = {"redirect_uri": AUTH["redirect_uri"], "cookie_secret": AUTH["cookie_secret"],
            "google": {k: AUTH[k] for k in ("client_id", "client_secret", "server_metadata_url")},
            "okta": {k: AUTH[k] for k in ("client_id", "client_secret", "server_metadata_url")},
            "client_kwargs": {"prompt": "login"}}
    settings = read_settings({"blueprint": {"sign_in": "oidc", "admins": ["ana@example.org"]}, "auth": auth})
    assert settings.providers == ("google", "okta")


def test_header_mode():
    settings = read_settings({"blueprint": {"sign_in": "header", "user_header": "X-Forwarded-Email",
                                            "name_header": "X-Forwarded-User", "sign_out_url": "/oauth2/sign_out",
                                            "admins": "ana@example.org"}})
    assert (settings.mode, settings.user_header, settings.name_header, settings.sign_out_url) == (
        "header", "X-Forwarded-Email", "X-Forwarded-User", "/oauth2/sign_out")


@pytest.mark.parametrize("mode", ["oidc", "header"])
def test_sign_in_needs_the_list_of_admins(mode):
    """Issue 26, hole 1: with sign-in, nobody becomes admin by coming first, so the settings must name them."""
    blueprint = {"sign_in": mode, **({"user_header": "X-Forwarded-Email"} if mode == "header" else {})}
    said = problems({"blueprint": blueprint, "auth": AUTH} if mode == "oidc" else {"blueprint": blueprint})
    assert f'sign_in = "{mode}" needs [blueprint] admins' in said and 'admins = ["you@example.org"]' in said
    said = problems({"blueprint": {**blueprint, "admins": []}, **({"auth": AUTH} if mode == "oidc" else {})})
    assert "[blueprint] admins is empty" in said


def test_local_mode_needs_no_admins():
    assert read_settings({"blueprint": {"sign_in": "local"}}).admins == frozenset()


def test_missing_client_id():
    auth = {k: v for k, v in AUTH.items() if k != "client_id"}
    said = problems({"blueprint": {"sign_in": "oidc"}, "auth": auth})
    assert "[auth] client_id is missing: set client_id = " in said
    assert "client_secret" not in said.split("client_id is missing")[0]


def test_no_provider_at_all_names_every_key_and_the_named_form():
    said = problems({"blueprint": {"sign_in": "oidc"},
                     "auth": {"redirect_uri": AUTH["redirect_uri"], "cookie_secret": "x" * 32}})
    for key in ("client_id", "client_secret", "server_metadata_url"):
        assert f"[auth] {key} is missing" in said
    assert "[auth.google]" in said


def test_missing_cookie_secret():
    said = problems({"blueprint": {"sign_in": "oidc"}, "auth": {**AUTH, "cookie_secret": ""}})
    assert "[auth] cookie_secret is missing: set cookie_secret = " in said and "token_hex" in said


def test_redirect_uri_missing_or_not_the_callback():
    assert "[auth] redirect_uri is missing" in problems(
        {"blueprint": {"sign_in": "oidc"}, "auth": {k: v for k, v in AUTH.items() if k != "redirect_uri"}})
    assert "must end in /oauth2callback" in problems(
        {"blueprint": {"sign_in": "oidc"}, "auth": {**AUTH, "redirect_uri": "https://bp.example.org/"}})


def test_a_named_provider_missing_a_key_and_a_name_with_an_underscore():
    auth = {"redirect_uri": AUTH["redirect_uri"], "cookie_secret": AUTH["cookie_secret"],
            "okta": {"client_id": "x", "client_secret": "y"},
            "my_idp": {k: AUTH[k] for k in ("client_id", "client_secret", "server_metadata_url")}}
    said = problems({"blueprint": {"sign_in": "oidc"}, "auth": auth})
    assert "[auth.okta] server_metadata_url is missing" in said
    assert "[auth.my_idp]: a provider name cannot contain '_'" in said and "[auth.my-idp]" in said


def test_oidc_without_an_auth_section_shows_a_complete_example():
    with pytest.raises(SignInSettingsError) as caught:
        read_settings({"blueprint": {"sign_in": "oidc"}})
    assert "needs Streamlit's [auth] section" in caught.value.problems[0]
    example = tomllib.loads(caught.value.example)
    assert example["blueprint"]["sign_in"] == "oidc" and set(AUTH) <= set(example["auth"])


def test_header_mode_without_a_header_name():
    for blueprint in ({"sign_in": "header"}, {"sign_in": "header", "user_header": "  "}):
        said = problems({"blueprint": blueprint})
        assert 'set user_header = "X-Forwarded-Email" under [blueprint]' in said


def test_header_names_must_be_header_names():
    said = problems({"blueprint": {"sign_in": "header", "user_header": "X Forwarded: Email", "name_header": ""}})
    assert 'user_header = "X Forwarded: Email" is not a header name' in said
    assert "name_header is empty" in said


def test_unknown_mode_and_typos():
    assert 'sign_in = "sso" is not a mode: set sign_in = "local"' in problems({"blueprint": {"sign_in": "sso"}})
    assert "sign_in = True is not a mode" in problems({"blueprint": {"sign_in": True}})
    said = problems({"blueprint": {"sign_in": "header", "user_heder": "X-Email"}})
    assert "unknown settings user_heder" in said and "set user_header" in said


def test_header_settings_in_another_mode_are_refused_not_ignored():
    said = problems({"blueprint": {"sign_in": "local", "user_header": "X-Forwarded-Email"}})
    assert 'user_header is used only with sign_in = "header"' in said


def test_an_auth_section_without_a_mode_is_not_silently_local():
    assert 'set sign_in = "oidc"' in problems({"auth": AUTH})
    assert read_settings({"blueprint": {"sign_in": "local"}, "auth": AUTH}).mode == "local"


def test_admins_must_be_emails():
    said = problems({"blueprint": {"admins": ["ana@example.org", "ben", 3]}})
    assert "these are not: \"ben\", 3" in said
    assert "admins must be a list" in problems({"blueprint": {"admins": {"a": 1}}})


def test_blueprint_must_be_a_section():
    assert '"blueprint" must be a section' in problems({"blueprint": "oidc"})


@pytest.mark.parametrize("name", ["secrets.example-oidc.toml", "secrets.example-header.toml"])
def test_the_shipped_examples_are_valid(name):
    read_settings(tomllib.loads((ROOT / "docs" / name).read_text()))
