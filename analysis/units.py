"""One unit per kind of analysis, and the one registry that lists them (DESIGN.md, "One unit per analysis").

A unit is what scikit-learn's estimators are to a model: validate once, then trust. Each kind of analysis (profile,
leakage, baselines, drift, a candidate model's evaluation, ...) is a package with a ``unit.py`` that builds a Unit:

    plan = unit.plan(meta, asked, inputs)    # at the boundary (a page, the CLI): every choice checked once, every
                                             # default filled in with the reason it was chosen; bad choices raise
                                             # unit.error (a PlanError) whose message says what to change
    plan.key()                               # what the result is stored and found under
    plan.to_dict()                           # the whole plan, what a job stores; unit.load(it, dataset) in a worker
    computed = unit.compute(plan, inputs, progress)   # trusts the plan: never resolves or checks settings again
    computed.payload, computed.summary       # the stored result, and what a reviewer reads of it (evidence)

The registry is the one place that knows which kinds exist (REGISTERED: one line per kind, imported on first
use, so a page that never computes does not import the analyses; BLUEPRINT_UNITS adds kinds from outside). The job
queue, the worker, evidence and blockers read it instead of their own lists: a new kind is its own package plus one
line here.
"""
from __future__ import annotations

import copy
import importlib
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

# kind -> module whose ``UNIT`` is that kind's Unit. The only list of kinds in Blueprint.
REGISTERED: dict[str, str] = {
    "profile": "analysis.profile.unit",
    "leakage": "analysis.leakage.unit",
    "run": "analysis.baselines.unit",
    "drift": "analysis.drift.unit",
    "candidate": "analysis.candidate.unit",
}


class PlanError(ValueError):
    """A choice asked for cannot be planned; the message says what to change. Each kind has its own subclass
    (unit.error), so a caller can tell which analysis refused."""


@dataclass(frozen=True)
class DatasetMeta:
    """What a plan may know of the dataset it is planned on, without reading its rows: its name, content hash,
    size, inferred column types (column -> "numeric" | "categorical" | "boolean" | "datetime" | "text" | "id"),
    role in the project (train, test, reference, current) and project."""

    name: str
    content_hash: str
    rows: int
    columns: int
    column_types: Mapping[str, str]
    role: str | None = None
    project_id: int | None = None

    @classmethod
    def of(cls, dataset) -> DatasetMeta:
        """From a store.datasets.Dataset (or anything with the same attributes)."""
        return cls(name=dataset.name, content_hash=dataset.content_hash, rows=dataset.rows, columns=dataset.columns,
                   column_types=dict(dataset.column_types), role=getattr(dataset, "role", None),
                   project_id=getattr(dataset, "project_id", None))


@dataclass(frozen=True)
class Reason:
    """Why a plan holds the value it holds for one choice: ``source`` is "asked" (the person chose it), "document"
    (the design document states it), "roles" (the dataset roles in the project), "data" (the size or shape of
    the data) or "default" (Blueprint's default); ``text`` says it in words for the page and the export."""

    source: str
    text: str


class Plan(Protocol):
    """A frozen, fully checked plan. ``kind`` names its unit; ``dataset`` the content hash of the dataset it is
    planned on; ``reasons`` maps each choice to its Reason; ``inputs`` lists the content hashes of the datasets
    compute reads besides that one (a test set, the current side of a drift check). key() is what its result is
    stored (and found) under; to_dict() is the whole plan, what a job stores (JSON-ready), read back by unit.load."""

    kind: str
    dataset: str
    reasons: Mapping[str, Reason]

    @property
    def inputs(self) -> tuple[str, ...]: ...

    def key(self) -> dict: ...

    def to_dict(self) -> dict: ...


class AskedPlan:
    """What the plans of the units share: the result key is the dict the page asked with, kept verbatim in the
    plan's ``asked`` field (so results stored before plans existed are found by the same key), and the datasets it
    reads besides its own are its ``test_hash`` when it has one."""

    @property
    def inputs(self) -> tuple[str, ...]:
        test_hash = getattr(self, "test_hash", None)
        return (test_hash,) if test_hash else ()

    def key(self) -> dict:
        return copy.deepcopy(dict(self.asked))


class Inputs(Protocol):
    """What compute reads, given by its host (a job worker, the sample's seeding, the command line):

    open(content_hash, memory_rows): the rows of a dataset, a DataFrame when it has at most ``memory_rows`` rows
        (None: always in memory), else a table read from its stored file a column at a time (FileTable);
    meta(content_hash): its DatasetMeta; path(content_hash): its stored Parquet file;
    describe_in_source(plan, progress): for a dataset kept in a SQL source, the profile computed by that database
        (Computed), else None;
    criteria: the design document's success criteria when the work started (for the evidence summary);
    use_engine: True or False forces reading from the stored file or in memory (tests and benchmarks), None decides
        by size."""

    criteria: list
    use_engine: bool | None

    def open(self, content_hash: str, memory_rows: int | None) -> Any: ...

    def meta(self, content_hash: str) -> DatasetMeta: ...

    def path(self, content_hash: str) -> Any: ...

    def describe_in_source(self, plan: Plan, progress: Progress) -> Computed | None: ...


