"""The data engine: exact figures by DuckDB queries on a Parquet file equal the in-memory profile's, column by
column (missing values, categoricals, dates, booleans, infinities, duplicates); its sample is the in-memory
sample's rows; a profile computed through it says so and reads back."""
from __future__ import annotations

import dataclasses
import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from analysis.column_types import infer_column_types
from analysis.engine import figures as figures_module
from analysis.engine.connection import EngineSettings, connect, parquet_source, quote
from analysis.engine.dialect import DUCKDB
from analysis.engine.figures import file_figures, table_figures
from analysis.engine.sample import draw_sample, sample_positions
from analysis.errors import TargetError
from analysis.profile.column_stats import TOP_K
from analysis.profile.describe import Profile, describe_dataset, describe_file
from bench.bigdata import figures_close


def mixed_frame(rows: int = 3_000, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({
        "x": rng.normal(0, 1, rows).round(2),
        "k": rng.integers(0, 40, rows),
        "m": np.where(rng.random(rows) < 0.1, np.nan, rng.lognormal(0, 1, rows)),
        "edge": np.r_[np.inf, -np.inf, 0.0, rng.random(rows - 3)],
        "when": pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 10**8, rows), unit="s"),
        "plan": pd.Categorical(rng.choice(["basic", "plus", "pro", "12"], rows, p=[0.5, 0.3, 0.15, 0.05])),
        "code": np.array([f"c{i}" for i in range(rows)], dtype=object),
        "flag": rng.random(rows) < 0.3,
        "maybe": pd.array(np.where(rng.random(rows) < 0.1, None, rng.random(rows) < 0.5), dtype="boolean"),
        "label": rng.choice(["yes", "no"], rows, p=[0.2, 0.8]),
    })
    frame.loc[5, "when"] = pd.NaT
    frame.loc[7, "plan"] = None
    frame["label"] = pd.Categorical(frame["label"])
    return pd.concat([frame, frame.iloc[:10]], ignore_index=True)    # 10 duplicate rows


@pytest.fixture
def stored(tmp_path):
    frame = mixed_frame()
    path = tmp_path / "data.parquet"
    frame.to_parquet(path, index=False)
    frame = pd.read_parquet(path)
    return path, frame, infer_column_types(frame)




def _top_without_boundary_ties(stats):
    """Top values up to the last count that is not tied with a value just past the list (pandas breaks those ties
    arbitrarily, the engine by value)."""
    top = [dataclasses.asdict(v) for v in stats.top]
    if len(top) == TOP_K:
        last = top[-1]["count"]
        top = [v for v in top if v["count"] > last]
    return top


def test_engine_figures_equal_the_in_memory_figures_column_by_column(stored):
    path, frame, types = stored
    memory = describe_dataset(frame, types)
    figures = file_figures(path, types, EngineSettings(memory_limit="256MB", threads=1))
    assert (figures.rows, figures.duplicate_rows, figures.rows_with_missing) == (
        memory.overview.rows, memory.overview.duplicate_rows, memory.missing.rows_with_missing) == (3_010, 10, 556)
    assert [s.name for s in figures.columns] == list(frame.columns)
    for mine, theirs in zip(figures.columns, memory.columns, strict=True):
        for field in dataclasses.fields(mine):
            if field.name in ("memory_bytes", "top"):
                continue
            a, b = getattr(mine, field.name), getattr(theirs, field.name)
            a = dataclasses.asdict(a) if dataclasses.is_dataclass(a) else a
            b = dataclasses.asdict(b) if dataclasses.is_dataclass(b) else b
            assert figures_close(a, b), (mine.name, field.name, a, b)
        assert _top_without_boundary_ties(mine) == _top_without_boundary_ties(theirs), mine.name
        assert abs(mine.memory_bytes - theirs.memory_bytes) <= 0.1 * theirs.memory_bytes, mine.name


