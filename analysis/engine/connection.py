"""A DuckDB connection held to limits, and quoting for the names and paths put into its SQL."""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb


@dataclass(frozen=True)
class EngineSettings:
    """How much of the machine one engine connection may take.

    memory_limit: DuckDB's memory_limit (e.g. "1GB"); larger work spills to temp_directory.
    threads: DuckDB's worker threads (a job worker shares the machine with the app and other workers).
    temp_directory: where DuckDB spills; None: a "blueprint-duckdb" folder in the system's temporary folder.
    """

    memory_limit: str = "1GB"
    threads: int = 2
    temp_directory: str | None = None


def connect(settings: EngineSettings | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with ``settings`` applied (no data of its own: queries read files)."""
    settings = settings or EngineSettings()
    temp = settings.temp_directory or str(Path(tempfile.gettempdir()) / f"blueprint-duckdb-{os.getpid()}")
    con = duckdb.connect(":memory:", config={
        "memory_limit": settings.memory_limit,
        "threads": settings.threads,
        "temp_directory": temp,
        "preserve_insertion_order": False,    # aggregates only: order is not needed, and keeping it costs memory
    })
    con.execute("SET enable_progress_bar = false")
    con.execute("SET TimeZone = 'UTC'")       # times with a zone are binned in UTC, as the in-memory path does
    return con


def quote(name: str) -> str:
    """An identifier for DuckDB's SQL: in double quotes, inner double quotes doubled."""
    return '"' + str(name).replace('"', '""') + '"'


def literal(text: str) -> str:
    """A string literal for DuckDB's SQL: in single quotes, inner single quotes doubled."""
    return "'" + str(text).replace("'", "''") + "'"


def parquet_source(path: str | Path) -> str:
    """The FROM clause that reads the Parquet file at ``path``."""
    return f"read_parquet({literal(str(path))})"
