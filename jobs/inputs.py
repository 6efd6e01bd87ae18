"""What an analysis unit reads, from a project in the store (analysis.units.Inputs): its datasets' rows, stored
files and metadata, a SQL dataset's profile computed by its database, and the design document's criteria; for a
candidate model's evaluation also the model version, its predictions, a baseline run's kept predictions and the
design document itself."""
from __future__ import annotations

import time
from dataclasses import dataclass

import pandas as pd
import sqlite_utils

from analysis.engine.table import open_table
from analysis.units import Computed, DatasetMeta, Plan, Progress
from jobs.sources import profile_sql
from store.datasets import Dataset, data_file, find_dataset
from store.documents import latest_revision
from store.errors import NotFoundError
from store.jobs import latest_job
from store.models import get_model_version, load_predictions
from store.results import get_result_meta, result_arrays, result_summary


def open_dataset(db: sqlite_utils.Database, dataset: Dataset, memory_rows: int | None, use_engine: bool | None = None):
    """The dataset's rows for an analysis: a DataFrame when it has at most ``memory_rows`` rows (None: always),
    else an analysis.engine.table FileTable on its stored Parquet file, whose rows are never all in memory (the
    analyses read its columns one at a time and their samples by position). ``use_engine`` forces one way."""
    path = data_file(db, dataset.content_hash)
    if not path.exists():
        raise NotFoundError(f"The data file of '{dataset.name}' is missing ({path}). Upload the file again.")
    if use_engine is None and memory_rows is None:
        use_engine = False
    return open_table(path, memory_rows or 0, use_engine)


class MissingInput(NotFoundError, LookupError):
    """Something a plan names is not (or no longer) in the project: a model version, a baseline run or its kept
    predictions. A LookupError for the analysis units that plan on it, a StoreError for the worker; the message says
    what to do."""


RUN_WAIT_S = 1800.0         # how long a candidate's job waits for the baseline run it was planned against
RUN_POLL_S = 0.5


@dataclass(frozen=True)
class RunPredictions:
    """A baseline run's kept predictions of its best model (analysis.baselines.stored's columns: model, row, truth,
    predicted, score; None while the run is still being computed), ``model`` (its name), ``result_id``, the run's
    ``classes`` in code order and ``positive_label``, and ``source``: "dataset" or "test_dataset", whose rows they
    are."""

    table: pd.DataFrame | None
    model: str
    result_id: int | None
    classes: tuple[str, ...]
    positive_label: str | None
    source: str


def _rows_source(dataset_hash: str, key: dict, rows_of: str | None) -> str:
    """Whose rows a run's predictions are that are wanted on the dataset ``rows_of``; NotFoundError when neither."""
    if rows_of == dataset_hash:
        return "dataset"
    if rows_of is not None and key.get("test_hash") == rows_of:
        return "test_dataset"
    raise MissingInput("That baseline run was made on other rows than these predictions: compare with a run on the "
                        "same dataset (or with it as its test dataset).")


def _kept_predictions(db: sqlite_utils.Database, result_id: int, source: str) -> RunPredictions:
    summary = result_summary(db, result_id)
    best = summary.get("best_model")
    table = result_arrays(db, result_id)
    if table is not None:
        table = table[(table["model"] == best) & (table["source"] == source)].reset_index(drop=True)
    if best is None or table is None or table.empty:
        raise MissingInput("That baseline run kept no predictions of its best model (it was stored before Blueprint "
                            "kept them). Run the baselines again to compare on the same rows.")
    return RunPredictions(table, str(best), result_id, tuple(summary.get("classes") or ()),
                          summary.get("positive_label"), source)


