"""Leakage checks: find what lets a model see the answer during evaluation but not in production.

    report = scan_leakage(table.frame, table.column_types, "diagnosis")
    report = scan_leakage(frame, types, "churned", split=Split("date", date_column="signup_date"))
    report = scan_leakage(train, types, "churned", split=Split("test_dataset"), test_frame=test)
    for finding in report.findings: finding.severity, finding.title, finding.action, finding.evidence
    stored = json.dumps(report.to_dict()); again = LeakageReport.from_dict(json.loads(stored))

The checks (analysis.leakage.checks.DEFAULT_CHECKS; each a small object with one compute function):

- target_proxy finds one feature alone that predicts the target almost perfectly.
  Severity: high: score bound >= proxy_*_high; medium: >= proxy_*_medium.
- post_outcome finds a strong feature named like an outcome (or like the target), or dated after the prediction
  time. Severity: high / medium by hint_*.
- availability finds a strong feature (bound >= hint_*_medium) that the design document's feature table marks not
  known at prediction time, or unknown. Severity: high ("no") / medium ("unknown").
- id_column finds ID-like columns (identifiers; text with a distinct value on most rows, such as names), and whether
  they predict the target (row order leaking). Severity: high: bound >= id_*_high; medium: >= id_*_medium; else
  info (medium on the Baselines page when among a run's features).
- duplicates finds rows repeating an earlier row, exactly and without the ID columns.
  Severity: medium from duplicate_share_medium, else info.
- train_test_overlap finds test rows whose features equal a training row's.
  Severity: high / medium by overlap_share_* , else info.
- conflicting_labels finds identical features, different labels (class targets).
  Severity: medium from conflict_share_medium, else info.
- date_overlap finds test rows dated before the last training date (split names a date column).
  Severity: by date_overlap_share_*.
- group_overlap finds a group (customer) on both sides (split names a group column).
  Severity: by group_overlap_share_*.

Scores are cross-validated single-feature models without fitting (analysis.leakage.scores): ROC AUC of the
values themselves, and of a lookup of the target mean per bin or category in the other folds; R2 for a numeric
target. Thresholds apply to a score's lower confidence bound, so small data needs clearer evidence.

A column that is the target written another way (equal to it, or one code, or a few, per class: see
analysis.leakage.checks._encoding) is titled "'x' encodes the target" (or "equals the target") by target_proxy,
not "recorded after the outcome". The scan does not know a run's feature set: an ID-like column is an info finding
here ("if used as a feature ..."), and the Baselines page raises it to medium when a run's features include it.

What is exact and what is sampled: the row checks (duplicates, overlaps, conflicts, dates, groups) use every row,
through 64-bit row hashes. Scores use the labelled rows up to settings.sample_rows, above that a sample
stratified by class; the report says so (sampled, sample_rows, notes).

Data larger than memory: ``frame`` (and ``test_frame``) may be an analysis.engine.table FileTable, a stored Parquet
file the scan reads one column at a time (hashes, ID columns, the split, the labels) and whose scored sample and
example rows it reads by position. The results are those of the same frame in memory (the same sample, the same
hashes); the report says how it read the rows (engine "file") and, in its first note, what was exact and what
sampled (scope_note).

How the default thresholds were chosen (single-feature scores of sample_data/breast_cancer.csv, 569 rows,
5 folds, and full scans of random subsamples of it without sample_id, 100 per size):
- Honest features there are strong: worst_perimeter ROC AUC 0.976 (bound 0.963), worst_radius 0.970,
  worst_concave_points 0.967. The target plus Gaussian noise (sd 0.25) scores 0.998 (bound 0.993); with 1 %
  of its labels flipped, 0.993. Hence proxy_auc_high 0.985 and proxy_auc_medium 0.97, on the bound.
- Small samples: the best honest bound reaches 0.99 by chance at 60 rows, 0.984 at 100, 0.979 at 200. With the
  bound alone, 5 % of 100-row subsamples had an honest high proxy (1 % at 150 rows); with a high proxy also
  needing proxy_min_class_rows = 50 rows in the smallest class, 1 of 900 subsamples of 100-400 rows had one
  (honest mediums: 16-18 % at 100 rows, 8 % at 200, 3 % at 400, none on all 569), while the noisy copy was
  high in 72 % of 150-row, 94 % of 200-row and 98 % of 300-row subsamples (else medium).
- Other scikit-learn data: iris' best feature scores 0.981 (bound 0.968: not flagged), wine 0.899, digits 0.727;
  regression: diabetes R2 0.34. None is flagged.
- sample_id (ids in file order; malignant rows come early more often) scores AUC 0.678 (bound 0.64): an ID
  column that predicts the target, medium (id_auc_medium 0.6); ids handed out in label order score 1.0: high.
"""
from __future__ import annotations

