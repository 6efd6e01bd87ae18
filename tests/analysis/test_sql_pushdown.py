"""A real PostgreSQL (tests/postgres.py) with a table of 1,000,000 rows: its profile figures computed in the
database (pushdown) equal those of the same rows exported to a Parquet file and computed by DuckDB; the sample
the database draws stays near its size; a write through a query is refused by the read-only transaction."""
from __future__ import annotations

import math
import time

import psycopg
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from analysis.engine.figures import file_figures
from analysis.engine.pushdown import sql_figures
from analysis.reading.read import table_from_source
from analysis.sources.postgres import SourceError, column_types_of, fetch_sample, open_source, source_identity
from analysis.sources.query import check_query, table_query
from analysis.sources.settings import SqlConnection
from tests.postgres import postgres  # noqa: F401  (fixture)

ROWS = 1_000_000
DUPLICATES = 500
SAMPLE = 20_000
TABLE = f"""
CREATE TABLE big AS
SELECT g AS id,
       CASE WHEN g % 97 = 0 THEN NULL WHEN g % 1009 = 0 THEN 'NaN'::float8 WHEN g % 50021 = 0 THEN 'Infinity'::float8
            WHEN g % 70001 = 0 THEN '-Infinity'::float8 ELSE round((sin(g) * 1000)::numeric, 3)::float8 END AS amount,
       g % 13 AS qty,
       CASE WHEN g % 101 = 0 THEN NULL
            ELSE (ARRAY['north', 'south', 'east', 'west', 'centre', 'Zürich'])[1 + g % 6] END AS region,
       CASE WHEN g % 7 = 0 THEN NULL ELSE g % 3 = 0 END AS flag,
       timestamptz '2024-01-01 00:00:00+00' + (g % 100000) * interval '5 minutes' AS created,
       CASE WHEN g % 4 = 0 THEN 'yes' ELSE 'no' END AS churned
FROM generate_series(1, {ROWS - DUPLICATES}) AS g;
INSERT INTO big SELECT * FROM big WHERE id <= {DUPLICATES};
"""
ARROW = {"int8": pa.int64(), "int4": pa.int32(), "float8": pa.float64(), "text": pa.string(), "bool": pa.bool_(),
         "timestamptz": pa.timestamp("us")}


ODD = '"odd ""name"""'         # a column named: odd "name"
EDGE_CASES = f"""
CREATE TABLE edge_cases AS
SELECT g AS {ODD},
       CASE WHEN g % 2 = 0 THEN NULL ELSE 'NaN'::float8 END AS nothing_finite,
       7.5::float8 AS constant,
       CASE g % 4 WHEN 0 THEN 'Infinity'::float8 WHEN 1 THEN '-Infinity'::float8 ELSE g * 0.5 END AS edges,
       CASE WHEN g % 3 = 0 THEN NULL ELSE (ARRAY['b', 'B', 'Zürich', 'a b', '12'])[1 + g % 5] END AS words,
       CASE WHEN g % 5 = 0 THEN NULL ELSE timestamptz '2024-02-28 23:00:00+00' + g * interval '7 hours' END AS at
FROM generate_series(1, 400) AS g;
INSERT INTO edge_cases SELECT * FROM edge_cases WHERE {ODD} <= 3;
"""


def _load(postgres, table: str, statements: str, path) -> None:  # noqa: F811
    """Create ``table`` by ``statements`` and export its rows as they are (typed by Arrow, not by Blueprint) to the
    Parquet file at ``path``."""
    postgres.execute(f"DROP TABLE IF EXISTS {table}")
    for statement in statements.split(";"):
        if statement.strip():
            postgres.execute(statement)
    postgres.execute(f"ANALYZE {table}")

    with psycopg.connect(postgres.url()) as conn:
        cursor = conn.execute("SET TimeZone = 'UTC'")
        cursor = conn.execute(f"SELECT * FROM {table}")
        names = [d.name for d in cursor.description]
        types = [conn.adapters.types.get(d.type_code).name for d in cursor.description]
        rows = cursor.fetchall()
    columns = []
    for i, t in enumerate(types):
        values = [r[i] for r in rows]
        if t == "timestamptz":
            values = [None if v is None else v.replace(tzinfo=None) for v in values]
        columns.append(pa.array(values, type=ARROW[t]))
    pq.write_table(pa.table(columns, names=names), path, row_group_size=100_000)


@pytest.fixture(scope="module")
def big(postgres, tmp_path_factory):  # noqa: F811
    """(connection settings, Parquet file of the same rows, seconds to load) for the 1M-row table ``big``."""
    start = time.perf_counter()
    path = tmp_path_factory.mktemp("export") / "big.parquet"
    _load(postgres, "big", TABLE, path)
    loaded = time.perf_counter() - start
    return SqlConnection("warehouse", postgres.url(), 120), path, loaded


def _close(a, b, what: str, rel: float = 1e-9) -> None:
    if isinstance(a, float) or isinstance(b, float):
        assert a is not None and b is not None and math.isclose(a, b, rel_tol=rel, abs_tol=1e-9), f"{what}: {a} != {b}"
    else:
        assert a == b, f"{what}: {a!r} != {b!r}"


def assert_same_figures(pushed, duck) -> None:
    assert (pushed.rows, pushed.duplicate_rows, pushed.rows_with_missing) == (duck.rows, duck.duplicate_rows,
                                                                              duck.rows_with_missing)
    assert [c.name for c in pushed.columns] == [c.name for c in duck.columns]
    for p, d in zip(pushed.columns, duck.columns, strict=True):
        for field in ("type", "count", "missing", "distinct", "zeros", "infinite", "min", "max", "top", "histogram",
                      "memory_bytes", "numeric_share", "text_examples"):
            _close(getattr(p, field), getattr(d, field), f"{p.name}.{field}")
        for field in ("mean", "std"):
            _close(getattr(p, field), getattr(d, field), f"{p.name}.{field}")
        _close(p.skew, d.skew, f"{p.name}.skew", rel=1e-6)
        assert (p.quantiles is None) == (d.quantiles is None), p.name
        for label in (p.quantiles or {}):
            _close(p.quantiles[label], d.quantiles[label], f"{p.name}.{label}")


