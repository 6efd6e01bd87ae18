"""Drift between a reference and a current dataset, with Evidently's data drift report.

    reference, current = split_by_date(frame, "date", "2000-01-01")      # or split_by_order(frame, 0.5)
    result = run_drift(reference, current, ref_types, cur_types, DriftSettings(target="churned"))
    result.summary.dataset_drift, result.summary.columns[0]             # most drifted column first
    result.html                                                         # Evidently's report, opens offline
    figure_data = overlay(reference, current, "age", "numeric")         # for components.drift_charts
    stored = json.dumps(result.summary.to_dict()); again = DriftSummary.from_dict(json.loads(stored))

Columns are matched by name (match_columns). A column only on one side, with a different type on each side,
without values on a side, or of a type drift is not checked on (id, text, datetime) is listed in
DriftSummary.column_match and its notes, never an error; the report runs on the rest. DriftInputError says
what is wrong when nothing can be checked: no usable common column, or fewer than MIN_ROWS (30) rows on a
side. The target and a prediction column, when named in the settings, are checked like the other columns and
also reported on their own (target drift, prediction drift).

Big data: a side with more than settings.max_rows_per_side rows (MAX_ROWS_PER_SIDE = 50,000) is sampled
uniformly without replacement (seed settings.random_state); the summary says so (sampled, sample rows, seed,
a note). Which stat test: Evidently picks one per column by size: up to 1,000 reference values p-value tests
(K-S, chi-square, z), whose verdicts depend on the number of rows; above, distances (Wasserstein normed for
numbers, Jensen-Shannon for categories and for numbers with at most 5 values; threshold 0.1), whose scores
estimate a property of the two distributions whatever the rows. run_drift names each column's test
explicitly: the one Evidently would pick for the full data (drift_evidently.default_method, with values
counted on the full data). So a 50,000-row sample of a 1M-row side keeps Wasserstein / Jensen-Shannon and
estimates the full-data score with the same test and threshold, instead of the sample's size picking another
test; on unsampled data the choice is Evidently's own. A method given in the settings is used as given (a
p-value test on a sample then answers for the sample's size).

How the limit was chosen (bench/drift.py data: 1M + 1M rows x 20 columns, 4 shifted; 2 cores shared with other
jobs, load average about 4, so times are about twice a quiet machine's). Evidently's report has a fixed cost
(mostly building its plotly figures: about 7 s CPU here for 20 columns; notes/stack.md measured 1.5 s for
18 columns x 5,000 rows on a quiet machine), then its stat tests grow with the rows. CPU seconds of run_drift /
largest |score - full-data score| over the 20 columns (3 seeds):
10k rows per side 7.0 s / 0.038; 20k 7.9 s / 0.023; 50k 9.6 s / 0.013; 100k 12.1 s / 0.008; 200k 17.8 s / 0.006;
Evidently's Report.run on the full frames: 198 s wall, 1.6 GB peak. Every size gave the full run's verdict on all 20
columns (thresholds 0.1; shifted columns score 0.33-0.50, unshifted at most 0.04 at 10k, 0.014 at 50k). 50k keeps
the sampling error near a tenth of the threshold for under 1.5x the fixed cost; 100k halves the error again
for 25 % more time. bench: run_drift 14.4 s vs 197.6 s, speedup 13.7, verdict agreement 1.0.
"""
from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.column_types import BOOLEAN, CATEGORICAL, DATETIME, NUMERIC, infer_column_types
from analysis.drift.evidently_report import (
    FEW_VALUES,
    SMALL_REFERENCE,
    default_method,
    evidently_version,
    external_resources,
    load_evidently,
    method_names,
    read_snapshot,
    run_report,
    sample_positions,
    strip_external_resources,
)
from analysis.drift.model import (
    DRIFT_FORMAT,
    MAX_ROWS_PER_SIDE,
    MIN_ROWS,
    TESTED_TYPES,
    ColumnDrift,
    ColumnMatch,
    DriftResult,
    DriftSettings,
    DriftSummary,
    MissingColumn,
    RetypedColumn,
    SkippedColumn,
    sort_columns,
)
from analysis.engine.table import FILE, PANDAS, FileTable, engine_of
from analysis.inert import inert_evidently_html

