"""Candidate models of a project: the team's own models, named and numbered ("gbm" v1, v2, ...), each version brought
from a predictions file or an MLflow run, with the dataset it predicts on and what its columns mean.

    version = add_model_version(db, project.id, "gbm", by=user, predictions=table, file_name="scores.csv",
                                dataset_hash=dataset.content_hash, roles={"target": "churned", "scores": {"yes": "p"}})
    version = add_model_version(db, project.id, "gbm", by=user, mlflow=found.source, run=run.logged(),
                                predictions=found.table, roles=..., grant=settings.grant(found.source))
    list_models(db, project.id)                        # [Model(name, versions newest first)]
    get_model_version(db, version.id); find_model_version(db, project.id, "gbm", 2)
    load_predictions(db, version)                      # the predictions as the reader produced them
    delete_model_version(db, version.id, by=user)      # editors and owners

A version's predictions are stored once per content hash as Parquet in ``<BLUEPRINT_HOME>/models/<sha256>.parquet``
(beside the datasets' folder, so deleting a dataset never removes a model's file, nor the reverse). Version numbers go
up per name in a project and are never given again: a deleted version keeps its row (``deleted_at``), so evidence
computed on "gbm v2" can still say what it was. Bringing a version from an MLflow server is checked against who may
use that server (``grant``, as for a SQL connection).
"""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pandas as pd
import sqlite_utils

from store.access import EDIT, authorize, check, record
from store.db import home_of, now, write_txn
from store.errors import InvalidNameError, NotFoundError, StoreError
from store.grants import ADMINS_ONLY, Grant, require_source
from store.people import System, User
from store.projects import get_project

MAX_NAME_CHARS = 80
MAX_NOTE_CHARS = 2000
TASKS = ("binary", "multiclass", "regression")
ROLE_KEYS = ("task", "target", "scores", "label", "key", "positive_label")
MLFLOW_KEYS = ("kind", "server", "run_id", "artifact_path", "experiment_id", "model_name", "model_version")
_HASH = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class ModelVersion:
    """One version of a candidate model.

    name, version: "gbm", 3 (``label``: "gbm v3"). source: where it came from: {"kind": "file", "file_name",
    "format", "size_bytes"} for a predictions file; {"kind": "mlflow", "server", "run_id", "artifact_path" (None for
    a run's metrics only), "experiment_id", "model_name", "model_version"} for an MLflow run. predictions_hash: the
    content hash of its predictions (None: metrics only), ``rows`` and ``column_types`` of them. dataset_hash: the
    stored dataset it predicts on (None: the predictions file is itself a scored dataset). roles: what the columns
    mean: task, target, scores ({class: column}), label, key, positive_label. run: what the MLflow run logged
    (params, metrics, tags, ...; {} for a file). created_by (name), created_by_id, created_at; deleted_at.
    """

    id: int
    project_id: int
    name: str
    version: int
    source: dict
    predictions_hash: str | None
    rows: int | None
    column_types: dict
    dataset_hash: str | None
    roles: dict
    run: dict
    note: str
    created_by: str
    created_by_id: int | None
    created_at: str
    deleted_at: str | None = None
    deleted_by_id: int | None = None

    @property
    def label(self) -> str:
        return f"{self.name} v{self.version}"

    @property
    def from_mlflow(self) -> bool:
        return self.source.get("kind") == "mlflow"

    @property
    def origin(self) -> str:
        """Where the version came from, in words: "scores.csv", "MLflow run 1c9b63dd on 'tracking'"."""
        if self.from_mlflow:
            path = self.source.get("artifact_path")
            return (f"MLflow run {self.source['run_id'][:8]} on '{self.source['server']}'"
                    + (f" ({path})" if path else " (metrics only)"))
        return self.source.get("file_name", "a predictions file")


@dataclass(frozen=True)
class Model:
    """A candidate model of a project: its ``name`` and its live ``versions``, the newest first."""

    name: str
    versions: tuple[ModelVersion, ...]

    @property
    def latest(self) -> ModelVersion:
        return self.versions[0]


def _version(row: dict) -> ModelVersion:
    return ModelVersion(**{**row, "source": json.loads(row["source"]), "column_types": json.loads(row["column_types"]),
                           "roles": json.loads(row["roles"]), "run": json.loads(row["run"])})


def predictions_file(db: sqlite_utils.Database, content_hash: str) -> Path:
    home = home_of(db)
    if home is None:
        raise StoreError("Model predictions need a store on disk; this one is in memory.")
    return home / "models" / f"{content_hash}.parquet"


# --- reading ---------------------------------------------------------------------------------------------------

