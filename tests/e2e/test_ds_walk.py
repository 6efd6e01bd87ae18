"""A data scientist's path through the sample project, with a reviewer reading alongside on the same server.

The design document names the target (Data section: diagnosis) and the datasets carry their roles, so Explore,
Leakage and Baselines open already chosen and say where the choice came from; a target the person picks on one
page is the one the next page opens on. Meanwhile a second person reads Review and Compare: both sessions see
the same stored work, before and after a reload."""
from __future__ import annotations

import re

from playwright.sync_api import expect

import tests.e2e.test_team as team
from tests.e2e.conftest import settle
from tests.e2e.test_team import nav, tables

people = team.people          # a fixture: pytest finds it by this name (an import would be redefined by each test)

FROM_DOCUMENT = "Target from the design document (Data section)."


def select_value(page, label: str):
    return page.get_by_test_id("stSelectbox").filter(has_text=label).first


def shows(page, label: str, value: str) -> None:
    """The selectbox labelled ``label`` shows ``value``."""
    expect(page.get_by_role("combobox", name=label)).to_have_value(value)


def test_target_flows_from_the_document_through_explore_leakage_baselines(app_server, people):
    ana = people("Ana", app_server)
    page = ana.open("/explore?project=1")
    shows(page, "Dataset", "breast_cancer.csv")
    shows(page, "Target column (what the model will predict)", "diagnosis")
    expect(page.get_by_text(FROM_DOCUMENT)).to_be_visible()
    expect(page.get_by_test_id("stMetric").first).to_contain_text("569")       # the stored profile, for that target

    for name in ("Leakage", "Baselines"):
        nav(page, name)
        expect(page).to_have_url(re.compile(r"dataset=1&target=diagnosis"))
        shows(page, "Dataset", "breast_cancer.csv")
        expect(page.get_by_role("combobox", name=re.compile("Target")).first).to_have_value("diagnosis")
        expect(page.get_by_text(FROM_DOCUMENT)).to_be_visible()
        ana.check()
    expect(page.get_by_text(re.compile(r"rows · done in")).first).to_be_visible()     # the sample's stored run

    # a choice made on one page is where the next one opens; the document's note goes, since it is not its choice
    nav(page, "Leakage")
    select_value(page, "Target").click()
    page.get_by_role("option", name="mean_radius", exact=True).click()
    settle(page)
    expect(page).to_have_url(re.compile(r"target=mean_radius"))
    nav(page, "Explore")
    expect(page).to_have_url(re.compile(r"target=mean_radius"))
    shows(page, "Target column (what the model will predict)", "mean_radius")
    expect(page.get_by_text(FROM_DOCUMENT)).to_have_count(0)
    ana.reload()
    shows(page, "Target column (what the model will predict)", "mean_radius")


def test_review_and_compare_read_the_same_in_two_sessions_before_and_after_a_reload(app_server, people):
    ana, ben = people("Ana", app_server), people("Ben", app_server)
    seen = {}
    for person in (ana, ben):
        page = person.open("/review?project=1")
        expect(page.get_by_text(re.compile(r"What blocks approval \(\d+\)")).first).to_be_visible()
        settle(page)
        seen.setdefault("review", []).append(page.get_by_role("heading").all_inner_texts())
        nav(page, "Compare")
        settle(page)
        seen.setdefault("compare", []).append(tables(page))
    assert seen["review"][0] == seen["review"][1]
    assert seen["compare"][0] == seen["compare"][1]
    ben.reload()
    expect(ben.page.get_by_test_id("stDataFrame")).to_have_count(len(seen["compare"][0]))
    assert tables(ben.page) == seen["compare"][0]
    ben.page.go_back()
    expect(ben.page).to_have_url(re.compile(r"/review\?project=1"))
    settle(ben.page)
    expect(ben.page.get_by_role("heading")).to_have_count(len(seen["review"][0]))
    assert ben.page.get_by_role("heading").all_inner_texts() == seen["review"][0]
