"""The app in a real browser: deep links on a fresh server, and a design-document edit that survives a reload."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from store.db import open_store
from store.people import System
from store.projects import create_project, list_projects
from tests.e2e.conftest import settle, wait_idle


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


RAW_NAMES = ["app", "baselines", "compare", "datasets", "design", "drift", "explore", "jobs", "leakage",
             "models", "projects", "review"]      # the file names Streamlit's automatic page list would show
WATCH_RAW_NAMES = """names => {
  window.__raw = [];
  const look = () => {
    if (document.querySelector('[data-testid="stSidebarNav"]')) window.__raw.push("stSidebarNav");
    for (const a of document.querySelectorAll("a")) {
      if (names.includes(a.textContent.trim())) window.__raw.push(a.textContent.trim());
    }
  };
  new MutationObserver(look).observe(document, {childList: true, subtree: true, characterData: true});
}"""


def test_first_paint_on_a_fresh_server_never_shows_raw_file_names(fresh_server, page):
    """Issue 21, item 4: from the first paint, Blueprint's own menu (or the line saying it is starting), never
    Streamlit's automatic page list of file names; watched on every change of the page, until the app has run."""
    page.add_init_script(f"({WATCH_RAW_NAMES})({RAW_NAMES!r})")
    page.goto(fresh_server.url + "/")
    wait_idle(page)
    expect(page.get_by_test_id("stSidebar").get_by_role("link", name="Design document")).to_be_visible()
    assert page.evaluate("window.__raw") == []
    page.reload()
    wait_idle(page)
    assert page.evaluate("window.__raw") == []


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


def test_one_history_entry_per_page_visit_and_back_goes_to_the_previous_page(fresh_server, page):
    # its own server: the sample project as seeded (on the shared one, other tests' uploads change Explore's default)
    db = open_store(fresh_server.home)
    if not any(p.name == "Second project" for p in list_projects(db)):
        create_project(db, "Second project", "", created_by=System("test"))
    db.close()
    page.goto(fresh_server.url + "/?project=1")
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
        settle(page)
    expect(page.get_by_role("heading", name=re.compile("Explore"))).to_be_visible()

    # a project switch is one entry too, and Back returns to the project before it
    page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").filter(has_text="Project").click()
    page.get_by_role("option", name="Second project").click()
    # the switch keeps the page: wait for its own history entry (wait_idle alone can pass before the rerun begins)
    expect(page).to_have_url(re.compile(r"/explore\?project=(?!1\b)\d+"))
    settle(page)
    page.go_back()
    expect(page).to_have_url(visited[0])