import time

import numpy as np
import pandas as pd

from analysis.column_types import COLUMN_TYPES, DATETIME, infer_column_types
from analysis.engine.table import FILE, FileTable, engine_of
from analysis.errors import TargetError
from analysis.leakage.checks import DEFAULT_CHECKS, ScanContext, run_checks
from analysis.leakage.model import (
    HIGH,
    INFO,
    MEDIUM,
    SEVERITIES,
    SPLIT_KINDS,
    Finding,
    LeakageReport,
    LeakageSettings,
    Split,
)
from analysis.leakage.rows import as_dates
from analysis.leakage.scores import FeatureScore
from analysis.target import check_target

__all__ = [
    "DEFAULT_CHECKS", "HIGH", "INFO", "MEDIUM", "SEVERITIES", "SPLIT_KINDS", "FeatureScore", "Finding",
    "KNOWN_AT_PREDICTION", "LeakageReport", "LeakageSettings", "Split", "check_feature_table", "check_leakage_target",
    "check_scan", "check_split", "run_scan", "scan_leakage",
]


def check_leakage_target(frame: pd.DataFrame, target: str, column_types: dict[str, str] | None = None, *,
                         min_rows: int = LeakageSettings.min_rows) -> str:
    """Check that leakage checks can run for ``target``; return its task ("binary", "multiclass", "regression").

    Raises TargetError saying what is wrong and what to do: a column that is not in the frame (naming the
    choices), fewer than ``min_rows`` rows, a target with no values, one class, dates, an identifier or free
    text, or fewer than ``min_rows`` rows with a target value.
    """
    if target not in frame.columns:
        check_target(frame, target, column_types)   # raises, naming the columns to choose from
    if len(frame) < min_rows:
        raise TargetError(
            f"The dataset has {len(frame):,} row{'s' if len(frame) != 1 else ''}; leakage checks need at least "
            f"{min_rows}. Upload more data."
        )
    task = check_target(frame, target, column_types)
    labelled = int(frame[target].notna().sum())
    if labelled < min_rows:
        raise TargetError(
            f"Target column '{target}' has a value in only {labelled:,} of {len(frame):,} rows; leakage checks need "
            f"at least {min_rows} labelled rows. Fill in the labels or choose another target."
        )
    return task


def check_split(frame: pd.DataFrame, column_types: dict[str, str], target: str, split: Split,
                test_frame: pd.DataFrame | None) -> None:
    """Check that ``split`` fits the data; ValueError saying what is wrong and what to do."""
    if not isinstance(split, Split):
        raise TypeError(f"split must be a Split, got {type(split).__name__}.")
    if split.kind == "test_dataset" and test_frame is None:
        raise ValueError("The split uses a test dataset, but none was given: pass test_frame, or choose another split.")
    if split.kind != "test_dataset" and test_frame is not None:
        raise ValueError(f"A test dataset was given with a '{split.kind}' split; "
                         "use Split(kind='test_dataset') to compare them.")
    for role, column in (("date_column", split.date_column), ("group_column", split.group_column),
                         ("prediction_time_column", split.prediction_time_column)):
        if column is None:
            continue
        if column not in frame.columns:
            raise ValueError(f"The split's {role} '{column}' is not in the dataset; choose one of {_names(frame)}.")
        if column == target:
            raise ValueError(f"The split's {role} is the target '{target}'; choose another column.")
        if test_frame is not None and column not in test_frame.columns:
            raise ValueError(f"The split's {role} '{column}' is not in the test dataset; both datasets need it.")
        if role != "group_column" and not _holds_dates(frame[column], column_types.get(column)):
            raise ValueError(
                f"The split's {role} '{column}' holds no dates (its type is {column_types.get(column)}); "
                "choose a date column."
            )
    if split.kind == "date" and split.cut is not None:
        try:
            pd.Timestamp(split.cut)
        except ValueError:
            raise ValueError(f"The split's cut {split.cut!r} is not a date; write it as YYYY-MM-DD.") from None
    if test_frame is not None:
        missing = [str(c) for c in frame.columns if c != target and c not in test_frame.columns]
        if missing:
            raise ValueError(
                f"The test dataset lacks {len(missing)} column(s) of the dataset: {', '.join(missing[:8])}"
                f"{' ...' if len(missing) > 8 else ''}. Both datasets need the same columns."
            )
        if len(test_frame) == 0:
            raise ValueError("The test dataset has no rows; upload one with rows, or choose another split.")