__all__ = [
    "DRIFT_FORMAT", "MAX_ROWS_PER_SIDE", "MIN_ROWS", "ColumnDrift", "ColumnMatch", "DriftInputError",
    "DriftResult", "DriftSettings", "DriftSummary", "MissingColumn", "RetypedColumn", "SkippedColumn",
    "check_drift_inputs", "external_resources", "match_columns", "overlay", "run_drift", "split_by_date",
    "split_by_order",
]

OVERLAY_BINS = 30            # histogram bins shared by both sides
OVERLAY_CATEGORIES = 20      # categories shown; the rest are summed into OTHER
OTHER = "(other)"
_NOT_TESTED = {
    "id": "an id column names rows, so its values differ between any two datasets",
    "text": "free text is not checked for drift here",
    DATETIME: "dates differ between a reference and a later current dataset by design; compare them with an overlay",
}


class DriftInputError(ValueError):
    """The data given to a drift check cannot be checked (the message says why and what to do)."""


def split_by_date(frame: pd.DataFrame, column: str, cut) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rows dated before ``cut`` (reference) and on or after it (current), by the date column ``column``
    (of a FileTable: FileTables of those rows).

    cut: a date as text ("2000-01-01"), a date, datetime or Timestamp. Rows without a date are left out of both.
    DriftInputError when the column is missing or holds no dates, the cut is not a date, or a side is empty."""
    if column not in frame.columns:
        raise DriftInputError(f"Column '{column}' is not in the data. {_date_columns_hint(frame)}")
    dates = frame[column]
    if not pd.api.types.is_datetime64_any_dtype(dates.dtype):
        raise DriftInputError(
            f"Column '{column}' holds {dates.dtype} values, not dates, so it cannot split the data by date. "
            f"{_date_columns_hint(frame)}"
        )
    try:
        cut = pd.Timestamp(cut)
    except (TypeError, ValueError):
        raise DriftInputError(f"The cut date {cut!r} is not a date. "
                              "Give it as YYYY-MM-DD, e.g. '2020-01-31'.") from None
    if pd.isna(cut):
        raise DriftInputError("The cut date is missing. Give it as YYYY-MM-DD, e.g. '2020-01-31'.")
    tz = getattr(dates.dtype, "tz", None)
    if tz is not None and cut.tzinfo is None:
        cut = cut.tz_localize(tz)
    elif tz is None and cut.tzinfo is not None:
        cut = cut.tz_convert(None)
    before, after = (dates < cut).to_numpy(), (dates >= cut).to_numpy()
    if not before.any() or not after.any():
        known = dates.dropna()
        if known.empty:
            raise DriftInputError(f"Column '{column}' has no dates, so it cannot split the data. Pick another column.")
        side = "before" if not before.any() else "on or after"
        raise DriftInputError(
            f"No rows fall {side} {cut.date()} in '{column}' (its dates run from {known.min().date()} to "
            f"{known.max().date()}). Pick a cut date inside that range."
        )
    return _rows(frame, np.flatnonzero(before)), _rows(frame, np.flatnonzero(after))


def split_by_order(frame: pd.DataFrame, share: float = 0.5) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The first ``share`` of the rows (reference) and the rest (current), in the order of the file (of a FileTable:
    FileTables of those rows).

    DriftInputError when share is not strictly between 0 and 1 or a side would have no rows."""
    if not 0 < share < 1:
        raise DriftInputError(f"The reference share is {share}; it must be between 0 and 1 (e.g. 0.5 for halves).")
    cut = int(round(len(frame) * share))
    if cut == 0 or cut == len(frame):
        raise DriftInputError(
            f"Splitting {len(frame)} rows at {share:.0%} leaves a side without rows. Pick a share nearer 0.5 "
            "or a larger dataset."
        )
    return _rows(frame, np.arange(cut)), _rows(frame, np.arange(cut, len(frame)))


def _rows(frame, positions: np.ndarray):
    """The rows at sorted ``positions``: a DataFrame with a fresh index, or, of a FileTable, a FileTable of them
    (nothing is read until the check asks for a column or its sample)."""
    if isinstance(frame, FileTable):
        return frame.subset(positions)
    return frame.take(positions).reset_index(drop=True)


