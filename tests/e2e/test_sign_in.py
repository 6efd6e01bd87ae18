"""The three ways to run, in a real browser against a real server: OpenID Connect sign-in with a real provider
(two people in two browser contexts), header mode behind a "proxy" (Playwright's extra HTTP headers), the same
header ignored in local and OIDC modes, and a misconfigured server showing what to set."""
from __future__ import annotations

import getpass
import shutil

from playwright.sync_api import expect

from store.db import open_store
from store.people import find_user
from tests.e2e.conftest import Server, wait_idle
from tests.e2e.signin import INSECURE_OK, oidc_secrets, sign_in, sign_out

FORGED = {"X-Forwarded-Email": "mallory@example.org", "X-Forwarded-User": "Mallory"}


def _person(page):
    return page.locator(".st-key-signed-in")


def _sign_in_page_only(page) -> None:
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    expect(page.get_by_test_id("stSidebar")).to_have_count(0)        # no projects, no menu, no name
    expect(page.get_by_test_id("stException")).to_have_count(0)


def test_two_people_sign_in_with_a_real_openid_connect_provider(oidc_server, browser):
    ana = browser.new_context().new_page()
    ben = browser.new_context().new_page()
    for page in (ana, ben):
        page.goto(oidc_server.url)
        _sign_in_page_only(page)
    sign_in(ana, "ana@example.org", "Ana Lima")
    sign_in(ben, "Ben@Example.org", "Ben Ode")
    for page, name, email in ((ana, "Ana Lima", "ana@example.org"), (ben, "Ben Ode", "ben@example.org")):
        wait_idle(page)
        expect(_person(page)).to_contain_text(name)
        expect(_person(page)).to_contain_text(email)
        expect(page.get_by_test_id("stSidebar").get_by_test_id("stPageLink").first).to_be_visible()   # the app
        page.reload()                                                   # the sign-in survives a reload
        wait_idle(page)
        expect(_person(page)).to_contain_text(email)
    # Ana is an admin (the settings list her: every project); Ben is a member of none yet
    expect(ana.get_by_test_id("stSidebar").get_by_test_id("stSelectbox")).to_be_visible()
    expect(ben.get_by_test_id("stSidebar")).to_contain_text("No project yet")
    sign_out(ana)
    _sign_in_page_only(ana)
    ana.reload()
    _sign_in_page_only(ana)
    ben.reload()                                                        # Ben is still signed in
    wait_idle(ben)
    expect(_person(ben)).to_contain_text("ben@example.org")
    for page in (ana, ben):
        page.context.close()


def test_a_shared_link_survives_sign_in(oidc_server, browser):
    """Issue 26: a reviewer signed out opens an emailed link; after the provider's sign-in (whose callback returns
    to /), the link's page and query open, not the app's first page. A second tab's first visit to / is not
    sent anywhere."""
    link = "/review?project=1&tab=Decision"
    page = browser.new_context().new_page()
    page.goto(oidc_server.url + link)
    _sign_in_page_only(page)
    sign_in(page, "ana@example.org", "Ana Lima")
    page.wait_for_url(oidc_server.url + link)
    wait_idle(page)
    expect(page.get_by_role("tab", name="Decision")).to_have_attribute("aria-selected", "true")
    page.reload()                                                    # stays, and is not sent anywhere again
    wait_idle(page)
    assert page.url == oidc_server.url + link
    other = page.context.new_page()                                  # same person, a new tab at /
    other.goto(oidc_server.url)
    wait_idle(other)
    assert "/review" not in other.url
    page.context.close()


def test_oidc_refuses_an_unverified_email_and_ignores_a_forged_header(oidc_server, browser):
    page = browser.new_context(extra_http_headers=FORGED).new_page()
    page.goto(oidc_server.url)
    _sign_in_page_only(page)                                 # the header signs nobody in
    sign_in(page, "cy@example.org", "Cy", email_verified=False)
    expect(page.get_by_test_id("stAlertContentError")).to_contain_text("is not verified")
    expect(page.get_by_test_id("stSidebar")).to_have_count(0)
    page.context.close()


def test_header_mode_names_the_person_the_proxy_names(tmp_path, seeded_template, browser, secrets_file):
    shutil.copytree(seeded_template, tmp_path / "home")
    secrets = secrets_file('[blueprint]\nsign_in = "header"\nuser_header = "X-Forwarded-Email"\n'
                           'name_header = "X-Forwarded-User"\nadmins = ["ana@example.org"]\n')
    server = Server(tmp_path / "home", tmp_path / "streamlit.log", secrets=secrets)
    try:
        ana = browser.new_context(extra_http_headers={"X-Forwarded-Email": "ana@example.org",
                                                      "X-Forwarded-User": "Ana Lima"}).new_page()
        ana.goto(server.url)
        wait_idle(ana)
        expect(_person(ana)).to_contain_text("Ana Lima")
        expect(_person(ana)).to_contain_text("ana@example.org")
        nobody = browser.new_context().new_page()          # a request that did not come through the proxy
        nobody.goto(server.url)
        expect(nobody.get_by_test_id("stAlertContentError")).to_contain_text(
            "The sign-in proxy did not pass the X-Forwarded-Email header")
        expect(nobody.get_by_test_id("stSidebar")).to_have_count(0)
        for page in (ana, nobody):
            page.context.close()
    finally:
        server.stop()


def test_local_mode_ignores_the_header(app_server, browser):
    page = browser.new_context(extra_http_headers=FORGED).new_page()
    page.goto(app_server.url)
    wait_idle(page)
    db = open_store(app_server.home)           # local mode: the OS account, with the name remembered for it
    expected = find_user(db, f"local:{getpass.getuser()}")
    db.close()
    expect(page.get_by_test_id("stSidebar").get_by_label("Your name", exact=True)).to_have_value(
        expected.display_name if expected else getpass.getuser())
    expect(page.get_by_test_id("stApp")).not_to_contain_text("mallory")
    page.context.close()


def test_a_misconfigured_server_says_what_to_set(tmp_path, seeded_template, browser, secrets_file, oidc_provider):
    shutil.copytree(seeded_template, tmp_path / "home")
    broken = oidc_secrets(oidc_provider).replace('client_id = "blueprint-e2e"\n', "")
    server = Server(tmp_path / "home", tmp_path / "streamlit.log", env=INSECURE_OK, secrets=secrets_file(broken))
    try:
        page = browser.new_context().new_page()
        page.goto(server.url + "/design")                  # a deep link: the settings are checked first
        expect(page.get_by_test_id("stAlertContentError")).to_contain_text("[auth] client_id is missing")
        expect(page.get_by_test_id("stCode")).to_contain_text('sign_in = "oidc"')
        expect(page.get_by_test_id("stException")).to_have_count(0)
        expect(page.get_by_test_id("stSidebar")).to_have_count(0)
        page.context.close()
    finally:
        server.stop()
