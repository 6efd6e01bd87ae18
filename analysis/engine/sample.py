"""The rows that need to be in memory: which positions (seeded, uniform or stratified by class), and those rows
read from a Parquet file one row group at a time, never the whole file."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

MIN_CLASS_ROWS = 500     # a stratified sample keeps at least this many rows of each class (or all it has)


def sample_positions(rows: int, size: int, seed: int, labels: pd.Series | None = None) -> tuple[np.ndarray | None, str]:
    """(sorted row positions, method) of a sample of ``size`` of ``rows`` rows: None and "all" when rows <= size;
    else "uniform", or "stratified" by ``labels`` (one per row; missing labels form a stratum of their own): each
    class keeps its share of the rows, and at least MIN_CLASS_ROWS rows or all it has."""
    if rows <= size:
        return None, "all"
    rng = np.random.default_rng(seed)
    if labels is None:
        return np.sort(rng.choice(rows, size, replace=False)), "uniform"
    codes, _ = pd.factorize(labels, use_na_sentinel=True)
    positions = []
    for code in np.unique(codes):
        members = np.flatnonzero(codes == code)
        take = min(len(members), max(round(size * len(members) / rows), MIN_CLASS_ROWS))
        positions.append(rng.choice(members, take, replace=False))
    return np.sort(np.concatenate(positions)), "stratified"


def draw_sample(path: str | Path, size: int, seed: int, strata: str | None = None) -> tuple[pd.DataFrame, str]:
    """(sample, method) of the Parquet file at ``path``, as sample_positions draws it (stratified by column
    ``strata`` when given, which is the only column read whole). The frame has the dtypes pandas.read_parquet
    gives and the rows' positions in the file as its index, like ``frame.take(positions)``."""
    file = pq.ParquetFile(path)
    rows = file.metadata.num_rows
    labels = pd.read_parquet(path, columns=[strata])[strata] if strata is not None and rows > size else None
    positions, method = sample_positions(rows, size, seed, labels)
    if positions is None:
        return pd.read_parquet(path), method
    return take_rows(file, positions), method


def take_rows(file: pq.ParquetFile, positions: np.ndarray) -> pd.DataFrame:
    """The rows at sorted ``positions`` of a Parquet file, read one row group at a time."""
    parts, start = [], 0
    for group in range(file.num_row_groups):
        stop = start + file.metadata.row_group(group).num_rows
        lo, hi = np.searchsorted(positions, [start, stop])
        if hi > lo:
            parts.append(file.read_row_group(group).take(pa.array(positions[lo:hi] - start)))
        start = stop
    frame = pa.concat_tables(parts).to_pandas()
    frame.index = pd.Index(positions)
    return frame