def scan_leakage(
    frame: pd.DataFrame,
    column_types: dict[str, str] | None,
    target: str,
    *,
    split: Split = Split(),
    test_frame: pd.DataFrame | None = None,
    settings: LeakageSettings = LeakageSettings(),
    checks=DEFAULT_CHECKS,
    feature_table: dict[str, dict[str, str]] | None = None,
) -> LeakageReport:
    """Run the leakage ``checks`` on ``frame`` for ``target`` and return a LeakageReport.

    column_types: column -> type, as Table.column_types gives it; None infers them.
    split: how train and test are formed (Split); test_frame: the test dataset for Split(kind="test_dataset").
    settings: thresholds and sampling (LeakageSettings). checks: the checks to run, in order.
    feature_table: the design document's feature table, column -> {"known": "yes" / "no" / "unknown", "source",
        "note"} (check_feature_table); columns marked "no" or "unknown" that predict the target strongly are flagged.
    Raises TargetError for an unusable target and ValueError for a split that does not fit the data.
    """
    column_types, task, table = check_scan(frame, column_types, target, split, test_frame, settings, feature_table)
    return run_scan(frame, column_types, target, task, split, test_frame, settings, checks, table)


def check_scan(frame, column_types: dict[str, str] | None, target: str, split: Split, test_frame,
               settings: LeakageSettings, feature_table: dict | None) -> tuple[dict[str, str], str, dict]:
    """Everything scan_leakage checks before it scans, once: (column types, task, checked feature table). Raises
    TargetError for an unusable target and ValueError for a split or settings that do not fit the data."""
    column_types = _check_frame(frame, column_types)
    if not isinstance(settings, LeakageSettings):
        raise TypeError(f"settings must be LeakageSettings, got {type(settings).__name__}.")
    task = check_leakage_target(frame, target, column_types, min_rows=settings.min_rows)
    if frame.shape[1] < 2:
        raise ValueError(f"The dataset has only the target column '{target}'; leakage checks need feature columns too.")
    check_split(frame, column_types, target, split, test_frame)
    return column_types, task, check_feature_table(feature_table)


def run_scan(frame, column_types: dict[str, str], target: str, task: str, split: Split, test_frame,
             settings: LeakageSettings, checks, table: dict) -> LeakageReport:
    """The scan itself, on inputs check_scan accepted (not checked again)."""
    start = time.perf_counter()
    ctx = ScanContext(frame, column_types, target, task, split, settings, test_frame, table)
    findings, timings = run_checks(ctx, checks)
    sides = ctx.sides
    sampled = len(ctx.sample_positions) < ctx.labelled_rows
    notes = list(sides.notes if sides is not None else ())
    engine = engine_of(frame)
    if engine == FILE:
        notes.insert(0, scope_note(len(frame), ctx.labelled_rows, len(ctx.sample_positions), task, target,
                                   settings.random_state, sides is not None))
    elif sampled:
        how = "a uniform sample" if task == "regression" else "a sample stratified by class"
        notes.insert(0, f"Scores use {how} of {len(ctx.sample_positions):,} of the {ctx.labelled_rows:,} "
                        "labelled rows; duplicate, overlap and conflict counts use every row.")
    if ctx.labelled_rows < len(frame):
        notes.append(f"{len(frame) - ctx.labelled_rows:,} rows without a '{target}' value are left out of the scores.")
    return LeakageReport(
        findings=tuple(findings),
        scores=tuple(ctx.scores.values()),
        target=target,
        task=task,
        settings=settings,
        split=split,
        rows=len(frame),
        train_rows=len(sides.train) if sides is not None else 0,
        test_rows=len(sides.test) if sides is not None else 0,
        sampled=sampled,
        sample_rows=len(ctx.sample_positions),
        seed=settings.random_state,
        seconds=round(time.perf_counter() - start, 3),
        timings=timings,
        checks=tuple(c.name for c in checks),
        notes=tuple(notes),
        feature_table={c: row for c, row in table.items() if c in frame.columns and row["known"] != "yes"},
        engine=engine,
        labelled_rows=ctx.labelled_rows,
    )


