"""Leakage, baselines and drift on a stored file above the in-memory size (analysis.engine.table FileTable): the same
sample rows and the same results as the whole frame in memory, and each result says what was exact and what sampled.

The in-memory size is each analysis's own sample size (leakage: LeakageSettings.sample_rows; baselines:
RunSettings.max_rows; drift: DriftSettings.max_rows_per_side), so these tests use small frames with small sizes.
"""
from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from analysis.baselines.run import BaselineRun, RunSettings, run_baselines
from analysis.column_types import infer_column_types
from analysis.drift.model import DriftSettings
from analysis.drift.run import run_drift, split_by_date, split_by_order
from analysis.engine.table import FILE, PANDAS, FileTable, open_table
from analysis.error_analysis.analyze import analyze_run
from analysis.leakage.checks import ScanContext
from analysis.leakage.model import LeakageReport, LeakageSettings, Split
from analysis.leakage.scan import scan_leakage
from bench.leakage import SPLIT, TARGET, generate_frame

ROWS = 3_000


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    """(path, frame as pandas reads the file, column types): generated churn data with planted leaks, 1 % duplicate
    rows and some rows without a label, stored as the app stores a dataset but in small row groups (so positions
    cross row groups)."""
    frame = generate_frame(ROWS, seed=3)
    frame.loc[frame.index % 97 == 0, TARGET] = None
    path = tmp_path_factory.mktemp("engine") / "data.parquet"
    frame.to_parquet(path, index=False, row_group_size=700)
    frame = pd.read_parquet(path)
    return path, frame, infer_column_types(frame)


@pytest.fixture(scope="module")
def test_file(stored, tmp_path_factory):
    """A second stored dataset (a test set): 400 new rows and 30 rows copied from the first."""
    _, frame, _ = stored
    other = pd.concat([generate_frame(400, seed=9), frame.iloc[10:40]], ignore_index=True)
    path = tmp_path_factory.mktemp("engine-test") / "test.parquet"
    other.to_parquet(path, index=False, row_group_size=150)
    return path, pd.read_parquet(path)


# --- the table ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("cells", [None, 2_100], ids=["row groups whole", "three columns at a time"])
def test_file_table_gives_columns_and_rows_as_pandas_reads_them(stored, cells, monkeypatch):
    path, frame, _ = stored
    if cells is not None:
        monkeypatch.setattr("analysis.engine.table.CELLS_PER_READ", cells)
    table = FileTable(path)
    assert len(table) == ROWS and table.shape == frame.shape and list(table.columns) == list(frame.columns)
    for column in ("plan", "signup_date", "x3", TARGET, "has_discount"):
        pd.testing.assert_series_equal(table[column], frame[column])
    positions = [2_999, 5, 701, 5, 0]                      # any order, repeats, across row groups
    pd.testing.assert_frame_equal(table.take(positions), frame.take(positions))
    pd.testing.assert_frame_equal(table.iloc[10:20], frame.iloc[10:20])
    assert table.take([]).columns.tolist() == frame.columns.tolist()
    part = table.subset(np.arange(1_000, 2_000))
    assert len(part) == 1_000 and part.total_rows == ROWS
    pd.testing.assert_series_equal(part["x0"], frame["x0"].iloc[1_000:2_000].reset_index(drop=True))
    pd.testing.assert_frame_equal(part.take([3, 1]), frame.iloc[1_000:2_000].reset_index(drop=True).take([3, 1]))


def test_open_table_reads_whole_up_to_the_in_memory_size(stored):
    path, frame, _ = stored
    assert isinstance(open_table(path, ROWS), pd.DataFrame)
    assert isinstance(open_table(path, ROWS - 1), FileTable)
    assert isinstance(open_table(path, ROWS - 1, use_engine=False), pd.DataFrame)


# --- leakage -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("split", [Split(), SPLIT, Split("date", date_column="signup_date"),
                                   Split("group", group_column="customer_id")], ids=lambda s: s.kind)
