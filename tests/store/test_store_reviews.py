"""Store: threaded comments, resolution, decisions and the outdated approval."""
from __future__ import annotations

import pytest

from store.access import list_activity
from store.documents import latest_revision, save_revision
from store.errors import InvalidNameError, NotFoundError, StaleRevisionError
from store.people import System
from store.projects import create_project
from store.reviews import add_comment, decide, list_comments, list_decisions, review_state, set_resolved


@pytest.fixture
def project(mem_db):
    p = create_project(mem_db, "P", created_by=System("test"))
    save_revision(mem_db, p.id, {"data": {"labels": "manual"}}, System("test", "Ana"), parent_id=None)
    return p


def test_comments_thread_and_resolve(mem_db, project):
    first = add_comment(mem_db, project.id, "data", System("test", "Rae"), "How noisy are the labels?")
    reply = add_comment(mem_db, project.id, "ignored", System("test", "Ana"), "About 3% disagreement.",
                        parent_id=first.id)
    reply_to_reply = add_comment(mem_db, project.id, "x", System("test", "Rae"), "Thanks.", parent_id=reply.id)
    other = add_comment(mem_db, project.id, "data", System("test", "Rae"), "Which splits?")
    assert reply.section == "data" and reply.parent_id == first.id and reply_to_reply.parent_id == first.id
    assert [c.id for c in list_comments(mem_db, project.id, "data")] == [first.id, reply.id, reply_to_reply.id,
                                                                         other.id]
    resolved = set_resolved(mem_db, first.id, System("test", "Rae"))
    assert resolved.resolved_by == "Rae" and resolved.resolved_at
    assert set_resolved(mem_db, first.id, System("test", "Rae"), resolved=False).resolved_at is None


def test_comment_input_is_checked(mem_db, project):
    with pytest.raises(TypeError, match="store.people.User"):
        add_comment(mem_db, project.id, "data", "", "text")
    with pytest.raises(InvalidNameError, match="empty"):
        add_comment(mem_db, project.id, "data", System("test", "Rae"), "   ")
    with pytest.raises(NotFoundError):
        add_comment(mem_db, project.id, "data", System("test", "Rae"), "reply", parent_id=999)


def test_approval_becomes_outdated_after_an_edit(mem_db, project):
    assert review_state(mem_db, project.id).label == "draft"
    read = latest_revision(mem_db, project.id).id
    decide(mem_db, project.id, "in review", System("test", "Ana"), revision_id=read)
    decide(mem_db, project.id, "changes requested", System("test", "Rae"), "Add a threshold.", revision_id=read)
    approved = decide(mem_db, project.id, "approved", System("test", "Rae"), "Good to go.", evidence_ids=[1, 2],
                      revision_id=read)
    state = review_state(mem_db, project.id)
    assert (state.status, state.outdated, state.label) == ("approved", False, "approved")
    assert approved.evidence_ids == (1, 2) and approved.revision_id == latest_revision(mem_db, project.id).id
    base = latest_revision(mem_db, project.id)
    save_revision(mem_db, project.id, {"data": {"labels": "manual, double-read"}}, System("test", "Ana"),
                  parent_id=base.id)
    state = review_state(mem_db, project.id)
    assert state.outdated and "outdated" in state.label
    assert [d.status for d in list_decisions(mem_db, project.id)] == ["approved", "changes requested", "in review"]
    with pytest.raises(ValueError, match="not one of"):
        decide(mem_db, project.id, "rejected", System("test", "Rae"), revision_id=read)


# --- issue 26, hole 3: a decision names the revision the reviewer read ----------------------------------------------

def test_a_decision_on_a_revision_older_than_the_latest_is_refused_and_nothing_is_recorded(mem_db, project):
    read = latest_revision(mem_db, project.id)                                 # revision 1: what the reviewer read
    save_revision(mem_db, project.id, {"data": {"labels": "double-read"}}, System("test", "Ed"), parent_id=read.id)
    feed = len(list_activity(mem_db, project.id))
    with pytest.raises(StaleRevisionError, match=r"^Not recorded: revision 2 was saved by Ed at \d{4}-\d\d-\d\d "
                       r"\d\d:\d\d UTC after the one you read \(1\): read the changes and decide again\.$") as refused:
        decide(mem_db, project.id, "approved", System("test", "Rae"), "Ship it.", revision_id=read.id)
    assert (refused.value.latest.number, refused.value.read.number) == (2, 1)
    assert list_decisions(mem_db, project.id) == [] and review_state(mem_db, project.id).label == "draft"
    assert len(list_activity(mem_db, project.id)) == feed                     # nothing written, not even the feed
    recorded = decide(mem_db, project.id, "approved", System("test", "Rae"), "Ship it.",
                      revision_id=refused.value.latest.id)                      # after reading revision 2
    assert recorded.revision_id == latest_revision(mem_db, project.id).id
    assert not review_state(mem_db, project.id).outdated


def test_several_newer_revisions_are_named_and_a_decision_must_name_a_revision_of_its_project(mem_db, project):
    read = latest_revision(mem_db, project.id)
    parent = read
    for labels, who in (("double-read", "Ed"), ("triple-read", "Ana")):
        parent = save_revision(mem_db, project.id, {"data": {"labels": labels}}, System("test", who),
                               parent_id=parent.id)
    with pytest.raises(StaleRevisionError, match=r"^Not recorded: revisions 2 and 3 were saved after the one you read "
                       r"\(1\), the latest by Ana at .* UTC: read the changes and decide again\.$"):
        decide(mem_db, project.id, "changes requested", System("test", "Rae"), revision_id=read.id)
    other = create_project(mem_db, "Q", created_by=System("test"))
    elsewhere = save_revision(mem_db, other.id, {"data": {}}, System("test", "Ed"), parent_id=None)
    with pytest.raises(NotFoundError, match="not a revision of this project"):
        decide(mem_db, project.id, "in review", System("test", "Rae"), revision_id=elsewhere.id)
    with pytest.raises(TypeError):                                             # a decision always names what was read
        decide(mem_db, project.id, "in review", System("test", "Rae"))
    assert list_decisions(mem_db, project.id) == []