def get_model_version(db: sqlite_utils.Database, version_id: int, *, include_deleted: bool = False) -> ModelVersion:
    """The version with this id; NotFoundError when there is none (or it was deleted, unless ``include_deleted``)."""
    rows = list(db.query("SELECT * FROM model_versions WHERE id = ?", [version_id]))
    if not rows or (rows[0]["deleted_at"] and not include_deleted):
        raise NotFoundError(f"There is no candidate model version with id {version_id} (it may have been deleted). "
                            "Pick one from the list.")
    return _version(rows[0])


def find_model_version(db: sqlite_utils.Database, project_id: int, name: str, version: int | None = None
                       ) -> ModelVersion:
    """Version ``version`` of the model ``name`` in the project (the latest when None); NotFoundError otherwise."""
    sql = "SELECT * FROM model_versions WHERE project_id = ? AND name = ? AND deleted_at IS NULL"
    args: list = [project_id, " ".join(str(name).split())]
    if version is not None:
        sql, args = sql + " AND version = ?", args + [int(version)]
    rows = list(db.query(sql + " ORDER BY version DESC LIMIT 1", args))
    if not rows:
        which = f"version {version} of " if version is not None else ""
        raise NotFoundError(f"This project has no {which}a candidate model named '{name}'. Pick one from the list.")
    return _version(rows[0])


def list_models(db: sqlite_utils.Database, project_id: int) -> list[Model]:
    """The project's candidate models by name, each with its live versions newest first; the model with the most
    recent version first."""
    rows = db.query("SELECT * FROM model_versions WHERE project_id = ? AND deleted_at IS NULL "
                    "ORDER BY version DESC", [project_id])
    grouped: dict[str, list[ModelVersion]] = {}
    for row in rows:
        grouped.setdefault(row["name"].lower(), []).append(_version(row))
    models = [Model(versions[0].name, tuple(versions)) for versions in grouped.values()]
    return sorted(models, key=lambda m: m.latest.created_at + f"{m.latest.id:012d}", reverse=True)


def load_predictions(db: sqlite_utils.Database, version: ModelVersion) -> pd.DataFrame:
    """The version's predictions as the reader produced them; NotFoundError for a version without predictions (an
    MLflow run's metrics only) or whose file is missing."""
    if version.predictions_hash is None:
        raise NotFoundError(f"{version.label} has no predictions: it holds what {version.origin} logged. Bring a "
                            "version with a predictions file to measure it on rows.")
    path = predictions_file(db, version.predictions_hash)
    if not path.exists():
        raise NotFoundError(f"The predictions file of {version.label} is missing ({path}). "
                            "Bring the predictions again.")
    return pd.read_parquet(path)


# --- writing ---------------------------------------------------------------------------------------------------

def add_model_version(db: sqlite_utils.Database, project_id: int, name: str, *, by: User | System, predictions=None,
                      file_name: str | None = None, mlflow: dict | None = None, run: dict | None = None,
                      dataset_hash: str | None = None, roles: dict | None = None, note: str = "",
                      grant: Grant = ADMINS_ONLY) -> ModelVersion:
    """Store the next version of the candidate model ``name`` (v1 for a new name) and return it.

    From a predictions file: ``predictions`` (an analysis.reading.read.Table) and ``file_name``. From an MLflow run:
    ``mlflow`` (the run's server, run_id, artifact_path when predictions come with it, experiment_id, and the
    registered model's name and version when picked that way: analysis.sources.mlflow_runs.ArtifactTable.source),
    ``run`` (what it logged: Run.logged()), and ``predictions`` when an artifact was read; ``grant``: who may use that
    server (SourceSettings.grant; left out, admins only). ``dataset_hash``: the project's dataset the predictions are
    about (None: they are a scored dataset); ``roles``: what the columns mean (see ModelVersion).

    Rights (EDIT) are checked before anything is written; everything is checked before the file is written; the
    file is written before the row, and removed again when the row cannot be written: nothing is stored half.
    """
    get_project(db, project_id)
    check(db, by, project_id, EDIT)
    name = _check_name(name)
    source = _check_source(predictions, file_name, mlflow)
    if source["kind"] == "mlflow":
        require_source(db, by, project_id, f"the MLflow server '{source['server']}'", grant)
    roles = _check_roles(roles, predictions)
    _check_dataset(db, project_id, dataset_hash)
    run = _check_run(run, source)
    note = _check_note(note)
    written = _write_predictions(db, predictions) if predictions is not None else None
    try:
        with write_txn(db):
            user = authorize(db, by, project_id, EDIT)
            name, number = _next_version(db, project_id, name)
            cursor = db.execute(
                "INSERT INTO model_versions (project_id, name, version, source, predictions_hash, rows, column_types, "
                "dataset_hash, roles, run, note, created_by, created_by_id, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [project_id, name, number, json.dumps(source),
                 predictions.content_hash if predictions is not None else None,
                 len(predictions.frame) if predictions is not None else None,
                 json.dumps(predictions.column_types if predictions is not None else {}), dataset_hash,
                 json.dumps(roles), json.dumps(run), note, user.display_name, user.id, now()])
            version = get_model_version(db, cursor.lastrowid)
            record(db, user, project_id, "brought a candidate model", f"{version.label} from {version.origin}",
                   _link(version))
    except BaseException:
        if written is not None:
            _remove_unused(db, written)
        raise
    return version


