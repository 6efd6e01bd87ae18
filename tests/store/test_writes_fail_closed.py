"""Writes fail closed (issue 26): every store write takes who acts, a signed-in User or System (Blueprint itself);
a missing actor, None (a session that lost its person) or a plain name is a TypeError and nothing is written.
System writes are recorded under the same users as plain names were before: ``typed:<name>``, or Blueprint."""
from __future__ import annotations

import json

import pytest

from analysis.evidence import profile_settings
from analysis.reading.read import read_csv
from jobs.tasks import compute_and_store, plan_for
from store.checks import record_check
from store.datasets import add_dataset, delete_dataset, rename_dataset, set_role, update_source
from store.documents import save_revision
from store.drafts import claim_draft, delete_draft, get_draft, list_drafts, save_draft, save_draft_as_revision
from store.jobs import request_cancel, submit_job
from store.people import System, find_user
from store.projects import create_project, rename_project, set_archived
from store.resolutions import reopen_finding, resolve_finding
from store.results import put_result, record_evidence
from store.reviews import add_comment, decide, set_resolved
from store.transfer import export_project, import_project

CSV = b"id,x,y\n1,2,a\n2,3,b\n3,4,a\n4,5,b\n"
SEED = System("test", "Seed")
MISSING = object()


@pytest.fixture
def made(db):
    """A project with a dataset, a revision, a comment, a queued job and a stored result, all written by System."""
    project = create_project(db, "Fraud alerts", created_by=SEED)
    dataset, _ = add_dataset(db, project.id, "alerts.csv", read_csv(CSV, "alerts.csv"), SEED)
    revision = save_revision(db, project.id, {"requirements": {"business_objective": "Catch fraud"}}, SEED, None)
    comment = add_comment(db, project.id, "data", SEED, "Where do the labels come from?")
    job, _ = submit_job(db, plan_for(db, "profile", dataset, profile_settings(None)), project.id, dataset.id, "Profile",
                        SEED)
    result = put_result(db, "profile", dataset.content_hash, {"b": 2}, {"rows": 4}, 0.1)
    return {"db": db, "project": project, "dataset": dataset, "revision": revision, "comment": comment, "job": job,
            "result": result, "file": export_project(db, project.id)}


def _kw(name: str, actor) -> dict:
    return {} if actor is MISSING else {name: actor}