class StoreInputs:
    """The datasets of project ``project_id`` by content hash. criteria: the design document's success criteria
    (for the evidence summary of a run). use_engine: True or False forces how rows are read (tests, benchmarks)."""

    def __init__(self, db: sqlite_utils.Database, project_id: int, criteria: list | None = None,
                 use_engine: bool | None = None) -> None:
        self.db, self.project_id = db, project_id
        self.criteria = list(criteria or [])
        self.use_engine = use_engine
        self._datasets: dict[str, Dataset] = {}
        self._document: dict | None = None
        self._predictions: dict[int, pd.DataFrame] = {}

    def dataset(self, content_hash: str) -> Dataset:
        if content_hash not in self._datasets:
            found = find_dataset(self.db, self.project_id, content_hash)
            if found is None:
                raise MissingInput("A dataset this analysis reads is no longer in the project (deleted?). Choose "
                                    "another one and run again.")
            self._datasets[content_hash] = found
        return self._datasets[content_hash]

    def meta(self, content_hash: str) -> DatasetMeta:
        return DatasetMeta.of(self.dataset(content_hash))

    def open(self, content_hash: str, memory_rows: int | None):
        return open_dataset(self.db, self.dataset(content_hash), memory_rows, self.use_engine)

    def path(self, content_hash: str):
        path = data_file(self.db, content_hash)
        if not path.exists():
            raise NotFoundError(f"The data file of '{self.dataset(content_hash).name}' is missing ({path}). Upload "
                                "the file again.")
        return path

    @property
    def document(self) -> dict:
        """The content of the design document's latest revision ({} before the first save)."""
        if self._document is None:
            revision = latest_revision(self.db, self.project_id)
            self._document = revision.content if revision else {}
        return self._document

    def model_version(self, version_id: int):
        """The project's candidate model version ``version_id`` (store.models.ModelVersion); NotFoundError when it
        is not a live version of this project."""
        try:
            version = get_model_version(self.db, version_id)
        except NotFoundError as missing:
            raise MissingInput(str(missing)) from None
        if version.project_id != self.project_id:
            raise MissingInput(f"There is no candidate model version with id {version_id} in this project. Pick one "
                                "from the list.")
        return version

    def model_meta(self, version_id: int) -> DatasetMeta:
        """What a plan may know of a version's predictions table: its label, content hash, size and column types."""
        version = self.model_version(version_id)
        return DatasetMeta(version.label, version.predictions_hash or "", version.rows or 0, len(version.column_types),
                           dict(version.column_types), project_id=self.project_id)

    def model_predictions(self, version_id: int) -> pd.DataFrame:
        """A version's predictions as the reader produced them (read once per inputs)."""
        if version_id not in self._predictions:
            try:
                self._predictions[version_id] = load_predictions(self.db, self.model_version(version_id))
            except NotFoundError as missing:
                raise MissingInput(str(missing)) from None
        return self._predictions[version_id]

    def run_predictions(self, dataset_hash: str, key: dict, rows_of: str | None, wait: bool = False) -> RunPredictions:
        """The kept predictions of the best model of the baseline run stored under (dataset_hash, key), on the rows of
        the dataset ``rows_of`` (the run's own dataset, or its test dataset). While the run's job is queued or running,
        its table is None, or with ``wait`` (a worker computing a candidate planned meanwhile) it is waited for.
        NotFoundError (saying what to do) when there is no such run, its rows are another dataset's, or it kept no
        predictions."""
        source = _rows_source(dataset_hash, key, rows_of)
        found = get_result_meta(self.db, "run", dataset_hash, key)
        deadline = time.monotonic() + RUN_WAIT_S
        while found is None:
            job = latest_job(self.db, "run", dataset_hash, key)
            if job is None or not job.active:
                raise MissingInput("The baseline run to compare with is not stored (it failed, was cancelled, or its "
                                    "dataset was deleted). Run the baselines again, or compare without it.")
            if not wait:
                positive = ((job.plan or {}).get("resolved") or {}).get("positive_label")
                return RunPredictions(None, "", None, (), positive, source)
            if time.monotonic() > deadline:
                raise MissingInput(f"The baseline run to compare with was still running after {RUN_WAIT_S / 60:.0f} "
                                    "minutes. Run this evaluation again once it is done.")
            time.sleep(RUN_POLL_S)
            found = get_result_meta(self.db, "run", dataset_hash, key)
        return _kept_predictions(self.db, found.id, source)

    def describe_in_source(self, plan: Plan, progress: Progress) -> Computed | None:
        """A SQL dataset's profile, its exact figures computed by its own database (jobs.sources); None for a file."""
        dataset = self.dataset(plan.dataset)
        if not dataset.is_sql:
            return None

        payload, summary = profile_sql(self.db, dataset, plan.key(), progress)
        return Computed(payload, summary)
