"""Report files (e.g. Evidently's HTML drift reports) kept under BLUEPRINT_HOME/reports/, named by the
result they belong to.

Every report is checked when it is read: a report written by an older Blueprint, whose data block may hold
raw values that a browser would run as script, is escaped (analysis.inert) and rewritten in place, so a
data folder is fixed the first time each report is opened; one that cannot be checked is not served."""
from __future__ import annotations

import os
from pathlib import Path

import sqlite_utils

from analysis.inert import ReportFormatError, inert_evidently_html
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
    html = path.read_text(encoding="utf-8")
    try:
        safe = inert_evidently_html(html)
    except ReportFormatError as error:
        raise StoreError(f"The report file {path.name} is not shown: {error}") from None
    if safe != html:
        save_report(db, name, safe)
    return safe
