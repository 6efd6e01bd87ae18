"""Write sample_data/breast_cancer.csv, and the same rows as sample_data/breast_cancer.parquet, from the copy of
the dataset that scikit-learn ships.

Run from the repository root:  uv run python sample_data/make_sample_data.py

No network is needed: scikit-learn bundles the Breast Cancer Wisconsin (Diagnostic) data.
The output is deterministic; running the script again rewrites the same bytes.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from sklearn.datasets import load_breast_cancer

OUT = Path(__file__).resolve().parent / "breast_cancer.csv"
OUT_PARQUET = OUT.with_suffix(".parquet")
MAX_DECIMALS = 10  # the shipped values have at most 7 decimals; more would mean float noise


def snake_case(name: str) -> str:
    """'mean concave points' -> 'mean_concave_points', 'radius error' -> 'radius_error'."""
    return "_".join(str(name).lower().split())


def decimals(value: float) -> int:
    """Decimal places in the shortest text that reads back as ``value`` (17.99 -> 2, 1001.0 -> 0)."""
    text = repr(float(value))
    if "e" in text or "E" in text:
        raise ValueError(f"unexpected exponent notation {text!r}")
    return len(text.split(".")[1].rstrip("0")) if "." in text else 0


def build() -> pd.DataFrame:
    bunch = load_breast_cancer(as_frame=True)
    features = bunch.data.copy()
    features.columns = [snake_case(c) for c in features.columns]
    # Round each column to the precision of the original data (the most decimals any of its values has),
    # which removes nothing the original has and guards against float noise in the written text.
    for column in features.columns:
        places = max(decimals(v) for v in features[column])
        if places > MAX_DECIMALS:
            raise ValueError(f"{column}: {places} decimals looks like float noise, not original precision")
        rounded = features[column].round(places)
        if not np.array_equal(rounded.to_numpy(), features[column].to_numpy()):
            raise ValueError(f"{column}: rounding to {places} decimals would change values")
        features[column] = rounded
    # sklearn encodes 0 = malignant, 1 = benign: map through target_names instead of hard-coding that.
    names = list(bunch.target_names)
    assert names == ["malignant", "benign"], names
    diagnosis = bunch.target.map(dict(enumerate(names)))
    frame = pd.concat([features, diagnosis.rename("diagnosis")], axis=1)
    frame.insert(0, "sample_id", np.arange(1, len(frame) + 1))
    return frame


def main() -> None:
    frame = build()
    frame.to_csv(OUT, index=False, lineterminator="\n")
    # Check the round trip: the CSV reads back to exactly the values scikit-learn ships.
    back = pd.read_csv(OUT)
    original = load_breast_cancer()
    assert back.shape == (569, 32), back.shape
    assert np.array_equal(back.drop(columns=["sample_id", "diagnosis"]).to_numpy(), original.data)
    assert (back["diagnosis"] == pd.Series(original.target_names[original.target])).all()
    counts = back["diagnosis"].value_counts().to_dict()
    print(f"wrote {OUT.name}: {len(back)} rows, {back.shape[1]} columns, {counts}")
    # The same rows as Parquet, typed as a Parquet export keeps them (diagnosis as a dictionary-encoded column), so
    # the sample project shows a second format. No pandas index; the bytes repeat for the same pyarrow version.
    typed = frame.assign(diagnosis=frame["diagnosis"].astype("category"))
    pq.write_table(pa.Table.from_pandas(typed, preserve_index=False), OUT_PARQUET, compression="zstd")
    assert pd.read_parquet(OUT_PARQUET).astype({"diagnosis": object}).equals(back)
    print(f"wrote {OUT_PARQUET.name}: {OUT_PARQUET.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