def match_columns(
    reference: pd.DataFrame,
    current: pd.DataFrame,
    ref_types: Mapping[str, str] | None = None,
    cur_types: Mapping[str, str] | None = None,
) -> ColumnMatch:
    """Line up the columns by name and sort out which the drift report can check (see ColumnMatch).

    ref_types / cur_types: column -> type as analysis.reading.read labels them; inferred when None. Never raises on
    mismatched columns: they are listed, and check_drift_inputs says when nothing usable is left."""
    ref_types = _types(reference, ref_types)
    cur_types = _types(current, cur_types)
    cur_names = set(current.columns)
    common = tuple(c for c in reference.columns if c in cur_names)
    ref_names = set(common)
    only_ref = tuple(c for c in reference.columns if c not in cur_names)
    only_cur = tuple(c for c in current.columns if c not in ref_names)
    usable, retyped, missing, not_tested = [], [], [], []
    for name in common:
        ref_type, cur_type = ref_types[name], cur_types[name]
        if ref_type != cur_type:
            retyped.append(RetypedColumn(name, ref_type, cur_type))
            continue
        if ref_type not in TESTED_TYPES:
            not_tested.append(SkippedColumn(name, _NOT_TESTED.get(ref_type, f"{ref_type} columns are not checked")))
            continue
        empty = [side for side, frame in (("reference", reference), ("current", current))
                 if not _has_values(frame[name])]
        if empty:
            missing.append(MissingColumn(name, "both" if len(empty) == 2 else empty[0]))
            continue
        usable.append(name)
    return ColumnMatch(
        common=common, usable=tuple(usable), only_in_reference=only_ref, only_in_current=only_cur,
        retyped=tuple(retyped), all_missing=tuple(missing), not_tested=tuple(not_tested),
    )


def check_drift_inputs(
    reference: pd.DataFrame, current: pd.DataFrame, match: ColumnMatch, settings: DriftSettings = DriftSettings()
) -> tuple[str, ...]:
    """The columns to check, once the inputs pass; DriftInputError saying what to change when a
    side has fewer than MIN_ROWS rows, nothing usable is left, a requested column cannot be checked or a
    setting is out of range."""
    _check_settings(settings)
    for side, frame in (("reference", reference), ("current", current)):
        if len(frame) < MIN_ROWS:
            raise DriftInputError(
                f"The {side} data has {len(frame)} row{'s' if len(frame) != 1 else ''}; a drift check needs at least "
                f"{MIN_ROWS} on each side. Pick a larger {side} dataset (or a cut that leaves more rows on that side)."
            )
    if not match.common:
        raise DriftInputError(
            "The reference and current data have no column in common (reference: "
            f"{_short(tuple(reference.columns))}; current: {_short(tuple(current.columns))}). Columns are matched by "
            "name: pick two datasets with the same columns, or rename the columns to match."
        )
    if not match.usable:
        raise DriftInputError(
            f"None of the {len(match.common)} common column(s) can be checked for drift. " + " ".join(match.notes())
        )
    wanted = list(settings.columns) if settings.columns is not None else list(match.usable)
    for name in settings.columns or ():
        if name not in match.usable:
            raise DriftInputError(f"Column '{name}' cannot be checked: {_why_not(name, match)}. Pick another column.")
    for name in (settings.target, settings.prediction):
        if name and name in match.usable and name not in wanted:
            wanted.append(name)
    return tuple(wanted)


def run_drift(
    reference: pd.DataFrame,
    current: pd.DataFrame,
    ref_types: Mapping[str, str] | None = None,
    cur_types: Mapping[str, str] | None = None,
    settings: DriftSettings = DriftSettings(),
) -> DriftResult:
    """Evidently's data drift report on the usable common columns; the summary and the full HTML report.

    ref_types / cur_types: column -> type from analysis.reading.read (inferred when None). Sides above
    settings.max_rows_per_side rows are sampled (see the module docstring). DriftInputError when nothing can
    be checked (see check_drift_inputs) or Evidently refuses the data."""
    return drift_report(reference, current, check_drift(reference, current, ref_types, cur_types, settings), settings)


@dataclass(frozen=True)
class CheckedDrift:
    """What check_drift found, once: the columns matched by name, the columns to check (name -> type) and the stat
    test asked per kind of column."""

    match: ColumnMatch
    columns: dict[str, str]
    methods: dict[str, str]