def test_leakage_on_the_file_equals_the_scan_in_memory(stored, split):
    path, frame, types = stored
    settings = LeakageSettings(sample_rows=1_200, min_class_rows=100)
    table = open_table(path, settings.sample_rows)
    assert isinstance(table, FileTable)
    in_memory = scan_leakage(frame, types, TARGET, split=split, settings=settings)
    on_file = scan_leakage(table, types, TARGET, split=split, settings=settings)
    assert on_file.findings == in_memory.findings               # row checks, examples and scores alike
    assert on_file.scores == in_memory.scores
    same = ("rows", "train_rows", "test_rows", "sampled", "sample_rows", "seed", "labelled_rows")
    assert {k: getattr(on_file, k) for k in same} == {k: getattr(in_memory, k) for k in same}
    assert in_memory.engine == PANDAS and on_file.engine == FILE
    labelled = int(frame[TARGET].notna().sum())
    assert on_file.sampled and on_file.labelled_rows == labelled
    note = on_file.notes[0]
    assert f"never all {ROWS:,} rows in memory" in note
    assert f"single-feature scores on {on_file.sample_rows:,} of the {labelled:,} labelled rows (stratified by " \
           f"'{TARGET}', seed 0)" in note
    assert "exact over every row: duplicate rows" in note
    assert on_file.finding("duplicates").evidence["rows"] == ROWS        # exact over every row
    assert in_memory.notes[1:] == on_file.notes[1:]


def test_leakage_draws_the_same_sample_rows(stored):
    path, frame, types = stored
    settings = LeakageSettings(sample_rows=1_200, min_class_rows=100)
    task = "binary"
    memory = ScanContext(frame, types, TARGET, task, Split(), settings)
    file = ScanContext(FileTable(path), types, TARGET, task, Split(), settings)
    assert np.array_equal(memory.sample_positions, file.sample_positions)
    assert len(file.sample_positions) < int(frame[TARGET].notna().sum())
    pd.testing.assert_frame_equal(file.sample, memory.sample)


def test_leakage_with_a_test_dataset_on_files(stored, test_file):
    path, frame, types = stored
    test_path, test_frame = test_file
    settings = LeakageSettings(sample_rows=1_200, min_class_rows=100)
    in_memory = scan_leakage(frame, types, TARGET, split=Split("test_dataset"), test_frame=test_frame,
                             settings=settings)
    on_file = scan_leakage(FileTable(path), types, TARGET, split=Split("test_dataset"), test_frame=FileTable(test_path),
                           settings=settings)
    assert on_file.findings == in_memory.findings and on_file.scores == in_memory.scores
    overlap = on_file.finding("train_test_overlap").evidence
    assert overlap["rows_without_ids"] >= 30 and overlap["test_rows"] == len(test_frame)
    assert "train/test overlap" in on_file.notes[0]


def test_small_data_is_scanned_in_memory_as_before(stored):
    path, frame, types = stored
    table = open_table(path, LeakageSettings().sample_rows)
    assert isinstance(table, pd.DataFrame)
    report = scan_leakage(table, types, TARGET)
    assert report.engine == PANDAS and not report.sampled
    assert not any("stored file" in note for note in report.notes)


# --- baselines ---------------------------------------------------------------------------------------------------
def _without_timings(run) -> dict:
    plain = run.to_dict()
    for key in ("seconds", "notes", "engine", "n_rows_labelled", "versions"):
        plain.pop(key)
    for result in plain["results"]:
        for key in ("fit_s", "predict_s", "seconds"):
            result.pop(key, None)
    return plain


