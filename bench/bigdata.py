"""Data larger than memory through the engine: ``python -m bench bigdata [--rows N] [--memory-limit 1GB]
[--threads 2]``.

Writes bench.profile's 20-column data (numbers skewed and with missing values, categories, dates, booleans, a binary
target; seeded numpy) in chunks of --chunk rows to a temporary folder, as one Parquet file (a row group per chunk)
and as one CSV file; no process ever holds all rows. Then measures, each in a fresh spawned process (peak = that
process's peak resident memory, interpreter and libraries included):
  1. the app's profile of the Parquet file through the engine (analysis.profile.describe.describe_file: exact
     figures by DuckDB queries, correlations and target views on a 100,000-row sample the engine draws);
  2. the exact figures of the CSV file by the same queries (DuckDB reads the CSV; no sample: draw_sample reads Parquet);
  3. pandas' full load of the Parquet file (pandas.read_parquet), the memory a DataFrame of all rows needs.
exact_match=1 when the engine's exact figures of the first chunk (its own Parquet file, at most 1,000,000 rows)
equal those of the in-memory profile of the same rows (floats to 1e-9 relative; top values up to ties at the
10th place, which pandas breaks arbitrarily; memory is an estimate and left out); chunk_figures_s is the time those
engine figures took (one row group, as the app stores a dataset of up to a million rows).
cpu_s: the CPU seconds of a stage's process, all its threads (DuckDB's too): steadier than seconds on a busy machine.
Goals: at 10,000,000 rows the Parquet profile <= 10 s with peak memory <= 1 GB; figures of 1,000,000 rows <= 1.7 s.
"""
from __future__ import annotations

import argparse
import dataclasses
import multiprocessing
import resource
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from analysis.column_types import infer_column_types
from analysis.engine.connection import EngineSettings
from analysis.engine.figures import file_figures
from analysis.profile.column_stats import TOP_K
from analysis.profile.describe import describe_dataset, describe_file
from bench.common import Stage, Timer, print_result
from bench.profile import TARGET, make_table

CHECK_ROWS = 1_000_000


def write_files(folder: Path, rows: int, chunk: int) -> tuple[Path, Path, Path]:
    """(all rows as Parquet, all rows as CSV, the first chunk alone as Parquet), written chunk by chunk."""
    parquet, csv, first = folder / "big.parquet", folder / "big.csv", folder / "first.parquet"
    writer = csv_writer = None
    try:
        for index, start in enumerate(range(0, rows, chunk)):
            table = _as_stored(make_table(min(chunk, rows - start), seed=index))
            if writer is None:
                writer = pq.ParquetWriter(parquet, table.schema)
                csv_writer = pacsv.CSVWriter(csv, table.schema,
                                             write_options=pacsv.WriteOptions(quoting_style="needed"))
                pq.write_table(table, first)
            writer.write_table(table)
            csv_writer.write_table(table)
    finally:
        for w in (writer, csv_writer):
            if w is not None:
                w.close()
    return parquet, csv, first


