"""AppTest: the Datasets page stores a file picked from a data folder (and refuses one outside it), and a table
of a SQL connection (a real PostgreSQL, tests/postgres.py) whose profile the database computes; a query that is
not read-only, an unknown connection and a refused connection get messages, never a traceback."""
from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import components.sources_view
from analysis.sources.settings import read_source_settings
from components.sources_view import store_folder_file
from store.datasets import list_datasets
from store.people import see_user
from tests.apptest import APP, finish_jobs, stored_datasets, texts
from tests.postgres import postgres  # noqa: F401  (fixture)


def open_with(secrets: dict, page: str = "pages/datasets.py", author: str = "Ana") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in secrets.items():
        at.secrets[key] = value
    at.run()
    at.run()
    at.sidebar.text_input(key="author").input(author)
    at.run()
    return at.switch_page(page).run()


def test_a_file_picked_in_a_data_folder_is_stored_like_an_upload(app_home, tmp_path):
    folder = tmp_path / "data"
    (folder / "2024").mkdir(parents=True)
    pd.DataFrame({"age": [34, 51, 29, 40], "plan": ["basic", "pro", "basic", "pro"]}).to_parquet(
        folder / "2024" / "customers.parquet", index=False)
    (folder / "visits.csv").write_text("day,visits\n2024-01-01,3\n2024-01-02,5\n")
    at = open_with({"blueprint": {"data_folders": [str(folder)]}})
    at.radio(key="add-way-1").set_value("From a data folder").run()
    assert not at.exception
    assert at.selectbox(key="folder-1").options == [str(folder)]
    files = at.selectbox(key="folder-file-1")
    assert files.options == ["2024/customers.parquet", "visits.csv"]
    files.select("2024/customers.parquet").run()
    at.button(key="folder-store-1").click().run()
    assert not at.exception
    assert any(f"Stored 'customers.parquet' from {folder}/2024/customers.parquet: 4 rows × 2 columns" in s
               for s in texts(at, "success"))
    stored = stored_datasets(app_home)["customers.parquet"]
    assert stored.column_types == {"age": "numeric", "plan": "categorical"}
    assert stored.source == {"kind": "folder", "folder": str(folder), "path": "2024/customers.parquet", "sheet": None}
    assert "folder: " in " ".join(at.dataframe[0].value["Source"])