def _counted_figures(path, types) -> tuple:
    """(table_figures of the Parquet file at ``path`` by DuckDB, the queries it ran)."""
    con = connect()
    type_names = {row[0]: row[1] for row in con.execute(f"DESCRIBE SELECT * FROM {parquet_source(path)}").fetchall()}
    asked = []

    def run(queries):
        asked.extend(queries)
        return [con.execute(sql).fetchall() for sql in queries]
    return table_figures(run, parquet_source(path), type_names, types, DUCKDB), asked


def _same(a, b) -> bool:
    return figures_close(dataclasses.asdict(replace(a, file_bytes=0, seconds=0)),
                         dataclasses.asdict(replace(b, file_bytes=0, seconds=0)))


def test_figures_take_two_queries_over_all_columns_and_one_per_column(stored):
    path, frame, types = stored
    figures, asked = _counted_figures(path, types)
    assert len(asked) == 2 + frame.shape[1]          # summary, one per column, then distinct rows
    assert not any("quantile_cont" in sql for sql in asked)     # few distinct values: read off the grouped counts
    assert _same(figures, file_figures(path, types))


def test_rows_are_not_grouped_when_a_column_tells_they_are_distinct(stored, tmp_path):
    path, frame, types = stored
    _, asked = _counted_figures(path, types)
    assert sum("row_key" in sql for sql in asked) == 1           # 10 rows repeat: the rows are grouped
    unique = tmp_path / "unique.parquet"
    frame.drop_duplicates().assign(id=lambda f: np.arange(len(f))).to_parquet(unique, index=False)
    types = infer_column_types(pd.read_parquet(unique))
    figures, asked = _counted_figures(unique, types)
    assert not any("row_key" in sql for sql in asked) and figures.duplicate_rows == 0


def test_a_categorical_column_of_many_values_has_its_share_of_numbers_counted_by_the_engine(stored, monkeypatch):
    path, _, types = stored
    every = {s.name: s for s in file_figures(path, types).columns}["plan"]      # its 4 values all counted
    monkeypatch.setattr(figures_module, "LABEL_GROUPS", 3)                        # fewer than it has: a query
    plan = {s.name: s for s in file_figures(path, types).columns}["plan"]
    assert plan.numeric_share == pytest.approx(every.numeric_share) and plan.distinct == every.distinct == 4
    assert plan.top == every.top


def test_quantiles_by_quantile_queries_equal_those_read_off_the_counts(stored, monkeypatch):
    path, frame, types = stored
    counted = file_figures(path, types)
    numbers = [c.name for c in counted.columns if c.quantiles]
    monkeypatch.setattr(figures_module, "COUNTED_QUANTILES", 0)
    figures, asked = _counted_figures(path, types)
    assert sum("quantile_cont" in sql for sql in asked) == 1 and _same(figures, counted)
    monkeypatch.setattr(figures_module, "QUANTILE_VALUES", len(frame))      # one number column per query
    figures, asked = _counted_figures(path, types)
    assert sum("quantile_cont" in sql for sql in asked) == len(numbers) == 4 and _same(figures, counted)


def test_a_number_column_without_a_finite_value_is_described_as_in_memory(tmp_path):
    frame = pd.DataFrame({"none": [np.nan, np.nan, np.inf, np.nan], "n": [1, 2, 2, 3]})
    frame.to_parquet(tmp_path / "f.parquet", index=False)
    types = infer_column_types(frame)
    mine, theirs = file_figures(tmp_path / "f.parquet", types).columns[0], describe_dataset(frame, types).columns[0]
    assert replace(mine, memory_bytes=0) == replace(theirs, memory_bytes=0)
    assert (mine.count, mine.infinite, mine.zeros, mine.histogram) == (1, 1, 0, None)


