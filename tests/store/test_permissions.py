"""Rights are checked where data is written: every store write, made as each role, is allowed or refused as the
roles say (viewer: read; editor: edit; reviewer: review; owner: all and manage), for a stranger refused, and for a
read-only link refused whatever the role. Then the bad-input cases: an unknown email is invited (pending), the
last owner cannot go, a member removed while signed in has their next write refused, self-approval."""
from __future__ import annotations

import pytest

from analysis.evidence import profile_settings
from analysis.reading.read import read_csv
from jobs.tasks import plan_for
from store import access
from store.access import (
    EDIT,
    MANAGE,
    READ,
    REVIEW,
    RIGHTS,
    PermissionDenied,
    add_member,
    list_members,
    remove_member,
    role_of,
)
from store.datasets import add_dataset, delete_dataset, rename_dataset, set_role
from store.documents import latest_revision, save_revision
from store.drafts import save_draft, save_draft_as_revision
from store.errors import StoreError
from store.grants import EVERYONE
from store.jobs import request_cancel, submit_job
from store.people import see_user, sync_admin
from store.projects import create_project, rename_project, set_archived
from store.resolutions import reopen_finding, resolve_finding
from store.results import put_result, record_evidence
from store.reviews import add_comment, decide, set_resolved

CSV = b"id,x,y\n1,2,a\n2,3,b\n3,4,a\n4,5,b\n"


@pytest.fixture
def team(db):
    """An admin (listed in the settings), an owner who created the project, an editor, a reviewer, a viewer and a
    stranger; a dataset, a revision, a comment and a queued job to act on."""
    people = {"admin": sync_admin(db, see_user(db, "admin@example.org", "Ada Admin"), True)}
    for role in ("owner", "editor", "reviewer", "viewer", "stranger"):
        people[role] = see_user(db, f"{role}@example.org", role.title())
    project = create_project(db, "Fraud alerts", created_by=people["owner"], creators=EVERYONE)
    for role in ("editor", "reviewer", "viewer"):
        add_member(db, people["owner"], project.id, f"{role}@example.org", role)
    dataset, _ = add_dataset(db, project.id, "payments.csv", read_csv(CSV, "payments.csv"), people["editor"])
    revision = save_revision(db, project.id, {"requirements": {"objective": "Catch fraud"}}, people["editor"], None,
                             "requirements")
    comment = add_comment(db, project.id, "requirements", people["reviewer"], "Which fraud?")
    job, _ = submit_job(db, plan_for(db, "profile", dataset, profile_settings(None)), project.id, dataset.id, "Profile",
                        people["editor"])
    result = put_result(db, "profile", dataset.content_hash, {"b": 2}, {"rows": 4}, 0.1)
    return dict(db=db, people=people, project=project, dataset=dataset, revision=revision, comment=comment, job=job,
                result=result)


