"""In Chromium, two people on one server: Ana uploads a Parquet file and an Excel workbook with two sheets (choosing
one); both go through Datasets and Explore, for Ana and for Ben in his own browser context, before and after a
reload."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
from playwright.sync_api import expect

from store.datasets import list_datasets
from store.db import open_store
from tests.analysis.test_read_formats import parquet_bytes, workbook_bytes
from tests.e2e.conftest import wait_idle

PARQUET, WORKBOOK, SHEET = "visits.parquet", "clinic.xlsx", "patients"
STORED_SHEET = f"{WORKBOOK} · {SHEET}"


def _files(tmp_path):
    rng = np.random.default_rng(7)
    frame = pd.DataFrame({"age": rng.integers(18, 90, 300), "plan": rng.choice(["basic", "plus", "pro"], 300),
                          "visited": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 300, 300), unit="D"),
                          "returned": rng.random(300) < 0.3})
    (tmp_path / PARQUET).write_bytes(parquet_bytes(frame))
    patients = [["patient", "weight", "smoker"]] + [[f"p{i}", float(50 + i % 40), bool(i % 3 == 0)] for i in range(120)]
    (tmp_path / WORKBOOK).write_bytes(workbook_bytes({"notes": [["note"], ["read me"]], SHEET: patients}))


def _dataset_id(server, name: str) -> int:
    db = open_store(server.log.parent / "home")
    try:
        return next(d.id for d in list_datasets(db, 1) if d.name == name)
    finally:
        db.close()


def _explore(page, server, dataset, column):
    """Explore opened on ``dataset`` by its link (?project=1&dataset=ID, as a copied link opens it), until its profile
    shows."""
    page.goto(f"{server.url}/explore?project=1&dataset={_dataset_id(server, dataset)}")
    wait_idle(page)
    expect(page.get_by_role("combobox", name="Dataset")).to_have_value(dataset)
    expect(page.get_by_test_id("stMetric").filter(has_text="Duplicate rows")).to_be_visible()   # the profile job ran
    page.get_by_role("tab", name="Columns").click()
    expect(page.get_by_test_id("stDataFrame").filter(has_text=column).first).to_be_visible()
    return page


def test_parquet_and_excel_uploads_reach_explore_for_two_people(app_server, browser, tmp_path):
    _files(tmp_path)
    ana_context, ben_context = browser.new_context(), browser.new_context()
    try:
        ana, ben = ana_context.new_page(), ben_context.new_page()
        ana.goto(app_server.url + "/datasets?project=1")
        wait_idle(ana)
        ana.get_by_test_id("stFileUploaderDropzoneInput").set_input_files([str(tmp_path / PARQUET),
                                                                           str(tmp_path / WORKBOOK)])
        expect(ana.get_by_test_id("stAlertContentSuccess")
               .filter(has_text=f"Stored '{PARQUET}': 300 rows × 4 columns")).to_be_visible()
        chooser = ana.get_by_test_id("stSelectbox").filter(has_text=f"Sheet of {WORKBOOK}")
        chooser.click()
        ana.get_by_role("option", name=SHEET).click()
        wait_idle(ana)
        ana.get_by_role("button", name="Store this sheet").click()
        expect(ana.get_by_test_id("stAlertContentSuccess")
               .filter(has_text=f"Stored '{STORED_SHEET}': 120 rows × 3 columns")).to_be_visible()

        ben.goto(app_server.url + "/datasets?project=1")         # Ben, in his own browser, sees what Ana stored
        wait_idle(ben)
        table = ben.get_by_test_id("stDataFrame").first
        expect(table).to_contain_text(PARQUET)
        expect(table).to_contain_text(STORED_SHEET)

        _explore(ben, app_server, PARQUET, "plan")
        expect(ben).to_have_url(re.compile(r"dataset=\d+"))
        _explore(ana, app_server, STORED_SHEET, "smoker")
        for page, name in ((ana, STORED_SHEET), (ben, PARQUET)):  # a reload keeps the dataset (URL) and its profile
            page.reload()
            wait_idle(page)
            expect(page.get_by_role("combobox", name="Dataset")).to_have_value(name)
            expect(page.get_by_test_id("stMetric").filter(has_text="Duplicate rows")).to_be_visible()
    finally:
        ana_context.close()
        ben_context.close()