def delete_model_version(db: sqlite_utils.Database, version_id: int, *, by: User | System) -> ModelVersion:
    """Delete one version (editors and owners): it leaves the lists, its number is not given again, and its
    predictions file goes when no other live version uses it. Evidence computed on it is kept."""
    version = get_model_version(db, version_id)
    with write_txn(db):
        user = authorize(db, by, version.project_id, EDIT)
        db.execute("UPDATE model_versions SET deleted_at = ?, deleted_by_id = ? WHERE id = ?",
                   [now(), user.id, version_id])
        record(db, user, version.project_id, "deleted a candidate model version", version.label,
               f"models?project={version.project_id}")
    if version.predictions_hash:
        _remove_unused(db, version.predictions_hash)
    return version


def delete_model(db: sqlite_utils.Database, project_id: int, name: str, *, by: User | System) -> list[ModelVersion]:
    """Delete every live version of the model ``name`` (editors and owners), as delete_model_version does each."""
    model = next((m for m in list_models(db, project_id)
                  if m.name.lower() == " ".join(str(name).split()).lower()), None)
    if model is None:
        raise NotFoundError(f"This project has no candidate model named '{name}'. Pick one from the list.")
    with write_txn(db):
        user = authorize(db, by, project_id, EDIT)
        db.execute("UPDATE model_versions SET deleted_at = ?, deleted_by_id = ? WHERE project_id = ? AND name = ? "
                   "AND deleted_at IS NULL", [now(), user.id, project_id, model.name])
        record(db, user, project_id, "deleted a candidate model",
               f"{model.name} ({len(model.versions)} version{'s' if len(model.versions) > 1 else ''})",
               f"models?project={project_id}")
    for hash_ in {v.predictions_hash for v in model.versions if v.predictions_hash}:
        _remove_unused(db, hash_)
    return list(model.versions)


def _link(version: ModelVersion) -> str:
    return f"models?project={version.project_id}&model={quote(version.name)}&version={version.version}"


def _next_version(db: sqlite_utils.Database, project_id: int, name: str) -> tuple[str, int]:
    """(the model's name as first written, the next number): deleted versions count, so no number comes twice."""
    number = db.execute("SELECT COALESCE(MAX(version), 0) + 1 FROM model_versions WHERE project_id = ? AND name = ?",
                        [project_id, name]).fetchone()[0]
    first = db.execute("SELECT name FROM model_versions WHERE project_id = ? AND name = ? ORDER BY id LIMIT 1",
                       [project_id, name]).fetchone()
    return (first[0] if first else name), number


def _write_predictions(db: sqlite_utils.Database, table) -> str | None:
    """Write the predictions' Parquet file once per content hash; the hash when this call wrote it (None when the
    file was there already: a failure then must not remove what another version uses)."""
    path = predictions_file(db, table.content_hash)
    if path.exists():
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    table.frame.to_parquet(partial, index=False)
    os.replace(partial, path)
    return table.content_hash


def _remove_unused(db: sqlite_utils.Database, content_hash: str) -> None:
    used = db.execute("SELECT COUNT(*) FROM model_versions WHERE predictions_hash = ? AND deleted_at IS NULL",
                      [content_hash]).fetchone()[0]
    if not used:
        predictions_file(db, content_hash).unlink(missing_ok=True)


# --- checks, before anything is written ------------------------------------------------------------------------

def _check_name(name: str) -> str:
    name = " ".join(str(name or "").split())
    if not name:
        raise InvalidNameError("A candidate model needs a name. Type one, for example 'gbm' (versions are numbered "
                               "for you: gbm v1, v2, ...).")
    if len(name) > MAX_NAME_CHARS:
        raise InvalidNameError(f"The model's name is {len(name)} characters long; the limit is {MAX_NAME_CHARS}.")
    return name


def _check_note(note: str) -> str:
    note = str(note or "").strip()
    if len(note) > MAX_NOTE_CHARS:
        raise StoreError(f"The note is {len(note):,} characters long; the limit is {MAX_NOTE_CHARS:,}. Shorten it.")
    return note


