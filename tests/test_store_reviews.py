"""Store: threaded comments, resolution, decisions and the outdated approval."""
from __future__ import annotations

import pytest

from store.documents import latest_revision, save_revision
from store.errors import InvalidNameError, NotFoundError
from store.projects import create_project
from store.reviews import add_comment, decide, list_comments, list_decisions, review_state, set_resolved


@pytest.fixture
def project(mem_db):
    p = create_project(mem_db, "P")
    save_revision(mem_db, p.id, {"data": {"labels": "manual"}}, "Ana", parent_id=None)
    return p


def test_comments_thread_and_resolve(mem_db, project):
    first = add_comment(mem_db, project.id, "data", "Rae", "How noisy are the labels?")
    reply = add_comment(mem_db, project.id, "ignored", "Ana", "About 3% disagreement.", parent_id=first.id)
    reply_to_reply = add_comment(mem_db, project.id, "x", "Rae", "Thanks.", parent_id=reply.id)
    other = add_comment(mem_db, project.id, "data", "Rae", "Which splits?")
    assert reply.section == "data" and reply.parent_id == first.id and reply_to_reply.parent_id == first.id
    assert [c.id for c in list_comments(mem_db, project.id, "data")] == [first.id, reply.id, reply_to_reply.id, other.id]
    resolved = set_resolved(mem_db, first.id, "Rae")
    assert resolved.resolved_by == "Rae" and resolved.resolved_at
    assert set_resolved(mem_db, first.id, "Rae", resolved=False).resolved_at is None


def test_comment_input_is_checked(mem_db, project):
    with pytest.raises(InvalidNameError, match="Enter your name"):
        add_comment(mem_db, project.id, "data", "", "text")
    with pytest.raises(InvalidNameError, match="empty"):
        add_comment(mem_db, project.id, "data", "Rae", "   ")
    with pytest.raises(NotFoundError):
        add_comment(mem_db, project.id, "data", "Rae", "reply", parent_id=999)


def test_approval_becomes_outdated_after_an_edit(mem_db, project):
    assert review_state(mem_db, project.id).label == "draft"
    decide(mem_db, project.id, "in review", "Ana")
    decide(mem_db, project.id, "changes requested", "Rae", "Add a threshold.")
    approved = decide(mem_db, project.id, "approved", "Rae", "Good to go.", evidence_ids=[1, 2])
    state = review_state(mem_db, project.id)
    assert (state.status, state.outdated, state.label) == ("approved", False, "approved")
    assert approved.evidence_ids == (1, 2) and approved.revision_id == latest_revision(mem_db, project.id).id
    base = latest_revision(mem_db, project.id)
    save_revision(mem_db, project.id, {"data": {"labels": "manual, double-read"}}, "Ana", parent_id=base.id)
    state = review_state(mem_db, project.id)
    assert state.outdated and "outdated" in state.label
    assert [d.status for d in list_decisions(mem_db, project.id)] == ["approved", "changes requested", "in review"]
    with pytest.raises(ValueError, match="not one of"):
        decide(mem_db, project.id, "rejected", "Rae")