def test_a_path_outside_the_folders_is_refused_with_a_message(app_db, tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    (tmp_path / "secret.csv").write_text("password\nhunter2\n")
    sources = read_source_settings({"blueprint": {"data_folders": [str(folder)]}})
    ana = see_user(app_db, "local:ana", "Ana")
    project = type("P", (), {"id": 1})()
    at = AppTest.from_function(lambda: None)       # a script run context for st.spinner
    at.run()
    kind, message = store_folder_file(app_db, project, ana, sources, str(folder), "../secret.csv")
    assert (kind, "climbs out of the folder" in message) == ("error", True)
    assert "secret.csv" not in {d.name for d in list_datasets(app_db, 1)}


@pytest.fixture
def orders(postgres, tmp_path, monkeypatch):  # noqa: F811
    """A small orders table in the test PostgreSQL, and the secrets naming it "warehouse" (also for workers)."""
    postgres.execute("DROP TABLE IF EXISTS orders")
    postgres.execute("CREATE SEQUENCE IF NOT EXISTS order_numbers")
    postgres.execute("CREATE TABLE orders AS SELECT g AS order_id, (g % 7) * 1.5 AS amount, "
                     "(ARRAY['north', 'south', 'east'])[1 + g % 3] AS region, g % 4 = 0 AS returned "
                     "FROM generate_series(1, 3000) AS g")
    url = postgres.url()
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(f'[blueprint.sql.warehouse]\nurl = "{url}"\ntimeout_s = 20\n'
                       '[blueprint.sql.offline]\nurl = "postgresql://reader:pw@127.0.0.1:9/gone"\n')
    monkeypatch.setenv("BLUEPRINT_SECRETS_FILES", str(secrets))
    return {"blueprint": {"sql": {"warehouse": {"url": url, "timeout_s": 20},
                                  "offline": {"url": "postgresql://reader:pw@127.0.0.1:9/gone"}}}}


def test_a_sql_table_is_stored_and_profiled_by_its_database(app_home, orders):
    at = open_with(orders)
    at.radio(key="add-way-1").set_value("From a SQL connection").run()
    assert at.selectbox(key="sql-connection-1").options == ["warehouse", "offline"]
    assert "public.orders" in at.selectbox(key="sql-table-1").options
    at.selectbox(key="sql-table-1").select("public.orders").run()
    at.text_input(key="sql-strata-1").input("returned").run()
    at.button(key="sql-store-1").click().run()
    assert not at.exception
    assert any("Stored 'orders': 3,000 rows × 4 columns" in s for s in texts(at, "success")), texts(at, "error")
    stored = stored_datasets(app_home)["orders"]
    assert stored.is_sql and stored.rows == 3000 and stored.source["connection"] == "warehouse"
    assert stored.source["query"] == 'SELECT * FROM "public"."orders"' and "url" not in stored.source
    assert "SQL: warehouse" in " ".join(at.dataframe[0].value["Source"])
    # the Explore page's profile job runs in a worker, which computes the figures in PostgreSQL
    at.switch_page("pages/explore.py").run()
    at = finish_jobs(at)
    assert not at.exception
    assert any("SQL source: exact over all 3,000 rows" in s for s in texts(at, "info")), texts(at, "error")


def test_sql_refusals_are_messages(app_home, orders):
    at = open_with(orders)
    at.radio(key="add-way-1").set_value("From a SQL connection").run()
    at.radio(key="sql-how-1").set_value("A query").run()
    at.text_area(key="sql-query-1").input("DELETE FROM orders").run()
    at.button(key="sql-store-1").click().run()
    assert any("Only read-only queries are run: the query starts with DELETE" in e for e in texts(at, "error"))
    at.text_area(key="sql-query-1").input("SELECT nextval('order_numbers') AS n, * FROM orders").run()
    at.button(key="sql-store-1").click().run()
    assert any("refused the query because it would write" in e for e in texts(at, "error")), texts(at, "error")
    at.text_area(key="sql-query-1").input("WITH gone AS (DELETE FROM orders RETURNING *) SELECT * FROM gone").run()
    at.button(key="sql-store-1").click().run()
    assert any("could not run the query" in e or "cannot run the query" in e for e in texts(at, "error"))
    at.text_area(key="sql-query-1").input("SELECT * FROM no_such_table").run()
    at.button(key="sql-store-1").click().run()
    assert any("cannot run the query" in e and "no_such_table" in e for e in texts(at, "error"))
    at.selectbox(key="sql-connection-1").select("offline").run()
    at.button(key="sql-store-1").click().run()
    errors = texts(at, "error")
    assert any("Cannot reach the SQL source 'offline' (127.0.0.1:9/gone)" in e for e in errors), errors
    assert not any("pw" in e.split("(127.0.0.1")[0] for e in errors)
    assert not at.exception
    assert "orders" not in stored_datasets(app_home)


def test_a_result_computed_on_a_sql_datasets_sample_says_so(app_home, orders, monkeypatch):
    """A SQL dataset keeps the sample the database drew: Leakage (like Baselines and Drift) computes on it and
    says so with its sizes; only Explore's profile is exact over the source."""
    monkeypatch.setattr(components.sources_view, "DEFAULT_SAMPLE_ROWS", 1000)
    at = open_with(orders)
    at.radio(key="add-way-1").set_value("From a SQL connection").run()
    at.selectbox(key="sql-table-1").select("public.orders").run()
    at.text_input(key="sql-strata-1").input("returned").run()
    at.button(key="sql-store-1").click().run()
    stored = stored_datasets(app_home)["orders"]
    kept = stored.source["sample_rows"]        # each class keeps its share, and at least MIN_CLASS_ROWS rows
    assert stored.rows == 3000 and stored.source["sample_method"] == "stratified" and 1000 <= kept < 3000
    at.switch_page("pages/leakage.py").run()
    at.selectbox(key="dataset").select(stored.id).run()
    at.selectbox(key="target").select("returned").run()
    [b for b in at.button if b.label == "Run leakage checks"][0].click().run()
    at = finish_jobs(at)
    assert not at.exception
    said = [s for s in texts(at, "info") if "comes from the SQL connection 'warehouse'" in s]
    assert said and f"stratified sample of {kept:,} of its 3,000 rows (seed 0, by 'returned')" in said[0], \
        texts(at, "info")
