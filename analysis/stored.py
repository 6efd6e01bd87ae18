"""How a computed result of each kind is stored: a small summary, its body, and its per-row arrays.

    parts = split("run", payload)          # Parts(summary, body, arrays)
    payload = join("run", body, arrays)    # the payload as computed

The summary is what lists, tables, criteria and blockers read; the body is the JSON the views that draw the result
read; the arrays (a run's kept predictions: per-row data) are a table store.results keeps as a Parquet file beside
the store, never inside JSON. A kind without a layout here is stored whole: its payload is its body, and it has no
summary of its own (None: whoever wants one reads the body).
Works on plain dicts (the payload as to_dict() made it), so nothing is decoded to be stored or split.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Parts:
    """A result's summary (None for a kind stored whole), body (JSON) and per-row arrays (None when it has none)."""

    summary: dict | None
    body: dict
    arrays: pd.DataFrame | None = None


@dataclass(frozen=True)
class Layout:
    """How one kind is split: summarise(payload) -> summary; split(payload) -> (body, arrays);
    join(body, arrays) -> payload."""

    summarise: Callable[[dict], dict]
    split: Callable[[dict], tuple[dict, pd.DataFrame | None]]
    join: Callable[[dict, pd.DataFrame | None], dict]


def _layouts() -> dict[str, Layout]:
    from analysis.baselines.stored import join_predictions, run_summary_part, split_predictions

    return {"run": Layout(run_summary_part, split_predictions, join_predictions)}


def has_layout(kind: str) -> bool:
    """Whether results of ``kind`` are split (else stored whole)."""
    return kind in _layouts()


def split(kind: str, payload: dict) -> Parts:
    """``payload`` of a result of ``kind`` as its summary, body and arrays."""
    layout = _layouts().get(kind)
    if layout is None:
        return Parts(None, payload)
    body, arrays = layout.split(payload)
    return Parts(layout.summarise(payload), body, arrays)


def join(kind: str, body: dict, arrays: pd.DataFrame | None) -> dict:
    """The payload split() took apart."""
    layout = _layouts().get(kind)
    return body if layout is None else layout.join(body, arrays)
