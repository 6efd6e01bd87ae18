"""store/drafts.py: a person's unsaved edits of a section, kept apart from the append-only revisions."""
from __future__ import annotations

import pytest

from store.db import open_store
from store.documents import latest_revision, list_revisions, save_revision
from store.drafts import (
    MAX_DRAFT_CHARS,
    DraftTooLargeError,
    claim_draft,
    delete_draft,
    get_draft,
    list_drafts,
    save_draft,
    save_draft_as_revision,
)
from store.errors import NotFoundError, StaleRevisionError
from store.people import System
from store.projects import create_project


@pytest.fixture
def project(mem_db):
    return create_project(mem_db, "Churn", created_by=System("test"))


def test_no_draft_until_someone_types(mem_db, project):
    assert get_draft(mem_db, project.id, "requirements", System("test", "Ana")) is None
    assert list_drafts(mem_db, project.id, System("test", "Ana")) == []


def test_draft_keeps_text_as_typed_even_invalid_and_is_not_a_revision(mem_db, project):
    values = {"business_objective": "Cut churn", "non_goals": "a\nb"}
    draft = save_draft(mem_db, project.id, "requirements", System("test", "Ana"), values, None)
    assert (draft.values, draft.base_revision_id, draft.author) == (values, None, "Ana")
    save_draft(mem_db, project.id, "evaluation", System("test", "Ana"), {"success_criteria": "recal >= 0.8"}, None)
    assert get_draft(mem_db, project.id, "evaluation", System("test", "Ana")).values == {
        "success_criteria": "recal >= 0.8"}
    assert list_revisions(mem_db, project.id) == []
    assert {d.section for d in list_drafts(mem_db, project.id, System("test", "Ana"))} == {"requirements", "evaluation"}


def test_one_draft_per_project_section_and_author(mem_db, project):
    save_draft(mem_db, project.id, "requirements", System("test", "Ana"), {"business_objective": "one"}, None)
    rev = save_revision(mem_db, project.id, {}, System("test", "Bo"), parent_id=None)
    save_draft(mem_db, project.id, "requirements", System("test", " Ana "), {"business_objective": "two"}, rev.id)
    save_draft(mem_db, project.id, "requirements", System("test", "Bo"), {"business_objective": "Bo's"}, rev.id)
    mine = get_draft(mem_db, project.id, "requirements", System("test", "Ana"))
    assert (mine.values["business_objective"], mine.base_revision_id) == ("two", rev.id)
    assert get_draft(mem_db, project.id, "requirements", System("test", "Bo")).values == {"business_objective": "Bo's"}
    assert mem_db["drafts"].count == 2


def test_delete_draft(mem_db, project):
    save_draft(mem_db, project.id, "model", System("test", "Ana"), {"loss": "focal"}, None)
    assert delete_draft(mem_db, project.id, "model", System("test", "Ana")) is True
    assert delete_draft(mem_db, project.id, "model", System("test", "Ana")) is False
    assert get_draft(mem_db, project.id, "model", System("test", "Ana")) is None


def test_draft_of_an_unknown_project_is_refused(mem_db):
    with pytest.raises(NotFoundError, match="no project with id 99"):
        save_draft(mem_db, 99, "model", System("test", "Ana"), {}, None)


def test_a_huge_draft_is_refused_with_the_limit(mem_db, project):
    with pytest.raises(DraftTooLargeError, match=f"at most {MAX_DRAFT_CHARS:,}"):
        save_draft(mem_db, project.id, "model", System("test", "Ana"), {"loss": "x" * MAX_DRAFT_CHARS}, None)


def test_a_nameless_draft_becomes_the_persons_once_they_give_their_name(mem_db, project):
    save_draft(mem_db, project.id, "data", System("test", ""), {"labels": "typed before naming"}, None)
    assert claim_draft(mem_db, project.id, "data", System("test", "")).values == {"labels": "typed before naming"}
    claimed = claim_draft(mem_db, project.id, "data", System("test", "Ana"))
    assert (claimed.author, claimed.values) == ("Ana", {"labels": "typed before naming"})
    assert get_draft(mem_db, project.id, "data", System("test", "")) is None
    save_draft(mem_db, project.id, "data", System("test", ""), {"labels": "someone else"}, None)
    # keeps her own
    assert claim_draft(mem_db, project.id, "data", System("test", "Ana")).values == {"labels": "typed before naming"}


def test_save_as_revision_clears_the_draft_in_one_step(mem_db, project):
    save_draft(mem_db, project.id, "requirements", System("test", "Ana"), {"business_objective": "Cut churn"}, None)
    saved = save_draft_as_revision(mem_db, project.id, "requirements", System("test", "Ana"),
                                   {"requirements": {"business_objective": "Cut churn"}}, parent_id=None)
    assert (saved.number, saved.author, saved.section) == (1, "Ana", "requirements")
    assert get_draft(mem_db, project.id, "requirements", System("test", "Ana")) is None


def test_stale_save_keeps_the_draft_and_writes_nothing(mem_db, project):
    first = save_revision(mem_db, project.id, {}, System("test", "Ana"), parent_id=None)
    save_revision(mem_db, project.id, {"model": {"loss": "Bo's"}}, System("test", "Bo"), parent_id=first.id,
                  section="model")
    save_draft(mem_db, project.id, "model", System("test", "Ana"), {"loss": "mine"}, first.id)
    with pytest.raises(StaleRevisionError, match="Not saved: Bo saved revision 2"):
        save_draft_as_revision(mem_db, project.id, "model", System("test", "Ana"), {"model": {"loss": "mine"}},
                               parent_id=first.id)
    assert get_draft(mem_db, project.id, "model", System("test", "Ana")).values == {"loss": "mine"}
    assert latest_revision(mem_db, project.id).number == 2


def test_drafts_survive_closing_and_reopening_the_store(home):
    db = open_store(home)
    project = create_project(db, "Fraud", created_by=System("test"))
    save_draft(db, project.id, "framing", System("test", "Ana"), {"ml_objective": "score each payment"}, None)
    db.close()
    db = open_store(home)
    assert get_draft(db, project.id, "framing", System("test", "Ana")).values == {"ml_objective": "score each payment"}
    db.close()
