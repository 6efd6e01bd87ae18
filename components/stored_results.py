"""Stored results as the pages read them: each part decoded once per server, shared by every session.

    run = stored_results.summary(db, meta, BaselineRun.from_dict)   # what lists, tables and criteria read
    run = stored_results.body(db, meta, BaselineRun.from_dict)      # what the view that draws the run reads

A stored result never changes: the store writes a new version (a new ``stamp``, same id) when a run of the same
settings replaces it. So its decoded form is cached by (data folder, result id, stamp) in a server-wide cache
(st.cache_resource: the same frozen objects for every session, no copy per hit) that computes and returns data and
never draws; bounded by entries: at most about 50 MB of summaries and 40 MB of bodies of 100,000-row runs.
A new version of a result drops only the entries of its earlier version. The per-row arrays (a run's predictions)
are not cached here: no page reads them (store.results.result_arrays reads them from their Parquet file).
"""
from __future__ import annotations

import threading
from collections.abc import Callable

import sqlite_utils
import streamlit as st

from store.db import home_of
from store.results import Result, result_body, result_summary

SUMMARIES = 128    # decoded summaries kept (a 100,000-row run's: 0.18 MB of JSON, 0.04 s to decode, 0.4 MB decoded)
BODIES = 16        # decoded bodies kept (a 100,000-row run's: 0.6 MB of JSON, 0.15 s to decode, 2.4 MB decoded)

_latest: dict[tuple[str, int], str] = {}     # (data folder, result id) -> the stamp last read
_latest_lock = threading.Lock()


def _name(decode: Callable) -> str:
    return f"{getattr(decode, '__module__', '?')}.{getattr(decode, '__qualname__', repr(decode))}"


@st.cache_resource(max_entries=SUMMARIES, show_spinner=False)
def _summary(store: str, result_id: int, stamp: str, decoder: str, _db: sqlite_utils.Database, _decode: Callable):
    """The decoded summary of one stored version of a result."""
    return _decode(result_summary(_db, result_id))


@st.cache_resource(max_entries=BODIES, show_spinner=False)
def _body(store: str, result_id: int, stamp: str, decoder: str, _db: sqlite_utils.Database, _decode: Callable):
    """The decoded body of one stored version of a result."""
    return _decode(result_body(_db, result_id))


def _current(store: str, meta: Result, decoder: str) -> None:
    """Drop the cached entries of an earlier version of ``meta``'s result (a re-run replaced it): only its own."""
    with _latest_lock:
        earlier = _latest.get((store, meta.id))
        _latest[(store, meta.id)] = meta.stamp
    if earlier is not None and earlier != meta.stamp:
        _summary.clear(store, meta.id, earlier, decoder)
        _body.clear(store, meta.id, earlier, decoder)


def summary(db: sqlite_utils.Database, meta: Result, decode: Callable):
    """``decode`` (the kind's from_dict) of the stored result's summary, decoded once per server and version."""
    store, decoder = str(home_of(db)), _name(decode)
    _current(store, meta, decoder)
    return _summary(store, meta.id, meta.stamp, decoder, db, decode)


def body(db: sqlite_utils.Database, meta: Result, decode: Callable):
    """``decode`` (the kind's from_dict) of the stored result's body, decoded once per server and version."""
    store, decoder = str(home_of(db)), _name(decode)
    _current(store, meta, decoder)
    return _body(store, meta.id, meta.stamp, decoder, db, decode)
