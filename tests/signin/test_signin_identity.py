"""Who is at the page (signin.identify, components.identity): a proxy's header is read in header mode only, OIDC
claims without a usable email are refused, and a misconfigured or header-less server shows a message, never a
traceback (AppTest with the app's secrets; sign-in itself is tested in tests/e2e/test_sign_in.py)."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from signin.identify import NotSignedIn, from_claims, from_headers, local
from signin.settings import read_settings
from store.people import MAX_NAME_CHARS
from tests.apptest import APP, texts

HEADER = read_settings({"blueprint": {"sign_in": "header", "user_header": "X-Forwarded-Email",
                                      "name_header": "X-Forwarded-User", "admins": ["admin@example.org"]}})
LOCAL = read_settings({})
OIDC = read_settings({"blueprint": {"sign_in": "oidc", "admins": ["admin@example.org"]}, "auth": {
    "redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "c" * 32, "client_id": "bp",
    "client_secret": "s", "server_metadata_url": "http://localhost:1/.well-known/openid-configuration"}})


def test_header_mode_reads_the_configured_header_whatever_its_case():
    me = from_headers(HEADER, {"x-forwarded-email": [" Ana@Example.ORG "], "X-Forwarded-User": ["Ana  Lima"]})
    assert (me.email, me.name) == ("ana@example.org", "Ana Lima")
    assert from_headers(HEADER, {"X-Forwarded-Email": "ben@example.org"}).name == "ben"    # no name header


@pytest.mark.parametrize("settings", [LOCAL, OIDC], ids=["local", "oidc"])
def test_the_header_names_nobody_in_the_other_modes(settings):
    with pytest.raises(NotSignedIn):
        from_headers(settings, {"X-Forwarded-Email": ["mallory@example.org"]})


@pytest.mark.parametrize("headers, said", [
    ({}, "The sign-in proxy did not pass the X-Forwarded-Email header"),
    ({"X-Other": ["a@b.c"]}, "did not pass the X-Forwarded-Email header"),
    ({"X-Forwarded-Email": ["a@b.org", "mallory@x.org"]}, "2 times"),
    ({"X-Forwarded-Email": ["ana"]}, "is not an email address"),
    ({"X-Forwarded-Email": ["ana lima@x.org"]}, "is not an email address"),
    ({"X-Forwarded-Email": ["a@" + "b" * 300]}, "is not an email address"),
])
def test_header_mode_refuses_a_request_the_proxy_did_not_name(headers, said):
    with pytest.raises(NotSignedIn, match=said):
        from_headers(HEADER, headers)


def test_oidc_claims_give_the_email_and_a_name():
    assert from_claims({"email": "Ana@Example.org", "name": "Ana Lima", "email_verified": True}).email == \
        "ana@example.org"
    assert from_claims({"email": "ben@x.org", "given_name": "Ben", "family_name": "Ode"}).name == "Ben Ode"
    assert from_claims({"email": "cy@x.org"}).name == "cy"                    # no verified flag: accepted
    assert len(from_claims({"email": "d@x.org", "name": "D" * 500}).name) == MAX_NAME_CHARS


@pytest.mark.parametrize("claims, said", [
    ({"name": "Ana", "sub": "123"}, "did not send an email address"),
    ({"email": ""}, "did not send an email address"),
    ({"email": "ana@x.org", "email_verified": False}, "is not verified"),
    ({"email": "ana@x.org", "email_verified": "false"}, "is not verified"),
])
def test_oidc_without_a_usable_email_is_refused(claims, said):
    with pytest.raises(NotSignedIn, match=said):
        from_claims(claims)


def test_local_mode_is_the_os_account():
    assert local("ana") == local("ana") and local("ana").email == "local:ana"


def _run(secrets: dict) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets.update(secrets)
    return at.run()


def test_a_misconfigured_server_shows_what_to_set_and_nothing_of_the_app(app_home):
    at = _run({"blueprint": {"sign_in": "oidc"}, "auth": {"redirect_uri": "http://localhost:8501/oauth2callback"}})
    assert not at.exception
    said = " ".join(texts(at, "error"))
    assert "sign-in settings in .streamlit/secrets.toml need fixing" in said
    assert "[auth] cookie_secret is missing" in said and "[auth] client_id is missing" in said
    assert 'sign_in = "oidc"' in at.code[0].value                 # a complete example to copy
    assert not at.sidebar.selectbox and not at.sidebar.text_input   # no project picker, no name box


def test_header_mode_without_the_header_says_the_proxy_did_not_pass_it(app_home):
    at = _run({"blueprint": {"sign_in": "header", "user_header": "X-Forwarded-Email", "admins": ["a@example.org"]}})
    assert not at.exception
    assert any("The sign-in proxy did not pass the X-Forwarded-Email header" in e for e in texts(at, "error"))
    assert not at.sidebar.selectbox


def test_oidc_mode_without_a_signed_in_person_shows_only_the_sign_in_page(app_home):
    at = _run({"blueprint": {"sign_in": "oidc", "admins": ["a@example.org"]}, "auth": {
        "redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "c" * 32, "client_id": "bp",
        "client_secret": "s", "server_metadata_url": "http://localhost:1/.well-known/openid-configuration"}})
    assert not at.exception
    assert [b.label for b in at.button] == ["Sign in"]
    assert not at.sidebar.selectbox and not at.sidebar.text_input