def _as_stored(table: pa.Table) -> pa.Table:
    """Dates as timestamps, as a dataset the app stores holds them (the reader's frames keep datetime64[ns])."""
    for i, field in enumerate(table.schema):
        if pa.types.is_date(field.type):
            table = table.set_column(i, field.name, table.column(i).cast(pa.timestamp("ns")))
    return table


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_s() -> float:
    """CPU seconds of this process so far (user and system, every thread)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _column_types(first: str) -> dict:
    """Column types as the reader would label them, from the first chunk (all of it in this child process)."""
    return infer_column_types(pd.read_parquet(first))


def _profile_parquet(path: str, types: dict, memory_limit: str, threads: int) -> dict:
    start, cpu = time.perf_counter(), _cpu_s()
    profile = describe_file(path, types, target=TARGET, use_engine=True,
                            engine_settings=EngineSettings(memory_limit=memory_limit, threads=threads))
    return {"seconds": time.perf_counter() - start, "cpu_s": _cpu_s() - cpu, "peak_mb": _peak_mb(),
            "sample_rows": profile.sample_rows, "method": profile.sample_method, "rows": profile.overview.rows}


def _figures_csv(path: str, types: dict, memory_limit: str, threads: int) -> dict:
    start, cpu = time.perf_counter(), _cpu_s()
    figures = file_figures(path, types, EngineSettings(memory_limit=memory_limit, threads=threads))
    return {"seconds": time.perf_counter() - start, "cpu_s": _cpu_s() - cpu, "peak_mb": _peak_mb(),
            "rows": figures.rows}


def _pandas_load(path: str) -> dict:
    start = time.perf_counter()
    frame = pd.read_parquet(path)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "peak_mb": _peak_mb(), "frame_mb": float(frame.memory_usage(deep=True).sum()) / 2**20}


def _exact_match(first: str, types: dict, memory_limit: str, threads: int) -> dict:
    """Engine figures of the first chunk against the in-memory profile of the same rows: the mismatches."""
    frame = pd.read_parquet(first)
    memory = describe_dataset(frame, types)
    start, cpu = time.perf_counter(), _cpu_s()
    figures = file_figures(first, types, EngineSettings(memory_limit=memory_limit, threads=threads))
    seconds, cpu = time.perf_counter() - start, _cpu_s() - cpu
    problems = []
    if (figures.rows, figures.duplicate_rows, figures.rows_with_missing) != (
            memory.overview.rows, memory.overview.duplicate_rows, memory.missing.rows_with_missing):
        problems.append("overview")
    for mine, theirs in zip(figures.columns, memory.columns, strict=True):
        for field in dataclasses.fields(mine):
            if field.name in ("memory_bytes", "top"):
                continue
            a, b = getattr(mine, field.name), getattr(theirs, field.name)
            if not figures_close(_plain(a), _plain(b)):
                problems.append(f"{mine.name}.{field.name}")
        if _untied_top(mine) != _untied_top(theirs):
            problems.append(f"{mine.name}.top")
    return {"rows": len(frame), "problems": problems, "seconds": seconds, "cpu_s": cpu}


def _plain(value):
    return dataclasses.asdict(value) if dataclasses.is_dataclass(value) else value


def figures_close(a, b) -> bool:
    """Equal figures: floats to 1e-9 relative (sums in another order), containers item by item, the rest exactly."""
    if isinstance(a, float) and isinstance(b, float):
        return bool(np.isclose(a, b, rtol=1e-9, atol=1e-12))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(figures_close(a[k], b[k]) for k in a)
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        return len(a) == len(b) and all(figures_close(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def _untied_top(stats) -> list:
    top = [(v.value, v.count) for v in stats.top]
    if len(top) == TOP_K:
        top = [v for v in top if v[1] > top[-1][1]]
    return top


def _in_child(function, *args) -> dict:
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(function, args)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench bigdata",
                                     description=__doc__.split("\n\n")[0].replace("\n", " "))
    parser.add_argument("--rows", type=int, default=10_000_000, help="rows of the generated data (default 10,000,000)")
    parser.add_argument("--chunk", type=int, default=CHECK_ROWS, help="rows generated and written at a time")
    parser.add_argument("--memory-limit", default="1GB", help="DuckDB's memory_limit (default 1GB)")
    parser.add_argument("--threads", type=int, default=2, help="DuckDB's threads (default 2)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        parquet, csv, first = write_files(Path(folder), args.rows, args.chunk)
        generated = time.perf_counter() - start
        sizes = {p.name: p.stat().st_size / 2**20 for p in (parquet, csv)}
        types = _in_child(_column_types, str(first))
        limits = (args.memory_limit, args.threads)
        runs = {
            "profile Parquet (engine)": _in_child(_profile_parquet, str(parquet), types, *limits),
            "figures CSV (engine)": _in_child(_figures_csv, str(csv), types, *limits),
            "pandas.read_parquet": _in_child(_pandas_load, str(parquet)),
        }
        check = _in_child(_exact_match, str(first), types, *limits)
    timer = Timer(stages=[Stage(name, args.rows, run["seconds"], run["peak_mb"]) for name, run in runs.items()])
    timer.print_table()
    profile, figures, pandas_run = runs.values()
    print(f"generated in {generated:.1f} s: Parquet {sizes['big.parquet']:.1f} MB, CSV {sizes['big.csv']:.1f} MB; "
          f"sample {profile['sample_rows']:,} rows ({profile['method']}); "
          f"pandas frame {pandas_run['frame_mb']:.1f} MB; "
          f"DuckDB memory_limit {args.memory_limit}, threads {args.threads}; peak MB: whole child process")
    print(f"exact figures checked on the first {check['rows']:,} rows: "
          + ("all equal" if not check["problems"] else "differ: " + ", ".join(check["problems"]))
          + f"; the engine's took {check['seconds']:.2f} s ({check['cpu_s']:.2f} s of CPU)")
    print_result(
        rows=args.rows,
        parquet_profile_s=profile["seconds"],
        parquet_profile_cpu_s=profile["cpu_s"],
        csv_profile_s=figures["seconds"],
        csv_profile_cpu_s=figures["cpu_s"],
        peak_mb=max(profile["peak_mb"], figures["peak_mb"]),
        pandas_peak_mb=pandas_run["peak_mb"],
        chunk_figures_s=check["seconds"],
        chunk_figures_cpu_s=check["cpu_s"],
        exact_match=int(not check["problems"]),
    )
    return 0
