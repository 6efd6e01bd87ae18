"""A data folder made by the version before sign-in (schema 7, names typed in the sidebar), opened by this one:
nothing lost, every typed name kept as the display name of a user the records now point to.

tests/fixtures/home-v7 was written by that version's store functions (a project by 'Ana Lima', revisions by Ana
and 'Ben Ode', a comment thread by 'Carla Reviewer' with Ana's reply, resolved; a decision; a dataset and a
finding resolved by Ben; Ana's draft; the local account named 'Ana Lima')."""
from __future__ import annotations

import shutil
from pathlib import Path

from store.access import list_activity, role_of
from store.datasets import list_datasets
from store.db import open_store
from store.documents import list_revisions
from store.drafts import list_drafts
from store.people import System, find_user
from store.projects import list_projects
from store.resolutions import list_resolutions
from store.reviews import list_comments, list_decisions
from store.schema import LATEST_VERSION, schema_version

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def test_a_version_7_data_folder_keeps_everything_and_its_typed_names(tmp_path):
    home = tmp_path / "home"
    shutil.copytree(FIXTURES / "home-v7", home)
    db = open_store(home)
    assert schema_version(db) == LATEST_VERSION
    [project] = list_projects(db)
    assert (project.name, project.created_by) == ("Churn model", "Ana Lima")
    ana, ben, carla = (find_user(db, f"typed:{n}") for n in ("Ana Lima", "Ben Ode", "Carla Reviewer"))
    assert (ana.display_name, ben.display_name, carla.display_name) == ("Ana Lima", "Ben Ode", "Carla Reviewer")
    assert project.created_by_id == ana.id
    assert [(r.number, r.author, r.author_id) for r in list_revisions(db, project.id)] == [(2, "Ben Ode", ben.id),
                                                                                          (1, "Ana Lima", ana.id)]
    thread = list_comments(db, project.id)
    assert [(c.author, c.author_id) for c in thread] == [("Carla Reviewer", carla.id), ("Ana Lima", ana.id)]
    assert (thread[0].resolved_by, thread[0].resolved_by_id) == ("Carla Reviewer", carla.id)
    [decision] = list_decisions(db, project.id)
    assert (decision.status, decision.author, decision.author_id) == ("changes requested", "Carla Reviewer", carla.id)
    [dataset] = list_datasets(db, project.id)
    assert ((dataset.name, dataset.uploaded_by, dataset.uploaded_by_id, dataset.rows)
            == ("churn.csv", "Ben Ode", ben.id, 4))
    [resolution] = list_resolutions(db, project.id)
    assert (resolution.resolved_by_id, resolution.reason) == (ben.id, "ids are dropped before training")
    assert [d.values for d in list_drafts(db, project.id, System("test", "Ana Lima"))] == [{"sources": "CRM export"}]
    local = find_user(db, "local:root")
    assert local.display_name == "Ana Lima" and local.is_admin        # the one person of the old install
    assert role_of(db, local, project.id) == "owner" and role_of(db, ben, project.id) is None
    assert list_activity(db, project.id) == []                         # nothing happened since: no invented history
    db.close()