def test_engine_figures_name_the_cases(stored):
    path, _, types = stored
    by_name = {s.name: s for s in file_figures(path, types).columns}
    assert (by_name["edge"].infinite, by_name["edge"].zeros) == (4, 2)   # the first rows repeat at the end
    assert by_name["m"].missing == sum(1 for v in mixed_frame()["m"] if np.isnan(v))
    assert by_name["when"].missing == 2 and by_name["when"].histogram.period is not None
    assert by_name["plan"].numeric_share == pytest.approx(by_name["plan"].top[-1].count / by_name["plan"].count)
    assert {v.value for v in by_name["maybe"].top} == {"True", "False"}
    assert by_name["code"].distinct == 3_000


def test_engine_sample_is_the_in_memory_sample(stored):
    path, frame, _ = stored
    for strata in (None, "label"):
        sample, method = draw_sample(path, 500, seed=4, strata=strata)
        memory = describe_dataset(frame, target="label" if strata else None, sample_rows=500, random_state=4)
        assert method == memory.sample_method and len(sample) == memory.sample_rows

    positions, _ = sample_positions(len(frame), 500, 4, frame["label"])
    sample, _ = draw_sample(path, 500, seed=4, strata="label")
    pd.testing.assert_frame_equal(sample, frame.take(positions))


def test_profile_through_the_engine_equals_the_in_memory_profile_and_says_so(stored):
    path, frame, types = stored
    engine = describe_file(path, types, target="label", sample_rows=1_000, random_state=2, use_engine=True)
    memory = describe_file(path, types, target="label", sample_rows=1_000, random_state=2, use_engine=False)
    assert (engine.exact_engine, engine.source_bytes) == ("duckdb", path.stat().st_size)
    assert (memory.exact_engine, memory.source_bytes) == ("pandas", None)
    assert engine.sample_method == memory.sample_method == "stratified" and engine.sample_rows == memory.sample_rows
    assert engine.correlations == memory.correlations and engine.missing == memory.missing
    assert engine.target == memory.target
    assert [a.kind for a in engine.alerts] == [a.kind for a in memory.alerts]
    again = Profile.from_dict(json.loads(json.dumps(engine.to_dict())))
    assert again.exact_engine == "duckdb" and again.overview == engine.overview


def test_small_file_is_profiled_in_memory_exactly_as_before(stored):
    path, frame, types = stored
    assert (describe_file(path, types, target="label").to_dict()
            == describe_dataset(frame, types, target="label").to_dict())


def test_profile_of_the_previous_format_still_reads(stored):
    path, frame, types = stored
    stored_before = describe_dataset(frame, types).to_dict()
    stored_before = {k: v for k, v in stored_before.items() if k not in ("exact_engine", "source_bytes")}
    stored_before["format"] = 2
    assert Profile.from_dict(stored_before).exact_engine == "pandas"


def test_odd_column_names_are_quoted(tmp_path):
    frame = pd.DataFrame({'a "quoted" name': [1, 2, 2], "it's; DROP": ["x", "y", "y"]})
    path = tmp_path / "odd.parquet"
    frame.to_parquet(path, index=False)
    figures = file_figures(path, infer_column_types(frame))
    assert [s.distinct for s in figures.columns] == [2, 2] and figures.duplicate_rows == 1
    assert quote('a"b') == '"a""b"'


def test_unknown_target_is_named(stored):
    path, _, types = stored
    with pytest.raises(TargetError, match="Column 'nope' is not in this dataset"):
        describe_file(path, types, target="nope", sample_rows=100, use_engine=True)


def test_csv_file_gets_the_same_figures_as_its_parquet_file(tmp_path):
    frame = pd.DataFrame({"n": [1.5, 2.0, None, 4.0], "word": ["a", "b", "b", None]})
    frame.to_csv(tmp_path / "f.csv", index=False)
    frame.to_parquet(tmp_path / "f.parquet", index=False)
    types = infer_column_types(frame)
    assert file_figures(tmp_path / "f.csv", types).columns == file_figures(tmp_path / "f.parquet", types).columns
