"""How a baseline run is stored: a small summary, its body, and its kept predictions as a table.

    summary = run_summary_part(payload)          # what lists, tables and criteria read (BaselineRun.from_dict reads it)
    body, table = split_predictions(payload)     # the payload without predictions; one row per kept prediction
    payload = join_predictions(body, table)      # the payload as computed

Everything here works on the plain dicts of BaselineRun.to_dict() (any stored format), never on decoded runs: a
stored result is split and summarised without rebuilding it. Why: a 100,000-row run keeps 20,000 predictions per
model (a 20 % holdout), 2.3 MB of its 2.9 MB of JSON, and decoding them cost every page that showed the run 0.4 s of
the server's one Python process (issue 25). The predictions go to a Parquet file beside the store (store.results);
the body (metrics, curves, importance, error analysis: what the Baselines page draws) stays JSON; the summary is
the run without its curves, importance, predictions and error analysis, but with its best model's slices, which
the Compare page's weakest slices and slice criteria read.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

PREDICTION_COLUMNS = ("model", "source", "tested", "row", "truth", "predicted", "score")


def run_summary_part(payload: dict) -> dict:
    """The run as lists, tables and criteria read it, in the same layout (BaselineRun.from_dict reads it): every
    model's metrics, intervals, spread and timings, the tested rows and confusion matrix of its curves; the best
    model's slices (SliceReport) for slice criteria. Left out: ROC, PR and residual points, threshold grids,
    importance, predictions, worst errors, calibration, and the other models' error analysis."""
    best = payload.get("best_model")
    return {**payload, "results": [_model_summary(r, r.get("name") == best) for r in payload.get("results", [])]}


def _model_summary(result: dict, best: bool) -> dict:
    light = dict(result)
    curves = result.get("curves")
    if curves is not None:
        light["curves"] = {"rows": curves.get("rows", 0), "confusion": curves.get("confusion")}
    if "importance" in light:
        light["importance"] = []
    if "predictions" in light:
        light["predictions"] = None
    found = result.get("error_analysis")
    if "error_analysis" in light:
        light["error_analysis"] = None
        if best and found is not None:
            light["error_analysis"] = {k: found.get(k) for k in ("rows", "source", "note", "problems") if k in found}
            light["error_analysis"]["slices"] = found.get("slices")
    return light


def split_predictions(payload: dict) -> tuple[dict, pd.DataFrame | None]:
    """(the payload with every model's predictions None, the predictions as one table) or (payload, None) when no
    model kept any. Table columns: PREDICTION_COLUMNS; ``score`` is missing (NaN) for a regression's rows."""
    parts, results = [], []
    for result in payload.get("results", []):
        kept = result.get("predictions")
        if kept is not None:
            parts.append(_table(result["name"], kept))
            result = {**result, "predictions": None}
        results.append(result)
    if not parts:
        return payload, None
    return {**payload, "results": results}, pd.concat(parts, ignore_index=True)


def _table(model: str, kept: dict) -> pd.DataFrame:
    rows = np.asarray(kept.get("rows", ()), dtype=np.int64)
    score = np.asarray(kept.get("score", ()), dtype=np.float64)
    return pd.DataFrame({
        "model": pd.Series([model] * len(rows), dtype="string"),
        "source": pd.Series([kept.get("source", "dataset")] * len(rows), dtype="string"),
        "tested": np.full(len(rows), int(kept.get("tested", 0)), dtype=np.int64),
        "row": rows,
        "truth": np.asarray(kept.get("truth", ()), dtype=np.float64),
        "predicted": np.asarray(kept.get("predicted", ()), dtype=np.float64),
        "score": score if len(score) == len(rows) else np.full(len(rows), np.nan),
    })


def join_predictions(body: dict, table: pd.DataFrame | None) -> dict:
    """The payload split_predictions() split: each model's predictions put back from ``table``."""
    if table is None or table.empty:
        return body
    by_model = {str(name): rows for name, rows in table.groupby("model", sort=False)}
    results = []
    for result in body.get("results", []):
        rows = by_model.get(result.get("name"))
        results.append(result if rows is None else {**result, "predictions": _predictions(rows)})
    return {**body, "results": results}


def _predictions(rows: pd.DataFrame) -> dict:
    score = rows["score"].to_numpy(dtype=np.float64)
    return {"source": str(rows["source"].iloc[0]), "rows": rows["row"].astype(np.int64).tolist(),
            "truth": rows["truth"].tolist(), "predicted": rows["predicted"].tolist(),
            "score": [] if np.isnan(score).all() else score.tolist(), "tested": int(rows["tested"].iloc[0])}