# (write, call with the actor given as a keyword, or left out when MISSING)
WRITES = [
    ("create_project", lambda t, a: create_project(t["db"], "New", **_kw("created_by", a))),
    ("rename_project", lambda t, a: rename_project(t["db"], t["project"].id, "Card fraud", **_kw("by", a))),
    ("set_archived", lambda t, a: set_archived(t["db"], t["project"].id, True, **_kw("by", a))),
    ("import_project", lambda t, a: import_project(t["db"], _json(t["file"]), **_kw("imported_by", a))),
    ("add_dataset", lambda t, a: add_dataset(t["db"], t["project"].id, "other.csv",
                                             read_csv(CSV + b"5,6,a\n", "other.csv"), **_kw("uploaded_by", a))),
    ("add_dataset (same bytes again)", lambda t, a: add_dataset(t["db"], t["project"].id, "again.csv",
                                                                read_csv(CSV, "again.csv"), **_kw("uploaded_by", a))),
    ("update_source", lambda t, a: update_source(t["db"], t["dataset"].id, read_csv(CSV, "x.csv"), {"kind": "sql"}, 4,
                                                 **_kw("by", a))),
    ("rename_dataset", lambda t, a: rename_dataset(t["db"], t["dataset"].id, "renamed.csv", **_kw("by", a))),
    ("set_role", lambda t, a: set_role(t["db"], t["dataset"].id, "test", **_kw("by", a))),
    ("delete_dataset", lambda t, a: delete_dataset(t["db"], t["dataset"].id, **_kw("by", a))),
    ("save_revision", lambda t, a: save_revision(t["db"], t["project"].id, {}, parent_id=t["revision"].id,
                                                 **_kw("author", a))),
    ("save_draft", lambda t, a: save_draft(t["db"], t["project"].id, "model", values={"loss": "focal"},
                                           base_revision_id=None, **_kw("author", a))),
    ("delete_draft", lambda t, a: delete_draft(t["db"], t["project"].id, "model", **_kw("author", a))),
    ("claim_draft", lambda t, a: claim_draft(t["db"], t["project"].id, "model", **_kw("author", a))),
    ("get_draft", lambda t, a: get_draft(t["db"], t["project"].id, "model", **_kw("author", a))),
    ("list_drafts", lambda t, a: list_drafts(t["db"], t["project"].id, **_kw("author", a))),
    ("save_draft_as_revision", lambda t, a: save_draft_as_revision(t["db"], t["project"].id, "model", content={},
                                                                   parent_id=t["revision"].id, **_kw("author", a))),
    ("add_comment", lambda t, a: add_comment(t["db"], t["project"].id, "data", body="Hi", **_kw("author", a))),
    ("set_resolved", lambda t, a: set_resolved(t["db"], t["comment"].id, **_kw("author", a))),
    ("decide", lambda t, a: decide(t["db"], t["project"].id, "approved", revision_id=t["revision"].id,
                                   **_kw("author", a))),
    ("submit_job", lambda t, a: submit_job(t["db"], plan_for(t["db"], "profile", t["dataset"], profile_settings("y")),
                                           t["project"].id, t["dataset"].id, "Profile for y", **_kw("created_by", a))),
    ("request_cancel", lambda t, a: request_cancel(t["db"], t["job"].id, **_kw("by", a))),
    ("record_evidence", lambda t, a: record_evidence(t["db"], t["project"].id, "data", t["result"], t["dataset"].id,
                                                     {"rows": 4}, **_kw("created_by", a))),
    ("resolve_finding", lambda t, a: resolve_finding(t["db"], t["project"].id, "id_column:id",
                                                     t["dataset"].content_hash, reason="An id.",
                                                     **_kw("resolved_by", a))),
    ("reopen_finding", lambda t, a: reopen_finding(t["db"], t["project"].id, "id_column:id",
                                                   t["dataset"].content_hash, **_kw("by", a))),
    ("record_check", lambda t, a: record_check(t["db"], t["project"].id, {"checked_at": "t"}, {"data_hash": "h"},
                                               0.1, **_kw("by", a))),
    ("compute_and_store", lambda t, a: compute_and_store(
        t["db"], plan_for(t["db"], "profile", t["dataset"], profile_settings(None)), t["project"].id, t["dataset"],
        **_kw("author", a))),
]


def _json(doc: dict) -> bytes:
    return json.dumps(doc).encode()


def _everything(db) -> dict:
    return {table: list(db.query(f"SELECT * FROM [{table}]")) for table in db.table_names()}


@pytest.mark.parametrize("actor", [MISSING, None, "", "Ana", "typed:Ana"],
                         ids=["missing", "None", "empty", "name", "typed"])
@pytest.mark.parametrize("write", WRITES, ids=[name for name, _ in WRITES])
def test_a_write_without_a_user_or_system_is_a_type_error_and_writes_nothing(made, write, actor):
    before = _everything(made["db"])
    with pytest.raises(TypeError) as raised:
        write[1](made, actor)
    if actor is not MISSING:
        assert "store.people.User" in str(raised.value) and "System" in str(raised.value), str(raised.value)
    assert _everything(made["db"]) == before


def test_system_writes_are_recorded_as_plain_names_were(db):
    """The audit trail keeps its users: a System with a name writes as ``typed:<name>``, one without as Blueprint."""
    project = create_project(db, "Churn", created_by=System("sample seed", "  Dr.  Ana "))
    assert project.created_by == "Dr. Ana" and find_user(db, "typed:Dr. Ana").id == project.created_by_id
    renamed = rename_project(db, project.id, "Churn model", by=System("import"))
    assert renamed.name == "Churn model"
    blueprint = find_user(db, "system:blueprint")
    assert blueprint.display_name == "Blueprint"
    assert db.execute("SELECT user_id FROM activity WHERE action = 'renamed the project'").fetchone()[0] == blueprint.id


def test_system_needs_a_reason(db):
    with pytest.raises(ValueError, match="needs a reason"):
        System("  ")
    with pytest.raises(TypeError, match="a str"):
        System("test", None)