@pytest.mark.parametrize("extra", [{}, {"date_column": "signup_date"}], ids=["holdout", "time"])
def test_baselines_on_the_file_equal_the_run_in_memory(stored, extra):
    path, frame, types = stored
    settings = RunSettings(target=TARGET, max_rows=1_000, models=("Dummy", "Logistic regression"), **extra)
    table = open_table(path, settings.max_rows)
    assert isinstance(table, FileTable)
    in_memory = analyze_run(run_baselines(frame, types, settings), frame, types)
    on_file = analyze_run(run_baselines(table, types, settings), table, types)
    assert _without_timings(on_file) == _without_timings(in_memory)       # metrics, predictions, error analysis
    best = on_file.best()
    assert best.predictions.rows == in_memory.best().predictions.rows     # the same sample rows, as file positions
    assert best.error_analysis.worst is not None and not best.error_analysis.problems
    assert in_memory.engine == PANDAS and on_file.engine == FILE
    labelled = int(frame[TARGET].notna().sum())
    assert on_file.sampled and on_file.n_rows == 1_000 and on_file.n_rows_total == ROWS
    assert on_file.n_rows_labelled == labelled
    note = next(n for n in on_file.notes if "stored file" in n)
    assert f"trained and tested on 1,000 of the {labelled:,} labelled rows (stratified by '{TARGET}', seed 0)" in note
    assert "Sampled 1,000" in " ".join(in_memory.notes) and "Sampled 1,000" not in " ".join(on_file.notes)


def test_baselines_with_a_test_dataset_on_files(stored, test_file):
    path, frame, types = stored
    test_path, test_frame = test_file
    settings = RunSettings(target=TARGET, max_rows=1_000, models=("Dummy", "Logistic regression"))
    in_memory = run_baselines(frame, types, settings, test_frame=test_frame)
    on_file = run_baselines(FileTable(path), types, settings, test_frame=FileTable(test_path))
    assert _without_timings(on_file) == _without_timings(in_memory)
    assert on_file.protocol.kind == "test_dataset" and on_file.n_test_rows == len(test_frame)


# --- drift -------------------------------------------------------------------------------------------------------
def _summary(result) -> dict:
    plain = result.summary.to_dict()
    for key in ("seconds", "notes", "engine"):
        plain.pop(key)
    return plain


@pytest.mark.parametrize("how", ["order", "date", "datasets"])
def test_drift_on_the_file_equals_the_check_in_memory(stored, test_file, how):
    path, frame, types = stored
    settings = DriftSettings(max_rows_per_side=600)
    table = open_table(path, settings.max_rows_per_side)
    if how == "order":
        memory_sides, file_sides = split_by_order(frame, 0.4), split_by_order(table, 0.4)
    elif how == "date":
        memory_sides, file_sides = (split_by_date(frame, "signup_date", "2023-03-01"),
                                    split_by_date(table, "signup_date", "2023-03-01"))
    else:
        test_path, test_frame = test_file
        memory_sides, file_sides = (frame, test_frame), (table, FileTable(test_path))
    assert all(isinstance(side, FileTable) for side in file_sides)
    in_memory = run_drift(*memory_sides, types, types, settings)
    on_file = run_drift(*file_sides, types, types, settings)
    assert _summary(on_file) == _summary(in_memory)
    assert in_memory.summary.engine == PANDAS and on_file.summary.engine == FILE
    s = on_file.summary
    assert s.sampled
    note = s.notes[0]
    assert "never all" in note and "rows in memory" in note
    assert f"{s.reference_sample_rows:,} of {s.reference_rows:,} reference rows" in note
    assert in_memory.summary.notes[1:] == s.notes[1:]


def test_every_result_reads_back_with_its_engine(stored):
    path, _, types = stored
    report = scan_leakage(FileTable(path), types, TARGET, settings=LeakageSettings(sample_rows=1_200))
    assert LeakageReport.from_dict(report.to_dict()) == report
    run = run_baselines(FileTable(path), types, RunSettings(target=TARGET, max_rows=500, models=("Dummy",)))
    again = BaselineRun.from_dict(run.to_dict())
    assert again.engine == FILE and again.n_rows_labelled == run.n_rows_labelled
    old = {k: v for k, v in report.to_dict().items() if k not in ("engine", "labelled_rows")}
    assert LeakageReport.from_dict(old).engine == PANDAS            # stored before: read as in memory
    assert dataclasses.replace(report, engine=PANDAS).engine == PANDAS