def check_drift(reference, current, ref_types: Mapping[str, str] | None, cur_types: Mapping[str, str] | None,
                settings: DriftSettings) -> CheckedDrift:
    """Everything run_drift checks before it runs Evidently; DriftInputError saying what to change."""
    ref_types = _types(reference, ref_types)
    cur_types = _types(current, cur_types)
    match = match_columns(reference, current, ref_types, cur_types)
    columns = {name: ref_types[name] for name in check_drift_inputs(reference, current, match, settings)}
    methods = _check_methods(settings, {"numeric" if kind == NUMERIC else "categorical" for kind in columns.values()})
    return CheckedDrift(match, columns, methods)


def drift_report(reference, current, checked: CheckedDrift, settings: DriftSettings) -> DriftResult:
    """Evidently's report on inputs check_drift accepted (not checked again)."""
    match, columns, methods = checked.match, checked.columns, checked.methods
    load_evidently()                                      # about 7 s, once per process; not in summary.seconds
    start = time.perf_counter()

    rng = np.random.default_rng(settings.random_state)
    limit = settings.max_rows_per_side
    ref_pos = sample_positions(len(reference), limit, rng) if len(reference) > limit else None
    cur_pos = sample_positions(len(current), limit, rng) if len(current) > limit else None
    ref_sample = reference if ref_pos is None else reference.iloc[ref_pos]
    cur_sample = current if cur_pos is None else current.iloc[cur_pos]
    sampled = ref_pos is not None or cur_pos is not None
    engine = FILE if FILE in (engine_of(reference), engine_of(current)) else PANDAS

    per_column = {}
    for name, kind in columns.items():
        method = (methods.get("numeric" if kind == NUMERIC else "categorical")
                  or _auto_method(name, kind, reference, current))
        if method is not None:
            per_column[name] = method
    preset_args = {"drift_share": settings.drift_share, "threshold": settings.threshold,
                   "per_column_method": per_column or None}
    try:
        snapshot = run_report(ref_sample, cur_sample, columns, preset_args)
        checked, dataset_drift, count, share = read_snapshot(snapshot, columns)
        html = snapshot.get_html_str(as_iframe=False)
    except (ValueError, TypeError, ZeroDivisionError) as error:
        raise DriftInputError(
            f"Evidently could not compute the drift report on these columns: {error}. Leave out the column it "
            "names (settings: columns) and run the check again."
        ) from error
    if external_resources(html):
        html = strip_external_resources(html)
    html = inert_evidently_html(html)      # no data value can close its script block; no request can leave
    checked = sort_columns(checked)
    by_name = {c.column: c for c in checked}

    notes = []
    if engine == FILE:
        notes.append(scope_note(len(reference), len(current), len(ref_sample), len(cur_sample), settings.random_state))
    elif sampled:
        notes.append(
            f"Sides above {limit:,} rows were sampled uniformly without replacement (seed {settings.random_state}): "
            f"the report ran on {len(ref_sample):,} of {len(reference):,} reference rows and {len(cur_sample):,} of "
            f"{len(current):,} current rows."
            + (" Each column kept the stat test Evidently picks for the full data." if not methods else "")
        )
    notes.extend(match.notes())
    for role, name in (("target", settings.target), ("prediction", settings.prediction)):
        if name and name not in by_name:
            notes.append(f"The {role} column '{name}' is not checked: {_why_not(name, match)}; "
                         f"no {role} drift is reported.")
    summary = DriftSummary(
        dataset_drift=dataset_drift,
        drifted_count=count,
        share=share,
        drift_share=settings.drift_share,
        columns=checked,
        column_match=match,
        reference_rows=len(reference),
        current_rows=len(current),
        sampled=sampled,
        reference_sample_rows=len(ref_sample),
        current_sample_rows=len(cur_sample),
        seed=settings.random_state,
        settings=settings,
        seconds=time.perf_counter() - start,
        evidently_version=evidently_version(),
        target_drift=by_name.get(settings.target) if settings.target else None,
        prediction_drift=by_name.get(settings.prediction) if settings.prediction else None,
        notes=tuple(notes),
        engine=engine,
    )
    return DriftResult(summary=summary, html=html)


def scope_note(reference_rows: int, current_rows: int, reference_used: int, current_used: int, seed: int) -> str:
    """One line on a check of stored files read without loading them: what was exact over every row, what sampled."""
    def side(used: int, rows: int, name: str) -> str:
        return f"{used:,} of {rows:,} {name} rows" if used < rows else f"all {rows:,} {name} rows"

    how = (f" (uniform, seed {seed}), read from the file by position"
           if reference_used < reference_rows or current_used < current_rows else "")
    return (f"Large dataset, read from the stored file a column at a time (never all {reference_rows + current_rows:,} "
            f"rows in memory): exact over every row: which columns have values and each column's stat test (picked "
            f"as for the full data); sampled: the report ran on {side(reference_used, reference_rows, 'reference')} "
            f"and {side(current_used, current_rows, 'current')}{how}.")


