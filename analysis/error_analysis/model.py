"""The results of error analysis: frozen dataclasses, JSON-ready through analysis.serialize (stored inside each
ModelResult of a BaselineRun). Only analysis.intervals is imported here, so analysis.baselines.run can name them."""
from __future__ import annotations

from dataclasses import dataclass, field

from analysis.intervals import Interval

CATEGORICAL, NUMERIC = "categorical", "numeric"


@dataclass(frozen=True)
class Slice:
    """A group of tested rows and the slice metric on it.

    columns: the column(s) that define it (one, or two for a pair). values: each column's value, or its quantile bin
    ("Q1" is the lowest fifth of a numeric column). rows: tested rows in it. metric: the metric on those rows with its
    95 % interval (Wilson for proportions, normal approximation otherwise: analysis.intervals).
    gap: how much worse than the reference (overall for a single column, the worse of its two columns' slices for a
    pair), in the metric's units, positive = worse; None when the metric is undefined. p_value: one-sided p-value of
    "worse than the reference" (None when not tested: too few rows, metric undefined). weak: it passed the
    Holm-corrected test and its own 95 % interval clears the overall value.
    """

    columns: tuple[str, ...]
    values: tuple[str, ...]
    rows: int
    metric: Interval
    gap: float | None = None
    p_value: float | None = None
    weak: bool = False

    @property
    def label(self) -> str:
        """"region = north" or "region = north & sex = F"."""
        return " & ".join(f"{c} = {v}" for c, v in zip(self.columns, self.values, strict=True))


@dataclass(frozen=True)
class ColumnSlices:
    """One column's slices, in the column's order.

    column: its name. kind: "categorical" (one slice per value; the rarest beyond MAX_VALUES as "(other)", missing
    values as "(missing)") or "numeric" (quantile bins Q1, Q2, ... lowest first). ranges: for numeric columns, the
    values each bin holds ("7.76 to 11.7"), aligned with ``slices``; else ().
    slices: the slice metric per value. extra: other metrics (for slice criteria) -> their intervals, aligned with
    ``slices`` (the best model only; {} for other models).
    """

    column: str
    kind: str
    slices: tuple[Slice, ...]
    ranges: tuple[str, ...] = ()
    extra: dict[str, tuple[Interval, ...]] = field(default_factory=dict)

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(s.values[0] for s in self.slices)


@dataclass(frozen=True)
class SliceReport:
    """A model's metric per slice and its weakest slices.

    metric: the metric compared across slices (the run's primary metric, or a stand-in named in ``note``).
    note: how the slices were made and tested, in words. overall: the metric on all tested rows with its interval.
    columns: every sliced column. weak: the weak slices, single columns first then pairs, each group by gap (largest
    first), at most MAX_WEAK. tested: slices tested (single values and pairs with at least ``min_rows`` rows).
    alpha: the family-wise error rate of the search (Holm over all ``tested``). min_rows: fewest rows a slice needs.
    rows: tested rows sliced. skipped: columns not sliced -> why.
    """

    metric: str
    note: str
    overall: Interval
    columns: tuple[ColumnSlices, ...]
    weak: tuple[Slice, ...]
    tested: int
    alpha: float
    min_rows: int
    rows: int
    skipped: dict[str, str] = field(default_factory=dict)

    def column(self, name: str) -> ColumnSlices | None:
        return next((c for c in self.columns if c.column == name), None)


@dataclass(frozen=True)
class WorstRow:
    """One badly predicted row.

    row: its position in the frame (0-based; the page shows row + 1). truth, predicted: the class or value, as text.
    score: binary: the probability of the positive class; multiclass: of the predicted class; regression: the
    predicted value. error: how wrong: the probability given to the wrong class (classification) or the absolute
    error (regression). values: the row's values of WorstErrors.columns, as text ("" when missing). slices: its
    value or bin of each of WorstErrors.slice_columns (to filter by slice).
    """

    row: int
    truth: str
    predicted: str
    score: float
    error: float
    values: tuple[str, ...]
    slices: tuple[str, ...]


@dataclass(frozen=True)
class WorstErrors:
    """The worst predictions of a model, worst first.

    kind: "confident" (classification: wrong predictions ranked by the probability given to the wrong class) or
    "absolute" (regression: largest absolute errors). wrong: wrong predictions among the tested rows
    (classification), or rows tested (regression). rows: tested rows. columns: the columns whose values are shown.
    slice_columns: the sliced columns (see WorstRow.slices). entries: at most WORST_ROWS rows.
    false_positives / false_negatives: binary only: the wrong predictions of each kind (0 otherwise).
    """

    kind: str
    wrong: int
    rows: int
    columns: tuple[str, ...]
    slice_columns: tuple[str, ...]
    entries: tuple[WorstRow, ...]
    false_positives: int = 0
    false_negatives: int = 0


@dataclass(frozen=True)
class CalibrationBin:
    """Rows whose score falls in [low, high): their mean score and the share that were positive (or correct), with
    its 95 % Wilson interval."""

    low: float
    high: float
    rows: int
    mean_score: float
    observed: float
    observed_low: float
    observed_high: float


@dataclass(frozen=True)
class Calibration:
    """How far a classifier's scores can be read as probabilities.

    kind: "positive class" (binary: the probability of the positive class against the share of positives) or
    "predicted class" (multiclass: the probability of the predicted class against the share predicted correctly).
    bins: equal-width reliability bins with rows. brier: the Brier score (binary; None for multiclass).
    ece: expected calibration error: the row-weighted mean |observed - mean score| over the bins.
    poor: the scores are poorly calibrated (ECE above ECE_POOR, or the bin at the decision threshold misses its
    mean score with its whole interval). threshold: the run's decision threshold (binary), else None.
    threshold_from_document: the design document set that threshold. note: what it means, in plain words.
    """

    kind: str
    bins: tuple[CalibrationBin, ...]
    brier: float | None
    ece: float
    poor: bool
    threshold: float | None
    threshold_from_document: bool
    note: str


@dataclass(frozen=True)
class ErrorAnalysis:
    """Where one model fails, from its out-of-fold predictions.

    rows: predictions analysed. source: "dataset" or "test_dataset" (the rows' frame). note: what rows these are
    (a sample of the predictions, the test dataset). slices, worst, calibration: the three views (calibration None
    for regression; any of them None when it could not be made, with why in ``problems``).
    """

    rows: int
    source: str
    note: str
    slices: SliceReport | None = None
    worst: WorstErrors | None = None
    calibration: Calibration | None = None
    problems: tuple[str, ...] = ()
