"""In Chromium: upload a CSV through the real uploader and see its charts; open an exported review offline."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from components.review_view import charts, gather
from design.export import to_html
from store.db import open_store
from store.projects import get_project
from tests.e2e.conftest import wait_idle


def test_upload_csv_then_see_histogram_and_class_balance(app_server, page, tmp_path):
    rows = ["age,plan,churned"] + [f"{20 + i % 50},{'basic' if i % 3 else 'pro'},{'yes' if i % 4 == 0 else 'no'}"
                                   for i in range(200)]
    csv = tmp_path / "churn_sample.csv"
    csv.write_text("\n".join(rows) + "\n")
    page.goto(app_server.url + "/datasets?project=1")
    wait_idle(page)
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(csv))
    expect(page.get_by_test_id("stFileChipName")).to_have_text("churn_sample.csv")
    expect(page.get_by_test_id("stAlertContentSuccess")).to_contain_text(
        "Stored 'churn_sample.csv': 200 rows × 3 columns")

    page.get_by_test_id("stSidebar").get_by_test_id("stPageLink").get_by_role("link", name="Explore").click()
    wait_idle(page)
    page.get_by_test_id("stSelectbox").filter(has_text="Dataset").click()
    page.get_by_role("option", name="churn_sample.csv").click()
    wait_idle(page)
    page.get_by_test_id("stSelectbox").filter(has_text="Target column").click()
    page.get_by_role("option", name="churned").click()
    wait_idle(page)
    expect(page).to_have_url(re.compile(r"target=churned"))
    page.get_by_role("tab", name="Columns").click()
    expect(page.get_by_test_id("stPlotlyChart").filter(has_text="Histogram of age")
           .locator(".main-svg").first).to_be_visible()
    page.get_by_role("tab", name="Target").click()
    expect(page.get_by_test_id("stPlotlyChart").filter(has_text="Class balance of churned")
           .locator(".main-svg").first).to_be_visible()


def test_exported_html_renders_its_charts_offline(page, tmp_path, app_home):
    db = open_store(app_home)
    project = get_project(db, 1)
    summary = gather(db, project)
    path = tmp_path / "review.html"
    path.write_text(to_html(summary, charts(summary)), encoding="utf-8")
    db.close()
    requests = []
    page.route("**/*", lambda route: (requests.append(route.request.url),
                                      route.continue_() if route.request.url.startswith("file:") else route.abort()))
    page.goto(path.as_uri())
    expect(page.get_by_role("heading", name="Design review: Sample: FNA cytology triage")).to_be_visible()
    plots = page.locator(".chart .main-svg")
    expect(plots.first).to_be_visible()
    assert page.locator(".chart.js-plotly-plot").count() == len(charts(summary)) >= 2
    expect(page.locator(".chart").filter(has_text="Class balance of diagnosis")).to_have_count(1)
    assert all(url.startswith("file:") for url in requests), requests