def overlay(
    reference: pd.DataFrame, current: pd.DataFrame, column: str, column_type: str, bins: int = OVERLAY_BINS
) -> dict:
    """What components.drift_charts.overlay_figure draws for one column: both sides on the same axis, as
    shares of each side's non-missing values (so sides of different sizes compare).

    numeric / datetime: {"kind": "histogram", "edges": [bins + 1 numbers, or ISO dates for datetime], ...};
    whole numbers spanning at most ``bins`` values get one bin per value.
    categorical / boolean: {"kind": "categories", "categories": [labels, most frequent overall first, the rest
    past OVERLAY_CATEGORIES summed as "(other)"], ...}.
    Both also carry column, column_type, reference / current (shares), reference_values / current_values
    (non-missing counts) and reference_missing / current_missing. JSON-ready."""
    for side, frame in (("reference", reference), ("current", current)):
        if column not in frame.columns:
            raise DriftInputError(f"Column '{column}' is not in the {side} data.")
    ref, cur = reference[column], current[column]
    base = {"column": column, "column_type": column_type}
    if column_type in (NUMERIC, DATETIME):
        return base | _histograms(ref, cur, column_type, bins)
    if column_type in (CATEGORICAL, BOOLEAN):
        return base | _category_shares(ref, cur)
    raise DriftInputError(
        f"Column '{column}' is a {column_type} column; an overlay needs a numeric, datetime, categorical or "
        "boolean column."
    )


def _histograms(ref: pd.Series, cur: pd.Series, column_type: str, bins: int) -> dict:
    values = [_as_numbers(s, column_type) for s in (ref, cur)]
    known = [v[np.isfinite(v)] for v in values]
    both = np.concatenate(known)
    if both.size == 0:
        edges = np.array([0.0, 1.0])
    else:
        low, high = float(both.min()), float(both.max())
        whole = column_type == NUMERIC and np.all(np.mod(both, 1) == 0) and high - low < bins
        edges = (np.arange(low - 0.5, high + 1.5) if whole
                 else np.histogram_bin_edges(both, bins=bins, range=(low, high)))
    shares = [_shares(np.histogram(k, bins=edges)[0], k.size) for k in known]
    if column_type == DATETIME:
        edge_list = [pd.Timestamp(int(e)).isoformat() for e in edges]
    else:
        edge_list = [float(e) for e in edges]
    return {
        "kind": "histogram", "edges": edge_list, "reference": shares[0], "current": shares[1],
        "reference_values": int(known[0].size), "current_values": int(known[1].size),
        "reference_missing": int(values[0].size - known[0].size),
        "current_missing": int(values[1].size - known[1].size),
    }


def _category_shares(ref: pd.Series, cur: pd.Series) -> dict:
    counts = [s.dropna().astype(str).value_counts() for s in (ref, cur)]
    totals = [int(c.sum()) for c in counts]
    overall = (counts[0] / max(totals[0], 1)).add(counts[1] / max(totals[1], 1), fill_value=0)
    order = overall.sort_values(ascending=False, kind="stable").index
    shown = list(order[:OVERLAY_CATEGORIES])
    shares = []
    for c, total in zip(counts, totals, strict=True):
        side = [float(c.get(label, 0)) / total if total else 0.0 for label in shown]
        if len(order) > OVERLAY_CATEGORIES:
            side.append(float(c.drop(shown, errors="ignore").sum()) / total if total else 0.0)
        shares.append(side)
    return {
        "kind": "categories", "categories": shown + ([OTHER] if len(order) > OVERLAY_CATEGORIES else []),
        "reference": shares[0], "current": shares[1],
        "reference_values": totals[0], "current_values": totals[1],
        "reference_missing": int(ref.isna().sum()), "current_missing": int(cur.isna().sum()),
    }


