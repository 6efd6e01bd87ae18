"""In Chromium, two people on one server with a SQL connection to a real PostgreSQL (tests/postgres.py): Ana stores a
table of the database as a dataset; it goes through Explore (exact figures computed by the database), Leakage,
Baselines and Drift; Ben reads the same stored results in his own browser context, and both after a reload."""
from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import expect

import tests.e2e.test_team as team
from analysis.reading.read import read_csv
from tests.analysis.test_leakage import CSV
from tests.e2e.conftest import Server, settle
from tests.e2e.test_formats_analyses import RUN, _dataset_id, _open, _result
from tests.e2e.test_team import assert_no_traceback, choose_row_order
from tests.postgres import postgres  # noqa: F401 (a fixture)

people = team.people          # a fixture: pytest finds it by this name (an import would be redefined by each test)
COLUMNS = ["mean_radius", "mean_texture", "mean_smoothness", "worst_perimeter", "worst_concavity", "diagnosis"]
TABLE = "cells"


@pytest.fixture(scope="module")
def sql_server(tmp_path_factory, seeded_template, postgres):  # noqa: F811
    frame = read_csv(CSV.read_bytes(), CSV.name).frame[COLUMNS]
    postgres.execute(f"DROP TABLE IF EXISTS {TABLE}")
    postgres.execute(f"CREATE TABLE {TABLE} (" + ", ".join(f"{c} double precision" for c in COLUMNS[:-1])
                     + ", diagnosis text)")
    values = ", ".join("(" + ", ".join(repr(float(v)) for v in row[:-1]) + f", '{row[-1]}')"
                       for row in frame.itertuples(index=False))
    postgres.execute(f"INSERT INTO {TABLE} VALUES {values}")
    tmp = tmp_path_factory.mktemp("sql-source")
    shutil.copytree(seeded_template, tmp / "home")
    secrets = tmp / "secrets.toml"
    secrets.write_text(f'[blueprint.sql.warehouse]\nurl = "{postgres.url()}"\ntimeout_s = 20\n')
    started = Server(tmp / "home", tmp / "streamlit.log", secrets=secrets)
    yield started
    started.stop()
    assert_no_traceback(tmp / "streamlit.log")


def test_a_postgresql_table_goes_through_explore_leakage_baselines_and_drift_for_two_people(sql_server, people):
    ana, ben = people("Ana", sql_server), people("Ben", sql_server)
    page = ana.open("/datasets?project=1")
    ana.sign()
    page.get_by_text("From a SQL connection").click()
    settle(page)
    page.get_by_role("combobox", name="Table").click()
    page.get_by_role("option", name=f"public.{TABLE}").click()
    settle(page)
    page.get_by_label("Stratify the sample by (a column, optional)", exact=True).fill("diagnosis")
    page.get_by_label("Stratify the sample by (a column, optional)", exact=True).press("Enter")
    settle(page)
    page.get_by_role("button", name="Read and store").click()
    expect(page.get_by_test_id("stAlertContentSuccess")).to_contain_text(f"Stored '{TABLE}': 569 rows")

    dataset_id = _dataset_id(sql_server, TABLE)
    for name in ("Explore", "Leakage", "Baselines", "Drift"):
        page = _open(ana, name, TABLE, dataset_id)
        if name in RUN:
            page.get_by_role("button", name=RUN[name]).click()
        seen = _result(page, name)
        if name == "Explore":
            assert "569" in seen[0], seen
            expect(page.get_by_text("exact over all 569 rows").first).to_be_visible()   # by the database
        ana.check()
        other = _open(ben, name, TABLE, dataset_id)
        assert _result(other, name) == seen, name
        ben.check()
        for person in (ana, ben):
            person.reload()
            if name == "Drift":
                choose_row_order(person.page, TABLE)
            settle(person.page)
            assert _result(person.page, name) == seen, (name, person.name)
