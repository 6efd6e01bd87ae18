"""The sample project's error analysis in a real browser: two people on one server see the slices, worst errors and
calibration of the stored baseline run, before and after a reload."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import wait_idle


def _sees_error_analysis(page) -> None:
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("heading", name="Error analysis")).to_be_visible()
    main.get_by_role("tab", name="Slices").click()
    expect(main.get_by_text("Always sliced (design document, Evaluation): worst_radius, mean_concavity.")
           ).to_be_visible()
    expect(main.get_by_text("No weak slice: none of the")).to_be_visible()
    expect(page.get_by_test_id("stPlotlyChart").filter(has_text="ROC AUC by worst_radius")).to_be_visible()
    main.get_by_role("tab", name="Worst errors").click()
    expect(main.get_by_text("Most confident wrong predictions")).to_be_visible()
    expect(main.get_by_role("button", name="Download these rows (CSV)")).to_be_visible()
    main.get_by_role("tab", name="Calibration").click()
    expect(main.get_by_text("Expected calibration error", exact=True)).to_be_visible()
    expect(page.get_by_test_id("stPlotlyChart").filter(has_text="Reliability diagram")).to_be_visible()


def test_two_people_see_the_sample_runs_error_analysis_before_and_after_a_reload(app_server, browser):
    url = app_server.url + "/baselines?project=1&target=diagnosis"
    contexts = [browser.new_context(viewport={"width": 1400, "height": 1000}) for _ in range(2)]
    try:
        pages = [context.new_page() for context in contexts]
        for page in pages:
            page.goto(url)
            wait_idle(page)
        for page in pages:
            _sees_error_analysis(page)
        pages[1].reload()
        wait_idle(pages[1])
        _sees_error_analysis(pages[1])
        _sees_error_analysis(pages[0])       # the other person's page is unaffected
    finally:
        for context in contexts:
            context.close()
