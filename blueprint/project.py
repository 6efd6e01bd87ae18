"""Where a check's design document comes from: a project file exported by the app (store.transfer), or a project in a
data folder (BLUEPRINT_HOME) with its stored datasets.

    project = from_project_file(Path("project.json"))          # CheckInputError saying what is wrong with the file
    project, db = from_home(Path("/srv/blueprint"), 3)           # the latest revision, resolutions and datasets
    project.content, project.revision["number"], project.resolved("id_column:sample_id", hash)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from blueprint.inputs import ROLES, CheckInputError, DataFile, read_bytes, stored_file
from store.datasets import data_file, list_datasets
from store.db import DB_FILE, open_store
from store.documents import latest_revision
from store.errors import StoreError
from store.projects import get_project
from store.resolutions import list_resolutions
from store.transfer import ImportFileError, parse_project_file


@dataclass(frozen=True)
class CheckedProject:
    """The project a check holds the data to.

    name: the project's name. origin: where it was read from, in words. project_id: its id in a data folder (None
    for a project file). content: the design document of its latest revision. revision: that revision's number,
    id, author and time. resolutions: the leakage findings people resolved, each {finding_key, dataset_hash,
    resolved_by, reason, created_at}. datasets: role -> the project's stored dataset with that role (a data
    folder only)."""

    name: str
    origin: str
    content: dict
    revision: dict
    resolutions: tuple[dict, ...] = ()
    project_id: int | None = None
    datasets: dict[str, DataFile] = field(default_factory=dict)

    def resolution(self, finding_key: str, dataset_hash: str) -> dict | None:
        """The resolution of a finding: one made on these very data, else one made on the same finding of another
        dataset of the project (a pipeline's data changes at every run; the finding and its reason stay)."""
        same = [r for r in self.resolutions if r.get("finding_key") == finding_key]
        exact = [r for r in same if r.get("dataset_hash") == dataset_hash]
        return (exact or same or [None])[-1]


def from_project_file(path: Path) -> CheckedProject:
    """The project in an exported project file (the app's 'Export project (JSON)'); CheckInputError when the file is
    missing, unreadable, not a project file, from another version, or holds no document."""
    data = read_bytes(path, "The project file")
    try:
        doc = parse_project_file(data)
    except ImportFileError as error:
        raise CheckInputError(f"{path}: {error}") from None
    revisions = sorted(doc["revisions"], key=lambda r: r["number"])
    if not revisions:
        raise CheckInputError(f"{path}: the project '{doc['project']['name']}' has no design document yet. Write it "
                              "in the app (Design page), then export the project again.")
    latest = revisions[-1]
    resolutions = tuple(r for r in doc.get("resolutions") or [] if isinstance(r, dict) and r.get("finding_key"))
    return CheckedProject(doc["project"]["name"], f"the project file {path}", latest["content"],
                          _revision_info(latest), resolutions)


def _revision_info(revision: dict) -> dict:
    return {"number": revision.get("number"), "id": revision.get("id"), "author": revision.get("author"),
            "created_at": revision.get("created_at")}


def open_home(home: Path):
    """The store of the data folder ``home``, which must exist (a check never creates one)."""
    if not (home / DB_FILE).is_file():
        raise CheckInputError(f"{home} is not a Blueprint data folder (it has no {DB_FILE}); give the folder the "
                              "server runs on (its BLUEPRINT_HOME).")
    try:
        return open_store(home)
    except StoreError as error:
        raise CheckInputError(str(error)) from None


def from_home(db, home: Path, project_id: int) -> CheckedProject:
    """Project ``project_id`` of the data folder's store ``db``: its latest revision, its resolutions and its
    datasets by role (a role no dataset has is left out; a project with one dataset uses it as its training data)."""
    try:
        project = get_project(db, project_id)
    except StoreError:
        raise CheckInputError(f"There is no project {project_id} in {home}; the number is the one in the app's "
                              "links (?project=3).") from None
    revision = latest_revision(db, project.id)
    if revision is None:
        raise CheckInputError(f"The project '{project.name}' has no design document yet. Write it in the app "
                              "(Design page) first.")
    resolutions = tuple({"finding_key": r.finding_key, "dataset_hash": r.dataset_hash, "resolved_by": r.resolved_by,
                         "reason": r.reason, "created_at": r.created_at} for r in list_resolutions(db, project.id))
    stored = list_datasets(db, project.id)          # newest first: the newest dataset of a role stands for it
    datasets = {}
    for role in ROLES:
        found = next((d for d in stored if d.role == role), None)
        if found is None and role == "train" and len(stored) == 1:
            found = stored[0]
        if found is not None and not found.is_sql:
            datasets[role] = stored_file(role, found, data_file(db, found.content_hash))
    info = {"number": revision.number, "id": revision.id, "author": revision.author, "created_at": revision.created_at}
    return CheckedProject(project.name, f"project {project.id} of the data folder {home}", revision.content, info,
                          resolutions, project.id, datasets)