def scope_note(rows: int, labelled: int, scored: int, task: str, target: str, seed: int, split: bool) -> str:
    """One line on a scan of a stored file read without loading it: what was exact over every row, what sampled."""
    checks = "duplicate rows, " + ("train/test overlap, " if split else "") + "conflicting labels and ID columns"
    if scored < labelled:
        how = "uniform" if task == "regression" else f"stratified by '{target}'"
        scores = (f"sampled: single-feature scores on {scored:,} of the {labelled:,} labelled rows "
                  f"({how}, seed {seed}), read from the file by position")
    else:
        scores = f"single-feature scores on all {labelled:,} labelled rows"
    return (f"Large dataset, read from the stored file a column at a time (never all {rows:,} rows in memory): "
            f"exact over every row: {checks} (64-bit row hashes, distinct counts); {scores}.")


KNOWN_AT_PREDICTION = ("yes", "no", "unknown")


def check_feature_table(table: dict[str, dict[str, str]] | None) -> dict[str, dict[str, str]]:
    """The feature table as column -> {"known", "source", "note"} (text; "known" one of yes / no / unknown);
    ValueError naming the row that does not fit."""
    checked = {}
    for column, row in (table or {}).items():
        if not isinstance(row, dict):
            raise ValueError(f"Feature table row for '{column}' must be a dict with 'known', 'source' and 'note', "
                             f"got {type(row).__name__}.")
        known = str(row.get("known") or "unknown").strip().lower()
        if known not in KNOWN_AT_PREDICTION:
            raise ValueError(f"Feature table row for '{column}': known at prediction time is {known!r}; it must be "
                             f"one of {', '.join(KNOWN_AT_PREDICTION)}.")
        checked[str(column)] = {"known": known, "source": str(row.get("source") or ""),
                                "note": str(row.get("note") or "")}
    return checked


def _check_frame(frame: pd.DataFrame, column_types: dict[str, str] | None) -> dict[str, str]:
    if not isinstance(frame, (pd.DataFrame, FileTable)):
        raise TypeError(f"scan_leakage needs a pandas DataFrame, got {type(frame).__name__}.")
    if not frame.columns.is_unique:
        repeated = sorted({str(c) for c in frame.columns[frame.columns.duplicated()]})
        raise ValueError(f"Column names must be unique; repeated: {', '.join(repeated)}. Rename them first.")
    if column_types is None:
        if isinstance(frame, FileTable):
            raise ValueError("A stored file is scanned with its column types (as stored with the dataset); pass them.")
        return infer_column_types(frame)
    missing = [str(c) for c in frame.columns if c not in column_types]
    if missing:
        raise ValueError(f"column_types has no type for {', '.join(missing)}; pass infer_column_types(frame).")
    unknown = {c: t for c, t in column_types.items() if c in frame.columns and t not in COLUMN_TYPES}
    if unknown:
        raise ValueError(f"Unknown column types {unknown}; each must be one of {', '.join(COLUMN_TYPES)}.")
    return {c: column_types[c] for c in frame.columns}


def _holds_dates(series: pd.Series, kind: str | None) -> bool:
    """A datetime column, or text of which some values read as dates (numbers are not taken for timestamps)."""
    if kind == DATETIME or pd.api.types.is_datetime64_any_dtype(series.dtype):
        return True
    if pd.api.types.is_numeric_dtype(series.dtype) or pd.api.types.is_bool_dtype(series.dtype):
        return False
    return not np.isnat(as_dates(series)).all()


def _names(frame: pd.DataFrame) -> str:
    names = [str(c) for c in frame.columns]
    return ", ".join(names[:12]) + (f" and {len(names) - 12} more" if len(names) > 12 else "")
