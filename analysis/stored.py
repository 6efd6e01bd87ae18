"""How a computed result of each kind is stored: a small summary, its body, and its per-row arrays.

    parts = split("run", payload)          # Parts(summary, body, arrays)
    payload = join("run", body, arrays)    # the payload as computed

The summary is what lists, tables, criteria and blockers read; the body is the JSON the views that draw the result
read; the arrays (a run's kept predictions: per-row data) are a table store.results keeps as a Parquet file beside
the store, never inside JSON. Each kind's unit gives its layout (analysis.units.Layout); a kind without one is
stored whole: its payload is its body, and it has no summary of its own (None: whoever wants one reads the body).
Works on plain dicts (the payload as to_dict() made it), so nothing is decoded to be stored or split.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.units import Layout, kinds, unit


@dataclass(frozen=True)
class Parts:
    """A result's summary (None for a kind stored whole), body (JSON) and per-row arrays (None when it has none)."""

    summary: dict | None
    body: dict
    arrays: pd.DataFrame | None = None


def _layout(kind: str) -> Layout | None:
    """The layout of ``kind``'s unit (analysis.units): the one place each kind says how it is stored."""
    return unit(kind).layout if kind in kinds() else None


def has_layout(kind: str) -> bool:
    """Whether results of ``kind`` are split (else stored whole)."""
    return _layout(kind) is not None


def split(kind: str, payload: dict) -> Parts:
    """``payload`` of a result of ``kind`` as its summary, body and arrays."""
    layout = _layout(kind)
    if layout is None:
        return Parts(None, payload)
    body, arrays = layout.split(payload)
    return Parts(layout.summarise(payload), body, arrays)


def join(kind: str, body: dict, arrays: pd.DataFrame | None) -> dict:
    """The payload split() took apart."""
    layout = _layout(kind)
    return body if layout is None else layout.join(body, arrays)
