"""Report files (e.g. Evidently's HTML drift reports) kept under BLUEPRINT_HOME/reports/, named by the
result they belong to."""
from __future__ import annotations

import os
from pathlib import Path

import sqlite_utils

from store.db import home_of
from store.errors import NotFoundError, StoreError


def report_path(db: sqlite_utils.Database, name: str) -> Path:
    home = home_of(db)
    if home is None:
        raise StoreError("Report files need a store on disk; this one is in memory.")
    return home / "reports" / f"{name}.html"


def save_report(db: sqlite_utils.Database, name: str, html: str) -> Path:
    """Write the report atomically (a half-written file never replaces a good one)."""
    path = report_path(db, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.write_text(html, encoding="utf-8")
    os.replace(partial, path)
    return path


def read_report(db: sqlite_utils.Database, name: str) -> str:
    path = report_path(db, name)
    if not path.exists():
        raise NotFoundError(f"The report file {path.name} is missing. Run the check again to rebuild it.")
    return path.read_text(encoding="utf-8")
