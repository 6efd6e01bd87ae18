"""In Chromium, two people on one server: a Parquet dataset (the sample project's breast_cancer.parquet) and a sheet of
an Excel workbook Ana uploads each go through Explore, Leakage, Baselines and Drift. Ana runs each analysis; Ben, in
his own browser context, opens the same page and reads the same stored result; both still read it after a reload."""
from __future__ import annotations

import re
import shutil

import pytest
from playwright.sync_api import expect

import tests.e2e.test_team as team
from analysis.reading.read import read_csv
from store.datasets import list_datasets
from store.db import open_store
from tests.analysis.test_leakage import CSV
from tests.analysis.test_read_formats import workbook_bytes
from tests.e2e.conftest import Server, settle
from tests.e2e.test_team import LANDS, assert_no_traceback, choose_row_order, metrics, progress_of

people = team.people          # a fixture: pytest finds it by this name (an import would be redefined by each test)
PARQUET = "breast_cancer.parquet"          # dataset 2 of the sample project
WORKBOOK = "cells.xlsx"                    # one sheet: seven columns of the sample's 569 rows
TARGET = "diagnosis"
DONE = re.compile(r"rows · done in")


@pytest.fixture(scope="module")
def server(tmp_path_factory, seeded_template):
    tmp = tmp_path_factory.mktemp("formats-analyses")
    shutil.copytree(seeded_template, tmp / "home")
    started = Server(tmp / "home", tmp / "streamlit.log")
    started.home = tmp / "home"
    yield started
    started.stop()
    assert_no_traceback(tmp / "streamlit.log")


def _workbook(path) -> None:
    frame = read_csv(CSV.read_bytes(), CSV.name).frame
    columns = ["mean_radius", "mean_texture", "mean_smoothness", "worst_perimeter", "worst_concavity",
               "worst_symmetry", TARGET]
    rows = [[float(v) if isinstance(v, float) else str(v) for v in row]
            for row in frame[columns].itertuples(index=False)]
    path.write_bytes(workbook_bytes({"cells": [columns, *rows]}))


def _dataset_id(server, name: str) -> int:
    db = open_store(server.home)
    try:
        return next(d.id for d in list_datasets(db, 1) if d.name == name)
    finally:
        db.close()


def _result(page, name: str) -> list[str] | str:
    """What a page shows of its stored result, once it has landed (no job left running on the page)."""
    if name == "Baselines":
        expect(page.get_by_text(DONE)).to_be_visible(timeout=LANDS)
        shown = page.get_by_text(DONE).inner_text()
    else:
        expect(page.get_by_test_id("stMetric").first).to_be_visible(timeout=LANDS)
        shown = metrics(page, name)
    expect(progress_of(page)).to_have_count(0)
    return shown


def _open(person, name: str, dataset: str, dataset_id: int):
    """Open page ``name`` on the dataset (by its link), the target chosen; the Drift page on the dataset split by
    row order (first half against the second)."""
    if name == "Drift":
        page = person.open("/drift?project=1")
        choose_row_order(page, dataset)
    else:
        page = person.open(f"/{name.lower()}?project=1&dataset={dataset_id}&target={TARGET}")
        expect(page.get_by_role("combobox", name="Dataset")).to_have_value(dataset)
    return page


RUN = {"Leakage": "Run leakage checks", "Baselines": "Run baselines", "Drift": "Run drift check"}


def test_parquet_and_excel_go_through_explore_leakage_baselines_and_drift_for_two_people(server, people, tmp_path):
    _workbook(tmp_path / WORKBOOK)
    ana, ben = people("Ana", server), people("Ben", server)
    page = ana.open("/datasets?project=1")
    ana.sign()
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(tmp_path / WORKBOOK))
    expect(page.get_by_test_id("stAlertContentSuccess").filter(
        has_text=f"Stored '{WORKBOOK}': 569 rows × 7 columns")).to_be_visible()

    for dataset in (PARQUET, WORKBOOK):
        dataset_id = _dataset_id(server, dataset)
        for name in ("Explore", "Leakage", "Baselines", "Drift"):
            page = _open(ana, name, dataset, dataset_id)
            if name in RUN:                       # Explore profiles by itself
                page.get_by_role("button", name=RUN[name]).click()
            seen = _result(page, name)
            if name == "Explore":
                assert "569" in seen[0], seen             # every row of the file or the sheet
            ana.check()
            other = _open(ben, name, dataset, dataset_id)     # Ben reads the same stored result, nothing runs
            expect(progress_of(other)).to_have_count(0)
            assert _result(other, name) == seen, (dataset, name)
            ben.check()
            for person in (ana, ben):             # a reload keeps the page and its result
                person.reload()
                if name == "Drift":
                    choose_row_order(person.page, dataset)
                settle(person.page)
                assert _result(person.page, name) == seen, (dataset, name, person.name)
