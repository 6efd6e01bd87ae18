"""The app in a real browser: deep links on a fresh server, and a design-document edit that survives a reload."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import wait_idle


def test_first_visit_deep_link_on_fresh_server_shows_the_full_app(fresh_server, page):
    page.goto(fresh_server.url + "/design?project=1&section=evaluation")
    wait_idle(page)
    expect(page.get_by_role("heading", name=re.compile("Design document · Sample"))).to_be_visible()
    nav = page.get_by_test_id("stSidebarNav")
    expect(nav.get_by_role("link", name="Projects")).to_be_visible()
    expect(nav.get_by_role("link", name="Design document")).to_be_visible()
    expect(nav.get_by_role("link", name="app")).to_have_count(0)
    expect(page.get_by_test_id("stSidebar").get_by_text("Your name")).to_be_visible()
    expect(page.get_by_text("Success criteria").first).to_be_visible()
    expect(page).to_have_url(re.compile(r"/design\?.*project=1"))


def test_create_project_fill_section_save_and_reload(app_server, page):
    page.goto(app_server.url + "/")
    wait_idle(page)
    page.get_by_test_id("stSidebar").get_by_label("Your name", exact=True).fill("Dana Reviewer")
    page.get_by_test_id("stSidebar").get_by_label("Your name", exact=True).press("Enter")
    wait_idle(page)
    form = page.get_by_test_id("stForm").filter(has_text="New project")
    form.get_by_label("Name", exact=True).fill("Fraud alerts")
    form.get_by_label("Description", exact=True).fill("Flag risky card payments")
    form.get_by_role("button", name="Create project").click()
    expect(page.get_by_test_id("stAlertContentSuccess")).to_contain_text("Created project 'Fraud alerts'")
    expect(page).to_have_url(re.compile(r"project=\d+"))

    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Design document").click()
    wait_idle(page)
    expect(page.get_by_role("heading", name="Design document · Fraud alerts")).to_be_visible()
    objective = "Cut fraud losses by 20% without blocking more than 1 in 500 honest payments."
    page.get_by_label("Business objective", exact=True).fill(objective)
    page.get_by_role("button", name="Save Requirements").click()
    expect(page.get_by_test_id("stAlertContentSuccess")).to_contain_text("Saved Requirements as revision 1")
    url = page.url

    page.reload()
    wait_idle(page)
    expect(page).to_have_url(url)
    expect(page.get_by_role("heading", name="Design document · Fraud alerts")).to_be_visible()
    expect(page.get_by_label("Business objective", exact=True)).to_have_value(objective)
    expect(page.get_by_test_id("stDataFrame")).to_be_visible()