def _as_numbers(series: pd.Series, column_type: str) -> np.ndarray:
    if column_type == DATETIME:
        dates = pd.to_datetime(series, errors="coerce")
        if getattr(dates.dtype, "tz", None) is not None:
            dates = dates.dt.tz_convert(None)
        numbers = dates.astype("int64").to_numpy(dtype="float64")
        numbers[dates.isna().to_numpy()] = np.nan
        return numbers
    return pd.to_numeric(series, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


def _shares(counts: np.ndarray, total: int) -> list[float]:
    return [float(c) / total if total else 0.0 for c in counts]


def _auto_method(name: str, kind: str, reference: pd.DataFrame, current: pd.DataFrame) -> str | None:
    """The test Evidently picks for this column on the full data (default_method), named explicitly so that a
    sample keeps it. Distinct values are counted only as far as the rule needs (the first 5,000 values
    usually settle it)."""
    kind = "numeric" if kind == NUMERIC else "categorical"
    ref = _known(reference[name])
    if kind == "categorical" and ref.size > SMALL_REFERENCE:
        return default_method(kind, ref.size, 0)                 # Jensen-Shannon, whatever the count
    distinct = pd.unique(ref[:5_000]).size
    if distinct <= FEW_VALUES:
        distinct = pd.unique(np.concatenate([ref, _known(current[name])])).size
    return default_method(kind, ref.size, distinct)


def _known(series: pd.Series) -> np.ndarray:
    """The values Evidently tests, as an array: missing and infinite values dropped."""
    if _is_number(series):
        values = _numbers(series)
        return values[np.isfinite(values)]
    return series.dropna().to_numpy()


def _has_values(series: pd.Series) -> bool:
    if _is_number(series):
        return bool(np.isfinite(_numbers(series)).any())
    return bool(series.notna().any())


def _is_number(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype)


def _numbers(series: pd.Series) -> np.ndarray:
    return pd.to_numeric(series, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


def _check_methods(settings: DriftSettings, kinds: set[str]) -> dict[str, str]:
    """The methods the settings force for the kinds of column checked ("numeric", "categorical");
    DriftInputError for a name Evidently does not know for that kind."""
    forced = {}
    for kind, name in (("numeric", settings.num_method or settings.method),
                       ("categorical", settings.cat_method or settings.method)):
        if name is None or kind not in kinds:
            continue
        known = method_names(kind)
        if name not in known:
            raise DriftInputError(
                f"Drift method '{name}' does not apply to {kind} columns. Choose one of: {', '.join(known)}."
            )
        forced[kind] = name
    return forced


def _check_settings(settings: DriftSettings) -> None:
    if settings.max_rows_per_side < MIN_ROWS:
        raise DriftInputError(
            f"max_rows_per_side is {settings.max_rows_per_side}; it must be at least {MIN_ROWS} "
            f"(the default is {MAX_ROWS_PER_SIDE:,})."
        )
    if not 0 < settings.drift_share <= 1:
        raise DriftInputError(f"drift_share is {settings.drift_share}; it must be above 0 and at most 1 (default 0.5).")
    if settings.threshold is not None and not settings.threshold > 0:
        raise DriftInputError(f"The drift threshold is {settings.threshold}; "
                              "it must be above 0 (or None for the default).")


def _types(frame: pd.DataFrame, types: Mapping[str, str] | None) -> dict[str, str]:
    if types is None:
        return infer_column_types(frame)
    missing = [c for c in frame.columns if c not in types]
    if missing:
        return {**infer_column_types(frame[missing]), **types}
    return dict(types)


def _why_not(name: str, match: ColumnMatch) -> str:
    if name in match.only_in_reference:
        return "it is only in the reference data"
    if name in match.only_in_current:
        return "it is only in the current data"
    for r in match.retyped:
        if r.column == name:
            return f"it is {r.reference_type} in the reference data but {r.current_type} in the current data"
    for m in match.all_missing:
        if m.column == name:
            return "it has no values " + ("on either side" if m.side == "both" else f"in the {m.side} data")
    for s in match.not_tested:
        if s.column == name:
            return s.reason
    return "it is in neither dataset"


def _date_columns_hint(frame: pd.DataFrame) -> str:
    dates = [c for c in frame.columns if pd.api.types.is_datetime64_any_dtype(frame[c].dtype)]
    if dates:
        return f"Date columns: {_short(tuple(dates))}."
    return "The data has no date column: split it by row order instead."


def _short(names: tuple, limit: int = 8) -> str:
    shown = ", ".join(str(n) for n in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "") if names else "no columns"
