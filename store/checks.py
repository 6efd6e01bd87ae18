"""Checks run from a pipeline (``blueprint check --home ... --as EMAIL``), kept as evidence on the project's
Evaluation section under the person they ran as, so the reviewers read the pipeline's runs beside the document.

    evidence = record_check(db, project_id, report_dict, summary, seconds, by=user)   # PermissionDenied unless editor

Each run is a result of kind "check" of its own (its key names the run, so runs never replace each other), its payload
the whole report (blueprint.report.CheckReport.to_dict), its evidence summary what the Review page reads
(design.evidence): the outcome, when, the verdicts, the leakage counts, drift, the data's content hashes.
"""
from __future__ import annotations

import secrets

import sqlite_utils

from store.access import EDIT, check
from store.people import System, User, check_actor
from store.results import Evidence, put_result, record_evidence

KIND = "check"
SECTION = "evaluation"


def record_check(db: sqlite_utils.Database, project_id: int, report: dict, summary: dict, seconds: float, *,
                 by: User | System) -> Evidence:
    """Store one check's report and record it as evidence on the project; ``by`` must be allowed to edit it (an
    editor or owner), checked before anything is written."""
    check_actor(by)
    check(db, by, project_id, EDIT)
    data_hash = summary.get("data_hash") or ""
    key = {"check": report.get("checked_at"), "run": secrets.token_hex(6), "project": project_id}
    result = put_result(db, KIND, data_hash, key, report, seconds)
    return record_evidence(db, project_id, SECTION, result, None, summary, by)
