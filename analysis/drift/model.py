"""The drift check's settings and results: frozen dataclasses of plain values, JSON-ready through to_dict().

analysis.drift.run computes them (see its docstring for how); this module only holds and (de)serialises them, so
the store and the pages can read a stored DriftSummary without importing Evidently.

    stored = json.dumps(summary.to_dict()); again = DriftSummary.from_dict(json.loads(stored))
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from analysis.serialize import from_plain, from_versioned, to_plain, to_versioned

DRIFT_FORMAT = 1                # version of DriftSummary.to_dict()'s layout; from_dict() refuses other versions
MAX_ROWS_PER_SIDE = 50_000      # each side above this many rows is sampled down to it
                                # (measured: analysis.drift.run docstring)
MIN_ROWS = 30                   # fewer rows than this on a side and a drift check says nothing useful
TESTED_TYPES = ("numeric", "categorical", "boolean")   # column types the drift report checks
P_VALUE_FLOOR = 1e-300          # p-values of 0 are taken as this when ranking columns


@dataclass(frozen=True)
class DriftSettings:
    """What a drift check is asked to do; every knob has a default.

    max_rows_per_side: a side with more rows is sampled down to this many (uniformly, without replacement).
    random_state: seed of that sample.
    method: Evidently stat test for every column ("wasserstein", "jensenshannon", "ks", "psi", ...); None lets
        the check pick what Evidently would pick for the full data (see analysis.drift.run).
    num_method / cat_method: the same for numeric / categorical (and boolean) columns only; win over ``method``.
    threshold: drift threshold for every column; None = the method's default (0.05 for p-values, 0.1 for
        distances).
    drift_share: the dataset drifts when at least this share of the checked columns drift.
    columns: check only these columns (None = every usable common column).
    target: the target column, checked like the others and also reported as DriftSummary.target_drift.
    prediction: a column of model predictions, reported as DriftSummary.prediction_drift (prediction drift).
    """

    max_rows_per_side: int = MAX_ROWS_PER_SIDE
    random_state: int = 0
    method: str | None = None
    num_method: str | None = None
    cat_method: str | None = None
    threshold: float | None = None
    drift_share: float = 0.5
    columns: tuple[str, ...] | None = None
    target: str | None = None
    prediction: str | None = None

    def __post_init__(self):
        if self.columns is not None and not isinstance(self.columns, tuple):
            object.__setattr__(self, "columns", tuple(self.columns))

    def to_dict(self) -> dict:
        return to_plain(self)

    @classmethod
    def from_dict(cls, data: dict) -> DriftSettings:
        return from_plain(cls, data)


@dataclass(frozen=True)
class ColumnDrift:
    """The drift verdict on one column.

    column: its name.
    type: "numeric", "categorical" or "boolean" (analysis.column_types).
    method: the stat test, as Evidently names it ("Wasserstein distance (normed)", "K-S p_value", ...).
    threshold: the threshold the score was compared with.
    score: the test's score: a p-value (drift when below the threshold) or a distance (drift when at or
        above it); None when the test gave no number.
    drifted: Evidently's verdict.
    """

    column: str
    type: str
    method: str
    threshold: float
    score: float | None
    drifted: bool

    @property
    def severity(self) -> float:
        """How far the score is past the threshold in the direction that means drift; 1.0 at the threshold,
        above 1 when drifted. Distances: score / threshold. P-values: log(score) / log(threshold), so a
        p-value of 1e-10 against 0.05 gives 7.7 (a p-value of 0 counts as 1e-300). 0.0 when there is no score.

        The direction is read from the verdict itself (a drifted column whose score is below its threshold
        was tested with a p-value), so it holds for any Evidently method."""
        if self.score is None or math.isnan(self.score) or self.threshold <= 0:
            return 0.0
        if self.lower_is_drift:
            if self.threshold >= 1:
                return 0.0
            score = min(max(self.score, P_VALUE_FLOOR), 1.0)
            return math.log(score) / math.log(self.threshold)
        return self.score / self.threshold

    @property
    def lower_is_drift(self) -> bool:
        """True for p-value tests (drift when the score is below the threshold)."""
        if self.score is None or math.isnan(self.score):
            return "p_value" in self.method
        return self.drifted != (self.score >= self.threshold)


@dataclass(frozen=True)
class RetypedColumn:
    """A column with the same name but a different type on each side."""

    column: str
    reference_type: str
    current_type: str


@dataclass(frozen=True)
class MissingColumn:
    """A column with no values on a side: side is "reference", "current" or "both"."""

    column: str
    side: str


@dataclass(frozen=True)
class SkippedColumn:
    """A common column the drift report does not check, and why."""

    column: str
    reason: str


@dataclass(frozen=True)
class ColumnMatch:
    """How the columns of the reference and the current data line up (matched by name).

    common: names present on both sides, in reference order.
    usable: the common columns the drift report can check (same type on both sides, that type numeric,
        categorical or boolean, and some values on each side), in reference order.
    only_in_reference / only_in_current: names present on one side only.
    retyped: common columns whose type differs between the sides (not checked).
    all_missing: common columns with no values on a side (not checked).
    not_tested: common columns of a type the report does not check (id, text, datetime), with the reason.
    """

    common: tuple[str, ...]
    usable: tuple[str, ...]
    only_in_reference: tuple[str, ...] = ()
    only_in_current: tuple[str, ...] = ()
    retyped: tuple[RetypedColumn, ...] = ()
    all_missing: tuple[MissingColumn, ...] = ()
    not_tested: tuple[SkippedColumn, ...] = ()

    def notes(self) -> tuple[str, ...]:
        """What was left out and why, one sentence each, for the user."""
        notes = []
        if self.only_in_reference:
            notes.append(f"Only in the reference data (not checked): {_names(self.only_in_reference)}.")
        if self.only_in_current:
            notes.append(f"Only in the current data (not checked): {_names(self.only_in_current)}.")
        for r in self.retyped:
            notes.append(
                f"Column '{r.column}' is {r.reference_type} in the reference data but {r.current_type} in the "
                "current data, so it is not checked. Fix the column on one side (a stray text value in a number "
                "column is the usual cause) and run the check again."
            )
        for m in self.all_missing:
            where = "on both sides" if m.side == "both" else f"in the {m.side} data"
            notes.append(f"Column '{m.column}' has no values {where}, so it is not checked.")
        for s in self.not_tested:
            notes.append(f"Column '{s.column}' is not checked: {s.reason}.")
        return tuple(notes)


@dataclass(frozen=True)
class DriftSummary:
    """The result of one drift check (what the page shows and the store keeps; the HTML is kept apart).

    dataset_drift: True when the share of drifted columns is at least drift_share (Evidently's dataset test).
    drifted_count / share: how many / what share of the checked columns drifted.
    drift_share: the share that makes the dataset drift (from the settings).
    columns: one ColumnDrift per checked column, most drifted first: drifted columns before the others, each
        group by ColumnDrift.severity (how far past its threshold) descending, then by name.
    column_match: how the columns lined up, including those not checked and why.
    reference_rows / current_rows: rows of each side as given.
    sampled: True when a side had more than settings.max_rows_per_side rows and was sampled.
    reference_sample_rows / current_sample_rows: rows the report ran on (equal to the rows when not sampled).
    seed: random_state of the sample.
    target_drift: the target column's ColumnDrift when settings.target is set and checked, else None.
    prediction_drift: the prediction column's ColumnDrift when settings.prediction is set and checked.
    settings: the settings the check ran with.
    seconds: wall time of the check (not counting the one-time import of Evidently).
    evidently_version: the Evidently version that computed it.
    notes: what the user should know, in words (sampling, columns left out, method choice).
    engine: how the rows were read: "pandas" (every row in memory) or "file" (stored files larger than the
        in-memory size, analysis.engine.table FileTables: columns read one at a time, the sample by position).
    """

    dataset_drift: bool
    drifted_count: int
    share: float
    drift_share: float
    columns: tuple[ColumnDrift, ...]
    column_match: ColumnMatch
    reference_rows: int
    current_rows: int
    sampled: bool
    reference_sample_rows: int
    current_sample_rows: int
    seed: int
    settings: DriftSettings
    seconds: float
    evidently_version: str
    target_drift: ColumnDrift | None = None
    prediction_drift: ColumnDrift | None = None
    notes: tuple[str, ...] = ()
    engine: str = "pandas"

    @property
    def drifted_columns(self) -> tuple[str, ...]:
        return tuple(c.column for c in self.columns if c.drifted)

    def column(self, name: str) -> ColumnDrift:
        """The ColumnDrift of column ``name``; KeyError when it was not checked."""
        for c in self.columns:
            if c.column == name:
                return c
        raise KeyError(name)

    def to_dict(self) -> dict:
        return to_versioned(self, DRIFT_FORMAT)

    @classmethod
    def from_dict(cls, data: dict) -> DriftSummary:
        """Rebuild a DriftSummary from to_dict() output; ValueError when it was written in another format."""
        return from_versioned(cls, data, DRIFT_FORMAT, "drift summary", "Run the drift check again.")


@dataclass(frozen=True, eq=False)
class DriftResult:
    """A drift check's summary, plus Evidently's full report as one self-contained HTML page.

    summary: the DriftSummary.
    html: Evidently's report (JavaScript, styles and fonts inline; nothing is fetched from the internet).
    """

    summary: DriftSummary
    html: str = field(repr=False)


def sort_columns(columns) -> tuple[ColumnDrift, ...]:
    """Most drifted first: drifted before not drifted, then severity descending, then name."""
    return tuple(sorted(columns, key=lambda c: (not c.drifted, -c.severity, c.column)))


def _names(names: tuple[str, ...], limit: int = 10) -> str:
    shown = ", ".join(f"'{n}'" for n in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")