# every store write: (name, right it needs, the write made as ``user``)
WRITES = [
    ("save_revision", EDIT, lambda t, u: save_revision(t["db"], t["project"].id, {"data": {"sources": "CRM"}}, u,
                                                       latest_revision(t["db"], t["project"].id).id, "data")),
    ("save_draft", EDIT, lambda t, u: save_draft(t["db"], t["project"].id, "data", u, {"sources": "x"}, None)),
    ("save_draft_as_revision", EDIT, lambda t, u: save_draft_as_revision(
        t["db"], t["project"].id, "data", u, {"data": {"sources": "CRM"}},
        latest_revision(t["db"], t["project"].id).id)),
    ("add_dataset", EDIT, lambda t, u: add_dataset(t["db"], t["project"].id, "more.csv",
                                                   read_csv(CSV + b"5,6,a\n", "more.csv"), u)),
    ("rename_dataset", EDIT, lambda t, u: rename_dataset(t["db"], t["dataset"].id, "renamed.csv", by=u)),
    ("set_role", EDIT, lambda t, u: set_role(t["db"], t["dataset"].id, "test", by=u)),
    ("delete_dataset", EDIT, lambda t, u: delete_dataset(t["db"], t["dataset"].id, by=u)),
    ("submit_job", EDIT, lambda t, u: submit_job(t["db"],
                                                 plan_for(t["db"], "profile", t["dataset"], profile_settings("y")),
                                                 t["project"].id, t["dataset"].id, "Profile for y", u)),
    ("request_cancel", EDIT, lambda t, u: request_cancel(t["db"], t["job"].id, by=u)),
    ("resolve_finding", EDIT, lambda t, u: resolve_finding(t["db"], t["project"].id, "id_column:id",
                                                           t["dataset"].content_hash, u, "dropped before training")),
    ("reopen_finding", EDIT, lambda t, u: reopen_finding(t["db"], t["project"].id, "id_column:id",
                                                         t["dataset"].content_hash, by=u)),
    ("record_evidence", EDIT, lambda t, u: record_evidence(t["db"], t["project"].id, "data", t["result"],
                                                           t["dataset"].id, {"dataset": "payments.csv"}, u)),
    ("add_comment", REVIEW, lambda t, u: add_comment(t["db"], t["project"].id, "data", u, "Where from?")),
    ("set_resolved", REVIEW, lambda t, u: set_resolved(t["db"], t["comment"].id, u)),
    ("decide", REVIEW, lambda t, u: decide(t["db"], t["project"].id, "changes requested", u, "Name the baseline",
                                          revision_id=latest_revision(t["db"], t["project"].id).id)),
    ("rename_project", MANAGE, lambda t, u: rename_project(t["db"], t["project"].id, "Card fraud", by=u)),
    ("set_archived", MANAGE, lambda t, u: set_archived(t["db"], t["project"].id, True, by=u)),
    ("add_member", MANAGE, lambda t, u: add_member(t["db"], u, t["project"].id, "new@example.org", "viewer")),
    ("remove_member", MANAGE, lambda t, u: remove_member(t["db"], u, t["project"].id, "viewer@example.org")),
    ("set_self_approval", MANAGE, lambda t, u: access.set_self_approval(t["db"], u, t["project"].id, True)),
]
ROLES = {"admin": "owner", "owner": "owner", "editor": "editor", "reviewer": "reviewer", "viewer": "viewer",
         "stranger": None}
A_ROLE = {"owner": "an owner", "editor": "an editor", "reviewer": "a reviewer", "viewer": "a viewer"}   # as written


@pytest.mark.parametrize("person", list(ROLES))
@pytest.mark.parametrize("name,right,write", WRITES, ids=[w[0] for w in WRITES])
def test_every_write_is_allowed_or_refused_as_the_role_says(team, person, name, right, write):
    user, role = team["people"][person], ROLES[person]
    activity_before = len(access.list_activity(team["db"], team["project"].id))
    if role is not None and right in RIGHTS[role]:
        write(team, user)
        if name != "save_draft":           # a draft is the person's unsaved text, not an event of the project
            feed = access.list_activity(team["db"], team["project"].id)
            assert len(feed) > activity_before and feed[0].user_id == user.id     # recorded as who did it
    else:
        with pytest.raises(PermissionDenied,
                           match=f"{user.display_name} is (not a member|{A_ROLE.get(role)}) of this project"):
            write(team, user)
        assert len(access.list_activity(team["db"], team["project"].id)) == activity_before   # nothing written


@pytest.mark.parametrize("name,right,write", WRITES, ids=[w[0] for w in WRITES])
def test_a_read_only_link_refuses_every_write_even_to_an_owner(team, name, right, write):
    with pytest.raises(PermissionDenied, match="read-only link"):
        write(team, access.read_only(team["people"]["owner"]))


def test_reading_is_for_members_and_admins(team):
    db, people, project = team["db"], team["people"], team["project"]
    assert all(access.can(db, people[p], project.id, READ) for p in ("admin", "owner", "editor", "reviewer", "viewer"))
    assert not access.can(db, people["stranger"], project.id, READ)
    assert access.visible_project_ids(db, people["stranger"]) == set()
    assert access.visible_project_ids(db, people["admin"]) is None          # every project


