"""Exact figures of a SQL source computed in its own database (pushdown): the queries of analysis.engine.figures,
spelled for PostgreSQL (analysis.engine.dialect.POSTGRESQL), so only aggregates leave the database, never its rows.

    figures = sql_figures(conn, query, pg_types, column_types)    # FileFigures (file_bytes 0)

``conn`` is an open psycopg connection in a read-only transaction (analysis.sources.postgres.open_source);
``query`` a checked read-only query (analysis.sources.query), read as a subquery by every pass.
The passes, figures and rules are those of engine.figures (see its docstring), with PostgreSQL's spelling:
finite values are those not NaN nor +/- Infinity; quantiles by percentile_cont (linear interpolation); text
ordered by code point (COLLATE "C", as DuckDB and Python order it); times binned by date_trunc in UTC; duplicate
rows by the distinct text of whole rows. A read-only transaction cannot create a temporary table, so each pass runs
the query again: a costly query is better saved as a view or table by the source's owners.
"""
from __future__ import annotations

from analysis.engine.dialect import NUMBER, POSTGRESQL, ROWS, TIME
from analysis.engine.figures import FileFigures, table_figures

__all__ = ["NUMBER", "TIME", "pg_kind", "sql_figures"]


def pg_kind(pg_type: str | None) -> str:
    """number, time or label for a PostgreSQL type name (booleans, text and anything else are labels)."""
    return POSTGRESQL.kind(pg_type)


def sql_figures(conn, query: str, pg_types: dict[str, str | None], column_types: dict[str, str]) -> FileFigures:
    """Exact figures of every column of what ``query`` returns (column -> PostgreSQL type name in ``pg_types``),
    computed by PostgreSQL; the same fields and rules as engine.figures.file_figures."""
    def run(queries: list[str]) -> list[list[tuple]]:       # one transaction: one query at a time
        return [conn.execute(sql).fetchall() for sql in queries]
    return table_figures(run, f"(\n{query}\n) AS {ROWS}", pg_types, column_types, POSTGRESQL)