def _check_source(predictions, file_name: str | None, mlflow: dict | None) -> dict:
    if mlflow is None:
        if predictions is None or not str(file_name or "").strip():
            raise StoreError("A candidate model version comes from a predictions file (give the file and its name) "
                             "or from an MLflow run (give the server and the run).")
        return {"kind": "file", "file_name": str(file_name).strip(), "format": predictions.format,
                "size_bytes": predictions.size_bytes}
    if predictions is not None and file_name:
        raise StoreError("A version comes from one place: a predictions file or an MLflow run, not both.")
    unknown = sorted(set(mlflow) - set(MLFLOW_KEYS))
    if unknown:
        raise StoreError(f"The MLflow source has unknown keys {', '.join(unknown)}; the known ones are "
                         f"{', '.join(MLFLOW_KEYS[1:])}.")
    for key in ("server", "run_id"):
        if not isinstance(mlflow.get(key), str) or not mlflow[key].strip():
            raise StoreError(f"An MLflow source needs its {key.replace('_', ' ')}: pick the server and the run.")
    path = mlflow.get("artifact_path")
    if (predictions is None) != (not path):
        raise StoreError("An MLflow version's predictions come with the artifact they were read from: give both the "
                         "artifact path and the table read from it, or neither (the run's metrics only).")
    return {**{k: None for k in MLFLOW_KEYS}, **mlflow, "kind": "mlflow"}


def _check_roles(roles: dict | None, predictions) -> dict:
    """What the columns mean, as given, checked for shape; the model's own columns (scores, label, key) must be
    columns of the predictions, and so must the target unless a key joins the predictions to a dataset."""
    roles = dict(roles or {})
    unknown = sorted(set(roles) - set(ROLE_KEYS))
    if unknown:
        raise StoreError(f"Unknown column roles {', '.join(unknown)}; the known ones are {', '.join(ROLE_KEYS)}.")
    for key in ("target", "label", "key"):
        if roles.get(key) is not None and not isinstance(roles[key], str):
            raise StoreError(f"The {key} must be a column's name; got {roles[key]!r}.")
    if roles.get("task") is not None and roles["task"] not in TASKS:
        raise StoreError(f"The task must be one of {', '.join(TASKS)}; got {roles['task']!r}.")
    scores = roles.get("scores") or {}
    if not isinstance(scores, dict) or not all(isinstance(c, str) for c in scores.values()):
        raise StoreError("The scores must map each class to the column holding its probability, e.g. "
                         '{"yes": "score"}.')
    roles["scores"] = {str(k): v for k, v in scores.items()}
    if roles.get("positive_label") is not None:
        roles["positive_label"] = str(roles["positive_label"])
    if predictions is not None:
        columns = set(map(str, predictions.frame.columns))
        named = [*scores.values(), *(roles[k] for k in ("label", "key") if roles.get(k))]
        if roles.get("target") and not roles.get("key"):
            named.append(roles["target"])
        missing = [c for c in named if c not in columns]
        if missing:
            raise StoreError(f"The predictions have no column {', '.join(repr(c) for c in missing)}; their columns are "
                             f"{', '.join(sorted(columns)[:20])}. Pick the columns again.")
    return roles


def _check_dataset(db: sqlite_utils.Database, project_id: int, dataset_hash: str | None) -> None:
    if dataset_hash is None:
        return
    if not isinstance(dataset_hash, str) or not _HASH.match(dataset_hash):
        raise StoreError(f"{dataset_hash!r} is not a dataset's content hash (64 hexadecimal digits).")
    found = db.execute("SELECT 1 FROM datasets WHERE project_id = ? AND content_hash = ?",
                       [project_id, dataset_hash]).fetchone()
    if found is None:
        raise NotFoundError("The predictions are said to be about a dataset this project does not have (it may have "
                            "been deleted). Pick one of the project's datasets.")


def _check_run(run: dict | None, source: dict) -> dict:
    if source["kind"] == "file":
        if run:
            raise StoreError("Only a version from an MLflow run has the run's params, metrics and tags.")
        return {}
    if run is None or not isinstance(run, dict):
        raise StoreError("Give what the MLflow run logged (its params, metrics and tags: Run.logged()).")
    try:
        json.dumps(run)
    except (TypeError, ValueError) as error:
        raise StoreError(f"What the MLflow run logged cannot be stored as JSON ({error}).") from None
    if run.get("run_id") not in (None, source["run_id"]):
        raise StoreError(f"The run's params and metrics are of run {run['run_id']}, not of {source['run_id']}.")
    return run