def test_an_unknown_email_is_invited_shown_pending_and_becomes_a_member_on_first_sign_in(team):
    db, owner, project = team["db"], team["people"]["owner"], team["project"]
    add_member(db, owner, project.id, "dana@example.org", "reviewer")
    pending = [m for m in list_members(db, project.id) if m.email == "dana@example.org"]
    assert [(m.role, m.pending) for m in pending] == [("reviewer", True)]
    dana = see_user(db, "dana@example.org", "Dana")                          # her first sign-in
    assert [(m.role, m.pending) for m in list_members(db, project.id)
            if m.email == "dana@example.org"] == [("reviewer", False)]
    add_comment(db, project.id, "data", dana, "Looks fine")
    with pytest.raises(StoreError, match="not an email address"):
        add_member(db, owner, project.id, "dana", "viewer")
    with pytest.raises(StoreError, match="'admin' is not a role"):
        add_member(db, owner, project.id, "eve@example.org", "admin")


def test_the_last_owner_cannot_be_removed_or_demoted(team):
    db, owner, project = team["db"], team["people"]["owner"], team["project"]
    with pytest.raises(StoreError, match="only owner"):
        remove_member(db, owner, project.id, "owner@example.org")
    with pytest.raises(StoreError, match="only owner"):
        add_member(db, owner, project.id, "owner@example.org", "editor")
    add_member(db, owner, project.id, "editor@example.org", "owner")
    remove_member(db, owner, project.id, "owner@example.org")               # now there is another owner
    assert access.role_of(db, owner, project.id) is None


def test_a_member_removed_while_signed_in_has_the_next_write_refused(team):
    db, owner, editor, project = team["db"], team["people"]["owner"], team["people"]["editor"], team["project"]
    signed_in = editor                                                       # the User their session holds
    remove_member(db, owner, project.id, "editor@example.org")
    with pytest.raises(PermissionDenied, match="Editor is not a member of this project"):
        save_revision(db, project.id, {"data": {}}, signed_in, latest_revision(db, project.id).id, "data")


def test_the_author_of_the_latest_revision_cannot_approve_it_unless_the_project_allows(team):
    db, people, project = team["db"], team["people"], team["project"]
    add_member(db, people["owner"], project.id, "editor@example.org", "owner")      # an owner may review...
    editor = people["editor"]                                                        # ...and wrote the latest revision
    with pytest.raises(PermissionDenied, match="wrote revision 1, so cannot approve it"):
        decide(db, project.id, "approved", editor, revision_id=team["revision"].id)
    assert decide(db, project.id, "approved", people["reviewer"], revision_id=team["revision"].id).status == "approved"
    access.set_self_approval(db, people["owner"], project.id, True)
    assert decide(db, project.id, "approved", editor, revision_id=team["revision"].id).author_id == editor.id


def test_the_creator_is_the_owner_and_the_feed_says_who_did_what(team):
    db, project = team["db"], team["project"]
    assert access.role_of(db, team["people"]["owner"], project.id) == "owner"
    feed = access.list_activity(db, project.id)
    assert [a.action for a in reversed(feed)][:6] == ["created the project", "added a member", "added a member",
                                                       "added a member", "uploaded a dataset", "saved revision 1"]
    assert feed[-1].who == "Owner" and feed[-1].link == f"home?project={project.id}"


def test_with_sign_in_the_first_person_is_not_an_admin_and_a_name_removed_from_the_list_loses_admin(db):
    """Issue 26, hole 1: admins are exactly the settings' list; coming first makes nobody an admin."""
    early = see_user(db, "early@example.org", "Early")                    # the first request through the proxy
    assert not early.is_admin
    listed = sync_admin(db, see_user(db, "admin@example.org", "Admin"), True)
    assert listed.is_admin and role_of(db, listed, 1) == "owner"
    dropped = sync_admin(db, see_user(db, "admin@example.org", "Admin"), False)   # removed from the list
    assert not dropped.is_admin and role_of(db, dropped, 1) is None


def test_local_mode_keeps_the_first_person_rule(db):
    assert see_user(db, "local:ana", "ana", first_is_admin=True).is_admin
    assert not see_user(db, "local:ben", "ben", first_is_admin=True).is_admin
