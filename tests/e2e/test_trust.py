"""Trust boundaries in a real browser (issue 26), header mode behind a "proxy" (Playwright's extra HTTP headers),
on a fresh data folder: admins are exactly the settings' list (the first visitor is not one; a name removed from
the list loses admin at the next visit), and a stranger never sees a project's name, neither in the picker nor on
the refusal page of a link to a project they may not open."""
from __future__ import annotations

import shutil

from playwright.sync_api import expect

from store.db import open_store
from store.people import find_user
from tests.e2e.conftest import Server, wait_idle


def _header_secrets(admins: list[str]) -> str:
    listed = ", ".join(f'"{email}"' for email in admins)
    return f'[blueprint]\nsign_in = "header"\nuser_header = "X-Forwarded-Email"\nadmins = [{listed}]\n'


def _visit(browser, server: Server, email: str, path: str = "/"):
    page = browser.new_context(extra_http_headers={"X-Forwarded-Email": email}).new_page()
    page.goto(server.url + path)
    wait_idle(page)
    return page


def _is_admin(home, email: str) -> bool:
    db = open_store(home)
    try:
        return find_user(db, email).is_admin
    finally:
        db.close()


def test_admins_are_the_settings_list_and_a_stranger_sees_no_project_name(tmp_path, seeded_template, browser,
                                                                            secrets_file):
    shutil.copytree(seeded_template, tmp_path / "home")
    db = open_store(tmp_path / "home")
    names = [row[0] for row in db.execute("SELECT name FROM projects")]
    db.close()
    assert names, "the seeded data folder has the sample project"
    server = Server(tmp_path / "home", tmp_path / "streamlit.log", secrets=secrets_file(_header_secrets(
        ["admin@example.org"])))
    try:
        early = _visit(browser, server, "early@example.org")       # the first person through the proxy
        expect(early.get_by_test_id("stSidebar")).to_contain_text("No project yet")
        refused = _visit(browser, server, "early@example.org", "/design?project=1")
        expect(refused.get_by_test_id("stAlertContentError")).to_contain_text("There is no project 1 here")
        for page in (early, refused):
            for name in names:
                expect(page.get_by_test_id("stApp")).not_to_contain_text(name)
        refused.reload()
        wait_idle(refused)
        expect(refused.get_by_test_id("stAlertContentError")).to_contain_text("There is no project 1 here")
        for name in names:
            expect(refused.get_by_test_id("stApp")).not_to_contain_text(name)
        admin = _visit(browser, server, "admin@example.org", "/design?project=1")
        expect(admin.get_by_test_id("stSidebar").get_by_test_id("stSelectbox")).to_be_visible()   # the picker
        expect(admin.get_by_test_id("stAlertContentError")).to_have_count(0)                  # project 1 opens
        assert not _is_admin(tmp_path / "home", "early@example.org")
        assert _is_admin(tmp_path / "home", "admin@example.org")
        for page in (early, refused, admin):
            page.context.close()
    finally:
        server.stop()
    # the admin's name is taken off the list: at their next visit they are an admin no more
    server = Server(tmp_path / "home", tmp_path / "streamlit2.log", secrets=secrets_file(_header_secrets(
        ["someone.else@example.org"]), name="secrets2.toml"))
    try:
        former = _visit(browser, server, "admin@example.org")
        expect(former.get_by_test_id("stSidebar")).to_contain_text("No project yet")
        assert not _is_admin(tmp_path / "home", "admin@example.org")
        former.context.close()
    finally:
        server.stop()


def test_sign_in_without_admins_does_not_start(tmp_path, seeded_template, browser, secrets_file):
    shutil.copytree(seeded_template, tmp_path / "home")
    secrets = secrets_file('[blueprint]\nsign_in = "header"\nuser_header = "X-Forwarded-Email"\n')
    server = Server(tmp_path / "home", tmp_path / "streamlit.log", secrets=secrets)
    try:
        page = _visit(browser, server, "early@example.org")
        expect(page.get_by_test_id("stAlertContentError")).to_contain_text('needs [blueprint] admins')
        expect(page.get_by_test_id("stSidebar")).to_have_count(0)
        assert find_user(open_store(tmp_path / "home"), "early@example.org") is None     # nobody was created
        page.context.close()
    finally:
        server.stop()
