"""The per-row arrays of stored results (a baseline run's kept predictions): Parquet files kept under
BLUEPRINT_HOME/results/, named by the result they belong to, ``<result id>-<stamp>.parquet``.

A result replaced by a new run of the same settings keeps its id and gets a new stamp, so its new file never
overwrites the one a page may be reading; store.results removes the old file once the new row is committed.
"""
from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import sqlite_utils

from store.db import home_of
from store.errors import NotFoundError

FOLDER = "results"


def arrays_path(db: sqlite_utils.Database, name: str) -> Path | None:
    """Where the arrays file ``name`` is (None for an in-memory store, which keeps arrays inside the JSON)."""
    home = home_of(db)
    return None if home is None else home / FOLDER / name


def write_arrays(db: sqlite_utils.Database, result_id: int, stamp: str, table: pd.DataFrame) -> str:
    """Write ``table`` as the arrays file of result ``result_id`` (atomically: a half-written file never takes a
    good one's name); returns its file name."""
    name = f"{result_id}-{stamp}.parquet"
    path = arrays_path(db, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(name + ".partial")
    table.to_parquet(partial, index=False)
    os.replace(partial, path)
    return name


def read_arrays(path: Path) -> pd.DataFrame:
    """The one read of an arrays file (tests count it: pages that only list or summarise results never call it)."""
    if not path.exists():
        raise NotFoundError(f"The file {path.name} of a stored result is missing from {path.parent}. Run the "
                            "analysis again to store it anew.")
    return pq.read_table(path).to_pandas()


def remove_arrays(db: sqlite_utils.Database, name: str | None) -> None:
    """Remove an arrays file no row names any more (gone already: nothing to do)."""
    path = arrays_path(db, name) if name else None
    if path is not None:
        path.unlink(missing_ok=True)