@dataclass
class Progress:
    """Where a computation reports how far it is. ``report(share, message, partial)`` returns True when the work
    should stop (a person cancelled); ``should_stop()`` asks without reporting. The default never stops."""

    report: Callable[[float | None, str | None, list | None], bool] = lambda share, message, partial=None: False
    should_stop: Callable[[], bool] = lambda: False


class Cancelled(Exception):
    """Raised by compute when a person cancelled and nothing finished is worth keeping."""


@dataclass(frozen=True)
class Computed:
    """What compute returns: ``payload`` (the stored result, JSON-ready), ``summary`` (what a reviewer reads of
    it, stored as evidence on the unit's section) and ``files`` (name -> text of attachments the host stores
    beside the result, e.g. the drift check's HTML report)."""

    payload: dict
    summary: dict
    files: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Unit:
    """One kind of analysis.

    kind: its name in jobs and results. title: in words, for job labels and pages. section: the design document
    section its evidence feeds. page: the url path of the page that shows it (links in blockers). plan(meta,
    asked, inputs) -> Plan, raising ``error`` (inputs: to read what a check needs, e.g. the target column).
    load(settings, dataset_hash) -> Plan: a stored plan, as a job holds it (not checked again: it was checked when
    planned). compute(plan, inputs, progress) -> Computed. layout: how its result is stored in parts (None: whole).
    describe(summary) -> Description: what the Review page and the exports say of a stored result of a kind that
    design.evidence does not weigh itself (the document's own kinds feed its readiness digest there)."""

    kind: str
    title: str
    section: str
    page: str
    error: type[PlanError]
    plan: Callable[..., Plan]
    load: Callable[[Mapping, str], Plan]
    compute: Callable[[Plan, Inputs, Progress], Computed]
    layout: Layout | None = None
    describe: Callable[[Mapping], Description] | None = None


@dataclass(frozen=True)
class Layout:
    """How a kind's stored result is split (analysis.stored): summarise(payload) -> summary, what lists, tables
    and criteria read; split(payload) -> (body, arrays), the JSON the views that draw it read and its per-row table
    (kept as a Parquet file beside the store); join(body, arrays) -> payload. A kind without one is stored whole."""

    summarise: Callable[[dict], dict]
    split: Callable[[dict], tuple[dict, Any]]
    join: Callable[[dict, Any], dict]


@dataclass(frozen=True)
class Description:
    """What a reviewer reads of one stored result of a kind (its evidence summary), on the Review page and in the
    exports, under the unit's section: a title and lines of plain text."""

    title: str
    lines: tuple[str, ...]


# More units, outside this package (a plug-in, a test's own kind): module paths, separated by commas, whose UNIT
# is one more kind. Read from the environment, so the worker processes a server starts know them too.
EXTRA_UNITS_ENV = "BLUEPRINT_UNITS"

_loaded: dict[str, Unit] = {}


def _extra_modules() -> dict[str, str]:
    """kind -> module of the units named in BLUEPRINT_UNITS (imported to learn their kind)."""
    found = {}
    for name in filter(None, (part.strip() for part in os.environ.get(EXTRA_UNITS_ENV, "").split(","))):
        extra = importlib.import_module(name).UNIT
        found[extra.kind] = name
    return found


def kinds() -> tuple[str, ...]:
    """Every kind of analysis: the registered ones, then those of BLUEPRINT_UNITS."""
    return (*REGISTERED, *(k for k in _extra_modules() if k not in REGISTERED))


def unit(kind: str) -> Unit:
    """The unit of ``kind``; KeyError naming the known kinds otherwise."""
    if kind not in _loaded:
        modules = {**_extra_modules(), **REGISTERED} if kind not in REGISTERED else REGISTERED
        if kind not in modules:
            raise KeyError(f"There is no kind of analysis {kind!r}; the kinds are {', '.join(kinds())}.")
        _loaded[kind] = importlib.import_module(modules[kind]).UNIT
    return _loaded[kind]


def section_of(kind: str) -> str:
    """The design document section the evidence of ``kind`` feeds."""
    return unit(kind).section


def page_of(kind: str) -> str:
    """The page (url path) that shows results of ``kind``."""
    return unit(kind).page
