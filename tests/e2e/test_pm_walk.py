"""The product manager's walk in a real browser: a project from a template, text typed into a section kept as an
unsaved draft across a reload and a section switch, saved as a revision, and a misspelled criterion caught."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from design.sections import section
from store.db import open_store
from store.documents import latest_revision
from store.drafts import get_draft
from store.people import System
from store.projects import list_projects
from tests.e2e.conftest import settle, wait_idle

OBJECTIVE = "Cut card fraud losses by 20 % without declining more than 1 in 500 honest payments."


def _choose_section(page, title: str) -> None:
    page.get_by_test_id("stRadio").get_by_text(re.compile(rf"^{re.escape(title)} \d+/\d+")).click()
    wait_idle(page)
    expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible()


def test_product_manager_template_draft_kept_across_reload_and_switch_then_saved(app_server, page):
    page.goto(app_server.url + "/")
    wait_idle(page)
    name = page.get_by_test_id("stSidebar").get_by_label("Your name", exact=True)
    name.fill("Pat PM")
    name.press("Enter")
    wait_idle(page)

    form = page.get_by_test_id("stForm").filter(has_text="New project")
    form.get_by_label("Name", exact=True).fill("Card fraud alerts")
    expect(form.get_by_text("Written from Chip Huyen")).to_be_visible()
    form.get_by_text("Fraud or anomaly detection", exact=True).click()
    form.get_by_role("button", name="Create project").click()
    expect(page.get_by_test_id("stAlertContentSuccess")).to_contain_text(
        "Created project 'Card fraud alerts' from the template 'Fraud or anomaly detection'")

    page.get_by_test_id("stSidebar").get_by_test_id("stPageLink").get_by_role("link", name="Design document").click()
    wait_idle(page)
    expect(page.get_by_role("heading", name="Design document · Card fraud alerts")).to_be_visible()
    expect(page.get_by_text("0 of")).to_be_visible()            # template text is not counted as answered
    requirements = section("requirements")
    expect(page.get_by_text(requirements.field("error_costs").question)).to_be_visible()   # the question, not a (?)
    objective = page.get_by_label("Business objective", exact=True)
    expect(objective).to_have_value(re.compile(r"^\[template\] Which losses should fall"))
    expect(page.get_by_text("Template text: replace it with your own answer").first).to_be_visible()
    scale = page.get_by_label("Non-goals", exact=True)
    expect(scale).to_have_attribute("placeholder", re.compile(r"^One item per line, e\.g\."))

    objective.fill(OBJECTIVE)
    objective.press("Tab")                                       # leaving the field keeps the text as a draft
    wait_idle(page)
    expect(page.get_by_text("Unsaved draft", exact=True)).to_be_visible()

    page.reload()
    settle(page)
    expect(page.get_by_label("Business objective", exact=True)).to_have_value(OBJECTIVE)
    expect(page.get_by_text("Unsaved draft", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Discard draft")).to_be_visible()

    _choose_section(page, "ML framing")
    expect(page.get_by_text("Unsaved draft", exact=True)).to_have_count(0)
    _choose_section(page, "Requirements")
    settle(page)
    expect(page.get_by_label("Business objective", exact=True)).to_have_value(OBJECTIVE)
    expect(page.get_by_text("Unsaved draft", exact=True)).to_be_visible()

    page.get_by_role("button", name="Save Requirements").click()
    expect(page.get_by_test_id("stAlertContentSuccess")).to_contain_text("Saved Requirements as revision 2")
    settle(page)
    expect(page.get_by_label("Business objective", exact=True)).to_have_count(1)   # the refilled form only
    expect(page.get_by_text("Unsaved draft", exact=True)).to_have_count(0)
    expect(page.get_by_label("Business objective", exact=True)).to_have_value(OBJECTIVE)

    db = open_store(app_server.log.parent / "home")
    try:
        project = next(p for p in list_projects(db) if p.name == "Card fraud alerts")
        latest = latest_revision(db, project.id)
        assert (latest.number, latest.author, latest.section) == (2, "Pat PM", "requirements")
        assert latest.content["requirements"]["business_objective"] == OBJECTIVE
        assert get_draft(db, project.id, "requirements", System("test", "Pat PM")) is None
    finally:
        db.close()

    page.get_by_role("button", name="Write the measurable success criteria under Evaluation").click()
    wait_idle(page)
    expect(page.get_by_role("heading", name="Evaluation", exact=True)).to_be_visible()
    criteria = page.get_by_label("Success criteria", exact=True)
    criteria.fill("recal >= 0.8")
    criteria.press("Tab")
    wait_idle(page)
    expect(page.get_by_test_id("stAlertContentWarning").filter(has_text="Did you mean recall?")).to_be_visible()
    page.get_by_role("button", name="Save Evaluation").click()
    refused = page.get_by_test_id("stAlertContentError").filter(has_text="Not saved")
    expect(refused).to_contain_text(re.compile("Did you mean recall\\? Write 'recall (>=|≥) 0.8'"))
    expect(page.get_by_label("Success criteria", exact=True)).to_have_value("recal >= 0.8")
