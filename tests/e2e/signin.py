"""Sign-in for browser tests: a real OpenID Connect provider on localhost (oidc-provider-mock: Authlib's server side
in a Flask app, offline) and a Blueprint server that signs people in with it. Nothing of st.user is stubbed: the
browser goes through Streamlit's /auth/login, the provider's authorize form, the token exchange and the cookie.

    def test_x(oidc_server, browser):                   # a fresh server in oidc mode on the sample project
        page = browser.new_context().new_page()
        page.goto(oidc_server.url)
        sign_in(page, "ana@example.org", "Ana Lima")    # back on the app, signed in as Ana
        ...
        sign_out(page)                                  # back on the sign-in page

Fixtures (registered in conftest.py): oidc_provider (one per test session), oidc_server (one per test; the
Server gets .provider), secrets_file (write a secrets.toml for any mode). Each browser context is one person:
the sign-in cookie lives in the context.
"""
from __future__ import annotations

import json
import os
import shutil
import threading
import urllib.request
from pathlib import Path
from urllib.parse import quote, urlparse

import oidc_provider_mock
import pytest
import werkzeug.serving
from playwright.sync_api import Page, expect

from bench.common import free_port

COOKIE_SECRET = "blueprint-browser-tests-" + "0" * 32
CLIENT_ID = "blueprint-e2e"


class OidcProvider:
    """oidc-provider-mock served on 127.0.0.1 from a thread of the test process. Any client id and secret are
    accepted; a person is whatever subject (here: their email) is typed into its authorize form, with the claims
    registered for that subject (see sign_in)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.metadata_url = f"{self.url}/.well-known/openid-configuration"
        self._server = werkzeug.serving.make_server("127.0.0.1", self.port, oidc_provider_mock.app(),
                                                    threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1},
                                        daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def register(provider_url: str, email: str, name: str | None, **claims) -> None:
    """Tell the provider the claims of the person with subject ``email`` (name, email, email_verified, ...)."""
    body = {"email": email, "email_verified": True, **({"name": name} if name else {}), **claims}
    request = urllib.request.Request(f"{provider_url}/users/{quote(email, safe='')}", method="PUT",
                                     data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 204, response.read()


def sign_in(page: Page, email: str, name: str | None = None, **claims) -> None:
    """On Blueprint's sign-in page: click Sign in, sign in at the provider as ``email`` (with display ``name``
    and any other ``claims``, e.g. email_verified=False), and come back to the app, waiting until it has run.
    The provider is the one the app redirects to, so this needs no fixture."""
    app = urlparse(page.url)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: urlparse(url).netloc != app.netloc)   # on the provider's authorize form
    provider = urlparse(page.url)
    register(f"{provider.scheme}://{provider.netloc}", email, name, **claims)
    page.locator("input[name=sub]").fill(email)
    page.get_by_role("button", name="Authorize").click()
    # back on the app, past its /oauth2callback, and loaded: a navigation asked for while the callback's redirect is
    # still going is aborted by it (net::ERR_ABORTED)
    page.wait_for_url(lambda url: urlparse(url).netloc == app.netloc and "oauth2callback" not in urlparse(url).path)
    page.wait_for_load_state("load")
    expect(page.get_by_test_id("stApp")).to_be_visible()
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0)


def sign_out(page: Page) -> None:
    """Click Sign out in the sidebar, confirm at the provider's end-session form, and wait for the sign-in page."""
    app = urlparse(page.url)
    page.get_by_test_id("stSidebar").get_by_role("button", name="Sign out").click()
    page.wait_for_url(lambda url: urlparse(url).netloc != app.netloc)
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(lambda url: urlparse(url).netloc == app.netloc)
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()


def write_secrets(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


ADMINS = ("ana@example.org", "olga@example.org")     # the admins the browser tests' servers list


def oidc_secrets(provider: OidcProvider, admins: tuple[str, ...] = ADMINS) -> str:
    """secrets.toml of a server in oidc mode signing in with ``provider`` ({port}: the server's own port), with
    ``admins`` as its admins."""
    listed = ", ".join(f'"{email}"' for email in admins)
    return f"""[blueprint]
sign_in = "oidc"
admins = [{listed}]

[auth]
redirect_uri = "http://127.0.0.1:{{port}}/oauth2callback"
cookie_secret = "{COOKIE_SECRET}"
client_id = "{CLIENT_ID}"
client_secret = "any"
server_metadata_url = "{provider.metadata_url}"
"""


# Authlib refuses plain http for OAuth unless told: the provider and the app talk over http on 127.0.0.1 here.
INSECURE_OK = {"AUTHLIB_INSECURE_TRANSPORT": "1"}


@pytest.fixture(scope="session")
def oidc_provider():
    """A real OpenID Connect provider on 127.0.0.1 for the test session (oidc-provider-mock in a thread)."""
    before = os.environ.get("AUTHLIB_INSECURE_TRANSPORT")
    os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"         # the provider's own check runs in this process
    provider = OidcProvider()
    yield provider
    provider.stop()
    if before is None:
        os.environ.pop("AUTHLIB_INSECURE_TRANSPORT", None)
    else:
        os.environ["AUTHLIB_INSECURE_TRANSPORT"] = before


@pytest.fixture
def secrets_file(tmp_path):
    """write(text) -> the path of a secrets.toml holding ``text`` (for Server(..., secrets=path))."""
    def write(text: str, name: str = "secrets.toml") -> Path:
        return write_secrets(tmp_path / "secrets" / name, text)
    return write


@pytest.fixture
def oidc_server(tmp_path, seeded_template, oidc_provider):
    """A fresh Blueprint server (sample project) in oidc mode, signing in with ``oidc_provider`` (as
    ``.provider``). Open ``.url`` in a browser context, then sign_in(page, email, name)."""
    shutil.copytree(seeded_template, tmp_path / "home")
    secrets = write_secrets(tmp_path / "secrets" / "secrets.toml", oidc_secrets(oidc_provider))
    from tests.e2e.conftest import Server  # noqa: PLC0415 (import cycle: the e2e conftest imports these fixtures)

    server = Server(tmp_path / "home", tmp_path / "streamlit.log", env=INSECURE_OK, secrets=secrets)
    server.provider = oidc_provider
    yield server
    server.stop()
