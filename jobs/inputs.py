"""What an analysis unit reads, from a project in the store (analysis.units.Inputs): its datasets' rows, stored
files and metadata, a SQL dataset's profile computed by its database, and the design document's criteria."""
from __future__ import annotations

import sqlite_utils

from analysis.units import Computed, DatasetMeta, Plan, Progress
from store.datasets import Dataset, data_file, find_dataset
from store.errors import NotFoundError


def open_dataset(db: sqlite_utils.Database, dataset: Dataset, memory_rows: int | None, use_engine: bool | None = None):
    """The dataset's rows for an analysis: a DataFrame when it has at most ``memory_rows`` rows (None: always),
    else an analysis.engine.table FileTable on its stored Parquet file, whose rows are never all in memory (the
    analyses read its columns one at a time and their samples by position). ``use_engine`` forces one way."""
    from analysis.engine.table import open_table

    path = data_file(db, dataset.content_hash)
    if not path.exists():
        raise NotFoundError(f"The data file of '{dataset.name}' is missing ({path}). Upload the file again.")
    if use_engine is None and memory_rows is None:
        use_engine = False
    return open_table(path, memory_rows or 0, use_engine)


class StoreInputs:
    """The datasets of project ``project_id`` by content hash. criteria: the design document's success criteria
    (for the evidence summary of a run). use_engine: True or False forces how rows are read (tests, benchmarks)."""

    def __init__(self, db: sqlite_utils.Database, project_id: int, criteria: list | None = None,
                 use_engine: bool | None = None) -> None:
        self.db, self.project_id = db, project_id
        self.criteria = list(criteria or [])
        self.use_engine = use_engine
        self._datasets: dict[str, Dataset] = {}

    def dataset(self, content_hash: str) -> Dataset:
        if content_hash not in self._datasets:
            found = find_dataset(self.db, self.project_id, content_hash)
            if found is None:
                raise NotFoundError("A dataset this analysis reads is no longer in the project (deleted?). Choose "
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

    def describe_in_source(self, plan: Plan, progress: Progress) -> Computed | None:
        """A SQL dataset's profile, its exact figures computed by its own database (jobs.sources); None for a file."""
        dataset = self.dataset(plan.dataset)
        if not dataset.is_sql:
            return None
        from jobs.sources import profile_sql

        payload, summary = profile_sql(self.db, dataset, plan.key(), progress)
        return Computed(payload, summary)
