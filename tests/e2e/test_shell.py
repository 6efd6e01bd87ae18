"""The app in a real browser: deep links on a fresh server, and a design-document edit that survives a reload."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from store.db import open_store
from store.projects import create_project, list_projects
from tests.e2e.conftest import wait_idle


def test_first_visit_deep_link_on_fresh_server_shows_the_full_app(fresh_server, page):
    page.goto(fresh_server.url + "/design?project=1&section=evaluation")
    wait_idle(page)
    expect(page.get_by_role("heading", name=re.compile("Design document · Sample"))).to_be_visible()
    nav = page.get_by_test_id("stSidebar")
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

    page.get_by_test_id("stSidebar").get_by_test_id("stPageLink").get_by_role("link", name="Design document").click()
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


def test_one_history_entry_per_page_visit_and_back_goes_to_the_previous_page(app_server, page):
    db = open_store(app_server.home)
    if not any(p.name == "Second project" for p in list_projects(db)):
        create_project(db, "Second project", "", "test")
    db.close()
    page.goto(app_server.url + "/?project=1")
    wait_idle(page)
    menu = page.get_by_test_id("stSidebar").get_by_test_id("stPageLink")
    visited = []
    length = page.evaluate("history.length")
    for name, path in [("Explore", "/explore"), ("Leakage", "/leakage"), ("Baselines", "/baselines"),
                       ("Design document", "/design")]:
        menu.get_by_role("link", name=name).click()
        expect(page).to_have_url(re.compile(re.escape(path) + r"\?project=1"))
        wait_idle(page)
        length += 1
        assert page.evaluate("history.length") == length, f"the visit to {name} made more than one entry"
        visited.append(page.url)
    # the choices follow the person: the target the document names reached Leakage and Baselines by the links
    assert "dataset=1" in visited[1] and "target=diagnosis" in visited[2]

    for previous in reversed(visited[:-1]):
        page.go_back()
        expect(page).to_have_url(previous)
        wait_idle(page)
    expect(page.get_by_role("heading", name=re.compile("Explore"))).to_be_visible()

    # a project switch is one entry too, and Back returns to the project before it
    page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").filter(has_text="Project").click()
    page.get_by_role("option", name="Second project").click()
    wait_idle(page)
    page.go_back()
    expect(page).to_have_url(visited[0])