@pytest.mark.slow
def test_pushdown_profile_of_a_million_rows_equals_duckdb_on_the_same_rows_as_parquet(big, capsys):
    connection, path, loaded = big
    query = table_query("public", "big")
    with open_source(connection) as conn:
        t0 = time.perf_counter()
        pg_types = column_types_of(conn, query)
        identity = source_identity(conn, connection.name, query)
        t1 = time.perf_counter()
        columns, method = fetch_sample(conn, query, SAMPLE, 0, pg_types, identity.rows, strata="churned")
        t2 = time.perf_counter()
        table = table_from_source(list(pg_types), columns, identity.key)
        pushed = sql_figures(conn, query, pg_types, table.column_types)
        t3 = time.perf_counter()
    duck = file_figures(path, table.column_types)
    t4 = time.perf_counter()
    assert identity.rows == ROWS and method == "stratified"
    fetched = len(table.frame)
    assert abs(fetched - SAMPLE) <= 2, fetched            # a rounding per class at most
    shares = table.frame["churned"].value_counts(normalize=True)
    assert abs(shares["yes"] - 0.25) < 0.01
    assert_same_figures(pushed, duck)
    with capsys.disabled():
        print(f"\nRESULT rows={ROWS} load_s={loaded:.1f} identity_s={t1 - t0:.2f} sample_s={t2 - t1:.2f} "
              f"sample_rows={fetched} types={sorted(table.column_types.items())} "
              f"pushdown_figures_s={t3 - t2:.2f} duckdb_parquet_figures_s={t4 - t3:.2f}")


def test_pushdown_figures_of_the_edge_cases_equal_duckdb_on_the_same_rows(postgres, tmp_path):  # noqa: F811
    path = tmp_path / "edge_cases.parquet"
    _load(postgres, "edge_cases", EDGE_CASES, path)
    query = table_query("public", "edge_cases")
    with open_source(SqlConnection("warehouse", postgres.url(), 60)) as conn:
        pg_types = column_types_of(conn, query)
        columns, _ = fetch_sample(conn, query, 1_000, 0, pg_types, 403)
        types = table_from_source(list(pg_types), columns, "").column_types
        pushed = sql_figures(conn, query, pg_types, types)
    duck = file_figures(path, types)
    assert_same_figures(pushed, duck)
    by_name = {c.name: c for c in pushed.columns}
    assert (by_name["nothing_finite"].count, by_name["nothing_finite"].histogram) == (0, None)    # NaN is missing
    assert by_name["constant"].skew is None and by_name["edges"].infinite == 201
    assert pushed.duplicate_rows == 3 and by_name["words"].distinct == 5 and by_name["at"].histogram.period == "day"


@pytest.mark.slow
def test_uniform_sample_is_seeded_and_of_its_size(big):
    connection, _, _ = big
    query = check_query("SELECT id, amount, region FROM big WHERE qty < 6")
    with open_source(connection) as conn:
        pg_types = column_types_of(conn, query)
        rows = source_identity(conn, "warehouse", query).rows
        first, method = fetch_sample(conn, query, 5_000, 7, pg_types, rows)
        again, _ = fetch_sample(conn, query, 5_000, 7, pg_types, rows)
        other, _ = fetch_sample(conn, query, 5_000, 8, pg_types, rows)
    assert method == "uniform" and len(first[0]) == 5_000
    assert sorted(first[0]) == sorted(again[0]) and sorted(first[0]) != sorted(other[0])


def test_a_write_through_a_query_is_refused_by_the_database(postgres):  # noqa: F811
    postgres.execute("CREATE TABLE IF NOT EXISTS kept (id int PRIMARY KEY, note text)")
    postgres.execute("INSERT INTO kept VALUES (1, 'original') ON CONFLICT DO NOTHING")
    connection = SqlConnection("warehouse", postgres.url(), 30)
    # passes the first guard (it starts with WITH), and PostgreSQL refuses it: the transaction is read-only
    sneaky = check_query("WITH gone AS (DELETE FROM kept RETURNING *) SELECT * FROM gone")
    for query in (sneaky, check_query("SELECT * INTO copied FROM kept"),
                  check_query("SELECT nextval('kept_seq')")):
        with pytest.raises(SourceError, match="read-only|not exist"):
            with open_source(connection) as conn:
                conn.execute(query).fetchall()

    with psycopg.connect(postgres.url()) as conn:
        assert conn.execute("SELECT note FROM kept").fetchall() == [("original",)]
        assert conn.execute("SELECT to_regclass('copied')").fetchone()[0] is None


def test_the_time_limit_stops_a_long_query(postgres):  # noqa: F811
    connection = SqlConnection("warehouse", postgres.url(), 1)
    with pytest.raises(SourceError, match="time limit of 1 s"):
        with open_source(connection) as conn:
            conn.execute("SELECT pg_sleep(5)").fetchall()


def test_a_refused_connection_says_so_without_the_password():
    connection = SqlConnection("warehouse", "postgresql://reader:s3cret@127.0.0.1:9/analytics", 5)
    with pytest.raises(SourceError) as refused:
        with open_source(connection):
            pass
    assert "Cannot reach the SQL source 'warehouse' (127.0.0.1:9/analytics)" in str(refused.value)
    assert "s3cret" not in str(refused.value)
