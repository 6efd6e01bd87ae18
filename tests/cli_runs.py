"""Helpers for tests of ``blueprint check`` (issue 23): a candidate's predictions for the sample's rows, written to a
file, and the real command run in this process (blueprint.cli.main, what the console script runs) when a test needs
what it stores rather than the process boundary (tests/blueprint/test_cli.py runs it as a subprocess)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from blueprint.cli import main

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_CSV = ROOT / "sample_data" / "breast_cancer.csv"
EDITOR = "data.scientist@example.org"          # the sample team's data scientist, an editor (sample_data/seed)


def write_predictions(path: Path, kind: str, seed: int = 0, rows: pd.DataFrame | None = None) -> Path:
    """A predictions file joined to the sample's rows (or ``rows`` of it) by sample_id: "good" scores near 0.9 for
    malignant rows and 0.05 for benign ones (every metric criterion passes), "random" uniform scores (they fail)."""
    frame = pd.read_csv(SAMPLE_CSV) if rows is None else rows
    rng = np.random.default_rng(seed)
    if kind == "good":
        malignant = (frame["diagnosis"] == "malignant").to_numpy()
        score = np.clip(np.where(malignant, 0.9, 0.05) + rng.normal(0, 0.05, len(frame)), 0, 1)
    elif kind == "random":
        score = rng.random(len(frame))
    else:
        raise ValueError(f"kind is 'good' or 'random', not {kind!r}")
    pd.DataFrame({"sample_id": frame["sample_id"].to_numpy(), "score": score.round(4)}).to_csv(path, index=False)
    return path


def check_in_process(*args: str | Path) -> int:
    """``blueprint check ARGS`` run by blueprint.cli.main in this process; its exit code."""
    return main(["check", *map(str, args)])
