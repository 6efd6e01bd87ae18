"""The data a check reads, as the analysis units read data (analysis.units.Inputs), from files named on the command
line or from a project's stored datasets.

    files = data_options(["train=data/train.parquet", "reference=ref.csv"])   # role -> path
    given = read_file(Path("data/train.parquet"), "train")                      # the one reader; CheckInputError if not
    inputs = FileInputs(folder, criteria); inputs.add(given)
    inputs.open(given.meta.content_hash, 100_000)   # a DataFrame up to that many rows, else a FileTable

A file is read once by the one reader (analysis.reading.read: CSV, gzip-compressed CSV, Parquet, .xlsx, a logged MLflow
table) and kept in memory; a unit asking for fewer rows in memory than the file has reads it through
analysis.engine.table's FileTable, on a Parquet file written once into the check's temporary folder, exactly as a
worker reads a stored dataset (jobs.inputs).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.engine.table import FileTable, open_table
from analysis.reading.read import MAX_FRAME_BYTES, ReadError, format_size, read_table
from analysis.units import Computed, DatasetMeta, Plan, Progress

ROLES = ("train", "test", "reference", "current")      # store.datasets.ROLES: what each --data file is for
ROLE_WORDS = {"train": "the data checked (leakage; the baselines train on it)", "test": "held-out rows",
              "reference": "the drift check's reference", "current": "the drift check's current side"}


class CheckInputError(ValueError):
    """Bad input to ``blueprint check``; the message is one line saying what is wrong and what to do."""


@dataclass
class DataFile:
    """One dataset a check reads. role: a key of ROLES, or "predictions". origin: where it came from, in words (the
    path given, or the project's stored dataset). meta: its DatasetMeta (name, content hash, rows, column types).
    frame: its rows when read from a file (None for a stored dataset, read from ``parquet``). parquet: its Parquet
    file, once written (a stored dataset's own file). format, size_bytes: of the file as given."""

    role: str
    origin: str
    meta: DatasetMeta
    frame: pd.DataFrame | None = None
    parquet: Path | None = None
    format: str = "parquet"
    size_bytes: int = 0

    @property
    def name(self) -> str:
        return self.meta.name

    def describe(self) -> dict:
        """What the JSON output and the stored evidence say of it."""
        return {"role": self.role, "name": self.name, "origin": self.origin, "sha256": self.meta.content_hash,
                "rows": self.meta.rows, "columns": self.meta.columns, "format": self.format,
                "size_bytes": self.size_bytes}


def data_options(values: list[str] | None) -> dict[str, Path]:
    """The --data options as role -> path: ``ROLE=PATH``, or a bare ``PATH`` for the data checked (train)."""
    found: dict[str, Path] = {}
    for raw in values or []:
        role, sep, path = raw.partition("=")
        if not sep or "/" in role or "\\" in role or "." in role:
            role, path = "train", raw
        role = role.strip().lower()
        if role not in ROLES:
            raise CheckInputError(f"--data {raw}: '{role}' is not a role; write --data ROLE=PATH with ROLE one of "
                                  + ", ".join(f"{r} ({ROLE_WORDS[r]})" for r in ROLES) + ".")
        if not path.strip():
            raise CheckInputError(f"--data {raw}: the path is missing; write --data {role}=PATH.")
        if role in found:
            raise CheckInputError(f"--data {role}= is given twice ({found[role]} and {path}); give one file per role.")
        found[role] = Path(path).expanduser()
    return found


def read_bytes(path: Path, what: str) -> bytes:
    """The bytes of ``path``; CheckInputError naming the file and the problem (missing, a folder, unreadable)."""
    if not path.exists():
        raise CheckInputError(f"{what} {path}: no such file. Check the path (relative paths start in "
                              f"{Path.cwd()}).")
    if path.is_dir():
        raise CheckInputError(f"{what} {path} is a folder; give the path of a file.")
    try:
        return path.read_bytes()
    except OSError as error:
        raise CheckInputError(f"{what} {path} cannot be read ({error.strerror or type(error).__name__}); check its "
                              "permissions.") from None


def read_file(path: Path, role: str) -> DataFile:
    """The file at ``path`` read by the one reader, for ``role``; CheckInputError saying what is wrong with it."""
    what = "The predictions file" if role == "predictions" else f"The {role} data file"
    data = read_bytes(path, what)
    try:
        table = read_table(data, path.name, max_bytes=MAX_FRAME_BYTES)
    except ReadError as error:
        raise CheckInputError(" ".join(f"{what} {error}".split())) from None
    meta = DatasetMeta(path.name, table.content_hash, len(table.frame), table.frame.shape[1],
                       dict(table.column_types), role=None if role == "predictions" else role)
    return DataFile(role, str(path), meta, frame=table.frame, format=table.format, size_bytes=len(data))


def stored_file(role: str, dataset, path: Path) -> DataFile:
    """A project's stored dataset (store.datasets.Dataset) and its Parquet file, for ``role``."""
    if not path.exists():
        raise CheckInputError(f"The data file of the project's dataset '{dataset.name}' is missing ({path}); upload "
                              "it again, or give the data with --data.")
    meta = DatasetMeta.of(dataset)
    return DataFile(role, f"the project's dataset '{dataset.name}'", meta, parquet=path,
                    size_bytes=dataset.size_bytes)


def size_text(given: DataFile) -> str:
    return f"{given.meta.rows:,} rows × {given.meta.columns} columns, {format_size(given.size_bytes)}"


class FileInputs:
    """analysis.units.Inputs over the datasets of one check, by content hash. ``folder``: where the Parquet files
    read through a FileTable are written (a temporary folder the command removes). ``criteria``: the design
    document's success criteria (for a baseline run's evidence summary). ``use_engine``: True or False forces how
    rows are read (tests, benchmarks), None decides by size."""

    def __init__(self, folder: Path, criteria: list | None = None, use_engine: bool | None = None) -> None:
        self.folder = Path(folder)
        self.criteria = list(criteria or [])
        self.use_engine = use_engine
        self.files: dict[str, DataFile] = {}

    def add(self, given: DataFile) -> DataFile:
        """Make ``given`` readable by its content hash (the same bytes given twice are one dataset)."""
        return self.files.setdefault(given.meta.content_hash, given)

    def given(self, content_hash: str) -> DataFile:
        return self.files[content_hash]

    def meta(self, content_hash: str) -> DatasetMeta:
        return self.given(content_hash).meta

    def open(self, content_hash: str, memory_rows: int | None):
        """A DataFrame when the dataset has at most ``memory_rows`` rows (None: always), else a FileTable on its
        Parquet file."""
        given = self.given(content_hash)
        in_memory = self.use_engine is False or (self.use_engine is None and (
            memory_rows is None or given.meta.rows <= memory_rows))
        if given.frame is not None and in_memory:
            return given.frame
        if given.frame is None and in_memory:
            return open_table(self.path(content_hash), 0, False)
        return FileTable(self.path(content_hash))

    def frame(self, content_hash: str) -> pd.DataFrame:
        """Every row in memory (what the candidate's evaluation reads)."""
        return self.open(content_hash, None) if self.use_engine is not True else pd.read_parquet(
            self.path(content_hash))

    def path(self, content_hash: str) -> Path:
        """The dataset's Parquet file, written into the folder the first time it is asked for."""
        given = self.given(content_hash)
        if given.parquet is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            target = self.folder / f"{content_hash}.parquet"
            given.frame.to_parquet(target, index=False)      # as the store writes a dataset (store.datasets)
            given.parquet = target
        return given.parquet

    def describe_in_source(self, plan: Plan, progress: Progress) -> Computed | None:
        return None                                          # files only: no SQL source computes figures here
